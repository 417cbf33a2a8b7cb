//! Messages on stderr: `error: …`, `warning: …`, `help: …` lines.
//!
//! Everything a command says to a person goes through here, so stdout stays
//! for results only. Callers pass text that names tokens, files and lines,
//! never values.

use std::fmt::Display;
use std::io::Write;

use tokenspec_core::load::{Problem, Resolution};

use super::exit;

/// Prints `error: <msg>` (a multi-line message keeps its own `help:` lines).
pub fn error(msg: impl Display) {
    line("error", msg);
}

/// Prints `warning: <msg>`.
pub fn warning(msg: impl Display) {
    line("warning", msg);
}

/// Prints `help: <msg>`.
pub fn help(msg: impl Display) {
    line("help", msg);
}

/// Prints `note: <msg>`, for things done on the user's behalf (a created file).
pub fn note(msg: impl Display) {
    line("note", msg);
}

fn line(kind: &str, msg: impl Display) {
    // A closed stderr is not worth a panic.
    let _ = writeln!(std::io::stderr().lock(), "{kind}: {msg}");
}

/// Prints the resolution's warnings (permissions, deprecations).
pub fn warnings(res: &Resolution<'_>) {
    for w in &res.warnings {
        warning(w);
    }
}

/// Prints every problem as an `error:` line, or as a `warning:` when the
/// command goes on regardless (`export --partial`).
pub fn problems(problems: &[Problem], fatal: bool) {
    for p in problems {
        if fatal {
            error(p);
        } else {
            warning(p);
        }
    }
}

/// The exit code for a non-empty problem list: an unreadable file is an I/O
/// error (2); anything about token values is 1.
pub fn exit_code(problems: &[Problem]) -> i32 {
    if problems.iter().any(Problem::is_io) {
        exit::USAGE
    } else if problems.is_empty() {
        exit::OK
    } else {
        exit::TOKENS
    }
}

/// The token a problem is about, if it is about one.
pub fn problem_token(p: &Problem) -> Option<&str> {
    p.token()
}

/// Reports a failed write to stdout (e.g. a closed pipe) and gives its exit code.
pub fn write_failed(e: &std::io::Error) -> i32 {
    if e.kind() != std::io::ErrorKind::BrokenPipe {
        error(format_args!(
            "cannot write to stdout: {}",
            super::context::io_message(e)
        ));
    }
    exit::USAGE
}
