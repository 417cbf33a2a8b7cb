//! The committed CI files: `.tokens.ci` (fully generated) and the managed
//! block of `.env.ci` (which also holds hand-kept, non-token settings).
//!
//! Values are the spec's `ci_value`s, which the parser has already checked
//! never look like a real secret, written with `quote_value` so dotenvy
//! reads back exactly the spec's string.

use tokenspec_core::dotenv_write::entry_line;
use tokenspec_core::Class;

use super::markers::{self, Placement};
use super::{comment, GENERATED};
use crate::model::{Spec, Token};

/// `Class::Cicd.env_file("ci")`, spelled as a `'static` path.
pub const TOKENS_CI: &str = ".tokens.ci";
/// `Class::Runtime.env_file("ci")`, spelled as a `'static` path.
pub const ENV_CI: &str = ".env.ci";

/// The committed CI file of a class.
pub fn path(class: Class) -> &'static str {
    match class {
        Class::Cicd => TOKENS_CI,
        Class::Runtime => ENV_CI,
    }
}

/// `.tokens.ci`: every cicd token with its CI value.
pub fn tokens_ci(spec: &Spec) -> String {
    let mut out = comment(GENERATED);
    out.push_str(&intro(spec, Class::Cicd));
    out.push_str(&entries(spec, Class::Cicd));
    out
}

/// `.env.ci`: `existing` (or nothing) with its managed block holding every
/// runtime token with its CI value; lines outside the block are kept.
pub fn env_ci(spec: &Spec, existing: Option<&str>) -> String {
    let mut block = markers::begin_line("runtime tokens from token-spec.toml");
    block.push('\n');
    block.push_str(&intro(spec, Class::Runtime));
    block.push_str(&comment(
        "Settings outside these marker lines are yours and are kept as they are.",
    ));
    block.push_str(&entries(spec, Class::Runtime));
    block.push_str(markers::END_LINE);
    block.push('\n');
    markers::merge(existing.unwrap_or(""), &block, Placement::InPlace)
}

fn intro(spec: &Spec, class: Class) -> String {
    let info = spec.class(class);
    comment(&format!(
        "Safe CI test values for the {class} tokens (owner: {}).\n\
         This file is committed: never put a real secret in it.",
        info.owner
    ))
}

fn entries(spec: &Spec, class: Class) -> String {
    let mut out = String::new();
    let mut any = false;
    for t in spec.tokens_of(class) {
        any = true;
        out.push('\n');
        out.push_str(&token_comment(t));
        out.push_str(&entry_line(&t.name, &t.ci_value));
        out.push('\n');
    }
    if !any {
        out.push('\n');
        out.push_str(&comment(&format!("The spec has no {class} tokens.")));
    }
    out
}

/// The description, and the replacement of a deprecated token.
pub(crate) fn token_comment(t: &Token) -> String {
    let mut out = comment(&t.description);
    if let Some(d) = &t.deprecated {
        let mut line = "Deprecated".to_owned();
        if let Some(r) = &d.replacement {
            line.push_str(&format!(": use {r}"));
        }
        if let Some(n) = &d.note {
            line.push_str(&format!(" ({n})"));
        }
        out.push_str(&comment(&line));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_the_classes_ci_files() {
        for class in Class::ALL {
            assert_eq!(path(class), class.env_file("ci"));
        }
    }
}
