//! What `export` and `run` hand on besides the tokens under their own
//! names: `--as NAME=SOURCE[,SOURCE…]` (a token, or the first set one of
//! several, under another name) and `--with-settings` (the non-token
//! entries of the class's files).
//!
//! A SOURCE is a token of the selected `--type`, with its resolved value
//! (every layer, format and placeholder rule), or else a variable of the
//! process environment (an empty value is unset), such as `GITHUB_TOKEN`.
//! The first source with a real value wins; only when every set source is
//! a placeholder (the `ci` environment's test values) is the first of those
//! taken.

use std::str::FromStr;

use tokenspec_core::def::is_env_name;
use tokenspec_core::format::ValueKind;
use tokenspec_core::{LoadOptions, Resolution, Secret, TokenDef};

use super::{store, Context, Error, TypeArg};
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
        if let Some(bad) = std::iter::once(name)
            .chain(sources.iter().map(String::as_str))
            .find(|n| !is_env_name(n))
        {
            return Err(format!(
                "`{bad}` is not a variable name ([A-Za-z_][A-Za-z0-9_]*)"
            ));
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
    /// A token's value (masked in GitHub logs); settings are not.
    pub secret: bool,
}

/// The definitions to resolve and the options for `export` and `run`: the `--as` usage
/// checked, the settings of the selected classes when asked for, and the
/// store's layers when it serves the environment.
pub fn load(
    cx: &Context,
    type_: TypeArg,
    renames: &[Rename],
    with_settings: bool,
) -> Result<(Vec<TokenDef>, LoadOptions)> {
    check(cx, type_, renames)?;
    let mut opts = cx.load_options();
    if with_settings {
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
        let values: Vec<(Secret, bool)> = r
            .sources
            .iter()
            .filter_map(
                |s| match res.tokens.iter().find(|t| t.def.name == s.as_str()) {
                    Some(t) => {
                        let v = t.value.clone()?;
                        let real = ValueKind::of(v.expose_secret(), &t.def.ci_value, false, false)
                            .is_real();
                        Some((v, !real))
                    }
                    None => var(s).filter(|v| !v.is_empty()).map(|v| {
                        let real = ValueKind::of(&v, "", false, false).is_real();
                        (Secret::new(v), !real)
                    }),
                },
            )
            .collect();
        let value = values
            .iter()
            .find(|(_, placeholder)| !placeholder)
            .or(values.first())
            .map(|(v, _)| v.clone());
        match value {
            Some(value) => out.push(Output {
                name: r.name.clone(),
                value,
                secret: true,
            }),
            None => {
                let msg = format!(
                    "--as {} has no value: none of {} is set",
                    r.name,
                    r.sources.join(", ")
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
                secret: false,
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
