//! `tokenspec check`: the policy audit (being written by another engineer).

use clap::{Args, ValueEnum};

use super::{exit, report, Context};

/// Output of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum CheckFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Report format
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Fix what can be fixed safely (permissions, ignore rules)
    #[arg(long)]
    pub fix: bool,
    /// Treat warnings as violations
    #[arg(long)]
    pub strict: bool,
}

pub fn run(_cx: &Context, _args: &CheckArgs) -> i32 {
    report::error("not implemented yet");
    exit::USAGE
}
