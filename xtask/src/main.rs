//! `cargo xtask gen [--check] [--root DIR]`: writes, or checks, every file
//! generated from `token-spec.toml` (see `tokenspec_spec::render`).
//!
//! Exit codes: 0 fine, 1 generated files are stale (`--check`), 2 usage,
//! spec or I/O error. Messages go to stderr.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tokenspec_spec::render::{self, Output};
use tokenspec_spec::{Spec, SpecError};

const USAGE: &str = "usage: cargo xtask gen [--check] [--root DIR]";

struct Args {
    check: bool,
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
    let mut check = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--root" => root = args.next().ok_or("`--root` needs a directory")?.into(),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Args { check, root })
}

fn gen(args: &Args) -> Result<ExitCode, String> {
    let spec_path = args.root.join(render::SPEC_FILE);
    let spec = Spec::load(&spec_path, render::SPEC_FILE).map_err(|e| match e {
        SpecError::Io { path, error } => {
            format!(
                "error: cannot read {path} in {}: {error}\nhelp: pass `--root DIR`",
                args.root.display()
            )
        }
        // Rendered with line, column and caret; the generator writes nothing.
        SpecError::Invalid(d) => format!(
            "{d}\nerror: {} is invalid; nothing was generated",
            render::SPEC_FILE
        ),
    })?;

    // A file that exists but cannot be read must stop the run: treating it
    // as missing would overwrite its hand-kept lines.
    let read_errors = RefCell::new(Vec::new());
    let outputs = render::outputs(&spec, |path| {
        match std::fs::read_to_string(args.root.join(path)) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                read_errors
                    .borrow_mut()
                    .push(format!("error: cannot read {path}: {e}"));
                None
            }
        }
    });
    let read_errors = read_errors.into_inner();
    if !read_errors.is_empty() {
        return Err(read_errors.join("\n"));
    }

    let stale: Vec<&Output> = outputs
        .iter()
        .filter(|o| !is_fresh(&args.root, o))
        .collect();
    if args.check {
        for o in &stale {
            eprintln!(
                "error: {} is out of date with {}",
                o.path,
                render::SPEC_FILE
            );
        }
        if stale.is_empty() {
            eprintln!("all {} generated files are up to date", outputs.len());
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!("help: run `cargo xtask gen` and commit the result");
        return Ok(ExitCode::from(1));
    }
    for o in &stale {
        let path = args.root.join(o.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("error: cannot create {}: {e}", dir.display()))?;
        }
        std::fs::write(&path, &o.content)
            .map_err(|e| format!("error: cannot write {}: {e}", o.path))?;
        eprintln!("wrote {}", o.path);
    }
    eprintln!(
        "{} written, {} unchanged",
        stale.len(),
        outputs.len() - stale.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn is_fresh(root: &Path, o: &Output) -> bool {
    std::fs::read(root.join(o.path)).is_ok_and(|bytes| bytes == o.content.as_bytes())
}
