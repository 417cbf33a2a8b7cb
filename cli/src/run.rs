//! `tokenspec run -- CMD ARGS…`: start CMD with the tokens in its environment.
//!
//! No shell is involved: values go straight into the child's environment,
//! so nothing in them is ever parsed. On Unix the process is replaced
//! (`exec`), so signals and the exit status belong to CMD alone.

use std::ffi::OsString;
use std::io;
use std::process::Command;

use clap::Args;

use tokenspec_core::load::resolve;

use super::handoff::{self, Rename};
use super::{process, report, Context, Error, Outcome, TypeArg};
use crate::error::Result;

pub const EXAMPLES: &str = "\
Examples:
  tokenspec run --type=cicd -- ./deploy.sh --prod
  tokenspec --env prod run --type=runtime -- cargo run --release
  tokenspec run --type=cicd --as ORCHESTRATION_KEY=DEV_ORCHESTRATION_BOT_KEY -- ./deploy.sh
  tokenspec run --as GH_TOKEN=CI_ISSUE_AUTOMATION_TOKEN,CI_BOT_TOKEN,GITHUB_TOKEN -- ./matrix.sh
  tokenspec --env ci run --with-settings -- cargo test

CMD's exit status is passed through. When a token is missing or invalid
CMD is not started (exit 1). CMD not found: exit 127; not executable: 126.";

/// Exit code when the command cannot be found, as shells use it.
const NOT_FOUND: i32 = 127;
/// Exit code when the command exists but cannot be executed.
const NOT_EXECUTABLE: i32 = 126;

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Which tokens
    #[arg(long = "type", value_enum, default_value_t = TypeArg::All)]
    pub type_: TypeArg,
    /// Also give CMD the variable NAME, the value of the first set SOURCE (a token or a variable)
    #[arg(long = "as", value_name = "NAME=SOURCE[,SOURCE…]")]
    pub renames: Vec<Rename>,
    /// Also give CMD the files' other entries (settings)
    #[arg(long)]
    pub with_settings: bool,
    /// The command and its arguments (after `--`)
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "CMD"
    )]
    pub command: Vec<OsString>,
}

pub fn run(cx: &Context, args: &RunArgs) -> Result<Outcome> {
    let (defs, opts) = handoff::load(cx, args.type_, &args.renames, args.with_settings)?;
    let res = resolve(&defs, &opts);
    report::warnings(&res);
    let program = args.command[0].to_string_lossy();
    if !res.problems.is_empty() {
        return Err(Error::problems(&res.problems).help(format_args!(
            "`{program}` was not started; fix the tokens above"
        )));
    }
    let outputs = handoff::outputs(&res, &args.renames, |n| std::env::var(n).ok())
        .map_err(|e| e.help(format_args!("`{program}` was not started")))?;
    let mut cmd = Command::new(&args.command[0]);
    cmd.args(&args.command[1..]);
    for o in &outputs {
        cmd.env(&o.name, o.value.expose_secret());
    }
    process::restore_for_child();
    let err = match spawn(&mut cmd) {
        Ok(code) => return Ok(Outcome::Code(code)),
        Err(e) => e,
    };
    Err(match err.kind() {
        io::ErrorKind::NotFound => {
            Error::new(NOT_FOUND, format_args!("command not found: {program}"))
        }
        io::ErrorKind::PermissionDenied => {
            Error::new(NOT_EXECUTABLE, format_args!("permission denied: {program}"))
        }
        _ => Error::io(format_args!("run {program}"), &err).with_code(NOT_EXECUTABLE),
    })
}

/// Replaces this process with `cmd`; returns only on failure.
#[cfg(unix)]
fn spawn(cmd: &mut Command) -> io::Result<i32> {
    use std::os::unix::process::CommandExt;
    Err(cmd.exec())
}

/// Runs `cmd` to completion and passes its exit code through.
#[cfg(not(unix))]
fn spawn(cmd: &mut Command) -> io::Result<i32> {
    let status = cmd.status()?;
    Ok(status.code().unwrap_or(crate::exit::FAILED))
}
