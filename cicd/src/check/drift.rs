//! Rule `drift`: generated files that differ from what `cargo xtask gen`
//! would write now. The expected text comes from the same renderer the
//! xtask uses, so the two can never disagree.

use std::cell::RefCell;
use std::io::ErrorKind;

use tokenspec_spec::render;

use super::{Finding, Input, Rule};

/// Text every generated file (or managed block) carries.
const MARK: &str = "cargo xtask gen";

/// Appends drift findings; `Err` when a generated file exists but cannot be read.
///
/// A project that never ran the generator has nothing to drift from, so the
/// rule applies once any output carries the generator's mark; from then on a
/// missing output is drift too.
pub fn check(input: &Input<'_>, out: &mut Vec<Finding>) -> Result<(), String> {
    let errors = RefCell::new(Vec::new());
    let read = |path: &str| match std::fs::read_to_string(input.root.join(path)) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == ErrorKind::NotFound => None,
        Err(e) => {
            errors.borrow_mut().push(format!(
                "cannot read {path}: {}",
                crate::cli::context::io_message(&e)
            ));
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
    if !outputs
        .iter()
        .any(|(_, cur)| cur.as_deref().is_some_and(|c| c.contains(MARK)))
    {
        return Ok(());
    }
    for (expected, current) in &outputs {
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
        out.push(finding.help("run `cargo xtask gen` and commit the result"));
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
