//! Backups and atomic replacement of token files.
//!
//! A backup lives in `<root>/.tokenspec-backup/<UTC timestamp>/`: folders
//! 0700, files 0600 (they hold secrets), and the top folder carries a
//! `.gitignore` of `*`, so git ignores it without touching the project's
//! ignore rules. A file is replaced by writing a temporary file in the same
//! folder, fsyncing it, renaming it over the original and fsyncing the folder.

use std::fs::{self, File};
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

/// Replaces `path` with `text` atomically, but only if the file still holds
/// `expected` (`None`: it must not exist), so a concurrent edit is never lost.
/// An existing file keeps its mode; a new one gets 0600. A symbolic link is
/// followed, so the link stays a link.
pub fn replace(path: &Path, text: &str, expected: Option<&str>) -> io::Result<()> {
    let target = match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => fs::canonicalize(path)?,
        _ => path.to_path_buf(),
    };
    let current = tokenspec_core::file::read_regular_text(&target)?;
    if current.as_deref() != expected {
        return Err(io::Error::other("it changed on disk while migrate ran"));
    }
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // The temporary file is created 0600, so no secret is readable even for a moment.
    let mut tmp = tempfile::Builder::new()
        .prefix(".tokenspec-")
        .suffix(".tmp")
        .tempfile_in(&dir)?;
    tmp.write_all(text.as_bytes())?;
    #[cfg(unix)]
    if current.is_some() {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&target)?.permissions().mode() & 0o7777;
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(mode))?;
    }
    tmp.as_file().sync_all()?;
    if current.is_some() {
        tmp.persist(&target).map_err(|e| e.error)?;
    } else {
        tmp.persist_noclobber(&target).map_err(|e| e.error)?;
    }
    sync_dir(&dir)
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

/// Makes a rename or a new entry in `dir` durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

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

/// Days since 1970-01-01 to (year, month, day), after Howard Hinnant's `civil_from_days`.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
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
