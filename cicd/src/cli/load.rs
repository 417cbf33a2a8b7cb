//! `tokenspec load`: validate and print a status table (never values).

use clap::Args;

use super::{exit, report, Context, TypeArg};

pub const EXAMPLES: &str = "\
Examples:
  tokenspec load --type=cicd
  tokenspec --env prod load --type=runtime";

#[derive(Debug, Clone, Args)]
pub struct LoadArgs {
    /// Which tokens
    #[arg(long = "type", value_enum, default_value_t = TypeArg::All)]
    pub type_: TypeArg,
}

pub fn run(_cx: &Context, _args: &LoadArgs) -> i32 {
    report::error("not implemented yet");
    exit::USAGE
}
