//! `tokenspec export`: print resolved tokens in a shell or file format.

use clap::{Args, ValueEnum};

use super::{exit, report, Context, TypeArg};

pub const EXAMPLES: &str = "\
Examples:
  eval \"$(tokenspec export --type=cicd)\"
  tokenspec export --type=cicd --format=fish | source
  tokenspec export --type=cicd --format=pwsh | Invoke-Expression
  tokenspec export --type=cicd --format=github >> \"$GITHUB_ENV\"
  tokenspec export --type=runtime --format=json";

/// Output syntax of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ExportFormat {
    /// POSIX shell: export NAME='value' (bash, dash, zsh)
    #[default]
    Sh,
    /// fish: set -gx NAME 'value'
    Fish,
    /// PowerShell: $env:NAME = 'value'
    Pwsh,
    /// dotenv: NAME='value', readable by dotenvy
    Dotenv,
    /// A JSON object of name to value
    Json,
    /// GitHub Actions $GITHUB_ENV lines; masks go to stderr
    Github,
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// Which tokens
    #[arg(long = "type", value_enum, default_value_t = TypeArg::All)]
    pub type_: TypeArg,
    /// Output syntax
    #[arg(long, value_enum, default_value_t = ExportFormat::Sh)]
    pub format: ExportFormat,
    /// Export the valid tokens even when others are missing or invalid (exit 0)
    #[arg(long)]
    pub partial: bool,
}

pub fn run(_cx: &Context, _args: &ExportArgs) -> i32 {
    report::error("not implemented yet");
    exit::USAGE
}
