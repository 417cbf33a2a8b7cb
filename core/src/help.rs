//! The one shape of a library error, for every error type of the workspace.
//!
//! - `Display` is the message: lowercase, no trailing period, naming tokens,
//!   files and lines, never a value. It does not start with `error:` and
//!   holds no `help:` line: the caller decides how to show it (the command
//!   line prints `error: <message>`, rustc prints its own `error:` before a
//!   macro's, a service prints what it likes).
//! - [`Help::help`] is the fix, one line, when there is one. The command
//!   line prints it as `help: <fix>`.
//!
//! A report of several problems (`LoadError`) may list each with its fix.

/// The fix for an error or warning, shown on a `help:` line.
pub trait Help {
    /// How to fix it, as one lowercase line without `help:`; `None` when the
    /// message says all there is.
    fn help(&self) -> Option<String>;
}
