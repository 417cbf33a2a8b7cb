//! `tokenspec usage [NAME…]`: every secret reference in the workflows
//! (`tokenspec_repo::workflows`), as a table or as JSON. This module only
//! renders.
//!
//! JSON (`version` changes only when the shape does):
//! `{"version":1,"references":[{"file","line","job","step","name","kind"}]}`,
//! `kind` one of `token`, `default-token`, `unknown`; `step` is the step's
//! name, or its position in `steps:` from 1, or null.

use std::io::{self, Write};

use clap::{Args, ValueEnum};
use serde_json::{json, Value};

use super::{Context, Error, Outcome};
use crate::error::Result;
use tokenspec_repo::workflows::{self, Kind, Reference, Step};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum UsageFormat {
    /// A table: FILE:LINE, JOB, STEP, NAME, KIND
    #[default]
    Text,
    /// One JSON document (shape in docs/commands.md)
    Json,
}

pub const EXAMPLES: &str = "\
Examples:
  tokenspec usage
  tokenspec usage AAR_TOKEN GITHUB_TOKEN
  tokenspec usage --format=json

Exit codes: 0 listed, 2 usage, spec or I/O error (a workflow that does not parse is named; the others are listed).";

#[derive(Debug, Clone, Args)]
#[command(after_help = EXAMPLES)]
pub struct UsageArgs {
    /// Only references to these secrets (a token's name takes in its aliases)
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = UsageFormat::Text)]
    pub format: UsageFormat,
}

/// The version of the JSON shape.
pub const JSON_VERSION: u32 = 1;

pub fn run(cx: &Context, args: &UsageArgs) -> Result<Outcome> {
    let spec = cx.spec();
    let inv = workflows::read(&cx.root);
    let wanted = |r: &Reference| {
        args.names.is_empty()
            || args.names.iter().any(|n| {
                n.eq_ignore_ascii_case(&r.name)
                    || spec
                        .token(n)
                        .is_some_and(|t| workflows::is_token_name(t, &r.name))
            })
    };
    let refs: Vec<&Reference> = inv.references().filter(|r| wanted(r)).collect();
    let mut stdout = io::stdout().lock();
    let written = match args.format {
        UsageFormat::Text => write_text(&mut stdout, cx, &refs),
        UsageFormat::Json => write_json(&mut stdout, cx, &refs),
    };
    written
        .and_then(|()| stdout.flush())
        .map_err(|e| Error::stdout(&e))?;
    let mut problems: Vec<String> = inv
        .failures
        .iter()
        .map(|f| {
            format!(
                "{}:{}: the workflow does not parse: {}",
                f.file, f.line, f.message
            )
        })
        .collect();
    problems.extend(inv.io_errors.iter().cloned());
    if let Some((first, rest)) = problems.split_first() {
        let error = rest.iter().fold(Error::fatal(first), Error::and);
        return Err(error.help(
            "the list above leaves these files out; fix them and run `tokenspec usage` again",
        ));
    }
    Ok(Outcome::Ok)
}

/// The name as shown: a secret-looking one is not.
fn shown(name: &str) -> Option<&str> {
    tokenspec_repo::is_shown_key(name).then_some(name)
}

fn step_text(step: Option<&Step>) -> String {
    match step {
        None => "-".to_owned(),
        Some(Step::Index(i)) => format!("#{i}"),
        Some(Step::Named(n)) if tokenspec_core::format::looks_like_secret(n).is_none() => n.clone(),
        Some(Step::Named(_)) => "(name not shown)".to_owned(),
    }
}

fn write_text(out: &mut impl Write, cx: &Context, refs: &[&Reference]) -> io::Result<()> {
    if refs.is_empty() {
        return Ok(());
    }
    let rows: Vec<[String; 5]> = refs
        .iter()
        .map(|r| {
            let kind = match workflows::kind(cx.spec(), &r.name) {
                Kind::Token(t) if !t.name.eq_ignore_ascii_case(&r.name) => {
                    format!("token (alias of {})", t.name)
                }
                k => k.id().to_owned(),
            };
            [
                format!("{}:{}", r.file, r.line),
                r.job.clone().unwrap_or_else(|| "-".to_owned()),
                step_text(r.step.as_ref()),
                shown(&r.name).unwrap_or("(not shown)").to_owned(),
                kind,
            ]
        })
        .collect();
    crate::table::write(out, ["FILE:LINE", "JOB", "STEP", "NAME", "KIND"], &rows)
}

fn write_json(out: &mut impl Write, cx: &Context, refs: &[&Reference]) -> io::Result<()> {
    let references: Vec<Value> = refs
        .iter()
        .map(|r| {
            let step = match &r.step {
                None => Value::Null,
                Some(Step::Index(i)) => json!(i),
                Some(Step::Named(n)) if tokenspec_core::format::looks_like_secret(n).is_none() => {
                    json!(n)
                }
                Some(Step::Named(_)) => Value::Null,
            };
            json!({
                "file": r.file,
                "line": r.line,
                "job": r.job,
                "step": step,
                "name": shown(&r.name),
                "kind": workflows::kind(cx.spec(), &r.name).id(),
            })
        })
        .collect();
    let doc = json!({ "version": JSON_VERSION, "references": references });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
