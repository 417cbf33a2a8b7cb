//! Reading token files: regular files only, decided on the opened file.
//!
//! A FIFO named `.env` would block a plain `open` or `read` forever, and a
//! check of the path before opening it races with whoever can rename files
//! there. So the file is opened without blocking (`O_NONBLOCK`, which a
//! regular file ignores) and its type is taken from the open descriptor.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

use zeroize::Zeroizing;

/// The bytes of the regular file at `path`; `None` when it does not exist.
/// A FIFO, device, socket or folder is an error of kind
/// [`io::ErrorKind::InvalidInput`] saying what it is, without blocking.
/// The bytes may hold token values: they are zeroized on drop.
pub fn read_regular(path: &Path) -> io::Result<Option<Zeroizing<Vec<u8>>>> {
    let mut file = match open_nonblocking(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta.file_type()));
    }
    read_zeroizing(&mut file, meta.len()).map(Some)
}

/// Reads `file` to its end into a buffer sized for `len` bytes and one more.
/// A file that grew meanwhile moves to a larger buffer, and the one left
/// behind is zeroized: no copy of a token file's text is freed unzeroized
/// (`read_to_end` would let its `Vec` reallocate).
fn read_zeroizing(file: &mut File, len: u64) -> io::Result<Zeroizing<Vec<u8>>> {
    let len = usize::try_from(len).unwrap_or(usize::MAX - 1);
    let mut buf = Zeroizing::new(vec![0u8; len + 1]);
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            let mut bigger = Zeroizing::new(vec![0u8; buf.len().saturating_mul(2)]);
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
        let read = read_zeroizing(&mut File::open(&path).unwrap(), 0).unwrap();
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
