//! Planning a migration: which entries move, and the new text of each file.
//!
//! Works on text only, so it is fast to property-test. The rules:
//!
//! - a cicd token in a `.env*` file moves to the pair's `.tokens*` file, a
//!   runtime token in a `.tokens*` file moves to the `.env*` file; keys the
//!   spec does not know stay and are reported;
//! - a moved entry is cut out of the source as its whole text (its span runs
//!   from the start of its first line through its line terminator) and
//!   appended to the destination unchanged, so no value can change;
//! - when the destination already holds the key with the same value, the
//!   source copy is only removed; a different value, or a key to move that
//!   appears twice in one file, is a conflict and nothing in that pair changes;
//! - a committed CI file never receives a value that is not a placeholder;
//! - each pair is planned on its own: a conflict in one pair (say, the
//!   committed CI files) never blocks another (a developer's `.env`).
//!
//! Linear in the size of the files: every lookup by key goes through a hash index.
//!
//! Comments stay where they are, even one right above a moved entry: a
//! comment may describe a group of lines, and moving it could carry text
//! into a committed file that its author never meant for it.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Range;

use tokenspec_core::dotenv::{self, Document, Entry, Hazard, KeyIndex};
use tokenspec_core::format::{is_placeholder, looks_like_secret};
use tokenspec_core::Class;
use tokenspec_spec::Spec;

pub use crate::Loc;

/// What planning needs to know about each token of the spec.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    tokens: HashMap<String, (Class, String)>,
}

impl Catalog {
    /// The tokens of `spec`, with their class and safe CI value.
    pub fn from_spec(spec: &Spec) -> Catalog {
        let mut c = Catalog::default();
        for t in &spec.tokens {
            c.insert(&t.name, t.class, &t.ci_value);
        }
        c
    }

    pub fn insert(&mut self, name: &str, class: Class, ci_value: &str) {
        self.tokens
            .insert(name.to_owned(), (class, ci_value.to_owned()));
    }

    fn class(&self, name: &str) -> Option<Class> {
        self.tokens.get(name).map(|(c, _)| *c)
    }

    fn ci_value(&self, name: &str) -> &str {
        self.tokens.get(name).map_or("", |(_, v)| v)
    }
}

/// One file as read from disk: its name relative to the root and its text
/// (`None` when it does not exist).
#[derive(Clone, PartialEq, Eq)] // Debug by hand: never print the text
pub struct FileInput {
    pub name: String,
    pub text: Option<String>,
}

impl fmt::Debug for FileInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileInput")
            .field("name", &self.name)
            .field("bytes", &self.text.as_ref().map(String::len))
            .finish()
    }
}

/// The two files of one environment (or of the base, `env == None`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PairInput {
    pub env: Option<String>,
    /// `.env` or `.env.<env>`.
    pub runtime: FileInput,
    /// `.tokens` or `.tokens.<env>`.
    pub cicd: FileInput,
}

impl PairInput {
    /// The names of the pair's files: (`.env[.<env>]`, `.tokens[.<env>]`).
    pub fn file_names(env: Option<&str>) -> (String, String) {
        let name = |c: Class| match env {
            Some(e) => c.env_file(e),
            None => c.base_file().to_owned(),
        };
        (name(Class::Runtime), name(Class::Cicd))
    }

    /// `.env.ci` and `.tokens.ci` are committed, so they only take placeholders.
    fn is_committed(&self) -> bool {
        self.env.as_deref() == Some("ci")
    }
}

/// One token leaving a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Move {
    pub key: String,
    pub from: Loc,
    /// The destination file.
    pub to: String,
    pub kind: MoveKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MoveKind {
    /// The entry's text is appended to the destination.
    Moved,
    /// The destination already holds the same value at `kept`; the source copy is removed.
    Duplicate { kept: Loc },
}

/// Why nothing may change. Messages name keys, files and lines, never values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// A line the parser cannot read.
    Parse { at: Loc, message: String },
    /// A key to move appears twice in one file.
    Twice {
        key: String,
        first: Loc,
        second: Loc,
    },
    /// The source and the destination hold different values.
    Differs { key: String, source: Loc, dest: Loc },
    /// The value would land in a committed CI file but is not a placeholder.
    NotPlaceholder { key: String, from: Loc, to: String },
}

impl Problem {
    /// Parse errors are input errors (exit 2); the rest are policy (exit 1).
    pub fn is_parse(&self) -> bool {
        matches!(self, Problem::Parse { .. })
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Parse { at, message } => write!(f, "{at}: {message}"),
            Problem::Twice { key, first, second } => {
                write!(f, "{key} is set twice in {}: {first} and {second}", first.file)
            }
            Problem::Differs { key, source, dest } => {
                write!(f, "{key} has different values in {source} and {dest}")
            }
            Problem::NotPlaceholder { key, from, to } => write!(
                f,
                "{key} at {from} would move into the committed {to}, but its value is not a placeholder"
            ),
        }
    }
}

/// Keys the spec does not know, left where they are: each name once over
/// every file read, in order of first appearance.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Unknown {
    /// Names safe to show, each once.
    pub keys: Vec<String>,
    /// The files holding them, each once.
    pub files: Vec<String>,
    /// Keys that look like a secret or are not a variable name (a value
    /// pasted as a line of its own): shown only by place.
    pub hidden: Vec<Loc>,
}

impl Unknown {
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.hidden.is_empty()
    }
}

/// A token line whose value dotenvy's `$` substitution would change or reject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HazardLine {
    pub key: String,
    pub at: Loc,
    pub hazard: Hazard,
}

/// A file whose text changes.
#[derive(Clone, PartialEq, Eq)] // Debug by hand: never print the text
pub struct FileChange {
    pub name: String,
    /// The text read; `None` when the file is created.
    pub before: Option<String>,
    /// The text with only the appended entries, written before any source is
    /// shortened so that a crash never loses a value. `None` when nothing is appended.
    pub grown: Option<String>,
    /// The final text.
    pub after: String,
}

impl FileChange {
    /// The text on disk after the first (appending) phase.
    pub fn after_grow(&self) -> Option<&str> {
        self.grown.as_deref().or(self.before.as_deref())
    }

    /// Whether the second phase has anything to write.
    pub fn shrinks(&self) -> bool {
        self.after_grow() != Some(self.after.as_str())
    }
}

impl fmt::Debug for FileChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileChange")
            .field("name", &self.name)
            .field("created", &self.before.is_none())
            .field("grows", &self.grown.is_some())
            .field("shrinks", &self.shrinks())
            .finish()
    }
}

/// The plan of one pair. When `problems` is not empty, nothing of this
/// pair may be written (`changes` and `moves` are then empty).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PairPlan {
    pub env: Option<String>,
    /// Files that change, runtime file first.
    pub changes: Vec<FileChange>,
    pub moves: Vec<Move>,
    pub problems: Vec<Problem>,
}

impl PairPlan {
    pub fn is_refused(&self) -> bool {
        !self.problems.is_empty()
    }

    /// The pair's file names, e.g. `.env.prod and .tokens.prod`.
    pub fn name(&self) -> String {
        let (r, c) = PairInput::file_names(self.env.as_deref());
        format!("{r} and {c}")
    }

    /// The committed CI pair, whose tokens `tokenspec gen` owns.
    pub fn is_committed(&self) -> bool {
        self.env.as_deref() == Some("ci")
    }
}

/// The outcome of planning: one [`PairPlan`] per pair, in input order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub pairs: Vec<PairPlan>,
    pub unknown: Unknown,
    pub hazards: Vec<HazardLine>,
}

impl Plan {
    /// Nothing to do and nothing wrong.
    pub fn is_noop(&self) -> bool {
        self.pairs
            .iter()
            .all(|p| p.changes.is_empty() && p.problems.is_empty())
    }

    /// The changes of every pair that is not refused.
    pub fn changes(&self) -> impl Iterator<Item = &FileChange> {
        self.pairs.iter().flat_map(|p| &p.changes)
    }

    /// The moves of every pair that is not refused.
    pub fn moves(&self) -> impl Iterator<Item = &Move> {
        self.pairs.iter().flat_map(|p| &p.moves)
    }

    /// The problems of every refused pair.
    pub fn problems(&self) -> impl Iterator<Item = &Problem> {
        self.pairs.iter().flat_map(|p| &p.problems)
    }

    pub fn refused(&self) -> impl Iterator<Item = &PairPlan> {
        self.pairs.iter().filter(|p| p.is_refused())
    }
}

/// Plans the migration of every pair, each on its own. Pure: reads and writes nothing.
pub fn plan(catalog: &Catalog, pairs: &[PairInput]) -> Plan {
    let mut out = Plan::default();
    let mut unknown_seen = HashSet::new();
    for pair in pairs {
        let mut p = PairPlan {
            env: pair.env.clone(),
            ..PairPlan::default()
        };
        plan_pair(catalog, pair, &mut p, &mut out, &mut unknown_seen);
        if p.is_refused() {
            p.changes.clear();
            p.moves.clear();
        }
        out.pairs.push(p);
    }
    out
}

/// One file of a pair while planning.
struct Side<'a> {
    file: &'a FileInput,
    class: Class,
    doc: &'a Document,
    index: KeyIndex<'a>,
    /// Spans cut out of this file.
    removed: Vec<Range<usize>>,
    /// Entry texts appended to this file, in order.
    appended: Vec<&'a str>,
}

impl<'a> Side<'a> {
    fn text(&self) -> &'a str {
        self.file.text.as_deref().unwrap_or("")
    }

    fn all(&self, key: &str) -> impl Iterator<Item = &'a Entry> + '_ {
        self.index.all(key)
    }

    fn loc(&self, e: &Entry) -> Loc {
        Loc {
            file: self.file.name.clone(),
            line: e.line,
        }
    }
}

fn plan_pair(
    catalog: &Catalog,
    pair: &PairInput,
    out: &mut PairPlan,
    plan: &mut Plan,
    unknown_seen: &mut HashSet<String>,
) {
    fn side<'a>(file: &'a FileInput, class: Class, doc: &'a Document) -> Side<'a> {
        Side {
            file,
            class,
            doc,
            index: KeyIndex::new(doc),
            removed: Vec::new(),
            appended: Vec::new(),
        }
    }
    let parse = |f: &FileInput| dotenv::parse(f.text.as_deref().unwrap_or(""));
    let docs = [parse(&pair.runtime), parse(&pair.cicd)];
    let mut sides = [
        side(&pair.runtime, Class::Runtime, &docs[0]),
        side(&pair.cicd, Class::Cicd, &docs[1]),
    ];
    let mut parse_failed = false;
    for s in &sides {
        for e in &s.doc.errors {
            parse_failed = true;
            out.problems.push(Problem::Parse {
                at: Loc {
                    file: s.file.name.clone(),
                    line: e.line,
                },
                message: e.message.clone(),
            });
        }
        report_keys(catalog, s, plan, unknown_seen);
    }
    if parse_failed {
        return;
    }
    for from in 0..2 {
        let to = 1 - from;
        move_out(catalog, pair, &mut sides, from, to, out);
    }
    for s in &sides {
        if s.removed.is_empty() && s.appended.is_empty() {
            continue;
        }
        let other = &sides[1 - class_index(s.class)];
        out.changes.push(rebuild(s, eol_of(other.text())));
    }
}

fn class_index(c: Class) -> usize {
    match c {
        Class::Runtime => 0,
        Class::Cicd => 1,
    }
}

/// Records unknown keys and `$` hazards of one file.
fn report_keys(catalog: &Catalog, s: &Side<'_>, out: &mut Plan, seen: &mut HashSet<String>) {
    let mut in_file = false;
    for e in &s.doc.entries {
        if catalog.class(&e.key).is_none() {
            in_file = true;
            if !crate::is_shown_key(&e.key) {
                out.unknown.hidden.push(s.loc(e));
            } else if seen.insert(e.key.clone()) {
                out.unknown.keys.push(e.key.clone());
            }
        } else if let Some(hazard) = e.hazard {
            out.hazards.push(HazardLine {
                key: e.key.clone(),
                at: s.loc(e),
                hazard,
            });
        }
    }
    if in_file && !out.unknown.files.contains(&s.file.name) {
        out.unknown.files.push(s.file.name.clone());
    }
}

/// Plans the moves of the tokens of `sides[to]`'s class found in `sides[from]`.
fn move_out(
    catalog: &Catalog,
    pair: &PairInput,
    sides: &mut [Side<'_>; 2],
    from: usize,
    to: usize,
    out: &mut PairPlan,
) {
    let (src, dst) = (&sides[from], &sides[to]);
    let mut removed = Vec::new();
    let mut appended = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for e in &src.doc.entries {
        if catalog.class(&e.key) != Some(dst.class) || !seen.insert(&e.key) {
            continue;
        }
        let mut here = src.all(&e.key);
        let first = here.next().expect("e itself");
        if let Some(second) = here.next() {
            out.problems.push(Problem::Twice {
                key: e.key.clone(),
                first: src.loc(first),
                second: src.loc(second),
            });
            continue;
        }
        let mut there = dst.all(&e.key);
        match (there.next(), there.next()) {
            (Some(a), Some(b)) => out.problems.push(Problem::Twice {
                key: e.key.clone(),
                first: dst.loc(a),
                second: dst.loc(b),
            }),
            (Some(kept), None) if kept.value == e.value => {
                removed.push(e.span.clone());
                out.moves.push(Move {
                    key: e.key.clone(),
                    from: src.loc(e),
                    to: dst.file.name.clone(),
                    kind: MoveKind::Duplicate {
                        kept: dst.loc(kept),
                    },
                });
            }
            (Some(other), None) => out.problems.push(Problem::Differs {
                key: e.key.clone(),
                source: src.loc(e),
                dest: dst.loc(other),
            }),
            (None, _) if pair.is_committed() && !is_safe_for_commit(catalog, e) => {
                out.problems.push(Problem::NotPlaceholder {
                    key: e.key.clone(),
                    from: src.loc(e),
                    to: dst.file.name.clone(),
                })
            }
            (None, _) => {
                removed.push(e.span.clone());
                appended.push(&src.text()[e.span.clone()]);
                out.moves.push(Move {
                    key: e.key.clone(),
                    from: src.loc(e),
                    to: dst.file.name.clone(),
                    kind: MoveKind::Moved,
                });
            }
        }
    }
    sides[from].removed.extend(removed);
    sides[to].appended.extend(appended);
}

/// An empty value or a placeholder that does not look like a real secret.
fn is_safe_for_commit(catalog: &Catalog, e: &Entry) -> bool {
    e.value.is_empty()
        || (is_placeholder(&e.value, catalog.ci_value(&e.key))
            && looks_like_secret(&e.value).is_none())
}

/// The line terminator a text uses: that of its first line, `None` without any.
fn eol_of(text: &str) -> Option<&'static str> {
    let i = text.find('\n')?;
    Some(if text[..i].ends_with('\r') {
        "\r\n"
    } else {
        "\n"
    })
}

/// The new text of one file: its text without the removed spans, then the
/// appended entries, each on lines of its own.
fn rebuild(s: &Side<'_>, other_eol: Option<&'static str>) -> FileChange {
    let text = s.text();
    // Prefer the file's own style; a new or one-line file takes the other file's.
    let eol = eol_of(text).or(other_eol).unwrap_or("\n");
    let append = |mut buf: String| {
        for entry in &s.appended {
            if !buf.is_empty() && !buf.ends_with('\n') {
                buf.push_str(eol);
            }
            buf.push_str(entry);
            if !buf.ends_with('\n') {
                buf.push_str(eol);
            }
        }
        buf
    };
    let mut kept = String::with_capacity(text.len());
    let mut pos = 0;
    let mut removed = s.removed.clone();
    removed.sort_by_key(|r| r.start);
    for r in removed {
        kept.push_str(&text[pos..r.start]);
        pos = r.end;
    }
    kept.push_str(&text[pos..]);
    let grows = !s.appended.is_empty();
    FileChange {
        name: s.file.name.clone(),
        before: s.file.text.clone(),
        grown: grows.then(|| append(text.to_owned())),
        after: if grows { append(kept) } else { kept },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        let mut c = Catalog::default();
        c.insert("CI_TOK", Class::Cicd, "ci_test_ci_tok");
        c.insert("APP_KEY", Class::Runtime, "ci_test_app_key");
        c
    }

    fn pair(env: Option<&str>, runtime: Option<&str>, cicd: Option<&str>) -> PairInput {
        let (r, c) = PairInput::file_names(env);
        PairInput {
            env: env.map(str::to_owned),
            runtime: FileInput {
                name: r,
                text: runtime.map(str::to_owned),
            },
            cicd: FileInput {
                name: c,
                text: cicd.map(str::to_owned),
            },
        }
    }

    fn after<'p>(p: &'p Plan, name: &str) -> Option<&'p str> {
        p.changes()
            .find(|c| c.name == name)
            .map(|c| c.after.as_str())
    }

    #[test]
    fn moves_both_ways_and_keeps_the_rest() {
        let p = plan(
            &catalog(),
            &[pair(
                None,
                Some("# app\r\nCI_TOK='a b' # c\r\nOTHER=1\r\n"),
                Some("APP_KEY=\"x\ny\""),
            )],
        );
        assert!(p.problems().next().is_none(), "{p:?}");
        assert_eq!(
            after(&p, ".env"),
            Some("# app\r\nOTHER=1\r\nAPP_KEY=\"x\ny\"\r\n")
        );
        assert_eq!(after(&p, ".tokens"), Some("CI_TOK='a b' # c\r\n"));
        let env = p.changes().find(|c| c.name == ".env").unwrap();
        // Phase one only appends.
        assert_eq!(
            env.grown.as_deref(),
            Some("# app\r\nCI_TOK='a b' # c\r\nOTHER=1\r\nAPP_KEY=\"x\ny\"\r\n")
        );
        assert_eq!(p.unknown.keys, ["OTHER"]);
        assert_eq!(p.unknown.files, [".env"]);
    }

    #[test]
    fn destination_without_final_newline_gets_one_in_its_style() {
        let p = plan(
            &catalog(),
            &[pair(None, Some("CI_TOK=1\n"), Some("# x\r\nA=1"))],
        );
        assert_eq!(after(&p, ".tokens"), Some("# x\r\nA=1\r\nCI_TOK=1\n"));
        assert_eq!(after(&p, ".env"), Some(""));
    }

    #[test]
    fn identical_duplicate_is_dropped_from_the_source() {
        let p = plan(
            &catalog(),
            &[pair(None, Some("CI_TOK='v'\n"), Some("CI_TOK=v\n"))],
        );
        assert!(p.problems().next().is_none());
        assert_eq!(after(&p, ".env"), Some(""));
        assert_eq!(after(&p, ".tokens"), None);
        assert!(matches!(
            p.moves().next().unwrap().kind,
            MoveKind::Duplicate { .. }
        ));
    }

    #[test]
    fn conflicts_change_nothing() {
        let p = plan(
            &catalog(),
            &[
                pair(None, Some("CI_TOK=1\n"), Some("CI_TOK=2\n")),
                pair(Some("dev"), Some("CI_TOK=1\nCI_TOK=1\nAPP_KEY=3\n"), None),
            ],
        );
        assert!(p.changes().next().is_none() && p.moves().next().is_none());
        let msgs: Vec<String> = p.problems().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            [
                "CI_TOK has different values in .env:1 and .tokens:1",
                "CI_TOK is set twice in .env.dev: .env.dev:1 and .env.dev:2",
            ]
        );
    }

    #[test]
    fn committed_ci_files_take_placeholders_only() {
        let real = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
        let p = plan(
            &catalog(),
            &[pair(Some("ci"), Some(&format!("CI_TOK={real}\n")), None)],
        );
        let problems: Vec<_> = p.problems().collect();
        assert_eq!(problems.len(), 1);
        assert!(!problems[0].to_string().contains(real));
        for ok in ["ci_test_ci_tok", "CHANGE_ME_X", ""] {
            let p = plan(
                &catalog(),
                &[pair(Some("ci"), Some(&format!("CI_TOK={ok}\n")), None)],
            );
            assert!(p.problems().next().is_none(), "{ok}");
            assert_eq!(
                after(&p, ".tokens.ci"),
                Some(format!("CI_TOK={ok}\n").as_str())
            );
        }
    }

    #[test]
    fn parse_errors_stop_everything() {
        let p = plan(
            &catalog(),
            &[pair(None, Some("CI_TOK=1\nbad line\n"), None)],
        );
        assert!(p.changes().next().is_none());
        assert_eq!(
            p.problems().next().unwrap().to_string(),
            ".env:2: expected `=` after the key at column 5"
        );
    }

    #[test]
    fn a_refused_pair_does_not_block_another() {
        let p = plan(
            &catalog(),
            &[
                pair(None, Some("CI_TOK=1\n"), None),
                pair(
                    Some("ci"),
                    Some("CI_TOK=ci_test_a\n"),
                    Some("CI_TOK=ci_test_b\n"),
                ),
            ],
        );
        assert_eq!(after(&p, ".tokens"), Some("CI_TOK=1\n"));
        let refused: Vec<_> = p.refused().map(PairPlan::name).collect();
        assert_eq!(refused, [".env.ci and .tokens.ci"]);
        assert!(p.pairs[1].changes.is_empty());
    }

    #[test]
    fn unknown_keys_are_listed_once_and_secret_looking_ones_by_line() {
        let p = plan(
            &catalog(),
            &[
                pair(
                    None,
                    Some("A=1\nB=2\nA=3\n"),
                    Some("LEAKZZQ15dGhpcyBpcyBhIHNlY3JldA==\n"),
                ),
                pair(Some("ci"), Some("B=1\nC=2\n"), None),
            ],
        );
        assert_eq!(p.unknown.keys, ["A", "B", "C"]);
        assert_eq!(p.unknown.files, [".env", ".tokens", ".env.ci"]);
        let hidden: Vec<String> = p.unknown.hidden.iter().map(ToString::to_string).collect();
        assert_eq!(hidden, [".tokens:1"]);
    }

    #[test]
    fn second_plan_is_a_noop() {
        let p = plan(
            &catalog(),
            &[pair(None, Some("CI_TOK=1"), Some("APP_KEY=2"))],
        );
        let env = after(&p, ".env").unwrap().to_owned();
        let tok = after(&p, ".tokens").unwrap().to_owned();
        assert_eq!((env.as_str(), tok.as_str()), ("APP_KEY=2\n", "CI_TOK=1\n"));
        assert!(plan(&catalog(), &[pair(None, Some(&env), Some(&tok))]).is_noop());
    }
}
