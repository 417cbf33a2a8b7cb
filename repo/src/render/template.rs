//! The starting content of a missing base file (`.tokens` or `.env`), which
//! `tokenspec load` creates: every token of the class with its description
//! and a `CHANGE_ME_<NAME>` placeholder, which never counts as set outside CI.
//!
//! Also the managed block `tokenspec gen` keeps in each committed template
//! that exists (`.env.example`, …): every runtime token with an empty value.

use tokenspec_core::dotenv_write::entry_line;
use tokenspec_core::Class;

use super::ci_files::token_comment;
use super::comment;
use super::markers::{self, Placement};
use tokenspec_spec::model::Spec;

/// The template for `class`'s base file.
pub fn base_template(spec: &Spec, class: Class) -> String {
    let info = spec.class(class);
    let base = class.base_file();
    let overrides: Vec<String> = spec
        .environments
        .iter()
        .filter(|e| *e != "ci")
        .map(|e| class.env_file(e))
        .collect();
    let mut out = comment(&format!(
        "{base}: {}\n\
         Owner: {}. Created by `tokenspec load` from token-spec.toml.\n\
         Replace each CHANGE_ME_ value with the real secret. This file is git-ignored:\n\
         never commit it. Per-environment values go in {} ({} is generated).",
        info.description,
        info.owner,
        overrides.join(", "),
        class.env_file("ci"),
    ));
    for t in spec.tokens_of(class) {
        out.push('\n');
        out.push_str(&token_comment(t));
        out.push_str(&comment(&format!(
            "required: {}; format: {}",
            t.required_text(),
            t.format
        )));
        out.push_str(&entry_line(&t.name, &format!("CHANGE_ME_{}", t.name)));
        out.push('\n');
    }
    out
}

/// A committed template (`existing`, kept byte for byte outside the block)
/// with its managed block of every runtime token, each with an empty value.
pub fn template_file(spec: &Spec, existing: &str) -> String {
    let mut block = markers::begin_line("runtime tokens from token-spec.toml");
    block.push('\n');
    block.push_str(&comment(
        "Every runtime token, empty: copy this file to .env and fill them in.\n\
         This file is committed: never put a real value in it.",
    ));
    for t in spec.tokens_of(Class::Runtime) {
        block.push('\n');
        block.push_str(&token_comment(t));
        // Token names are valid variable names: `NAME=` needs no quoting.
        block.push_str(&t.name);
        block.push_str("=\n");
    }
    block.push_str(markers::END_LINE);
    block.push('\n');
    markers::merge(existing, &block, Placement::InPlace)
}
