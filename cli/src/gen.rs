//! `tokenspec gen [--check]`: writes, or checks, every file generated from
//! the spec: `.tokens.ci`, `.env.ci`, `docs/TOKENS.md`, the `.gitignore`
//! block and `token-spec.schema.json`. The same library function as this
//! workspace's `cargo xtask gen`, so any repository gets it with the binary.

use clap::Args;

use tokenspec_core::Help;
use tokenspec_repo::generate::{self, Mode};

use super::{report, Context, Error, Outcome};
use crate::error::{exit, Result};

pub const EXAMPLES: &str = "\
Examples:
  tokenspec gen            write the generated files that are missing or stale
  tokenspec gen --check    exit 1 if any is; in CI, after every spec change

Exit codes: 0 up to date (or written), 1 stale with --check, 2 spec or I/O error.";

#[derive(Debug, Clone, Args)]
pub struct GenArgs {
    /// Write nothing; exit 1 if a generated file is missing or out of date
    #[arg(long)]
    pub check: bool,
}

pub fn run(cx: &Context, args: &GenArgs) -> Result<Outcome> {
    let mode = if args.check { Mode::Check } else { Mode::Write };
    let report = generate::run(&cx.root, cx.spec(), mode).map_err(|e| match e {
        // A real value in a committed file: nothing was written; name the lines.
        generate::Error::Refused(ref refused) => {
            let (first, rest) = refused.split_first().expect("a refusal names a line");
            let error = rest.iter().fold(Error::failed(first), Error::and);
            match e.help() {
                Some(help) => error.help(help),
                None => error,
            }
        }
        e => Error::with_help(exit::ERROR, &e),
    })?;
    for name in &report.removed_temp_files {
        report::note(format_args!("removed {name}, left by an interrupted write"));
    }
    for taken in &report.taken {
        if args.check {
            report::note(format_args!("{taken} (not written: --check)"));
        } else {
            report::note(taken);
        }
    }
    if args.check {
        let Some((first, rest)) = report.stale.split_first() else {
            report::plain(format_args!(
                "all {} generated files are up to date",
                report.total
            ));
            return Ok(Outcome::Ok);
        };
        let error = rest.iter().fold(Error::failed(first), Error::and);
        return Err(error.help("run `tokenspec gen` and commit the result"));
    }
    for stale in &report.stale {
        report::plain(format_args!("wrote {}", stale.path));
    }
    report::plain(format_args!(
        "{} written, {} unchanged",
        report.stale.len(),
        report.total - report.stale.len()
    ));
    Ok(Outcome::Ok)
}
