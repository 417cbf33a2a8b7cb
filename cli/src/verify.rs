//! `tokenspec verify`: each token set in the environment, found exactly as
//! `export` finds it, checked with its issuer (`tokenspec_remote`); with
//! `[github] repository` and a credential, GitHub's secrets held against
//! the spec; the store's secrets against `rotation_days`. This module only
//! gathers the inputs and renders: the requests are `tokenspec_remote`'s,
//! the judgement `tokenspec_remote::audit`'s.
//!
//! Exit codes: 0 every checked token valid and no error finding; 1 a token
//! invalid, expired, of the wrong identity or missing a scope, or a secret
//! a workflow needs missing on GitHub; 2 nothing to say about some token
//! (network, rate limit, 5xx, a refused address) or a usage error.

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};
use std::time::{Duration, SystemTime};

use clap::{Args, ValueEnum};
use serde_json::json;

use tokenspec_core::format::is_placeholder;
use tokenspec_core::load::{resolve, State};
use tokenspec_core::{Help, Secret, TokenDef};
use tokenspec_remote::audit::{self, Listed, Row, Use};
use tokenspec_remote::github::{self, GitHub, Target};
use tokenspec_remote::{rfc3339, Answer, Client, Endpoints, Failure, Issuer, Status};
use tokenspec_repo::audit::rotation::date;
use tokenspec_repo::audit::{Finding, Rule, Severity};
use tokenspec_repo::workflows;
use tokenspec_spec::suggest::did_you_mean;

use super::{check, report, table, Context, Error, Outcome, TypeArg};
use crate::error::{exit, Result};

pub const EXAMPLES: &str = "\
Examples:
  tokenspec --env prod verify
  tokenspec --env prod verify --type=cicd AAR_TOKEN
  tokenspec --env prod verify --format=markdown > reports/token-audit-$(date +%Y-%m).md

Asks GitHub (GET /user), Discord (GET /users/@me) and Cloudflare
(GET /user/tokens/verify); decodes JWTs offline. Addresses: GITHUB_API_URL,
TOKENSPEC_DISCORD_API_URL, TOKENSPEC_CLOUDFLARE_API_URL (https://, or
http:// to a loopback host). GitHub's secrets need [github] repository and
GH_TOKEN or GITHUB_TOKEN. Each request has 10 s, the whole run 30 s
(TOKENSPEC_HTTP_TIMEOUT sets the per-request seconds).

Exit codes: 0 all valid, 1 a token invalid, expired, of the wrong identity
or missing a scope (or a secret missing on GitHub), 2 could not verify
(network, rate limit, usage).";

/// Output of `verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum VerifyFormat {
    /// A table, then `error[rule]:` findings as `check` prints them
    #[default]
    Text,
    /// One JSON document (shape in docs/commands.md)
    Json,
    /// The monthly token audit report, as Markdown
    Markdown,
}

#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// Which tokens
    #[arg(long = "type", value_enum, default_value_t = TypeArg::All)]
    pub type_: TypeArg,
    /// Report format
    #[arg(long, value_enum, default_value_t = VerifyFormat::Text)]
    pub format: VerifyFormat,
    /// Only these tokens (default: every token of --type set in the environment)
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
}

/// The version of the JSON shape.
pub const JSON_VERSION: u32 = 1;

/// The per-request timeout override, in seconds.
pub const TIMEOUT_VAR: &str = "TOKENSPEC_HTTP_TIMEOUT";

pub fn run(cx: &Context, args: &VerifyArgs) -> Result<Outcome> {
    let defs = selected(cx, args)?;
    let endpoints = Endpoints::from_env(|k| std::env::var(k).ok());
    let now = SystemTime::now();

    // The values exactly as `export` finds them: environment, store, files.
    let opts = super::store::layered(cx, &defs, cx.load_options())?;
    let res = resolve(&defs, &opts);
    report::warnings(&res);

    enum Plan {
        Ask(Issuer, Secret),
        Known(Option<Issuer>, Answer),
    }
    let mut plans: Vec<(&str, Plan)> = Vec::new();
    let mut unset = Vec::new();
    for t in &res.tokens {
        let issuer = Issuer::of(&t.def.format);
        let plan = match (t.state, &t.value) {
            (State::Set, Some(v)) if is_placeholder(v.expose_secret(), &t.def.ci_value) => {
                Plan::Known(issuer, placeholder())
            }
            (State::Set, Some(v)) => match issuer {
                Some(issuer) => Plan::Ask(issuer, v.clone()),
                None => Plan::Known(None, Answer::not_verifiable()),
            },
            (State::Invalid, _) => Plan::Known(issuer, fails_format(t.def)),
            _ => {
                unset.push(t.def.name.as_ref());
                continue;
            }
        };
        plans.push((t.def.name.as_ref(), plan));
    }

    // Every address refused before anything is sent.
    let mut issuers: Vec<Issuer> = plans
        .iter()
        .filter_map(|(_, p)| match p {
            Plan::Ask(i, _) => Some(*i),
            Plan::Known(..) => None,
        })
        .collect();
    let github_side = github_side(cx);
    if github_side.is_some() {
        issuers.push(Issuer::GitHub);
    }
    for issuer in issuers {
        if let Some((address, variable)) = endpoints.of(issuer) {
            tokenspec_remote::check_address(address, variable).map_err(refused)?;
        }
    }

    // The deadline starts here, after the store and the files were read.
    let client = client()?;
    let jobs: Vec<(Issuer, &Secret)> = plans
        .iter()
        .filter_map(|(_, p)| match p {
            Plan::Ask(i, s) => Some((*i, s)),
            Plan::Known(..) => None,
        })
        .collect();
    let mut answers = tokenspec_remote::verify_all(&client, &endpoints, &jobs, now).into_iter();

    let mut rows = Vec::new();
    let mut findings = Vec::new();
    for (name, plan) in plans {
        let (issuer, answer) = match plan {
            Plan::Ask(issuer, _) => (
                Some(issuer),
                answers
                    .next()
                    .unwrap_or_else(|| Answer::failed(&Failure::Deadline)),
            ),
            Plan::Known(issuer, answer) => (issuer, answer),
        };
        let Some(token) = cx.spec().token(name) else {
            continue;
        };
        let (row, found) = audit::judge(token, issuer, &answer, now);
        rows.push(row);
        findings.extend(found);
    }

    if let Some((repository, credential)) = github_side {
        findings.extend(github_findings(
            cx,
            &client,
            &endpoints,
            repository,
            &credential,
            now,
        ));
    }
    findings.extend(super::store::rotation_findings(cx));

    let mut out = BufWriter::new(io::stdout().lock());
    let written = match args.format {
        VerifyFormat::Text => write_text(&mut out, &rows, &findings),
        VerifyFormat::Json => write_json(&mut out, &rows, &findings),
        VerifyFormat::Markdown => write_markdown(&mut out, cx, &rows, &findings, now),
    };
    written
        .and_then(|()| out.flush())
        .map_err(|e| Error::stdout(&e))?;
    if !unset.is_empty() {
        report::note(format_args!(
            "not set in {}, so not verified: {}",
            env_label(cx),
            unset.join(", ")
        ));
    }
    Ok(match audit::exit_code(&findings) {
        exit::OK => Outcome::Ok,
        exit::FAILED => Outcome::Failed,
        code => Outcome::Code(code),
    })
}

/// The definitions named on the command line (all of `--type` without names).
fn selected(cx: &Context, args: &VerifyArgs) -> Result<Vec<TokenDef>> {
    let all = cx.defs(args.type_);
    if args.names.is_empty() {
        return Ok(all);
    }
    let mut defs: Vec<TokenDef> = Vec::new();
    for name in &args.names {
        match all.iter().find(|d| d.name == name.as_str()) {
            Some(d) if !defs.iter().any(|x| x.name == d.name) => defs.push(d.clone()),
            Some(_) => {}
            None => {
                let kind = match args.type_ {
                    TypeArg::All => String::new(),
                    TypeArg::Cicd => " cicd".to_owned(),
                    TypeArg::Runtime => " runtime".to_owned(),
                };
                let error = Error::fatal(format_args!(
                    "unknown{kind} token `{name}` (not in {})",
                    cx.spec_display
                ));
                return Err(
                    match did_you_mean(name, all.iter().map(|d| d.name.as_ref())) {
                        Some(s) => error.help(format_args!("did you mean `{s}`?")),
                        None => error.help("`tokenspec load` lists the tokens of the spec"),
                    },
                );
            }
        }
    }
    Ok(defs)
}

/// The client, with `TOKENSPEC_HTTP_TIMEOUT` seconds per request when set.
fn client() -> Result<Client> {
    let timeout = match std::env::var(TIMEOUT_VAR).ok().filter(|v| !v.is_empty()) {
        None => tokenspec_remote::REQUEST_TIMEOUT,
        Some(text) => text
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s > 0.0 && *s <= 300.0)
            .map(Duration::from_secs_f64)
            .ok_or_else(|| {
                Error::fatal(format_args!(
                    "{TIMEOUT_VAR} is `{text}`, not a number of seconds"
                ))
                .help("give seconds between 0 and 300, e.g. 2.5")
            })?,
    };
    Client::with_timeouts(timeout, tokenspec_remote::DEADLINE.max(timeout))
        .map_err(|e| Error::fatal(format_args!("cannot set up the HTTP client: {e}")))
}

/// A refused address: nothing was sent anywhere.
pub fn refused(failure: Failure) -> Error {
    match &failure {
        Failure::Refused {
            variable, message, ..
        } => {
            let error = Error::fatal(format_args!(
                "refusing to send a token to {variable}: {message}; nothing was sent"
            ));
            match failure.help() {
                Some(help) => error.help(help),
                None => error,
            }
        }
        _ => Error::with_help(exit::ERROR, &failure),
    }
}

fn placeholder() -> Answer {
    let mut answer = Answer::not_verifiable();
    answer.message = Some("a placeholder value: not sent to the issuer".to_owned());
    answer
}

fn fails_format(def: &TokenDef) -> Answer {
    let mut answer = Answer::not_verifiable();
    answer.status = Status::Invalid;
    answer.message = Some(format!(
        "the value fails its format ({}); not sent to the issuer",
        def.format.name()
    ));
    answer
}

/// The repository and credential, when GitHub's side can be checked; a
/// note says why not when the spec names a repository.
fn github_side(cx: &Context) -> Option<(&'static str, Secret)> {
    let repository = cx.spec().github.repository.as_deref()?;
    match github::credential(|k| std::env::var(k).ok()) {
        Some((secret, _)) => Some((repository, secret)),
        None => {
            report::note(format_args!(
                "GitHub secrets of {repository} were not checked: set GH_TOKEN or GITHUB_TOKEN (a token that may read the repository's secrets)"
            ));
            None
        }
    }
}

/// GitHub's side: the repository's and each mapped environment's secrets
/// against the spec and the workflows' uses.
fn github_findings(
    cx: &Context,
    client: &Client,
    endpoints: &Endpoints,
    repository: &str,
    credential: &Secret,
    now: SystemTime,
) -> Vec<Finding> {
    let gh = match GitHub::new(client, &endpoints.github, repository, credential) {
        Ok(gh) => gh,
        Err(e) => return vec![not_listed(repository, "the repository", &e)],
    };
    let env = cx.env.as_deref().unwrap_or("ENV");
    let mut targets = vec![(
        Target::Repository,
        format!("GitHub repository {repository}"),
        env,
    )];
    for (spec_env, gh_env) in &cx.spec().github.environments {
        targets.push((
            Target::Environment(gh_env),
            format!("GitHub environment {gh_env} of {repository}"),
            spec_env.as_str(),
        ));
    }
    let mut listed = Vec::new();
    let mut found = Vec::new();
    for (target, label, env) in targets {
        match gh.secrets(target) {
            Ok(secrets) => listed.push(Listed {
                label,
                env,
                secrets,
            }),
            Err(e) => found.push(not_listed(repository, &target.label(), &e)),
        }
    }
    if listed.len() == 1 + cx.spec().github.environments.len() {
        found.extend(audit::github_findings(
            cx.spec(),
            &workflow_uses(cx),
            &listed,
            now,
        ));
    } else {
        // A missing secret cannot be told from an unlisted one: only the other rules.
        found.extend(
            audit::github_findings(cx.spec(), &BTreeMap::new(), &listed, now)
                .into_iter()
                .filter(|f| f.rule != Rule::GithubMissingSecret),
        );
    }
    found
}

fn not_listed(repository: &str, what: &str, e: &Failure) -> Finding {
    Finding::error(
        Rule::Unverified,
        format!("the GitHub secrets of {what} of {repository} could not be listed: {e}"),
    )
    .help("the credential (GH_TOKEN or GITHUB_TOKEN) needs read access to the repository's secrets; run `tokenspec verify` again")
}

/// Where the workflows use each spec token (`tokenspec usage`'s inventory),
/// by token name, each use with the secret name it reads. A workflow that
/// does not parse is `check`'s and `usage`'s to report; its uses are unknown here.
fn workflow_uses(cx: &Context) -> BTreeMap<String, Vec<Use>> {
    let inventory = workflows::read(&cx.root);
    let mut uses: BTreeMap<String, Vec<Use>> = BTreeMap::new();
    for r in inventory.references() {
        if let workflows::Kind::Token(token) = workflows::kind(cx.spec(), &r.name) {
            uses.entry(token.name.clone()).or_default().push(Use {
                file: r.file.clone(),
                line: Some(r.line),
                secret: r.name.clone(),
            });
        }
    }
    uses
}

fn env_label(cx: &Context) -> String {
    match &cx.env {
        Some(env) => format!("environment {env}"),
        None => "the base files and the process environment".to_owned(),
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "-".to_owned()
    } else {
        items.join(",")
    }
}

fn expiry(row: &Row) -> String {
    row.expires_at.map_or_else(|| "-".to_owned(), date)
}

fn write_text(out: &mut impl Write, rows: &[Row], findings: &[Finding]) -> io::Result<()> {
    let cells: Vec<[String; 8]> = rows
        .iter()
        .map(|r| {
            [
                r.name.clone(),
                r.issuer.map_or("-", Issuer::as_str).to_owned(),
                r.status.as_str().to_owned(),
                r.identity.clone().unwrap_or_else(|| "-".to_owned()),
                list(&r.scopes_missing),
                list(&r.scopes_extra),
                expiry(r),
                r.owner.clone(),
            ]
        })
        .collect();
    table::write(
        out,
        [
            "TOKEN", "ISSUER", "STATUS", "IDENTITY", "MISSING", "EXTRA", "EXPIRES", "OWNER",
        ],
        &cells,
    )?;
    // Caveats of valid and unverifiable tokens; the others' reasons are findings.
    for r in rows {
        if let (Status::Valid | Status::NotVerifiable, Some(m)) = (r.status, &r.message) {
            writeln!(out, "note: {}: {m}", r.name)?;
        }
    }
    writeln!(out)?;
    for f in findings {
        check::write_finding(out, f)?;
        writeln!(out)?;
    }
    let count = |s: Status| rows.iter().filter(|r| r.status == s).count();
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    writeln!(
        out,
        "{} valid, {} invalid, {} expired, {} not verifiable, {} could not be verified; {}, {}",
        count(Status::Valid),
        count(Status::Invalid),
        count(Status::Expired),
        count(Status::NotVerifiable),
        count(Status::Error),
        check::count(errors, "error"),
        check::count(findings.len() - errors, "warning"),
    )
}

fn write_json(out: &mut impl Write, rows: &[Row], findings: &[Finding]) -> io::Result<()> {
    let tokens: Vec<_> = rows
        .iter()
        .map(|r| {
            json!({
                "name": r.name,
                "issuer": r.issuer.map(Issuer::as_str),
                "status": r.status.as_str(),
                "identity": r.identity,
                "scopes_missing": r.scopes_missing,
                "scopes_extra": r.scopes_extra,
                "expires_at": r.expires_at.map(rfc3339),
                "owner": r.owner,
                "message": r.message,
            })
        })
        .collect();
    let doc = json!({
        "version": JSON_VERSION,
        "tokens": tokens,
        "findings": findings.iter().map(check::finding_json).collect::<Vec<_>>(),
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// A Markdown table cell: `|` escaped, line breaks flattened.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn write_markdown(
    out: &mut impl Write,
    cx: &Context,
    rows: &[Row],
    findings: &[Finding],
    now: SystemTime,
) -> io::Result<()> {
    writeln!(out, "# Token audit {}", date(now))?;
    writeln!(out)?;
    writeln!(
        out,
        "Generated by `tokenspec verify --format=markdown` at {} for {}, from {}.",
        rfc3339(now),
        env_label(cx),
        cx.spec_display
    )?;
    writeln!(out)?;
    writeln!(out, "## Tokens")?;
    writeln!(out)?;
    writeln!(
        out,
        "| Token | Issuer | Status | Identity | Missing scopes | Extra scopes | Expires | Owner | Note |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|---|---|")?;
    for r in rows {
        writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.name,
            r.issuer.map_or("-", Issuer::as_str),
            r.status.as_str(),
            cell(r.identity.as_deref().unwrap_or("-")),
            cell(&list(&r.scopes_missing)),
            cell(&list(&r.scopes_extra)),
            expiry(r),
            cell(&r.owner),
            cell(r.message.as_deref().unwrap_or("")),
        )?;
    }
    writeln!(out)?;
    writeln!(out, "## Findings")?;
    writeln!(out)?;
    if findings.is_empty() {
        writeln!(out, "None.")?;
    }
    for f in findings {
        let location = f.location();
        let at = if location.is_empty() {
            String::new()
        } else {
            format!(" `{location}`")
        };
        writeln!(
            out,
            "- **{}** `{}`{at}: {}",
            f.severity.as_str(),
            f.rule,
            cell(&f.message)
        )?;
        if !f.help.is_empty() {
            writeln!(out, "  - fix: {}", cell(&f.help))?;
        }
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    writeln!(out)?;
    writeln!(
        out,
        "{}, {}.",
        check::count(errors, "error"),
        check::count(findings.len() - errors, "warning")
    )
}
