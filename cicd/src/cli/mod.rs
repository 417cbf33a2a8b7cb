//! The `tokenspec` command line: argument definitions and dispatch.
//!
//! Each subcommand lives in its own module with a `run(&Context, &Args) -> i32`;
//! this file only parses arguments, builds the shared [`Context`] and maps
//! the outcome to an exit code ([`exit`]).

use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use tokenspec_core::Class;

pub mod check;
pub mod completions;
pub mod context;
pub mod create;
pub mod export;
pub mod github;
pub mod info;
pub mod load;
pub mod migrate;
pub mod quote;
pub mod report;
pub mod run;
pub mod spec_cache;
pub mod table;
pub mod validate;

pub use context::Context;

/// Process exit codes, the same for every command.
pub mod exit {
    /// Everything is fine.
    pub const OK: i32 = 0;
    /// Tokens missing or invalid, or a policy violation.
    pub const TOKENS: i32 = 1;
    /// Usage, spec or I/O error.
    pub const USAGE: i32 = 2;
}

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

/// Flags accepted before or after any subcommand.
#[derive(Debug, Clone, Default, Args)]
pub struct GlobalArgs {
    /// Folder holding the token files [default: nearest folder upwards with token-spec.toml]
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// The spec file [default: <root>/token-spec.toml]
    #[arg(long, global = true, value_name = "FILE")]
    pub spec: Option<PathBuf>,
    /// Environment (dev, prod, ci, …) [default: APP_ENV, else ci when CI is on, else none]
    #[arg(long, global = true, value_name = "NAME")]
    pub env: Option<String>,
}

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    /// Print where tokenspec looks: root, spec, environment and files (JSON)
    #[command(after_help = info::EXAMPLES)]
    Info,
    /// Validate tokens and print a status table; create a missing base file from the template
    #[command(after_help = load::EXAMPLES)]
    Load(load::LoadArgs),
    /// Print tokens for a shell, a dotenv file, JSON or GitHub Actions
    #[command(after_help = export::EXAMPLES)]
    Export(export::ExportArgs),
    /// Run a command with the tokens in its environment (no shell involved)
    #[command(after_help = run::EXAMPLES)]
    Run(run::RunArgs),
    /// Exit 1 unless each named token is set, valid and not a placeholder
    #[command(after_help = validate::EXAMPLES)]
    Validate(validate::ValidateArgs),
    /// Audit the token files: separation, ignore rules, permissions, placeholders, leaks
    Check(check::CheckArgs),
    /// Move each token of a mixed file into its class's files
    Migrate(migrate::MigrateArgs),
    /// Print shell completions
    #[command(after_help = completions::EXAMPLES)]
    Completions(completions::CompletionsArgs),
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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return e.exit_code();
        }
    };
    dispatch(&cli)
}

/// Runs one parsed command line.
pub fn dispatch(cli: &Cli) -> i32 {
    if let Command::Completions(args) = &cli.command {
        return completions::run(&mut Cli::command(), args);
    }
    let cx = match Context::new(&cli.global) {
        Ok(cx) => cx,
        Err(code) => return code,
    };
    match &cli.command {
        Command::Info => info::run(&cx),
        Command::Load(args) => load::run(&cx, args),
        Command::Export(args) => export::run(&cx, args),
        Command::Run(args) => run::run(&cx, args),
        Command::Validate(args) => validate::run(&cx, args),
        Command::Check(args) => check::run(&cx, args),
        Command::Migrate(args) => migrate::run(&cx, args),
        Command::Completions(_) => unreachable!("handled before the spec is loaded"),
    }
}
