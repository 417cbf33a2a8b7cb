//! Where to look: the root, the environment, the process environment, the
//! store's layers, and which settings to collect.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use crate::def::Class;
use crate::env::{self, EnvOrigin};
use crate::secret::Secret;

use super::report::{LoadError, Problem};

/// Where to look and what the process environment holds.
///
/// Built with [`LoadOptions::new`], [`LoadOptions::from_process`] or
/// [`LoadOptions::from_process_with`], then adjusted with the `with_*`
/// methods; environment names are normalised on the way in
/// (`production` → `prod`, `development` → `dev`).
#[derive(Clone, Debug)]
pub struct LoadOptions {
    pub(super) root: PathBuf,
    pub(super) env: Option<String>,
    pub(super) origin: EnvOrigin,
    /// A fixed process environment, for tests and embedding; `None` reads the real one.
    pub(super) vars: Option<HashMap<String, String>>,
    pub(super) settings: Option<SettingsRequest>,
    /// Per class, its values fetched from the store (at most one per class).
    pub(super) stores: Vec<StoreLayer>,
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
pub(super) struct SettingsRequest {
    pub(super) classes: Vec<Class>,
    /// Every name that is a token (of any class): never a setting.
    pub(super) tokens: HashSet<String>,
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
    pub(super) fn looked_in(&self, class: Class) -> Vec<String> {
        let mut places: Vec<String> = self
            .store_layer(class)
            .map(|l| l.label.clone())
            .into_iter()
            .collect();
        places.extend(self.files(class).into_iter().rev());
        places
    }

    pub(super) fn var(&self, name: &str) -> Result<Option<String>, ()> {
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
pub(super) fn layer_files(class: Class, env: Option<&str>) -> Vec<String> {
    let mut files = vec![class.base_file().to_owned()];
    if let Some(e) = env {
        files.push(class.env_file(e));
    }
    files
}
