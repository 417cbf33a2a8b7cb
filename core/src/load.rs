//! Layered resolution of token values.
//!
//! Precedence, highest first: the process environment > `.<base>.<env>` >
//! `.<base>`. An empty value counts as unset in every layer, and a
//! placeholder never shadows a real value in a lower layer (the replaced
//! system let CI placeholders "protect" themselves over real values).

use std::collections::HashMap;
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
            problems: vec![Problem::Io { file: ".".into(), message: e.to_string() }],
        })?;
        let root = env::find_root(&cwd).unwrap_or(cwd);
        let (env, _) = env::select_env_from_process(None);
        Ok(LoadOptions { root, env, vars: None })
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
        self.vars = Some(vars.into_iter().map(|(k, v)| (k.into(), v.into())).collect());
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

    fn var(&self, name: &str) -> Result<Option<String>, ()> {
        match &self.vars {
            Some(map) => Ok(map.get(name).cloned()),
            None => match std::env::var(name) {
                Ok(v) => Ok(Some(v)),
                Err(std::env::VarError::NotPresent) => Ok(None),
                Err(std::env::VarError::NotUnicode(_)) => Err(()),
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
    Deprecated { name: String, replacement: Option<String> },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::Permissions { file, mode } => write!(
                f,
                "{file} is readable by group or others (mode {mode:04o})\nhelp: chmod 600 {file}"
            ),
            Warning::Deprecated { name, replacement: Some(r) } => {
                write!(f, "{name} is deprecated\nhelp: use {r} instead")
            }
            Warning::Deprecated { name, replacement: None } => write!(f, "{name} is deprecated"),
        }
    }
}

/// One reason a load failed. Names tokens, files and lines, never values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    Missing { name: String, env: Option<String>, looked_in: Vec<String> },
    Invalid { name: String, format: String, source: Source },
    Placeholder { name: String, env: Option<String>, source: Source },
    Unsafe { name: String, file: String, line: usize },
    NotUnicode { name: String },
    Duplicate { name: String, file: String, first_line: usize, line: usize },
    Parse { file: String, line: usize, message: String },
    Io { file: String, message: String },
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
            Err(LoadError { problems: self.problems })
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
    // Per class, the parsed layers, lowest precedence first.
    let mut layers: HashMap<Class, Vec<(String, dotenv::Document)>> = HashMap::new();
    for class in Class::ALL {
        if !defs.iter().any(|d| d.class == class) {
            continue;
        }
        for file in opts.files(class) {
            let (status, doc) = read_layer(&opts.root, class, &file, &mut problems);
            if let Some(mode) = status.mode.filter(|m| m & 0o077 != 0) {
                warnings.push(Warning::Permissions { file: file.clone(), mode });
            }
            files.push(status);
            if let Some(doc) = doc {
                report_duplicates(defs, class, &file, &doc, &mut problems);
                layers.entry(class).or_default().push((file, doc));
            }
        }
    }

    let in_ci = opts.env.as_deref() == Some("ci");
    let tokens = defs
        .iter()
        .map(|def| {
            let required = def.required.applies(opts.env.as_deref());
            let mut candidates = Vec::new();
            match opts.var(&def.name) {
                Ok(Some(v)) if !v.is_empty() => candidates.push(Candidate {
                    value: v,
                    source: Source::Environment,
                }),
                Ok(_) => {}
                Err(()) => problems.push(Problem::NotUnicode { name: def.name.to_string() }),
            }
            for (file, doc) in layers.get(&def.class).into_iter().flatten().rev() {
                // The first entry wins within a file, as with dotenvy; duplicates are reported above.
                if let Some(e) = doc.get_all(&def.name).next() {
                    if e.hazard.is_some() {
                        problems.push(Problem::Unsafe {
                            name: def.name.to_string(),
                            file: file.clone(),
                            line: e.line,
                        });
                        return Resolved {
                            def,
                            value: None,
                            source: Some(Source::File { file: file.clone(), line: e.line }),
                            state: State::Unsafe,
                            required,
                        };
                    }
                    if !e.value.is_empty() {
                        candidates.push(Candidate {
                            value: e.value.clone(),
                            source: Source::File { file: file.clone(), line: e.line },
                        });
                    }
                }
            }
            let placeholder = |c: &Candidate| is_placeholder(&c.value, &def.ci_value);
            let chosen = candidates
                .iter()
                .position(|c| !placeholder(c))
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
                return Resolved { def, value: None, source: None, state: State::Missing, required };
            };
            let (state, value) = if placeholder(&c) {
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
            Resolved { def, value, source: Some(c.source), state, required }
        })
        .collect();

    Resolution { tokens, files, problems, warnings }
}

fn read_layer(
    root: &Path,
    class: Class,
    file: &str,
    problems: &mut Vec<Problem>,
) -> (FileStatus, Option<dotenv::Document>) {
    let path = root.join(file);
    let mut status = FileStatus { class, file: file.to_owned(), exists: false, mode: None };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (status, None),
        Err(e) => {
            problems.push(Problem::Io { file: file.to_owned(), message: e.to_string() });
            return (status, None);
        }
    };
    status.exists = true;
    status.mode = file_mode(&path);
    let Ok(text) = String::from_utf8(bytes) else {
        problems.push(Problem::Io { file: file.to_owned(), message: "not valid UTF-8".to_owned() });
        return (status, None);
    };
    let doc = dotenv::parse(&text);
    for e in &doc.errors {
        problems.push(Problem::Parse { file: file.to_owned(), line: e.line, message: e.message.clone() });
    }
    (status, Some(doc))
}

fn report_duplicates(
    defs: &[TokenDef],
    class: Class,
    file: &str,
    doc: &dotenv::Document,
    problems: &mut Vec<Problem>,
) {
    for def in defs.iter().filter(|d| d.class == class) {
        let mut lines = doc.get_all(&def.name).map(|e| e.line);
        if let Some(first_line) = lines.next() {
            for line in lines {
                problems.push(Problem::Duplicate {
                    name: def.name.to_string(),
                    file: file.to_owned(),
                    first_line,
                    line,
                });
            }
        }
    }
}

/// The permission bits of a file (Unix), used for the group/other-readable warning.
pub fn file_mode(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).ok().map(|m| m.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}
