//! `tokenspec --env ENV push --to github`: the environment's tokens from its
//! files, sealed to the repository's (or the mapped deployment
//! environment's) public key and written as GitHub Actions secrets.
//!
//! The values are [`super::push::file_values`]'s: files only, placeholders
//! and values failing their format refused before anything is sent. The
//! credential is `GH_TOKEN`, else `GITHUB_TOKEN`; it goes only in the
//! `Authorization` header of requests to `GITHUB_API_URL` (checked by the
//! address policy first), never to a log or a child process. `--dry-run`
//! lists the secrets (names only) and sends no value and no write; a real
//! push does not list (each write's status says created or updated). The
//! writes go one by one; when one fails, the table and the error say which
//! were written and which were not.

use std::collections::{BTreeMap, HashSet};
use std::io::{self, BufWriter, Write};

use tokenspec_core::{Class, Secret};
use tokenspec_remote::github::{self, GitHub, Target, Written};
use tokenspec_remote::{Client, Endpoints};

use super::push::{file_values, PushArgs};
use super::{report, table, verify, Context, Error, Outcome};
use crate::error::Result;

pub fn run(cx: &Context, args: &PushArgs) -> Result<Outcome> {
    // Without an environment: the base files, to repository secrets.
    let env = cx.env.as_deref();
    let Some(repository) = cx.spec().github.repository.as_deref() else {
        return Err(Error::fatal(format_args!(
            "{} names no GitHub repository",
            cx.spec_display
        ))
        .help("add `repository = \"owner/name\"` to the spec's [github] table"));
    };
    let target = match env.and_then(|env| cx.spec().github.environment(env)) {
        Some(gh_env) => Target::Environment(gh_env),
        None => Target::Repository,
    };
    // Every class's values first: a refusal in one sends nothing at all.
    let mut values: Vec<(Class, BTreeMap<String, Secret>)> = Vec::new();
    for &class in args.type_.classes() {
        if cx.spec().tokens_of(class).next().is_some() {
            values.push((class, file_values(cx, class, env)?));
        }
    }
    let Some((credential, _)) = github::credential(|k| std::env::var(k).ok()) else {
        return Err(Error::fatal("no GitHub credential: GH_TOKEN and GITHUB_TOKEN are unset")
            .help("set GH_TOKEN to a token that may write the repository's secrets (fine-grained: `Secrets: write`; classic: `repo`)"));
    };
    let endpoints = Endpoints::from_env(|k| std::env::var(k).ok());
    let client = Client::new()
        .map_err(|e| Error::fatal(format_args!("cannot set up the HTTP client: {e}")))?;
    let gh = GitHub::new(&client, &endpoints.github, repository, &credential)
        .map_err(verify::refused)?;
    let place = match target {
        Target::Repository => format!("repository {repository}"),
        Target::Environment(gh_env) => format!("environment {gh_env} of {repository}"),
    };
    let failed = |what: &str, e: &tokenspec_remote::Failure| {
        Error::failed(format_args!(
            "cannot {what} the GitHub secrets of {place}: {e}"
        ))
        .help("nothing was written; check GH_TOKEN / GITHUB_TOKEN (it needs write access to the secrets) and GITHUB_API_URL")
    };

    // Only a dry run lists: a write learns created or updated from its status.
    let existing: HashSet<String> = if args.dry_run {
        gh.secrets(target)
            .map_err(|e| failed("list", &e))?
            .into_iter()
            .map(|s| s.name.to_ascii_uppercase())
            .collect()
    } else {
        HashSet::new()
    };
    let plan: Vec<(&str, Class, &Secret, bool)> = values
        .iter()
        .flat_map(|(class, map)| {
            map.iter().map(|(name, value)| {
                let exists = existing.contains(&name.to_ascii_uppercase());
                (name.as_str(), *class, value, exists)
            })
        })
        .collect();
    let shown_target = match target {
        Target::Repository => "repository".to_owned(),
        Target::Environment(gh_env) => format!("environment {gh_env}"),
    };

    let mut rows: Vec<[String; 4]> = Vec::new();
    let mut failure = None;
    if args.dry_run {
        for (name, class, _, exists) in &plan {
            let change = if *exists {
                "would update"
            } else {
                "would create"
            };
            rows.push(row(name, *class, &shown_target, change));
        }
    } else if !plan.is_empty() {
        let key = gh
            .public_key(target)
            .map_err(|e| failed("read the public key of", &e))?;
        for (i, (name, class, value, _)) in plan.iter().enumerate() {
            match gh.put(target, name, &key, value) {
                Ok(written) => rows.push(row(name, *class, &shown_target, written.as_str())),
                Err(e) => {
                    rows.push(row(name, *class, &shown_target, "failed"));
                    for (rest, class, ..) in &plan[i + 1..] {
                        rows.push(row(rest, *class, &shown_target, "not written"));
                    }
                    failure = Some((name.to_string(), e));
                    break;
                }
            }
        }
    }

    let mut out = BufWriter::new(io::stdout().lock());
    table::write(&mut out, ["NAME", "CLASS", "TARGET", "RESULT"], &rows)
        .and_then(|()| out.flush())
        .map_err(|e| Error::stdout(&e))?;
    if let Some((name, e)) = failure {
        let names = |pick: &dyn Fn(&str) -> bool| {
            let picked: Vec<&str> = rows
                .iter()
                .filter(|r| pick(&r[3]))
                .map(|r| r[0].as_str())
                .collect();
            if picked.is_empty() {
                "none".to_owned()
            } else {
                picked.join(", ")
            }
        };
        let written = names(&|r| r == Written::Created.as_str() || r == Written::Updated.as_str());
        let not_written = names(&|r| r == "failed" || r == "not written");
        return Err(Error::failed(format_args!(
            "cannot write {name} to the GitHub secrets of {place}: {e}"
        ))
        .and(format_args!(
            "written: {written}; not written: {not_written}"
        ))
        .help("run the same push again: it writes every secret again, the written ones included"));
    }
    if plan.is_empty() {
        report::note(format_args!(
            "the {} files hold none of the spec's tokens; nothing to push",
            env.unwrap_or("base")
        ));
    } else if args.dry_run {
        report::note("dry run: nothing was sent to GitHub");
    }
    Ok(Outcome::Ok)
}

fn row(name: &str, class: Class, target: &str, result: &str) -> [String; 4] {
    [
        name.to_owned(),
        class.to_string(),
        target.to_owned(),
        result.to_owned(),
    ]
}
