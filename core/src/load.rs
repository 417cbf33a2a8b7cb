//! Layered resolution of token values.
//!
//! Precedence, highest first: the process environment > `.<base>.<env>` >
//! `.<base>`. An empty value counts as unset in every layer, and a
//! placeholder never shadows a real value in a lower layer (the replaced
//! system let CI placeholders "protect" themselves over real values).

use std::collections::{hash_map, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use crate::def::{Class, TokenDef};
use crate::dotenv;
use crate::env;
use crate::format::is_placeholder;
use crate::secret::Secret;

/// Where to look and what the process environment holds.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// The folder holding the token files.
    pub root: PathBuf,
    /// The selected environment (`dev`, `prod`, `ci`, …); `None` reads base files only.
    pub env: Option<String>,
    /// A fixed process environment, for tests and embedding; `None` reads the real one.
    pub vars: Option<HashMap<String, String>>,
}

impl LoadOptions {
    /// Root found from the working directory (falling back to it), environment
    /// from `APP_ENV` / `CI`, values from the real process environment.
    pub fn from_process() -> Result<Self, LoadError> {
        let cwd = std::env::current_dir().map_err(|e| LoadError {
            problems: vec![Problem::Io {
                file: ".".into(),
                message: e.to_string(),
            }],
        })?;
        let root = env::find_root(&cwd).unwrap_or(cwd);
        let (env, _) = env::select_env_from_process(None);
        Ok(LoadOptions {
            root,
            env,
            vars: None,
        })
    }

    /// An explicit root and environment, values from the real process environment.
    pub fn new(root: impl Into<PathBuf>, env: Option<&str>) -> Self {
        LoadOptions {
            root: root.into(),
            env: env.map(env::normalize_env),
            vars: None,
        }
    }

    /// Replaces the process environment with a fixed set of variables.
    pub fn with_vars<K: Into<String>, V: Into<String>>(
        mut self,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.vars = Some(
            vars.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        );
        self
    }

    /// The files consulted for `class`, lowest precedence first.
    pub fn files(&self, class: Class) -> Vec<String> {
        let mut files = vec![class.base_file().to_owned()];
        if let Some(e) = &self.env {
            files.push(class.env_file(e));
        }
        files
    }
}

/// The process environment as one load sees it.
enum Vars<'o> {
    Fixed(&'o HashMap<String, String>),
    /// Looked up per token: cheapest for the few tokens of a real spec.
    Process,
    /// Read once: for many tokens a map beats scanning the environment per token.
    Snapshot(HashMap<std::ffi::OsString, std::ffi::OsString>),
}

impl<'o> Vars<'o> {
    /// Above this many tokens the environment is read once into a map.
    const SNAPSHOT_FROM: usize = 64;

    fn new(opts: &'o LoadOptions, tokens: usize) -> Self {
        match &opts.vars {
            Some(map) => Vars::Fixed(map),
            // Windows compares variable names without case; a map would not.
            None if cfg!(windows) || tokens < Self::SNAPSHOT_FROM => Vars::Process,
            None => Vars::Snapshot(std::env::vars_os().collect()),
        }
    }

    /// `Err` when the variable is set but not UTF-8.
    fn get(&self, name: &str) -> Result<Option<String>, ()> {
        match self {
            Vars::Fixed(map) => Ok(map.get(name).cloned()),
            Vars::Process => match std::env::var(name) {
                Ok(v) => Ok(Some(v)),
                Err(std::env::VarError::NotPresent) => Ok(None),
                Err(std::env::VarError::NotUnicode(_)) => Err(()),
            },
            Vars::Snapshot(map) => match map.get(std::ffi::OsStr::new(name)) {
                None => Ok(None),
                Some(v) => v.to_str().map(|v| Some(v.to_owned())).ok_or(()),
            },
        }
    }
}

/// Where a value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Environment,
    File { file: String, line: usize },
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Environment => f.write_str("environment"),
            Source::File { file, line } => write!(f, "{file}:{line}"),
        }
    }
}

/// The state of one token after resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Set,
    Missing,
    /// A placeholder outside the `ci` environment: counts as not set.
    Placeholder,
    /// Fails its format.
    Invalid,
    /// dotenv `$` substitution would change it; not used.
    Unsafe,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Set => "set",
            State::Missing => "missing",
            State::Placeholder => "placeholder",
            State::Invalid => "invalid",
            State::Unsafe => "unsafe",
        }
    }
}

/// One token's outcome.
#[derive(Clone, Debug)]
pub struct Resolved<'d> {
    pub def: &'d TokenDef,
    /// The value, when usable (set and valid, or a placeholder in `ci`).
    pub value: Option<Secret>,
    pub source: Option<Source>,
    pub state: State,
    /// Whether the selected environment requires it.
    pub required: bool,
}

/// A file consulted during resolution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileStatus {
    pub class: Class,
    /// Name relative to the root, e.g. `.env.prod`.
    pub file: String,
    pub exists: bool,
    /// Unix mode bits, when the file exists.
    pub mode: Option<u32>,
}

/// Something worth telling the user that does not fail the load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// A secret file readable by group or others.
    Permissions { file: String, mode: u32 },
    /// A deprecated token is set.
    Deprecated {
        name: String,
        replacement: Option<String>,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::Permissions { file, mode } => write!(
                f,
                "{file} is readable by group or others (mode {mode:04o})\nhelp: chmod 600 {file}"
            ),
            Warning::Deprecated {
                name,
                replacement: Some(r),
            } => {
                write!(f, "{name} is deprecated\nhelp: use {r} instead")
            }
            Warning::Deprecated {
                name,
                replacement: None,
            } => write!(f, "{name} is deprecated"),
        }
    }
}

/// One reason a load failed. Names tokens, files and lines, never values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    Missing {
        name: String,
        env: Option<String>,
        looked_in: Vec<String>,
    },
    Invalid {
        name: String,
        format: String,
        source: Source,
    },
    Placeholder {
        name: String,
        env: Option<String>,
        source: Source,
    },
    Unsafe {
        name: String,
        file: String,
        line: usize,
    },
    NotUnicode {
        name: String,
    },
    Duplicate {
        name: String,
        file: String,
        first_line: usize,
        line: usize,
    },
    Parse {
        file: String,
        line: usize,
        message: String,
    },
    Io {
        file: String,
        message: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let env_name = |e: &Option<String>| e.clone().unwrap_or_else(|| "none".to_owned());
        match self {
            Problem::Missing { name, env, looked_in } => write!(
                f,
                "{name} is missing (environment: {}); looked in the process environment, {}",
                env_name(env),
                looked_in.join(", ")
            ),
            Problem::Invalid { name, format, source } => {
                write!(f, "{name} from {source} does not match format {format}")
            }
            Problem::Placeholder { name, env, source } => write!(
                f,
                "{name} from {source} is a placeholder, which counts as unset outside the ci environment (environment: {})",
                env_name(env)
            ),
            Problem::Unsafe { name, file, line } => write!(
                f,
                "{file}:{line}: the value of {name} contains `$`, which dotenv substitution would change\nhelp: wrap the value in single quotes: {name}='…'"
            ),
            Problem::NotUnicode { name } => {
                write!(f, "{name} in the process environment is not valid UTF-8")
            }
            Problem::Duplicate { name, file, first_line, line } => write!(
                f,
                "{file}:{line}: {name} is set twice in one file (first at line {first_line})\nhelp: keep one of the two lines"
            ),
            Problem::Parse { file, line, message } => write!(f, "{file}:{line}: {message}"),
            Problem::Io { file, message } => write!(f, "{file}: {message}"),
        }
    }
}

/// Every problem found by one load. `Display` lists them all, one per line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(f, "{n} token problem{}", if n == 1 { "" } else { "s" })?;
        for p in &self.problems {
            write!(f, "\n  - {}", p.to_string().replace('\n', "\n    "))?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

/// The outcome of resolving a set of token definitions.
#[derive(Clone, Debug)]
pub struct Resolution<'d> {
    pub tokens: Vec<Resolved<'d>>,
    pub files: Vec<FileStatus>,
    pub problems: Vec<Problem>,
    pub warnings: Vec<Warning>,
}

impl<'d> Resolution<'d> {
    /// The usable value of `name`, if any.
    pub fn value(&self, name: &str) -> Option<&Secret> {
        self.tokens
            .iter()
            .find(|t| t.def.name == name)
            .and_then(|t| t.value.as_ref())
    }

    /// `Err` with every problem when there is any.
    pub fn into_result(self) -> Result<Self, LoadError> {
        if self.problems.is_empty() {
            Ok(self)
        } else {
            Err(LoadError {
                problems: self.problems,
            })
        }
    }
}

/// A value found in one layer.
struct Candidate {
    value: String,
    source: Source,
}

/// Resolves every token in `defs` by the precedence rules. Never fails:
/// problems and warnings are collected in the [`Resolution`].
pub fn resolve<'d>(defs: &'d [TokenDef], opts: &LoadOptions) -> Resolution<'d> {
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let mut files = Vec::new();
    // Every file read, lowest precedence first, with its own read and parse problems.
    let mut read = Vec::new();
    for class in Class::ALL {
        if !defs.iter().any(|d| d.class == class) {
            continue;
        }
        for file in opts.files(class) {
            let mut file_problems = Vec::new();
            let (status, doc) = read_layer(&opts.root, class, &file, &mut file_problems);
            if let Some(mode) = status.mode.filter(|m| m & 0o077 != 0) {
                warnings.push(Warning::Permissions {
                    file: file.clone(),
                    mode,
                });
            }
            files.push(status);
            read.push((class, file, doc, file_problems));
        }
    }
    // Per class, the parsed layers indexed by key, lowest precedence first.
    let mut layers: HashMap<Class, Vec<(&str, Index<'_>)>> = HashMap::new();
    for (class, file, doc, file_problems) in &mut read {
        problems.append(file_problems);
        if let Some(doc) = doc {
            let index = Index::new(doc);
            report_duplicates(defs, *class, file, &index, &mut problems);
            layers.entry(*class).or_default().push((file, index));
        }
    }

    let in_ci = opts.env.as_deref() == Some("ci");
    let vars = Vars::new(opts, defs.len());
    let tokens = defs
        .iter()
        .map(|def| {
            let required = def.required.applies(opts.env.as_deref());
            let mut candidates = Vec::new();
            match vars.get(&def.name) {
                Ok(Some(v)) if !v.is_empty() => candidates.push(Candidate {
                    value: v,
                    source: Source::Environment,
                }),
                Ok(_) => {}
                Err(()) => problems.push(Problem::NotUnicode {
                    name: def.name.to_string(),
                }),
            }
            for (file, index) in layers.get(&def.class).into_iter().flatten().rev() {
                // The first entry wins within a file, as with dotenvy; duplicates are reported above.
                if let Some(e) = index.first.get(def.name.as_ref()) {
                    if e.hazard.is_some() {
                        problems.push(Problem::Unsafe {
                            name: def.name.to_string(),
                            file: (*file).to_owned(),
                            line: e.line,
                        });
                        return Resolved {
                            def,
                            value: None,
                            source: Some(Source::File {
                                file: (*file).to_owned(),
                                line: e.line,
                            }),
                            state: State::Unsafe,
                            required,
                        };
                    }
                    if !e.value.is_empty() {
                        candidates.push(Candidate {
                            value: e.value.clone(),
                            source: Source::File {
                                file: (*file).to_owned(),
                                line: e.line,
                            },
                        });
                    }
                }
            }
            // Each candidate is tested once: the first real one wins, else
            // the first (then a placeholder).
            let real = candidates
                .iter()
                .position(|c| !is_placeholder(&c.value, &def.ci_value));
            let chosen = real
                .or(if candidates.is_empty() { None } else { Some(0) })
                .map(|i| candidates.swap_remove(i));
            let Some(c) = chosen else {
                if required {
                    problems.push(Problem::Missing {
                        name: def.name.to_string(),
                        env: opts.env.clone(),
                        looked_in: opts.files(def.class).into_iter().rev().collect(),
                    });
                }
                return Resolved {
                    def,
                    value: None,
                    source: None,
                    state: State::Missing,
                    required,
                };
            };
            let (state, value) = if real.is_none() {
                if in_ci {
                    (State::Set, Some(Secret::new(c.value)))
                } else {
                    if required {
                        problems.push(Problem::Placeholder {
                            name: def.name.to_string(),
                            env: opts.env.clone(),
                            source: c.source.clone(),
                        });
                    }
                    (State::Placeholder, None)
                }
            } else if def.format.matches(&c.value) {
                (State::Set, Some(Secret::new(c.value)))
            } else {
                problems.push(Problem::Invalid {
                    name: def.name.to_string(),
                    format: def.format.to_string(),
                    source: c.source.clone(),
                });
                (State::Invalid, None)
            };
            if state == State::Set {
                if let Some(d) = &def.deprecated {
                    warnings.push(Warning::Deprecated {
                        name: def.name.to_string(),
                        replacement: d.replacement.as_ref().map(|r| r.to_string()),
                    });
                }
            }
            Resolved {
                def,
                value,
                source: Some(c.source),
                state,
                required,
            }
        })
        .collect();

    Resolution {
        tokens,
        files,
        problems,
        warnings,
    }
}

fn read_layer(
    root: &Path,
    class: Class,
    file: &str,
    problems: &mut Vec<Problem>,
) -> (FileStatus, Option<dotenv::Document>) {
    let path = root.join(file);
    let mut status = FileStatus {
        class,
        file: file.to_owned(),
        exists: false,
        mode: None,
    };
    let bytes = match crate::file::read_regular(&path) {
        Ok(Some(b)) => b,
        Ok(None) => return (status, None),
        Err(e) => {
            problems.push(Problem::Io {
                file: file.to_owned(),
                message: e.to_string(),
            });
            return (status, None);
        }
    };
    status.exists = true;
    status.mode = file_mode(&path);
    let Ok(text) = String::from_utf8(bytes) else {
        problems.push(Problem::Io {
            file: file.to_owned(),
            message: "not valid UTF-8".to_owned(),
        });
        return (status, None);
    };
    let doc = dotenv::parse(&text);
    for e in &doc.errors {
        problems.push(Problem::Parse {
            file: file.to_owned(),
            line: e.line,
            message: e.message.clone(),
        });
    }
    (status, Some(doc))
}

fn report_duplicates(
    defs: &[TokenDef],
    class: Class,
    file: &str,
    index: &Index<'_>,
    problems: &mut Vec<Problem>,
) {
    if index.again.is_empty() {
        return;
    }
    for def in defs.iter().filter(|d| d.class == class) {
        let (Some(first), Some(lines)) = (
            index.first.get(def.name.as_ref()),
            index.again.get(def.name.as_ref()),
        ) else {
            continue;
        };
        for &line in lines {
            problems.push(Problem::Duplicate {
                name: def.name.to_string(),
                file: file.to_owned(),
                first_line: first.line,
                line,
            });
        }
    }
}

/// One parsed file indexed by key, so each token costs a hash lookup rather
/// than a scan of every entry (the scan made loading quadratic: 10k tokens
/// took about a second, 100k would take minutes).
struct Index<'a> {
    /// The first entry of each key: the one that wins, as with dotenvy.
    first: HashMap<&'a str, &'a dotenv::Entry>,
    /// The lines of each key's later entries, in file order.
    again: HashMap<&'a str, Vec<usize>>,
}

impl<'a> Index<'a> {
    fn new(doc: &'a dotenv::Document) -> Self {
        let mut first = HashMap::with_capacity(doc.entries.len());
        let mut again: HashMap<&str, Vec<usize>> = HashMap::new();
        for e in &doc.entries {
            match first.entry(e.key.as_str()) {
                hash_map::Entry::Vacant(slot) => {
                    slot.insert(e);
                }
                hash_map::Entry::Occupied(_) => {
                    again.entry(e.key.as_str()).or_default().push(e.line)
                }
            }
        }
        Index { first, again }
    }
}

/// The permission bits of a file (Unix), used for the group/other-readable warning.
pub fn file_mode(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path)
            .ok()
            .map(|m| m.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::def::Required;
    use crate::format::Format;

    fn def(name: &'static str) -> TokenDef {
        TokenDef {
            name: Cow::Borrowed(name),
            class: Class::Cicd,
            description: Cow::Borrowed(""),
            required: Required::Always,
            format: Format::Any,
            ci_value: Cow::Borrowed("ci_test_value"),
            deprecated: None,
        }
    }

    #[test]
    fn first_entry_wins_and_every_later_one_is_a_duplicate_in_spec_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".tokens"),
            "B=b1\nA=a1\nB=b2\nOTHER=x\nA=a2\nB=b3\n",
        )
        .unwrap();
        let defs = [def("A"), def("B")];
        let opts = LoadOptions::new(dir.path(), None).with_vars([("UNUSED", "")]);
        let res = resolve(&defs, &opts);
        assert_eq!(res.value("A").unwrap().expose_secret(), "a1");
        assert_eq!(res.value("B").unwrap().expose_secret(), "b1");
        let dup = |name: &str, first_line, line| Problem::Duplicate {
            name: name.into(),
            file: ".tokens".into(),
            first_line,
            line,
        };
        assert_eq!(
            res.problems,
            [dup("A", 2, 5), dup("B", 1, 3), dup("B", 1, 6)]
        );
    }
}
