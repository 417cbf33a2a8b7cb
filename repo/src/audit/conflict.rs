//! Rule `conflict`: a token that holds different values in the two classes'
//! files of one environment (`.env.ci` and `.tokens.ci`, `.env` and
//! `.tokens`, …). Which one a program reads then depends on the class it
//! loads, and `migrate` cannot pick for you.

use std::collections::HashMap;

use tokenspec_core::Class;
use tokenspec_spec::Spec;

use super::files::{TokenFile, CI_ENV};
use super::{Finding, Rule};

pub fn check(spec: &Spec, files: &[TokenFile], out: &mut Vec<Finding>) {
    let pairs = files
        .iter()
        .filter(|f| f.class == Class::Runtime && !f.is_template() && !f.backup);
    for runtime in pairs {
        let cicd_name = match &runtime.env {
            Some(env) => Class::Cicd.env_file(env),
            None => Class::Cicd.base_file().to_owned(),
        };
        let Some(cicd) = files.iter().find(|f| f.name == cicd_name) else {
            continue;
        };
        let (Some(r), Some(c)) = (&runtime.doc, &cicd.doc) else {
            continue;
        };
        // The first entry of each key: a second one is a duplicate-key finding.
        let mut in_cicd: HashMap<&str, (usize, &str)> = HashMap::new();
        for e in &c.entries {
            in_cicd
                .entry(e.key.as_str())
                .or_insert((e.line, e.value.as_str()));
        }
        let mut seen = std::collections::HashSet::new();
        for e in &r.entries {
            if spec.token(&e.key).is_none() || !seen.insert(e.key.as_str()) {
                continue;
            }
            let Some(&(line, value)) = in_cicd.get(e.key.as_str()) else {
                continue;
            };
            if value == e.value {
                continue;
            }
            let help = if runtime.env.as_deref() == Some(CI_ENV) {
                format!(
                    "run `tokenspec gen`: it keeps {} only in its class's CI file, with the spec's ci_value",
                    e.key
                )
            } else {
                "keep the right value in one of the two files and delete the other line, then run `tokenspec migrate`".to_owned()
            };
            out.push(
                Finding::error(
                    Rule::Conflict,
                    format!(
                        "{} holds different values in {}:{} and {}:{line}",
                        e.key, runtime.name, e.line, cicd.name
                    ),
                )
                .at(runtime.name.clone(), e.line)
                .help(help),
            );
        }
    }
}
