//! The command line's one error path.
//!
//! Every command returns [`Result<Outcome>`]; [`crate::main`] prints an
//! [`Error`] once, on stderr, and exits with its code (as ripgrep's
//! `try_main` and cargo's `CliResult` do). Warnings and notes a command
//! gives on its way are not errors: they go through [`crate::report`].
//! An error names tokens, files and lines, never a value.

use std::fmt::Display;
use std::io;

use tokenspec_core::load::Problem;
use tokenspec_core::Help;
use tokenspec_spec::Diagnostics;

use crate::report;

/// Process exit codes, the same for every command.
pub mod exit {
    /// Everything is fine.
    pub const OK: i32 = 0;
    /// Tokens missing or invalid, or a policy violation.
    pub const FAILED: i32 = 1;
    /// A usage, spec or I/O error.
    pub const ERROR: i32 = 2;
}

/// What a command that ran to its end reports.
#[must_use]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Ok,
    /// Exit 1: the command's own output (check's findings, a refusal it
    /// explained) already says what failed.
    Failed,
    /// The exit code of a program `run` waited for.
    Code(i32),
}

impl Outcome {
    pub fn code(self) -> i32 {
        match self {
            Outcome::Ok => exit::OK,
            Outcome::Failed => exit::FAILED,
            Outcome::Code(c) => c,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a command stopped: `error:` lines with their `help:` lines, and the
/// exit code.
#[derive(Debug)]
pub struct Error {
    code: i32,
    lines: Vec<Line>,
}

#[derive(Debug)]
enum Line {
    Error(String),
    Help(String),
}

impl Error {
    /// An error with its own exit code.
    pub fn new(code: i32, msg: impl Display) -> Error {
        Error {
            code,
            lines: vec![Line::Error(msg.to_string())],
        }
    }

    /// Exit 1: tokens missing or invalid, or a policy violation.
    pub fn failed(msg: impl Display) -> Error {
        Error::new(exit::FAILED, msg)
    }

    /// Exit 2: a usage, spec or I/O error.
    pub fn fatal(msg: impl Display) -> Error {
        Error::new(exit::ERROR, msg)
    }

    /// Exit 2: `cannot <what>: <reason>`.
    pub fn io(what: impl Display, e: &io::Error) -> Error {
        Error::fatal(format_args!(
            "cannot {what}: {}",
            tokenspec_repo::io_message(e)
        ))
    }

    /// A library error: its message on an `error:` line, then its fix (see
    /// [`tokenspec_core::help`] for the shape every library error has).
    pub fn with_help(code: i32, e: &(impl Display + Help)) -> Error {
        let error = Error::new(code, e);
        match e.help() {
            Some(help) => error.help(help),
            None => error,
        }
    }

    /// Exit 2: an invalid spec, one `error:` per diagnostic, each with its
    /// location, source line and caret.
    pub fn diagnostics(d: &Diagnostics) -> Error {
        Error {
            code: exit::ERROR,
            lines: d.items.iter().map(|i| Line::Error(d.render(i))).collect(),
        }
    }

    /// A failed write to stdout. A closed pipe (`| head`) is not worth a
    /// message, but still not a success.
    pub fn stdout(e: &io::Error) -> Error {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Error {
                code: exit::ERROR,
                lines: Vec::new(),
            }
        } else {
            Error::io("write to stdout", e)
        }
    }

    /// One `error:` line per problem, each with its `help:` line;
    /// exit 2 if a file could not be read, else 1.
    pub fn problems(problems: &[Problem]) -> Error {
        let io = problems.iter().any(Problem::is_io);
        Error {
            code: if io { exit::ERROR } else { exit::FAILED },
            lines: problems
                .iter()
                .flat_map(|p| {
                    std::iter::once(Line::Error(p.to_string())).chain(p.help().map(Line::Help))
                })
                .collect(),
        }
    }

    /// Another `error:` line.
    pub fn and(mut self, msg: impl Display) -> Error {
        self.lines.push(Line::Error(msg.to_string()));
        self
    }

    /// A `help:` line with the fix.
    pub fn help(mut self, msg: impl Display) -> Error {
        self.lines.push(Line::Help(msg.to_string()));
        self
    }

    /// The same lines with another exit code.
    pub fn with_code(mut self, code: i32) -> Error {
        self.code = code;
        self
    }

    pub fn code(&self) -> i32 {
        self.code
    }

    /// Prints every line on stderr.
    pub fn print(&self) {
        for line in &self.lines {
            match line {
                Line::Error(m) => report::error(m),
                Line::Help(m) => report::help(m),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_pick_the_exit_code() {
        let missing = Problem::Missing {
            name: "A".into(),
            env: None,
            looked_in: vec![],
        };
        let io = Problem::Io {
            file: ".env".into(),
            message: "denied".into(),
        };
        assert_eq!(
            Error::problems(std::slice::from_ref(&missing)).code(),
            exit::FAILED
        );
        assert_eq!(Error::problems(&[missing, io]).code(), exit::ERROR);
    }

    #[test]
    fn a_closed_pipe_is_silent_but_not_success() {
        let e = Error::stdout(&io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(e.lines.is_empty());
        assert_eq!(e.code(), exit::ERROR);
    }
}
