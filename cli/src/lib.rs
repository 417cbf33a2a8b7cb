//! The `tokenspec` command line: argument definitions and dispatch.
//!
//! Each subcommand lives in its own module with a
//! `run(&Context, &Args) -> error::Result<Outcome>`; this file only parses
//! arguments, builds the shared [`Context`], and prints the one error a
//! command returns ([`error`]).

use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use tokenspec_core::Class;

pub mod check;
pub mod completions;
pub mod context;
pub mod create;
pub mod error;
pub mod export;
pub mod gen;
pub mod github;
pub mod handoff;
pub mod info;
pub mod init;
pub mod load;
pub mod migrate;
pub mod process;
pub mod push;
pub mod quote;
pub mod report;
pub mod run;
pub mod store;
pub mod table;
pub mod usage;
pub mod validate;

pub use context::Context;
pub use error::{exit, Error, Outcome};

const EXAMPLES: &str = "\
Examples:
  eval \"$(tokenspec export --type=cicd)\"
  tokenspec run --type=cicd -- ./deploy.sh --prod
  tokenspec export --type=cicd --format=github >> \"$GITHUB_ENV\"
  tokenspec --env prod load --type=runtime
  tokenspec validate AAR_TOKEN CI_BOT_TOKEN

Exit codes: 0 fine, 1 tokens missing or invalid or a policy violation, 2 usage, spec or I/O error.";

/// Load, export and audit the secret tokens described by token-spec.toml.
#[derive(Debug, Parser)]
#[command(name = "tokenspec", version, after_help = EXAMPLES)]
#[command(
    propagate_version = true,
    subcommand_required = true,
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

// Flags accepted before or after any subcommand.
//
// Not clap's `global = true`: that copies every global flag into every
// subcommand at each start, which was a third of the memory `export`
// touched. Instead the root and each subcommand (`WithGlobals`) declare
// them, only the subcommand that runs builds its copy (`defer`), and
// `Cli::global` merges the two, the later one on the command line winning
// as with a global flag.
// (`//`, not doc comments: clap would show them as a subcommand's about.)
#[derive(Debug, Clone, Default, Args)]
pub struct GlobalArgs {
    /// Folder holding the token files [default: nearest folder upwards with token-spec.toml]
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// The spec file [default: <root>/token-spec.toml]
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,
    /// Environment (dev, prod, ci, …) [default: TOKENSPEC_ENV, else the spec's env_from variables, else none]
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
}

impl GlobalArgs {
    /// These flags, each overridden by `later` where `later` has it.
    fn overridden_by(&self, later: &GlobalArgs) -> GlobalArgs {
        GlobalArgs {
            root: later.root.clone().or_else(|| self.root.clone()),
            spec: later.spec.clone().or_else(|| self.spec.clone()),
            env: later.env.clone().or_else(|| self.env.clone()),
        }
    }
}

// A subcommand's own arguments followed by the global flags. (A `//`
// comment: a doc comment here would replace every subcommand's about.)
#[derive(Debug, Args)]
pub struct WithGlobals<T: Args> {
    #[command(flatten)]
    pub args: T,
    #[command(flatten)]
    pub global: GlobalArgs,
}

// `info` takes no arguments of its own.
#[derive(Debug, Args)]
pub struct NoArgs {}

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    /// Print where tokenspec looks: root, spec, environment and files (JSON)
    #[command(after_help = info::EXAMPLES)]
    Info(WithGlobals<NoArgs>),
    /// Validate tokens and print a status table; create a missing base file from the template
    #[command(after_help = load::EXAMPLES)]
    Load(WithGlobals<load::LoadArgs>),
    /// Print tokens for a shell, a dotenv file, JSON or GitHub Actions
    #[command(after_help = export::EXAMPLES)]
    Export(WithGlobals<export::ExportArgs>),
    /// Run a command with the tokens in its environment (no shell involved)
    #[command(after_help = run::EXAMPLES)]
    Run(WithGlobals<run::RunArgs>),
    /// Exit 1 unless each named token is set, valid and not a placeholder
    #[command(after_help = validate::EXAMPLES)]
    Validate(WithGlobals<validate::ValidateArgs>),
    /// Audit the token files and the workflows: separation, ignore rules, permissions, placeholders, leaks, where each token is used
    Check(WithGlobals<check::CheckArgs>),
    /// List every secret reference in .github/workflows: file, line, job, step, name, kind
    #[command(after_help = usage::EXAMPLES)]
    Usage(WithGlobals<usage::UsageArgs>),
    /// Move each token of a mixed file into its class's files
    Migrate(WithGlobals<migrate::MigrateArgs>),
    /// Write (or --check) the files generated from the spec: CI files, docs, .gitignore block, schema
    #[command(after_help = gen::EXAMPLES)]
    Gen(WithGlobals<gen::GenArgs>),
    /// Write a starter token-spec.toml from the .env* and .tokens* files here
    #[command(after_help = init::EXAMPLES)]
    Init(WithGlobals<init::InitArgs>),
    /// Write the environment's tokens from its files to the spec's store (check-and-set; never prints a value)
    #[command(after_help = push::EXAMPLES)]
    Push(WithGlobals<push::PushArgs>),
    /// Print shell completions
    #[command(after_help = completions::EXAMPLES)]
    Completions(WithGlobals<completions::CompletionsArgs>),
}

impl Cli {
    /// The global flags, from before and after the subcommand.
    pub fn global(&self) -> GlobalArgs {
        let after = match &self.command {
            Command::Info(c) => &c.global,
            Command::Load(c) => &c.global,
            Command::Export(c) => &c.global,
            Command::Run(c) => &c.global,
            Command::Validate(c) => &c.global,
            Command::Check(c) => &c.global,
            Command::Usage(c) => &c.global,
            Command::Migrate(c) => &c.global,
            Command::Gen(c) => &c.global,
            Command::Init(c) => &c.global,
            Command::Push(c) => &c.global,
            Command::Completions(c) => &c.global,
        };
        self.global.overridden_by(after)
    }
}

/// Which class of tokens a command works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum TypeArg {
    /// CI/CD automation tokens (.tokens, .tokens.<env>)
    Cicd,
    /// Application runtime tokens (.env, .env.<env>)
    Runtime,
    /// Both classes
    #[default]
    All,
}

impl TypeArg {
    /// The class filter for `Spec::defs`: `None` means every class.
    pub fn class(self) -> Option<Class> {
        match self {
            TypeArg::Cicd => Some(Class::Cicd),
            TypeArg::Runtime => Some(Class::Runtime),
            TypeArg::All => None,
        }
    }

    /// The classes covered, in a fixed order.
    pub fn classes(self) -> &'static [Class] {
        match self {
            TypeArg::Cicd => &[Class::Cicd],
            TypeArg::Runtime => &[Class::Runtime],
            TypeArg::All => &Class::ALL,
        }
    }
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    process::harden();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return e.exit_code();
        }
    };
    match dispatch(&cli) {
        Ok(outcome) => outcome.code(),
        Err(e) => {
            e.print();
            e.code()
        }
    }
}

/// Runs one parsed command line.
pub fn dispatch(cli: &Cli) -> error::Result<Outcome> {
    if let Command::Completions(c) = &cli.command {
        return completions::run(&mut Cli::command(), &c.args);
    }
    // `init` runs where there is no spec yet.
    if let Command::Init(c) = &cli.command {
        return init::run(&cli.global(), &c.args);
    }
    let uses_env = !matches!(
        cli.command,
        Command::Check(_) | Command::Usage(_) | Command::Migrate(_) | Command::Gen(_)
    );
    let cx = Context::with_env_rule(&cli.global(), uses_env)?;
    match &cli.command {
        Command::Info(_) => info::run(&cx),
        Command::Load(c) => load::run(&cx, &c.args),
        Command::Export(c) => export::run(&cx, &c.args),
        Command::Run(c) => run::run(&cx, &c.args),
        Command::Validate(c) => validate::run(&cx, &c.args),
        Command::Check(c) => check::run(&cx, &c.args),
        Command::Usage(c) => usage::run(&cx, &c.args),
        Command::Migrate(c) => migrate::run(&cx, &c.args),
        Command::Gen(c) => gen::run(&cx, &c.args),
        Command::Push(c) => push::run(&cx, &c.args),
        Command::Init(_) | Command::Completions(_) => {
            unreachable!("handled before the spec is loaded")
        }
    }
}
