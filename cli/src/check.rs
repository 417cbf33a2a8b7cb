//! `tokenspec check`: runs the policy audit ([`tokenspec_repo::audit`]) and renders
//! its findings as text for people or JSON for tools, both on stdout.
//!
//! Text, one block per finding, then a summary line:
//!
//! ```text
//! error[separation]: .env:3: CI_BOT_TOKEN is a cicd token, but .env holds runtime tokens
//!   help: move it to .tokens with `tokenspec migrate` (try `tokenspec migrate --dry-run` first)
//!
//! 1 error, 0 warnings in 4 token files
//! ```
//!
//! JSON (`version` changes only when the shape does):
//! `{"version":1,"root":…,"findings":[{"severity","rule","file","line","message","help"}],
//! "summary":{"errors":N,"warnings":M,"allowed":K},"fixed":[{"file","change"}]}`
//! (`allowed`: findings left out by a `# tokenspec: allow RULE` comment).

use std::io::{self, Write};

use clap::{Args, ValueEnum};
use serde_json::json;

use super::{Context, Error, Outcome};
use crate::error::Result;
use tokenspec_repo::audit::{self, fix, Audit, Finding, Fixed, Input, Severity};

/// Output of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum CheckFormat {
    /// `error[rule]: file:line: message` and `help:` lines, then a summary
    #[default]
    Text,
    /// One JSON document (shape in docs/check.md)
    Json,
}

pub const EXAMPLES: &str = "\
Examples:
  tokenspec check
  tokenspec check --fix
  tokenspec check --strict --format=json

Exit codes: 0 no errors, 1 an error (or, with --strict, a warning), 2 usage, spec or I/O error.";

#[derive(Debug, Clone, Args)]
#[command(after_help = EXAMPLES)]
pub struct CheckArgs {
    /// Report format
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Fix what can be fixed safely (secret file modes, the .gitignore block, leftover temp files), then audit again
    #[arg(long)]
    pub fix: bool,
    /// Treat warnings as errors
    #[arg(long)]
    pub strict: bool,
}

/// The version of the JSON shape.
pub const JSON_VERSION: u32 = 1;

pub fn run(cx: &Context, args: &CheckArgs) -> Result<Outcome> {
    let input = Input {
        root: &cx.root,
        spec: cx.spec(),
    };
    let mut audit = audit::audit(&input);
    let mut fixed = Vec::new();
    let mut io_errors = Vec::new();
    if args.fix {
        let outcome = fix::apply(&input, &audit);
        fixed = outcome.fixed;
        io_errors = outcome.errors;
        if !fixed.is_empty() {
            audit = audit::audit(&input);
        }
    }
    if args.strict {
        audit.make_strict();
    }
    io_errors.extend(audit.io_errors.iter().cloned());

    let mut stdout = io::stdout().lock();
    let written = match args.format {
        CheckFormat::Text => write_text(&mut stdout, &audit, &fixed),
        CheckFormat::Json => write_json(&mut stdout, cx, &audit, &fixed),
    };
    written
        .and_then(|()| stdout.flush())
        .map_err(|e| Error::stdout(&e))?;
    if let Some((first, rest)) = io_errors.split_first() {
        let error = rest.iter().fold(Error::fatal(first), Error::and);
        return Err(
            error.help("the audit is incomplete; fix access to the files above and run it again")
        );
    }
    Ok(if audit.count(Severity::Error) > 0 {
        Outcome::Failed
    } else {
        Outcome::Ok
    })
}

fn write_text(out: &mut impl Write, audit: &Audit, fixed: &[Fixed]) -> io::Result<()> {
    for f in fixed {
        writeln!(out, "fixed: {}: {}", f.file, f.change)?;
    }
    if !fixed.is_empty() {
        writeln!(out)?;
    }
    for f in &audit.findings {
        write_finding(out, f)?;
        writeln!(out)?;
    }
    let files = audit.files.len();
    let allowed = match audit.allowed {
        0 => String::new(),
        n => format!(" ({} allowed by `# tokenspec: allow`)", count(n, "finding")),
    };
    writeln!(
        out,
        "{}, {} in {files} token file{}{allowed}",
        count(audit.count(Severity::Error), "error"),
        count(audit.count(Severity::Warning), "warning"),
        if files == 1 { "" } else { "s" },
    )
}

/// `error[rule]: file:line: message` and an indented `help:` line.
pub(crate) fn write_finding(out: &mut impl Write, f: &Finding) -> io::Result<()> {
    let location = f.location();
    let sep = if location.is_empty() { "" } else { ": " };
    writeln!(
        out,
        "{}[{}]: {location}{sep}{}",
        f.severity.as_str(),
        f.rule,
        f.message
    )?;
    if !f.help.is_empty() {
        writeln!(out, "  help: {}", f.help)?;
    }
    Ok(())
}

pub(crate) fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// One finding in the JSON shape `check` and `verify` share.
pub(crate) fn finding_json(f: &Finding) -> serde_json::Value {
    json!({
        "severity": f.severity.as_str(),
        "rule": f.rule.id(),
        "file": f.file,
        "line": f.line,
        "message": f.message,
        "help": f.help,
    })
}

fn write_json(
    out: &mut impl Write,
    cx: &Context,
    audit: &Audit,
    fixed: &[Fixed],
) -> io::Result<()> {
    let findings: Vec<_> = audit.findings.iter().map(finding_json).collect();
    let fixed: Vec<_> = fixed
        .iter()
        .map(|f| json!({ "file": f.file, "change": f.change }))
        .collect();
    let doc = json!({
        "version": JSON_VERSION,
        "root": cx.root.display().to_string(),
        "findings": findings,
        "summary": {
            "errors": audit.count(Severity::Error),
            "warnings": audit.count(Severity::Warning),
            "allowed": audit.allowed,
        },
        "fixed": fixed,
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
