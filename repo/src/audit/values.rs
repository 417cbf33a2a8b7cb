//! Rules about values: `parse`, `dollar-hazard`, `committed-secret`,
//! `format` and `placeholder`. Values are classified here and never copied
//! into a finding.

use tokenspec_core::dotenv::{Document, Entry, Hazard};
use tokenspec_core::format::{is_placeholder, looks_like_secret, Format};
use tokenspec_core::Class;
use tokenspec_spec::{Spec, Token};

use super::files::TokenFile;
use super::{Finding, Rule};

pub fn check(spec: &Spec, file: &TokenFile, doc: &Document, out: &mut Vec<Finding>) {
    let name = &file.name;
    for e in &doc.errors {
        out.push(
            Finding::error(Rule::Parse, e.message.clone())
                .at(name.clone(), e.line)
                .help("fix the line: dotenvy stops reading the whole file at it"),
        );
    }
    for e in &doc.entries {
        let token = spec.token(&e.key);
        if let Some(hazard) = e.hazard {
            out.push(dollar_hazard(file, e, hazard, token.is_some()));
        }
        if e.value.is_empty() {
            continue;
        }
        if file.is_committed() {
            committed(file, e, token, out);
            continue;
        }
        let Some(t) = token else { continue };
        if is_placeholder(&e.value, &t.ci_value) {
            // Base files count as every environment, so only tokens required always.
            if t.class == file.class && t.required.applies(file.env.as_deref()) {
                let env = file
                    .env
                    .as_deref()
                    .map_or(String::new(), |e| format!(" in {e}"));
                out.push(
                    Finding::warning(
                        Rule::Placeholder,
                        format!("{} holds a placeholder, but it is required{env}", t.name),
                    )
                    .at(name.clone(), e.line)
                    .help(format!(
                        "put the real value in {name}, or provide {} in the process environment",
                        t.name
                    )),
                );
            }
        } else if !t.format.matches(&e.value) {
            out.push(
                Finding::error(
                    Rule::Format,
                    format!("{} does not match its format {}", t.name, t.format),
                )
                .at(name.clone(), e.line)
                .help(format!(
                    "expected {}; fix the value, or the token's `format` in token-spec.toml",
                    expected(&t.format)
                )),
            );
        }
    }
}

/// A `$` that dotenvy would expand or reject. Always an error for a token;
/// a plain setting in an `.env*` file may mean the reference, so it warns.
fn dollar_hazard(file: &TokenFile, e: &Entry, hazard: Hazard, is_token: bool) -> Finding {
    let key = crate::shown_key(&e.key);
    let message = match hazard {
        Hazard::Substituted => format!("dotenvy would substitute the `$` in the value of {key}, so programs using it read a different value"),
        Hazard::Rejected => format!("dotenvy cannot read the value of {key} because of its `$`"),
    };
    let finding = if is_token || file.class == Class::Cicd {
        Finding::error(Rule::DollarHazard, message)
    } else {
        Finding::warning(Rule::DollarHazard, message)
    };
    let quoted = if crate::is_shown_key(&e.key) {
        format!("{key}='…'")
    } else {
        "'…'".to_owned()
    };
    finding.at(file.name.clone(), e.line).help(format!(
        "wrap the value in single quotes, {quoted}, which keeps every `$` as written"
    ))
}

/// `.tokens.ci` and `.env.ci` are committed: placeholders only. `.env.ci`
/// also holds ordinary settings, so a non-token key counts only when its
/// value has the shape of a real secret.
fn committed(file: &TokenFile, e: &Entry, token: Option<&Token>, out: &mut Vec<Finding>) {
    let kind = match (looks_like_secret(&e.value), token) {
        (Some(kind), _) => format!("looks like {kind}"),
        (None, Some(t)) if !is_placeholder(&e.value, &t.ci_value) => {
            "is not a placeholder".to_owned()
        }
        _ => return,
    };
    let help = match token {
        Some(_) if file.is_template() => "empty the value (a template lists names only), and rotate the token if this value was ever real",
        Some(_) => "rotate the token if this value was ever real, then delete the line (or restore the CI value) and run `tokenspec gen`",
        None => "move the value to a git-ignored file (.env or .tokens), and rotate it if it was ever real",
    };
    out.push(
        Finding::error(
            Rule::CommittedSecret,
            format!(
                "the value of {} {kind}, but {} is committed and may hold placeholders only",
                crate::shown_key(&e.key),
                file.name
            ),
        )
        .at(file.name.clone(), e.line)
        .help(help),
    );
}

/// A person's description of a format.
fn expected(f: &Format) -> String {
    f.as_builtin()
        .map_or_else(|| f.to_string(), |b| b.description.to_owned())
}
