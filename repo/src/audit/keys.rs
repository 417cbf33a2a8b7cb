//! Rules about keys: `separation`, `unknown-key`, `duplicate-key`, `deprecated`.

use tokenspec_core::dotenv::{Document, KeyIndex};
use tokenspec_core::Class;
use tokenspec_spec::{suggest, Spec, Token};

use super::files::TokenFile;
use super::{Finding, Rule};

/// An `.env*` key this close to a token name is a typo, not a setting.
const NEAR_MISS: usize = 2;

pub fn check(spec: &Spec, file: &TokenFile, doc: &Document, out: &mut Vec<Finding>) {
    let name = &file.name;
    for e in &doc.entries {
        match spec.token(&e.key) {
            // A template lists the names a developer sets, of either class.
            Some(t) if t.class != file.class && file.is_template() => {}
            Some(t) if t.class != file.class => out.push(separation(spec, t, file, e.line)),
            Some(t) => {
                if let (Some(d), false) = (&t.deprecated, file.is_committed()) {
                    let (message, help) = match &d.replacement {
                        Some(r) => (
                            format!("{} is deprecated: use {r}", t.name),
                            format!("rename {} to {r} in {name}", t.name),
                        ),
                        None => (
                            format!("{} is deprecated", t.name),
                            format!("remove {} from {name} once nothing reads it", t.name),
                        ),
                    };
                    let message = match &d.note {
                        Some(n) => format!("{message} ({n})"),
                        None => message,
                    };
                    out.push(
                        Finding::warning(Rule::Deprecated, message)
                            .at(name.clone(), e.line)
                            .help(help),
                    );
                }
            }
            None if !crate::is_shown_key(&e.key) => out.push(hidden_key(file, e.line)),
            None => {
                if let Some(f) = unknown(spec, file, &e.key) {
                    out.push(f.at(name.clone(), e.line));
                }
            }
        }
    }
    duplicates(file, doc, out);
}

fn separation(spec: &Spec, t: &Token, file: &TokenFile, line: usize) -> Finding {
    let target = match &file.env {
        Some(env) => t.class.env_file(env),
        None => t.class.base_file().to_owned(),
    };
    // Say what works for this file: gen owns the CI files, and migrate
    // touches only the base pair and the spec's environments.
    let help = match file.env.as_deref() {
        Some(super::files::CI_ENV) => format!(
            "run `tokenspec gen`: it moves {} into the generated block of {target} with the spec's ci_value",
            t.name
        ),
        Some(env) if file.backup || !spec.environments.iter().any(|e| e == env) => format!(
            "`tokenspec migrate` does not touch {} (no environment `{env}` in token-spec.toml): move the line to {target} by hand, or add `{env}` to `environments` and run `tokenspec migrate --env {env}`",
            file.name
        ),
        _ => format!(
            "move it to {target} with `tokenspec migrate` (try `tokenspec migrate --dry-run` first)"
        ),
    };
    Finding::error(
        Rule::Separation,
        format!(
            "{} is a {} token, but {} holds {} tokens",
            t.name, t.class, file.name, file.class
        ),
    )
    .at(file.name.clone(), line)
    .help(help)
}

/// A key that looks like a secret or is not a variable name: most likely a
/// value pasted as a line of its own. Shown only by place.
fn hidden_key(file: &TokenFile, line: usize) -> Finding {
    Finding::warning(
        Rule::UnknownKey,
        "this line's key is not shown: it looks like a secret or is not a variable name",
    )
    .at(file.name.clone(), line)
    .help(format!(
        "if it is a value pasted on a line of its own, delete line {line} of {} and rotate it; otherwise rename the key",
        file.name
    ))
}

/// Every key of a `.tokens*` file should be a cicd token. `.env*` files also
/// hold ordinary settings, so only a near miss of a token name is reported.
fn unknown(spec: &Spec, file: &TokenFile, key: &str) -> Option<Finding> {
    let closest = closest_token(spec, key, file.class == Class::Runtime);
    match file.class {
        Class::Cicd => {
            let (message, help) = match closest {
                Some((t, d)) if d <= NEAR_MISS || d * 3 <= key.len() => (
                    format!("{key} is not a token in the spec; did you mean {}?", t.name),
                    format!(
                        "rename it to {}{}, or add {key} to token-spec.toml",
                        t.name,
                        case_note(d)
                    ),
                ),
                _ => (
                    format!("{key} is not a token in the spec"),
                    format!(
                        "add {key} to token-spec.toml as a cicd token, or remove it from {}",
                        file.name
                    ),
                ),
            };
            Some(Finding::warning(Rule::UnknownKey, message).help(help))
        }
        Class::Runtime => {
            let (t, d) = closest.filter(|(_, d)| *d <= NEAR_MISS)?;
            Some(
                Finding::warning(
                    Rule::UnknownKey,
                    format!("{key} is not a token in the spec; did you mean {}?", t.name),
                )
                .help(format!(
                    "rename it to {}{}, so the token is read",
                    t.name,
                    case_note(d)
                )),
            )
        }
    }
}

/// The spec token whose name is nearest to `key`, ignoring case, with the
/// distance; for an `.env*` setting only one within [`NEAR_MISS`].
fn closest_token<'s>(spec: &'s Spec, key: &str, near_only: bool) -> Option<(&'s Token, usize)> {
    // The distance is at least the difference in length: skip the
    // quadratic edit distance for names that cannot be a near miss.
    let candidates = spec
        .tokens
        .iter()
        .filter(|t| !near_only || t.name.len().abs_diff(key.len()) <= NEAR_MISS)
        .map(|t| t.name.as_str());
    let (name, d) = suggest::nearest(key, candidates)?;
    Some((spec.token(name)?, d))
}

fn duplicates(file: &TokenFile, doc: &Document, out: &mut Vec<Finding>) {
    let index = KeyIndex::new(doc);
    for (first, e) in index.duplicates(doc) {
        let line = first.line;
        out.push(
            Finding::error(
                Rule::DuplicateKey,
                format!(
                    "{} is set twice, on lines {line} and {}: loaders disagree on which one wins",
                    crate::shown_key(&e.key),
                    e.line
                ),
            )
            .at(file.name.clone(), e.line)
            .help(format!(
                "keep one of lines {line} and {} of {}",
                e.line, file.name
            )),
        );
    }
}

/// A case-only difference is spelled out: it is easy to miss.
fn case_note(distance: usize) -> &'static str {
    if distance == 0 {
        " (names are case-sensitive)"
    } else {
        ""
    }
}
