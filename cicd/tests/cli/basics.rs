//! Argument handling shared by every command: exit codes of usage errors.

use crate::support::Project;

#[test]
fn unknown_subcommand_is_usage_error() {
    let out = Project::new().run(&["frobnicate"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .starts_with("error: unrecognized subcommand 'frobnicate'"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "");
}

#[test]
fn no_subcommand_is_usage_error() {
    let out = Project::new().run(&[]);
    assert_eq!(out.code, 2);
    assert_eq!(out.stdout, "");
}

#[test]
fn unknown_environment_is_usage_error() {
    let out = Project::new().run(&["--env", "qa", "info"]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "error: environment `qa` (from --env) is not defined in the spec\n\
         help: use one of: dev, prod, ci; or add it to `environments` in the spec\n"
    );
}
