//! `tokenspec validate NAME…`: strict check of named tokens.
//!
//! Stricter than `load`: a named token must be set, valid for its format
//! and not a placeholder in every environment, `ci` included. Scripts call
//! it right before using a token for real, where a placeholder that `load`
//! accepts in CI would only fail later and less clearly.

use clap::Args;

use tokenspec_core::format::ValueKind;
use tokenspec_core::load::{resolve, Problem, State};
use tokenspec_core::TokenDef;
use tokenspec_spec::suggest::did_you_mean;

use super::{report, Context, Error, Outcome};
use crate::error::Result;

pub const EXAMPLES: &str = "\
Examples:
  tokenspec validate AAR_TOKEN CI_BOT_TOKEN
  tokenspec --env prod validate PROD_ORCHESTRATION_BOT_KEY && ./deploy.sh

Exit 0 only when every named token is set, valid and not a placeholder,
in every environment (placeholders fail even in ci); 1 otherwise;
2 for a name that is not in the spec.";

#[derive(Debug, Clone, Args)]
pub struct ValidateArgs {
    /// Token names from the spec
    #[arg(required = true, value_name = "NAME")]
    pub names: Vec<String>,
}

pub fn run(cx: &Context, args: &ValidateArgs) -> Result<Outcome> {
    let all = cx.defs(super::TypeArg::All);
    let mut defs: Vec<TokenDef> = Vec::with_capacity(args.names.len());
    let mut unknown: Option<Error> = None;
    for name in &args.names {
        match all.iter().find(|d| d.name == name.as_str()) {
            Some(d) if !defs.iter().any(|x| x.name == d.name) => defs.push(d.clone()),
            Some(_) => {}
            None => {
                let msg = format!("unknown token `{name}` (not in {})", cx.spec_display);
                let error = match unknown.take() {
                    Some(e) => e.and(msg),
                    None => Error::fatal(msg),
                };
                unknown = Some(
                    match did_you_mean(name, all.iter().map(|d| d.name.as_ref())) {
                        Some(s) => error.help(format_args!("did you mean `{s}`?")),
                        None => error.help("`tokenspec load` lists the tokens of the spec"),
                    },
                );
            }
        }
    }
    if let Some(e) = unknown {
        return Err(e);
    }

    let opts = super::store::layered(cx, &defs, cx.load_options())?;
    let res = resolve(&defs, &opts);
    let mut problems = res.problems.clone();
    let mut placeholders = Vec::new();
    for t in &res.tokens {
        let reported = res
            .problems
            .iter()
            .any(|p| report::problem_token(p) == Some(t.def.name.as_ref()));
        let name = t.def.name.to_string();
        let problem = match (t.state, &t.value, &t.source) {
            // The loader accepts placeholders in ci; validate never does.
            (State::Set, Some(v), Some(source))
                if !ValueKind::of(v.expose_secret(), &t.def.ci_value, false, false).is_real() =>
            {
                placeholders.push(format!(
                    "{name} from {source} is a placeholder; validate requires a real value in every environment, ci included"
                ));
                continue;
            }
            (State::Set, ..) | (State::Invalid | State::Unsafe, ..) => continue,
            _ if reported => continue,
            // Optional tokens are not reported missing by the loader; named ones must be set.
            (State::Missing, ..) => Problem::missing(t.def, cx.env.as_deref()),
            (State::Placeholder, _, Some(source)) => Problem::Placeholder {
                name,
                env: cx.env.clone(),
                source: source.clone(),
            },
            (State::Placeholder, _, None) => continue,
        };
        problems.push(problem);
    }
    report::warnings(&res);
    if problems.is_empty() && placeholders.is_empty() {
        return Ok(Outcome::Ok);
    }
    Err(placeholders
        .into_iter()
        .fold(Error::problems(&problems), Error::and))
}
