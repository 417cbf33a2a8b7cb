//! Every YAML and TOML block of the README files and `docs/` parses, so a
//! reader can paste it as shown (a `{ … }` flow mapping holding `${{ … }}`
//! once did not).

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("repo sits in the workspace")
        .to_path_buf()
}

/// The documents checked: the READMEs and every `docs/*.md`.
fn documents() -> Vec<PathBuf> {
    let root = workspace();
    let mut docs = vec![root.join("README.md"), root.join("tokenspec/README.md")];
    let mut more: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .expect("docs/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    more.sort();
    docs.extend(more);
    docs
}

/// Fenced blocks: (language, first line number, body).
fn blocks(text: &str) -> Vec<(String, usize, String)> {
    let mut out = Vec::new();
    let mut open: Option<(String, usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        match &mut open {
            None => {
                if let Some(lang) = trimmed.strip_prefix("```") {
                    open = Some((lang.trim().to_owned(), i + 2, String::new()));
                }
            }
            Some((_, _, body)) => {
                if trimmed.starts_with("```") {
                    out.push(open.take().expect("open"));
                } else {
                    body.push_str(line);
                    body.push('\n');
                }
            }
        }
    }
    out
}

#[test]
fn every_yaml_and_toml_block_parses() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for doc in documents() {
        let text = std::fs::read_to_string(&doc).expect("readable");
        let name = doc
            .strip_prefix(workspace())
            .unwrap_or(&doc)
            .display()
            .to_string();
        for (lang, line, body) in blocks(&text) {
            // A `…` stands for lines left out: such a block is an excerpt.
            if body.contains('…') {
                continue;
            }
            match lang.as_str() {
                "toml" => {
                    checked += 1;
                    if let Err(e) = toml::de::DeTable::parse(&body) {
                        failures.push(format!("{name}:{line}: TOML: {e}"));
                    }
                }
                "yaml" | "yml" => {
                    checked += 1;
                    for event in saphyr_parser::Parser::new_from_str(&body) {
                        if let Err(e) = event {
                            failures.push(format!("{name}:{line}: YAML: {}", e.info()));
                            break;
                        }
                    }
                }
                _ => {}
            }
        }
    }
    assert!(checked > 10, "found the blocks ({checked})");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_yaml_check_catches_a_template_expression_in_a_flow_mapping() {
    let old = "- uses: actions/cache@v4\n  with: { path: ~/.cargo/bin/tokenspec, key: tokenspec-${{ runner.os }}-0.1 }\n";
    assert!(saphyr_parser::Parser::new_from_str(old).any(|e| e.is_err()));
}
