//! `cargo xtask gen [--check] [--root DIR]`: writes, or checks, every file
//! generated from this workspace's `token-spec.toml`. A thin caller of
//! `tokenspec_repo::generate`, the same function as `tokenspec gen`.
//!
//! Exit codes: 0 fine, 1 generated files are stale (`--check`) or a
//! committed file holds a real value where gen would write (nothing is
//! written), 2 usage, spec or I/O error. Messages go to stderr.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tokenspec_repo::generate::{self, Mode};
use tokenspec_repo::render::SPEC_FILE;
use tokenspec_repo::Help;
use tokenspec_spec::{Spec, SpecError};

const USAGE: &str = "usage: cargo xtask gen [--check] [--root DIR]";

struct Args {
    mode: Mode,
    root: PathBuf,
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(msg) => {
            eprintln!("error: {msg}\nhelp: {USAGE}");
            return ExitCode::from(2);
        }
    };
    match gen(&args) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("{msg}");
            ExitCode::from(2)
        }
    }
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    match args.next().as_deref() {
        Some("gen") => {}
        Some(other) => return Err(format!("unknown task `{other}`")),
        None => return Err("no task given".into()),
    }
    // The workspace root, wherever cargo was run from.
    let mut root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is inside the workspace")
        .to_path_buf();
    let mut mode = Mode::Write;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => mode = Mode::Check,
            "--root" => root = args.next().ok_or("`--root` needs a directory")?.into(),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Args { mode, root })
}

fn gen(args: &Args) -> Result<ExitCode, String> {
    let spec = Spec::load(&args.root.join(SPEC_FILE), SPEC_FILE).map_err(|e| match e {
        SpecError::Io { path, error } => format!(
            "error: cannot read {path} in {}: {error}\nhelp: pass `--root DIR`",
            args.root.display()
        ),
        // Rendered with line, column and caret; the generator writes nothing.
        SpecError::Invalid(d) => {
            let each: Vec<String> = d
                .items
                .iter()
                .map(|i| format!("error: {}", d.render(i)))
                .collect();
            format!(
                "{}\nerror: {SPEC_FILE} is invalid; nothing was generated",
                each.join("\n\n")
            )
        }
    })?;
    let report = match generate::run(&args.root, &spec, args.mode) {
        Ok(report) => report,
        Err(e @ generate::Error::Refused(_)) => {
            for line in e.to_string().lines() {
                eprintln!("error: {line}");
            }
            if let Some(help) = e.help() {
                eprintln!("help: {help}");
            }
            return Ok(ExitCode::from(1));
        }
        Err(e) => {
            let help = e.help().map(|h| format!("\nhelp: {h}")).unwrap_or_default();
            return Err(format!("error: {e}{help}"));
        }
    };
    if args.mode == Mode::Check {
        for stale in &report.stale {
            eprintln!("error: {stale}");
        }
        if report.is_fresh() {
            eprintln!("all {} generated files are up to date", report.total);
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!("help: run `cargo xtask gen` and commit the result");
        return Ok(ExitCode::from(1));
    }
    for stale in &report.stale {
        eprintln!("wrote {}", stale.path);
    }
    eprintln!(
        "{} written, {} unchanged",
        report.stale.len(),
        report.total - report.stale.len()
    );
    Ok(ExitCode::SUCCESS)
}
