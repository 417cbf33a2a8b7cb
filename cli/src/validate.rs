//! `tokenspec validate NAME…`: strict check of named tokens.
//!
//! Stricter than `load`: a named token must be set, valid for its format
//! and not a placeholder in every environment, `ci` included. Scripts call
//! it right before using a token for real, where a placeholder that `load`
//! accepts in CI would only fail later and less clearly.

use clap::Args;

use tokenspec_core::format::is_placeholder;
use tokenspec_core::load::{resolve, Problem, State};
use tokenspec_core::TokenDef;

use super::{exit, report, Context};

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

pub fn run(cx: &Context, args: &ValidateArgs) -> i32 {
    let all = cx.defs(super::TypeArg::All);
    let mut defs: Vec<TokenDef> = Vec::with_capacity(args.names.len());
    let mut unknown = false;
    for name in &args.names {
        match all.iter().find(|d| d.name == name.as_str()) {
            Some(d) if !defs.iter().any(|x| x.name == d.name) => defs.push(d.clone()),
            Some(_) => {}
            None => {
                unknown = true;
                report::error(format_args!(
                    "unknown token `{name}` (not in {})",
                    cx.spec_display
                ));
                match suggest(name, all.iter().map(|d| d.name.as_ref())) {
                    Some(s) => report::help(format_args!("did you mean `{s}`?")),
                    None => report::help("`tokenspec load` lists the tokens of the spec"),
                }
            }
        }
    }
    if unknown {
        return exit::USAGE;
    }

    let res = resolve(&defs, &cx.load_options());
    let mut failed = !res.problems.is_empty();
    report::problems(&res.problems, true);
    for t in &res.tokens {
        let reported = res
            .problems
            .iter()
            .any(|p| report::problem_token(p) == Some(t.def.name.as_ref()));
        let name = t.def.name.to_string();
        let problem = match (t.state, &t.value, &t.source) {
            // The loader accepts placeholders in ci; validate never does.
            (State::Set, Some(v), Some(source))
                if is_placeholder(v.expose_secret(), &t.def.ci_value) =>
            {
                report::error(format_args!(
                    "{name} from {source} is a placeholder; validate requires a real value in every environment, ci included"
                ));
                failed = true;
                continue;
            }
            (State::Set, ..) | (State::Invalid | State::Unsafe, ..) => continue,
            _ if reported => continue,
            // Optional tokens are not reported missing by the loader; named ones must be set.
            (State::Missing, ..) => Problem::Missing {
                name,
                env: cx.env.clone(),
                looked_in: cx
                    .load_options()
                    .files(t.def.class)
                    .into_iter()
                    .rev()
                    .collect(),
            },
            (State::Placeholder, _, Some(source)) => Problem::Placeholder {
                name,
                env: cx.env.clone(),
                source: source.clone(),
            },
            (State::Placeholder, _, None) => continue,
        };
        report::error(&problem);
        failed = true;
    }
    report::warnings(&res);
    if !failed {
        return exit::OK;
    }
    if res.problems.iter().any(|p| matches!(p, Problem::Io { .. })) {
        exit::USAGE
    } else {
        exit::TOKENS
    }
}

/// The closest known name, when it is close enough to be a likely typo.
fn suggest<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let upper = name.to_ascii_uppercase();
    known
        .map(|k| (strsim::jaro_winkler(&upper, k), k))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::suggest;

    #[test]
    fn suggests_close_names_only() {
        let known = ["AAR_TOKEN", "CI_BOT_TOKEN", "BOT_JWT"];
        assert_eq!(suggest("AAR_TOKN", known.into_iter()), Some("AAR_TOKEN"));
        assert_eq!(
            suggest("ci_bot_token", known.into_iter()),
            Some("CI_BOT_TOKEN")
        );
        assert_eq!(suggest("SOMETHING_ELSE", known.into_iter()), None);
    }
}
