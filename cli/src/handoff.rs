//! What `export` and `run` hand on besides the tokens under their own
//! names: `--as NAME=SOURCE[,SOURCE…]` (a token, or the first set one of
//! several, under another name) and the settings (the non-token entries
//! of the class's files): by default, `--with-settings` making a setting's
//! problem an error, `--tokens-only` leaving them out.
//!
//! A SOURCE is a token of the selected `--type`, with its resolved value
//! (every layer, format and placeholder rule), or else a variable of the
//! process environment (an empty value is unset), such as `GITHUB_TOKEN`.
//! The first source with a real value wins; only when every set source is
//! a placeholder (the `ci` environment's test values) is the first of those
//! taken.

use std::str::FromStr;

use tokenspec_core::def::is_env_name;
use tokenspec_core::format::{looks_like_secret, ValueKind};
use tokenspec_core::{LoadOptions, Resolution, Secret, TokenDef};

use super::{report, store, Context, Error, TypeArg};
use crate::error::Result;

/// One `--as NAME=SOURCE[,SOURCE…]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    pub name: String,
    pub sources: Vec<String>,
}

impl FromStr for Rename {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (name, sources) = s.split_once('=').ok_or_else(|| {
            "expected NAME=SOURCE[,SOURCE…], e.g. ORCHESTRATION_KEY=DEV_ORCHESTRATION_BOT_KEY"
                .to_owned()
        })?;
        let sources: Vec<String> = sources.split(',').map(str::to_owned).collect();
        if std::iter::once(name)
            .chain(sources.iter().map(String::as_str))
            .any(|n| !is_env_name(n))
        {
            // Never echoed: `--as GH=ghp_…` is a value pasted for a name.
            return Err(
                "NAME and each SOURCE must be variable names ([A-Za-z_][A-Za-z0-9_]*); the part that is not one is not shown".to_owned(),
            );
        }
        Ok(Rename {
            name: name.to_owned(),
            sources,
        })
    }
}

/// One variable to hand on.
pub struct Output {
    pub name: String,
    pub value: Secret,
    /// Masked in GitHub logs: a token's value, or a setting whose name or
    /// value looks secret.
    pub secret: bool,
}

/// Whether, and how, settings follow the tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settings {
    /// The default: settings follow; one with a problem is left out with a warning.
    Default,
    /// `--with-settings`: settings follow; a problem is an error.
    Explicit,
    /// `--tokens-only`.
    Off,
}

impl Settings {
    pub fn of(with_settings: bool, tokens_only: bool) -> Settings {
        match (with_settings, tokens_only) {
            (_, true) => Settings::Off,
            (true, false) => Settings::Explicit,
            (false, false) => Settings::Default,
        }
    }
}

/// The settings' problems: an error with `--with-settings`; by default a
/// warning each (file:line), the setting left out, and the tokens go on.
pub fn settings_gate(res: &Resolution<'_>, settings: Settings) -> Result<()> {
    if res.setting_problems.is_empty() {
        return Ok(());
    }
    if settings == Settings::Explicit {
        return Err(Error::problems(&res.setting_problems));
    }
    report::problems_as_warnings(&res.setting_problems);
    report::note(format_args!(
        "left out the setting{} above; the tokens are not affected (--with-settings makes this an error)",
        if res.setting_problems.len() == 1 { "" } else { "s" }
    ));
    Ok(())
}

/// Whether a setting should be masked like a token: its name reads like a
/// secret's, or its value looks like one.
fn setting_looks_secret(name: &str, value: &str) -> bool {
    tokenspec_repo::init::is_secret_name(name) || looks_like_secret(value).is_some()
}

/// The definitions to resolve and the options for `export` and `run`: the `--as` usage
/// checked, the settings of the selected classes when asked for, and the
/// store's layers when it serves the environment.
pub fn load(
    cx: &Context,
    type_: TypeArg,
    renames: &[Rename],
    settings: Settings,
) -> Result<(Vec<TokenDef>, LoadOptions)> {
    check(cx, type_, renames)?;
    let mut opts = cx.load_options();
    if settings != Settings::Off {
        opts = opts.with_settings(
            type_.classes(),
            cx.spec().tokens.iter().map(|t| t.name.as_str()),
        );
    }
    let defs = cx.defs(type_);
    let opts = store::layered(cx, &defs, opts)?;
    Ok((defs, opts))
}

/// Usage errors of `--as`, found before any token is read: a source that is
/// a token of a class not selected, a name given twice or shadowing a token.
fn check(cx: &Context, type_: TypeArg, renames: &[Rename]) -> Result<()> {
    for (i, r) in renames.iter().enumerate() {
        if renames[..i].iter().any(|o| o.name == r.name) {
            return Err(Error::fatal(format_args!("--as {} is given twice", r.name)));
        }
        if let Some(t) = cx.spec().token(&r.name) {
            if type_.classes().contains(&t.class) {
                return Err(Error::fatal(format_args!(
                    "--as {}=… would replace the token {} of the same name",
                    r.name, r.name
                ))
                .help("choose another name for --as"));
            }
        }
        for s in &r.sources {
            if s.eq_ignore_ascii_case(tokenspec_repo::workflows::DEFAULT_TOKEN)
                && !default_token_allowed(&cx.spec().github)
            {
                return Err(Error::fatal(format_args!(
                    "--as {}: {s} is the repository's default token, which token-spec.toml forbids ([github] default_token = \"forbid\")",
                    r.name
                ))
                .help(format_args!(
                    "remove {s} from the sources of --as {}, or list this workflow in [github] default_token_workflows",
                    r.name
                )));
            }
            if let Some(t) = cx.spec().token(s) {
                if !type_.classes().contains(&t.class) {
                    return Err(Error::fatal(format_args!(
                        "--as {}: {s} is a {} token, not selected by --type",
                        r.name, t.class
                    ))
                    .help(format_args!("pass --type={} or --type=all", t.class)));
                }
            }
        }
    }
    Ok(())
}

/// Whether the spec's `[github]` policy lets this run use the default
/// token: allowed, or forbidden except in workflows this run is one of
/// (`GITHUB_WORKFLOW_REF`, `owner/repo/.github/workflows/NAME@ref`).
fn default_token_allowed(github: &tokenspec_spec::model::GithubSpec) -> bool {
    let workflow = std::env::var("GITHUB_WORKFLOW_REF").ok().and_then(|r| {
        let path = r.split('@').next()?.to_owned();
        let name = path.rsplit('/').next()?.to_owned();
        path.contains("/.github/workflows/").then_some(name)
    });
    match workflow {
        Some(name) => github.allows_default_token(&name),
        None => github.default_token == tokenspec_spec::model::DefaultToken::Allow,
    }
}

/// Tokens (spec order), then `--as` variables, then settings. An error
/// (exit 1) when an `--as` has no set source: fail closed.
pub fn outputs(
    res: &Resolution<'_>,
    renames: &[Rename],
    var: impl Fn(&str) -> Option<String>,
) -> Result<Vec<Output>> {
    let mut out: Vec<Output> = res
        .tokens
        .iter()
        .filter_map(|t| {
            Some(Output {
                name: t.def.name.to_string(),
                value: t.value.clone()?,
                secret: true,
            })
        })
        .collect();
    let mut failed: Option<Error> = None;
    for r in renames {
        // As in the loader, a placeholder (which counts as set in ci) never
        // shadows a real value of a later source.
        let values: Vec<(usize, Secret, bool)> = r
            .sources
            .iter()
            .enumerate()
            .filter_map(
                |(i, s)| match res.tokens.iter().find(|t| t.def.name == s.as_str()) {
                    Some(t) => {
                        let v = t.value.clone()?;
                        let real = ValueKind::of(v.expose_secret(), &t.def.ci_value, false, false)
                            .is_real();
                        Some((i, v, !real))
                    }
                    None => var(s).filter(|v| !v.is_empty()).map(|v| {
                        let real = ValueKind::of(&v, "", false, false).is_real();
                        (i, Secret::new(v), !real)
                    }),
                },
            )
            .collect();
        let chosen = values
            .iter()
            .find(|(_, _, placeholder)| !placeholder)
            .or(values.first());
        // A fallback is visible: say which source filled it when not the first.
        if let Some((i, _, placeholder)) = chosen.filter(|(i, _, _)| *i > 0) {
            let passed_over: Vec<&str> = r.sources[..*i].iter().map(String::as_str).collect();
            let why = if values.iter().any(|(j, _, _)| j < i) {
                "no real value"
            } else {
                "no value"
            };
            report::note(format_args!(
                "--as {} took {}{}: {} had {why}",
                r.name,
                r.sources[*i],
                if *placeholder { " (a placeholder)" } else { "" },
                passed_over.join(", ")
            ));
        }
        let value = chosen.map(|(_, v, _)| v.clone());
        match value {
            Some(value) => out.push(Output {
                name: r.name.clone(),
                value,
                secret: true,
            }),
            None => {
                // A source that looks like a secret (`--as GH=ghp_…`) is not echoed.
                let shown = |n: &str| {
                    if tokenspec_repo::is_shown_key(n) {
                        n.to_owned()
                    } else {
                        "(a name not shown: it looks like a secret)".to_owned()
                    }
                };
                let sources: Vec<String> = r.sources.iter().map(|s| shown(s)).collect();
                let msg = format!(
                    "--as {} has no value: none of {} is set",
                    shown(&r.name),
                    sources.join(", ")
                );
                failed = Some(match failed {
                    None => Error::failed(msg),
                    Some(e) => e.and(msg),
                });
            }
        }
    }
    if let Some(e) = failed {
        return Err(e.help("nothing was handed on; set one of the sources"));
    }
    for s in &res.settings {
        // An `--as` name wins over a setting of the same name.
        if !renames.iter().any(|r| r.name == s.name) {
            out.push(Output {
                name: s.name.clone(),
                value: s.value.clone(),
                secret: setting_looks_secret(&s.name, s.value.expose_secret()),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::Rename;

    #[test]
    fn rename_syntax() {
        assert_eq!(
            "K=A,B".parse::<Rename>(),
            Ok(Rename {
                name: "K".into(),
                sources: vec!["A".into(), "B".into()]
            })
        );
        for bad in ["K", "=A", "K=", "K=A,", "1K=A", "K=A-B"] {
            assert!(bad.parse::<Rename>().is_err(), "{bad}");
        }
    }
}
