//! `tokenspec migrate`: move each token into its class's files.
//!
//! Reads every pair of files, plans with [`tokenspec_repo::migrate::plan`], and then
//! either prints the masked diff (`--dry-run`) or backs up and writes: first
//! every file that grows, then every file that shrinks, so a crash at any
//! point leaves each value in at least one file.

use std::io::Write;

use clap::Args;
use tokenspec_core::dotenv::Hazard;
use tokenspec_core::env::EnvOrigin;
use tokenspec_core::Class;

use super::context::{display_path, io_message};
use super::{exit, report, Context};
use tokenspec_repo::migrate::{
    self, mask, write, Catalog, FileInput, MoveKind, PairInput, Plan, Problem,
};

const EXAMPLES: &str = "\
Examples:
  tokenspec migrate --dry-run      show what would move, values masked
  tokenspec migrate                move, after backing up every changed file
  tokenspec --env prod migrate     only .env.prod and .tokens.prod

Without --env it handles .env/.tokens and every environment's pair, whatever
APP_ENV or CI say. Exit codes: 0 done or nothing to do, 1 a conflict or a real
value bound for a committed CI file (nothing changed), 2 a parse or I/O error.";

#[derive(Debug, Clone, Args)]
#[command(after_help = EXAMPLES)]
pub struct MigrateArgs {
    /// Show the masked diff, change nothing
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(cx: &Context, args: &MigrateArgs) -> i32 {
    let envs: Vec<Option<String>> = if cx.env_origin == EnvOrigin::Flag {
        vec![cx.env.clone()]
    } else {
        std::iter::once(None)
            .chain(cx.spec().environments.iter().cloned().map(Some))
            .collect()
    };
    let mut pairs = Vec::with_capacity(envs.len());
    for env in envs {
        let (runtime, cicd) = PairInput::file_names(env.as_deref());
        let (runtime, cicd) = match (read(cx, runtime), read(cx, cicd)) {
            (Ok(r), Ok(c)) => (r, c),
            _ => return exit::USAGE,
        };
        pairs.push(PairInput { env, runtime, cicd });
    }
    if cx.env_origin != EnvOrigin::Flag {
        note_other_files(cx, &pairs);
    }

    let plan = migrate::plan(&Catalog::from_spec(cx.spec()), &pairs);
    report_notes(&plan);
    if !plan.problems.is_empty() {
        return refuse(&plan.problems);
    }
    if plan.changes.is_empty() {
        eprintln!("nothing to migrate");
        return exit::OK;
    }
    if args.dry_run {
        return dry_run(&plan);
    }
    apply(cx, &plan)
}

/// Reads one file; a missing file is `None`. Other errors are reported.
fn read(cx: &Context, name: String) -> Result<FileInput, ()> {
    match tokenspec_core::file::read_regular_text(&cx.path(&name)) {
        Ok(text) => Ok(FileInput { name, text }),
        Err(e) => {
            report::error(format_args!("cannot read {name}: {}", io_message(&e)));
            report::help("nothing was changed");
            Err(())
        }
    }
}

/// Token files at the root whose environment the spec does not list
/// (`.env.local`, `.env.example`): left alone, but named.
fn note_other_files(cx: &Context, pairs: &[PairInput]) {
    let Ok(dir) = std::fs::read_dir(&cx.root) else {
        return;
    };
    let handled = |n: &str| {
        pairs
            .iter()
            .any(|p| p.runtime.name == n || p.cicd.name == n)
    };
    let mut others: Vec<String> = dir
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| Class::of_file(n).is_some() && !handled(n))
        .collect();
    if !others.is_empty() {
        others.sort();
        report::note(format_args!(
            "not migrated, no environment of that name in the spec: {}",
            others.join(", ")
        ));
    }
}

fn report_notes(plan: &Plan) {
    for u in &plan.unknown {
        report::note(format_args!(
            "left in {}, not in the spec: {}",
            u.file,
            u.keys.join(", ")
        ));
    }
    for h in &plan.hazards {
        let what = match h.hazard {
            Hazard::Substituted => "dotenvy would substitute `$` in its value",
            Hazard::Rejected => "dotenvy would reject its value because of `$`",
        };
        report::warning(format_args!("{}: {}: {what}", h.at, h.key));
    }
    if !plan.hazards.is_empty() {
        report::help(
            "the loader refuses such values: put the value in single quotes, which keep `$` literal",
        );
    }
}

fn refuse(problems: &[Problem]) -> i32 {
    for p in problems {
        report::error(p);
    }
    let any = |f: fn(&Problem) -> bool| problems.iter().any(f);
    if any(Problem::is_parse) {
        report::help("fix the lines above (quote a value with spaces), then run migrate again; nothing was changed");
        return exit::USAGE;
    }
    if any(|p| matches!(p, Problem::Differs { .. } | Problem::Twice { .. })) {
        report::help("keep the right value on one line and delete the other, then run migrate again; nothing was changed");
    }
    if any(|p| matches!(p, Problem::NotPlaceholder { .. })) {
        report::help("committed CI files hold safe test values only: replace the value with the token's ci_value or a placeholder, and keep real values in another environment's files; nothing was changed");
    }
    exit::TOKENS
}

fn dry_run(plan: &Plan) -> i32 {
    let mut out = std::io::stdout().lock();
    for c in &plan.changes {
        let diff = mask::masked_diff(&c.name, c.before.as_deref(), &c.after);
        if let Err(e) = out.write_all(diff.as_bytes()).and_then(|()| out.flush()) {
            return report::write_failed(&e);
        }
    }
    summary(plan, "would move", "would remove");
    eprintln!("dry run: nothing was written; run `tokenspec migrate` to apply");
    exit::OK
}

fn apply(cx: &Context, plan: &Plan) -> i32 {
    let originals: Vec<(&str, &str)> = plan
        .changes
        .iter()
        .filter_map(|c| Some((c.name.as_str(), c.before.as_deref()?)))
        .collect();
    let backup = if originals.is_empty() {
        None
    } else {
        match write::backup(&cx.root, &originals) {
            Ok(dir) => Some(display_path(&cx.root, &dir)),
            Err(e) => {
                report::error(format_args!("cannot back up the files: {}", io_message(&e)));
                report::help("nothing was changed");
                return exit::USAGE;
            }
        }
    };
    // Destinations first: until the last rename, every value is in at least one file.
    let grow = plan
        .changes
        .iter()
        .filter_map(|c| Some((c, c.grown.as_deref()?, c.before.as_deref())));
    let shrink = plan
        .changes
        .iter()
        .filter(|c| c.shrinks())
        .map(|c| (c, c.after.as_str(), c.after_grow()));
    for (c, text, expected) in grow.chain(shrink) {
        if let Err(e) = write::replace(&cx.path(&c.name), text, expected) {
            report::error(format_args!("cannot write {}: {}", c.name, io_message(&e)));
            match &backup {
                Some(b) => report::help(format_args!(
                    "no value is lost: each is in at least one file, and the originals are in {b}/; fix the cause and run migrate again"
                )),
                None => report::help("no value is lost; fix the cause and run migrate again"),
            }
            return exit::USAGE;
        }
    }
    summary(plan, "moved", "removed");
    for c in plan.changes.iter().filter(|c| c.before.is_none()) {
        report::note(format_args!("created {} with mode 0600", c.name));
        // Only the CI files are committed; a new secret file must be ignored.
        if !c.name.ends_with(".ci") {
            report::help(format_args!(
                "make sure git ignores {}: `tokenspec check` audits it",
                c.name
            ));
        }
    }
    if let Some(b) = backup {
        let names: Vec<&str> = originals.iter().map(|(n, _)| *n).collect();
        report::note(format_args!(
            "originals of {} backed up in {b}/",
            names.join(", ")
        ));
    }
    exit::OK
}

/// One line per token, never a value.
fn summary(plan: &Plan, moved: &str, removed: &str) {
    for m in &plan.moves {
        match &m.kind {
            MoveKind::Moved => eprintln!("{moved} {}: {} → {}", m.key, m.from, m.to),
            MoveKind::Duplicate { kept } => {
                eprintln!(
                    "{removed} {}: {} (same value already at {kept})",
                    m.key, m.from
                )
            }
        }
    }
}
