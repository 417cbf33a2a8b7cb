//! The repository's GitHub Actions workflows as an inventory of secret
//! references: read once, used by `tokenspec usage`, the workflow rules of
//! `check`, the registry in `docs/TOKENS.md` and `tokenspec init`.
//!
//! Each file of `.github/workflows/` (`*.yml`, `*.yaml`) is parsed with a
//! real YAML parser ([`yaml`]); every `${{ … }}` expression in a value, and
//! every job's and step's `if:`, is searched for references ([`expr`]);
//! each reference carries its file, exact line, job and step. A file that
//! does not parse is a [`Failure`] and the others are still read.

pub mod expr;
pub mod script;
pub mod yaml;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use tokenspec_spec::model::Token;
use tokenspec_spec::Spec;

use crate::render::docs::WorkflowUsage;

use self::script::Target;
use self::yaml::{Budget, Doc, Node, NodeId, Scalar};

/// Where GitHub reads workflows from, relative to the root.
pub const DIR: &str = ".github/workflows";

/// The largest workflow file read (the largest real ones are about 100 KB).
pub const MAX_FILE_BYTES: usize = 4 << 20;

/// A step: its `name`, or its position in `steps:` from 1.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    Named(String),
    Index(usize),
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Step::Named(n) => f.write_str(n),
            Step::Index(i) => write!(f, "#{i}"),
        }
    }
}

/// One secret reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// Path relative to the root, e.g. `.github/workflows/deploy.yml`.
    pub file: String,
    pub line: usize,
    pub job: Option<String>,
    pub step: Option<Step>,
    /// The secret's name as written; `GITHUB_TOKEN` for `github.token`.
    pub name: String,
}

/// `secrets: inherit` on a call to a reusable workflow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inherit {
    pub file: String,
    pub line: usize,
    pub job: String,
    /// The called workflow (`uses:`), when given.
    pub uses: Option<String>,
}

/// A step's script writing secrets' values into `$GITHUB_OUTPUT` or `$GITHUB_ENV`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretWrite {
    pub file: String,
    pub line: usize,
    pub job: Option<String>,
    pub step: Option<Step>,
    pub target: Target,
    /// The secrets written, each once.
    pub names: Vec<String>,
}

/// One workflow file, read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Workflow {
    /// Path relative to the root.
    pub file: String,
    /// The file's name in `.github/workflows/`, as `workflows` globs match it.
    pub name: String,
    /// In file order (by line).
    pub references: Vec<Reference>,
    pub inherits: Vec<Inherit>,
    pub writes: Vec<SecretWrite>,
}

/// A workflow file that could not be read as a workflow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub file: String,
    pub line: usize,
    /// The parser's message, naming no value.
    pub message: String,
}

/// Every workflow of a repository.
#[derive(Clone, Debug, Default)]
pub struct Inventory {
    /// Whether the repository has a `.github/workflows/` folder.
    pub present: bool,
    /// Sorted by file name.
    pub workflows: Vec<Workflow>,
    pub failures: Vec<Failure>,
    /// Files that could not be read at all (permissions): the inventory is incomplete.
    pub io_errors: Vec<String>,
}

impl Inventory {
    /// Every reference, by file and line.
    pub fn references(&self) -> impl Iterator<Item = &Reference> {
        self.workflows.iter().flat_map(|w| w.references.iter())
    }

    /// Where the workflows use each secret, as `docs/TOKENS.md` lists it.
    pub fn usage(&self, spec: &Spec) -> WorkflowUsage {
        let mut usage = WorkflowUsage {
            present: self.present,
            ..WorkflowUsage::default()
        };
        for t in &spec.tokens {
            let used: Vec<String> = self
                .workflows_using(t)
                .into_iter()
                .map(str::to_owned)
                .collect();
            usage.tokens.push((t.name.clone(), used));
        }
        for w in &self.workflows {
            for r in &w.references {
                let list = match kind(spec, &r.name) {
                    Kind::Token(_) => continue,
                    Kind::DefaultToken => &mut usage.default_token,
                    Kind::Unknown => {
                        // A secret-looking name is not written down.
                        if !crate::is_shown_key(&r.name) {
                            continue;
                        }
                        let name = r.name.to_ascii_uppercase();
                        let at = match usage.unknown.iter().position(|(n, _)| *n == name) {
                            Some(at) => at,
                            None => {
                                usage.unknown.push((name, Vec::new()));
                                usage.unknown.len() - 1
                            }
                        };
                        &mut usage.unknown[at].1
                    }
                };
                if !list.contains(&w.name) {
                    list.push(w.name.clone());
                }
            }
        }
        usage.unknown.sort();
        usage
    }

    /// The workflow file names that reference `token` (by name or alias), each once, sorted.
    pub fn workflows_using(&self, token: &Token) -> Vec<&str> {
        self.workflows
            .iter()
            .filter(|w| w.references.iter().any(|r| is_token_name(token, &r.name)))
            .map(|w| w.name.as_str())
            .collect()
    }
}

/// What a referenced name is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind<'s> {
    /// A spec token, by its name or one of its aliases.
    Token(&'s Token),
    /// The repository's default token: `secrets.GITHUB_TOKEN`, `github.token`.
    DefaultToken,
    Unknown,
}

impl Kind<'_> {
    /// The stable name used in JSON: `token`, `default-token`, `unknown`.
    pub fn id(self) -> &'static str {
        match self {
            Kind::Token(_) => "token",
            Kind::DefaultToken => "default-token",
            Kind::Unknown => "unknown",
        }
    }
}

/// The name of the default token (GitHub matches secret names without regard to case).
pub const DEFAULT_TOKEN: &str = "GITHUB_TOKEN";

/// Whether `name` (as referenced) is `token`'s name or one of its aliases.
pub fn is_token_name(token: &Token, name: &str) -> bool {
    token.name.eq_ignore_ascii_case(name)
        || token.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
}

/// What `name` is in `spec`.
pub fn kind<'s>(spec: &'s Spec, name: &str) -> Kind<'s> {
    if name.eq_ignore_ascii_case(DEFAULT_TOKEN) {
        return Kind::DefaultToken;
    }
    spec.tokens
        .iter()
        .find(|t| t.name.eq_ignore_ascii_case(name))
        .or_else(|| spec.tokens.iter().find(|t| is_token_name(t, name)))
        .map_or(Kind::Unknown, Kind::Token)
}

/// Reads every workflow under `root`.
pub fn read(root: &Path) -> Inventory {
    let mut inv = Inventory::default();
    let dir = root.join(DIR);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return inv,
        Err(e) => {
            inv.io_errors
                .push(format!("cannot read {DIR}: {}", crate::io_message(&e)));
            return inv;
        }
    };
    inv.present = true;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".yml") || n.ends_with(".yaml"))
        .collect();
    names.sort();
    let canonical_root = root.canonicalize().ok();
    // Files are independent: read them on a few threads (at 60 workflows
    // of 17 KB, parsing is most of `check`'s time on a repository).
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4)
        .min(names.len().max(1));
    let results: Vec<(usize, FileResult)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let (names, dir, canonical_root) = (&names, &dir, &canonical_root);
                scope.spawn(move || {
                    names
                        .iter()
                        .enumerate()
                        .skip(t)
                        .step_by(threads)
                        .map(|(i, name)| (i, read_one(dir, name, canonical_root.as_deref())))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a workflow reader does not panic"))
            .collect()
    });
    let mut results = results;
    results.sort_by_key(|(i, _)| *i);
    for (_, result) in results {
        match result {
            FileResult::Workflow(w) => inv.workflows.push(w),
            FileResult::Failure(f) => inv.failures.push(f),
            FileResult::IoError(e) => inv.io_errors.push(e),
            FileResult::Gone => {}
        }
    }
    inv
}

/// What reading one workflow file gave.
enum FileResult {
    Workflow(Workflow),
    Failure(Failure),
    IoError(String),
    /// Removed since the folder was listed.
    Gone,
}

fn read_one(dir: &Path, name: &str, canonical_root: Option<&Path>) -> FileResult {
    let file = format!("{DIR}/{name}");
    let path = dir.join(name);
    let failure = |message: String| {
        FileResult::Failure(Failure {
            file: file.clone(),
            line: 1,
            message,
        })
    };
    // A link out of the root is not read: every path stays inside it.
    let inside = match (canonical_root, path.canonicalize()) {
        (Some(r), Ok(p)) => p.starts_with(r),
        _ => false,
    };
    if !inside {
        return failure("not read: it leads outside the root".to_owned());
    }
    let text = match tokenspec_core::file::read_regular(&path) {
        // A workflow holds no token value: no need to zeroize it.
        Ok(Some(mut bytes)) => std::mem::take(&mut *bytes),
        Ok(None) => return FileResult::Gone,
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            return failure(format!("not read: {}", crate::io_message(&e)));
        }
        Err(e) => {
            return FileResult::IoError(format!("cannot read {file}: {}", crate::io_message(&e)));
        }
    };
    if text.len() > MAX_FILE_BYTES {
        return failure(format!(
            "not read: larger than {} MiB",
            MAX_FILE_BYTES >> 20
        ));
    }
    let Ok(text) = String::from_utf8(text) else {
        return failure("not valid UTF-8 text".to_owned());
    };
    match parse(&file, &text) {
        Ok(w) => FileResult::Workflow(w),
        Err(f) => FileResult::Failure(f),
    }
}

/// Reads one workflow's text; `file` is its path relative to the root.
pub fn parse(file: &str, src: &str) -> Result<Workflow, Failure> {
    let doc = Doc::parse(src).map_err(|e| Failure {
        file: file.to_owned(),
        line: e.line,
        message: e.message,
    })?;
    let name = file.rsplit('/').next().unwrap_or(file).to_owned();
    let mut w = Walker {
        doc: &doc,
        src,
        file,
        budget: Budget::for_doc(&doc),
        seen: HashSet::new(),
        out: Workflow {
            file: file.to_owned(),
            name,
            ..Workflow::default()
        },
        over_budget: None,
    };
    if let Some(root) = doc.root {
        w.root(root);
    }
    if let Some(line) = w.over_budget {
        return Err(Failure {
            file: file.to_owned(),
            line,
            message: format!(
                "aliases expand to more than {} nodes; not read",
                yaml::MAX_VISITS
            ),
        });
    }
    let mut out = w.out;
    out.references.sort_by_key(|r| r.line);
    out.writes.sort_by_key(|r| r.line);
    Ok(out)
}

/// Where a value is: its job and step.
#[derive(Clone, Default)]
struct Ctx {
    job: Option<String>,
    step: Option<Step>,
}

struct Walker<'d> {
    doc: &'d Doc,
    src: &'d str,
    file: &'d str,
    budget: Budget,
    /// (node, offset, name, job, step): one reference reached twice in the
    /// same place through aliases counts once.
    seen: HashSet<Place>,
    out: Workflow,
    /// The line where the alias budget ran out.
    over_budget: Option<usize>,
}

type Place = (NodeId, usize, String, Option<String>, Option<Step>);

/// Environment variables (by name) and the secrets their values hold.
type Taint = HashMap<String, Vec<String>>;

impl<'d> Walker<'d> {
    fn key(&self, id: NodeId) -> Option<&'d str> {
        self.doc.scalar(id).map(|s| s.value.as_str())
    }

    fn root(&mut self, root: NodeId) {
        let ctx = Ctx::default();
        let entries = self.doc.entries(root, &mut self.budget);
        let mut env = Taint::new();
        for &(k, v) in &entries {
            if self.key(k) == Some("env") {
                self.taint(v, &mut env);
            }
        }
        for (k, v) in entries {
            match self.key(k) {
                Some("jobs") => {
                    for (jk, jv) in self.doc.entries(v, &mut self.budget) {
                        let id = self.key(jk).unwrap_or("").to_owned();
                        self.job(id, jv, &env);
                    }
                }
                _ => self.tree(v, &ctx),
            }
        }
    }

    fn job(&mut self, id: String, node: NodeId, workflow_env: &Taint) {
        let ctx = Ctx {
            job: Some(id.clone()),
            ..Ctx::default()
        };
        let entries = self.doc.entries(node, &mut self.budget);
        let mut env = workflow_env.clone();
        for &(k, v) in &entries {
            if self.key(k) == Some("env") {
                self.taint(v, &mut env);
            }
        }
        for &(k, v) in &entries {
            match self.key(k) {
                Some("steps") => {
                    let items = self.doc.items(v).to_vec();
                    for (i, s) in items.into_iter().enumerate() {
                        self.step(i + 1, s, &ctx, &env);
                    }
                }
                Some("if") => self.condition(v, &ctx),
                Some("secrets") if self.doc.scalar(v).is_some_and(|s| s.value == "inherit") => {
                    let uses = self
                        .doc
                        .get(node, "uses", &mut self.budget)
                        .and_then(|u| self.doc.scalar(u))
                        .map(|s| s.value.clone());
                    self.out.inherits.push(Inherit {
                        file: self.file.to_owned(),
                        line: self.doc.line(v),
                        job: id.clone(),
                        uses,
                    });
                }
                _ => self.tree(v, &ctx),
            }
        }
    }

    fn step(&mut self, index: usize, node: NodeId, job: &Ctx, job_env: &Taint) {
        let name = self
            .doc
            .get(node, "name", &mut self.budget)
            .and_then(|n| self.doc.scalar(n))
            .map(|s| s.value.trim().to_owned())
            .filter(|n| !n.is_empty());
        let ctx = Ctx {
            step: Some(name.map_or(Step::Index(index), Step::Named)),
            ..job.clone()
        };
        let entries = self.doc.entries(node, &mut self.budget);
        let mut env = job_env.clone();
        let mut run = None;
        for &(k, v) in &entries {
            match self.key(k) {
                Some("if") => self.condition(v, &ctx),
                Some("env") => {
                    self.taint(v, &mut env);
                    self.tree(v, &ctx);
                }
                Some("run") => {
                    run = Some(v);
                    self.tree(v, &ctx);
                }
                _ => self.tree(v, &ctx),
            }
        }
        if let Some(run) = run.map(|r| self.doc.resolve(r)) {
            if let Node::Scalar(s) = self.doc.node(run) {
                for write in script::writes(&s.value, &env) {
                    let word = if s.value[write.offset..].starts_with("set-") {
                        write.target.words()[1]
                    } else {
                        write.target.words()[0]
                    };
                    let line = Aligner::new(s, self.src).line(word, write.offset);
                    self.out.writes.push(SecretWrite {
                        file: self.file.to_owned(),
                        line,
                        job: ctx.job.clone(),
                        step: ctx.step.clone(),
                        target: write.target,
                        names: write.names,
                    });
                }
            }
        }
    }

    /// The secrets each variable of an `env:` mapping holds, added to `env`.
    fn taint(&mut self, node: NodeId, env: &mut Taint) {
        for (k, v) in self.doc.entries(node, &mut self.budget) {
            let (Some(name), Some(value)) = (self.key(k), self.doc.scalar(v)) else {
                continue;
            };
            let held: Vec<String> = expr::references(&value.value, false)
                .into_iter()
                .filter_map(|f| f.name)
                .collect();
            if held.is_empty() {
                env.remove(name);
            } else {
                env.insert(name.to_owned(), held);
            }
        }
    }

    /// An `if:`: an expression even without `${{ }}`.
    fn condition(&mut self, node: NodeId, ctx: &Ctx) {
        let id = self.doc.resolve(node);
        if let Node::Scalar(s) = self.doc.node(id) {
            self.scalar(id, s, ctx, true);
        } else {
            self.tree(node, ctx);
        }
    }

    /// Every scalar value under `node` (not mapping keys), aliases followed.
    fn tree(&mut self, node: NodeId, ctx: &Ctx) {
        let mut stack = vec![node];
        while let Some(id) = stack.pop() {
            if !self.budget.spend() {
                self.over_budget.get_or_insert(self.doc.line(id));
                return;
            }
            match self.doc.node(id) {
                Node::Scalar(s) => self.scalar(id, s, ctx, false),
                Node::Alias(target) => stack.push(*target),
                Node::Seq(items) => stack.extend(items.iter().rev()),
                Node::Map(entries) => stack.extend(entries.iter().rev().map(|&(_, v)| v)),
            }
        }
    }

    fn scalar(&mut self, id: NodeId, s: &'d Scalar, ctx: &Ctx, implicit: bool) {
        if !implicit && !expr::may_reference(&s.value) {
            return;
        }
        let found = expr::references(&s.value, implicit);
        if found.is_empty() {
            return;
        }
        let mut aligner = Aligner::new(s, self.src);
        for f in found {
            // A computed name (`secrets[matrix.name]`) names no secret.
            let names: Vec<String> = f.name.into_iter().collect();
            let line = aligner.line(f.word.text(), f.offset);
            for name in names {
                let place = (
                    id,
                    f.offset,
                    name.clone(),
                    ctx.job.clone(),
                    ctx.step.clone(),
                );
                if !self.seen.insert(place) {
                    continue;
                }
                self.out.references.push(Reference {
                    file: self.file.to_owned(),
                    line,
                    job: ctx.job.clone(),
                    step: ctx.step.clone(),
                    name,
                });
            }
        }
    }
}

/// Lines of words inside a scalar: the n-th occurrence of a word in the
/// value is the n-th in the scalar's source text, whatever the style
/// (literal, folded, quoted or plain: folding and escapes change spaces,
/// line breaks and quotes, never a word). When the counts differ (an
/// escape spelling a word), the scalar's first line is the answer.
/// A word's offsets in the value and, in the same order, its lines in the source.
type Occurrences = (Vec<usize>, Vec<usize>);

struct Aligner<'a> {
    scalar: &'a Scalar,
    source: &'a str,
    /// Per word: offsets in the value, lines in the source.
    cache: HashMap<&'static str, Option<Occurrences>>,
}

impl<'a> Aligner<'a> {
    fn new(scalar: &'a Scalar, src: &'a str) -> Self {
        let source = src.get(scalar.span.clone()).unwrap_or("");
        Aligner {
            scalar,
            source,
            cache: HashMap::new(),
        }
    }

    /// The line of the occurrence of `word` at `offset` in the value.
    fn line(&mut self, word: &'static str, offset: usize) -> usize {
        let (scalar, source) = (self.scalar, self.source);
        let entry = self.cache.entry(word).or_insert_with(|| {
            let in_value = expr::word_offsets(&scalar.value, word);
            let in_source = expr::word_offsets(source, word);
            (in_value.len() == in_source.len()).then(|| {
                let mut lines = Vec::with_capacity(in_source.len());
                let (mut line, mut from) = (scalar.line, 0);
                for at in in_source {
                    line += source.as_bytes()[from..at]
                        .iter()
                        .filter(|&&b| b == b'\n')
                        .count();
                    from = at;
                    lines.push(line);
                }
                (in_value, lines)
            })
        });
        match entry {
            Some((offsets, lines)) => offsets
                .binary_search(&offset)
                .ok()
                .map_or(scalar.line, |n| lines[n]),
            None => scalar.line,
        }
    }
}
