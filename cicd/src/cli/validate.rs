//! `tokenspec validate NAME…`: strict check of named tokens.

use clap::Args;

use super::{exit, report, Context};

pub const EXAMPLES: &str = "\
Examples:
  tokenspec validate AAR_TOKEN CI_BOT_TOKEN
  tokenspec --env prod validate PROD_ORCHESTRATION_BOT_KEY && ./deploy.sh";

#[derive(Debug, Clone, Args)]
pub struct ValidateArgs {
    /// Token names from the spec
    #[arg(required = true, value_name = "NAME")]
    pub names: Vec<String>,
}

pub fn run(_cx: &Context, _args: &ValidateArgs) -> i32 {
    report::error("not implemented yet");
    exit::USAGE
}
