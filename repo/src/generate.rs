//! Writing, or checking, every file generated from the spec: the one
//! implementation behind `tokenspec gen` and `cargo xtask gen`.
//!
//! The expected contents come from `tokenspec_manifest::render::outputs`,
//! the same renderer `check`'s drift rule compares with.

use std::cell::RefCell;
use std::io::ErrorKind;
use std::path::Path;

use tokenspec_manifest::render::{self, Output};
use tokenspec_manifest::Spec;

use crate::io_message;

/// Whether to write the stale files or only report them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Write,
    Check,
}

/// What a run found, and in [`Mode::Write`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// Generated files that were missing or differed, in output order
    /// (written in [`Mode::Write`]).
    pub stale: Vec<&'static str>,
    /// How many generated files there are in all.
    pub total: usize,
}

impl Report {
    pub fn is_fresh(&self) -> bool {
        self.stale.is_empty()
    }
}

/// A file that could not be read or written; names the file, never its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Renders every output for `spec` and writes (or, in [`Mode::Check`],
/// only lists) those that differ from the files under `root`.
///
/// A file that exists but cannot be read stops the run before anything is
/// written: treating it as missing would overwrite its hand-kept lines.
pub fn run(root: &Path, spec: &Spec, mode: Mode) -> Result<Report, Error> {
    let read_error = RefCell::new(None);
    let outputs = render::outputs(spec, |path| read_existing(root, path, &read_error));
    if let Some(e) = read_error.into_inner() {
        return Err(e);
    }
    let stale: Vec<&Output> = outputs.iter().filter(|o| !is_fresh(root, o)).collect();
    if mode == Mode::Write {
        for o in &stale {
            write(root, o)?;
        }
    }
    Ok(Report {
        stale: stale.iter().map(|o| o.path).collect(),
        total: outputs.len(),
    })
}

fn read_existing(root: &Path, path: &str, error: &RefCell<Option<Error>>) -> Option<String> {
    match std::fs::read_to_string(root.join(path)) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == ErrorKind::NotFound => None,
        Err(e) => {
            error.borrow_mut().get_or_insert(Error {
                path: path.to_owned(),
                message: format!("cannot read it: {}", io_message(&e)),
            });
            None
        }
    }
}

fn is_fresh(root: &Path, o: &Output) -> bool {
    std::fs::read(root.join(o.path)).is_ok_and(|bytes| bytes == o.content.as_bytes())
}

fn write(root: &Path, o: &Output) -> Result<(), Error> {
    let path = root.join(o.path);
    let fail = |what: &str, e: std::io::Error| Error {
        path: o.path.to_owned(),
        message: format!("cannot {what}: {}", io_message(&e)),
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| fail("create its folder", e))?;
    }
    std::fs::write(&path, &o.content).map_err(|e| fail("write it", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "[[token]]\nname = \"A_TOKEN\"\nclass = \"cicd\"\ndescription = \"d\"\n";

    #[test]
    fn writes_then_is_fresh() {
        let dir = tempfile::tempdir().unwrap();
        let spec = Spec::parse(SPEC, "token-spec.toml").unwrap();
        let first = run(dir.path(), &spec, Mode::Check).unwrap();
        assert_eq!(first.stale.len(), first.total, "nothing exists yet");
        assert!(
            dir.path().read_dir().unwrap().next().is_none(),
            "check writes nothing"
        );
        let written = run(dir.path(), &spec, Mode::Write).unwrap();
        assert_eq!(written.stale, first.stale);
        assert!(run(dir.path(), &spec, Mode::Check).unwrap().is_fresh());
    }
}
