//! What every command needs: the root, the parsed spec and the environment.

use std::path::{Path, PathBuf};

use tokenspec_core::env::{self, EnvOrigin};
use tokenspec_core::{LoadOptions, TokenDef};
use tokenspec_manifest::{Spec, SpecError};

use super::spec_cache::{self, LoadedSpec};
use super::{exit, report, GlobalArgs, TypeArg};

/// The resolved global options, shared by all subcommands.
#[derive(Debug)]
pub struct Context {
    /// The folder holding the token files.
    pub root: PathBuf,
    /// The spec file, as found or given.
    pub spec_path: PathBuf,
    /// The spec file as shown in messages (relative to the root when inside it).
    pub spec_display: String,
    /// The spec: see [`Context::spec`] and [`Context::defs`].
    loaded: LoadedSpec,
    /// The selected environment; `None` reads base files only.
    pub env: Option<String>,
    /// Why that environment was selected.
    pub env_origin: EnvOrigin,
}

impl Context {
    /// Resolves root, spec and environment. On failure the error is already
    /// printed and the exit code (always [`exit::USAGE`]) is returned.
    pub fn new(global: &GlobalArgs) -> Result<Context, i32> {
        let root = find_root(global)?;
        let spec_path = match &global.spec {
            Some(p) => p.clone(),
            None => root.join(env::SPEC_FILE),
        };
        let spec_display = display_path(&root, &spec_path);
        let loaded = match spec_cache::load(&spec_path, &spec_display) {
            Ok(loaded) => loaded,
            Err(SpecError::Io { path, error }) => {
                report::error(format_args!("cannot read {path}: {}", io_message(&error)));
                report::help(
                    "pass the spec with --spec FILE or the folder holding it with --root DIR",
                );
                return Err(exit::USAGE);
            }
            // Diagnostics render their own `error:` lines.
            Err(SpecError::Invalid(d)) => {
                eprintln!("{d}");
                return Err(exit::USAGE);
            }
        };
        let (env, env_origin) = env::select_env_from_process(global.env.as_deref());
        if let Some(name) = &env {
            check_env(&loaded.environments(), name, env_origin)?;
        }
        Ok(Context {
            root,
            spec_path,
            spec_display,
            loaded,
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
        LoadOptions {
            root: self.root.clone(),
            env: self.env.clone(),
            vars: None,
        }
    }

    /// The whole spec (built from the cache's snapshot on first use).
    pub fn spec(&self) -> &'static Spec {
        self.loaded.spec()
    }

    /// The loader definitions of the selected classes, in spec order.
    pub fn defs(&self, type_: TypeArg) -> Vec<TokenDef> {
        self.loaded.defs(type_.class())
    }

    /// The selected environment for messages: its name or `none`.
    pub fn env_name(&self) -> &str {
        self.env.as_deref().unwrap_or("none")
    }
}

fn find_root(global: &GlobalArgs) -> Result<PathBuf, i32> {
    if let Some(root) = &global.root {
        if !root.is_dir() {
            report::error(format_args!("--root {} is not a folder", root.display()));
            return Err(exit::USAGE);
        }
        return Ok(root.clone());
    }
    let cwd = std::env::current_dir().map_err(|e| {
        report::error(format_args!(
            "cannot read the working directory: {}",
            io_message(&e)
        ));
        exit::USAGE
    })?;
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
    report::error(format_args!(
        "no {} in {} or any parent folder",
        env::SPEC_FILE,
        cwd.display()
    ));
    report::help("run tokenspec inside the project, or pass --root DIR or --spec FILE");
    Err(exit::USAGE)
}

fn check_env(environments: &[&str], name: &str, origin: EnvOrigin) -> Result<(), i32> {
    if env::is_valid_env_name(name) && environments.contains(&name) {
        return Ok(());
    }
    // PRODUCT.md: other APP_ENV values are used as given, so only an explicit
    // `--env` (a likely typo) is refused; `migrate` ignores APP_ENV anyway.
    if env::is_valid_env_name(name) && origin != EnvOrigin::Flag {
        report::warning(format_args!(
            "environment `{name}` (from {}) is not defined in the spec; using `.env.{name}` and `.tokens.{name}` as given",
            origin.as_str()
        ));
        return Ok(());
    }
    let why = if env::is_valid_env_name(name) {
        "is not defined in the spec"
    } else {
        "is not a valid environment name"
    };
    report::error(format_args!(
        "environment `{name}` (from {}) {why}",
        origin.as_str()
    ));
    report::help(format_args!(
        "use one of: {}; or add it to `environments` in the spec",
        environments.join(", ")
    ));
    Err(exit::USAGE)
}

/// `path` relative to `root` when inside it, else as given.
pub fn display_path(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

pub use tokenspec_repo::io_message;
