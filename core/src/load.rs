//! Layered resolution of token values.
//!
//! Precedence, highest first: the process environment (the token's own
//! name, then its `aliases`) > the store (a [`StoreLayer`] fetched by
//! `tokenspec-store` for an environment the spec's `[store]` serves) >
//! `.<base>.<env>` > `.<base>`. With `[store] files = false` the files of a
//! store-served class are not read at all. An empty value
//! counts as unset in every layer, and a placeholder never shadows a real
//! value in a lower layer (the replaced system let CI placeholders "protect"
//! themselves over real values).
//!
//! Placeholders: a `CHANGE_ME_*` value (what `tokenspec load` writes into a
//! new file) never counts as set. In the `ci` environment another
//! placeholder counts as set only when it comes from the committed CI file
//! of its class (`.tokens.ci`, `.env.ci`) or is the token's own `ci_value`;
//! outside `ci` no placeholder counts.
//!
//! A layer matters only where its value would be used: once a higher layer
//! gives a value that counts, a `$` hazard, a NUL byte or a duplicate key
//! further down is not a problem of the load (`tokenspec check` still
//! reports it), and neither is a parse error in a file no token reached.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use crate::def::{is_env_name, Class, TokenDef};
use crate::dotenv;
use crate::env::{self, EnvOrigin, UnknownEnv};
use crate::format::{looks_like_secret, ValueKind as Kind};
use crate::secret::Secret;

/// Where to look and what the process environment holds.
///
/// Built with [`LoadOptions::new`], [`LoadOptions::from_process`] or
/// [`LoadOptions::from_process_with`], then adjusted with the `with_*`
/// methods; environment names are normalised on the way in
/// (`production` → `prod`, `development` → `dev`).
#[derive(Clone, Debug)]
pub struct LoadOptions {
    root: PathBuf,
    env: Option<String>,
    origin: EnvOrigin,
    /// A fixed process environment, for tests and embedding; `None` reads the real one.
    vars: Option<HashMap<String, String>>,
    settings: Option<SettingsRequest>,
    /// Per class, its values fetched from the store (at most one per class).
    stores: Vec<StoreLayer>,
}

/// One class's secret, fetched from the store for the selected environment
/// by `tokenspec-store` (this crate links no HTTP client): a layer between
/// the process environment and the files. `Debug` shows names, never values.
#[derive(Clone)]
pub struct StoreLayer {
    pub class: Class,
    /// The secret as shown to people, e.g. `openbao secret/myproject/cicd/prod`.
    pub label: String,
    /// Token name → value; keys that are no token of the class are ignored.
    pub values: HashMap<String, Secret>,
    /// Whether the class's token files stay a lower layer below the store
    /// (`[store] files = false`: they are not read at all).
    pub files: bool,
}

impl fmt::Debug for StoreLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&str> = self.values.keys().map(String::as_str).collect();
        names.sort_unstable();
        f.debug_struct("StoreLayer")
            .field("class", &self.class)
            .field("label", &self.label)
            .field("names", &names)
            .field("files", &self.files)
            .finish()
    }
}

/// Which non-token entries `resolve` collects, see [`LoadOptions::with_settings`].
#[derive(Clone, Debug)]
struct SettingsRequest {
    classes: Vec<Class>,
    /// Every name that is a token (of any class): never a setting.
    tokens: HashSet<String>,
}

impl LoadOptions {
    /// Root found from the working directory (falling back to it), the
    /// environment chosen by [`env::DEFAULT_ENV_FROM`] (`TOKENSPEC_ENV`,
    /// then `APP_ENV`, then `CI`), values from the real process environment.
    /// Environment names are not checked: see [`LoadOptions::from_process_with`].
    pub fn from_process() -> Result<Self, LoadError> {
        Self::from_process_with(env::DEFAULT_ENV_FROM, &[])
    }

    /// As [`LoadOptions::from_process`], with the spec's `env_from` variables
    /// and its environments: an environment that is not one of
    /// `environments` is an error ([`Problem::UnknownEnvironment`]), so a typo
    /// such as `APP_ENV=stagin` cannot quietly read base files only. An empty
    /// `environments` skips that check.
    pub fn from_process_with(env_from: &[&str], environments: &[&str]) -> Result<Self, LoadError> {
        let cwd = std::env::current_dir().map_err(|e| {
            LoadError::new(vec![Problem::Io {
                file: ".".into(),
                message: e.to_string(),
            }])
        })?;
        let root = env::find_root(&cwd).unwrap_or(cwd);
        let (env, origin) = env::select_from_process(None, env_from);
        if let (Some(name), false) = (&env, environments.is_empty()) {
            env::check_known(name, &origin, environments)
                .map_err(|e| LoadError::new(vec![Problem::UnknownEnvironment(e)]))?;
        }
        Ok(LoadOptions {
            root,
            env,
            origin,
            vars: None,
            settings: None,
            stores: Vec::new(),
        })
    }

    /// An explicit root and environment, values from the real process environment.
    pub fn new(root: impl Into<PathBuf>, env: Option<&str>) -> Self {
        let env = env.map(env::normalize_env).filter(|e| !e.is_empty());
        LoadOptions {
            root: root.into(),
            origin: if env.is_some() {
                EnvOrigin::Flag
            } else {
                EnvOrigin::None
            },
            env,
            vars: None,
            settings: None,
            stores: Vec::new(),
        }
    }

    /// Records what chose the environment (for reports); the default is
    /// [`EnvOrigin::Flag`] for an explicit environment.
    pub fn with_origin(mut self, origin: EnvOrigin) -> Self {
        self.origin = origin;
        self
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

    /// Also collects the settings of `classes`' files: every entry whose
    /// key is not in `tokens` (pass every token name of the spec, so a token
    /// of the other class is never taken for a setting). See
    /// [`Resolution::settings`].
    pub fn with_settings<S: Into<String>>(
        mut self,
        classes: &[Class],
        tokens: impl IntoIterator<Item = S>,
    ) -> Self {
        self.settings = Some(SettingsRequest {
            classes: classes.to_vec(),
            tokens: tokens.into_iter().map(Into::into).collect(),
        });
        self
    }

    /// Adds a class's values fetched from the store, which rank below the
    /// process environment and above the class's files (replacing an
    /// earlier layer of the same class).
    pub fn with_store_layer(mut self, layer: StoreLayer) -> Self {
        self.stores.retain(|l| l.class != layer.class);
        self.stores.push(layer);
        self
    }

    /// The store layer of `class`, if one was given.
    pub fn store_layer(&self, class: Class) -> Option<&StoreLayer> {
        self.stores.iter().find(|l| l.class == class)
    }

    /// The folder holding the token files.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The selected environment (`dev`, `prod`, `ci`, …); `None` reads base files only.
    pub fn env(&self) -> Option<&str> {
        self.env.as_deref()
    }

    /// What chose the environment.
    pub fn origin(&self) -> &EnvOrigin {
        &self.origin
    }

    /// The files consulted for `class`, lowest precedence first: none when
    /// its store layer turns files off.
    pub fn files(&self, class: Class) -> Vec<String> {
        if self.store_layer(class).is_some_and(|l| !l.files) {
            return Vec::new();
        }
        layer_files(class, self.env.as_deref())
    }

    /// Every place a token of `class` is looked for below the process
    /// environment, highest precedence first, as shown to people.
    fn looked_in(&self, class: Class) -> Vec<String> {
        let mut places: Vec<String> = self
            .store_layer(class)
            .map(|l| l.label.clone())
            .into_iter()
            .collect();
        places.extend(self.files(class).into_iter().rev());
        places
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

/// The files of `class` in `env`, lowest precedence first.
fn layer_files(class: Class, env: Option<&str>) -> Vec<String> {
    let mut files = vec![class.base_file().to_owned()];
    if let Some(e) = env {
        files.push(class.env_file(e));
    }
    files
}

/// Where a value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// The process environment, under this variable name (the token's own or an alias).
    Environment {
        var: String,
    },
    File {
        file: String,
        line: usize,
    },
    /// A store secret, as [`StoreLayer::label`] names it (never a value).
    Store {
        secret: String,
    },
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Environment { var } => write!(f, "${var}"),
            Source::File { file, line } => write!(f, "{file}:{line}"),
            Source::Store { secret } => f.write_str(secret),
        }
    }
}

/// The state of one token after resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Set,
    Missing,
    /// A placeholder that does not count as set here.
    Placeholder,
    /// Fails its format.
    Invalid,
    /// dotenv `$` substitution would change it, or it holds a NUL byte; not used.
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
#[non_exhaustive]
pub struct Resolved<'d> {
    pub def: &'d TokenDef,
    /// The value, when usable (set and valid, or a placeholder that counts in `ci`).
    pub value: Option<Secret>,
    pub source: Option<Source>,
    pub state: State,
    /// Whether the selected environment requires it.
    pub required: bool,
}

/// A non-token entry of the token files, see [`LoadOptions::with_settings`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Setting {
    pub name: String,
    /// Settings are not secrets, but a `DATABASE_URL` can hold a password:
    /// kept redacted like a token.
    pub value: Secret,
    pub source: Source,
}

/// A file consulted during resolution.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
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
#[non_exhaustive]
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
#[non_exhaustive]
pub enum Problem {
    Missing {
        name: String,
        env: Option<String>,
        /// Every place looked in, highest precedence first, as shown to people
        /// (`the process environment`, `.tokens.prod`, …).
        looked_in: Vec<String>,
    },
    Invalid {
        name: String,
        format: String,
        source: Source,
    },
    /// A placeholder where it does not count as set (see the module docs).
    Placeholder {
        name: String,
        env: Option<String>,
        source: Source,
    },
    /// A `CHANGE_ME_*` value, which never counts as set.
    Unfilled {
        name: String,
        source: Source,
    },
    Unsafe {
        name: String,
        file: String,
        line: usize,
    },
    /// A value holding a NUL byte, which no environment variable can hold.
    Nul {
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
    /// A settings entry whose name is not a variable name or looks like a
    /// secret: shown by its line only, never by its name.
    UnusableKey {
        file: String,
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
    /// The selected environment is not one of the spec's.
    UnknownEnvironment(UnknownEnv),
    /// The store could not be read (a service's `load()` with the `store`
    /// feature): the client's message naming the address, the secret and the
    /// reason, and its fix. Nothing was read from files instead.
    Store {
        message: String,
        help: String,
    },
}

impl Problem {
    /// The token (or setting) a problem is about, if it is about one.
    pub fn token(&self) -> Option<&str> {
        match self {
            Problem::Missing { name, .. }
            | Problem::Invalid { name, .. }
            | Problem::Placeholder { name, .. }
            | Problem::Unfilled { name, .. }
            | Problem::Unsafe { name, .. }
            | Problem::Nul { name, .. }
            | Problem::NotUnicode { name }
            | Problem::Duplicate { name, .. } => Some(name),
            Problem::UnusableKey { .. }
            | Problem::Parse { .. }
            | Problem::Io { .. }
            | Problem::UnknownEnvironment(_)
            | Problem::Store { .. } => None,
        }
    }

    /// Whether it is an I/O or usage error (exit 2) rather than a problem with values (exit 1).
    pub fn is_io(&self) -> bool {
        matches!(self, Problem::Io { .. } | Problem::UnknownEnvironment(_))
    }

    /// `def` is missing in `env`: it was looked for in the process
    /// environment (its name and aliases) and in its class's files.
    pub fn missing(def: &TokenDef, env: Option<&str>) -> Problem {
        Problem::missing_in(
            def,
            env,
            layer_files(def.class, env).into_iter().rev().collect(),
        )
    }

    /// As [`Problem::missing`], with the places below the process
    /// environment given, highest first.
    fn missing_in(def: &TokenDef, env: Option<&str>, below: Vec<String>) -> Problem {
        let mut vars = vec![def.name.as_ref()];
        vars.extend(def.aliases.iter().map(|a| a.as_ref()));
        let process = if vars.len() == 1 {
            "the process environment".to_owned()
        } else {
            format!("the process environment ({})", vars.join(", "))
        };
        let mut looked_in = vec![process];
        looked_in.extend(below);
        Problem::Missing {
            name: def.name.to_string(),
            env: env.map(str::to_owned),
            looked_in,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let env_name = |e: &Option<String>| e.clone().unwrap_or_else(|| "none".to_owned());
        match self {
            Problem::Missing { name, env, looked_in } => {
                write!(f, "{name} is missing (environment: {})", env_name(env))?;
                if !looked_in.is_empty() {
                    write!(f, "; looked in {}", looked_in.join(", "))?;
                }
                Ok(())
            }
            Problem::Invalid { name, format, source } => {
                write!(f, "{name} from {source} does not match format {format}")
            }
            Problem::Placeholder { name, env, source } if env.as_deref() == Some("ci") => write!(
                f,
                "{name} from {source} is a placeholder; in the ci environment only the committed CI files and the spec's ci_value count as set\nhelp: set {name} to a real value, or put its placeholder in the class's committed CI file"
            ),
            Problem::Placeholder { name, env, source } => write!(
                f,
                "{name} from {source} is a placeholder, which counts as unset outside the ci environment (environment: {})",
                env_name(env)
            ),
            Problem::Unfilled { name, source } => write!(
                f,
                "{name} from {source} is an unfilled CHANGE_ME_ placeholder, which never counts as set\nhelp: replace it with the real value, or set {name} in the environment"
            ),
            Problem::Unsafe { name, file, line } => write!(
                f,
                "{file}:{line}: the value of {name} contains `$`, which dotenv substitution would change\nhelp: wrap the value in single quotes: {name}='…'"
            ),
            Problem::Nul { name, file, line } => write!(
                f,
                "{file}:{line}: the value of {name} contains a NUL byte, which no environment variable can hold\nhelp: remove the NUL byte from the value"
            ),
            Problem::NotUnicode { name } => {
                write!(f, "{name} in the process environment is not valid UTF-8")
            }
            Problem::Duplicate { name, file, first_line, line } => write!(
                f,
                "{file}:{line}: {name} is set twice in one file (first at line {first_line})\nhelp: keep one of the two lines"
            ),
            Problem::UnusableKey { file, line } => write!(
                f,
                "{file}:{line}: this entry's name is not a variable name or looks like a secret, so it cannot be exported\nhelp: a value pasted on a line of its own? remove the line, or rename the key"
            ),
            Problem::Parse { file, line, message } => write!(f, "{file}:{line}: {message}"),
            Problem::Io { file, message } => write!(f, "{file}: {message}"),
            Problem::UnknownEnvironment(e) => e.fmt(f),
            Problem::Store { message, help } => write!(f, "{message}\nhelp: {help}"),
        }
    }
}

/// Every problem found by one load. `Display` lists them all, one per line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    problems: Vec<Problem>,
}

impl LoadError {
    pub fn new(problems: Vec<Problem>) -> Self {
        LoadError { problems }
    }

    /// Every problem, in the order found.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    pub fn into_problems(self) -> Vec<Problem> {
        self.problems
    }
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
#[non_exhaustive]
pub struct Resolution<'d> {
    pub tokens: Vec<Resolved<'d>>,
    /// The non-token entries, when asked for with [`LoadOptions::with_settings`]:
    /// per class (in the order given), the env file's entries over the base
    /// file's, the process environment over both, in file order.
    pub settings: Vec<Setting>,
    pub files: Vec<FileStatus>,
    pub problems: Vec<Problem>,
    pub warnings: Vec<Warning>,
    /// The environment it was resolved in.
    pub env: Option<String>,
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
            Err(LoadError::new(self.problems))
        }
    }

    /// The error for the tokens among `names` that have no value, each a
    /// [`Problem::Missing`] naming where it was looked for (a generated
    /// struct's `from_resolution` uses it for its always-required fields).
    pub fn missing(&self, names: &[&str]) -> LoadError {
        let problems = names
            .iter()
            .filter(|n| self.value(n).is_none())
            .map(|n| match self.tokens.iter().find(|t| t.def.name == *n) {
                Some(t) => Problem::missing(t.def, self.env.as_deref()),
                None => Problem::Missing {
                    name: (*n).to_owned(),
                    env: self.env.clone(),
                    looked_in: Vec::new(),
                },
            })
            .collect();
        LoadError::new(problems)
    }
}

/// A value found in one layer.
struct Candidate {
    value: String,
    source: Source,
}

/// One token file, read and indexed.
struct Layer<'a> {
    file: &'a str,
    doc: &'a dotenv::Document,
    index: dotenv::KeyIndex<'a>,
}

/// Resolves every token in `defs` by the precedence rules. Never fails:
/// problems and warnings are collected in the [`Resolution`].
pub fn resolve<'d>(defs: &'d [TokenDef], opts: &LoadOptions) -> Resolution<'d> {
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let mut files = Vec::new();
    let settings_classes: &[Class] = opts.settings.as_ref().map_or(&[], |s| &s.classes);
    // Every file read, lowest precedence first, and beside it its parse
    // problems, reported only when a token or setting reads that file.
    let mut read = Vec::new();
    let mut parse_problems = Vec::new();
    for class in Class::ALL {
        if !defs.iter().any(|d| d.class == class) && !settings_classes.contains(&class) {
            continue;
        }
        let ci_file = class.env_file("ci");
        for file in opts.files(class) {
            let mut file_problems = Vec::new();
            let (status, doc) = read_layer(&opts.root, class, &file, &mut file_problems);
            // The committed CI files are checked out 0644 by git, and hold test values only.
            if let Some(mode) = status.mode.filter(|m| m & 0o077 != 0 && file != ci_file) {
                warnings.push(Warning::Permissions {
                    file: file.clone(),
                    mode,
                });
            }
            files.push(status);
            let (io, parse): (Vec<_>, Vec<_>) = file_problems
                .into_iter()
                .partition(|p| !matches!(p, Problem::Parse { .. }));
            problems.extend(io);
            parse_problems.push(parse);
            read.push((class, file, doc));
        }
    }
    // Per class, the parsed layers, lowest precedence first.
    let mut layers: HashMap<Class, Vec<Layer<'_>>> = HashMap::new();
    for (class, file, doc) in &read {
        if let Some(doc) = doc {
            layers.entry(*class).or_default().push(Layer {
                file,
                doc,
                index: dotenv::KeyIndex::new(doc),
            });
        }
    }
    let mut used: HashSet<&str> = HashSet::new();

    let env_name = opts.env.as_deref();
    let in_ci = env_name == Some("ci");
    let mut tokens = Vec::with_capacity(defs.len());
    for def in defs {
        let class_layers = layers.get(&def.class).map_or(&[][..], Vec::as_slice);
        // Not `env_file("ci")`: formatting it cost an allocation per token.
        let ci_file = def.class.ci_file();
        let kind = |c: &Candidate| {
            let from_ci_file = matches!(&c.source, Source::File { file, .. } if *file == ci_file);
            Kind::of(&c.value, &def.ci_value, in_ci, from_ci_file)
        };
        tokens.push(resolve_one(
            def,
            opts,
            class_layers,
            &kind,
            &mut used,
            &mut problems,
            &mut warnings,
        ));
    }

    let settings = match &opts.settings {
        Some(request) => {
            for class in &request.classes {
                for l in layers.get(class).into_iter().flatten() {
                    used.insert(l.file);
                }
            }
            collect_settings(request, opts, &layers, &mut problems)
        }
        None => Vec::new(),
    };
    // Parse problems of the files that were read for something, in file order.
    for ((_, file, _), parse) in read.iter().zip(parse_problems) {
        if used.contains(file.as_str()) {
            problems.extend(parse);
        }
    }

    Resolution {
        tokens,
        settings,
        files,
        problems,
        warnings,
        env: opts.env.clone(),
    }
}

/// Walks one token's layers from the highest down and stops at the first
/// real value: what lies below it is shadowed and cannot block. A
/// placeholder does not stop the walk, even one that counts in `ci`, since
/// it never shadows a real value further down.
fn resolve_one<'d, 'l>(
    def: &'d TokenDef,
    opts: &LoadOptions,
    layers: &'l [Layer<'l>],
    kind: &dyn Fn(&Candidate) -> Kind,
    used: &mut HashSet<&'l str>,
    problems: &mut Vec<Problem>,
    warnings: &mut Vec<Warning>,
) -> Resolved<'d> {
    let env_name = opts.env.as_deref();
    let required = def.required.applies(env_name);
    let mut candidates: Vec<(Candidate, Kind)> = Vec::new();
    let won = |c: &[(Candidate, Kind)]| c.last().is_some_and(|(_, k)| *k == Kind::Real);
    let vars = std::iter::once(def.name.as_ref()).chain(def.aliases.iter().map(|a| a.as_ref()));
    for var in vars {
        match opts.var(var) {
            Ok(Some(v)) if !v.is_empty() => {
                let c = Candidate {
                    value: v,
                    source: Source::Environment {
                        var: var.to_owned(),
                    },
                };
                let k = kind(&c);
                candidates.push((c, k));
                if won(&candidates) {
                    break;
                }
            }
            Ok(_) => {}
            Err(()) => problems.push(Problem::NotUnicode {
                name: var.to_owned(),
            }),
        }
    }
    if let (false, Some(store)) = (won(&candidates), opts.store_layer(def.class)) {
        let name = def.name.as_ref();
        match store.values.get(name).map(Secret::expose_secret) {
            Some(v) if v.contains('\0') => {
                // No environment variable can hold it; never used, and not
                // shadowed by a file either.
                let source = Source::Store {
                    secret: store.label.clone(),
                };
                problems.push(Problem::Invalid {
                    name: name.to_owned(),
                    format: "a value without NUL bytes".to_owned(),
                    source: source.clone(),
                });
                return Resolved {
                    def,
                    value: None,
                    source: Some(source),
                    state: State::Unsafe,
                    required,
                };
            }
            Some(v) if !v.is_empty() => {
                let c = Candidate {
                    value: v.to_owned(),
                    source: Source::Store {
                        secret: store.label.clone(),
                    },
                };
                let k = kind(&c);
                candidates.push((c, k));
            }
            _ => {}
        }
    }
    for layer in layers.iter().rev() {
        if won(&candidates) {
            break;
        }
        used.insert(layer.file);
        let name = def.name.as_ref();
        let Some(e) = layer.index.first(name) else {
            continue;
        };
        // The first entry wins within a file, as with dotenvy.
        for line in layer.index.repeats(name).iter().map(|e| e.line) {
            problems.push(Problem::Duplicate {
                name: name.to_owned(),
                file: layer.file.to_owned(),
                first_line: e.line,
                line,
            });
        }
        if let Some(problem) = unusable(name, layer.file, e) {
            problems.push(problem);
            return Resolved {
                def,
                value: None,
                source: Some(Source::File {
                    file: layer.file.to_owned(),
                    line: e.line,
                }),
                state: State::Unsafe,
                required,
            };
        }
        if !e.value.is_empty() {
            let c = Candidate {
                value: e.value.clone(),
                source: Source::File {
                    file: layer.file.to_owned(),
                    line: e.line,
                },
            };
            let k = kind(&c);
            candidates.push((c, k));
        }
    }
    // The real value, else the highest placeholder that counts, else the
    // highest placeholder (to report it).
    let chosen = if won(&candidates) {
        candidates.pop()
    } else {
        let counted = candidates
            .iter()
            .position(|(_, k)| *k == Kind::CountedPlaceholder);
        match counted {
            Some(i) => Some(candidates.swap_remove(i)),
            None if candidates.is_empty() => None,
            None => Some(candidates.swap_remove(0)),
        }
    };
    let Some((c, k)) = chosen else {
        if required {
            problems.push(Problem::missing_in(
                def,
                env_name,
                opts.looked_in(def.class),
            ));
        }
        return Resolved {
            def,
            value: None,
            source: None,
            state: State::Missing,
            required,
        };
    };
    let name = def.name.to_string();
    let (state, value) = match k {
        Kind::CountedPlaceholder => (State::Set, Some(Secret::new(c.value))),
        Kind::Real if def.format.matches(&c.value) => (State::Set, Some(Secret::new(c.value))),
        Kind::Real => {
            problems.push(Problem::Invalid {
                name,
                format: def.format.to_string(),
                source: c.source.clone(),
            });
            (State::Invalid, None)
        }
        Kind::Placeholder | Kind::Unfilled => {
            if required {
                problems.push(if k == Kind::Unfilled {
                    Problem::Unfilled {
                        name,
                        source: c.source.clone(),
                    }
                } else {
                    Problem::Placeholder {
                        name,
                        env: opts.env.clone(),
                        source: c.source.clone(),
                    }
                });
            }
            (State::Placeholder, None)
        }
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
}

/// Why a file entry's value cannot be used as it is: a `$` dotenv would
/// change, or a NUL byte no environment variable can hold.
fn unusable(name: &str, file: &str, e: &dotenv::Entry) -> Option<Problem> {
    let (name, file, line) = (name.to_owned(), file.to_owned(), e.line);
    if e.value.contains('\0') {
        Some(Problem::Nul { name, file, line })
    } else if e.hazard.is_some() {
        Some(Problem::Unsafe { name, file, line })
    } else {
        None
    }
}

/// The non-token entries of the requested classes' files (see [`Resolution::settings`]).
fn collect_settings(
    request: &SettingsRequest,
    opts: &LoadOptions,
    layers: &HashMap<Class, Vec<Layer<'_>>>,
    problems: &mut Vec<Problem>,
) -> Vec<Setting> {
    let mut settings = Vec::new();
    let mut done: HashSet<&str> = HashSet::new();
    for class in &request.classes {
        let Some(class_layers) = layers.get(class) else {
            continue;
        };
        // Keys in order of first appearance, highest precedence file first.
        let mut order: Vec<&str> = Vec::new();
        for layer in class_layers.iter().rev() {
            for e in &layer.doc.entries {
                let key = e.key.as_str();
                if request.tokens.contains(key) || done.contains(key) {
                    continue;
                }
                done.insert(key);
                order.push(key);
            }
        }
        for key in order {
            // The highest layer with a non-empty value, else the highest one holding the key.
            let mut holding = class_layers
                .iter()
                .rev()
                .filter_map(|l| Some((l, l.index.first(key)?)));
            let first = holding.clone().next().expect("the key is in some layer");
            let (layer, e) = holding.find(|(_, e)| !e.value.is_empty()).unwrap_or(first);
            if !is_env_name(key) || looks_like_secret(key).is_some() {
                problems.push(Problem::UnusableKey {
                    file: layer.file.to_owned(),
                    line: e.line,
                });
                continue;
            }
            match opts.var(key) {
                Ok(Some(v)) if !v.is_empty() => {
                    settings.push(Setting {
                        name: key.to_owned(),
                        value: Secret::new(v),
                        source: Source::Environment {
                            var: key.to_owned(),
                        },
                    });
                    continue;
                }
                Ok(_) => {}
                Err(()) => {
                    problems.push(Problem::NotUnicode {
                        name: key.to_owned(),
                    });
                    continue;
                }
            }
            for line in layer.index.repeats(key).iter().map(|e| e.line) {
                problems.push(Problem::Duplicate {
                    name: key.to_owned(),
                    file: layer.file.to_owned(),
                    first_line: e.line,
                    line,
                });
            }
            if let Some(p) = unusable(key, layer.file, e) {
                problems.push(p);
                continue;
            }
            settings.push(Setting {
                name: key.to_owned(),
                value: Secret::new(e.value.clone()),
                source: Source::File {
                    file: layer.file.to_owned(),
                    line: e.line,
                },
            });
        }
    }
    settings
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
            aliases: Cow::Borrowed(&[]),
        }
    }

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    fn opts(dir: &tempfile::TempDir, env: Option<&str>, vars: &[(&str, &str)]) -> LoadOptions {
        LoadOptions::new(dir.path(), env).with_vars(vars.iter().copied())
    }

    #[test]
    fn a_hazard_nul_or_duplicate_in_a_shadowed_layer_does_not_block() {
        let dir = project(&[(".tokens", "A=pa$word\nB=x\nB=y\nC=a\0b\n")]);
        let defs = [def("A"), def("B"), def("C")];
        let env = [("A", "from-env"), ("B", "from-env"), ("C", "from-env")];
        let res = resolve(&defs, &opts(&dir, None, &env));
        assert_eq!(res.problems, []);
        assert_eq!(res.value("A").unwrap().expose_secret(), "from-env");
        // Where the file's value would be used, each one blocks.
        let res = resolve(&defs, &opts(&dir, None, &[]));
        let kinds: Vec<_> = res
            .problems
            .iter()
            .map(|p| p.to_string().lines().next().unwrap().to_owned())
            .collect();
        assert_eq!(
            kinds,
            [
                ".tokens:1: the value of A contains `$`, which dotenv substitution would change",
                ".tokens:3: B is set twice in one file (first at line 2)",
                ".tokens:4: the value of C contains a NUL byte, which no environment variable can hold",
            ]
        );
    }

    #[test]
    fn a_parse_error_blocks_only_when_the_file_is_read() {
        let dir = project(&[(".tokens", "A=x\nB='unterminated\n")]);
        let defs = [def("A")];
        assert_eq!(
            resolve(&defs, &opts(&dir, None, &[("A", "env")])).problems,
            []
        );
        assert_eq!(resolve(&defs, &opts(&dir, None, &[])).problems.len(), 1);
    }

    #[test]
    fn change_me_never_counts_and_ci_counts_only_committed_placeholders() {
        let dir = project(&[
            (
                ".tokens",
                "A=CHANGE_ME_A\nB=ci_test_other\nC=ci_test_value\n",
            ),
            (".tokens.ci", "D=ci_test_d\nE=CHANGE_ME_E\n"),
        ]);
        let defs = [def("A"), def("B"), def("C"), def("D"), def("E")];
        let res = resolve(&defs, &opts(&dir, Some("ci"), &[]));
        let states: Vec<_> = res.tokens.iter().map(|t| t.state).collect();
        use State::*;
        // C is its own ci_value; D a placeholder of the committed CI file.
        assert_eq!(states, [Placeholder, Placeholder, Set, Set, Placeholder]);
        assert!(matches!(&res.problems[0], Problem::Unfilled { name, .. } if name == "A"));
        assert!(res.problems[1].to_string().starts_with(
            "B from .tokens:2 is a placeholder; in the ci environment only the committed CI files"
        ));
        assert_eq!(res.problems.len(), 3);
        // The process environment cannot slip a CHANGE_ME_ past either.
        let a = [def("A")];
        let res = resolve(&a, &opts(&dir, Some("ci"), &[("A", "change_me_x")]));
        assert_eq!(res.tokens[0].state, Placeholder);
    }

    #[test]
    fn aliases_are_read_after_the_own_name_and_named_as_the_source() {
        let dir = project(&[]);
        let mut d = def("DEPLOY_KEY");
        d.aliases = Cow::Owned(vec![Cow::Borrowed("OLD_KEY"), Cow::Borrowed("OTHER_KEY")]);
        let defs = [d];
        let res = resolve(
            &defs,
            &opts(&dir, None, &[("OTHER_KEY", "o"), ("OLD_KEY", "")]),
        );
        assert_eq!(res.value("DEPLOY_KEY").unwrap().expose_secret(), "o");
        assert_eq!(
            res.tokens[0].source.as_ref().unwrap().to_string(),
            "$OTHER_KEY"
        );
        let res = resolve(
            &defs,
            &opts(&dir, None, &[("OLD_KEY", "1"), ("DEPLOY_KEY", "2")]),
        );
        assert_eq!(res.value("DEPLOY_KEY").unwrap().expose_secret(), "2");
        let res = resolve(&defs, &opts(&dir, Some("dev"), &[]));
        assert_eq!(
            res.problems[0].to_string(),
            "DEPLOY_KEY is missing (environment: dev); looked in the process environment (DEPLOY_KEY, OLD_KEY, OTHER_KEY), .tokens.dev, .tokens"
        );
    }

    #[test]
    fn missing_lists_every_place_without_a_dangling_separator() {
        let dir = project(&[]);
        let defs = [def("A")];
        let res = resolve(&defs, &opts(&dir, None, &[]));
        assert_eq!(
            res.missing(&["A"]).problems()[0].to_string(),
            "A is missing (environment: none); looked in the process environment, .tokens"
        );
        let bare = Problem::Missing {
            name: "X".into(),
            env: None,
            looked_in: vec![],
        };
        assert_eq!(bare.to_string(), "X is missing (environment: none)");
    }

    #[test]
    fn settings_layer_like_tokens_and_skip_every_token_name() {
        let dir = project(&[
            (
                ".env",
                "APP_ENV=development\nDATABASE_URL=base\nJWT_ALGORITHM=HS256\nEMPTY=\n",
            ),
            (
                ".env.ci",
                "DATABASE_URL=ci-db\nCI_BOT_TOKEN=ci_test_x\nAPP_SECRET=y\nEMPTY=\nLATE=1\n",
            ),
        ]);
        let mut d = def("APP_SECRET");
        d.class = Class::Runtime;
        let defs = [d];
        let o = opts(&dir, Some("ci"), &[("JWT_ALGORITHM", "RS256")])
            .with_settings(&[Class::Runtime], ["APP_SECRET", "CI_BOT_TOKEN"]);
        let res = resolve(&defs, &o);
        assert_eq!(res.problems, []);
        let got: Vec<(String, String, String)> = res
            .settings
            .iter()
            .map(|s| {
                (
                    s.name.clone(),
                    s.value.expose_secret().to_owned(),
                    s.source.to_string(),
                )
            })
            .collect();
        let want = [
            ("DATABASE_URL", "ci-db", ".env.ci:1"),
            ("EMPTY", "", ".env.ci:4"),
            ("LATE", "1", ".env.ci:5"),
            ("APP_ENV", "development", ".env:1"),
            ("JWT_ALGORITHM", "RS256", "$JWT_ALGORITHM"),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn settings_refuse_hazards_and_secret_looking_names_by_line_only() {
        let dir = project(&[(".env", "P=pa$word\nLEAKZZQ15dGhpcyBpcyBhIHNlY3JldA==\n")]);
        let o = opts(&dir, None, &[]).with_settings(&[Class::Runtime], Vec::<String>::new());
        let res = resolve(&[], &o);
        let text: Vec<String> = res.problems.iter().map(|p| p.to_string()).collect();
        assert!(
            text[0].starts_with(".env:1: the value of P contains `$`"),
            "{text:?}"
        );
        assert!(text[1].starts_with(".env:2: this entry's name"), "{text:?}");
        assert!(!text.join("").contains("LEAKZZ"));
        assert!(res.settings.is_empty());
    }

    #[test]
    fn committed_ci_files_get_no_permission_warning() {
        let dir = project(&[(".tokens.ci", "A=ci_test_value\n"), (".tokens", "")]);
        #[cfg(unix)]
        for f in [".tokens.ci", ".tokens"] {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path().join(f), std::fs::Permissions::from_mode(0o644))
                .unwrap();
        }
        let a = [def("A")];
        let res = resolve(&a, &opts(&dir, Some("ci"), &[]));
        #[cfg(unix)]
        assert_eq!(
            res.warnings,
            [Warning::Permissions {
                file: ".tokens".into(),
                mode: 0o644
            }]
        );
        assert_eq!(res.problems, []);
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

    fn store(files: bool, pairs: &[(&str, &str)]) -> StoreLayer {
        StoreLayer {
            class: Class::Cicd,
            label: "openbao secret/p/cicd/prod".into(),
            values: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), Secret::new(*v)))
                .collect(),
            files,
        }
    }

    #[test]
    fn the_store_ranks_between_the_process_environment_and_the_files() {
        let dir = project(&[(".tokens.prod", "A=file\nB=file\nC=file\n")]);
        let defs = [def("A"), def("B"), def("C"), def("D")];
        let o = opts(&dir, Some("prod"), &[("A", "env")])
            .with_store_layer(store(true, &[("A", "bao"), ("B", "bao"), ("C", "")]));
        let res = resolve(&defs, &o);
        let got: Vec<_> = res
            .tokens
            .iter()
            .map(|t| {
                (
                    t.value.as_ref().map(|v| v.expose_secret().to_owned()),
                    t.source.as_ref().map(ToString::to_string),
                )
            })
            .collect();
        let some = |v: &str, s: &str| (Some(v.to_owned()), Some(s.to_owned()));
        assert_eq!(
            got[..3],
            [
                some("env", "$A"),
                some("bao", "openbao secret/p/cicd/prod"),
                some("file", ".tokens.prod:3"),
            ]
        );
        assert_eq!(
            res.problems[0].to_string(),
            "D is missing (environment: prod); looked in the process environment, openbao secret/p/cicd/prod, .tokens.prod, .tokens"
        );
        assert!(
            !format!("{o:?}").contains("bao\""),
            "Debug shows names only"
        );
    }

    #[test]
    fn a_store_with_files_off_reads_no_file() {
        let dir = project(&[(".tokens.prod", "B=file\nbroken='\n"), (".tokens", "B=x\n")]);
        let defs = [def("A"), def("B")];
        let o = opts(&dir, Some("prod"), &[]).with_store_layer(store(false, &[("A", "bao")]));
        let res = resolve(&defs, &o);
        assert_eq!(res.value("A").unwrap().expose_secret(), "bao");
        assert!(res.files.is_empty(), "{:?}", res.files);
        assert_eq!(
            res.problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["B is missing (environment: prod); looked in the process environment, openbao secret/p/cicd/prod"]
        );
    }

    #[test]
    fn a_store_value_fails_its_format_and_a_nul_is_never_used() {
        let dir = project(&[(".tokens.prod", "B=file\n")]);
        let mut strict = def("A");
        strict.format = Format::Uuid;
        let defs = [strict, def("B")];
        let o = opts(&dir, Some("prod"), &[])
            .with_store_layer(store(true, &[("A", "bad"), ("B", "a\0b")]));
        let res = resolve(&defs, &o);
        let msgs: Vec<_> = res.problems.iter().map(ToString::to_string).collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(msgs[0].starts_with("A from openbao secret/p/cicd/prod does not match"));
        assert!(msgs[1].starts_with("B from openbao secret/p/cicd/prod"));
        assert!(res.value("B").is_none());
    }
}
