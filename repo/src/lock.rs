//! One writer per repository: an advisory lock on the root folder itself.
//!
//! `migrate`, `gen` and `check --fix` hold it for their whole run, so two
//! runs never interleave their backups or renames. The lock is an `flock`
//! on the root directory's own descriptor: no lock file to create, ignore
//! or leave behind, and the kernel drops it when the process dies, even on
//! SIGKILL. A second run waits a little, then gives up with a clear error.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a second run waits for the first before giving up.
pub const WAIT: Duration = Duration::from_secs(3);

/// Held while it lives; dropping it (or the process ending) releases it.
#[derive(Debug)]
pub struct RootLock {
    #[cfg(unix)]
    _dir: std::os::fd::OwnedFd,
}

/// Why the lock could not be taken.
#[derive(Debug)]
pub enum LockError {
    /// Another run held it for all of [`WAIT`].
    Held { root: PathBuf },
    /// The root could not be opened or locked.
    Io { root: PathBuf, message: String },
}

impl tokenspec_core::Help for LockError {
    fn help(&self) -> Option<String> {
        let fix = match self {
            LockError::Held { .. } => {
                "wait for the other tokenspec run (migrate, gen or check --fix) to finish, then run this again; nothing was changed"
            }
            LockError::Io { .. } => "nothing was changed",
        };
        Some(fix.to_owned())
    }
}

impl fmt::Display for LockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LockError::Held { root } => write!(
                f,
                "another tokenspec run holds the lock on {}",
                root.display()
            ),
            LockError::Io { root, message } => {
                write!(f, "cannot lock {}: {message}", root.display())
            }
        }
    }
}

impl std::error::Error for LockError {}

impl RootLock {
    /// Takes the lock on `root`, waiting up to [`WAIT`] for another run.
    pub fn acquire(root: &Path) -> Result<RootLock, LockError> {
        RootLock::acquire_within(root, WAIT)
    }

    pub fn acquire_within(root: &Path, wait: Duration) -> Result<RootLock, LockError> {
        #[cfg(unix)]
        {
            use rustix::fs::{flock, open, FlockOperation, Mode, OFlags};
            let io = |e: rustix::io::Errno| LockError::Io {
                root: root.to_path_buf(),
                message: crate::io_message(&e.into()),
            };
            let dir = open(
                root,
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .map_err(io)?;
            let start = Instant::now();
            loop {
                match flock(&dir, FlockOperation::NonBlockingLockExclusive) {
                    Ok(()) => return Ok(RootLock { _dir: dir }),
                    Err(rustix::io::Errno::WOULDBLOCK) if start.elapsed() < wait => {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    Err(rustix::io::Errno::WOULDBLOCK) => {
                        return Err(LockError::Held {
                            root: root.to_path_buf(),
                        })
                    }
                    Err(rustix::io::Errno::INTR) => {}
                    Err(e) => return Err(io(e)),
                }
            }
        }
        #[cfg(not(unix))]
        {
            let _ = (root, wait);
            Ok(RootLock {})
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_waits_then_says_who_holds_it() {
        let dir = tempfile::tempdir().unwrap();
        let first = RootLock::acquire(dir.path()).unwrap();
        let e = RootLock::acquire_within(dir.path(), Duration::from_millis(120)).unwrap_err();
        assert!(matches!(e, LockError::Held { .. }));
        assert!(e
            .to_string()
            .starts_with("another tokenspec run holds the lock on "));
        drop(first);
        RootLock::acquire_within(dir.path(), Duration::ZERO).unwrap();
        assert_eq!(dir.path().read_dir().unwrap().count(), 0, "no lock file");
    }
}
