//! Rules `ignore-rules` and `tracked-secret`: what git does with token files.
//!
//! The old scripts compared `.gitignore` text; a `sort -u` then moved a
//! catch-all below the `!.env.ci` re-include and both CI files were ignored
//! without any check noticing. Here git answers for every path, so the last
//! matching rule, negations, `.git/info/exclude` and global excludes all
//! count exactly as they do for `git add`.

use std::collections::BTreeSet;

use tokenspec_core::Class;

use super::files::{FileKind, TokenFile, CI_ENV};
use super::git::{IgnoreMatch, Repo};
use super::{Finding, Input, Rule};

const FIX_BLOCK: &str =
    "run `tokenspec check --fix`: it writes the managed block at the end of .gitignore, where git's last-match rule lets it win";

pub fn check(input: &Input<'_>, repo: &Repo, files: &[TokenFile], out: &mut Vec<Finding>) {
    match repo {
        Repo::Found { .. } => {}
        Repo::Outside => {
            out.push(
                Finding::warning(Rule::IgnoreRules, "not inside a git repository, so ignore rules and tracked files could not be checked")
                    .help("run tokenspec check in a clone of the repository (or `git init` first)"),
            );
            return;
        }
        Repo::NoGit(why) => {
            out.push(
                Finding::warning(
                    Rule::IgnoreRules,
                    format!("{why}, so ignore rules and tracked files could not be checked"),
                )
                .help("install git and make sure it is on PATH"),
            );
            return;
        }
    }

    let (secret, committed) = paths(input, files);
    let asked: Vec<String> = secret.iter().chain(&committed).cloned().collect();
    match repo.check_ignore(&asked) {
        Ok(matches) => {
            for m in &matches {
                if secret.contains(&m.path) {
                    secret_not_ignored(m, out);
                } else if committed.contains(&m.path) {
                    committed_ignored(m, out);
                }
            }
        }
        Err(e) => out.push(
            Finding::error(
                Rule::IgnoreRules,
                format!("ignore rules could not be checked: {e}"),
            )
            .help("run `git check-ignore -v --no-index .env` in the root to see what git says"),
        ),
    }

    match repo.tracked_at_root() {
        Ok(tracked) => {
            for name in tracked {
                if is_secret_name(&name) && !input.spec.is_template(&name) {
                    out.push(
                        Finding::error(Rule::TrackedSecret, format!("{name} is tracked by git, so the tokens it holds are in the repository"))
                            .at(name.clone(), None)
                            .help(format!("git rm --cached {name}, commit, then rotate every token it held")),
                    );
                }
            }
        }
        Err(e) => out.push(
            Finding::error(
                Rule::TrackedSecret,
                format!("tracked files could not be listed: {e}"),
            )
            .help("run `git ls-files` in the root to see what git says"),
        ),
    }
}

/// Every secret file that exists or that a spec environment could create,
/// and the committed files: the two CI files and the templates that exist.
fn paths(input: &Input<'_>, files: &[TokenFile]) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut secret = BTreeSet::new();
    let mut committed = BTreeSet::new();
    for class in Class::ALL {
        secret.insert(class.base_file().to_owned());
        for env in input.spec.environments.iter().filter(|e| *e != CI_ENV) {
            secret.insert(class.env_file(env));
        }
        committed.insert(class.env_file(CI_ENV));
    }
    for f in files {
        match f.kind {
            FileKind::Secret => secret.insert(f.name.clone()),
            FileKind::Template => committed.insert(f.name.clone()),
            FileKind::Committed => false,
        };
    }
    (secret, committed)
}

fn is_secret_name(name: &str) -> bool {
    Class::of_file(name).is_some_and(|class| name != class.env_file(CI_ENV))
}

fn secret_not_ignored(m: &IgnoreMatch, out: &mut Vec<Finding>) {
    if m.ignored() {
        return;
    }
    let path = &m.path;
    let finding = match &m.rule {
        None => Finding::error(
            Rule::IgnoreRules,
            format!("{path} is not ignored by git: no rule matches it"),
        )
        .at(".gitignore", None),
        Some(r) => Finding::error(
            Rule::IgnoreRules,
            format!(
                "{path} is not ignored by git: `{}` re-includes it",
                r.pattern
            ),
        )
        .at(r.source.clone(), r.line),
    };
    out.push(finding.help(FIX_BLOCK));
}

fn committed_ignored(m: &IgnoreMatch, out: &mut Vec<Finding>) {
    let Some(r) = m.rule.as_ref().filter(|_| m.ignored()) else {
        return;
    };
    let path = &m.path;
    let help = if r.source == ".gitignore" {
        format!("{FIX_BLOCK} (its `!{path}` comes after `{}`)", r.pattern)
    } else {
        format!(
            "delete line {} of {}, or re-include the file with `!{path}` in .gitignore",
            r.line, r.source
        )
    };
    out.push(
        Finding::error(
            Rule::IgnoreRules,
            format!(
                "{path} must be committed but git ignores it: `{}` matches it",
                r.pattern
            ),
        )
        .at(r.source.clone(), r.line)
        .help(help),
    );
}
