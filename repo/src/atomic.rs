//! Replacing a file in the repository atomically, as its owner left it.
//!
//! The new text goes to a temporary file `.tokenspec-XXXXXX.tmp` in the
//! same folder (mode 0600 from the start, so no secret is readable even for
//! a moment), which takes the original's mode, owner and group before it is
//! fsynced and renamed over the original. A run as root therefore never
//! takes a file from its owner; when the owner cannot be kept, nothing is
//! written. A crash leaves either the old file whole or the new one, plus
//! at worst a temporary file, which the next write removes ([`sweep`]) and
//! `check` reports.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

pub use tokenspec_core::def::{TEMP_PREFIX, TEMP_SUFFIX};

/// Prefix of the temporary file of `load`'s new base file. `load` takes no
/// lock (it is on every pipeline's hot path), so [`sweep`] leaves such a
/// file alone while it may still be in use ([`NEW_FILE_GRACE`]).
pub const NEW_FILE_PREFIX: &str = ".tokenspec-new-";

/// How old a `load` temporary file must be before [`sweep`] removes it.
pub const NEW_FILE_GRACE: std::time::Duration = std::time::Duration::from_secs(60);

/// Whether `name` is one of tokenspec's temporary files.
pub fn is_temp_name(name: &str) -> bool {
    name.len() > TEMP_PREFIX.len() + TEMP_SUFFIX.len()
        && name.starts_with(TEMP_PREFIX)
        && name.ends_with(TEMP_SUFFIX)
}

/// The mode, owner and group a replaced file keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keep {
    pub mode: u32,
    pub owner: Option<(u32, u32)>,
}

impl Keep {
    /// A new file: `mode`, owned by whoever runs tokenspec.
    pub fn new_file(mode: u32) -> Keep {
        Keep { mode, owner: None }
    }

    /// What `path` has now (`None` when it does not exist); for a link,
    /// what the file it points to has, since the link itself has no mode.
    pub fn of(path: &Path) -> io::Result<Option<Keep>> {
        match fs::metadata(path) {
            Ok(m) => Ok(Some(Keep::from_metadata(&m))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn from_metadata(m: &fs::Metadata) -> Keep {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Keep {
                mode: m.mode() & 0o7777,
                owner: Some((m.uid(), m.gid())),
            }
        }
        #[cfg(not(unix))]
        {
            let _ = m;
            Keep::new_file(0o600)
        }
    }
}

/// Writes `bytes` to `path` through a temporary file renamed over it.
/// `keep` gives the final mode and owner; `clobber` false refuses to
/// replace a file created meanwhile.
pub fn write(path: &Path, bytes: &[u8], keep: Keep, clobber: bool) -> io::Result<()> {
    let dir = folder_of(path);
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(&dir)?;
    tmp.write_all(bytes)?;
    set_owner(tmp.as_file(), keep)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // After fchown, which may clear set-id bits.
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(keep.mode))?;
    }
    tmp.as_file().sync_all()?;
    if clobber {
        tmp.persist(path).map_err(|e| e.error)?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| e.error)?;
    }
    sync_dir(&dir)
}

/// Writes `rel` under `root` like [`write`], after
/// [`tokenspec_core::file::in_root`] has checked that every component of
/// it, the folders on the way included, stays inside the root; missing
/// folders are created (and checked again once they exist). An existing
/// file keeps its mode, owner and group; a new one gets `new_mode`.
/// Every write of a repository file goes through here.
pub fn write_in_root(root: &Path, rel: &str, bytes: &[u8], new_mode: u32) -> io::Result<()> {
    let path = tokenspec_core::file::in_root(root, Path::new(rel))?;
    if let Some(dir) = Path::new(rel)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        fs::create_dir_all(root.join(dir))?;
        tokenspec_core::file::in_root(root, Path::new(rel))?;
    }
    let keep = Keep::of(&path)?.unwrap_or(Keep::new_file(new_mode));
    write(&path, bytes, keep, true)
}

/// Gives the temporary file the original's owner and group, or refuses.
fn set_owner(file: &File, keep: Keep) -> io::Result<()> {
    #[cfg(unix)]
    if let Some((uid, gid)) = keep.owner {
        use std::os::unix::fs::MetadataExt;
        let m = file.metadata()?;
        if (m.uid(), m.gid()) != (uid, gid) {
            std::os::unix::fs::fchown(file, Some(uid), Some(gid)).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "cannot keep its owner {uid}:{gid} ({}); run tokenspec as that user",
                        crate::io_message(&e)
                    ),
                )
            })?;
        }
    }
    #[cfg(not(unix))]
    let _ = (file, keep);
    Ok(())
}

/// The folder holding `path` (`.` for a bare name).
pub fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Makes a rename or a new entry in `dir` durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Removes tokenspec's temporary files left in `root` and in `folders`
/// (relative to it: the folders `gen` writes in, see
/// [`crate::generate::folders`]) by an interrupted write, and returns their
/// paths. Call it holding the [`RootLock`]: every writer holds it, so no
/// temporary file there belongs to a running write. Only regular files and
/// links are removed, never what a link points to.
///
/// [`RootLock`]: crate::lock::RootLock
pub fn sweep(root: &Path, folders: &[String]) -> Vec<String> {
    let mut removed = Vec::new();
    for name in stale_temp_files(root, folders) {
        let path = root.join(&name);
        if name.starts_with(NEW_FILE_PREFIX) && !is_older_than(&path, NEW_FILE_GRACE) {
            continue;
        }
        if fs::remove_file(&path).is_ok() {
            removed.push(name);
        }
    }
    removed
}

fn is_older_than(path: &Path, age: std::time::Duration) -> bool {
    fs::symlink_metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|e| e >= age)
}

/// tokenspec's temporary files directly in `root` and in each of `folders`
/// (relative paths; a folder that is missing or leads out of the root is
/// skipped), as paths relative to the root, sorted.
pub fn stale_temp_files(root: &Path, folders: &[String]) -> Vec<String> {
    let mut names = Vec::new();
    let top = String::new();
    for folder in std::iter::once(&top).chain(folders) {
        let Ok(dir) = tokenspec_core::file::in_root(root, Path::new(folder)) else {
            continue;
        };
        let Ok(entries) = fs::read_dir(dir) else {
            continue;
        };
        names.extend(
            entries
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| is_temp_name(n))
                .map(|n| {
                    if folder.is_empty() {
                        n
                    } else {
                        format!("{folder}/{n}")
                    }
                }),
        );
    }
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names() {
        assert!(is_temp_name(".tokenspec-a1B2c3.tmp"));
        assert!(!is_temp_name(".tokenspec-.tmp"));
        assert!(!is_temp_name(".tokenspec-backup"));
    }

    #[test]
    fn write_keeps_mode_and_sweep_removes_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(".env");
        fs::write(&p, "A=1\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
        }
        let keep = Keep::of(&p).unwrap().unwrap();
        write(&p, b"B=2\n", keep, true).unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "B=2\n");
        assert_eq!(Keep::of(&p).unwrap(), Some(keep));
        fs::write(dir.path().join(".tokenspec-abc123.tmp"), "A=1\n").unwrap();
        assert_eq!(stale_temp_files(dir.path(), &[]), [".tokenspec-abc123.tmp"]);
        assert_eq!(sweep(dir.path(), &[]), [".tokenspec-abc123.tmp"]);
        assert!(stale_temp_files(dir.path(), &[]).is_empty());
        // `load`'s own, just made: it may still be in use.
        fs::write(dir.path().join(".tokenspec-new-x1.tmp"), "A=1\n").unwrap();
        assert!(sweep(dir.path(), &[]).is_empty());
        assert_eq!(stale_temp_files(dir.path(), &[]), [".tokenspec-new-x1.tmp"]);
    }
}
