//! Messages on stderr: `error: …`, `warning: …`, `help: …` lines.
//!
//! Everything a command says to a person goes through here, so stdout stays
//! for results only. Callers pass text that names tokens, files and lines,
//! never values.

use std::fmt::Display;
use std::io::Write;

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

/// Prints a note with no prefix-worthy severity, e.g. "created .tokens".
pub fn note(msg: impl Display) {
    line("note", msg);
}

fn line(kind: &str, msg: impl Display) {
    // A closed stderr is not worth a panic.
    let _ = writeln!(std::io::stderr().lock(), "{kind}: {msg}");
}
