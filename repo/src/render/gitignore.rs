//! The managed block of `.gitignore`: every secret token file is ignored,
//! the two committed CI files and the committed templates (`.env.example`,
//! `.env.sample`, `.env.template`, and the spec's `templates`) are
//! re-included, and tokenspec's temporary files (`.tokenspec-*.tmp`, which
//! an interrupted write can leave holding a copy of a token file) are ignored.
//!
//! Git applies the last matching pattern, so order matters twice: inside the
//! block the `!` re-includes follow the ignores, and the block is always
//! moved to the end of the file. A hand-written rule elsewhere (`*.ci`,
//! `!.env`, or the whole file run through `sort -u`) therefore cannot
//! override the policy for files at the root; hand-written lines are kept.

use tokenspec_core::def::{TEMP_PREFIX, TEMP_SUFFIX};
use tokenspec_core::Class;

use super::markers::{self, Placement};
use tokenspec_spec::model::DEFAULT_TEMPLATES;

/// The file, relative to the root.
pub const PATH: &str = ".gitignore";

/// Patterns in order, built from the class file names. Unanchored, so token
/// files in subfolders are ignored too.
pub fn rules() -> Vec<String> {
    let mut rules = Vec::new();
    // Runtime first: `.env` before `.tokens`, as the block has always read.
    let classes = [Class::Runtime, Class::Cicd];
    for class in classes {
        rules.push(class.base_file().to_owned());
        rules.push(format!("{}.*", class.base_file()));
    }
    for class in classes {
        rules.push(format!("!{}", class.ci_file()));
    }
    for template in DEFAULT_TEMPLATES {
        rules.push(format!("!{template}"));
    }
    rules.push(format!("{TEMP_PREFIX}*{TEMP_SUFFIX}"));
    rules
}

/// The block, LF-terminated, markers included.
pub fn block() -> String {
    block_for(&[])
}

/// The block, re-including the spec's own `templates` as well.
pub fn block_for(templates: &[String]) -> String {
    let mut out = markers::begin_line("secret token files");
    out.push('\n');
    out.push_str(&super::comment(
        "Token files hold secrets and are never committed; the CI files hold safe\n\
         test values and are. Git applies the last matching rule, so this block\n\
         stays at the end of the file.",
    ));
    let rules = rules();
    for rule in &rules {
        out.push_str(rule);
        out.push('\n');
    }
    for t in templates {
        let rule = format!("!/{t}");
        if !rules.iter().any(|r| *r == rule[2..] || *r == rule[1..]) {
            out.push_str(&rule);
            out.push('\n');
        }
    }
    out.push_str(markers::END_LINE);
    out.push('\n');
    out
}

/// `existing` with the block written (or moved) at its end.
pub fn apply_block(existing: &str) -> String {
    apply_block_for(existing, &[])
}

/// [`apply_block`] for a spec naming more templates.
pub fn apply_block_for(existing: &str, templates: &[String]) -> String {
    markers::merge(existing, &block_for(templates), Placement::Last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_moves_to_the_end() {
        let first = apply_block("/target\n");
        assert!(first.starts_with("/target\n\n# >>> tokenspec"), "{first}");
        let edited = format!("{first}*.ci\n");
        let again = apply_block(&edited);
        assert!(
            again.starts_with("/target\n\n*.ci\n\n# >>> tokenspec"),
            "{again}"
        );
        assert!(again.ends_with("!.env.template\n.tokenspec-*.tmp\n# <<< tokenspec <<<\n"));
        assert_eq!(apply_block(&again), again);
    }
}
