//! The per-user cache of validated specs.
//!
//! Parsing and validating `token-spec.toml` is most of what `export` costs
//! beyond starting a process (docs/benchmarks.md), and pipelines run it at
//! every step with the same spec. So a spec that passed every check is kept
//! as a [`snapshot`] in `$TOKENSPEC_CACHE_DIR`, else
//! `$XDG_CACHE_HOME/tokenspec`, else `$HOME/.cache/tokenspec`, else (no
//! home, as under `env -i`) `$TMPDIR/tokenspec-<uid>`, under a name
//! derived from the spec text's digest and this very binary. A snapshot is
//! used only when it was made from exactly the current spec text (its
//! 128-bit digest, streamed from the file), so editing the spec or
//! installing another build can never serve an old result; anything unusable
//! is ignored and the spec is parsed as usual. The folder in the shared
//! temp dir is used only while it is a real folder of this user that nobody
//! else can enter (the way tmux keeps its sockets), since a snapshot
//! planted by someone else could claim any rules. The cache holds spec text
//! only, never a token value. `TOKENSPEC_NO_CACHE=1` turns it off; deleting
//! the folder is always safe. Each new snapshot clears out those not written
//! for [`MAX_AGE`], so edits over months do not pile up.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use tokenspec_core::{Class, TokenDef};
use tokenspec_manifest::model::StoreSpec;
use tokenspec_manifest::{snapshot, Spec, SpecError};

/// Snapshots older than this are removed when a new one is written; one
/// still in use is simply written again by its next run.
pub const MAX_AGE: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// A validated spec, from the cache or just parsed.
pub struct LoadedSpec {
    /// The checked snapshot it came from, if it came from the cache.
    view: Option<snapshot::View>,
    /// The whole model, built on first use (always there when parsed).
    spec: OnceLock<&'static Spec>,
    /// The spec file, parsed instead should the snapshot's tokens not read.
    path: PathBuf,
    display: String,
}

impl LoadedSpec {
    /// Checks the snapshot's tokens, which [`load`] leaves to this call
    /// (or to the fast path's single pass, which checks what it reads): a
    /// snapshot whose tokens do not read is dropped for a parse of the
    /// spec, whose error this returns. Every use of the spec beyond the
    /// fast path comes after it.
    pub fn check(&self) -> Result<(), SpecError> {
        if let (Some(view), None) = (&self.view, self.spec.get()) {
            if !view.tokens_ok() {
                let spec = Spec::load(&self.path, &self.display)?;
                let _ = self.spec.set(Box::leak(Box::new(spec)));
            }
        }
        Ok(())
    }

    /// The whole spec. Kept to the end of the process: one spec per
    /// process, and definitions borrow its text.
    pub fn spec(&self) -> &'static Spec {
        self.spec.get_or_init(|| {
            let view = self.view.as_ref().expect("a spec was parsed or cached");
            let spec = view.spec().expect(
                "the snapshot's tokens are checked (LoadedSpec::check) before the spec is used",
            );
            Box::leak(Box::new(spec))
        })
    }

    /// The loader definitions of `class` (all when `None`): read straight
    /// from the snapshot on a cache hit, without building the model.
    pub fn defs(&self, class: Option<Class>) -> Vec<TokenDef> {
        match (&self.view, self.spec.get()) {
            (Some(view), None) => view
                .defs(class)
                .unwrap_or_else(|| self.spec().borrowed_defs(class)),
            _ => self.spec().borrowed_defs(class),
        }
    }

    /// The definitions of `class` (all when `None`) for the loader's fast
    /// path: the snapshot's records in place on a cache hit (see
    /// [`FastDefs::Records`]), needing no [`LoadedSpec::check`].
    pub fn fast_defs(&self, class: Option<Class>) -> FastDefs<'_> {
        match (&self.view, self.spec.get()) {
            (Some(view), None) => FastDefs::Records(view, view.records(class)),
            _ => FastDefs::Parsed(self.spec().borrowed_defs(class)),
        }
    }

    /// The variables that choose the environment, as the spec names them.
    pub fn env_from(&self) -> Vec<&str> {
        match &self.view {
            Some(view) => view.env_from().to_vec(),
            None => self.spec().env_from(),
        }
    }

    /// The spec's `[store]`, without building the model on a cache hit.
    pub fn store(&self) -> Option<&StoreSpec> {
        match &self.view {
            Some(view) => view.store(),
            None => self.spec().store.as_ref(),
        }
    }

    /// The spec's environment names.
    pub fn environments(&self) -> Vec<&str> {
        match &self.view {
            Some(view) => view.environments().to_vec(),
            None => self
                .spec()
                .environments
                .iter()
                .map(String::as_str)
                .collect(),
        }
    }
}

/// See [`LoadedSpec::fast_defs`].
pub enum FastDefs<'a> {
    /// The records and their view: a result read from records is used
    /// only when `View::broken` stays false.
    Records(&'a snapshot::View, snapshot::Records<'a>),
    Parsed(Vec<TokenDef>),
}

impl std::fmt::Debug for LoadedSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedSpec")
            .field("cached", &self.view.is_some())
            .field("spec", &self.spec.get())
            .finish()
    }
}

/// Reads and validates the spec at `path` (shown as `display` in errors),
/// through the cache when there is one.
///
/// A hit streams the spec through the digest and checks the snapshot: the
/// spec text itself is never held, and the snapshot is read in place. A
/// miss reads the text, parses it and stores the snapshot under the digest
/// of that same text, so a spec edited meanwhile can never be stored under
/// an older text's name.
pub fn load(path: &Path, display: &str) -> Result<LoadedSpec, SpecError> {
    let dir = dir().filter(|dir| !dir.in_shared_temp || ensure_private(&dir.path));
    if let Some(dir) = &dir {
        // An unreadable spec falls through to the read below, which reports it.
        let digest = std::fs::File::open(path)
            .and_then(snapshot::Digest::of_reader)
            .ok();
        let view = digest.and_then(|digest| {
            let bytes = std::fs::read(cache_file(&dir.path, digest)?).ok()?;
            // Kept to the end of the process: definitions borrow from it.
            snapshot::View::new(bytes.leak(), digest)
        });
        if let Some(view) = view {
            return Ok(LoadedSpec {
                view: Some(view),
                spec: OnceLock::new(),
                path: path.to_owned(),
                display: display.to_owned(),
            });
        }
    }
    let src = Spec::read_source(path, display)?;
    let spec = Spec::parse(&src, display).map_err(SpecError::Invalid)?;
    let digest = snapshot::Digest::of(src.as_bytes());
    if let Some(file) = dir.and_then(|dir| cache_file(&dir.path, digest)) {
        // Best effort: a cache that cannot be written costs the next run a parse, nothing more.
        let _ = store(&file, &snapshot::encode(&spec, digest));
    }
    Ok(LoadedSpec {
        view: None,
        spec: OnceLock::from(&*Box::leak(Box::new(spec))),
        path: path.to_owned(),
        display: display.to_owned(),
    })
}

/// Where snapshots are kept.
pub struct CacheDir {
    pub path: PathBuf,
    /// In the shared temp dir: used only once [`ensure_private`] agrees.
    in_shared_temp: bool,
}

/// The cache folder, or `None` when caching is off or there is no place for it.
pub fn dir() -> Option<CacheDir> {
    if non_empty_var("TOKENSPEC_NO_CACHE").is_some() {
        return None;
    }
    // A folder the user chose or owns through their home.
    let own = |path| {
        Some(CacheDir {
            path,
            in_shared_temp: false,
        })
    };
    // Relative paths are ignored, as the XDG base directory spec asks.
    let absolute = |p: PathBuf| p.is_absolute().then_some(p);
    if let Some(dir) = non_empty_var("TOKENSPEC_CACHE_DIR").and_then(|d| absolute(d.into())) {
        return own(dir);
    }
    if let Some(dir) = non_empty_var("XDG_CACHE_HOME").and_then(|d| absolute(d.into())) {
        return own(dir.join("tokenspec"));
    }
    let home_var = if cfg!(windows) {
        "LOCALAPPDATA"
    } else {
        "HOME"
    };
    if let Some(base) = non_empty_var(home_var).and_then(|d| absolute(d.into())) {
        return own(if cfg!(windows) {
            base.join("tokenspec").join("cache")
        } else {
            base.join(".cache").join("tokenspec")
        });
    }
    shared_temp_dir()
}

/// `$TMPDIR/tokenspec-<uid>`: per user, for a process without a home folder.
#[cfg(unix)]
fn shared_temp_dir() -> Option<CacheDir> {
    let uid = rustix::process::geteuid().as_raw();
    let temp = std::env::temp_dir();
    if !temp.is_absolute() {
        return None;
    }
    Some(CacheDir {
        path: temp.join(format!("tokenspec-{uid}")),
        in_shared_temp: true,
    })
}

#[cfg(not(unix))]
fn shared_temp_dir() -> Option<CacheDir> {
    None
}

/// Creates `dir` when missing and tells whether it is safe to use: a real
/// folder, not a symbolic link, owned by this user, with no access for
/// anyone else. Anything else (another user's folder planted under the
/// name, a link, loose permissions) turns the cache off.
#[cfg(unix)]
fn ensure_private(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let meta = match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            // Not recursive: the temp dir itself must already exist.
            create_private_dir(dir, false).and_then(|()| std::fs::symlink_metadata(dir))
        }
        other => other,
    };
    meta.is_ok_and(|m| {
        m.is_dir() && m.uid() == rustix::process::geteuid().as_raw() && m.mode() & 0o077 == 0
    })
}

#[cfg(not(unix))]
fn ensure_private(_dir: &Path) -> bool {
    false
}

/// `dir/spec-<hash>.bin`, the hash covering the spec text's digest and this
/// build (the executable's size and modification time), so a rebuilt or
/// upgraded `tokenspec` with other rules never reads another build's snapshot.
fn cache_file(dir: &Path, digest: snapshot::Digest) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?.metadata().ok()?;
    let mtime = exe
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    let mut key = Vec::with_capacity(64);
    key.extend_from_slice(env!("CARGO_PKG_VERSION").as_bytes());
    key.extend_from_slice(&exe.len().to_le_bytes());
    key.extend_from_slice(&mtime.as_nanos().to_le_bytes());
    key.extend_from_slice(&digest.0.to_le_bytes());
    Some(dir.join(format!("spec-{:016x}.bin", snapshot::fingerprint(&key))))
}

/// Writes `bytes` to `file` atomically (temporary file and rename), in a
/// folder only the user can read.
fn store(file: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = file.parent().expect("cache files live in the cache folder");
    create_private_dir(dir, true)?;
    let mut tmp = tempfile::Builder::new().prefix(".spec-").tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.persist(file).map_err(|e| e.error)?;
    prune(dir, SystemTime::now());
    Ok(())
}

/// Creates `dir` with mode 0700 (only the user can enter it); with
/// `recursive`, its missing parents too, and an existing folder is fine.
fn create_private_dir(dir: &Path, recursive: bool) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(recursive);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Removes snapshots (`spec-*.bin`) last written before `now - MAX_AGE`.
/// Nothing else in the folder is touched, and errors are ignored: pruning
/// is housekeeping, never a reason to fail.
fn prune(dir: &Path, now: SystemTime) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with("spec-") && name.ends_with(".bin")) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| now.duration_since(t).is_ok_and(|age| age > MAX_AGE));
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn non_empty_var(name: &str) -> Option<std::ffi::OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}
