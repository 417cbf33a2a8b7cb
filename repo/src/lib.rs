//! What `tokenspec` does to a repository's files, as a library: the policy
//! audit behind `check` ([`audit`]), the lossless move of tokens between
//! class files behind `migrate` ([`migrate`]), and rendering and writing the
//! generated files behind `gen` ([`render`], [`generate`]).
//!
//! Library code: it returns findings, plans and errors as data and prints
//! nothing; the command line (`tokenspec-cli`) renders them.

/// The shape of every library error (see `tokenspec_core::help`).
pub use tokenspec_core::Help;

pub mod atomic;
pub mod audit;
pub mod generate;
pub mod init;
pub mod lock;
pub mod migrate;
pub mod render;
pub mod workflows;

/// Whether a key may be printed: a valid variable name that does not look
/// like a secret. A value pasted as a line of its own (`ghp_…` or base64
/// with no `=`, or `=` inside it) parses as a key; such a key is shown only
/// by `file:line`.
pub fn is_shown_key(key: &str) -> bool {
    tokenspec_core::def::is_env_name(key)
        && tokenspec_core::format::looks_like_secret(key).is_none()
}

/// `key` when [`is_shown_key`], else a phrase that stands for it.
pub fn shown_key(key: &str) -> std::borrow::Cow<'_, str> {
    if is_shown_key(key) {
        key.into()
    } else {
        "a key not shown (it looks like a secret or is not a variable name)".into()
    }
}

/// A place in a file, shown as `file:line`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loc {
    pub file: String,
    pub line: usize,
}

impl std::fmt::Display for Loc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// An I/O error in the lowercase house style, without the `(os error N)` tail.
pub fn io_message(e: &std::io::Error) -> String {
    let text = e.to_string();
    let text = match text.find(" (os error") {
        Some(i) => &text[..i],
        None => &text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text.to_owned(),
    }
}
