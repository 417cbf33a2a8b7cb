//! `docs/TOKENS.md`: the token reference, one table per class, with the file
//! layout, environment and precedence rules, formats and deprecations.

use std::fmt::Write as _;

use tokenspec_core::format::BUILTIN_FORMATS;
use tokenspec_core::{Class, Format};

use super::{policies, GENERATED};
use tokenspec_spec::model::{Spec, Token};

/// The file, relative to the root.
pub const PATH: &str = "docs/TOKENS.md";

/// Where the workflows use each secret, for the `Workflows` section: what
/// `tokenspec_repo::workflows` found, as plain data (rendering stays pure).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkflowUsage {
    /// Whether the repository has a `.github/workflows/` folder.
    pub present: bool,
    /// Spec token name → the workflow file names that reference it (by
    /// name or alias), sorted.
    pub tokens: Vec<(String, Vec<String>)>,
    /// The workflows that use the default token.
    pub default_token: Vec<String>,
    /// Secrets referenced that are not spec tokens → the workflows using them.
    pub unknown: Vec<(String, Vec<String>)>,
}

/// The whole document, without a `Workflows` section unless the spec
/// governs workflows.
pub fn render(spec: &Spec) -> String {
    render_with(spec, &WorkflowUsage::default())
}

/// The whole document, with where the workflows use each token.
pub fn render_with(spec: &Spec, usage: &WorkflowUsage) -> String {
    let mut out = String::new();
    let envs: Vec<String> = spec.environments.iter().map(|e| code(e)).collect();
    let _ = write!(
        out,
        "<!-- {GENERATED} -->\n\n\
         # Tokens\n\n\
         Every secret token this project uses, from [`token-spec.toml`](../token-spec.toml).\n\
         To change one, edit the spec, run `tokenspec gen` and commit what it regenerates.\n\n\
         Environments: {}.\n",
        envs.join(", ")
    );
    classes(&mut out, spec);
    for class in Class::ALL {
        tokens(&mut out, spec, class);
    }
    layout(&mut out, spec);
    store(&mut out, spec);
    rules(&mut out, spec);
    formats(&mut out);
    deprecations(&mut out, spec);
    workflows(&mut out, spec, usage);
    out
}

/// `## Workflows`: where each token may be used and where it is used,
/// when the repository has workflows or the spec says anything about them.
fn workflows(out: &mut String, spec: &Spec, usage: &WorkflowUsage) {
    let governed = usage.present
        || spec.github.span.is_some()
        || spec.tokens.iter().any(|t| t.workflows.is_some());
    if !governed {
        return;
    }
    out.push_str(
        "\n## Workflows\n\n\
         Where each token may be used (`workflows` in the spec) and which files of \
         `.github/workflows/` use it; `tokenspec usage` lists every reference and \
         `tokenspec check` reports a use the spec does not allow.\n\n\
         | Token | Allowed in | Used in |\n|---|---|---|\n",
    );
    let list = |names: &[String]| -> String {
        if names.is_empty() {
            "—".to_owned()
        } else {
            names.iter().map(|n| code(n)).collect::<Vec<_>>().join(", ")
        }
    };
    let used = |name: &str| -> &[String] {
        usage
            .tokens
            .iter()
            .find(|(t, _)| t == name)
            .map_or(&[][..], |(_, w)| w.as_slice())
    };
    for t in &spec.tokens {
        let allowed = match (&t.workflows, t.class) {
            (None, Class::Cicd) => "any workflow".to_owned(),
            (None, Class::Runtime) => "none (a runtime token)".to_owned(),
            (Some(w), _) if w.is_empty() => "none".to_owned(),
            (Some(w), _) => list(w),
        };
        let _ = writeln!(
            out,
            "| {} | {allowed} | {} |",
            code(&t.name),
            list(used(&t.name))
        );
    }
    let default_allowed = match spec.github.default_token {
        tokenspec_spec::model::DefaultToken::Allow => "any workflow".to_owned(),
        tokenspec_spec::model::DefaultToken::Forbid
            if spec.github.default_token_workflows.is_empty() =>
        {
            "none (`default_token = \"forbid\"`)".to_owned()
        }
        tokenspec_spec::model::DefaultToken::Forbid => list(&spec.github.default_token_workflows),
    };
    let _ = writeln!(
        out,
        "| `GITHUB_TOKEN` (the default token) | {default_allowed} | {} |",
        list(&usage.default_token)
    );
    if !usage.unknown.is_empty() {
        out.push_str(
            "\nSecrets the workflows use that are not in the spec (add each as a token, or as an alias of one):\n\n\
             | Secret | Used in |\n|---|---|\n",
        );
        for (name, files) in &usage.unknown {
            let _ = writeln!(out, "| {} | {} |", code(name), list(files));
        }
    }
}

fn heading(class: Class) -> &'static str {
    match class {
        Class::Cicd => "CI/CD tokens",
        Class::Runtime => "Runtime tokens",
    }
}

fn files(class: Class) -> String {
    format!(
        "{}, {}",
        code(class.base_file()),
        code(&class.env_file("<env>"))
    )
}

fn rotation(days: Option<u32>) -> String {
    match days {
        Some(1) => "1 day".into(),
        Some(d) => format!("{d} days"),
        None => "—".into(),
    }
}

fn classes(out: &mut String, spec: &Spec) {
    out.push_str("\n## Classes\n\n| Class | Owner | Rotation | Files | Tokens | Purpose |\n|---|---|---|---|---|---|\n");
    for class in Class::ALL {
        let info = spec.class(class);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            code(class.as_str()),
            cell(&info.owner),
            rotation(info.rotation_days),
            files(class),
            spec.tokens_of(class).count(),
            cell(&info.description),
        );
    }
}

fn tokens(out: &mut String, spec: &Spec, class: Class) {
    let info = spec.class(class);
    let _ = write!(
        out,
        "\n## {} (`{class}`)\n\n{}\n",
        heading(class),
        text(&info.description)
    );
    if spec.tokens_of(class).next().is_none() {
        let _ = writeln!(out, "\nThe spec has no {class} tokens.");
        return;
    }
    out.push_str(
        "\n| Name | Description | Owner | Rotation | Required in | Format | Scopes | File |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for t in spec.tokens_of(class) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            name(t),
            cell(&t.description),
            cell(&t.owner),
            rotation(t.rotation_days),
            cell(&t.required_text()),
            format(&t.format),
            if t.scopes.is_empty() {
                "—".into()
            } else {
                t.scopes
                    .iter()
                    .map(|s| code(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            files(class),
        );
    }
}

fn name(t: &Token) -> String {
    let mut out = code(&t.name);
    if t.deprecated.is_some() {
        out.push_str(" (deprecated)");
    }
    if !t.aliases.is_empty() {
        let aliases: Vec<String> = t.aliases.iter().map(|a| code(a)).collect();
        let _ = write!(out, " (also read as {})", aliases.join(", "));
    }
    out
}

fn format(f: &Format) -> String {
    match f {
        Format::Regex(p) => format!("regex {}", code(p)),
        other => code(other.name()),
    }
}

fn layout(out: &mut String, spec: &Spec) {
    out.push_str(
        "\n## File layout\n\n\
         Token files live at the root, beside `token-spec.toml`. Each class has its own files.\n\n\
         | File | Class | Holds | In git |\n|---|---|---|---|\n",
    );
    for class in Class::ALL {
        let _ = writeln!(
            out,
            "| {} | {class} | values for every environment | ignored |",
            code(class.base_file())
        );
        for env in &spec.environments {
            let file = code(&class.env_file(env));
            if env == "ci" {
                let _ = writeln!(
                    out,
                    "| {file} | {class} | safe CI test values, generated | committed |"
                );
            } else {
                let _ = writeln!(
                    out,
                    "| {file} | {class} | overrides for `{env}` | ignored |"
                );
            }
        }
    }
    out.push_str(
        "\n`.gitignore` carries a generated block that ignores `.env`, `.env.*`, `.tokens` and\n\
         `.tokens.*` and re-includes `.env.ci` and `.tokens.ci`. Git applies the last matching\n\
         rule, so the block is kept at the end of the file. `.env.ci` may hold other,\n\
         hand-kept settings outside its generated block.\n",
    );
}

fn store(out: &mut String, spec: &Spec) {
    let Some(store) = &spec.store else { return };
    let address = store
        .address
        .as_deref()
        .map_or_else(|| "from `BAO_ADDR` / `VAULT_ADDR`".to_owned(), code);
    let _ = write!(
        out,
        "\n## Store\n\n\
         In {}, tokens are read from {} ({address}), KV v2 mount {}: the process\n\
         environment wins over the store, and the store over the files{}.\n\n\
         | Class | Secret | Reader policy | Writer policy |\n|---|---|---|---|\n",
        store
            .environments
            .iter()
            .map(|e| code(e))
            .collect::<Vec<_>>()
            .join(", "),
        store.kind.as_str(),
        code(&store.mount),
        if store.files {
            ""
        } else {
            " (token files are not read there)"
        },
    );
    for class in Class::ALL {
        let _ = writeln!(
            out,
            "| {class} | {} | {} | {} |",
            code(&format!(
                "{}/{}",
                store.mount,
                store.path.replace("{class}", class.as_str())
            )),
            code(policies::path(store.kind, class, policies::Role::Reader)),
            code(policies::path(store.kind, class, policies::Role::Writer)),
        );
    }
}

fn rules(out: &mut String, spec: &Spec) {
    out.push_str(
        "\n## Choosing the environment\n\n\
         The first of these that applies:\n\n\
         1. `--env NAME`.\n\
         2. `TOKENSPEC_ENV`.\n",
    );
    for (i, var) in spec.env_from.iter().enumerate() {
        let what = if var == "CI" {
            "`ci`, when `CI` is set to anything but empty, `0` or `false`".to_owned()
        } else {
            format!(
                "{}, unless empty, `0` or `false`: `production` means `prod`, `development` means `dev`, any other value is used as given",
                code(var)
            )
        };
        let _ = writeln!(out, "{}. {what} (`env_from`).", i + 3);
    }
    out.push_str(
        "\nNone of them: only the base files (`.tokens`, `.env`) are read. An environment that is\n\
         not listed in the spec is an error (exit 2), never a silent fallback to the base files.\n\
         \n## Precedence\n\n\
         Highest first:\n\n\
         1. The process environment: the token's name, then its aliases. An empty value counts as unset.\n\
         2. `.<base>.<env>`: `.tokens.<env>` or `.env.<env>`.\n\
         3. `.<base>`: `.tokens` or `.env`.\n\n\
         A placeholder never shadows a real value in a lower layer.\n\
         \n## Placeholders\n\n\
         `CHANGE_ME_*`, `ci_test_*`, `*_here`, `*_placeholder` (in any case) and each token's own CI\n\
         value are placeholders. A `CHANGE_ME_*` value (what `tokenspec load` writes into a new file)\n\
         never counts as set. In the `ci` environment another placeholder counts as set when it comes\n\
         from the class's committed CI file (`.tokens.ci`, `.env.ci`) or is the token's own CI value;\n\
         anywhere else a required token holding one is missing.\n",
    );
}

fn formats(out: &mut String) {
    out.push_str("\n## Value formats\n\n| Format | Accepts |\n|---|---|\n");
    for tokenspec_core::format::Builtin {
        name,
        description: what,
        ..
    } in BUILTIN_FORMATS
    {
        let _ = writeln!(out, "| {} | {} |", code(name), cell(what));
    }
    out.push_str("| `{ regex = \"…\" }` | values the regular expression matches as a whole (`regex-lite` syntax: ASCII-only classes) |\n");
}

fn deprecations(out: &mut String, spec: &Spec) {
    out.push_str("\n## Deprecations\n\n");
    let deprecated: Vec<&Token> = spec
        .tokens
        .iter()
        .filter(|t| t.deprecated.is_some())
        .collect();
    if deprecated.is_empty() {
        out.push_str("No token is deprecated.\n");
        return;
    }
    out.push_str("Deprecated tokens still load; move to the replacement.\n\n| Token | Replacement | Note |\n|---|---|---|\n");
    for t in deprecated {
        let d = t.deprecated.as_ref().expect("filtered on deprecated");
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            code(&t.name),
            d.replacement.as_deref().map_or("—".into(), code),
            d.note.as_deref().map_or("—".into(), cell),
        );
    }
}

/// Plain text for a paragraph: lines joined with spaces.
fn text(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text for a table cell: one line, `|` escaped.
fn cell(s: &str) -> String {
    text(s).replace('|', "\\|")
}

/// A code span for a table cell that holds any text, backticks included.
fn code(s: &str) -> String {
    let s = s.replace('\n', " ");
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", s.replace('|', "\\|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_survive_backticks_and_pipes() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(cell("a |\n b"), "a \\| b");
    }
}
