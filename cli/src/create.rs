//! Creating a file atomically, private, and never over an existing one.
//!
//! The content is written to a temporary file in the same folder (mode
//! 0600 from the start) and then linked into place with
//! `persist_noclobber`, so readers see either no file or the whole file,
//! and a file created concurrently by someone else is never replaced.

use std::io::{self, Write};
use std::path::Path;

/// Whether [`create_new`] created the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    AlreadyExists,
}

/// Creates `dir/name` holding `contents`, mode 0600, unless it already exists.
pub fn create_new(dir: &Path, name: &str, contents: &str) -> io::Result<Outcome> {
    create_new_with_mode(dir, name, contents, 0o600)
}

/// [`create_new`] with another mode: 0644 for a file that is committed
/// (the spec), which holds no secret.
pub fn create_new_with_mode(
    dir: &Path,
    name: &str,
    contents: &str,
    mode: u32,
) -> io::Result<Outcome> {
    // `name` may not be (or pass through) a link leading out of the root.
    let path = tokenspec_core::file::in_root(dir, std::path::Path::new(name))?;
    let mut tmp = tempfile::Builder::new()
        // `.tokenspec-*.tmp`: ignored by the managed .gitignore block,
        // reported by `check`, removed by the next write once it is old.
        .prefix(tokenspec_repo::atomic::NEW_FILE_PREFIX)
        .suffix(tokenspec_repo::atomic::TEMP_SUFFIX)
        .tempfile_in(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // tempfile already uses 0600; fchmod makes it independent of that default and the umask.
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    tmp.write_all(contents.as_bytes())?;
    tmp.as_file().sync_all()?;
    match tmp.persist_noclobber(path) {
        Ok(_) => Ok(Outcome::Created),
        Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Ok(Outcome::AlreadyExists),
        Err(e) => Err(e.error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_private_file_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            create_new(dir.path(), ".tokens", "A=1\n").unwrap(),
            Outcome::Created
        );
        assert_eq!(
            create_new(dir.path(), ".tokens", "A=2\n").unwrap(),
            Outcome::AlreadyExists
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join(".tokens")).unwrap(),
            "A=1\n"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(".tokens"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn creates_with_the_given_mode() {
        let dir = tempfile::tempdir().unwrap();
        let created = create_new_with_mode(dir.path(), "token-spec.toml", "version = 1\n", 0o644);
        assert_eq!(created.unwrap(), Outcome::Created);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("token-spec.toml"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o644);
        }
        assert_eq!(
            create_new_with_mode(dir.path(), "token-spec.toml", "x", 0o644).unwrap(),
            Outcome::AlreadyExists
        );
    }
}
