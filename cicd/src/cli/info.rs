//! `tokenspec info`: where tokenspec looks, as JSON.

use super::{exit, report, Context};

pub const EXAMPLES: &str = "\
Examples:
  tokenspec info
  tokenspec --env prod info | jq .files";

pub fn run(_cx: &Context) -> i32 {
    report::error("not implemented yet");
    exit::USAGE
}
