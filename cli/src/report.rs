//! Messages on stderr: `error: …`, `warning: …`, `help: …` lines.
//!
//! Everything a command says to a person goes through here, so stdout stays
//! for results only. Callers pass text that names tokens, files and lines,
//! never values.

use std::fmt::Display;
use std::io::Write;

use tokenspec_core::load::{Problem, Resolution};
use tokenspec_core::Help;

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
    // A closed or full stderr costs the message, never the run: the work a
    // command has done (a finished migrate) must not look failed.
    let _ = writeln!(std::io::stderr().lock(), "{kind}: {msg}");
}

/// Prints the resolution's warnings (permissions, deprecations).
pub fn warnings(res: &Resolution<'_>) {
    for w in &res.warnings {
        warning(w);
        if let Some(h) = w.help() {
            help(h);
        }
    }
}

/// Prints every problem as a `warning:` line, for a command that goes on
/// regardless (`export --partial`).
pub fn problems_as_warnings(problems: &[Problem]) {
    for p in problems {
        warning(p);
        if let Some(h) = p.help() {
            help(h);
        }
    }
}

/// The token a problem is about, if it is about one.
pub fn problem_token(p: &Problem) -> Option<&str> {
    p.token()
}

/// Prints a command's plain progress lines (`moved …`) as they are.
pub fn plain(text: impl Display) {
    // A closed or full stderr costs the message, never the run.
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}
