//! The spec library: `token-spec.toml` parsed, validated with spanned
//! diagnostics, and turned into loader definitions. Shared by the
//! proc-macro, the xtask and the command line tool; the generated files are
//! rendered from its model by `tokenspec-repo` (`repo/src/render`), so a
//! service's build (tokenspec → macros → codegen → spec) compiles no
//! renderer.

pub mod diagnostic;
pub mod fields;
pub mod model;
pub mod parse;
pub mod repeats;
pub mod suggest;

use std::path::Path;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use model::{ClassInfo, Generate, Spec, Token, DEFAULT_TEMPLATES};

/// Reading a spec file failed.
#[derive(Debug)]
pub enum SpecError {
    Io { path: String, error: std::io::Error },
    Invalid(Diagnostics),
}

impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SpecError::Io { path, error } => write!(f, "cannot read {path}: {error}"),
            SpecError::Invalid(d) => d.fmt(f),
        }
    }
}

impl std::error::Error for SpecError {}

impl tokenspec_core::Help for SpecError {
    /// None: how to point at another spec is the caller's to say (the
    /// command line's `--spec`, the xtask's `--root`); diagnostics carry
    /// their own notes.
    fn help(&self) -> Option<String> {
        None
    }
}

impl Spec {
    /// Parses spec text; `file` is how the path appears in errors.
    pub fn parse(src: &str, file: &str) -> Result<Spec, Diagnostics> {
        parse::parse(src, file)
    }

    /// Reads and parses a spec file, shown in errors as `display`.
    pub fn load(path: &Path, display: &str) -> Result<Spec, SpecError> {
        let src = Spec::read_source(path, display)?;
        Spec::parse(&src, display).map_err(SpecError::Invalid)
    }

    /// Reads a spec file's text, shown in errors as `display`.
    pub fn read_source(path: &Path, display: &str) -> Result<String, SpecError> {
        // Bounded, regular files only: a FIFO or /proc file never hangs or
        // fills memory.
        match tokenspec_core::file::read_regular_text(path) {
            Ok(Some(text)) => Ok(text),
            Ok(None) => Err(SpecError::Io {
                path: display.to_owned(),
                error: std::io::Error::from(std::io::ErrorKind::NotFound),
            }),
            Err(error) => Err(SpecError::Io {
                path: display.to_owned(),
                error,
            }),
        }
    }
}
