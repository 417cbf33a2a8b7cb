//! Asking git itself how it treats the token files: `git check-ignore` for
//! ignore rules (with git's precedence, negations and every excludes file),
//! `git ls-files` for what is tracked.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The repository holding the root, if any.
#[derive(Debug)]
pub enum Repo {
    /// `root` is inside the work tree whose top level is `toplevel`.
    Found { root: PathBuf, toplevel: PathBuf },
    /// `root` is not inside a git work tree.
    Outside,
    /// git could not be run at all.
    NoGit(String),
}

/// How git's ignore rules treat one path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgnoreMatch {
    /// The path asked about, relative to the root.
    pub path: String,
    /// The pattern that decides, when one matches.
    pub rule: Option<Pattern>,
}

/// One line of an excludes file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    /// The excludes file, relative to the root when inside it.
    pub source: String,
    pub line: usize,
    /// As written, `!` included.
    pub pattern: String,
}

impl IgnoreMatch {
    /// Ignored: the deciding pattern exists and is not a `!` re-include.
    pub fn ignored(&self) -> bool {
        self.rule
            .as_ref()
            .is_some_and(|r| !r.pattern.starts_with('!'))
    }
}

impl Repo {
    pub fn open(root: &Path) -> Repo {
        match git(root, &["rev-parse", "--show-toplevel"], None) {
            Ok(out) if out.status.success() => {
                let top = String::from_utf8_lossy(&out.stdout)
                    .trim_end_matches(['\n', '\r'])
                    .to_owned();
                Repo::Found {
                    root: root.to_path_buf(),
                    toplevel: PathBuf::from(top),
                }
            }
            Ok(_) => Repo::Outside,
            Err(e) => Repo::NoGit(e),
        }
    }

    /// How the ignore rules treat each of `paths` (relative to the root),
    /// whether or not the files exist or are tracked (`--no-index`).
    pub fn check_ignore(&self, paths: &[String]) -> Result<Vec<IgnoreMatch>, String> {
        let Repo::Found { root, toplevel } = self else {
            return Ok(Vec::new());
        };
        let mut input = Vec::new();
        for p in paths {
            input.extend_from_slice(p.as_bytes());
            input.push(0);
        }
        let args = [
            "check-ignore",
            "--no-index",
            "--verbose",
            "--non-matching",
            "--stdin",
            "-z",
        ];
        let out = git(root, &args, Some(&input))?;
        // 0: some path ignored, 1: none ignored; anything else is a failure.
        if !matches!(out.status.code(), Some(0 | 1)) {
            return Err(failure("git check-ignore", &out));
        }
        // `-z -v`: source NUL line NUL pattern NUL path NUL, empty fields when nothing matches.
        let text = String::from_utf8_lossy(&out.stdout);
        let fields: Vec<&str> = text.split('\0').collect();
        let mut matches = Vec::new();
        for rec in fields.chunks_exact(4) {
            let [source, line, pattern, path] = [rec[0], rec[1], rec[2], rec[3]];
            let rule = if source.is_empty() {
                None
            } else {
                Some(Pattern {
                    source: source_display(root, toplevel, source),
                    line: line.parse().unwrap_or(0),
                    pattern: pattern.to_owned(),
                })
            };
            matches.push(IgnoreMatch {
                path: path.to_owned(),
                rule,
            });
        }
        Ok(matches)
    }

    /// Files at the root itself (not in subfolders) that git tracks.
    pub fn tracked_at_root(&self) -> Result<BTreeSet<String>, String> {
        let Repo::Found { root, .. } = self else {
            return Ok(BTreeSet::new());
        };
        let out = git(root, &["ls-files", "-z"], None)?;
        if !out.status.success() {
            return Err(failure("git ls-files", &out));
        }
        Ok(String::from_utf8_lossy(&out.stdout)
            .split('\0')
            .filter(|p| !p.is_empty() && !p.contains('/'))
            .map(str::to_owned)
            .collect())
    }
}

/// git names excludes files relative to the top level (or absolute for a
/// global one); show them relative to the root, `../.gitignore` included.
fn source_display(root: &Path, toplevel: &Path, source: &str) -> String {
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let (root, top) = (canonical(root), canonical(toplevel));
    let path = canonical(&top.join(source));
    if let (Ok(in_top), Ok(root_in_top)) = (path.strip_prefix(&top), root.strip_prefix(&top)) {
        if !path.starts_with(&root) {
            let up = "../".repeat(root_in_top.components().count());
            return format!("{up}{}", super::rel(&top, &top.join(in_top)));
        }
    }
    super::rel(&root, &path)
}

fn git(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Result<Output, String> {
    let mut cmd = Command::new("git");
    cmd.args(args)
        .current_dir(dir)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run git: {}", crate::io_message(&e)))?;
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        // The input is a few short paths: it fits the pipe buffer, no writer thread needed.
        pipe.write_all(input)
            .map_err(|e| format!("cannot talk to git: {e}"))?;
    }
    child
        .wait_with_output()
        .map_err(|e| format!("git failed: {e}"))
}

fn failure(what: &str, out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let first = stderr
        .lines()
        .next()
        .unwrap_or("")
        .trim_start_matches("fatal: ");
    format!("{what} failed: {first}")
}
