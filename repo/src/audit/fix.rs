//! `tokenspec check --fix`: only the fixes that cannot lose anything.
//!
//! Secret files get mode 0600, `.gitignore` gets the managed block of
//! `tokenspec gen` (written last, where git's last-match rule lets it win),
//! and tokenspec's temporary files left by an interrupted write are
//! removed. No value is touched, nor any `.gitignore` line outside the
//! block; everything else is left for a person and shows up in the next audit.
//!
//! Committed files (`.env.ci`, `.tokens.ci`, templates) are never chmodded.
//! A mode is changed with `fchmod` on the file opened without following a
//! link: a token file that is a symbolic link is refused, so nothing outside
//! the root changes. The whole run holds the root's lock.

use std::io::ErrorKind;
use std::path::Path;

use crate::render::gitignore;

use super::{permissions, Audit, Input, Rule, Severity};
use crate::atomic::{self, Keep};
use crate::io_message;
use crate::lock::RootLock;

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
    let _lock = match RootLock::acquire(input.root) {
        Ok(lock) => lock,
        Err(e) => {
            outcome.errors.push(format!("{e}; nothing was fixed"));
            return outcome;
        }
    };
    for name in atomic::sweep(input.root) {
        outcome.fixed.push(Fixed {
            file: name,
            change: "removed (left by an interrupted write)".to_owned(),
        });
    }
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
        match write_block(input.root, &input.spec.templates) {
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

/// chmod 600 on the file itself: opened with `O_NOFOLLOW`, so a link (to
/// a file anywhere) fails instead of handing its target to `fchmod`.
fn set_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use rustix::fs::{fchmod, open, Mode, OFlags};
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let fd = open(path, flags, Mode::empty()).map_err(|e| {
            if e == rustix::io::Errno::LOOP {
                std::io::Error::other(
                    "it is a symbolic link, and tokenspec changes nothing through a link; chmod the file it points to yourself, or replace the link with the file",
                )
            } else {
                e.into()
            }
        })?;
        fchmod(&fd, Mode::from_raw_mode(0o600)).map_err(Into::into)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// Writes the managed block at the end of `.gitignore`; `None` when it already is.
fn write_block(root: &Path, templates: &[String]) -> std::io::Result<Option<String>> {
    let path = root.join(gitignore::PATH);
    let existing = match tokenspec_core::file::read_regular_text(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let new = gitignore::apply_block_for(existing.as_deref().unwrap_or(""), templates);
    if existing.as_deref() == Some(new.as_str()) {
        return Ok(None);
    }
    // Written beside the file and renamed over it: a crash leaves the old
    // file whole. It keeps its mode, owner and group; a new one is 0644,
    // an ordinary committed file.
    let keep = Keep::of(&path)?.unwrap_or(Keep::new_file(0o644));
    atomic::write(&path, new.as_bytes(), keep, true)?;
    Ok(Some(match existing {
        Some(_) => "managed block written at the end; other lines kept".to_owned(),
        None => "created with the managed block".to_owned(),
    }))
}
