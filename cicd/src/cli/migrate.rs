//! `tokenspec migrate`: move each token into its class's files (being written by another engineer).

use clap::Args;

use super::{exit, report, Context};

#[derive(Debug, Clone, Args)]
pub struct MigrateArgs {
    /// Show the masked diff, change nothing
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(_cx: &Context, _args: &MigrateArgs) -> i32 {
    report::error("not implemented yet");
    exit::USAGE
}
