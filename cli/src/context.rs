//! What every command needs: the root, the parsed spec and the environment.

use std::path::{Path, PathBuf};

use tokenspec_core::env::{self, EnvOrigin};
use tokenspec_core::{LoadOptions, TokenDef};
use tokenspec_spec::model::StoreSpec;
use tokenspec_spec::{Spec, SpecError};

use super::{Error, GlobalArgs, TypeArg};
use crate::error::Result;

/// The resolved global options, shared by all subcommands.
#[derive(Debug)]
pub struct Context {
    /// The folder holding the token files.
    pub root: PathBuf,
    /// The spec file, as found or given.
    pub spec_path: PathBuf,
    /// The spec file as shown in messages (relative to the root when inside it).
    pub spec_display: String,
    /// The parsed spec, kept to the end of the process: one spec per
    /// process, and definitions borrow its text.
    spec: &'static Spec,
    /// The selected environment; `None` reads base files only.
    pub env: Option<String>,
    /// Why that environment was selected.
    pub env_origin: EnvOrigin,
}

impl Context {
    /// Resolves root, spec and environment.
    pub fn new(global: &GlobalArgs) -> Result<Context> {
        Context::with_env_rule(global, true)
    }

    /// As [`Context::new`]; with `uses_env` false (`check`, `migrate`,
    /// `gen`, which work on every environment's files whatever `APP_ENV` or
    /// `CI` say) an unknown environment from a variable is not an error,
    /// while one given with `--env` still is.
    pub fn with_env_rule(global: &GlobalArgs, uses_env: bool) -> Result<Context> {
        let root = find_root(global)?;
        let spec_path = match &global.spec {
            Some(p) => p.clone(),
            None => root.join(env::SPEC_FILE),
        };
        let spec_display = display_path(&root, &spec_path);
        let spec: &'static Spec = Box::leak(Box::new(
            Spec::load(&spec_path, &spec_display).map_err(spec_error)?,
        ));
        let (env, env_origin) = env::select_from_process(global.env.as_deref(), &spec.env_from());
        let checked = uses_env || env_origin == EnvOrigin::Flag;
        if let (Some(name), true) = (&env, checked) {
            let known: Vec<&str> = spec.environments.iter().map(String::as_str).collect();
            env::check_known(name, &env_origin, &known).map_err(unknown_env)?;
        }
        Ok(Context {
            root,
            spec_path,
            spec_display,
            spec,
            env,
            env_origin,
        })
    }

    /// `root/file`, for a file name relative to the root.
    pub fn path(&self, file: &str) -> PathBuf {
        self.root.join(file)
    }

    /// Loader options for this root and environment, reading the real process environment.
    pub fn load_options(&self) -> LoadOptions {
        LoadOptions::new(&self.root, self.env.as_deref()).with_origin(self.env_origin.clone())
    }

    /// The whole spec.
    pub fn spec(&self) -> &'static Spec {
        self.spec
    }

    /// The spec's `[store]`.
    pub fn store(&self) -> Option<&StoreSpec> {
        self.spec.store.as_ref()
    }

    /// The loader definitions of the selected classes, in spec order.
    pub fn defs(&self, type_: TypeArg) -> Vec<TokenDef> {
        self.spec.borrowed_defs(type_.class())
    }

    /// The selected environment for messages: its name or `none`.
    pub fn env_name(&self) -> &str {
        self.env.as_deref().unwrap_or("none")
    }
}

fn spec_error(e: SpecError) -> Error {
    match e {
        SpecError::Io { path, error } => Error::io(format_args!("read {path}"), &error)
            .help("pass the spec with --spec FILE or the folder holding it with --root DIR"),
        SpecError::Invalid(d) => Error::diagnostics(&d),
    }
}

fn find_root(global: &GlobalArgs) -> Result<PathBuf> {
    if let Some(root) = &global.root {
        if !root.is_dir() {
            return Err(Error::fatal(format_args!(
                "--root {} is not a folder",
                root.display()
            )));
        }
        return Ok(root.clone());
    }
    let cwd = std::env::current_dir().map_err(|e| Error::io("read the working directory", &e))?;
    if let Some(root) = env::find_root(&cwd) {
        return Ok(root);
    }
    // An explicit spec elsewhere: its folder holds the token files.
    if let Some(parent) = global.spec.as_deref().and_then(Path::parent) {
        return Ok(if parent.as_os_str().is_empty() {
            cwd
        } else {
            parent.to_path_buf()
        });
    }
    Err(Error::fatal(format_args!(
        "no {} in {} or any parent folder",
        env::SPEC_FILE,
        cwd.display()
    ))
    .help("run tokenspec inside the project, or pass --root DIR or --spec FILE"))
}

/// An environment the spec does not define, whatever chose it: a typo such
/// as `APP_ENV=stagin` must not quietly read base files only.
fn unknown_env(e: env::UnknownEnv) -> Error {
    Error::with_help(crate::error::exit::ERROR, &e)
}

/// `path` relative to `root` when inside it, else as given.
pub fn display_path(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

pub use tokenspec_repo::io_message;
