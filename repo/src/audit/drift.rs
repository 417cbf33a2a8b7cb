//! Rule `drift`: generated files that are missing or differ from what
//! `tokenspec gen` would write now. The expected text comes from the same
//! plan `gen` writes from ([`crate::generate::plan`]), so the two can never
//! disagree: a spec token left outside the managed block of a CI file is
//! drift too, since gen would take it in.
//!
//! A committed template (`.env.example`, …) is compared once it carries a
//! managed block: gen adds one to every template that exists, but a
//! template is the project's own file until then.

use std::cell::RefCell;

use crate::render::{gitignore, markers};

use super::{Finding, Input, Rule};

/// Appends drift findings; `Err` when a generated file exists but cannot be read.
pub fn check(
    input: &Input<'_>,
    usage: &crate::render::docs::WorkflowUsage,
    out: &mut Vec<Finding>,
) -> Result<(), String> {
    let errors = RefCell::new(Vec::new());
    let read = |path: &str| match tokenspec_core::file::read_regular_text(&input.root.join(path)) {
        Ok(text) => text,
        Err(e) => {
            errors
                .borrow_mut()
                .push(format!("cannot read {path}: {}", crate::io_message(&e)));
            None
        }
    };
    let planned = crate::generate::plan_with(input.spec, usage, read);
    let outputs: Vec<_> = planned
        .outputs
        .into_iter()
        .map(|o| {
            let current = read(&o.path);
            (o, current)
        })
        .collect();
    if let Some(e) = errors.into_inner().into_iter().next() {
        return Err(e);
    }
    for (expected, current) in &outputs {
        let path = expected.path.as_str();
        let is_template = input.spec.is_template(path);
        if is_template
            && current
                .as_deref()
                .is_none_or(|c| markers::block_lines(c).is_empty())
        {
            continue;
        }
        let finding = match current {
            None => Finding::error(Rule::Drift, format!("{path} is missing")).at(path, None),
            Some(c) if *c == expected.content => continue,
            Some(c) => {
                let line = first_difference(c, &expected.content);
                Finding::error(
                    Rule::Drift,
                    format!("{path} differs from what `tokenspec gen` writes from token-spec.toml"),
                )
                .at(path, line)
            }
        };
        let help = if path == gitignore::PATH {
            "run `tokenspec check --fix` (or `tokenspec gen`) to rewrite the managed block"
        } else {
            "run `tokenspec gen` and commit the result"
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
