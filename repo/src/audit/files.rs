//! The token files at the root: every `.env`, `.env.*`, `.tokens`, `.tokens.*`,
//! and the spec's committed templates wherever they are named.

use std::path::Path;

use tokenspec_core::dotenv::{self, Document};
use tokenspec_core::load::file_mode;
use tokenspec_core::Class;
use tokenspec_spec::Spec;

/// The environment whose files are committed with safe values.
pub use tokenspec_core::def::CI_ENV;

/// Whether a file may hold real secrets or is committed with placeholders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// Holds real secrets: git-ignored, mode 0600.
    Secret,
    /// `.tokens.ci` / `.env.ci`: committed, placeholders only.
    Committed,
    /// A committed template (`.env.example`, …): empty or placeholder values only.
    Template,
}

/// One token file found at the root.
#[derive(Clone, Debug)]
pub struct TokenFile {
    /// File name, e.g. `.env.prod`.
    pub name: String,
    /// The class whose files this name belongs to.
    pub class: Class,
    pub kind: FileKind,
    /// What follows the base name (`prod` for `.env.prod`); `None` for a base file.
    pub env: Option<String>,
    /// An editor or hand-made backup (`.env.bak`, `.env.prod.backup`, `.env~`):
    /// it still holds secrets, so git and permission rules apply, but nothing
    /// loads it, so its contents are not audited.
    pub backup: bool,
    /// Unix permission bits.
    pub mode: Option<u32>,
    /// The parsed contents; `None` for backups and unreadable files.
    pub doc: Option<Document>,
}

impl TokenFile {
    /// Committed with git's 0644: a CI file or a template, never a secret file.
    pub fn is_committed(&self) -> bool {
        matches!(self.kind, FileKind::Committed | FileKind::Template)
    }

    pub fn is_template(&self) -> bool {
        self.kind == FileKind::Template
    }
}

/// What [`scan`] found.
#[derive(Debug, Default)]
pub struct Scan {
    /// Sorted by name.
    pub files: Vec<TokenFile>,
    pub io_errors: Vec<String>,
}

/// Every token file directly in `root` (folders and other names are
/// skipped), and the spec's templates.
pub fn scan(root: &Path, spec: &Spec) -> Scan {
    let mut scan = Scan::default();
    let dir = match std::fs::read_dir(root) {
        Ok(dir) => dir,
        Err(e) => {
            scan.io_errors.push(format!(
                "cannot list {}: {}",
                root.display(),
                io_message(&e)
            ));
            return scan;
        }
    };
    for entry in dir.flatten() {
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        let Some(class) = Class::of_file(&name) else {
            continue;
        };
        let path = entry.path();
        // `metadata` follows symlinks: a linked token file is still a token file.
        if !std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
            continue;
        }
        match read(&path, &name, class, spec.is_template(&name)) {
            Ok(file) => scan.files.push(file),
            Err(e) => scan
                .io_errors
                .push(format!("cannot read {name}: {}", io_message(&e))),
        }
    }
    // Templates the spec names with other names, or in folders.
    for name in &spec.templates {
        if scan.files.iter().any(|f| &f.name == name) {
            continue;
        }
        let path = root.join(name);
        if !std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
            continue;
        }
        let class =
            Class::of_file(name.rsplit('/').next().unwrap_or(name)).unwrap_or(Class::Runtime);
        match read(&path, name, class, true) {
            Ok(file) => scan.files.push(file),
            Err(e) => scan
                .io_errors
                .push(format!("cannot read {name}: {}", io_message(&e))),
        }
    }
    scan.files.sort_by(|a, b| a.name.cmp(&b.name));
    scan
}

fn read(path: &Path, name: &str, class: Class, template: bool) -> std::io::Result<TokenFile> {
    let env = name
        .get(class.base_file().len()..)
        .filter(|_| name.starts_with(class.base_file()))
        .and_then(|rest| rest.strip_prefix('.'))
        .map(str::to_owned);
    let kind = if template {
        FileKind::Template
    } else if env.as_deref() == Some(CI_ENV) {
        FileKind::Committed
    } else {
        FileKind::Secret
    };
    let backup = !template && is_backup(name);
    let doc = if backup {
        None
    } else {
        let bytes = tokenspec_core::file::read_regular(path)?.unwrap_or_default();
        Some(match tokenspec_core::file::text(bytes) {
            Ok(text) => dotenv::parse(&text),
            // Reported by the parse rule; no entries means no other content rule fires.
            Err(_) => Document {
                entries: Vec::new(),
                errors: vec![dotenv::ParseError {
                    line: 1,
                    message: "the file is not valid UTF-8".to_owned(),
                    span: 0..0,
                }],
            },
        })
    };
    Ok(TokenFile {
        name: name.to_owned(),
        class,
        kind,
        env,
        backup,
        mode: file_mode(path),
        doc,
    })
}

/// `.env.bak`, `.env.prod.bak2`, `.tokens.backup`, `.env.orig`, `.env~`, `.env.swp`.
pub fn is_backup(name: &str) -> bool {
    name.ends_with('~')
        || name.split('.').skip(2).any(|part| {
            let p = part.to_ascii_lowercase();
            p.starts_with("bak")
                || p.starts_with("backup")
                || matches!(p.as_str(), "old" | "orig" | "swp" | "save" | "tmp")
        })
}

fn io_message(e: &std::io::Error) -> String {
    crate::io_message(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups() {
        for b in [
            ".env.bak",
            ".env.prod.bak",
            ".tokens.backup",
            ".env.bak2",
            ".env~",
            ".env.prod.orig",
        ] {
            assert!(is_backup(b), "{b}");
        }
        for f in [".env", ".env.prod", ".tokens.ci", ".env.staging"] {
            assert!(!is_backup(f), "{f}");
        }
    }

    #[test]
    fn scans_only_token_files() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            ".env",
            ".env.ci",
            ".tokens.prod",
            ".envrc",
            "env",
            ".env.bak",
        ] {
            std::fs::write(dir.path().join(name), "A=1\n").unwrap();
        }
        std::fs::create_dir(dir.path().join(".env.d")).unwrap();
        let spec = Spec::parse(
            "templates = [\"conf/env.dist\"]\n[[token]]\nname = \"A\"\nclass = \"cicd\"\ndescription = \"d\"\n",
            "token-spec.toml",
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("conf")).unwrap();
        std::fs::write(dir.path().join("conf/env.dist"), "A=\n").unwrap();
        std::fs::write(dir.path().join(".env.example"), "A=\n").unwrap();
        let scan = scan(dir.path(), &spec);
        let names: Vec<_> = scan.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                ".env",
                ".env.bak",
                ".env.ci",
                ".env.example",
                ".tokens.prod",
                "conf/env.dist"
            ]
        );
        assert_eq!(scan.files[2].kind, FileKind::Committed);
        assert_eq!(scan.files[3].kind, FileKind::Template);
        assert_eq!(scan.files[4].env.as_deref(), Some("prod"));
        assert_eq!(scan.files[5].kind, FileKind::Template);
        assert!(scan.files[1].backup && scan.files[1].doc.is_none());
    }
}
