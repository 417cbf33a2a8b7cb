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

use super::markers::{self, Placement};

/// The file, relative to the root.
pub const PATH: &str = ".gitignore";

/// Patterns in order. Unanchored, so token files in subfolders are ignored too.
pub const RULES: &[&str] = &[
    ".env",
    ".env.*",
    ".tokens",
    ".tokens.*",
    "!.env.ci",
    "!.tokens.ci",
    "!.env.example",
    "!.env.sample",
    "!.env.template",
    ".tokenspec-*.tmp",
];

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
    for rule in RULES {
        out.push_str(rule);
        out.push('\n');
    }
    for t in templates {
        let rule = format!("!/{t}");
        if !RULES.contains(&&rule[2..]) && !RULES.contains(&&rule[1..]) {
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
