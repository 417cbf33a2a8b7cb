//! The workflow rules: each secret reference in `.github/workflows/`
//! against the spec (`workflows`, deprecation, `[github] default_token`),
//! `secrets: inherit`, and scripts that write a secret's value into
//! `$GITHUB_OUTPUT` or `$GITHUB_ENV`. A workflow that does not parse is one
//! `parse` finding; the others are still audited.

use tokenspec_core::Class;
use tokenspec_spec::Spec;

use super::{Finding, Rule};
use crate::workflows::script::Target;
use crate::workflows::{self, Inventory, Kind, Reference, Step};

/// `name` when it may be shown, else `None` (a secret-looking name is
/// shown as `file:line` only).
fn shown(name: &str) -> Option<&str> {
    crate::is_shown_key(name).then_some(name)
}

/// How a finding names the secret referenced as `name`: its name, or the
/// alias and the token it stands for.
fn label(name: &str, token: &str) -> String {
    match shown(name) {
        Some(n) if n.eq_ignore_ascii_case(token) => token.to_owned(),
        Some(n) => format!("{n} (an alias of {token})"),
        None => format!("a name not shown (an alias of {token})"),
    }
}

fn place(job: Option<&str>, step: Option<&Step>) -> String {
    let step = match step {
        Some(Step::Named(n)) if shown_text(n) => format!("step `{n}`"),
        Some(Step::Named(_)) | None => String::new(),
        Some(Step::Index(i)) => format!("step {i}"),
    };
    match (job, step.is_empty()) {
        (Some(j), false) => format!("{step} of job `{j}`"),
        (Some(j), true) => format!("job `{j}`"),
        (None, false) => step,
        (None, true) => "the workflow".to_owned(),
    }
}

/// Whether a step name may be shown: it holds no secret-looking text.
fn shown_text(text: &str) -> bool {
    tokenspec_core::format::looks_like_secret(text).is_none()
}

pub fn check(spec: &Spec, inv: &Inventory, out: &mut Vec<Finding>) {
    for f in &inv.failures {
        out.push(
            Finding::error(
                Rule::Parse,
                format!("the workflow does not parse: {}", f.message),
            )
            .at(f.file.clone(), f.line)
            .help("fix the YAML: GitHub cannot run this workflow either"),
        );
    }
    for w in &inv.workflows {
        for r in &w.references {
            reference(spec, &w.name, r, out);
        }
        for i in &w.inherits {
            let callee = i.uses.as_deref().unwrap_or("the called workflow");
            out.push(
                Finding::warning(
                    Rule::SecretsInherit,
                    format!("job `{}` hands every secret to {callee} (`secrets: inherit`), whatever the spec allows", i.job),
                )
                .at(i.file.clone(), i.line)
                .help("pass only the tokens it needs, e.g. `secrets: { NAME: ${{ secrets.NAME }} }`"),
            );
        }
        for wr in &w.writes {
            let names: Vec<&str> = wr.names.iter().filter_map(|n| shown(n)).collect();
            let what = if names.is_empty() {
                "a secret".to_owned()
            } else {
                names.join(", ")
            };
            let first = names.first().copied().unwrap_or("NAME");
            let at = place(wr.job.as_deref(), wr.step.as_ref());
            let finding = match wr.target {
                Target::Output => Finding::error(
                    Rule::SecretToOutput,
                    format!("{at} writes {what} into $GITHUB_OUTPUT, where later jobs read it in clear text"),
                )
                .help(format!("give each job that needs it `${{{{ secrets.{first} }}}}` instead of passing it through an output")),
                Target::Env => Finding::warning(
                    Rule::SecretToOutput,
                    format!("{at} writes {what} into $GITHUB_ENV, where every later step of the job reads it"),
                )
                .help(format!("set `${{{{ secrets.{first} }}}}` in `env:` of the steps that need it instead")),
            };
            out.push(finding.at(wr.file.clone(), wr.line));
        }
    }
}

fn reference(spec: &Spec, workflow: &str, r: &Reference, out: &mut Vec<Finding>) {
    let at = |f: Finding| f.at(r.file.clone(), r.line);
    match workflows::kind(spec, &r.name) {
        Kind::DefaultToken => {
            if !spec.github.allows_default_token(workflow) {
                out.push(at(Finding::error(
                    Rule::DefaultToken,
                    format!("the default token GITHUB_TOKEN is used in {workflow}, but token-spec.toml forbids it (`[github] default_token = \"forbid\"`)"),
                )
                .help(format!("use a spec token with only the permissions this needs, or add `{workflow}` to `default_token_workflows` in [github] of token-spec.toml"))));
            }
        }
        Kind::Unknown => {
            let message = match shown(&r.name) {
                Some(n) => format!("secret {n} is not a token in token-spec.toml"),
                None => "a secret whose name is not shown (it looks like a secret) is not a token in token-spec.toml".to_owned(),
            };
            out.push(at(Finding::warning(Rule::WorkflowUnknownSecret, message).help(
                match shown(&r.name) {
                    Some(n) => format!("add a [[token]] named {n} to token-spec.toml (or add it to `aliases` of the token it stands for), or remove the reference"),
                    None => "remove the reference, and rotate the secret if its name is a value".to_owned(),
                },
            )));
        }
        Kind::Token(t) => {
            let name = label(&r.name, &t.name);
            if !t.allows_workflow(workflow) {
                let message = match (&t.workflows, t.class) {
                    (None, Class::Runtime) => format!("{name} is a runtime token, used in {workflow}; runtime tokens serve the services, not the pipelines"),
                    _ => format!("{name} is used in {workflow}, which `workflows` of {} does not allow", t.name),
                };
                out.push(at(Finding::error(Rule::WorkflowNotAllowed, message).help(format!(
                    "add `{workflow}` to `workflows` of {} in token-spec.toml, or remove the reference",
                    t.name
                ))));
            }
            if let Some(d) = &t.deprecated {
                let (message, help) = match &d.replacement {
                    Some(new) => (
                        format!("{name} is deprecated; use {new}"),
                        format!("reference `secrets.{new}` instead"),
                    ),
                    None => (
                        format!("{name} is deprecated"),
                        "replace it with a current token".to_owned(),
                    ),
                };
                out.push(at(
                    Finding::warning(Rule::WorkflowDeprecated, message).help(help)
                ));
            }
        }
    }
}
