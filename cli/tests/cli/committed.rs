//! The committed files of a real repository: a `.env.ci` of ~100 ordinary
//! settings with spec tokens outside gen's block (placeholders that
//! conflict with `.tokens.ci`), a `.env.example` of empty values, and a
//! `.gitignore` whose late `.env.*` overrides an earlier `!.env.ci`.
//! Each case runs under `CI=true`, where it happens.
//!
//! `tokenspec gen` runs as the real binary; its report (the lines taken or
//! refused) is also read from `tokenspec_repo::generate::plan`, the data
//! the command prints.

use serde_json::Value;
use tokenspec_repo::generate;

use crate::support::{mode, set_mode, Out, Project};

const SPEC: &str = r#"
environments = ["dev", "prod", "ci"]

[[token]]
name = "CI_BOT_TOKEN"
class = "cicd"
description = "CI bot"

[[token]]
name = "AAR_TOKEN"
class = "cicd"
description = "After action reports"

[[token]]
name = "DISCORD_BOT_TOKEN"
class = "runtime"
description = "Discord bot"

[[token]]
name = "BOT_JWT"
class = "runtime"
description = "Signs bot sessions"
"#;

/// A real-looking value that must never be printed.
const REAL: &str = "ghp_R3alL00kingT0kenV4lue0123456789abcdef";

/// A CI job's environment: only `CI=true`.
const CI: &[(&str, &str)] = &[("CI", "true")];

/// The ~100 ordinary settings of `.env.ci`, in order.
fn settings() -> Vec<String> {
    let mut lines = vec![
        "# CI settings".to_owned(),
        "APP_ENV=development".to_owned(),
        "DATABASE_URL=postgres://ci:ci@127.0.0.1:5432/app_test".to_owned(),
        "JWT_ALGORITHM=HS256".to_owned(),
        "GREETING='hello $world'".to_owned(),
        String::new(),
    ];
    for i in 0..96 {
        lines.push(format!("FEATURE_FLAG_{i:03}={}", i % 3 == 0));
    }
    lines
}

/// `.env.ci` as committed: settings, then spec tokens outside any block,
/// one of them a cicd token, one of them conflicting with `.tokens.ci`.
fn env_ci() -> String {
    let mut lines = settings();
    lines.insert(3, "CI_BOT_TOKEN=ci_test_gh_token".to_owned());
    lines.insert(
        7,
        "DISCORD_BOT_TOKEN=ci_test_discord_placeholder".to_owned(),
    );
    lines.push("BOT_JWT=".to_owned());
    lines.push("LOG_LEVEL=debug".to_owned());
    lines.join("\n") + "\n"
}

const TOKENS_CI: &str = "# CI tokens\nCI_BOT_TOKEN=ci_test_ci_bot_token_placeholder\nAAR_TOKEN=ci_test_aar\nSLACK_WEBHOOK_NAME=ci-channel\n";

const EXAMPLE: &str =
    "# Copy to .env\nAPP_ENV=\nDATABASE_URL=\nDISCORD_BOT_TOKEN=\nBOT_JWT=\nCI_BOT_TOKEN=\n";

/// Git applies the last matching rule: the late `.env.*` ignores `.env.ci`
/// and `.env.example` again.
const GITIGNORE: &str = "/target\n.env\n!.env.ci\n!.tokens.ci\nnode_modules/\n.tokens\n.tokens.*\n!.tokens.ci\n.env.*\n";

fn repo() -> Project {
    let p = Project::with_spec(SPEC);
    p.git(&["init", "-q"]);
    for (name, text) in [
        (".env.ci", env_ci()),
        (".tokens.ci", TOKENS_CI.to_owned()),
        (".env.example", EXAMPLE.to_owned()),
        (".gitignore", GITIGNORE.to_owned()),
    ] {
        // As git checks them out.
        p.write_mode(name, &text, 0o644);
    }
    set_mode(&p.path("token-spec.toml"), 0o644);
    p.git(&["add", "-f", "."]);
    p.git(&["commit", "-q", "-m", "as committed"]);
    p
}

/// `CI=true tokenspec gen`: the lines it reports on stderr, one per taken token.
fn gen(p: &Project) -> Out {
    let out = p.run_env(&["gen"], CI);
    out.assert_no_values(&[REAL]);
    out
}

/// What gen would take or refuse now, as data.
fn planned(p: &Project) -> generate::Planned {
    let spec = tokenspec_spec::Spec::load(&p.path("token-spec.toml"), "token-spec.toml")
        .expect("valid spec");
    generate::plan(&spec, |path| std::fs::read_to_string(p.path(path)).ok())
}

fn check_json(p: &Project, args: &[&str]) -> (Out, Vec<Value>) {
    let mut all = vec!["check", "--format=json"];
    all.extend_from_slice(args);
    let out = p.run_env(&all, CI);
    out.assert_no_values(&[REAL]);
    let findings = out.json()["findings"].as_array().unwrap().clone();
    (out, findings)
}

fn on(findings: &[Value], rule: &str, file: &str) -> Vec<Value> {
    findings
        .iter()
        .filter(|f| f["rule"] == rule && f["file"] == file)
        .cloned()
        .collect()
}

fn keys(text: &str) -> Vec<String> {
    tokenspec_core::dotenv::parse(text)
        .entries
        .into_iter()
        .map(|e| e.key)
        .collect()
}

#[test]
fn check_reports_the_conflict_between_the_ci_files() {
    let p = repo();
    let (_, found) = check_json(&p, &[]);
    let conflict = on(&found, "conflict", ".env.ci");
    assert_eq!(conflict.len(), 1, "{found:#?}");
    assert_eq!(
        conflict[0]["message"],
        "CI_BOT_TOKEN holds different values in .env.ci:4 and .tokens.ci:2"
    );
    assert!(conflict[0]["help"]
        .as_str()
        .unwrap()
        .contains("tokenspec gen"));
    let separation = on(&found, "separation", ".env.ci");
    assert!(separation[0]["help"]
        .as_str()
        .unwrap()
        .starts_with("run `tokenspec gen`"));
}

#[test]
fn gen_takes_the_tokens_into_their_blocks_and_keeps_every_setting() {
    let p = repo();
    let plan = planned(&p);
    assert!(plan.refused.is_empty(), "{plan:?}");
    let out = gen(&p);
    assert_eq!(out.code, 0, "{out:?}");
    let taken: Vec<&str> = out
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("note: "))
        .collect();
    assert_eq!(
        taken,
        [
            "took CI_BOT_TOKEN at .tokens.ci:2 into the generated block",
            "took AAR_TOKEN at .tokens.ci:3 into the generated block",
            "moved CI_BOT_TOKEN from .env.ci:4 into the generated block of .tokens.ci",
            "took DISCORD_BOT_TOKEN at .env.ci:8 into the generated block",
            "took BOT_JWT at .env.ci:105 into the generated block",
            "took DISCORD_BOT_TOKEN at .env.example:4 into the generated block",
            "took BOT_JWT at .env.example:5 into the generated block",
        ]
    );

    // Each spec token in exactly one CI file, its class's.
    let (env_keys, tokens_keys) = (keys(&p.read(".env.ci")), keys(&p.read(".tokens.ci")));
    for (name, in_env, in_tokens) in [
        ("CI_BOT_TOKEN", 0, 1),
        ("AAR_TOKEN", 0, 1),
        ("DISCORD_BOT_TOKEN", 1, 0),
        ("BOT_JWT", 1, 0),
    ] {
        let count = |ks: &[String]| ks.iter().filter(|k| *k == name).count();
        assert_eq!(
            (count(&env_keys), count(&tokens_keys)),
            (in_env, in_tokens),
            "{name}"
        );
    }
    // Every other line of .env.ci unchanged, in order, before the block.
    let text = p.read(".env.ci");
    let before_block = text.split("# >>> tokenspec").next().unwrap();
    let mut expected = settings().join("\n") + "\n";
    expected.push_str("LOG_LEVEL=debug\n\n");
    assert_eq!(before_block, expected);
    assert!(p
        .read(".tokens.ci")
        .starts_with("# CI tokens\nSLACK_WEBHOOK_NAME=ci-channel\n\n# >>> tokenspec"));
    // The template: its settings kept, a block of empty runtime tokens.
    let example = p.read(".env.example");
    assert!(
        example.starts_with(
            "# Copy to .env\nAPP_ENV=\nDATABASE_URL=\nCI_BOT_TOKEN=\n\n# >>> tokenspec"
        ),
        "{example}"
    );
    assert!(example.contains("\nDISCORD_BOT_TOKEN=\n") && example.contains("\nBOT_JWT=\n"));
    // Committed files keep git's 0644.
    assert_eq!(mode(&p.path(".env.ci")), 0o644);
    assert_eq!(mode(&p.path(".env.example")), 0o644);

    // Then `check --fix` for .gitignore: no separation, drift, ignore-rules
    // or conflict finding on those files, and none at all on the template.
    // (gen already wrote the .gitignore block, so --fix has nothing to do.)
    let out = p.run_env(&["check", "--fix"], CI);
    assert!(!out.stdout.contains("fixed:"), "{out:?}");
    let (out, found) = check_json(&p, &[]);
    for f in &found {
        let rule = f["rule"].as_str().unwrap();
        assert!(
            !["separation", "drift", "ignore-rules", "conflict"].contains(&rule),
            "{f:#}"
        );
        assert_ne!(f["file"], ".env.example", "{f:#}");
        assert_ne!(f["file"], ".env.ci", "{f:#}");
    }
    assert_eq!(out.code, 0, "{out:?}");
    // gen again: nothing to take, nothing stale.
    assert!(planned(&p).taken.is_empty());
    let again = p.run_env(&["gen", "--check"], CI);
    assert_eq!(again.code, 0, "{again:?}");
}

#[test]
fn gen_refuses_a_real_value_naming_only_the_line() {
    let p = repo();
    let leaked = format!("{}DISCORD_BOT_TOKEN={REAL}\n", p.read(".env.ci"));
    p.write_mode(".env.ci", &leaked, 0o644);
    let before: Vec<String> = [".env.ci", ".tokens.ci", ".env.example", ".gitignore"]
        .iter()
        .map(|n| p.read(n))
        .collect();
    let out = gen(&p);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(
        out.stderr,
        format!(
            "error: .env.ci:107: DISCORD_BOT_TOKEN holds a value that is not a placeholder, in a committed file\n\
             help: {}\n",
            generate::REFUSAL_HELP
        )
    );
    assert!(generate::REFUSAL_HELP.starts_with("rotate the token"));
    assert!(!format!("{:?}", planned(&p)).contains(REAL));
    let after: Vec<String> = [".env.ci", ".tokens.ci", ".env.example", ".gitignore"]
        .iter()
        .map(|n| p.read(n))
        .collect();
    assert_eq!(before, after, "nothing written");
    assert!(!p.path("docs").exists());
}

#[test]
fn a_developers_mixed_env_migrates_while_the_ci_files_conflict() {
    let p = repo();
    p.write(
        ".env",
        &format!("LOG_LEVEL=debug\nCI_BOT_TOKEN={REAL}\nDISCORD_BOT_TOKEN=real-discord-value-1\n"),
    );
    let ci_before = (p.read(".env.ci"), p.read(".tokens.ci"));
    let out = p.run_env(&["migrate"], CI);
    out.assert_no_values(&[REAL, "real-discord-value-1", "ci_test_gh_token"]);
    assert_eq!(out.code, 1, "a pair was refused: {out:?}");
    assert!(
        out.stderr
            .contains("error: CI_BOT_TOKEN has different values in .env.ci:4 and .tokens.ci:2"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("run `tokenspec gen`")
            && out
                .stderr
                .contains(".env.ci and .tokens.ci were not changed"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("moved CI_BOT_TOKEN: .env:2 → .tokens"));
    assert_eq!(p.read(".tokens"), format!("CI_BOT_TOKEN={REAL}\n"));
    assert_eq!((p.read(".env.ci"), p.read(".tokens.ci")), ci_before);
    // Unknown names once, even though .env and .env.ci both hold LOG_LEVEL.
    assert_eq!(out.stderr.matches("LOG_LEVEL").count(), 1, "{}", out.stderr);

    // `--env ci` limits the run to that pair: refused, nothing else touched.
    let out = p.run_env(&["--env", "ci", "migrate"], CI);
    assert_eq!(out.code, 1);
    assert!(!out.stderr.contains(".env and .tokens"), "{}", out.stderr);
}

#[test]
fn committed_files_are_not_secret_files() {
    let p = repo();
    assert_eq!(gen(&p).code, 0);
    p.run_env(&["check", "--fix"], CI);
    let (_, found) = check_json(&p, &[]);
    for name in [".env.ci", ".tokens.ci", ".env.example"] {
        for rule in ["permissions", "tracked-secret"] {
            assert!(on(&found, rule, name).is_empty(), "{name}: {found:#?}");
        }
    }
    // --fix never chmods them.
    p.run_env(&["check", "--fix"], CI);
    for name in [".env.ci", ".tokens.ci", ".env.example"] {
        assert_eq!(mode(&p.path(name)), 0o644, "{name}");
    }
    // The loader does not warn about the committed CI files' mode.
    let out = p.run_env(&["--env", "ci", "export", "--type=all"], CI);
    assert!(!out.stderr.contains("chmod"), "{out:?}");
}

#[test]
fn a_template_may_hold_no_real_value_and_must_not_be_ignored() {
    let p = repo();
    p.write_mode(
        ".env.example",
        &format!("APP_ENV=\nDISCORD_BOT_TOKEN={REAL}\n"),
        0o644,
    );
    let (_, found) = check_json(&p, &[]);
    let secret = on(&found, "committed-secret", ".env.example");
    assert_eq!(secret.len(), 1, "{found:#?}");
    assert_eq!(secret[0]["line"], 2);
    let ignored: Vec<&Value> = found
        .iter()
        .filter(|f| {
            f["rule"] == "ignore-rules"
                && f["message"]
                    .as_str()
                    .unwrap()
                    .starts_with(".env.example must be committed")
        })
        .collect();
    assert_eq!(ignored.len(), 1, "{found:#?}");
    assert!(on(&found, "tracked-secret", ".env.example").is_empty());
}

#[test]
fn check_says_what_to_do_for_a_file_migrate_does_not_touch() {
    let p = repo();
    p.write(".env.local", "CI_BOT_TOKEN=x\n");
    let (_, found) = check_json(&p, &[]);
    let sep = on(&found, "separation", ".env.local");
    let help = sep[0]["help"].as_str().unwrap();
    assert!(
        help.starts_with("`tokenspec migrate` does not touch .env.local (no environment `local` in token-spec.toml): move the line to .tokens.local by hand"),
        "{help}"
    );
}
