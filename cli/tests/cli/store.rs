//! The `[store]` through the real binary against a real OpenBao dev server
//! (started per test on a free loopback port, stopped after; see
//! `dev_server`): reading, precedence, failing closed, push, the generated
//! policies, hostile values and `files = false`.

use std::process::Command;

use crate::support::{Out, Project};
use tokenspec_test_support::{assert_hidden, BaoServer};

const PROD_CICD: &str = "secret/myproject/cicd/prod";
const PROD_RUNTIME: &str = "secret/myproject/runtime/prod";

/// A spec with both classes whose `[store]` points at `server`.
fn spec(server: &BaoServer, extra: &str) -> String {
    format!(
        r#"environments = ["dev", "prod", "ci"]

[store]
kind = "openbao"
address = "{}"
mount = "secret"
path = "myproject/{{class}}/{{env}}"
environments = ["dev", "prod"]
{extra}

[[token]]
name = "DEPLOY_TOKEN"
class = "cicd"
description = "Deploys"

[[token]]
name = "CI_BOT_TOKEN"
class = "cicd"
description = "Bot"
required = false

[[token]]
name = "APP_SECRET"
class = "runtime"
description = "Signs sessions"
"#,
        server.address
    )
}

fn project(server: &BaoServer, extra: &str) -> Project {
    Project::with_spec(&spec(server, extra))
}

/// `tokenspec ARGS` authenticated with `token`, plus `vars`.
fn as_token(p: &Project, token: &str, args: &[&str], vars: &[(&str, &str)]) -> Out {
    let mut all = vec![("BAO_TOKEN", token)];
    all.extend_from_slice(vars);
    p.run_env(args, &all)
}

fn root(p: &Project, server: &BaoServer, args: &[&str]) -> Out {
    as_token(p, &server.root_token, args, &[])
}

#[test]
#[ignore = "needs bao"]
fn tokens_in_the_store_are_exported_byte_for_byte() {
    let server = BaoServer::start();
    let p = project(&server, "");
    server.bao(&[
        "kv",
        "put",
        PROD_CICD,
        "DEPLOY_TOKEN=dpl-Stored-4471",
        "CI_BOT_TOKEN=it's a $(bot)",
        "UNRELATED=kept-out",
    ]);
    // A file value of the same token is shadowed by the store.
    p.tokens(".tokens.prod", &[("DEPLOY_TOKEN", "from-the-file")]);
    let out = root(&p, &server, &["--env", "prod", "export", "--type=cicd"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stdout,
        "export DEPLOY_TOKEN='dpl-Stored-4471'\nexport CI_BOT_TOKEN='it'\\''s a $(bot)'\n"
    );
    assert!(!out.stdout.contains("kept-out"));
    assert_hidden(&out.stderr, &["dpl-Stored-4471", &server.root_token]);

    // `load` names the secret as the source, never a value.
    let out = root(&p, &server, &["--env", "prod", "load", "--type=cicd"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains("openbao secret/myproject/cicd/prod"),
        "{out:?}"
    );
    out.assert_no_values(&["dpl-Stored-4471", "from-the-file"]);

    // `validate` and `run` read it too.
    let out = root(&p, &server, &["--env", "prod", "validate", "DEPLOY_TOKEN"]);
    assert_eq!(out.code, 0, "{out:?}");
    let out = root(
        &p,
        &server,
        &[
            "--env",
            "prod",
            "run",
            "--type=cicd",
            "--",
            "sh",
            "-c",
            "printf %s \"$DEPLOY_TOKEN\"",
        ],
    );
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "dpl-Stored-4471"),
        "{out:?}"
    );

    // The ci environment is not served: files only, no request.
    p.tokens(".tokens.ci", &[("DEPLOY_TOKEN", "ci_test_deploy_token")]);
    let out = p.run(&["--env", "ci", "export", "--type=cicd"]);
    assert_eq!(out.code, 0, "{out:?}");
}

#[test]
#[ignore = "needs bao"]
fn the_process_environment_wins_over_the_store() {
    let server = BaoServer::start();
    let p = project(&server, "");
    server.bao(&["kv", "put", PROD_CICD, "DEPLOY_TOKEN=from-the-store"]);
    let out = as_token(
        &p,
        &server.root_token,
        &["--env", "prod", "export", "--type=cicd"],
        &[("DEPLOY_TOKEN", "from-the-shell")],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "export DEPLOY_TOKEN='from-the-shell'\n");
}

#[test]
#[ignore = "needs bao"]
fn a_stopped_server_fails_closed_naming_the_address() {
    let mut server = BaoServer::start();
    let p = project(&server, "");
    server.bao(&["kv", "put", PROD_CICD, "DEPLOY_TOKEN=from-the-store"]);
    // Files hold a value: it must not be used instead.
    p.tokens(".tokens.prod", &[("DEPLOY_TOKEN", "file-fallback-value")]);
    server.stop();
    let out = root(&p, &server, &["--env", "prod", "export", "--type=cicd"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.stdout, "");
    assert!(out.stderr.starts_with("error: cannot read "), "{out:?}");
    assert!(out.stderr.contains(&server.address), "{out:?}");
    assert!(
        out.stderr.contains(&format!(
            "secret/data/myproject/cicd/prod at {}",
            server.address
        )),
        "{out:?}"
    );
    assert!(out.stderr.contains("unreachable"), "{out:?}");
    assert!(out.stderr.contains("\nhelp: "), "{out:?}");
    out.assert_no_values(&["file-fallback-value", &server.root_token]);

    // `run` starts nothing.
    let marker = p.path("started");
    let out = root(
        &p,
        &server,
        &[
            "--env",
            "prod",
            "run",
            "--type=cicd",
            "--",
            "touch",
            marker.to_str().unwrap(),
        ],
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(!marker.exists(), "run started the program");
}

#[test]
#[ignore = "needs bao"]
fn a_missing_secret_fails_closed_with_the_push_hint() {
    let server = BaoServer::start();
    let p = project(&server, "");
    p.tokens(".tokens.prod", &[("DEPLOY_TOKEN", "file-fallback-value")]);
    let out = root(&p, &server, &["--env", "prod", "export", "--type=cicd"]);
    assert_eq!((out.code, out.stdout.as_str()), (1, ""), "{out:?}");
    assert!(out.stderr.contains("not found (404)"), "{out:?}");
    assert!(out.stderr.contains("help: there is no secret at secret/data/myproject/cicd/prod: write it with `tokenspec push`"), "{out:?}");
}

#[test]
#[ignore = "needs bao"]
fn push_moves_the_env_files_into_the_store_without_printing_a_value() {
    let server = BaoServer::start();
    let p = project(&server, "");
    // Keys already in the secret and tokens absent from the files are kept.
    server.bao(&[
        "kv",
        "put",
        PROD_CICD,
        "CI_BOT_TOKEN=bot-Kept-9913",
        "OTHER=other-Kept-1",
    ]);
    p.tokens(".tokens.prod", &[("DEPLOY_TOKEN", "dpl-Pushed-5521")]);
    p.tokens(".env.prod", &[("APP_SECRET", "app-Pushed-7781")]);
    let secrets = [
        "dpl-Pushed-5521",
        "app-Pushed-7781",
        "bot-Kept-9913",
        "other-Kept-1",
    ];

    let out = root(&p, &server, &["--env", "prod", "push", "--dry-run"]);
    assert_eq!(out.code, 0, "{out:?}");
    out.assert_no_values(&secrets);
    let rows: Vec<Vec<&str>> = out
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows,
        [
            [
                "DEPLOY_TOKEN",
                "cicd",
                "openbao",
                "secret/myproject/cicd/prod",
                "new"
            ],
            [
                "APP_SECRET",
                "runtime",
                "openbao",
                "secret/myproject/runtime/prod",
                "new"
            ],
        ],
        "{out:?}"
    );
    assert!(
        out.stderr.contains("dry run: nothing was written"),
        "{out:?}"
    );
    let out = root(&p, &server, &["--env", "prod", "export", "--type=runtime"]);
    assert_eq!(out.code, 1, "the dry run wrote nothing: {out:?}");

    let out = root(&p, &server, &["--env", "prod", "push"]);
    assert_eq!(out.code, 0, "{out:?}");
    out.assert_no_values(&secrets);
    assert_eq!(
        server.bao(&["kv", "get", "-field=DEPLOY_TOKEN", PROD_CICD]),
        "dpl-Pushed-5521"
    );
    assert_eq!(
        server.bao(&["kv", "get", "-field=OTHER", PROD_CICD]),
        "other-Kept-1"
    );
    assert_eq!(
        server.bao(&["kv", "get", "-field=APP_SECRET", PROD_RUNTIME]),
        "app-Pushed-7781"
    );
    let meta = server.bao(&["kv", "metadata", "get", "-format=json", PROD_CICD]);
    assert!(meta.contains("tokenspec_changed_DEPLOY_TOKEN"), "{meta}");

    // Without the files, export reads what was pushed.
    std::fs::remove_file(p.path(".tokens.prod")).unwrap();
    let out = root(&p, &server, &["--env", "prod", "export", "--type=cicd"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stdout,
        "export DEPLOY_TOKEN='dpl-Pushed-5521'\nexport CI_BOT_TOKEN='bot-Kept-9913'\n"
    );

    // A second push changes nothing.
    let out = root(&p, &server, &["--env", "prod", "push", "--type=runtime"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("unchanged"), "{out:?}");
}

#[test]
#[ignore = "needs bao"]
fn push_refuses_placeholders_bad_formats_and_unserved_environments() {
    let server = BaoServer::start();
    let p = Project::with_spec(&format!(
        "{}\n[[token]]\nname = \"RUN_ID\"\nclass = \"runtime\"\ndescription = \"d\"\nformat = \"uuid\"\n",
        spec(&server, "")
    ));
    p.tokens(
        ".env.prod",
        &[
            ("APP_SECRET", "fine-Value-1"),
            ("RUN_ID", "not-a-uuid-Value"),
        ],
    );
    let out = root(&p, &server, &["--env", "prod", "push"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr
            .contains("RUN_ID from .env.prod:2 does not match format uuid"),
        "{out:?}"
    );
    out.assert_no_values(&["fine-Value-1", "not-a-uuid-Value"]);
    std::fs::remove_file(p.path(".env.prod")).unwrap();
    p.tokens(
        ".tokens.prod",
        &[("DEPLOY_TOKEN", "CHANGE_ME_DEPLOY_TOKEN")],
    );
    let out = root(&p, &server, &["--env", "prod", "push"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.contains("DEPLOY_TOKEN from .tokens.prod:1"),
        "{out:?}"
    );
    assert!(out.stderr.contains("help: nothing was pushed"), "{out:?}");
    p.tokens(".tokens.prod", &[("DEPLOY_TOKEN", "ci_test_deploy_token")]);
    let out = root(&p, &server, &["--env", "prod", "push"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("is a placeholder"), "{out:?}");

    let out = root(&p, &server, &["--env", "ci", "push"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("the store does not serve the environment `ci`"),
        "{out:?}"
    );
    // Nothing reached the store: a refused push writes no class.
    let out = root(&p, &server, &["--env", "prod", "export", "--type=runtime"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("not found (404)"), "{out:?}");
}

/// bash's `eval` of the export, each variable printed back NUL-separated.
fn eval_in_bash(export: &str, names: &[&str]) -> Vec<u8> {
    let mut script = String::from("eval \"$EXPORT\"\n");
    for n in names {
        script.push_str(&format!("printf '%s\\0' \"${n}\"\n"));
    }
    let out = Command::new("bash")
        .args(["-c", &script])
        .env_clear()
        .env("EXPORT", export)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
#[ignore = "needs bao"]
fn hostile_values_survive_push_store_export_and_eval() {
    let server = BaoServer::start();
    let p = project(&server, "");
    let long: String = "x7$'\"".chars().cycle().take(5000).collect();
    let values = [
        (
            "DEPLOY_TOKEN",
            "it's \"quoted\" `and` $(touch pwned) ${HOME} \\ \n line two\ttab",
        ),
        ("CI_BOT_TOKEN", long.as_str()),
        ("APP_SECRET", "ünïcødé ✓ 日本語 🔑 'q' \r\n end"),
    ];
    p.tokens(".tokens.prod", &values[..2]);
    p.tokens(".env.prod", &values[2..]);
    let out = root(&p, &server, &["--env", "prod", "push"]);
    assert_eq!(out.code, 0, "{out:?}");
    out.assert_no_values(&[values[0].1, &long[..200], values[2].1]);
    // The files go: the values come from the store alone.
    std::fs::remove_file(p.path(".tokens.prod")).unwrap();
    std::fs::remove_file(p.path(".env.prod")).unwrap();
    let out = root(&p, &server, &["--env", "prod", "export"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
    let got = eval_in_bash(&out.stdout, &["DEPLOY_TOKEN", "CI_BOT_TOKEN", "APP_SECRET"]);
    let mut want = Vec::new();
    for (_, v) in values {
        want.extend_from_slice(v.as_bytes());
        want.push(0);
    }
    assert!(got == want, "a value changed on the way");
    assert!(!p.path("pwned").exists() && !std::path::Path::new("pwned").exists());
}

#[test]
#[ignore = "needs bao"]
fn files_false_reads_no_token_file_where_the_store_serves() {
    let server = BaoServer::start();
    let p = project(&server, "files = false");
    server.bao(&["kv", "put", PROD_CICD, "DEPLOY_TOKEN=from-the-store"]);
    p.tokens(
        ".tokens.prod",
        &[("DEPLOY_TOKEN", "x"), ("CI_BOT_TOKEN", "file-only-value")],
    );
    p.tokens(".tokens", &[("CI_BOT_TOKEN", "file-only-value")]);
    let out = root(&p, &server, &["--env", "prod", "export", "--type=cicd"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "export DEPLOY_TOKEN='from-the-store'\n");
    // `load` creates no base file from the template: none is read here.
    std::fs::remove_file(p.path(".tokens")).unwrap();
    let out = root(&p, &server, &["--env", "prod", "load", "--type=cicd"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!p.path(".tokens").exists(), "{out:?}");
    // A required token the store lacks is missing, with no file named.
    server.bao(&["kv", "put", PROD_CICD, "CI_BOT_TOKEN=bot"]);
    let out = root(&p, &server, &["--env", "prod", "export", "--type=cicd"]);
    assert_eq!((out.code, out.stdout.as_str()), (1, ""), "{out:?}");
    assert!(
        out.stderr
            .contains("looked in the process environment, openbao secret/myproject/cicd/prod\n"),
        "{out:?}"
    );
}

#[test]
#[ignore = "needs bao"]
fn the_generated_cicd_reader_policy_reads_cicd_and_is_refused_runtime() {
    let server = BaoServer::start();
    let p = project(&server, "");
    let out = p.run(&["gen"]);
    assert_eq!(out.code, 0, "{out:?}");
    for name in ["cicd-reader", "runtime-reader"] {
        let file = p.path(&format!("openbao/{name}.hcl"));
        server.bao(&["policy", "write", name, file.to_str().unwrap()]);
    }
    server.bao(&["kv", "put", PROD_CICD, "DEPLOY_TOKEN=dpl-Cicd-1"]);
    server.bao(&["kv", "put", PROD_RUNTIME, "APP_SECRET=app-Runtime-2"]);
    let token = server.bao(&["token", "create", "-policy=cicd-reader", "-field=token"]);

    let out = as_token(&p, &token, &["--env", "prod", "export", "--type=cicd"], &[]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "export DEPLOY_TOKEN='dpl-Cicd-1'\n");

    let out = as_token(
        &p,
        &token,
        &["--env", "prod", "export", "--type=runtime"],
        &[],
    );
    assert_eq!((out.code, out.stdout.as_str()), (1, ""), "{out:?}");
    assert!(out.stderr.contains("permission denied (403)"), "{out:?}");
    assert!(out.stderr.contains(&server.address), "{out:?}");
    assert!(
        out.stderr.contains("help: this token's policy does not allow reading secret/data/myproject/runtime/prod; ask the runtime class owner for the `runtime-reader` policy"),
        "{out:?}"
    );
    out.assert_no_values(&["app-Runtime-2", &token]);
    // Nor may it push.
    p.tokens(".tokens.prod", &[("DEPLOY_TOKEN", "dpl-New-3")]);
    let out = as_token(&p, &token, &["--env", "prod", "push", "--type=cicd"], &[]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("permission denied (403)"), "{out:?}");
}

#[test]
#[ignore = "needs bao"]
fn load_shows_each_stored_tokens_age_and_check_warns_past_rotation_days() {
    let server = BaoServer::start();
    let p = project(
        &server,
        "\n[class.cicd]\nowner = \"Platform team\"\nrotation_days = 30\n",
    );
    server.bao(&[
        "kv",
        "put",
        PROD_CICD,
        "DEPLOY_TOKEN=dpl-Old-1",
        "CI_BOT_TOKEN=bot-Fresh-2",
    ]);
    server.bao(&[
        "kv",
        "metadata",
        "put",
        "-custom-metadata=tokenspec_changed_DEPLOY_TOKEN=2020-01-01T00:00:00Z",
        PROD_CICD,
    ]);
    let out = root(&p, &server, &["--env", "prod", "load", "--type=cicd"]);
    assert_eq!(out.code, 0, "{out:?}");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[0].ends_with("CHANGED"), "{out:?}");
    assert!(
        lines[1].starts_with("DEPLOY_TOKEN") && lines[1].ends_with("d ago"),
        "{out:?}"
    );
    // No push recorded it: the secret's last write counts.
    assert!(
        lines[2].starts_with("CI_BOT_TOKEN") && lines[2].ends_with("just now"),
        "{out:?}"
    );
    out.assert_no_values(&["dpl-Old-1", "bot-Fresh-2"]);

    let out = root(&p, &server, &["check"]);
    assert!(
        out.stdout.contains("warning[rotation]: DEPLOY_TOKEN in openbao secret/myproject/cicd/prod (prod) last changed "),
        "{out:?}"
    );
    assert!(
        out.stdout.contains("more than its rotation_days (30)"),
        "{out:?}"
    );
    assert!(out.stdout.contains("(owner: Platform team)"), "{out:?}");
    assert!(
        !out.stdout.contains("warning[rotation]: CI_BOT_TOKEN"),
        "{out:?}"
    );
    // The dev secret was never written: a note, not an error.
    assert!(
        out.stderr.contains("note: token rotation in the store was not checked: cannot read secret/data/myproject/cicd/dev"),
        "{out:?}"
    );
    out.assert_no_values(&["dpl-Old-1", "bot-Fresh-2"]);

    // Without credentials: a note, and the audit of the files stands.
    let out = p.run(&["check"]);
    assert!(!out.stdout.contains("rotation"), "{out:?}");
    assert!(
        out.stderr
            .contains("note: token rotation in the store was not checked"),
        "{out:?}"
    );
    assert!(out.stderr.contains("no credentials"), "{out:?}");
}
