//! Where tokens are looked for: the root folder and the selected environment.
//!
//! The environment is `--env`, else `TOKENSPEC_ENV`, else the first of the
//! spec's `env_from` variables that is on, in the spec's order. `CI` on
//! (anything but empty, `0` or `false`) means `ci`; any other variable gives
//! its value, with `production` → `prod` and `development` → `dev`. The
//! default `env_from` is [`DEFAULT_ENV_FROM`].

use std::fmt;
use std::path::{Path, PathBuf};

/// The spec file whose folder is the root.
pub const SPEC_FILE: &str = "token-spec.toml";

/// The variable that names the environment for tokenspec alone, after `--env`.
pub const TOKENSPEC_ENV: &str = "TOKENSPEC_ENV";

/// The variables read when the spec lists none: `APP_ENV`, then `CI`.
///
/// `APP_ENV` first because it is the project's own, deliberate statement of
/// where it runs, while every CI runner sets `CI` for every job: with `CI`
/// first, a deploy job on a runner (`APP_ENV=production`) would read the
/// committed CI files, whose placeholders count as set in `ci`, instead of
/// failing closed on missing production secrets. A spec whose CI jobs set
/// `APP_ENV=development` but expect the CI files writes `env_from = ["CI", "APP_ENV"]`.
pub const DEFAULT_ENV_FROM: &[&str] = &["APP_ENV", "CI"];

/// The first folder from `start` upwards that holds `token-spec.toml`.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(SPEC_FILE).is_file())
        .map(Path::to_path_buf)
}

/// Why an environment was chosen, for `info` and error messages.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvOrigin {
    /// `--env NAME` (or an explicit argument in code).
    Flag,
    /// `TOKENSPEC_ENV`.
    TokenspecEnv,
    /// One of the spec's `env_from` variables, by name (`CI`, `APP_ENV`, …).
    Variable(String),
    /// Nothing selected: base files only.
    None,
}

impl EnvOrigin {
    /// `--env`, `TOKENSPEC_ENV`, the variable's name, or `none`.
    pub fn as_str(&self) -> &str {
        match self {
            EnvOrigin::Flag => "--env",
            EnvOrigin::TokenspecEnv => TOKENSPEC_ENV,
            EnvOrigin::Variable(name) => name,
            EnvOrigin::None => "none",
        }
    }
}

impl fmt::Display for EnvOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Maps the long spellings teams use in `APP_ENV` to the file suffixes.
pub fn normalize_env(name: &str) -> String {
    match name.trim() {
        "production" => "prod".to_owned(),
        "development" => "dev".to_owned(),
        other => other.to_owned(),
    }
}

/// Whether a variable is "off": unset, empty, `0` or `false` (any case).
pub fn is_off(value: Option<&str>) -> bool {
    value.is_none_or(|v| {
        let v = v.trim();
        v.is_empty() || v == "0" || v.eq_ignore_ascii_case("false")
    })
}

/// Whether a `CI` variable means "running in CI": anything but empty, `0` or `false`.
pub fn ci_is_on(value: Option<&str>) -> bool {
    !is_off(value)
}

/// Selects the environment: `flag`, else `TOKENSPEC_ENV`, else the first of
/// `env_from` that is on (see the module docs). `var` reads a variable.
pub fn select(
    flag: Option<&str>,
    env_from: &[&str],
    var: impl Fn(&str) -> Option<String>,
) -> (Option<String>, EnvOrigin) {
    if let Some(f) = flag.map(str::trim).filter(|f| !f.is_empty()) {
        return (Some(normalize_env(f)), EnvOrigin::Flag);
    }
    let on = |name: &str| var(name).filter(|v| !is_off(Some(v)));
    if let Some(v) = on(TOKENSPEC_ENV) {
        return (Some(normalize_env(&v)), EnvOrigin::TokenspecEnv);
    }
    for &name in env_from {
        if let Some(v) = on(name) {
            let env = if name == "CI" {
                "ci".to_owned()
            } else {
                normalize_env(&v)
            };
            return (Some(env), EnvOrigin::Variable(name.to_owned()));
        }
    }
    (None, EnvOrigin::None)
}

/// [`select`] reading the real process environment (a non-UTF-8 value counts as unset).
pub fn select_from_process(flag: Option<&str>, env_from: &[&str]) -> (Option<String>, EnvOrigin) {
    select(flag, env_from, |name| std::env::var(name).ok())
}

/// Whether `name` can be used as a file suffix (`.env.<name>`): no path
/// separators, no dot-only names, nothing a shell or filesystem would mangle.
pub fn is_valid_env_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// An environment chosen by [`select`] that the spec does not define.
///
/// Always an error, whatever chose it: `APP_ENV=stagin` must not quietly
/// read `.env.stagin` (missing, so only base files) and pass in CI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownEnv {
    pub name: String,
    pub origin: EnvOrigin,
    /// Whether the name could not even be a file suffix (`../x`).
    pub invalid: bool,
    /// The spec's closest environment, when it is a likely typo.
    pub suggestion: Option<String>,
    /// Every environment of the spec.
    pub known: Vec<String>,
}

impl fmt::Display for UnknownEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = if self.invalid {
            "is not a valid environment name"
        } else {
            "is not defined in the spec"
        };
        write!(
            f,
            "environment `{}` (from {}) {why}",
            self.name, self.origin
        )
    }
}

impl crate::Help for UnknownEnv {
    fn help(&self) -> Option<String> {
        let known = self.known.join(", ");
        Some(match &self.suggestion {
            Some(s) => format!("did you mean `{s}`? otherwise use one of: {known}; or add it to `environments` in the spec"),
            None => format!("use one of: {known}; or add it to `environments` in the spec"),
        })
    }
}

/// `Err` when `name` is not one of `known`, with a "did you mean" when close.
pub fn check_known(name: &str, origin: &EnvOrigin, known: &[&str]) -> Result<(), UnknownEnv> {
    let invalid = !is_valid_env_name(name);
    if !invalid && known.contains(&name) {
        return Ok(());
    }
    // The one did-you-mean rule, but never a suggestion that shares nothing
    // with what was typed (`qa` is not a typo of `ci`).
    let suggestion = crate::suggest::did_you_mean(name, known.iter().copied())
        .filter(|s| crate::suggest::nearest(name, [*s]).is_some_and(|(_, d)| d < name.len()));
    Err(UnknownEnv {
        name: name.to_owned(),
        origin: origin.clone(),
        invalid,
        suggestion: suggestion.filter(|_| !invalid).map(str::to_owned),
        known: known.iter().map(|k| (*k).to_owned()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(flag: Option<&str>, from: &[&str], vars: &[(&str, &str)]) -> (Option<String>, String) {
        let (env, origin) = select(flag, from, |n| {
            vars.iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.to_string())
        });
        (env, origin.as_str().to_owned())
    }

    fn some(e: &str, o: &str) -> (Option<String>, String) {
        (Some(e.to_owned()), o.to_owned())
    }

    #[test]
    fn default_order_is_app_env_then_ci() {
        let d = DEFAULT_ENV_FROM;
        assert_eq!(
            pick(None, d, &[("APP_ENV", "development"), ("CI", "1")]),
            some("dev", "APP_ENV")
        );
        assert_eq!(
            pick(None, d, &[("APP_ENV", ""), ("CI", "true")]),
            some("ci", "CI")
        );
        assert_eq!(
            pick(None, d, &[("APP_ENV", "production")]),
            some("prod", "APP_ENV")
        );
        assert_eq!(pick(Some(""), d, &[]), (None, "none".to_owned()));
    }

    #[test]
    fn spec_order_decides_and_ci_first_wins_over_app_env() {
        let from = ["CI", "APP_ENV"];
        assert_eq!(
            pick(None, &from, &[("APP_ENV", "development"), ("CI", "true")]),
            some("ci", "CI")
        );
        assert_eq!(
            pick(None, &from, &[("APP_ENV", "development"), ("CI", "false")]),
            some("dev", "APP_ENV")
        );
        assert_eq!(
            pick(None, &[], &[("CI", "true")]),
            (None, "none".to_owned())
        );
    }

    #[test]
    fn flag_then_tokenspec_env_then_variables() {
        let vars = [("TOKENSPEC_ENV", "production"), ("CI", "true")];
        assert_eq!(pick(Some("dev"), &["CI"], &vars), some("dev", "--env"));
        assert_eq!(pick(None, &["CI"], &vars), some("prod", "TOKENSPEC_ENV"));
        assert_eq!(
            pick(None, &["CI"], &[("TOKENSPEC_ENV", "0"), ("CI", "1")]),
            some("ci", "CI")
        );
    }

    #[test]
    fn off_values_fall_through_for_every_variable() {
        for off in ["", "0", "false", "FALSE", " false "] {
            assert_eq!(
                pick(None, &["APP_ENV", "CI"], &[("APP_ENV", off), ("CI", off)]),
                (None, "none".to_owned()),
                "{off:?}"
            );
        }
    }

    #[test]
    fn ci_flag_values() {
        for off in [None, Some(""), Some("0"), Some("false"), Some("FALSE")] {
            assert!(!ci_is_on(off), "{off:?}");
        }
        for on in [Some("1"), Some("true"), Some("yes")] {
            assert!(ci_is_on(on), "{on:?}");
        }
    }

    #[test]
    fn unknown_environments_are_refused_with_a_suggestion() {
        let known = ["dev", "staging", "prod", "ci"];
        let origin = EnvOrigin::Variable("APP_ENV".into());
        assert!(check_known("staging", &origin, &known).is_ok());
        let e = check_known("stagin", &origin, &known).unwrap_err();
        assert_eq!(e.suggestion.as_deref(), Some("staging"));
        assert_eq!(
            e.to_string(),
            "environment `stagin` (from APP_ENV) is not defined in the spec"
        );
        assert_eq!(
            crate::Help::help(&e).unwrap(),
            "did you mean `staging`? otherwise use one of: dev, staging, prod, ci; or add it to `environments` in the spec"
        );
        let e = check_known("../x", &EnvOrigin::Flag, &known).unwrap_err();
        assert!(e.invalid && e.suggestion.is_none());
        assert_eq!(
            check_known("qa", &origin, &known).unwrap_err().suggestion,
            None
        );
    }

    #[test]
    fn root_is_nearest_spec_folder() {
        let dir = std::env::temp_dir().join(format!("tokenspec-root-{}", std::process::id()));
        let deep = dir.join("a/b");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(dir.join(SPEC_FILE), "").unwrap();
        assert_eq!(find_root(&deep).as_deref(), Some(dir.as_path()));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
