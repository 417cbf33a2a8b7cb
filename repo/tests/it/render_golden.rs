//! The generated files, end to end: golden files for a small fixture spec,
//! CI values read back by the dotenv parser, hand-kept lines surviving byte
//! for byte, idempotency, and the `.gitignore` block checked by real git.
//!
//! The golden files go through `expect-test`: a mismatch shows the whole
//! diff, and `UPDATE_EXPECT=1 cargo test -p tokenspec-repo --test
//! it render_golden` rewrites them after an intended change (review the diff).
//! Secrecy is asserted (`a_secret_looking_ci_value_is_refused_at_its_line`),
//! never snapshotted: accepting a snapshot could approve a leaked value.

use std::path::{Path, PathBuf};
use std::process::Command;

use tokenspec_core::dotenv;
use tokenspec_core::Class;
use tokenspec_repo::render::{self, ci_files, Output};
use tokenspec_spec::Spec;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn fixture() -> Spec {
    let path = golden_dir().join("token-spec.toml");
    Spec::load(&path, "token-spec.toml").unwrap_or_else(|e| panic!("fixture spec is invalid:\n{e}"))
}

/// Golden files drop the leading dot so they are not live dotfiles
/// (a `gitignore` there would apply to the repository).
fn golden_name(path: &str) -> &str {
    path.strip_prefix('.').unwrap_or(path)
}

fn read_input(path: &str) -> Option<String> {
    std::fs::read_to_string(golden_dir().join("input").join(golden_name(path))).ok()
}

fn fixture_outputs() -> Vec<Output> {
    render::outputs(&fixture(), read_input)
}

/// Compares `actual` with a golden file; a failure shows the whole diff.
/// `UPDATE_EXPECT=1` rewrites the file after an intended change.
fn assert_golden(name: &str, actual: &str) {
    expect_test::expect_file![golden_dir().join("output").join(name)].assert_eq(actual);
}

#[test]
fn outputs_match_golden_files() {
    let outputs = fixture_outputs();
    let paths: Vec<&str> = outputs.iter().map(|o| o.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            ".tokens.ci",
            ".env.ci",
            "docs/TOKENS.md",
            ".gitignore",
            "token-spec.schema.json",
            "app/tokens.py",
            "bot/src/tokens.ts",
        ]
    );
    for o in &outputs {
        assert_golden(golden_name(&o.path), &o.content);
    }
    let spec = fixture();
    assert_golden(
        "template.tokens",
        &render::base_template(&spec, Class::Cicd),
    );
    assert_golden(
        "template.env",
        &render::base_template(&spec, Class::Runtime),
    );
}

#[test]
fn every_file_says_it_is_generated_and_uses_lf() {
    for o in fixture_outputs() {
        assert!(
            o.content.contains("tokenspec gen"),
            "{} has no header",
            o.path
        );
        assert!(
            o.content.to_lowercase().contains("do not edit by hand"),
            "{} has no header",
            o.path
        );
        assert!(!o.content.contains('\r'), "{} has a CR", o.path);
        assert!(o.content.ends_with('\n'), "{} has no final newline", o.path);
    }
}

fn output(outputs: &[Output], path: &str) -> String {
    outputs
        .iter()
        .find(|o| o.path == path)
        .unwrap()
        .content
        .clone()
}

/// What the loader will read from a CI file: key and value of each entry.
fn read_back(text: &str) -> Vec<(String, String)> {
    let doc = dotenv::parse(text);
    assert!(doc.errors.is_empty(), "{:?}", doc.errors);
    for e in &doc.entries {
        assert_eq!(e.hazard, None, "{} would be altered by dotenvy", e.key);
    }
    doc.entries.into_iter().map(|e| (e.key, e.value)).collect()
}

#[test]
fn each_ci_file_holds_exactly_its_class_tokens_and_ci_values() {
    let spec = fixture();
    let outputs = fixture_outputs();
    let tokens = read_back(&output(&outputs, ".tokens.ci"));
    let want: Vec<(String, String)> = spec
        .tokens_of(Class::Cicd)
        .map(|t| (t.name.clone(), t.ci_value.clone()))
        .collect();
    assert_eq!(tokens, want);

    // .env.ci also keeps the hand-kept settings around the block.
    let env = read_back(&output(&outputs, ".env.ci"));
    let keys: Vec<&str> = env.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "LOG_LEVEL",
            "DATABASE_URL",
            "API_KEY",
            "SESSION_SECRET",
            "FEATURE_FLAGS"
        ]
    );
    for t in spec.tokens_of(Class::Runtime) {
        assert!(
            env.contains(&(t.name.clone(), t.ci_value.clone())),
            "{} missing or altered",
            t.name
        );
    }
    // The quoted CI value reads back exactly, `$` and `'` included.
    assert!(env.contains(&("API_KEY".into(), "ci_test_it's $pecial".into())));
}

#[test]
fn docs_name_every_token_in_its_class_section() {
    let spec = fixture();
    let docs = output(&fixture_outputs(), "docs/TOKENS.md");
    let runtime_at = docs.find("## Runtime tokens").unwrap();
    for t in &spec.tokens {
        let row = format!("| `{}`", t.name);
        let at = docs
            .find(&row)
            .unwrap_or_else(|| panic!("{} has no row", t.name));
        assert_eq!(
            at > runtime_at,
            t.class == Class::Runtime,
            "{} is in the wrong section",
            t.name
        );
    }
    assert!(docs.contains("| `OLD_DEPLOY_KEY` | `DEPLOY_TOKEN` | removed after the 2.0 release |"));
    // A `|` in a description must not split the table row.
    assert!(docs.contains("GitHub PAT \\| used by deploy.sh"));
}

#[test]
fn a_second_run_changes_nothing() {
    let spec = fixture();
    let first = fixture_outputs();
    let second = render::outputs(&spec, |path| Some(output(&first, path)));
    assert_eq!(first, second);
    assert_eq!(fixture_outputs(), first, "rendering is deterministic");
}

/// About 100 hand-kept settings, in every quoting style, around a stale block.
fn hand_kept(eol: &str, half: usize) -> (String, String) {
    let mut above = format!("# Settings the CI needs beside its tokens{eol}");
    let mut below = String::from(eol);
    for i in 0..half {
        above.push_str(&format!("SETTING_{i}=value_{i}{eol}"));
        below.push_str(&match i % 5 {
            0 => format!("QUOTED_{i}='single $quoted {i}'{eol}"),
            1 => format!("DOUBLE_{i}=\"double \\\"{i}\\\"\"  # trailing comment{eol}"),
            2 => format!("{eol}# section {i}{eol}"),
            3 => format!("export EXPORTED_{i}=yes{eol}"),
            _ => format!("  INDENTED_{i} = spaced   {eol}"),
        });
    }
    below.push_str("LAST_WITHOUT_NEWLINE=1");
    (above, below)
}

fn stale_block(eol: &str) -> String {
    [
        "# >>> tokenspec: old header >>>",
        "REMOVED_TOKEN=ci_test_removed",
        "SESSION_SECRET=old",
        "# <<< tokenspec <<<",
        "",
    ]
    .join(eol)
}

#[test]
fn hand_kept_lines_in_env_ci_survive_byte_for_byte() {
    for eol in ["\n", "\r\n"] {
        let (above, below) = hand_kept(eol, 50);
        let existing = format!("{above}{}{below}", stale_block(eol));
        let out = ci_files::env_ci(&fixture(), Some(&existing));
        assert!(
            out.starts_with(&above),
            "text above the block changed ({eol:?})"
        );
        assert!(
            out.ends_with(&below),
            "text below the block changed ({eol:?})"
        );
        let block = &out[above.len()..out.len() - below.len()];
        assert!(!block.contains("REMOVED_TOKEN"), "stale entry kept");
        assert!(block.contains("SESSION_SECRET=ci_test_session_secret"));
        if eol == "\r\n" {
            assert_eq!(
                block.matches('\n').count(),
                block.matches("\r\n").count(),
                "block has bare LFs in a CRLF file"
            );
        } else {
            assert!(!block.contains('\r'));
        }
        assert_eq!(
            ci_files::env_ci(&fixture(), Some(&out)),
            out,
            "second run changed the file ({eol:?})"
        );
    }
}

#[test]
fn env_ci_without_block_gets_one_appended() {
    for (existing, eol) in [("A=1", "\n"), ("A=1\r\nB=2\r\n", "\r\n")] {
        let out = ci_files::env_ci(&fixture(), Some(existing));
        let kept = existing.trim_end_matches(['\r', '\n']);
        assert!(
            out.starts_with(&format!("{kept}{eol}{eol}# >>> tokenspec")),
            "{out:?}"
        );
        assert_eq!(ci_files::env_ci(&fixture(), Some(&out)), out);
    }
}

/// Runs git with no user or system configuration and no CI variables.
fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("CI")
        .env_remove("APP_ENV")
        .output()
        .expect("git runs")
}

const SECRET_FILES: &[&str] = &[
    ".env",
    ".env.prod",
    ".env.dev",
    ".tokens",
    ".tokens.dev",
    ".tokens.prod",
    "sub/.env",
];
const CI_FILES: &[&str] = &[".env.ci", ".tokens.ci"];

/// Asserts the ignore policy with `git check-ignore` after `apply_block(existing)`.
fn assert_policy(existing: &str) {
    let dir = tempfile::tempdir().unwrap();
    assert!(git(dir.path(), &["init", "-q"]).status.success());
    let gitignore = render::apply_block(existing);
    std::fs::write(dir.path().join(".gitignore"), &gitignore).unwrap();
    for path in SECRET_FILES.iter().chain(CI_FILES) {
        let out = git(dir.path(), &["check-ignore", "-q", path]);
        let ignored = match out.status.code() {
            Some(0) => true,
            Some(1) => false,
            _ => panic!(
                "git check-ignore failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
        };
        let want = SECRET_FILES.contains(path);
        assert_eq!(
            ignored, want,
            "{path}: ignored = {ignored}, with .gitignore:\n{gitignore}"
        );
    }
}

#[test]
fn gitignore_block_holds_against_hand_written_rules() {
    let generated = render::apply_block("/target\n");
    let mut sorted: Vec<&str> = generated.lines().collect();
    sorted.sort_unstable();
    sorted.dedup();
    let sorted = sorted.join("\n") + "\n";
    for existing in [
        "",
        "/target\n",
        &generated,
        // The replaced system's `sort -u` "fix": negations sorted before the ignores.
        &sorted,
        "*.ci\n",
        "*.ci\n/target",
        "!.env\n!.env.prod\n!.tokens*\n",
        &format!("{generated}*.ci\n!.env\n"),
        "*\n",
        ".env.ci\n.tokens.ci\n",
        "/target\r\n*.ci\r\n",
    ] {
        assert_policy(existing);
    }
}

#[test]
fn gitignore_keeps_hand_written_lines() {
    let out = render::apply_block("/target\n# keep me\n*.ci\n");
    assert!(
        out.starts_with("/target\n# keep me\n*.ci\n\n# >>> tokenspec"),
        "{out}"
    );
}

#[test]
fn base_templates_hold_change_me_placeholders() {
    let spec = fixture();
    for class in Class::ALL {
        let entries = read_back(&render::base_template(&spec, class));
        let want: Vec<(String, String)> = spec
            .tokens_of(class)
            .map(|t| (t.name.clone(), format!("CHANGE_ME_{}", t.name)))
            .collect();
        assert_eq!(entries, want);
    }
}

#[test]
fn a_secret_looking_ci_value_is_refused_at_its_line() {
    let pat = format!("ghp_{}", "A1b2C3d4E5f6G7h8".repeat(3))
        .chars()
        .take(40)
        .collect::<String>();
    let src = format!(
        "[[token]]\nname = \"AAR_TOKEN\"\nclass = \"cicd\"\ndescription = \"x\"\nci_value = \"{pat}\"\n"
    );
    let err = Spec::parse(&src, "token-spec.toml").expect_err("a real-looking CI value is refused");
    let text = err.to_string();
    assert!(text.contains("--> token-spec.toml:5:12"), "{text}");
    assert!(
        text.contains("looks like a real secret (a GitHub token)"),
        "{text}"
    );
}
