//! `run`: tokens reach the child's environment unchanged; no shell; exit codes pass through.

use crate::support::Project;

fn project() -> Project {
    let p = Project::new();
    p.tokens(".tokens", &[("DEPLOY_TOKEN", "two words")]);
    p.tokens(".env", &[("APP_SECRET", "line one\nline two")]);
    p
}

#[test]
fn passes_a_value_with_a_space() {
    let out = project().run(&["run", "--", "sh", "-c", "printf %s \"$DEPLOY_TOKEN\""]);
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (0, "two words", "")
    );
}

#[test]
fn passes_a_value_with_a_newline() {
    let out = project().run(&[
        "run",
        "--type=runtime",
        "--",
        "sh",
        "-c",
        "printf %s \"$APP_SECRET\"",
    ]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "line one\nline two"),
        "{}",
        out.stderr
    );
}

#[test]
fn type_limits_what_the_child_gets() {
    let out = project().run(&[
        "run",
        "--type=cicd",
        "--",
        "sh",
        "-c",
        "printf %s \"${APP_SECRET-unset}\"",
    ]);
    assert_eq!(out.stdout, "unset");
}

#[test]
fn arguments_are_not_parsed_by_a_shell() {
    let out = project().run(&["run", "--", "printf", "%s|%s", "$DEPLOY_TOKEN", "--help"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "$DEPLOY_TOKEN|--help"),
        "{}",
        out.stderr
    );
}

#[test]
fn exit_code_passes_through() {
    let out = project().run(&["run", "--", "sh", "-c", "exit 42"]);
    assert_eq!(out.code, 42);
}

#[test]
fn process_environment_still_wins() {
    let out = project().run_env(
        &["run", "--", "sh", "-c", "printf %s \"$DEPLOY_TOKEN\""],
        &[("DEPLOY_TOKEN", "from-env")],
    );
    assert_eq!(out.stdout, "from-env");
}

#[test]
fn a_problem_means_the_command_never_starts() {
    let p = Project::new();
    p.tokens(".tokens", &[("DEPLOY_TOKEN", "d")]);
    let out = p.run(&["run", "--", "sh", "-c", "touch started"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        "error: APP_SECRET is missing (environment: none); looked in the process environment, .env\n\
         help: `sh` was not started; fix the tokens above\n"
    );
    assert!(!p.path("started").exists());
}

#[test]
fn command_not_found_is_127() {
    let out = project().run(&["run", "--", "no-such-command-tokenspec"]);
    assert_eq!(out.code, 127);
    assert_eq!(
        out.stderr,
        "error: command not found: no-such-command-tokenspec\n"
    );
}

#[test]
fn not_executable_is_126() {
    let p = project();
    p.write("script.sh", "#!/bin/sh\necho hi\n");
    let out = p.run(&["run", "--", "./script.sh"]);
    assert_eq!(out.code, 126);
    assert_eq!(out.stderr, "error: permission denied: ./script.sh\n");
}

#[test]
fn a_command_is_required() {
    let out = project().run(&["run", "--type=cicd"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .starts_with("error: the following required arguments were not provided:\n  <CMD>..."),
        "{}",
        out.stderr
    );
}
