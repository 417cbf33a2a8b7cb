//! Rule `drift`: generated files that differ from what `cargo xtask gen`
//! would write now. The expected text comes from the same renderer the
//! xtask uses, so the two can never disagree.

use std::cell::RefCell;
use std::io::ErrorKind;

use tokenspec_manifest::render::{self, gitignore};

use super::{Finding, Input, Rule};

/// Text every generated file (or managed block) carries.
const MARK: &str = "cargo xtask gen";

/// Appends drift findings; `Err` when a generated file exists but cannot be read.
///
/// A project that never ran the generator has nothing to drift from: a file
/// is compared when it carries the generator's mark, and every output is
/// (a missing one too) once a generated file other than `.gitignore` does.
pub fn check(input: &Input<'_>, out: &mut Vec<Finding>) -> Result<(), String> {
    let errors = RefCell::new(Vec::new());
    let read = |path: &str| match std::fs::read_to_string(input.root.join(path)) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == ErrorKind::NotFound => None,
        Err(e) => {
            errors
                .borrow_mut()
                .push(format!("cannot read {path}: {}", crate::io_message(&e)));
            None
        }
    };
    let outputs: Vec<_> = render::outputs(input.spec, read)
        .into_iter()
        .map(|o| {
            let current = read(o.path);
            (o, current)
        })
        .collect();
    if let Some(e) = errors.into_inner().into_iter().next() {
        return Err(e);
    }
    // `tokenspec check --fix` also writes the `.gitignore` block, so only
    // the other outputs show that the project runs the generator.
    let marked = |cur: &Option<String>| cur.as_deref().is_some_and(|c| c.contains(MARK));
    let uses_gen = outputs
        .iter()
        .any(|(o, cur)| o.path != gitignore::PATH && marked(cur));
    for (expected, current) in &outputs {
        if !(uses_gen || marked(current)) {
            continue;
        }
        let path = expected.path;
        let finding = match current {
            None => Finding::error(Rule::Drift, format!("{path} is missing")).at(path, None),
            Some(c) if *c == expected.content => continue,
            Some(c) => {
                let line = first_difference(c, &expected.content);
                Finding::error(
                    Rule::Drift,
                    format!(
                        "{path} differs from what `cargo xtask gen` writes from token-spec.toml"
                    ),
                )
                .at(path, line)
            }
        };
        let help = if path == gitignore::PATH {
            "run `tokenspec check --fix` (or `cargo xtask gen`) to rewrite the managed block"
        } else {
            "run `cargo xtask gen` and commit the result"
        };
        out.push(finding.help(help));
    }
    Ok(())
}

/// The 1-based line where two texts first differ.
fn first_difference(a: &str, b: &str) -> usize {
    let mut a_lines = a.split_inclusive('\n');
    let mut b_lines = b.split_inclusive('\n');
    let mut n = 1;
    loop {
        match (a_lines.next(), b_lines.next()) {
            (Some(x), Some(y)) if x == y => n += 1,
            _ => return n,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn first_difference() {
        assert_eq!(super::first_difference("a\nb\n", "a\nc\n"), 2);
        assert_eq!(super::first_difference("a\n", "a\nb\n"), 2);
        assert_eq!(super::first_difference("x", "y"), 1);
    }
}
