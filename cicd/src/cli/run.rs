//! `tokenspec run -- CMD ARGS…`: start CMD with the tokens in its environment.

use std::ffi::OsString;

use clap::Args;

use super::{exit, report, Context, TypeArg};

pub const EXAMPLES: &str = "\
Examples:
  tokenspec run --type=cicd -- ./deploy.sh --prod
  tokenspec --env prod run --type=runtime -- cargo run --release";

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Which tokens
    #[arg(long = "type", value_enum, default_value_t = TypeArg::All)]
    pub type_: TypeArg,
    /// The command and its arguments (after `--`)
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "CMD"
    )]
    pub command: Vec<OsString>,
}

pub fn run(_cx: &Context, _args: &RunArgs) -> i32 {
    report::error("not implemented yet");
    exit::USAGE
}
