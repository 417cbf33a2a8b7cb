//! What a load tells: each token's outcome, the files read, and the
//! problems and warnings, which name tokens, files and lines, never values.

use std::fmt;

use crate::def::{Class, TokenDef};
use crate::env::UnknownEnv;
use crate::secret::Secret;
use crate::Help;

use super::options::layer_files;

/// Where a value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// The process environment, under this variable name (the token's own or an alias).
    Environment {
        var: String,
    },
    File {
        file: String,
        line: usize,
    },
    /// A store secret, as [`StoreLayer::label`] names it (never a value).
    Store {
        secret: String,
    },
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Environment { var } => write!(f, "${var}"),
            Source::File { file, line } => write!(f, "{file}:{line}"),
            Source::Store { secret } => f.write_str(secret),
        }
    }
}

/// The state of one token after resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Set,
    Missing,
    /// A placeholder that does not count as set here.
    Placeholder,
    /// Fails its format.
    Invalid,
    /// dotenv `$` substitution would change it, or it holds a NUL byte; not used.
    Unsafe,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Set => "set",
            State::Missing => "missing",
            State::Placeholder => "placeholder",
            State::Invalid => "invalid",
            State::Unsafe => "unsafe",
        }
    }
}

/// One token's outcome.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Resolved<'d> {
    pub def: &'d TokenDef,
    /// The value, when usable (set and valid, or a placeholder that counts in `ci`).
    pub value: Option<Secret>,
    pub source: Option<Source>,
    pub state: State,
    /// Whether the selected environment requires it.
    pub required: bool,
}

/// A non-token entry of the token files, see [`LoadOptions::with_settings`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Setting {
    pub name: String,
    /// Settings are not secrets, but a `DATABASE_URL` can hold a password:
    /// kept redacted like a token.
    pub value: Secret,
    pub source: Source,
}

/// A file consulted during resolution.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileStatus {
    pub class: Class,
    /// Name relative to the root, e.g. `.env.prod`.
    pub file: String,
    pub exists: bool,
    /// Unix mode bits, when the file exists.
    pub mode: Option<u32>,
}

/// Something worth telling the user that does not fail the load.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// A secret file readable by group or others.
    Permissions { file: String, mode: u32 },
    /// A deprecated token is set.
    Deprecated {
        name: String,
        replacement: Option<String>,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::Permissions { file, mode } => {
                write!(f, "{file} is readable by group or others (mode {mode:04o})")
            }
            Warning::Deprecated { name, .. } => write!(f, "{name} is deprecated"),
        }
    }
}

impl crate::Help for Warning {
    fn help(&self) -> Option<String> {
        match self {
            Warning::Permissions { file, .. } => Some(format!("chmod 600 {file}")),
            Warning::Deprecated { replacement, .. } => {
                replacement.as_ref().map(|r| format!("use {r} instead"))
            }
        }
    }
}

/// One reason a load failed. Names tokens, files and lines, never values.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    Missing {
        name: String,
        env: Option<String>,
        /// Every place looked in, highest precedence first, as shown to people
        /// (`the process environment`, `.tokens.prod`, …).
        looked_in: Vec<String>,
    },
    Invalid {
        name: String,
        format: String,
        source: Source,
    },
    /// A placeholder where it does not count as set (see the module docs).
    Placeholder {
        name: String,
        env: Option<String>,
        source: Source,
    },
    /// A `CHANGE_ME_*` value, which never counts as set.
    Unfilled {
        name: String,
        source: Source,
    },
    Unsafe {
        name: String,
        file: String,
        line: usize,
    },
    /// A value holding a NUL byte, which no environment variable can hold.
    Nul {
        name: String,
        file: String,
        line: usize,
    },
    NotUnicode {
        name: String,
    },
    Duplicate {
        name: String,
        file: String,
        first_line: usize,
        line: usize,
    },
    /// A settings entry whose name is not a variable name or looks like a
    /// secret: shown by its line only, never by its name.
    UnusableKey {
        file: String,
        line: usize,
    },
    Parse {
        file: String,
        line: usize,
        message: String,
    },
    Io {
        file: String,
        message: String,
    },
    /// The selected environment is not one of the spec's.
    UnknownEnvironment(UnknownEnv),
    /// The store could not be read (a service's `load()` with the `store`
    /// feature): the client's message naming the address, the secret and the
    /// reason, and its fix. Nothing was read from files instead.
    Store {
        message: String,
        help: String,
    },
}

impl Problem {
    /// The token (or setting) a problem is about, if it is about one.
    pub fn token(&self) -> Option<&str> {
        match self {
            Problem::Missing { name, .. }
            | Problem::Invalid { name, .. }
            | Problem::Placeholder { name, .. }
            | Problem::Unfilled { name, .. }
            | Problem::Unsafe { name, .. }
            | Problem::Nul { name, .. }
            | Problem::NotUnicode { name }
            | Problem::Duplicate { name, .. } => Some(name),
            Problem::UnusableKey { .. }
            | Problem::Parse { .. }
            | Problem::Io { .. }
            | Problem::UnknownEnvironment(_)
            | Problem::Store { .. } => None,
        }
    }

    /// Whether it is an I/O or usage error (exit 2) rather than a problem with values (exit 1).
    pub fn is_io(&self) -> bool {
        matches!(self, Problem::Io { .. } | Problem::UnknownEnvironment(_))
    }

    /// `def` is missing in `env`: it was looked for in the process
    /// environment (its name and aliases) and in its class's files.
    pub fn missing(def: &TokenDef, env: Option<&str>) -> Problem {
        Problem::missing_in(
            def,
            env,
            layer_files(def.class, env).into_iter().rev().collect(),
        )
    }

    /// As [`Problem::missing`], with the places below the process
    /// environment given, highest first.
    pub(super) fn missing_in(def: &TokenDef, env: Option<&str>, below: Vec<String>) -> Problem {
        let mut vars = vec![def.name.as_ref()];
        vars.extend(def.aliases.iter().map(|a| a.as_ref()));
        let process = if vars.len() == 1 {
            "the process environment".to_owned()
        } else {
            format!("the process environment ({})", vars.join(", "))
        };
        let mut looked_in = vec![process];
        looked_in.extend(below);
        Problem::Missing {
            name: def.name.to_string(),
            env: env.map(str::to_owned),
            looked_in,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let env_name = |e: &Option<String>| e.clone().unwrap_or_else(|| "none".to_owned());
        match self {
            Problem::Missing { name, env, looked_in } => {
                write!(f, "{name} is missing (environment: {})", env_name(env))?;
                if !looked_in.is_empty() {
                    write!(f, "; looked in {}", looked_in.join(", "))?;
                }
                Ok(())
            }
            Problem::Invalid { name, format, source } => {
                write!(f, "{name} from {source} does not match format {format}")
            }
            Problem::Placeholder { name, env, source } if env.as_deref() == Some("ci") => write!(
                f,
                "{name} from {source} is a placeholder; in the ci environment only the committed CI files and the spec's ci_value count as set"
            ),
            Problem::Placeholder { name, env, source } => write!(
                f,
                "{name} from {source} is a placeholder, which counts as unset outside the ci environment (environment: {})",
                env_name(env)
            ),
            Problem::Unfilled { name, source } => write!(
                f,
                "{name} from {source} is an unfilled CHANGE_ME_ placeholder, which never counts as set"
            ),
            Problem::Unsafe { name, file, line } => write!(
                f,
                "{file}:{line}: the value of {name} contains `$`, which dotenv substitution would change"
            ),
            Problem::Nul { name, file, line } => write!(
                f,
                "{file}:{line}: the value of {name} contains a NUL byte, which no environment variable can hold"
            ),
            Problem::NotUnicode { name } => {
                write!(f, "{name} in the process environment is not valid UTF-8")
            }
            Problem::Duplicate { name, file, first_line, line } => write!(
                f,
                "{file}:{line}: {name} is set twice in one file (first at line {first_line})"
            ),
            Problem::UnusableKey { file, line } => write!(
                f,
                "{file}:{line}: this entry's name is not a variable name or looks like a secret, so it cannot be exported"
            ),
            Problem::Parse { file, line, message } => write!(f, "{file}:{line}: {message}"),
            Problem::Io { file, message } => write!(f, "{file}: {message}"),
            Problem::UnknownEnvironment(e) => e.fmt(f),
            Problem::Store { message, .. } => f.write_str(message),
        }
    }
}

impl crate::Help for Problem {
    fn help(&self) -> Option<String> {
        Some(match self {
            Problem::Placeholder { name, env, .. } if env.as_deref() == Some("ci") => format!(
                "set {name} to a real value, or put its placeholder in the class's committed CI file"
            ),
            Problem::Unfilled { name, .. } => {
                format!("replace it with the real value, or set {name} in the environment")
            }
            Problem::Unsafe { name, .. } => format!("wrap the value in single quotes: {name}='…'"),
            Problem::Nul { .. } => "remove the NUL byte from the value".to_owned(),
            Problem::Duplicate { .. } => "keep one of the two lines".to_owned(),
            Problem::UnusableKey { .. } => {
                "a value pasted on a line of its own? remove the line, or rename the key".to_owned()
            }
            Problem::UnknownEnvironment(e) => return e.help(),
            Problem::Store { help, .. } => help.clone(),
            _ => return None,
        })
    }
}

/// Every problem found by one load. `Display` lists them all, one per line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    problems: Vec<Problem>,
}

impl LoadError {
    pub fn new(problems: Vec<Problem>) -> Self {
        LoadError { problems }
    }

    /// Every problem, in the order found.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    pub fn into_problems(self) -> Vec<Problem> {
        self.problems
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(f, "{n} token problem{}", if n == 1 { "" } else { "s" })?;
        for p in &self.problems {
            write!(f, "\n  - {p}")?;
            if let Some(help) = p.help() {
                write!(f, "\n    help: {help}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

impl crate::Help for LoadError {
    /// None: `Display` lists each problem with its own fix.
    fn help(&self) -> Option<String> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape `crate::help` documents: a message without `error:` or a
    /// `help:` line, and the fix apart.
    #[test]
    fn problems_and_warnings_are_one_line_messages_with_the_fix_apart() {
        let source = Source::File {
            file: ".env".into(),
            line: 3,
        };
        let problems = [
            Problem::Unfilled {
                name: "A".into(),
                source: source.clone(),
            },
            Problem::Placeholder {
                name: "A".into(),
                env: Some("ci".into()),
                source,
            },
            Problem::Unsafe {
                name: "A".into(),
                file: ".env".into(),
                line: 3,
            },
            Problem::Store {
                message: "cannot read x".into(),
                help: "start it".into(),
            },
        ];
        for p in &problems {
            let text = p.to_string();
            assert!(!text.contains('\n') && !text.starts_with("error"), "{text}");
            assert!(p.help().is_some_and(|h| !h.contains('\n')), "{p:?}");
        }
        let w = Warning::Permissions {
            file: ".env".into(),
            mode: 0o644,
        };
        assert_eq!(
            w.to_string(),
            ".env is readable by group or others (mode 0644)"
        );
        assert_eq!(w.help().as_deref(), Some("chmod 600 .env"));
        let e = LoadError::new(problems[..1].to_vec());
        assert_eq!(
            e.to_string(),
            "1 token problem\n  - A from .env:3 is an unfilled CHANGE_ME_ placeholder, which never counts as set\n    help: replace it with the real value, or set A in the environment"
        );
    }
}

/// The outcome of resolving a set of token definitions.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Resolution<'d> {
    pub tokens: Vec<Resolved<'d>>,
    /// The non-token entries, when asked for with [`LoadOptions::with_settings`]:
    /// per class (in the order given), the env file's entries over the base
    /// file's, the process environment over both, in file order.
    pub settings: Vec<Setting>,
    pub files: Vec<FileStatus>,
    pub problems: Vec<Problem>,
    pub warnings: Vec<Warning>,
    /// The environment it was resolved in.
    pub env: Option<String>,
}

impl<'d> Resolution<'d> {
    /// The usable value of `name`, if any.
    pub fn value(&self, name: &str) -> Option<&Secret> {
        self.tokens
            .iter()
            .find(|t| t.def.name == name)
            .and_then(|t| t.value.as_ref())
    }

    /// `Err` with every problem when there is any.
    pub fn into_result(self) -> Result<Self, LoadError> {
        if self.problems.is_empty() {
            Ok(self)
        } else {
            Err(LoadError::new(self.problems))
        }
    }

    /// The error for the tokens among `names` that have no value, each a
    /// [`Problem::Missing`] naming where it was looked for (a generated
    /// struct's `from_resolution` uses it for its always-required fields).
    pub fn missing(&self, names: &[&str]) -> LoadError {
        let problems = names
            .iter()
            .filter(|n| self.value(n).is_none())
            .map(|n| match self.tokens.iter().find(|t| t.def.name == *n) {
                Some(t) => Problem::missing(t.def, self.env.as_deref()),
                None => Problem::Missing {
                    name: (*n).to_owned(),
                    env: self.env.clone(),
                    looked_in: Vec::new(),
                },
            })
            .collect();
        LoadError::new(problems)
    }
}
