//! Token definitions as the loader sees them: plain data, no TOML.
//!
//! The proc-macro emits these as `static` items (borrowed `Cow`s) and the
//! command line tool builds them from a parsed spec (owned `Cow`s), so both
//! run exactly the same resolution code.

use std::borrow::Cow;
use std::fmt;

/// Which team owns a token and which files hold it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    /// CI/CD automation tokens, owned by DevOps, kept in `.tokens*`.
    Cicd,
    /// Application runtime tokens, owned by Development, kept in `.env*`.
    Runtime,
}

/// The environment whose files are committed, holding safe test values.
pub const CI_ENV: &str = "ci";

/// What the name of every temporary file tokenspec writes starts and ends
/// with (`.tokenspec-XXXXXX.tmp`), so that `.gitignore` and `check` know them.
pub const TEMP_PREFIX: &str = ".tokenspec-";
pub const TEMP_SUFFIX: &str = ".tmp";

impl Class {
    pub const ALL: [Class; 2] = [Class::Cicd, Class::Runtime];

    /// The spec spelling: `cicd` or `runtime`.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Cicd => "cicd",
            Class::Runtime => "runtime",
        }
    }

    /// The base file name at the root: `.tokens` or `.env`. With
    /// [`Class::ci_file`], the one place token file names are spelled.
    pub const fn base_file(self) -> &'static str {
        match self {
            Class::Cicd => ".tokens",
            Class::Runtime => ".env",
        }
    }

    /// The committed CI file, `env_file(CI_ENV)`: `.tokens.ci` or `.env.ci`
    /// (a test holds the two equal).
    pub const fn ci_file(self) -> &'static str {
        match self {
            Class::Cicd => ".tokens.ci",
            Class::Runtime => ".env.ci",
        }
    }

    /// The file for one environment, e.g. `.tokens.prod`.
    pub fn env_file(self, env: &str) -> String {
        format!("{}.{env}", self.base_file())
    }

    pub fn parse(s: &str) -> Option<Class> {
        match s {
            "cicd" => Some(Class::Cicd),
            "runtime" => Some(Class::Runtime),
            _ => None,
        }
    }

    /// The class whose files a file name belongs to (`.env.prod` → runtime).
    pub fn of_file(file_name: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| {
            let base = c.base_file();
            file_name == base
                || file_name
                    .strip_prefix(base)
                    .is_some_and(|rest| rest.starts_with('.') && rest.len() > 1)
        })
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a token must be set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Required {
    /// In every environment, and with no environment selected.
    Always,
    /// Never required; a missing token is fine.
    Never,
    /// Only in the named environments.
    In(Cow<'static, [Cow<'static, str>]>),
}

impl Required {
    /// Whether the token must be set when `env` is selected (`None` = base files only).
    pub fn applies(&self, env: Option<&str>) -> bool {
        match self {
            Required::Always => true,
            Required::Never => false,
            Required::In(envs) => env.is_some_and(|e| envs.iter().any(|x| x == e)),
        }
    }

    /// Whether the generated field is a plain `Secret` rather than `Option<Secret>`.
    pub fn is_always(&self) -> bool {
        matches!(self, Required::Always)
    }
}

/// A replaced token: still loaded, flagged where used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deprecation {
    pub replacement: Option<Cow<'static, str>>,
    pub note: Option<Cow<'static, str>>,
}

/// One token of the spec, as the loader needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenDef {
    pub name: Cow<'static, str>,
    pub class: Class,
    pub description: Cow<'static, str>,
    pub required: Required,
    pub format: crate::format::Format,
    /// The safe value committed in `.tokens.ci` / `.env.ci`.
    pub ci_value: Cow<'static, str>,
    pub deprecated: Option<Deprecation>,
    /// Other variable names the token may arrive under, read from the
    /// process environment after its own name, in order.
    pub aliases: Cow<'static, [Cow<'static, str>]>,
}

/// Whether `name` is a portable environment-variable name (`[A-Za-z_][A-Za-z0-9_]*`).
pub fn is_env_name(name: &str) -> bool {
    let b = name.as_bytes();
    b.first()
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_of_file() {
        assert_eq!(Class::of_file(".env"), Some(Class::Runtime));
        assert_eq!(Class::of_file(".env.prod"), Some(Class::Runtime));
        assert_eq!(Class::of_file(".tokens.ci"), Some(Class::Cicd));
        assert_eq!(Class::of_file(".envrc"), None);
        assert_eq!(Class::of_file(".env."), None);
        assert_eq!(Class::of_file(".tokensx"), None);
    }

    #[test]
    fn required_applies() {
        let r = Required::In(Cow::Borrowed(&[Cow::Borrowed("prod")]));
        assert!(r.applies(Some("prod")));
        assert!(!r.applies(Some("dev")));
        assert!(!r.applies(None));
        assert!(Required::Always.applies(None));
        assert!(!Required::Never.applies(Some("prod")));
    }

    #[test]
    fn env_names() {
        assert!(is_env_name("AAR_TOKEN"));
        assert!(is_env_name("_X1"));
        assert!(!is_env_name("1X"));
        assert!(!is_env_name("A-B"));
        assert!(!is_env_name(""));
        assert!(!is_env_name("A.B"));
    }
}

#[cfg(test)]
mod file_name_tests {
    use super::*;

    #[test]
    fn the_ci_file_is_the_ci_environment_file() {
        for class in Class::ALL {
            assert_eq!(class.ci_file(), class.env_file(CI_ENV));
        }
    }
}
