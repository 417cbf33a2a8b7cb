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

use super::context::display_path;
use super::{report, Context, Error, Outcome};
use crate::error::{exit, Result};
use tokenspec_repo::migrate::{
    self, mask, write, Catalog, FileInput, MoveKind, PairInput, PairPlan, Plan, Problem,
};

const EXAMPLES: &str = "\
Examples:
  tokenspec migrate --dry-run      show what would move, values masked
  tokenspec migrate                move, after backing up every changed file
  tokenspec --env prod migrate     only .env.prod and .tokens.prod

Without --env it handles .env/.tokens and every environment's pair, whatever
APP_ENV or CI say. Each pair is all or nothing on its own: a conflict in one
pair leaves that pair unchanged and the others are still migrated. The spec's
tokens in the committed CI files are `tokenspec gen`'s, not migrate's.
Exit codes: 0 done or nothing to do, 1 a pair was refused (a conflict, or a real
value bound for a committed CI file; that pair unchanged), 2 a parse or I/O error.";

#[derive(Debug, Clone, Args)]
#[command(after_help = EXAMPLES)]
pub struct MigrateArgs {
    /// Show the masked diff, change nothing
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(cx: &Context, args: &MigrateArgs) -> Result<Outcome> {
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
        let (runtime, cicd) = (read(cx, runtime)?, read(cx, cicd)?);
        pairs.push(PairInput { env, runtime, cicd });
    }
    if cx.env_origin != EnvOrigin::Flag {
        note_other_files(cx, &pairs);
    }

    // One writer per repository for the whole run (gen and check --fix too).
    let _lock = if args.dry_run {
        None
    } else {
        let lock = tokenspec_repo::lock::RootLock::acquire(&cx.root)
            .map_err(|e| Error::with_help(exit::ERROR, &e))?;
        for name in tokenspec_repo::atomic::sweep(&cx.root) {
            report::note(format_args!("removed {name}, left by an interrupted write"));
        }
        Some(lock)
    };
    let plan = migrate::plan(&Catalog::from_spec(cx.spec()), &pairs);
    report_notes(&plan);
    // Each refused pair is reported; the other pairs still go ahead.
    let mut refused = Outcome::Ok;
    for pair in plan.refused() {
        let error = refuse(pair);
        error.print();
        refused = match (refused, error.code()) {
            (Outcome::Code(c), _) => Outcome::Code(c),
            (_, crate::exit::ERROR) => Outcome::Code(crate::exit::ERROR),
            _ => Outcome::Failed,
        };
    }
    if plan.changes().next().is_none() {
        if matches!(refused, Outcome::Ok) {
            report::plain("nothing to migrate");
        }
        return Ok(refused);
    }
    let done = if args.dry_run {
        dry_run(&plan)?
    } else {
        apply(cx, &plan)?
    };
    Ok(if refused == Outcome::Ok {
        done
    } else {
        refused
    })
}

/// Reads one file; a missing file is `None`. Other errors are reported.
fn read(cx: &Context, name: String) -> Result<FileInput> {
    match tokenspec_core::file::read_regular_text(&cx.path(&name)) {
        Ok(text) => Ok(FileInput { name, text }),
        Err(e) => Err(Error::io(format_args!("read {name}"), &e).help("nothing was changed")),
    }
}

/// Token files at the root whose environment the spec does not list
/// (`.env.local`): left alone, but named. Committed templates are not token files.
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
        .filter(|n| Class::of_file(n).is_some() && !handled(n) && !cx.spec().is_template(n))
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
    let u = &plan.unknown;
    if !u.keys.is_empty() {
        report::note(format_args!(
            "left in {}, not in the spec: {}",
            u.files.join(", "),
            u.keys.join(", ")
        ));
    }
    if !u.hidden.is_empty() {
        let places: Vec<String> = u.hidden.iter().map(ToString::to_string).collect();
        report::note(format_args!(
            "left where they are, not in the spec, keys not shown (they look like a secret or are not a variable name): {}",
            places.join(", ")
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

/// The error for a refused pair: each problem, then the fixes.
fn refuse(pair: &PairPlan) -> Error {
    let problems = &pair.problems;
    let (first, rest) = problems
        .split_first()
        .expect("refuse is called with problems");
    let mut error = rest.iter().fold(Error::failed(first), Error::and);
    let unchanged = format!("{} were not changed", pair.name());
    let any = |f: fn(&Problem) -> bool| problems.iter().any(f);
    if any(Problem::is_parse) {
        return error
            .help(format_args!("fix the lines above (quote a value with spaces), then run migrate again; {unchanged}"))
            .with_code(crate::exit::ERROR);
    }
    if pair.is_committed() {
        // The spec's tokens in the committed CI files belong to `gen`: it
        // takes each into its class's generated block, or names a real value.
        return error.help(format_args!(
            "the spec's tokens in the committed CI files are generated: run `tokenspec gen`, which puts each in its class's file with the spec's ci_value; {unchanged}"
        ));
    }
    if any(|p| matches!(p, Problem::Differs { .. } | Problem::Twice { .. })) {
        error = error.help(format_args!("keep the right value on one line and delete the other, then run migrate again; {unchanged}"));
    }
    if any(|p| matches!(p, Problem::NotPlaceholder { .. })) {
        error = error.help(format_args!("committed CI files hold safe test values only: replace the value with the token's ci_value or a placeholder, and keep real values in another environment's files; {unchanged}"));
    }
    error
}

fn dry_run(plan: &Plan) -> Result<Outcome> {
    let mut out = std::io::stdout().lock();
    for c in plan.changes() {
        let diff = mask::masked_diff(&c.name, c.before.as_deref(), &c.after);
        out.write_all(diff.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| Error::stdout(&e))?;
    }
    summary(plan, "would move", "would remove");
    report::plain("dry run: nothing was written; run `tokenspec migrate` to apply");
    Ok(Outcome::Ok)
}

fn apply(cx: &Context, plan: &Plan) -> Result<Outcome> {
    let originals: Vec<(&str, &str)> = plan
        .changes()
        .filter_map(|c| Some((c.name.as_str(), c.before.as_deref()?)))
        .collect();
    let backup = if originals.is_empty() {
        None
    } else {
        match write::backup(&cx.root, &originals) {
            Ok(dir) => Some(display_path(&cx.root, &dir)),
            Err(e) => {
                return Err(Error::io("back up the files", &e).help("nothing was changed"));
            }
        }
    };
    // Destinations first: until the last rename, every value is in at least one file.
    let grow = plan
        .changes()
        .filter_map(|c| Some((c, c.grown.as_deref()?, c.before.as_deref())));
    let shrink = plan
        .changes()
        .filter(|c| c.shrinks())
        .map(|c| (c, c.after.as_str(), c.after_grow()));
    for (c, text, expected) in grow.chain(shrink) {
        if let Err(e) = write::replace(&cx.path(&c.name), text, expected) {
            let error = Error::io(format_args!("write {}", c.name), &e);
            return Err(match &backup {
                Some(b) => error.help(format_args!(
                    "no value is lost: each is in at least one file, and the originals are in {b}/; fix the cause and run migrate again"
                )),
                None => error.help("no value is lost; fix the cause and run migrate again"),
            });
        }
    }
    summary(plan, "moved", "removed");
    for c in plan.changes().filter(|c| c.before.is_none()) {
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
    Ok(Outcome::Ok)
}

/// One line per token, never a value.
fn summary(plan: &Plan, moved: &str, removed: &str) {
    for m in plan.moves() {
        match &m.kind {
            MoveKind::Moved => {
                report::plain(format_args!("{moved} {}: {} → {}", m.key, m.from, m.to))
            }
            MoveKind::Duplicate { kept } => report::plain(format_args!(
                "{removed} {}: {} (same value already at {kept})",
                m.key, m.from
            )),
        }
    }
}
