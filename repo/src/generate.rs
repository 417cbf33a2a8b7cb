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
//!   generated block of its class's CI file (where it gets the spec's
//!   `ci_value`): its line is removed and reported ([`Taken`]). A token in
//!   the wrong class's CI file so moves to the right one;
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
use std::fmt;
use std::ops::Range;
use std::path::Path;

use crate::render::docs::WorkflowUsage;
use crate::render::{self, ci_files, markers};
use tokenspec_core::dotenv;
use tokenspec_core::format::{is_placeholder, looks_like_secret};
use tokenspec_core::Class;
use tokenspec_spec::Spec;

use crate::atomic::{self, Keep};
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
            )
        } else {
            write!(
                f,
                "took {} at {} into the generated block",
                self.key, self.from
            )
        }
    }
}

/// A token line in a committed file whose value is not a placeholder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub key: String,
    pub at: Loc,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} holds a value that is not a placeholder, in a committed file",
            self.at, self.key
        )
    }
}

/// The fix for every [`Refusal`], as one line.
pub const REFUSAL_HELP: &str = "rotate the token: the value is in git history; then delete the line (or put the token's ci_value there) and run `tokenspec gen` again; nothing was written";

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
            Error::Refused(_) => Some(REFUSAL_HELP.to_owned()),
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
    let mut cleaned: Vec<(String, Option<String>)> = Vec::new();
    for class in Class::ALL {
        let path = ci_files::path(class);
        let text = read(path);
        let kept = text
            .as_deref()
            .map(|t| take_tokens(spec, path, t, Owner::CiFile, &mut planned));
        cleaned.push((path.to_owned(), kept));
    }
    let rendered = render::outputs_with(spec, usage, |path| {
        match cleaned.iter().find(|(p, _)| p == path) {
            Some((_, text)) => text.clone(),
            None => read(path),
        }
    });
    planned
        .outputs
        .extend(rendered.into_iter().map(|o| GenFile {
            path: o.path.to_owned(),
            content: o.content,
        }));
    for name in spec.template_names() {
        let Some(text) = read(&name) else { continue };
        let kept = take_tokens(spec, &name, &text, Owner::Template, &mut planned);
        planned.outputs.push(GenFile {
            content: render::template_file(spec, &kept),
            path: name,
        });
    }
    planned
}

/// Whose tokens a committed file's block holds.
#[derive(Clone, Copy)]
enum Owner {
    /// A CI file: any spec token outside the block is taken into its class's CI file.
    CiFile,
    /// A template: the runtime tokens; only those are taken.
    Template,
}

/// `text` without the spec-token lines outside its managed blocks, which
/// are recorded as taken or refused.
fn take_tokens(spec: &Spec, path: &str, text: &str, owner: Owner, out: &mut Planned) -> String {
    let doc = dotenv::parse(text);
    let blocks = markers::block_lines(text);
    // Blocks are sorted and disjoint: a binary search keeps this linear-ish.
    let in_block = |line: usize| {
        let i = blocks.partition_point(|b| *b.end() < line);
        blocks.get(i).is_some_and(|b| b.contains(&line))
    };
    let mut removed: Vec<Range<usize>> = Vec::new();
    for e in &doc.entries {
        let Some(t) = spec.token(&e.key) else {
            continue;
        };
        if in_block(e.line) {
            continue;
        }
        let into = match owner {
            Owner::CiFile => ci_files::path(t.class).to_owned(),
            Owner::Template if t.class == Class::Runtime => path.to_owned(),
            Owner::Template => continue,
        };
        let at = Loc {
            file: path.to_owned(),
            line: e.line,
        };
        let safe = e.value.is_empty()
            || (is_placeholder(&e.value, &t.ci_value) && looks_like_secret(&e.value).is_none());
        if safe {
            removed.push(e.span.clone());
            out.taken.push(Taken {
                key: e.key.clone(),
                from: at,
                into,
            });
        } else {
            out.refused.push(Refusal {
                key: e.key.clone(),
                at,
            });
        }
    }
    let mut kept = String::with_capacity(text.len());
    let mut pos = 0;
    for r in removed {
        kept.push_str(&text[pos..r.start]);
        pos = r.end;
    }
    kept.push_str(&text[pos..]);
    kept
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
        Mode::Write => atomic::sweep(root),
        Mode::Check => Vec::new(),
    };
    let mut stale = Vec::new();
    for o in &planned.outputs {
        let current = std::fs::read(root.join(&o.path)).ok();
        if current.as_deref() == Some(o.content.as_bytes()) {
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
        removed_temp_files,
    })
}

fn read_existing(root: &Path, path: &str, error: &RefCell<Option<Error>>) -> Option<String> {
    match tokenspec_core::file::read_regular_text(&root.join(path)) {
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
    let path = root.join(&o.path);
    let fail = |what: &str, e: std::io::Error| Error::File {
        path: o.path.clone(),
        message: format!("cannot {what}: {}", io_message(&e)),
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| fail("create its folder", e))?;
    }
    // Generated files are committed: a new one is 0644, an existing one keeps
    // its mode, owner and group.
    let keep = match Keep::of(&path) {
        Ok(Some(k)) => k,
        Ok(None) => Keep::new_file(0o644),
        Err(e) => return Err(fail("read its metadata", e)),
    };
    atomic::write(&path, o.content.as_bytes(), keep, true).map_err(|e| fail("write it", e))
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
        let env_ci = "APP_ENV=ci\nA_TOKEN=ci_test_a\nB_KEY=ci_test_other\nDB=x\n";
        let p = plan(&spec(), |path| {
            (path == ".env.ci").then(|| env_ci.to_owned())
        });
        assert!(p.refused.is_empty());
        let taken: Vec<String> = p.taken.iter().map(ToString::to_string).collect();
        assert_eq!(
            taken,
            [
                "moved A_TOKEN from .env.ci:2 into the generated block of .tokens.ci",
                "took B_KEY at .env.ci:3 into the generated block",
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
    fn an_existing_template_gets_a_block_of_empty_runtime_tokens() {
        let example = "# settings\nPORT=8080\nB_KEY=\nA_TOKEN=\n";
        let p = plan(&spec(), |path| {
            (path == ".env.example").then(|| example.to_owned())
        });
        let out = &p
            .outputs
            .iter()
            .find(|o| o.path == ".env.example")
            .unwrap()
            .content;
        assert!(
            out.starts_with("# settings\nPORT=8080\nA_TOKEN=\n\n# >>> tokenspec"),
            "{out}"
        );
        assert!(out.contains("\nB_KEY=\n# <<< tokenspec"), "{out}");
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
                prop_assert!(p.refused.is_empty());
                let out = p.outputs.iter().find(|o| o.path == ".env.ci").unwrap().content.clone();
                // The lines outside the block, in order, are the input's non-token lines.
                let is_token = |l: &&String| {
                    let l = l.trim_start_matches("export ");
                    l.starts_with("A_TOKEN=") || l.starts_with("B_KEY=")
                };
                let kept: Vec<&String> = lines.iter().filter(|l| !is_token(l)).collect();
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
