//! `tokenspec check --fix`: only the fixes that cannot lose anything.
//!
//! Secret files get mode 0600, and `.gitignore` gets the managed block of
//! `cargo xtask gen` (written last, where git's last-match rule lets it
//! win). No value is touched, nor any `.gitignore` line outside the block;
//! everything else is left for a person and shows up in the next audit.

use std::io::{ErrorKind, Write};
use std::path::Path;

use tokenspec_manifest::render::{self, gitignore};

use super::{permissions, Audit, Input, Rule, Severity};
use crate::io_message;

/// One change made on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fixed {
    /// Relative to the root.
    pub file: String,
    /// What changed, e.g. `mode 0644 -> 0600`.
    pub change: String,
}

/// What [`apply`] did.
#[derive(Debug, Default)]
pub struct Outcome {
    pub fixed: Vec<Fixed>,
    /// Fixes that failed (I/O).
    pub errors: Vec<String>,
}

/// Applies the safe fixes for the findings of `audit`.
pub fn apply(input: &Input<'_>, audit: &Audit) -> Outcome {
    let mut outcome = Outcome::default();
    for file in &audit.files {
        let Some(mode) = permissions::too_open(file) else {
            continue;
        };
        match set_private(&input.root.join(&file.name)) {
            Ok(()) => outcome.fixed.push(Fixed {
                file: file.name.clone(),
                change: format!("mode {mode:04o} -> 0600"),
            }),
            Err(e) => outcome.errors.push(format!(
                "cannot chmod 600 {}: {}",
                file.name,
                io_message(&e)
            )),
        }
    }

    let ignore_broken = audit.findings.iter().any(|f| {
        (f.rule == Rule::IgnoreRules && f.severity == Severity::Error)
            || (f.rule == Rule::Drift && f.file.as_deref() == Some(gitignore::PATH))
    });
    if ignore_broken {
        match write_block(input.root) {
            Ok(Some(change)) => outcome.fixed.push(Fixed {
                file: gitignore::PATH.to_owned(),
                change,
            }),
            Ok(None) => {}
            Err(e) => outcome.errors.push(format!(
                "cannot update {}: {}",
                gitignore::PATH,
                io_message(&e)
            )),
        }
    }
    outcome
}

fn set_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// Writes the managed block at the end of `.gitignore`; `None` when it already is.
fn write_block(root: &Path) -> std::io::Result<Option<String>> {
    let path = root.join(gitignore::PATH);
    let (existing, perms) = match std::fs::read_to_string(&path) {
        Ok(text) => (Some(text), Some(std::fs::metadata(&path)?.permissions())),
        Err(e) if e.kind() == ErrorKind::NotFound => (None, None),
        Err(e) => return Err(e),
    };
    let new = render::apply_block(existing.as_deref().unwrap_or(""));
    if existing.as_deref() == Some(new.as_str()) {
        return Ok(None);
    }
    // Written beside the file and renamed over it: a crash leaves the old file whole.
    let mut tmp = tempfile::NamedTempFile::new_in(root)?;
    tmp.write_all(new.as_bytes())?;
    tmp.as_file().sync_all()?;
    match perms {
        Some(p) => std::fs::set_permissions(tmp.path(), p)?,
        None => set_public(tmp.path())?,
    }
    tmp.persist(&path).map_err(|e| e.error)?;
    Ok(Some(match existing {
        Some(_) => "managed block written at the end; other lines kept".to_owned(),
        None => "created with the managed block".to_owned(),
    }))
}

/// A new `.gitignore` is an ordinary committed file: 0644, not the temp file's 0600.
fn set_public(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}
