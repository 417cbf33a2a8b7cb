//! `tokenspec push`: move an environment's tokens from its files into the
//! spec's store, with KV v2 check-and-set.
//!
//! The values are those the files give in that environment (`.tokens.<env>`
//! over `.tokens`, `.env.<env>` over `.env`); the process environment is not
//! read, so a variable set in the shell is never pushed by accident. A
//! placeholder, a value failing its format or an unusable file entry stops
//! the push before anything is written. Tokens the files lack are left as
//! they are in the store, other keys of a secret are kept, nothing is
//! deleted, and no value is printed: the table names each token and what
//! the push does to it (new, changed, unchanged).

use std::collections::{BTreeMap, HashMap};
use std::io::{self, BufWriter, Write};

use clap::Args;

use tokenspec_core::format::ValueKind;
use tokenspec_core::load::{resolve, State};
use tokenspec_core::{Class, LoadOptions, Problem, Secret};
use tokenspec_store::{PushPlan, Store};

use super::{report, store, table, Context, Error, Outcome, TypeArg};
use crate::error::Result;

pub const EXAMPLES: &str = "\
Examples:
  tokenspec --env prod push --dry-run
  tokenspec --env prod push --type=cicd

Reads the environment's files (.tokens.<env> over .tokens, .env.<env> over
.env), never the process environment. Needs write access: the class's
`<class>-writer` policy from `tokenspec gen`.";

#[derive(Debug, Clone, Args)]
pub struct PushArgs {
    /// Which tokens
    #[arg(long = "type", value_enum, default_value_t = TypeArg::All)]
    pub type_: TypeArg,
    /// List each token as new, changed or unchanged; write nothing
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(cx: &Context, args: &PushArgs) -> Result<Outcome> {
    let Some(spec_store) = cx.store() else {
        return Err(Error::fatal(format_args!(
            "{} has no [store] table, so there is nowhere to push to",
            cx.spec_display
        ))
        .help("add a [store] table naming the OpenBao/Vault server (see docs/store.md)"));
    };
    let Some((def, env)) = store::serving(cx) else {
        return Err(Error::fatal(format_args!(
            "the store does not serve the environment `{}`",
            cx.env_name()
        ))
        .help(format_args!(
            "pass --env with one of: {}",
            spec_store.environments.join(", ")
        )));
    };
    let classes: Vec<Class> = args
        .type_
        .classes()
        .iter()
        .copied()
        .filter(|c| cx.spec().tokens_of(*c).next().is_some())
        .collect();
    // Every class's values first: a refusal in one writes nothing in any.
    let mut desired = Vec::new();
    for &class in &classes {
        desired.push((class, file_values(cx, class, env)?));
    }
    let store = Store::connect(&def, |k| std::env::var(k).ok()).map_err(store::store_error)?;
    let mut plans: Vec<(Class, PushPlan)> = Vec::new();
    for (class, values) in &desired {
        let plan = store
            .plan_push(*class, env, values)
            .map_err(store::store_error)?;
        plans.push((*class, plan));
    }
    if !args.dry_run {
        for (class, plan) in &plans {
            store
                .apply_push(*class, env, plan)
                .map_err(store::store_error)?;
        }
    }
    let mut rows = Vec::new();
    for (class, plan) in &plans {
        let secret = store.label(*class, env);
        for (name, change) in &plan.changes {
            rows.push([
                name.clone(),
                class.to_string(),
                secret.clone(),
                change.as_str().to_owned(),
            ]);
        }
    }
    let mut out = BufWriter::new(io::stdout().lock());
    table::write(&mut out, ["NAME", "CLASS", "SECRET", "CHANGE"], &rows)
        .and_then(|()| out.flush())
        .map_err(|e| Error::stdout(&e))?;
    let writes = plans.iter().filter(|(_, p)| p.writes()).count();
    if rows.is_empty() {
        report::note(format_args!(
            "the {env} files hold none of the spec's tokens; nothing to push"
        ));
    } else if args.dry_run {
        report::note("dry run: nothing was written");
    } else if writes == 0 {
        report::note("the store already holds these values; nothing was written");
    }
    Ok(Outcome::Ok)
}

/// The values `class`'s files give its tokens in `env`, by name. A token
/// no file sets is left out; a placeholder, an invalid value or an unusable
/// entry is an error naming it (never its value).
fn file_values(cx: &Context, class: Class, env: &str) -> Result<BTreeMap<String, Secret>> {
    let defs = cx.spec().defs(Some(class));
    // Files only: an empty process environment.
    let opts = LoadOptions::new(&cx.root, Some(env)).with_vars(HashMap::<String, String>::new());
    let res = resolve(&defs, &opts);
    let mut problems: Vec<Problem> = res
        .problems
        .iter()
        .filter(|p| !matches!(p, Problem::Missing { .. }))
        .cloned()
        .collect();
    let mut values = BTreeMap::new();
    for t in &res.tokens {
        let name = t.def.name.to_string();
        let source = t.source.clone();
        match (t.state, &t.value) {
            (State::Set, Some(v))
                if ValueKind::of(v.expose_secret(), &t.def.ci_value, false, false).is_real() =>
            {
                values.insert(name, v.clone());
            }
            (State::Set | State::Placeholder, _) => {
                if let Some(source) = source {
                    if !problems.iter().any(|p| p.token() == Some(name.as_str())) {
                        problems.push(Problem::Placeholder {
                            name,
                            env: Some(env.to_owned()),
                            source,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    if problems.is_empty() {
        Ok(values)
    } else {
        Err(Error::problems(&problems).help(
            "nothing was pushed; put the real values in the files (a placeholder is never pushed), or leave a token out of them to keep the store's value",
        ))
    }
}
