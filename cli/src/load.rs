//! `tokenspec load`: validate tokens and print a status table (never values).

use std::io::{self, BufWriter, Write};
use std::time::SystemTime;

use clap::Args;

use tokenspec_core::env;
use tokenspec_core::load::{resolve, Resolved, Source, State};
use tokenspec_repo::render::base_template;

use super::create::{self, create_new};
use super::{report, store, table, Context, Error, Outcome, TypeArg};
use crate::error::Result;

pub const EXAMPLES: &str = "\
Examples:
  tokenspec load --type=cicd
  tokenspec --env prod load --type=runtime

Prints NAME, CLASS, SOURCE (file:line or environment) and STATE (set,
deprecated, missing, placeholder, invalid, unsafe); never a value. Exit 1
when a required token is missing or invalid. A missing base file (.tokens
or .env) is created from the spec's template with mode 0600, except in CI
(CI on, or the ci environment): there it creates nothing and says what it
would have created, since CI must fail closed on unfilled values.";

#[derive(Debug, Clone, Args)]
pub struct LoadArgs {
    /// Which tokens
    #[arg(long = "type", value_enum, default_value_t = TypeArg::All)]
    pub type_: TypeArg,
}

pub fn run(cx: &Context, args: &LoadArgs) -> Result<Outcome> {
    create_base_files(cx, args.type_)?;
    let defs = cx.defs(args.type_);
    let (opts, ages) = store::layered_with_ages(cx, &defs, cx.load_options())?;
    let res = resolve(&defs, &opts);
    let rows: Vec<[String; 4]> = res.tokens.iter().map(row).collect();
    let mut out = BufWriter::new(io::stdout().lock());
    let written = match ages {
        // In a store-served environment, how long ago each stored value changed.
        Some(ages) => {
            let now = SystemTime::now();
            let rows: Vec<[String; 5]> = res
                .tokens
                .iter()
                .zip(rows)
                .map(|(t, [name, class, source, state])| {
                    let stored = matches!(t.source, Some(Source::Store { .. }));
                    let changed = ages
                        .get(t.def.name.as_ref())
                        .filter(|_| stored)
                        .map_or_else(|| "-".to_owned(), |at| store::age(*at, now));
                    [name, class, source, state, changed]
                })
                .collect();
            table::write(
                &mut out,
                ["NAME", "CLASS", "SOURCE", "STATE", "CHANGED"],
                &rows,
            )
        }
        None => table::write(&mut out, ["NAME", "CLASS", "SOURCE", "STATE"], &rows),
    }
    .and_then(|()| out.flush());
    written.map_err(|e| Error::stdout(&e))?;
    report::warnings(&res);
    if res.problems.is_empty() {
        Ok(Outcome::Ok)
    } else {
        Err(Error::problems(&res.problems))
    }
}

fn row(t: &Resolved<'_>) -> [String; 4] {
    let source = t
        .source
        .as_ref()
        .map_or_else(|| "-".to_owned(), ToString::to_string);
    let state = match t.state {
        State::Set if t.def.deprecated.is_some() => "deprecated",
        State::Missing if !t.required => "missing (optional)",
        s => s.as_str(),
    };
    [
        t.def.name.to_string(),
        t.def.class.to_string(),
        source,
        state.to_owned(),
    ]
}

/// Creates each selected class's missing base file from the spec's template.
/// Never in CI: a file of `CHANGE_ME_` values there helps nobody, and must
/// not look like a step towards a passing run.
fn create_base_files(cx: &Context, type_: TypeArg) -> Result<()> {
    // With `[store] files = false` the files of a served environment are not read: none is needed.
    if store::serving(cx).is_some_and(|(def, _)| !def.files) {
        return Ok(());
    }
    let in_ci =
        cx.env.as_deref() == Some("ci") || env::ci_is_on(std::env::var("CI").ok().as_deref());
    for &class in type_.classes() {
        let file = class.base_file();
        // A dangling symlink counts as present: never replace what someone put there.
        if cx.spec().tokens_of(class).next().is_none() || cx.path(file).symlink_metadata().is_ok() {
            continue;
        }
        if in_ci {
            report::note(format_args!(
                "{file} does not exist; not created in CI (outside CI, load would create it from the spec's template)"
            ));
            continue;
        }
        match create_new(&cx.root, file, &base_template(cx.spec(), class)) {
            Ok(create::Outcome::Created) => {
                report::warning(format_args!(
                    "{file} did not exist; created it from the spec's template with mode 0600"
                ));
                report::help(format_args!(
                    "replace each CHANGE_ME_ value in {file} with the real secret"
                ));
            }
            Ok(create::Outcome::AlreadyExists) => {}
            Err(e) => return Err(Error::io(format_args!("create {file}"), &e)),
        }
    }
    Ok(())
}
