//! `cargo xtask gen [--check] [--root DIR]`: writes, or checks, every file
//! generated from this workspace's `token-spec.toml`. A thin caller of
//! `tokenspec_repo::generate`, the same function as `tokenspec gen`.
//!
//! `cargo xtask dist [--binary FILE] [--out DIR]`: the release binary as a
//! Python wheel and npm packages in `target/dist/` (see `dist.rs`).
//!
//! Exit codes: 0 fine, 1 generated files are stale (`--check`) or a
//! committed file holds a real value where gen would write (nothing is
//! written), 2 usage, spec or I/O error. Messages go to stderr.

mod dist;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tokenspec_repo::generate::{self, Mode};
use tokenspec_repo::render::SPEC_FILE;
use tokenspec_repo::Help;
use tokenspec_spec::{Spec, SpecError};

const USAGE: &str = "usage: cargo xtask gen [--check] [--root DIR]\n       cargo xtask dist [--binary FILE] [--out DIR]";

struct Args {
    mode: Mode,
    root: PathBuf,
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let task = args.next();
    let parsed = match task.as_deref() {
        Some("gen") => parse_args(args).map(Task::Gen),
        Some("dist") => parse_dist(args).map(Task::Dist),
        Some(other) => Err(format!("unknown task `{other}`")),
        None => Err("no task given".into()),
    };
    let task = match parsed {
        Ok(task) => task,
        Err(msg) => {
            eprintln!("error: {msg}\nhelp: {USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = match task {
        Task::Gen(args) => gen(&args),
        Task::Dist(opts) => dist(&opts),
    };
    match result {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("{msg}");
            ExitCode::from(2)
        }
    }
}

enum Task {
    Gen(Args),
    Dist(dist::Options),
}

/// The workspace root, wherever cargo was run from.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is inside the workspace")
        .to_path_buf()
}

fn parse_dist(mut args: impl Iterator<Item = String>) -> Result<dist::Options, String> {
    let mut opts = dist::Options {
        binary: None,
        out: workspace_root().join("target").join("dist"),
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--binary" => opts.binary = Some(args.next().ok_or("`--binary` needs a file")?.into()),
            "--out" => opts.out = args.next().ok_or("`--out` needs a directory")?.into(),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(opts)
}

fn dist(opts: &dist::Options) -> Result<ExitCode, String> {
    let built = dist::run(&workspace_root(), opts).map_err(|e| format!("error: {e}"))?;
    for file in &built.files {
        eprintln!("wrote {}", file.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut root = workspace_root();
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
