//! Writing, or checking, every file generated from the spec: the one
//! implementation behind `tokenspec gen` and `cargo xtask gen`.
//!
//! The expected contents come from `crate::render::outputs`,
//! the same renderer `check`'s drift rule compares with (through [`plan`]).
//!
//! `gen` owns the spec's tokens in the committed files:
//!
//! - a spec token found outside the managed block of `.env.ci` or
//!   `.tokens.ci` with an empty or placeholder value is taken into the
//!   generated block of its class's CI file: its line, and the comment
//!   lines directly above it, move there and are reported ([`Taken`]). Its
//!   committed value is kept when it is a valid CI value
//!   (`Token::keeps_ci_value`), else the block gets the spec's `ci_value`.
//!   A token in the wrong class's CI file so moves to the right one;
//! - a token set twice outside the block with two values is refused with
//!   both lines: gen never picks one;
//! - a block line the spec no longer puts there is reported ([`Removed`]);
//! - a runtime token found outside the block of a committed template
//!   (`.env.example`, `.env.sample`, `.env.template`, the spec's
//!   `templates`) is taken into the template's block of empty values;
//! - such a line holding any other value makes the whole run refuse
//!   ([`Error::Refused`]): nothing is written, and the line is named, never
//!   its value. A refusal is an error, so no caller can take it for success;
//! - every other line stays byte for byte, in order.
//!
//! A template gets its block automatically once it exists: gen never creates one.
//!
//! Writing holds the root's lock ([`crate::lock`]) and goes through
//! [`crate::atomic`], so each file keeps its mode, owner and group.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::Path;

use crate::render::ci_files::CarriedMap;
use crate::render::docs::WorkflowUsage;
use crate::render::{self, ci_files, markers};
use tokenspec_core::dotenv;
use tokenspec_core::format::{is_placeholder, looks_like_secret};
use tokenspec_core::Class;
use tokenspec_spec::Spec;

use crate::atomic;
use crate::io_message;
use crate::lock::RootLock;
pub use crate::Loc;

/// Whether to write the stale files or only report them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Write,
    Check,
}

/// A token line taken out of a committed file into a generated block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taken {
    pub key: String,
    pub from: Loc,
    /// The file whose block now holds the token.
    pub into: String,
    /// Its committed value is kept in the block (else the spec's `ci_value`,
    /// or in a template an empty value, is written).
    pub kept_value: bool,
    /// How many comment lines directly above it moved with it.
    pub comment_lines: usize,
    /// Its value differed from the one kept from this line (the token's
    /// own CI file comes first), so the block holds that one.
    pub dropped_for: Option<Loc>,
}

impl Taken {
    /// The token was in the other class's CI file.
    pub fn moved(&self) -> bool {
        self.from.file != self.into
    }
}

impl fmt::Display for Taken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.moved() {
            write!(
                f,
                "moved {} from {} into the generated block of {}",
                self.key, self.from, self.into
            )?;
        } else {
            write!(
                f,
                "took {} at {} into the generated block",
                self.key, self.from
            )?;
        }
        if self.kept_value {
            f.write_str(", keeping its value")?;
        }
        if let Some(first) = &self.dropped_for {
            write!(f, ", dropping its value for the one at {first}")?;
        }
        match self.comment_lines {
            0 => Ok(()),
            1 => f.write_str(", with the comment line above it"),
            n => write!(f, ", with the {n} comment lines above it"),
        }
    }
}

/// A line of a generated block that the spec no longer puts there: gen
/// drops it and says so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Removed {
    pub key: String,
    pub at: Loc,
    /// Why: the token left the spec, or is now of the other class.
    pub why: &'static str,
}

impl fmt::Display for Removed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "removed {} at {} from the generated block: {}",
            self.key, self.at, self.why
        )
    }
}

/// A token line in a committed file that gen will not take: its value is
/// not a safe CI value, or the token is set again with another value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub key: String,
    pub at: Loc,
    /// The other line when the token is set twice with different values.
    pub again: Option<Loc>,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.again {
            None => write!(
                f,
                "{}: {} holds a value that is not a placeholder, in a committed file",
                self.at, self.key
            ),
            Some(again) => write!(
                f,
                "{}: {} is set again at {again} with a different value; gen does not pick one",
                self.at, self.key
            ),
        }
    }
}

/// The fix for a [`Refusal`] of a value, as one line.
pub const REFUSAL_HELP: &str = "rotate the token: the value is in git history; then delete the line (or put the token's ci_value there) and run `tokenspec gen` again; nothing was written";

/// The fix for a [`Refusal`] of a token set twice, as one line.
pub const DUPLICATE_HELP: &str =
    "keep one of the two lines (the value your tests expect) and run `tokenspec gen` again; nothing was written";

/// The one help line for a list of refusals: a value refusal's, when any.
pub fn refusal_help(refused: &[Refusal]) -> &'static str {
    if refused.iter().any(|r| r.again.is_none()) {
        REFUSAL_HELP
    } else {
        DUPLICATE_HELP
    }
}

/// What a run found, and in [`Mode::Write`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// Generated files that were missing or differed, in output order
    /// (written in [`Mode::Write`] unless the run was refused).
    pub stale: Vec<Stale>,
    /// How many generated files there are in all.
    pub total: usize,
    /// Token lines taken into generated blocks (their files are in `stale`).
    pub taken: Vec<Taken>,
    /// Lines of generated blocks the spec no longer puts there.
    pub removed: Vec<Removed>,
    /// tokenspec's temporary files left by an interrupted write, removed.
    pub removed_temp_files: Vec<String>,
}

/// A generated file that does not hold what the spec says it should.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stale {
    /// Path relative to the root.
    pub path: String,
    /// Whether the file existed (`false`: it was missing).
    pub existed: bool,
}

impl std::fmt::Display for Stale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = if self.existed {
            "is out of date with"
        } else {
            "is missing, generated from"
        };
        write!(f, "{} {state} {}", self.path, render::SPEC_FILE)
    }
}

impl Report {
    pub fn is_fresh(&self) -> bool {
        self.stale.is_empty()
    }
}

/// Why a run stopped. Names files and lines, never a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// Lines of committed files that hold a value that is not a
    /// placeholder ([`Refusal`]): nothing was written.
    Refused(Vec<Refusal>),
    /// The root's lock could not be taken.
    Lock(String),
    /// A file that could not be read or written.
    File { path: String, message: String },
}

impl tokenspec_core::Help for Error {
    fn help(&self) -> Option<String> {
        match self {
            Error::Refused(refused) => Some(refusal_help(refused).to_owned()),
            Error::Lock(_) => crate::lock::LockError::Held {
                root: Default::default(),
            }
            .help(),
            Error::File { .. } => Some(
                "fix access to the file; files named before it may have been written, the others were not"
                    .to_owned(),
            ),
        }
    }
}

impl std::fmt::Display for Error {
    /// One line per refused line; otherwise one line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Refused(refused) => {
                for (i, r) in refused.iter().enumerate() {
                    if i > 0 {
                        f.write_str("\n")?;
                    }
                    write!(f, "{r}")?;
                }
                Ok(())
            }
            Error::Lock(message) => f.write_str(message),
            Error::File { path, message } => write!(f, "{path}: {message}"),
        }
    }
}

/// One generated file and its expected content.
#[derive(Clone, PartialEq, Eq)]
pub struct GenFile {
    pub path: String,
    pub content: String,
}

impl fmt::Debug for GenFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GenFile")
            .field("path", &self.path)
            .field("bytes", &self.content.len())
            .finish()
    }
}

/// What `gen` would write, from the files' current texts. Pure.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Planned {
    pub outputs: Vec<GenFile>,
    pub taken: Vec<Taken>,
    pub removed: Vec<Removed>,
    pub refused: Vec<Refusal>,
}

/// Plans every output. `read(path)` gives a file's current text (`None`
/// when it does not exist).
pub fn plan(spec: &Spec, read: impl Fn(&str) -> Option<String>) -> Planned {
    plan_with(spec, &WorkflowUsage::default(), read)
}

/// [`plan`] for a repository whose workflows use the tokens as `usage` says.
pub fn plan_with(
    spec: &Spec,
    usage: &WorkflowUsage,
    read: impl Fn(&str) -> Option<String>,
) -> Planned {
    let mut planned = Planned::default();
    let mut taking = Taking::default();
    let texts: Vec<(&'static str, Option<String>)> = Class::ALL
        .into_iter()
        .map(|c| (ci_files::path(c), read(ci_files::path(c))))
        .collect();
    // A token's own CI file first: its value wins over one moved in.
    for own in [true, false] {
        for (path, text) in &texts {
            if let Some(t) = text {
                take_tokens(
                    spec,
                    path,
                    t,
                    Owner::CiFile { own },
                    &mut planned,
                    &mut taking,
                );
            }
        }
    }
    // Notes in file order, then line order.
    planned
        .taken
        .sort_by_key(|t| (t.from.file != ci_files::TOKENS_CI, t.from.line));
    let mut cleaned: Vec<(&str, Option<String>)> = Vec::new();
    for (path, text) in &texts {
        if let Some(t) = text {
            removed_from_block(
                spec,
                path,
                t,
                Some(
                    Class::ALL
                        .into_iter()
                        .find(|c| ci_files::path(*c) == *path)
                        .unwrap_or(Class::Runtime),
                ),
                &mut planned.removed,
            );
        }
        cleaned.push((path, text.as_deref().map(|t| taking.cut(path, t))));
    }
    let rendered = render::outputs_carrying(
        spec,
        usage,
        |path| match cleaned.iter().find(|(p, _)| *p == path) {
            Some((_, text)) => text.clone(),
            None => read(path),
        },
        |path| taking.carried.get(path),
    );
    planned
        .outputs
        .extend(rendered.into_iter().map(|o| GenFile {
            path: o.path.to_owned(),
            content: o.content,
        }));
    // Templates are per class: a token of the other class moves to the
    // sibling template (`.env.example` -> `.tokens.example`), which gen
    // creates for it when it does not exist.
    let templates: Vec<(String, Option<String>)> = spec
        .template_names()
        .into_iter()
        .map(|name| {
            let text = read(&name);
            (name, text)
        })
        .collect();
    for (name, text) in &templates {
        let Some(text) = text else { continue };
        let class = render::template_class(name);
        removed_from_block(spec, name, text, Some(class), &mut planned.removed);
        take_tokens(spec, name, text, Owner::Template, &mut planned, &mut taking);
    }
    let mut extra: Vec<(String, Option<String>)> = Vec::new();
    for t in &planned.taken {
        let known = templates.iter().chain(&extra).any(|(n, _)| *n == t.into);
        if !known && !ci_files_path(&t.into) {
            extra.push((t.into.clone(), read(&t.into)));
        }
    }
    for (name, text) in templates.iter().chain(&extra) {
        if text.is_none() && !taking.carried.contains_key(name) {
            continue;
        }
        let text = text.as_deref().unwrap_or("");
        let kept = taking.cut(name, text);
        let none = CarriedMap::new();
        planned.outputs.push(GenFile {
            content: render::template_file_carrying(
                spec,
                render::template_class(name),
                &kept,
                taking.carried.get(name).unwrap_or(&none),
            ),
            path: name.clone(),
        });
    }
    planned
}

fn ci_files_path(path: &str) -> bool {
    Class::ALL.into_iter().any(|c| ci_files::path(c) == path)
}

/// What the take step collects across files.
#[derive(Default)]
struct Taking {
    /// Byte ranges to cut, by file.
    cut: BTreeMap<String, Vec<Range<usize>>>,
    /// What each taken token brings, by destination file and token.
    carried: BTreeMap<String, CarriedMap>,
    /// Where a kept value came from, by destination file and token.
    kept_at: BTreeMap<(String, String), Loc>,
}

impl Taking {
    /// `text` of `path` without its taken lines.
    fn cut(&self, path: &str, text: &str) -> String {
        let mut ranges = self.cut.get(path).cloned().unwrap_or_default();
        ranges.sort_by_key(|r| r.start);
        let mut kept = String::with_capacity(text.len());
        let mut pos = 0;
        for r in ranges {
            let start = r.start.max(pos);
            kept.push_str(&text[pos..start]);
            pos = pos.max(r.end);
        }
        kept.push_str(&text[pos..]);
        kept
    }
}

/// The entries of `text`'s generated blocks that the fresh block will not
/// hold: tokens that left the spec or changed class. A template's block
/// holds the runtime tokens (`class` `None`).
fn removed_from_block(
    spec: &Spec,
    path: &str,
    text: &str,
    class: Option<Class>,
    out: &mut Vec<Removed>,
) {
    let class = class.unwrap_or(Class::Runtime);
    let blocks = markers::block_lines(text);
    if blocks.is_empty() {
        return;
    }
    for e in dotenv::parse(text).entries {
        if !blocks.iter().any(|b| b.contains(&e.line)) {
            continue;
        }
        let why = match spec.token(&e.key) {
            Some(t) if t.class == class => continue,
            Some(_) => match class {
                Class::Runtime => "it is now a cicd token in token-spec.toml",
                Class::Cicd => "it is now a runtime token in token-spec.toml",
            },
            None => "it is no longer a token in token-spec.toml",
        };
        out.push(Removed {
            key: e.key,
            at: Loc {
                file: path.to_owned(),
                line: e.line,
            },
            why,
        });
    }
}

/// Whose tokens a committed file's block holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Owner {
    /// A CI file: any spec token outside the block is taken into its
    /// class's CI file; `own` picks the tokens of the file's own class
    /// (true) or the ones that move to the other file (false).
    CiFile { own: bool },
    /// A template: the runtime tokens; only those are taken.
    Template,
}

/// Records the spec-token lines outside `text`'s managed blocks (and the
/// comment lines directly above each) as taken or refused; what each taken
/// line carries goes into `taking` by destination.
fn take_tokens(
    spec: &Spec,
    path: &str,
    text: &str,
    owner: Owner,
    out: &mut Planned,
    taking: &mut Taking,
) {
    let doc = dotenv::parse(text);
    let blocks = markers::block_lines(text);
    // Blocks are sorted and disjoint: a binary search keeps this linear-ish.
    let in_block = |line: usize| {
        let i = blocks.partition_point(|b| *b.end() < line);
        blocks.get(i).is_some_and(|b| b.contains(&line))
    };
    let lines: Vec<&str> = text
        .split_inclusive('\n')
        .map(|l| l.trim_end_matches('\n').trim_end_matches('\r'))
        .collect();
    // Byte offset where each line starts, to cut comment lines with their entry.
    let mut starts = Vec::with_capacity(lines.len() + 1);
    let mut at = 0;
    for l in text.split_inclusive('\n') {
        starts.push(at);
        at += l.len();
    }
    starts.push(at);
    let index = dotenv::KeyIndex::new(&doc);
    // For each entry's line, the last line of the entry before it.
    let mut prev_end_line = std::collections::HashMap::new();
    let mut last = 0;
    for e in &doc.entries {
        prev_end_line.insert(e.line, last);
        last = starts.partition_point(|&s| s < e.span.end);
    }
    let keeps = |t: &tokenspec_spec::Token, v: &str| {
        matches!(owner, Owner::CiFile { .. }) && t.keeps_ci_value(v)
    };
    let safe = |t: &tokenspec_spec::Token, v: &str| {
        v.is_empty()
            || keeps(t, v)
            || (is_placeholder(v, &t.ci_value) && looks_like_secret(v).is_none())
    };
    for e in &doc.entries {
        let Some(t) = spec.token(&e.key) else {
            continue;
        };
        if in_block(e.line) {
            continue;
        }
        let own_file = ci_files::path(t.class) == path;
        let into = match owner {
            Owner::CiFile { own } if own == own_file => ci_files::path(t.class).to_owned(),
            Owner::CiFile { .. } => continue,
            Owner::Template if t.class == render::template_class(path) => path.to_owned(),
            Owner::Template => match render::sibling_template(path) {
                Some(sibling) => sibling,
                None => continue,
            },
        };
        let at = Loc {
            file: path.to_owned(),
            line: e.line,
        };
        if !safe(t, &e.value) {
            out.refused.push(Refusal {
                key: e.key.clone(),
                at,
                again: None,
            });
            continue;
        }
        // Set again outside the block with another safe value: never pick one.
        let other = index.all(&e.key).find(|o| {
            o.line != e.line
                && !in_block(o.line)
                && !o.value.is_empty()
                && !e.value.is_empty()
                && o.value != e.value
                && safe(t, &o.value)
        });
        if let Some(o) = other {
            if o.line > e.line {
                out.refused.push(Refusal {
                    key: e.key.clone(),
                    at,
                    again: Some(Loc {
                        file: path.to_owned(),
                        line: o.line,
                    }),
                });
            }
            continue;
        }
        // The comment block directly above, unless it is inside a block,
        // part of the entry before (a multi-line value), or the file's
        // header (a run from its first line).
        let block_end = blocks
            .iter()
            .rev()
            .find(|b| *b.end() < e.line)
            .map_or(0, |b| *b.end());
        let prev_end = prev_end_line.get(&e.line).copied().unwrap_or(0);
        let mut comment = ci_files::comment_above(&lines, e.line, block_end.max(prev_end));
        let mut comment_lines = comment.lines().count();
        if comment_lines > 0 && e.line - comment_lines == 1 {
            comment.clear();
            comment_lines = 0;
        }
        let from = starts[e.line - 1 - comment_lines];
        taking
            .cut
            .entry(path.to_owned())
            .or_default()
            .push(from.min(e.span.start)..e.span.end);
        let slot = taking
            .carried
            .entry(into.clone())
            .or_default()
            .entry(e.key.clone())
            .or_default();
        let mut kept_value = false;
        let mut dropped_for = None;
        if keeps(t, &e.value) {
            match taking.kept_at.get(&(into.clone(), e.key.clone())) {
                Some(first) if slot.value.as_deref() != Some(e.value.as_str()) => {
                    dropped_for = Some(first.clone());
                }
                Some(_) => {}
                None => {
                    slot.value = Some(e.value.clone());
                    kept_value = e.value != t.ci_value;
                    taking
                        .kept_at
                        .insert((into.clone(), e.key.clone()), at.clone());
                }
            }
        }
        if !comment.is_empty() {
            slot.comment.push_str(&comment);
        }
        out.taken.push(Taken {
            key: e.key.clone(),
            from: at,
            into,
            kept_value,
            comment_lines,
            dropped_for,
        });
    }
}

/// Every folder below the root that `gen` writes in (generated files'
/// folders, the policy folders, the templates' folders), sorted: where an
/// interrupted write may have left a temporary file for
/// [`atomic::sweep`] and `check` to find.
pub fn folders(spec: &Spec) -> Vec<String> {
    use tokenspec_spec::model::{GENERATED_FILES, GENERATED_FOLDERS};
    let mut out: Vec<String> = GENERATED_FILES
        .iter()
        .map(|f| (*f).to_owned())
        .chain(spec.templates.iter().cloned())
        .filter_map(|f| f.rsplit_once('/').map(|(dir, _)| dir.to_owned()))
        .chain(GENERATED_FOLDERS.iter().map(|d| (*d).to_owned()))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Renders every output for `spec` and writes (or, in [`Mode::Check`],
/// only lists) those that differ from the files under `root`.
///
/// A file that exists but cannot be read stops the run before anything is
/// written: treating it as missing would overwrite its hand-kept lines. A
/// [`Refusal`] also stops it, in either mode: [`Error::Refused`] lists them
/// and nothing is written.
pub fn run(root: &Path, spec: &Spec, mode: Mode) -> Result<Report, Error> {
    let _lock = match mode {
        Mode::Write => Some(RootLock::acquire(root).map_err(|e| Error::Lock(e.to_string()))?),
        Mode::Check => None,
    };
    let read_error = RefCell::new(None);
    let usage = crate::workflows::read(root).usage(spec);
    let planned = plan_with(spec, &usage, |path| read_existing(root, path, &read_error));
    if let Some(e) = read_error.into_inner() {
        return Err(e);
    }
    if !planned.refused.is_empty() {
        return Err(Error::Refused(planned.refused));
    }
    let removed_temp_files = match mode {
        Mode::Write => atomic::sweep(root, &folders(spec)),
        Mode::Check => Vec::new(),
    };
    let mut stale = Vec::new();
    for o in &planned.outputs {
        let current = tokenspec_core::file::read_in_root(root, Path::new(&o.path))
            .ok()
            .flatten();
        if current.as_deref().map(Vec::as_slice) == Some(o.content.as_bytes()) {
            continue;
        }
        if mode == Mode::Write {
            write(root, o)?;
        }
        stale.push(Stale {
            path: o.path.clone(),
            existed: current.is_some(),
        });
    }
    Ok(Report {
        stale,
        total: planned.outputs.len(),
        taken: planned.taken,
        removed: planned.removed,
        removed_temp_files,
    })
}

fn read_existing(root: &Path, path: &str, error: &RefCell<Option<Error>>) -> Option<String> {
    match tokenspec_core::file::read_text_in_root(root, Path::new(path)) {
        Ok(text) => text,
        Err(e) => {
            error.borrow_mut().get_or_insert(Error::File {
                path: path.to_owned(),
                message: format!("cannot read it: {}", io_message(&e)),
            });
            None
        }
    }
}

fn write(root: &Path, o: &GenFile) -> Result<(), Error> {
    // Generated files are committed: a new one is 0644, an existing one keeps
    // its mode, owner and group. No folder or file on the way may lead out
    // of the root.
    atomic::write_in_root(root, &o.path, o.content.as_bytes(), 0o644).map_err(|e| Error::File {
        path: o.path.clone(),
        message: format!("cannot write it: {}", io_message(&e)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "[[token]]\nname = \"A_TOKEN\"\nclass = \"cicd\"\ndescription = \"d\"\n\
        [[token]]\nname = \"B_KEY\"\nclass = \"runtime\"\ndescription = \"d\"\n";

    fn spec() -> Spec {
        Spec::parse(SPEC, "token-spec.toml").unwrap()
    }

    #[test]
    fn writes_then_is_fresh() {
        let dir = tempfile::tempdir().unwrap();
        let spec = spec();
        let first = run(dir.path(), &spec, Mode::Check).unwrap();
        assert_eq!(first.stale.len(), first.total, "nothing exists yet");
        assert!(first.stale.iter().all(|s| !s.existed));
        assert!(
            dir.path().read_dir().unwrap().next().is_none(),
            "check writes nothing"
        );
        let written = run(dir.path(), &spec, Mode::Write).unwrap();
        assert_eq!(written.stale, first.stale);
        assert!(run(dir.path(), &spec, Mode::Check).unwrap().is_fresh());
    }

    #[test]
    fn takes_tokens_outside_the_block_and_keeps_other_lines() {
        let env_ci =
            "APP_ENV=ci\nA_TOKEN=ci_test_a_token\n# tests expect it\nB_KEY=ci_test_other\nDB=x\n";
        let p = plan(&spec(), |path| {
            (path == ".env.ci").then(|| env_ci.to_owned())
        });
        assert!(p.refused.is_empty());
        let taken: Vec<String> = p.taken.iter().map(ToString::to_string).collect();
        assert_eq!(
            taken,
            [
                "moved A_TOKEN from .env.ci:2 into the generated block of .tokens.ci",
                "took B_KEY at .env.ci:4 into the generated block, keeping its value, with the comment line above it",
            ]
        );
        let out = &p
            .outputs
            .iter()
            .find(|o| o.path == ".env.ci")
            .unwrap()
            .content;
        assert!(
            out.starts_with("APP_ENV=ci\nDB=x\n\n# >>> tokenspec"),
            "{out}"
        );
        assert_eq!(out.matches("B_KEY=").count(), 1);
        assert!(
            out.contains("\n# tests expect it\n# d\nB_KEY=ci_test_other\n"),
            "{out}"
        );
        assert!(!out.contains("A_TOKEN="));
        let again = plan(&spec(), |path| (path == ".env.ci").then(|| out.clone()));
        assert!(again.taken.is_empty());
    }

    #[test]
    fn a_real_value_refuses_and_names_only_the_line() {
        let real = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
        let dir = tempfile::tempdir().unwrap();
        let text = format!("X=1\nA_TOKEN={real}\n");
        std::fs::write(dir.path().join(".tokens.ci"), &text).unwrap();
        let Err(Error::Refused(refused)) = run(dir.path(), &spec(), Mode::Write) else {
            panic!("not refused");
        };
        let msg = refused[0].to_string();
        assert!(msg.starts_with(".tokens.ci:2: A_TOKEN "), "{msg}");
        assert!(!msg.contains(real));
        assert_eq!(dir.path().read_dir().unwrap().count(), 1, "nothing written");
        assert_eq!(
            std::fs::read_to_string(dir.path().join(".tokens.ci")).unwrap(),
            text
        );
    }

    #[test]
    fn an_existing_template_gets_a_block_of_empty_tokens_of_its_class() {
        let example = "# settings\nPORT=8080\nB_KEY=\nA_TOKEN=\n";
        let p = plan(&spec(), |path| {
            (path == ".env.example").then(|| example.to_owned())
        });
        let out = |name: &str| {
            p.outputs
                .iter()
                .find(|o| o.path == name)
                .unwrap_or_else(|| panic!("{name}"))
                .content
                .clone()
        };
        let env = out(".env.example");
        assert!(
            env.starts_with("# settings\nPORT=8080\n\n# >>> tokenspec: runtime tokens"),
            "{env}"
        );
        assert!(env.contains("copy this file to .env and"), "{env}");
        assert!(env.contains("\nB_KEY=\n# <<< tokenspec"), "{env}");
        // The cicd name moves to the cicd template, which gen creates for it.
        let tokens = out(".tokens.example");
        assert!(
            tokens.starts_with("# >>> tokenspec: cicd tokens"),
            "{tokens}"
        );
        assert!(tokens.contains("copy this file to .tokens and"), "{tokens}");
        assert!(tokens.contains("\nA_TOKEN=\n# <<< tokenspec"), "{tokens}");
        let taken: Vec<String> = p.taken.iter().map(ToString::to_string).collect();
        assert!(
            taken.contains(
                &"moved A_TOKEN from .env.example:4 into the generated block of .tokens.example"
                    .to_owned()
            ),
            "{taken:?}"
        );
        assert!(!p.outputs.iter().any(|o| o.path == ".env.sample"));
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        /// A line of a committed `.env.ci`: a setting, a comment, a blank,
        /// or a spec token with a placeholder or empty value.
        fn line() -> impl Strategy<Value = String> {
            prop_oneof![
                "[A-Z][A-Z0-9_]{0,8}=[a-z0-9]{0,6}".prop_map(|l| l),
                "# [a-z ]{0,10}".prop_map(|l| l),
                Just(String::new()),
                prop_oneof![Just("A_TOKEN"), Just("B_KEY")].prop_flat_map(|k| prop_oneof![
                    Just(format!("{k}=")),
                    Just(format!("{k}=ci_test_x")),
                    Just(format!("export {k}='x_placeholder' # c")),
                ]),
            ]
        }

        proptest! {
            #[test]
            fn keeps_every_other_line_in_order_and_settles(lines in proptest::collection::vec(line(), 0..30)) {
                let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
                let read = |t: String| move |path: &str| (path == ".env.ci").then(|| t.clone());
                let p = plan(&spec(), read(text.clone()));
                // A token set twice with two values is refused, naming both lines.
                let values = |k: &str| {
                    let mut v: Vec<String> = dotenv::parse(&text).entries.into_iter()
                        .filter(|e| e.key == k && !e.value.is_empty()).map(|e| e.value).collect();
                    v.sort();
                    v.dedup();
                    v.len()
                };
                if values("A_TOKEN") > 1 || values("B_KEY") > 1 {
                    prop_assert!(!p.refused.is_empty());
                    prop_assert!(p.refused.iter().all(|r| r.again.is_some()));
                    return Ok(());
                }
                prop_assert!(p.refused.is_empty());
                let out = p.outputs.iter().find(|o| o.path == ".env.ci").unwrap().content.clone();
                // The lines outside the block, in order, are the input's non-token lines.
                let is_token = |l: &&String| {
                    let l = l.trim_start_matches("export ");
                    l.starts_with("A_TOKEN=") || l.starts_with("B_KEY=")
                };
                // A comment run directly above a token line moves with it.
                let mut moves = vec![false; lines.len()];
                for i in (0..lines.len()).rev() {
                    moves[i] = is_token(&&lines[i])
                        || (lines[i].starts_with('#') && i + 1 < lines.len() && moves[i + 1]
                            && (is_token(&&lines[i + 1]) || lines[i + 1].starts_with('#')));
                }
                // ... unless the run starts on the first line: the file's header.
                for i in 0..lines.len() {
                    if !lines[i].starts_with('#') { break; }
                    moves[i] = false;
                }
                let kept: Vec<&String> = lines.iter().zip(&moves).filter(|(_, m)| !**m).map(|(l, _)| l).collect();
                let before_block = out.split("# >>> tokenspec").next().unwrap();
                let mut expected: String = kept.iter().map(|l| format!("{l}\n")).collect();
                if !expected.is_empty() && !expected.ends_with("\n\n") && !expected.trim().is_empty() {
                    expected.push('\n');
                }
                prop_assert_eq!(before_block, expected.as_str());
                // Each token once, in its class's file: B_KEY here, A_TOKEN not.
                let keys: Vec<String> = dotenv::parse(&out).entries.into_iter().map(|e| e.key).collect();
                prop_assert_eq!(keys.iter().filter(|k| *k == "B_KEY").count(), 1);
                prop_assert!(!keys.iter().any(|k| k == "A_TOKEN"));
                // A second run takes nothing and changes nothing.
                let again = plan(&spec(), read(out.clone()));
                prop_assert!(again.taken.is_empty());
                let out2 = &again.outputs.iter().find(|o| o.path == ".env.ci").unwrap().content;
                prop_assert_eq!(out2, &out);
            }
        }
    }
}
