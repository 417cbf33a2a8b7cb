//! Backups and atomic replacement of token files.
//!
//! A backup lives in `<root>/.tokenspec-backup/<UTC timestamp>/`: folders
//! 0700, files 0600 (they hold secrets), and the top folder carries a
//! `.gitignore` of `*`, so git ignores it without touching the project's
//! ignore rules. The backup folder must be a real folder (not a link) owned
//! by the user running tokenspec and writable by no one else; otherwise
//! nothing is written. A file is replaced through [`crate::atomic`]: a
//! temporary file with the original's mode, owner and group, renamed over it.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The folder at the root that holds every backup.
pub const BACKUP_DIR: &str = ".tokenspec-backup";

/// Copies each `(name, original text)` into a new timestamped backup folder
/// and returns that folder. Everything is on disk (fsynced) when it returns.
pub fn backup(root: &Path, files: &[(&str, &str)]) -> io::Result<PathBuf> {
    let top = root.join(BACKUP_DIR);
    match private_dir(&top) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        other => other?,
    }
    check_backup_dir(&top)?;
    let ignore = top.join(".gitignore");
    if !ignore.exists() {
        write_new(
            &ignore,
            b"# written by tokenspec migrate: backups hold secrets\n*\n",
            0o644,
        )?;
    }
    let stamp = timestamp(SystemTime::now());
    let mut dir = top.join(&stamp);
    let mut n = 1;
    loop {
        match private_dir(&dir) {
            Ok(()) => break,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => {
                n += 1;
                dir = top.join(format!("{stamp}-{n}"));
            }
            Err(e) => return Err(e),
        }
    }
    for (name, text) in files {
        write_new(&dir.join(name), text.as_bytes(), 0o600)?;
    }
    sync_dir(&dir)?;
    sync_dir(&top)?;
    sync_dir(root)?;
    Ok(dir)
}

/// The backup folder holds secrets: a link (perhaps to a world-writable
/// folder elsewhere), a folder someone else owns, or one others may write
/// to is refused before anything is written into it.
fn check_backup_dir(top: &Path) -> io::Result<()> {
    let m = fs::symlink_metadata(top)?;
    let refuse = |why: &str| {
        Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("{BACKUP_DIR} {why}; remove it, or make it a folder of yours with mode 0700"),
        ))
    };
    if m.file_type().is_symlink() {
        return refuse("is a symbolic link, and backups never leave the root");
    }
    if !m.is_dir() {
        return refuse("is not a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if m.uid() != rustix::process::geteuid().as_raw() {
            return refuse("belongs to another user");
        }
        if m.mode() & 0o022 != 0 {
            return refuse("is writable by group or others");
        }
    }
    Ok(())
}

/// Replaces `path` with `text` atomically, but only if the file still holds
/// `expected` (`None`: it must not exist), so a concurrent edit is never lost.
/// An existing file keeps its mode, owner and group; a new one gets 0600.
/// A symbolic link is followed, so the link stays a link, but only to a file
/// in the same folder: nothing outside the root is written.
pub fn replace(path: &Path, text: &str, expected: Option<&str>) -> io::Result<()> {
    let target = match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            let target = fs::canonicalize(path)?;
            let dir = fs::canonicalize(crate::atomic::folder_of(path))?;
            if target.parent() != Some(dir.as_path()) {
                return Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    "it is a symbolic link to a file outside the root; replace the link with the file",
                ));
            }
            target
        }
        _ => path.to_path_buf(),
    };
    let current = tokenspec_core::file::read_regular_text(&target)?;
    if current.as_deref() != expected {
        return Err(io::Error::other("it changed on disk while migrate ran"));
    }
    let keep = match current {
        Some(_) => crate::atomic::Keep::of(&target)?,
        None => None,
    };
    let clobber = keep.is_some();
    let keep = keep.unwrap_or(crate::atomic::Keep::new_file(0o600));
    crate::atomic::write(&target, text.as_bytes(), keep, clobber)
}

/// Creates a folder with mode 0700.
fn private_dir(path: &Path) -> io::Result<()> {
    let mut b = fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(path)
}

/// Writes a file that must not exist yet, with `mode`, and fsyncs it.
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let mut o = fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut f = o.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

use crate::atomic::sync_dir;

/// `YYYYMMDDTHHMMSSZ` in UTC: sorts by time and is safe in a file name.
pub fn timestamp(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), after Howard Hinnant's
/// `civil_from_days`: the crate's one calendar, so it needs no time library.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps() {
        assert_eq!(timestamp(UNIX_EPOCH), "19700101T000000Z");
        let t = UNIX_EPOCH + Duration::from_secs(951_782_400 + 3661); // 2000-02-29
        assert_eq!(timestamp(t), "20000229T010101Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_767_225_599); // last second of 2025
        assert_eq!(timestamp(t), "20251231T235959Z");
    }

    #[cfg(unix)]
    #[test]
    fn backup_refuses_a_linked_or_shared_folder() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        fs::set_permissions(elsewhere.path(), fs::Permissions::from_mode(0o777)).unwrap();
        let top = dir.path().join(BACKUP_DIR);
        std::os::unix::fs::symlink(elsewhere.path(), &top).unwrap();
        let e = backup(dir.path(), &[(".env", "A=1\n")]).unwrap_err();
        assert!(e.to_string().contains("is a symbolic link"), "{e}");
        assert_eq!(elsewhere.path().read_dir().unwrap().count(), 0);
        fs::remove_file(&top).unwrap();
        fs::create_dir(&top).unwrap();
        fs::set_permissions(&top, fs::Permissions::from_mode(0o777)).unwrap();
        let e = backup(dir.path(), &[(".env", "A=1\n")]).unwrap_err();
        assert!(e.to_string().contains("writable by group or others"), "{e}");
        assert_eq!(top.read_dir().unwrap().count(), 0);
    }

    #[cfg(unix)]
    #[test]
    fn replace_refuses_a_link_out_of_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let outside = elsewhere.path().join("target");
        fs::write(&outside, "A=1\n").unwrap();
        let link = dir.path().join(".env");
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        assert!(replace(&link, "B=2\n", Some("A=1\n")).is_err());
        assert_eq!(fs::read_to_string(&outside).unwrap(), "A=1\n");
    }

    #[test]
    fn replace_refuses_a_file_that_changed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(".env");
        fs::write(&p, "A=1\n").unwrap();
        let e = replace(&p, "B=2\n", Some("A=2\n")).unwrap_err();
        assert_eq!(e.to_string(), "it changed on disk while migrate ran");
        assert!(replace(&p, "B=2\n", None).is_err());
        replace(&p, "B=2\n", Some("A=1\n")).unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "B=2\n");
    }
}
