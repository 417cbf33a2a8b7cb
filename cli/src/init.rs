//! `tokenspec init [--from FILE…]`: a starter `token-spec.toml` for a
//! repository that has token files but no spec yet.
//!
//! The guessing is `tokenspec_repo::init`; this module reads the files,
//! writes the spec (never over an existing one) and reports each guess on
//! stderr. Nothing goes to stdout, and no value goes anywhere.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use tokenspec_core::env::SPEC_FILE;
use tokenspec_repo::init::{self as guess, Source, Starter};

use super::create::{self, create_new_with_mode};
use super::{report, table, Error, GlobalArgs, Outcome};
use crate::error::Result;

pub const EXAMPLES: &str = "\
Examples:
  tokenspec init
  tokenspec init --from .env.example --from deploy/.tokens
  tokenspec --root ../service init

The root is --root DIR, else the working directory (there is no spec to
find yet). Reads every .env, .env.*, .tokens and .tokens.* there (templates
such as .env.example included) unless --from names the files. Writes only
key names, never a value; refuses to replace an existing spec (exit 2).";

#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// Read these files instead of the token files at the root
    #[arg(long = "from", value_name = "FILE", num_args = 1..)]
    pub from: Vec<PathBuf>,
}

pub fn run(global: &GlobalArgs, args: &InitArgs) -> Result<Outcome> {
    let root = match &global.root {
        Some(root) if !root.is_dir() => {
            return Err(Error::fatal(format_args!(
                "--root {} is not a folder",
                root.display()
            )));
        }
        Some(root) => root.clone(),
        None => PathBuf::from("."),
    };
    let spec_path = global.spec.clone().unwrap_or_else(|| root.join(SPEC_FILE));
    let spec_display = display(&spec_path);
    if std::fs::symlink_metadata(&spec_path).is_ok() {
        return Err(already_exists(&spec_display));
    }
    let (dir, name) = match (
        spec_path.parent(),
        spec_path.file_name().and_then(|n| n.to_str()),
    ) {
        (Some(dir), Some(name)) if dir.as_os_str().is_empty() => (Path::new("."), name),
        (Some(dir), Some(name)) => (dir, name),
        _ => {
            return Err(
                Error::fatal(format_args!("--spec {spec_display} does not name a file"))
                    .help("pass a file path such as --spec token-spec.toml"),
            );
        }
    };
    let sources = read_sources(&root, &args.from)?;
    let inventory = tokenspec_repo::workflows::read(&root);
    let workflows = guess::WorkflowSecrets::of(&inventory);
    let mut starter = guess::starter_with(&sources, &workflows);
    for f in &inventory.failures {
        starter.notes.push(format!(
            "{}:{}: the workflow does not parse ({}); its secrets are not listed",
            f.file, f.line, f.message
        ));
    }
    starter.notes.extend(
        inventory
            .io_errors
            .iter()
            .map(|e| format!("{e}; its secrets are not listed")),
    );
    match create_new_with_mode(dir, name, &starter.text, 0o644) {
        Ok(create::Outcome::Created) => {}
        Ok(create::Outcome::AlreadyExists) => return Err(already_exists(&spec_display)),
        Err(e) => {
            return Err(Error::io(format_args!("write {spec_display}"), &e)
                .help("check that the folder exists and is writable"));
        }
    }
    print_report(&starter, &sources, &spec_display);
    Ok(Outcome::Ok)
}

fn already_exists(spec_display: &str) -> Error {
    Error::fatal(format_args!("{spec_display} already exists"))
        .help("edit it, or remove it to start over")
}

/// The files to read: `--from` as given, else the token files at the root.
fn read_sources(root: &Path, from: &[PathBuf]) -> Result<Vec<Source>> {
    let paths: Vec<PathBuf> = if from.is_empty() {
        let dir = std::fs::read_dir(root)
            .map_err(|e| Error::io(format_args!("list {}", root.display()), &e))?;
        let mut names: Vec<String> = dir
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| guess::is_source_name(n))
            .collect();
        names.sort();
        // Folders named like token files are not token files.
        names
            .into_iter()
            .map(|n| root.join(n))
            .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.is_file()))
            .collect()
    } else {
        from.to_vec()
    };
    let mut sources = Vec::with_capacity(paths.len());
    for path in paths {
        let name = if from.is_empty() {
            path.file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        } else {
            display(&path)
        };
        match tokenspec_core::file::read_regular_text(&path) {
            Ok(Some(text)) => sources.push(Source { name, text }),
            Ok(None) => {
                return Err(Error::fatal(format_args!("cannot read {name}: no such file")).help(
                    "pass existing token files with --from FILE, or leave --from out to read the root's",
                ));
            }
            Err(e) => {
                return Err(Error::io(format_args!("read {name}"), &e)
                    .help("nothing was written; pass other files with --from FILE"));
            }
        }
    }
    Ok(sources)
}

fn display(path: &Path) -> String {
    let text = path.display().to_string();
    text.strip_prefix("./").map(str::to_owned).unwrap_or(text)
}

fn print_report(starter: &Starter, sources: &[Source], spec_display: &str) {
    let mut err = std::io::stderr().lock();
    for note in &starter.notes {
        report::note(note);
    }
    if sources.is_empty() {
        report::warning("no .env* or .tokens* file at the root; the spec lists no token yet");
    }
    if !starter.guesses.is_empty() {
        let rows: Vec<[String; 4]> = starter
            .guesses
            .iter()
            .map(|g| {
                let class = if g.review.is_some() {
                    format!("{}?", g.class)
                } else {
                    g.class.to_string()
                };
                [
                    g.name.clone(),
                    class,
                    g.format.unwrap_or("any").to_owned(),
                    g.why.clone(),
                ]
            })
            .collect();
        // A closed stderr is not worth failing a command that already wrote its file.
        let _ = table::write(&mut err, ["KEY", "CLASS", "FORMAT", "WHY"], &rows);
    }
    let review = starter
        .guesses
        .iter()
        .filter(|g| g.review.is_some())
        .count();
    report::note(format_args!(
        "wrote {spec_display}: {} token{}{}, no value copied",
        starter.guesses.len(),
        if starter.guesses.len() == 1 { "" } else { "s" },
        if review > 0 {
            format!(" ({review} with a class to review, marked `?`)")
        } else {
            String::new()
        }
    ));
    let _ = writeln!(
        err,
        "next steps:\n  \
         1. fill in each `description` in {spec_display} and check the lines marked `review:`\n  \
         2. tokenspec gen                 write .tokens.ci, .env.ci, the docs, the .gitignore block and the schema\n  \
         3. tokenspec migrate --dry-run   see which entries move to their class's files, then run tokenspec migrate\n  \
         4. tokenspec check               audit the token files"
    );
}
