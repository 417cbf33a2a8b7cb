//! `tokenspec load`: validate tokens and print a status table (never values).

use std::io::{self, BufWriter, Write};

use clap::Args;

use tokenspec_core::load::{resolve, Resolved, State};
use tokenspec_manifest::render::base_template;

use super::create::{create_new, Outcome};
use super::{context::io_message, exit, report, table, Context, TypeArg};

pub const EXAMPLES: &str = "\
Examples:
  tokenspec load --type=cicd
  tokenspec --env prod load --type=runtime

Prints NAME, CLASS, SOURCE (file:line or environment) and STATE (set,
deprecated, missing, placeholder, invalid, unsafe); never a value. Exit 1
when a required token is missing or invalid. A missing base file (.tokens
or .env) is created from the spec's template with mode 0600.";

#[derive(Debug, Clone, Args)]
pub struct LoadArgs {
    /// Which tokens
    #[arg(long = "type", value_enum, default_value_t = TypeArg::All)]
    pub type_: TypeArg,
}

pub fn run(cx: &Context, args: &LoadArgs) -> i32 {
    if let Err(code) = create_base_files(cx, args.type_) {
        return code;
    }
    let defs = cx.defs(args.type_);
    let res = resolve(&defs, &cx.load_options());
    let rows: Vec<[String; 4]> = res.tokens.iter().map(row).collect();
    let mut out = BufWriter::new(io::stdout().lock());
    let written = table::write(&mut out, ["NAME", "CLASS", "SOURCE", "STATE"], &rows)
        .and_then(|()| out.flush());
    if let Err(e) = written {
        return report::write_failed(&e);
    }
    report::problems(&res.problems, true);
    report::warnings(&res);
    if res.problems.is_empty() {
        exit::OK
    } else {
        report::exit_code(&res.problems)
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
fn create_base_files(cx: &Context, type_: TypeArg) -> Result<(), i32> {
    for &class in type_.classes() {
        let file = class.base_file();
        // A dangling symlink counts as present: never replace what someone put there.
        if cx.spec().tokens_of(class).next().is_none() || cx.path(file).symlink_metadata().is_ok() {
            continue;
        }
        match create_new(&cx.root, file, &base_template(cx.spec(), class)) {
            Ok(Outcome::Created) => {
                report::warning(format_args!(
                    "{file} did not exist; created it from the spec's template with mode 0600"
                ));
                report::help(format_args!(
                    "replace each CHANGE_ME_ value in {file} with the real secret"
                ));
            }
            Ok(Outcome::AlreadyExists) => {}
            Err(e) => {
                report::error(format_args!("cannot create {file}: {}", io_message(&e)));
                return Err(exit::USAGE);
            }
        }
    }
    Ok(())
}
