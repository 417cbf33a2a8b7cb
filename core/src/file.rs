//! The one way tokenspec reads a file, and the one check that a path stays
//! inside the root.
//!
//! **Reading** ([`read_regular`]): regular files only, decided on the opened
//! file, and at most [`MAX_FILE_BYTES`]. A FIFO named `.env` would block a
//! plain `open` or `read` forever, and a check of the path before opening
//! it races with whoever can rename files there. So the file is opened
//! without blocking (`O_NONBLOCK`, which a regular file ignores), its type
//! is taken from the open descriptor, and at most one byte past the cap is
//! read (`/proc` files call themselves regular and report size 0). Every
//! file tokenspec opens goes through it: the spec, token files, templates,
//! generated files, `.gitignore`, `~/.vault-token`, `TOKENSPEC_JWT_FILE`,
//! `BAO_CACERT`.
//!
//! **Confinement** ([`in_root`], [`read_in_root`]): a path under the root is
//! used only when every component of it that exists, the folders on the way
//! included, resolves inside the root. A symbolic link (to a folder or a
//! file) that leads out of the root, or dangles, is refused with its name;
//! `..` and absolute paths outside the root are refused too. Every read and
//! write of a repository file (`gen`, `check --fix`, `init`, `migrate`,
//! `load`'s new files, the loader's token files) goes through it.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use zeroize::Zeroizing;

/// The largest file tokenspec reads: 64 MiB. A spec, token file, template
/// or credential file beyond it is an error naming the file.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The bytes of the regular file at `path`; `None` when it does not exist.
/// A FIFO, device, socket or folder is an error of kind
/// [`io::ErrorKind::InvalidInput`] saying what it is, without blocking; a
/// file larger than [`MAX_FILE_BYTES`] is an [`io::ErrorKind::InvalidData`]
/// error, read no further than one byte past the cap.
/// The bytes may hold token values: they are zeroized on drop.
pub fn read_regular(path: &Path) -> io::Result<Option<Zeroizing<Vec<u8>>>> {
    read_regular_capped(path, MAX_FILE_BYTES)
}

fn read_regular_capped(path: &Path, cap: u64) -> io::Result<Option<Zeroizing<Vec<u8>>>> {
    let mut file = match open_nonblocking(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta.file_type()));
    }
    if meta.len() > cap {
        return Err(too_large(cap));
    }
    read_zeroizing(&mut file, meta.len(), cap).map(Some)
}

fn too_large(cap: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "larger than {} MiB, the most tokenspec reads from a file",
            cap / (1024 * 1024)
        ),
    )
}

/// Reads `file` to its end into a buffer sized for `len` bytes and one more.
/// A file that grew meanwhile moves to a larger buffer, and the one left
/// behind is zeroized: no copy of a token file's text is freed unzeroized
/// (`read_to_end` would let its `Vec` reallocate).
/// More than `cap` bytes is an error (`/proc` files say they are empty).
fn read_zeroizing(file: &mut File, len: u64, cap: u64) -> io::Result<Zeroizing<Vec<u8>>> {
    let cap_plus_one = usize::try_from(cap).unwrap_or(usize::MAX - 1) + 1;
    let len = usize::try_from(len).unwrap_or(usize::MAX - 1);
    let mut buf = Zeroizing::new(vec![0u8; (len + 1).min(cap_plus_one)]);
    let mut filled = 0;
    loop {
        if filled >= cap_plus_one {
            return Err(too_large(cap));
        }
        if filled == buf.len() {
            let bigger_len = buf.len().saturating_mul(2).min(cap_plus_one);
            let mut bigger = Zeroizing::new(vec![0u8; bigger_len]);
            bigger[..filled].copy_from_slice(&buf[..filled]);
            buf = bigger;
        }
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    // Shortening never reallocates; the tail was never written.
    buf.truncate(filled);
    Ok(buf)
}

/// A token file's text, zeroized on drop; invalid UTF-8 is an
/// [`io::ErrorKind::InvalidData`] error.
pub fn read_token_text(path: &Path) -> io::Result<Option<Zeroizing<String>>> {
    match read_regular(path)? {
        None => Ok(None),
        Some(bytes) => text(bytes).map(Some),
    }
}

/// [`read_regular`] as text, for files that hold no token value (generated
/// files, `.gitignore`); token files go through [`read_token_text`].
pub fn read_regular_text(path: &Path) -> io::Result<Option<String>> {
    Ok(read_token_text(path)?.map(|text| String::clone(&text)))
}

/// `path` (relative to `root`, or absolute under it) checked to stay inside
/// `root`: every component that exists is resolved, and a symbolic link
/// leading out of the root (or dangling), a `..`, or an absolute path
/// elsewhere is an [`io::ErrorKind::PermissionDenied`] error naming the
/// component. Components that do not exist yet are fine (a write creates
/// them inside). Returns `root` joined with the relative path.
pub fn in_root(root: &Path, path: &Path) -> io::Result<PathBuf> {
    let rel = if path.is_absolute() {
        path.strip_prefix(root)
            .map_err(|_| refused(path, "is outside the root"))?
    } else {
        path
    };
    let mut real_root: Option<PathBuf> = None;
    let mut here = root.to_path_buf();
    let mut shown = PathBuf::new();
    for component in rel.components() {
        match component {
            Component::Normal(name) => {
                here.push(name);
                shown.push(name);
            }
            Component::CurDir => continue,
            _ => return Err(refused(rel, "leaves the root (`..` or an absolute path)")),
        }
        let meta = match std::fs::symlink_metadata(&here) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => break,
            Err(e) => return Err(e),
        };
        if !meta.file_type().is_symlink() {
            continue;
        }
        let real_root = match &real_root {
            Some(r) => r,
            None => real_root.insert(std::fs::canonicalize(root)?),
        };
        match std::fs::canonicalize(&here) {
            Ok(real) if real.starts_with(real_root.as_path()) => {}
            Ok(_) => {
                return Err(refused(
                    &shown,
                    "is a symbolic link that leads out of the root",
                ))
            }
            Err(_) => return Err(refused(&shown, "is a symbolic link to nothing")),
        }
    }
    Ok(root.join(rel))
}

fn refused(name: &Path, what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!("`{}` {what}", name.display()),
    )
}

/// [`read_regular`] of a path checked by [`in_root`].
pub fn read_in_root(root: &Path, path: &Path) -> io::Result<Option<Zeroizing<Vec<u8>>>> {
    read_regular(&in_root(root, path)?)
}

/// [`read_regular_text`] of a path checked by [`in_root`].
pub fn read_text_in_root(root: &Path, path: &Path) -> io::Result<Option<String>> {
    read_regular_text(&in_root(root, path)?)
}

/// [`read_token_text`] of a path checked by [`in_root`].
pub fn read_token_text_in_root(root: &Path, path: &Path) -> io::Result<Option<Zeroizing<String>>> {
    read_token_text(&in_root(root, path)?)
}

/// `bytes` as UTF-8 text without copying; the bytes are zeroized either way.
pub fn text(mut bytes: Zeroizing<Vec<u8>>) -> io::Result<Zeroizing<String>> {
    match String::from_utf8(std::mem::take(&mut *bytes)) {
        Ok(text) => Ok(Zeroizing::new(text)),
        Err(e) => {
            drop(Zeroizing::new(e.into_bytes()));
            Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "not valid UTF-8 text",
            ))
        }
    }
}

/// The C library's `O_NONBLOCK`, written out where its value is known (a
/// unit test holds it equal to `rustix`'s), so a service's build compiles
/// no system-call crate for one constant; other Unix targets ask `rustix`.
#[cfg(any(target_os = "linux", target_os = "android"))]
const O_NONBLOCK: i32 = if cfg!(any(target_arch = "mips", target_arch = "mips64")) {
    0x80
} else if cfg!(any(target_arch = "sparc", target_arch = "sparc64")) {
    0x4000
} else {
    0o4000
};
#[cfg(any(
    target_vendor = "apple",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "dragonfly"
))]
const O_NONBLOCK: i32 = 0x4;
#[cfg(any(target_os = "illumos", target_os = "solaris"))]
const O_NONBLOCK: i32 = 0x80;
#[cfg(all(
    unix,
    not(any(
        target_os = "linux",
        target_os = "android",
        target_vendor = "apple",
        target_os = "freebsd",
        target_os = "openbsd",
        target_os = "netbsd",
        target_os = "dragonfly",
        target_os = "illumos",
        target_os = "solaris"
    ))
))]
const O_NONBLOCK: i32 = rustix::fs::OFlags::NONBLOCK.bits() as i32;

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).open(path)
}

fn not_regular(kind: &std::fs::FileType) -> io::Error {
    let what = if kind.is_dir() {
        "a folder"
    } else {
        kind_name(kind)
    };
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("not a regular file but {what}"),
    )
}

#[cfg(unix)]
fn kind_name(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a named pipe (FIFO)"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn kind_name(_: &std::fs::FileType) -> &'static str {
    "a special file"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_at_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("big");
        std::fs::write(&f, vec![b'x'; 101]).unwrap();
        let e = read_regular_capped(&f, 100).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert_eq!(
            e.to_string(),
            "larger than 0 MiB, the most tokenspec reads from a file"
        );
        assert_eq!(read_regular_capped(&f, 101).unwrap().unwrap().len(), 101);
        assert!(read_regular(Path::new("/dev/zero")).is_err());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn an_endless_proc_file_is_cut_at_the_cap() {
        // Regular by its type, size 0, and as long as the address space:
        // an error (the cap, or the kernel refusing the odd-sized last read),
        // never the whole file.
        assert!(read_regular_capped(Path::new("/proc/self/pagemap"), 1 << 20).is_err());
        assert!(read_regular(Path::new("/proc/self/pagemap")).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_root_are_refused_by_name() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("victim.env"), "S=1\n").unwrap();
        let r = root.path();
        std::os::unix::fs::symlink(outside.path(), r.join("docs")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("victim.env"), r.join(".env")).unwrap();
        std::os::unix::fs::symlink(r.join("nowhere"), r.join("dangling")).unwrap();
        std::fs::create_dir(r.join("real")).unwrap();
        std::fs::write(r.join("real/a"), "A=1\n").unwrap();
        std::os::unix::fs::symlink(r.join("real"), r.join("inside")).unwrap();

        let e = in_root(r, Path::new("docs/tokens.md")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "`docs` is a symbolic link that leads out of the root"
        );
        let e = read_in_root(r, Path::new(".env")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "`.env` is a symbolic link that leads out of the root"
        );
        let e = in_root(r, &r.join("dangling")).unwrap_err();
        assert_eq!(e.to_string(), "`dangling` is a symbolic link to nothing");
        assert!(in_root(r, Path::new("../x")).is_err());
        assert!(in_root(r, outside.path()).is_err());
        assert_eq!(
            read_text_in_root(r, Path::new("inside/a"))
                .unwrap()
                .as_deref(),
            Some("A=1\n")
        );
        assert_eq!(
            in_root(r, Path::new("new/dir/file")).unwrap(),
            r.join("new/dir/file")
        );
    }

    #[test]
    fn missing_is_none_and_regular_is_read() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_regular(&dir.path().join("nope")).unwrap(), None);
        std::fs::write(dir.path().join("f"), "A=1\n").unwrap();
        assert_eq!(
            read_regular_text(&dir.path().join("f")).unwrap().as_deref(),
            Some("A=1\n")
        );
    }

    #[test]
    fn a_file_longer_than_its_size_said_moves_to_larger_buffers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let text = "K=v\n".repeat(1000);
        std::fs::write(&path, &text).unwrap();
        // As if the file grew from 0 bytes between `metadata` and the read.
        let read = read_zeroizing(&mut File::open(&path).unwrap(), 0, MAX_FILE_BYTES).unwrap();
        assert_eq!(read.as_slice(), text.as_bytes());
        assert_eq!(
            read_token_text(&path)
                .unwrap()
                .as_deref()
                .map(String::as_str),
            Some(text.as_str())
        );
    }

    #[test]
    fn a_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_regular(dir.path()).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert!(e.to_string().contains("a folder"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn o_nonblock_is_the_c_librarys() {
        assert_eq!(
            super::O_NONBLOCK,
            rustix::fs::OFlags::NONBLOCK.bits() as i32
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join(".env");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let e = read_regular(&fifo).unwrap_err();
        assert!(e.to_string().contains("FIFO"), "{e}");
    }
}
