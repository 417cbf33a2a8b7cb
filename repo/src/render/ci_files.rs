//! The committed CI files `.tokens.ci` and `.env.ci`: a managed block of
//! the class's tokens, beside hand-kept lines (ordinary settings in
//! `.env.ci`, anything else) that are kept byte for byte. A new file, or a
//! `.tokens.ci` written whole by an older tokenspec, is the block alone.
//!
//! Values are the spec's `ci_value`s, which the parser has already checked
//! never look like a real secret, written with `quote_value` so dotenvy
//! reads back exactly the spec's string.

use std::collections::BTreeMap;

use tokenspec_core::dotenv;
use tokenspec_core::dotenv_write::entry_line;
use tokenspec_core::Class;

use super::comment;
use super::markers::{self, Placement};
use tokenspec_spec::model::{Spec, Token};

/// `Class::Cicd.env_file("ci")`, spelled as a `'static` path.
pub const TOKENS_CI: &str = Class::Cicd.ci_file();
/// `Class::Runtime.env_file("ci")`, spelled as a `'static` path.
pub const ENV_CI: &str = Class::Runtime.ci_file();

/// The committed CI file of a class.
pub fn path(class: Class) -> &'static str {
    match class {
        Class::Cicd => TOKENS_CI,
        Class::Runtime => ENV_CI,
    }
}

/// What a token's line brings into a managed block from a committed file:
/// its committed CI value, which `gen` keeps ([`Token::keeps_ci_value`]),
/// and the person's comment lines directly above it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Carried {
    /// A committed value kept in place of the spec's `ci_value`.
    pub value: Option<String>,
    /// `#` comment lines, each ending in `\n`; written above the spec's own comment.
    pub comment: String,
}

/// Token name to what it carries into one file's block.
pub type CarriedMap = BTreeMap<String, Carried>;

/// `.tokens.ci`: `existing` (or nothing) with its managed block holding
/// every cicd token with its CI value; lines outside the block are kept.
pub fn tokens_ci(spec: &Spec, existing: Option<&str>) -> String {
    tokens_ci_carrying(spec, existing, &CarriedMap::new())
}

/// [`tokens_ci`], with the lines `gen` takes into the block.
pub fn tokens_ci_carrying(spec: &Spec, existing: Option<&str>, taken: &CarriedMap) -> String {
    // Before it had a block, tokenspec wrote the whole file: nothing in it is hand-kept.
    let existing = existing.filter(|e| !is_whole_generated_file(e));
    ci_file(spec, Class::Cicd, existing, taken)
}

/// `.env.ci`: `existing` (or nothing) with its managed block holding every
/// runtime token with its CI value; lines outside the block are kept.
pub fn env_ci(spec: &Spec, existing: Option<&str>) -> String {
    ci_file(spec, Class::Runtime, existing, &CarriedMap::new())
}

/// What the first managed block of `text` carries for each token of
/// `class`: a value [`Token::keeps_ci_value`] accepts (only when `values`),
/// and comment lines above the spec's own comment.
pub fn block_carried(spec: &Spec, class: Class, text: &str, values: bool) -> CarriedMap {
    let mut out = CarriedMap::new();
    let Some(block) = markers::block_lines(text).into_iter().next() else {
        return out;
    };
    let lines: Vec<&str> = text
        .split_inclusive('\n')
        .map(|l| l.trim_end_matches('\n').trim_end_matches('\r'))
        .collect();
    for e in dotenv::parse(text).entries {
        if !block.contains(&e.line) || *block.start() == e.line || *block.end() == e.line {
            continue;
        }
        let Some(t) = spec.token(&e.key).filter(|t| t.class == class) else {
            continue;
        };
        // The comment lines directly above, up to a blank line or the begin marker.
        let above = comment_above(&lines, e.line, *block.start());
        let own = token_comment(t);
        let comment = match above.strip_suffix(own.as_str()) {
            Some(person) => person.to_owned(),
            // The spec's comment changed since: what is above is kept, so
            // nothing a person wrote is lost.
            None => above,
        };
        let value = (values && t.keeps_ci_value(&e.value)).then_some(e.value);
        out.entry(e.key).or_insert(Carried { value, comment });
    }
    out
}

/// The `#` lines directly above 1-based line `line` (of `lines`, without
/// their endings), after line `floor`, each ending in `\n`.
pub fn comment_above(lines: &[&str], line: usize, floor: usize) -> String {
    let mut first = line; // 1-based line where the comment run starts
    while first - 1 > floor && is_comment(lines[first - 2]) {
        first -= 1;
    }
    lines[first - 1..line - 1]
        .iter()
        .map(|l| format!("{l}\n"))
        .collect()
}

fn is_comment(line: &str) -> bool {
    let l = line.trim_start();
    l.starts_with('#') && !l.starts_with(markers::BEGIN) && !l.starts_with(markers::END)
}

/// The CI file of `class` from its existing text; `taken` (lines `gen`
/// takes in from outside the block) wins over the existing block.
pub fn ci_file(spec: &Spec, class: Class, existing: Option<&str>, taken: &CarriedMap) -> String {
    let mut carried =
        existing.map_or_else(CarriedMap::new, |e| block_carried(spec, class, e, true));
    merge_carried(&mut carried, taken);
    let mut block = markers::begin_line(&format!("{class} tokens from token-spec.toml"));
    block.push('\n');
    block.push_str(&intro(spec, class));
    block.push_str(&comment(
        "Lines outside these marker lines are yours and are kept as they are;\n\
         `tokenspec gen` takes a token of the spec found there into this block.",
    ));
    block.push_str(&entries(spec, class, &carried));
    block.push_str(markers::END_LINE);
    block.push('\n');
    markers::merge(existing.unwrap_or(""), &block, Placement::InPlace)
}

/// A file with no managed block that starts with a generated header (of
/// this or an older tokenspec): the whole-file `.tokens.ci` of before.
fn is_whole_generated_file(text: &str) -> bool {
    let first = text.lines().next().unwrap_or("");
    first.starts_with("# Generated by `")
        && first.ends_with(" from token-spec.toml. Do not edit by hand.")
        && markers::block_lines(text).is_empty()
}

fn intro(spec: &Spec, class: Class) -> String {
    let info = spec.class(class);
    comment(&format!(
        "Safe CI test values for the {class} tokens (owner: {}).\n\
         This file is committed: never put a real secret in it.",
        info.owner
    ))
}

/// `taken` over `into`: a taken value or comment replaces the block's.
pub fn merge_carried(into: &mut CarriedMap, taken: &CarriedMap) {
    for (name, c) in taken {
        let slot = into.entry(name.clone()).or_default();
        if c.value.is_some() {
            slot.value = c.value.clone();
        }
        if !c.comment.is_empty() {
            slot.comment = c.comment.clone();
        }
    }
}

fn entries(spec: &Spec, class: Class, carried: &CarriedMap) -> String {
    let mut out = String::new();
    let mut any = false;
    for t in spec.tokens_of(class) {
        any = true;
        let c = carried.get(&t.name);
        out.push('\n');
        if let Some(c) = c {
            out.push_str(&c.comment);
        }
        out.push_str(&token_comment(t));
        let value = c.and_then(|c| c.value.as_deref()).unwrap_or(&t.ci_value);
        out.push_str(&entry_line(&t.name, value));
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
    fn an_old_whole_file_tokens_ci_is_replaced_and_hand_lines_are_kept() {
        let spec = Spec::parse(
            "[[token]]\nname = \"A_TOKEN\"\nclass = \"cicd\"\ndescription = \"d\"\n",
            "token-spec.toml",
        )
        .unwrap();
        let fresh = tokens_ci(&spec, None);
        let old = "# Generated by `cargo xtask gen` from token-spec.toml. Do not edit by hand.\nA_TOKEN=x\n";
        assert_eq!(tokens_ci(&spec, Some(old)), fresh);
        let kept = tokens_ci(&spec, Some("OTHER=1\n"));
        assert!(
            kept.starts_with("OTHER=1\n\n# >>> tokenspec: cicd tokens"),
            "{kept}"
        );
        assert_eq!(tokens_ci(&spec, Some(&kept)), kept);
    }

    #[test]
    fn paths_are_the_classes_ci_files() {
        for class in Class::ALL {
            assert_eq!(path(class), class.env_file("ci"));
        }
    }
}
