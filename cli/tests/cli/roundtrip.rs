//! Hostile values survive `export` byte for byte: written to `.tokens` with
//! dotenv quoting, exported, and read back by real shells, a JSON parser and
//! dotenvy.

use std::process::Command;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::support::{output, Project};

/// Pieces that break naive quoting.
const HOSTILE: &[&str] = &[
    "'",
    "\"",
    "$(id)",
    "$",
    "${X}",
    "$1",
    "`id`",
    "\\",
    "\\n",
    "\n",
    "\r",
    "\r\n",
    "\t",
    " ",
    "*",
    "?",
    "[",
    "]",
    "-",
    "--help",
    "!",
    "#",
    ";",
    "&",
    "|",
    "<",
    ">",
    "~",
    "=",
    "%",
    "{",
    "}",
    "é",
    "日本",
    "😀",
    "\u{2019}",
    "\u{a0}",
    "a",
    "Z",
    "0",
    "ghadelimiter_",
    "EOF",
];

fn value() -> impl Strategy<Value = String> {
    let piece = prop_oneof![4 => proptest::sample::select(HOSTILE).prop_map(str::to_owned), 1 => "\\PC{1,4}"];
    prop_oneof![
        8 => proptest::collection::vec(piece.clone(), 1..24).prop_map(|v| v.concat()),
        1 => proptest::collection::vec(piece, 800..1600).prop_map(|v| v.concat()),
    ]
    // Empty means unset, and a placeholder is refused outside ci: neither is a round trip.
    .prop_filter("a real value", |v| {
        !v.is_empty() && !tokenspec_core::format::is_placeholder(v, "ci_test_deploy_token")
    })
}

fn cases() -> TestRunner {
    TestRunner::new(Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    })
}

/// Fails unless `shell` runs here. The dash and fish tests are
/// `#[ignore = "needs …"]`: a plain `cargo test` lists them as ignored, and
/// `-- --include-ignored` (what `.ci/run` runs after installing them) fails
/// here when the shell is missing, so a round trip that did not run never
/// reports `ok`.
fn require(shell: &str) {
    let runs = Command::new(shell)
        .arg("-c")
        .arg("exit 0")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        runs,
        "this test needs {shell}, which is not installed: apt-get install {shell}"
    );
}

/// Runs `script` in `shell` with `tokenspec` on PATH and a clean environment; returns stdout bytes.
fn shell(p: &Project, shell: &str, script: &str) -> Vec<u8> {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_tokenspec"))
        .parent()
        .unwrap()
        .to_owned();
    let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let o = Command::new(shell)
        .arg("-c")
        .arg(script)
        .current_dir(p.root())
        .env_clear()
        .env("PATH", path)
        .output()
        .expect("shell runs");
    assert!(
        o.status.success(),
        "{shell} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o.stdout
}

fn posix_round_trip(sh: &str) {
    require(sh);
    cases()
        .run(&value(), |v| {
            let p = Project::new();
            p.tokens(".tokens", &[("DEPLOY_TOKEN", &v)]);
            let got = shell(
                &p,
                sh,
                r#"eval "$(tokenspec export --type=cicd)" && printf %s "$DEPLOY_TOKEN""#,
            );
            prop_assert_eq!(got, v.as_bytes().to_vec());
            Ok(())
        })
        .unwrap();
}

#[test]
fn sh_format_round_trips_through_bash() {
    posix_round_trip("bash");
}

#[test]
#[ignore = "needs dash"]
fn sh_format_round_trips_through_dash() {
    posix_round_trip("dash");
}

#[test]
#[ignore = "needs fish"]
fn fish_format_round_trips_through_fish() {
    require("fish");
    cases()
        .run(&value(), |v| {
            let p = Project::new();
            p.tokens(".tokens", &[("DEPLOY_TOKEN", &v)]);
            let got = shell(&p, "fish", r#"tokenspec export --type=cicd --format=fish | source; and printf %s "$DEPLOY_TOKEN""#);
            prop_assert_eq!(got, v.as_bytes().to_vec());
            Ok(())
        })
        .unwrap();
}

#[test]
fn json_and_dotenv_formats_round_trip() {
    cases()
        .run(&value(), |v| {
            let p = Project::new();
            p.tokens(".tokens", &[("DEPLOY_TOKEN", &v)]);
            let json = output(&mut p.cmd(["export", "--type=cicd", "--format=json"]));
            prop_assert_eq!(json.code, 0, "{}", json.stderr);
            let parsed: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
            prop_assert_eq!(parsed["DEPLOY_TOKEN"].as_str(), Some(v.as_str()));

            let dotenv = output(&mut p.cmd(["export", "--type=cicd", "--format=dotenv"]));
            prop_assert_eq!(dotenv.code, 0, "{}", dotenv.stderr);
            let read: Vec<(String, String)> = dotenvy::from_read_iter(dotenv.stdout.as_bytes())
                .collect::<Result<_, _>>()
                .expect("dotenvy reads the export");
            prop_assert_eq!(read, vec![("DEPLOY_TOKEN".to_owned(), v.clone())]);
            Ok(())
        })
        .unwrap();
}

#[test]
fn github_format_round_trips_through_the_runner_rules() {
    // The runner reads `NAME<<DELIM`, then lines until one equals DELIM; the
    // value is the text in between without the final newline.
    cases()
        .run(&value(), |v| {
            let p = Project::new();
            p.tokens(".tokens", &[("DEPLOY_TOKEN", &v)]);
            let out = output(&mut p.cmd(["export", "--type=cicd", "--format=github"]));
            prop_assert_eq!(out.code, 0, "{}", out.stderr);
            let (header, body) = out.stdout.split_once('\n').unwrap();
            let delim = header.strip_prefix("DEPLOY_TOKEN<<").unwrap();
            let end = body
                .split_inclusive('\n')
                .position(|l| l.strip_suffix('\n') == Some(delim))
                .unwrap();
            let value: String = body.split_inclusive('\n').take(end).collect();
            prop_assert_eq!(value.strip_suffix('\n'), Some(v.as_str()));
            Ok(())
        })
        .unwrap();
}
