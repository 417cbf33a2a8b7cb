//! Issue 12, cases 5 and 6: tokens under other names (`aliases`, `--as`)
//! and settings beside tokens (`--with-settings`), through the real binary.

use crate::support::{Project, SECRET};

const SPEC: &str = r#"
env_from = ["CI", "APP_ENV"]

[[token]]
name = "DEV_ORCHESTRATION_BOT_KEY"
class = "cicd"
description = "Dev orchestration"

[[token]]
name = "CI_BOT_TOKEN"
class = "cicd"
description = "CI bot"
required = false

[[token]]
name = "CI_ISSUE_AUTOMATION_TOKEN"
class = "cicd"
description = "Issues"
required = false

[[token]]
name = "DEPLOY_TOKEN"
class = "cicd"
description = "Deploys"
required = false
aliases = ["ORCHESTRATION_KEY", "LEGACY_DEPLOY"]

[[token]]
name = "APP_SECRET"
class = "runtime"
description = "Signs sessions"
"#;

fn project() -> Project {
    let p = Project::with_spec(SPEC);
    p.tokens(".tokens", &[("DEV_ORCHESTRATION_BOT_KEY", SECRET)]);
    p.tokens(".env", &[("APP_SECRET", "app-secret-value")]);
    p
}

#[test]
fn an_alias_fills_the_token_and_reports_name_the_variable_never_the_value() {
    let p = project();
    let vars = [("LEGACY_DEPLOY", "legacy-value"), ("ORCHESTRATION_KEY", "")];
    let out = p.run_env(&["export", "--type=cicd", "--format=json"], &vars);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()["DEPLOY_TOKEN"], "legacy-value");
    let out = p.run_env(&["load", "--type=cicd"], &vars);
    assert!(
        out.stdout
            .contains("DEPLOY_TOKEN               cicd   $LEGACY_DEPLOY"),
        "{}",
        out.stdout
    );
    out.assert_no_values(&["legacy-value", SECRET]);
    // Its own name comes first.
    let out = p.run_env(
        &["export", "--type=cicd", "--format=json"],
        &[("DEPLOY_TOKEN", "own"), ("ORCHESTRATION_KEY", "alias")],
    );
    assert_eq!(out.json()["DEPLOY_TOKEN"], "own");
}

/// The deploy step `ORCHESTRATION_KEY: ${{ secrets.DEV_ORCHESTRATION_BOT_KEY }}`.
#[test]
fn as_hands_a_token_on_under_another_name() {
    let p = project();
    let out = p.run(&[
        "export",
        "--type=cicd",
        "--format=json",
        "--as",
        "ORCHESTRATION_KEY=DEV_ORCHESTRATION_BOT_KEY",
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    let json = out.json();
    assert_eq!(json["ORCHESTRATION_KEY"], SECRET);
    assert_eq!(json["DEV_ORCHESTRATION_BOT_KEY"], SECRET);
    let out = p.run(&[
        "run",
        "--type=cicd",
        "--as=ORCHESTRATION_KEY=DEV_ORCHESTRATION_BOT_KEY",
        "--",
        "sh",
        "-c",
        "test \"$ORCHESTRATION_KEY\" = \"$DEV_ORCHESTRATION_BOT_KEY\" && printf ok",
    ]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "ok"), "{}", out.stderr);
}

/// The priority-matrix step: the first non-empty of
/// `CI_ISSUE_AUTOMATION_TOKEN`, `CI_BOT_TOKEN`, `GITHUB_TOKEN`.
#[test]
fn as_takes_the_first_set_of_several_sources() {
    let p = project();
    let arg = "--as=GH_TOKEN=CI_ISSUE_AUTOMATION_TOKEN,CI_BOT_TOKEN,GITHUB_TOKEN";
    let gh = |vars: &[(&str, &str)]| {
        let out = p.run_env(&["export", "--type=cicd", "--format=json", arg], vars);
        assert_eq!(out.code, 0, "{out:?}");
        out.json()["GH_TOKEN"].as_str().unwrap().to_owned()
    };
    assert_eq!(gh(&[("GITHUB_TOKEN", "from-actions")]), "from-actions");
    assert_eq!(
        gh(&[
            ("GITHUB_TOKEN", "from-actions"),
            ("CI_ISSUE_AUTOMATION_TOKEN", "")
        ]),
        "from-actions",
        "empty is unset"
    );
    p.tokens(
        ".tokens",
        &[
            ("DEV_ORCHESTRATION_BOT_KEY", SECRET),
            ("CI_BOT_TOKEN", "bot-from-file"),
        ],
    );
    assert_eq!(gh(&[("GITHUB_TOKEN", "from-actions")]), "bot-from-file");
    assert_eq!(
        gh(&[
            ("CI_ISSUE_AUTOMATION_TOKEN", "issues"),
            ("GITHUB_TOKEN", "x")
        ]),
        "issues"
    );
}

#[test]
fn as_without_any_set_source_fails_closed() {
    let p = project();
    let out = p.run(&[
        "export",
        "--type=cicd",
        "--as",
        "GH_TOKEN=CI_BOT_TOKEN,GITHUB_TOKEN",
    ]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "error: --as GH_TOKEN has no value: none of CI_BOT_TOKEN, GITHUB_TOKEN is set\n\
         help: nothing was handed on; set one of the sources\n"
    );
    let out = p.run(&[
        "run",
        "--type=cicd",
        "--as",
        "GH_TOKEN=GITHUB_TOKEN",
        "--",
        "sh",
        "-c",
        "printf started",
    ]);
    assert_eq!((out.code, out.stdout.as_str()), (1, ""), "{}", out.stderr);
}

#[test]
fn as_usage_errors() {
    let p = project();
    for (args, err) in [
        (
            &["export", "--type=runtime", "--as", "K=CI_BOT_TOKEN"][..],
            "error: --as K: CI_BOT_TOKEN is a cicd token, not selected by --type\nhelp: pass --type=cicd or --type=all\n",
        ),
        (
            &["export", "--as", "CI_BOT_TOKEN=DEPLOY_TOKEN"],
            "error: --as CI_BOT_TOKEN=… would replace the token CI_BOT_TOKEN of the same name\nhelp: choose another name for --as\n",
        ),
    ] {
        let out = p.run(args);
        assert_eq!((out.code, out.stderr.as_str()), (2, err), "{args:?}");
    }
    let out = p.run(&["export", "--as", "no-equals"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("expected NAME=SOURCE"),
        "{}",
        out.stderr
    );
}

/// About 100 settings of a committed `.env.ci`, with the values that broke
/// `set -a; source .env.ci`: `$`, quotes, newlines, `#`.
fn env_ci() -> (String, Vec<(String, String)>) {
    let mut text = String::from("# committed CI settings\nAPP_ENV=development\nDATABASE_URL='postgres://ci:pa$$word@127.0.0.1:5432/ci'\nJWT_ALGORITHM=HS256\nQUOTED=\"say \\\"hi\\\"\"\nMULTI=\"line one\nline two\"\nHASH='a # not a comment'\nEMPTY=\nAPP_SECRET=ci_test_app_secret\nCI_BOT_TOKEN=ci_test_gh_token\n");
    let mut want = vec![
        ("APP_ENV", "development"),
        ("DATABASE_URL", "postgres://ci:pa$$word@127.0.0.1:5432/ci"),
        ("JWT_ALGORITHM", "HS256"),
        ("QUOTED", "say \"hi\""),
        ("MULTI", "line one\nline two"),
        ("HASH", "a # not a comment"),
        ("EMPTY", ""),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect::<Vec<_>>();
    for i in 0..93 {
        text.push_str(&format!("SETTING_{i:03}=value-{i}\n"));
        want.push((format!("SETTING_{i:03}"), format!("value-{i}")));
    }
    (text, want)
}

#[test]
fn with_settings_exports_the_other_entries_after_the_tokens_in_every_format() {
    let p = project();
    let (text, settings) = env_ci();
    p.write_mode(".env.ci", &text, 0o644);
    // Only the committed CI file: its placeholder counts in ci.
    std::fs::remove_file(p.path(".env")).unwrap();
    let args = ["export", "--type=runtime", "--with-settings"];
    let run = |format: &str| {
        let mut a = args.to_vec();
        a.push(format);
        let out = p.run_env(&a, &[("CI", "true"), ("APP_ENV", "development")]);
        assert_eq!(out.code, 0, "{format}: {out:?}");
        assert_eq!(
            out.stderr
                .lines()
                .filter(|l| !l.starts_with("::add-mask::"))
                .count(),
            0,
            "{format}: {}",
            out.stderr
        );
        out
    };
    // dotenv, read back by dotenvy: the token first, then every setting in file order.
    let out = run("--format=dotenv");
    let read: Vec<(String, String)> = dotenvy::from_read_iter(out.stdout.as_bytes())
        .collect::<Result<_, _>>()
        .expect("dotenvy reads the export");
    let mut want = vec![("APP_SECRET".to_owned(), "ci_test_app_secret".to_owned())];
    want.extend(settings.iter().cloned());
    assert_eq!(read, want);
    // json
    let json: serde_json::Value = serde_json::from_str(&run("--format=json").stdout).unwrap();
    for (k, v) in &want {
        assert_eq!(json[k], v.as_str(), "{k}");
    }
    assert!(
        json.get("CI_BOT_TOKEN").is_none(),
        "a token of the other class is never a setting"
    );
    // sh, evaluated by sh
    let script = format!(
        "eval \"$({} --env ci export --type=runtime --with-settings)\" && printf '%s|%s|%s' \"$DATABASE_URL\" \"$MULTI\" \"$QUOTED\"",
        env!("CARGO_BIN_EXE_tokenspec")
    );
    let o = std::process::Command::new("sh")
        .args(["-c", &script])
        .current_dir(p.root())
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(o.stdout).unwrap(),
        "postgres://ci:pa$$word@127.0.0.1:5432/ci|line one\nline two|say \"hi\""
    );
    // github: settings are entries too, only tokens are masked.
    let out = run("--format=github");
    assert!(
        out.stdout.starts_with("APP_SECRET<<ghadelimiter_"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("\nJWT_ALGORITHM<<ghadelimiter_"),
        "{}",
        out.stdout
    );
    assert_eq!(out.stderr, "::add-mask::ci_test_app_secret\n");
}

#[test]
fn with_settings_layers_env_file_over_base_and_the_process_environment_over_both() {
    let p = project();
    p.write(
        ".env",
        "APP_SECRET=s\nDATABASE_URL=base\nLOG=base\nONLY_BASE=b\n",
    );
    p.write(".env.dev", "DATABASE_URL=dev\nLOG=\n");
    let out = p.run_env(
        &[
            "--env",
            "dev",
            "export",
            "--type=runtime",
            "--with-settings",
            "--format=json",
        ],
        &[("LOG", "from-process")],
    );
    assert_eq!(out.code, 0, "{out:?}");
    let json = out.json();
    assert_eq!(json["DATABASE_URL"], "dev");
    assert_eq!(json["LOG"], "from-process");
    assert_eq!(json["ONLY_BASE"], "b");
}

#[test]
fn with_settings_refuses_a_setting_dotenv_would_change_by_file_and_line() {
    let p = project();
    p.write(".env", "APP_SECRET=s\nPASSWORD=pa$word\n");
    let out = p.run(&["export", "--type=runtime", "--with-settings"]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .starts_with("error: .env:2: the value of PASSWORD contains `$`"),
        "{}",
        out.stderr
    );
    out.assert_no_values(&["pa$word"]);
    // Without --with-settings the setting is not read, so it cannot block.
    assert_eq!(p.run(&["export", "--type=runtime"]).code, 0);
}

#[test]
fn run_with_settings_gives_the_child_every_setting() {
    let p = project();
    p.write(".env", "APP_SECRET=s\nJWT_ALGORITHM=HS256\n");
    let out = p.run(&[
        "run",
        "--type=runtime",
        "--with-settings",
        "--",
        "sh",
        "-c",
        "printf %s \"$JWT_ALGORITHM\"",
    ]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "HS256"),
        "{}",
        out.stderr
    );
}

/// In ci the spec tokens hold the committed test values, which count as
/// set; a real `GITHUB_TOKEN` further down the list still wins over them,
/// as the workflow's `secrets.A || secrets.B || secrets.GITHUB_TOKEN` did.
#[test]
fn as_prefers_a_real_value_to_an_earlier_placeholder() {
    let p = project();
    p.write_mode(
        ".tokens.ci",
        "DEV_ORCHESTRATION_BOT_KEY=ci_test_dev\nCI_BOT_TOKEN=ci_test_bot\nCI_ISSUE_AUTOMATION_TOKEN=ci_test_issues\n",
        0o644,
    );
    let arg = "--as=GH_TOKEN=CI_ISSUE_AUTOMATION_TOKEN,CI_BOT_TOKEN,GITHUB_TOKEN";
    let gh = |vars: &[(&str, &str)]| {
        let out = p.run_env(&["export", "--type=cicd", "--format=json", arg], vars);
        assert_eq!(out.code, 0, "{out:?}");
        out.json()["GH_TOKEN"].as_str().unwrap().to_owned()
    };
    assert_eq!(
        gh(&[("CI", "true"), ("GITHUB_TOKEN", "real-actions-token")]),
        "real-actions-token"
    );
    assert_eq!(
        gh(&[("CI", "true")]),
        "ci_test_issues",
        "all placeholders: the first"
    );
}
