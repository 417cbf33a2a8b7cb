//! `validate`: 0 only when each named token is set, valid and not a
//! placeholder, in every environment (ci included); 2 for unknown names.

use crate::env_rules::GH;
use crate::support::Project;

#[test]
fn set_and_valid_is_0_and_silent() {
    let p = Project::new();
    p.tokens(".tokens", &[("DEPLOY_TOKEN", "d"), ("GH_TOKEN", GH)]);
    let out = p.run(&["validate", "DEPLOY_TOKEN", "GH_TOKEN"]);
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
}

#[test]
fn only_the_named_tokens_count() {
    let p = Project::new();
    p.tokens(".tokens", &[("DEPLOY_TOKEN", "d")]);
    // APP_SECRET is required and missing, but not named.
    assert_eq!(p.run(&["validate", "DEPLOY_TOKEN"]).code, 0);
}

#[test]
fn missing_is_1() {
    let out = Project::new().run(&["validate", "DEPLOY_TOKEN"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        "error: DEPLOY_TOKEN is missing (environment: none); looked in the process environment, .tokens\n"
    );
}

#[test]
fn missing_optional_token_is_1_when_named() {
    let out = Project::new().run(&["--env", "dev", "validate", "OPTIONAL_KEY"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        "error: OPTIONAL_KEY is missing (environment: dev); looked in the process environment, .env.dev, .env\n"
    );
}

#[test]
fn placeholder_is_1_outside_ci() {
    let p = Project::new();
    p.tokens(".tokens", &[("DEPLOY_TOKEN", "ci_test_deploy_token")]);
    let out = p.run(&["validate", "DEPLOY_TOKEN"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        "error: DEPLOY_TOKEN from .tokens:1 is a placeholder, which counts as unset outside the ci environment (environment: none)\n"
    );
}

#[test]
fn placeholder_is_1_in_ci_too() {
    let p = Project::new();
    p.tokens(".tokens.ci", &[("DEPLOY_TOKEN", "ci_test_deploy_token")]);
    for (args, vars) in [
        (&["validate", "DEPLOY_TOKEN"][..], &[("CI", "true")][..]),
        (&["--env", "ci", "validate", "DEPLOY_TOKEN"], &[]),
    ] {
        let out = p.run_env(args, vars);
        assert_eq!(out.code, 1, "{args:?}");
        assert_eq!(
            out.stderr,
            "error: DEPLOY_TOKEN from .tokens.ci:1 is a placeholder; validate requires a real value in every environment, ci included\n"
        );
    }
}

#[test]
fn placeholder_of_an_optional_token_is_1() {
    let p = Project::new();
    p.tokens(".env", &[("OPTIONAL_KEY", "your_key_here")]);
    let out = p.run(&["validate", "OPTIONAL_KEY"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        "error: OPTIONAL_KEY from .env:1 is a placeholder, which counts as unset outside the ci environment (environment: none)\n"
    );
}

#[test]
fn invalid_format_is_1() {
    let p = Project::new();
    p.tokens(".tokens", &[("GH_TOKEN", "not-a-pat")]);
    let out = p.run(&["validate", "GH_TOKEN"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        "error: GH_TOKEN from .tokens:1 does not match format github_pat\n"
    );
}

#[test]
fn unknown_name_is_2_with_a_suggestion() {
    let p = Project::new();
    p.tokens(".tokens", &[("DEPLOY_TOKEN", "d")]);
    let out = p.run(&["validate", "DEPLOY_TOKEN", "DEPLOY_TOKN"]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "error: unknown token `DEPLOY_TOKN` (not in token-spec.toml)\nhelp: did you mean `DEPLOY_TOKEN`?\n"
    );
    let out = p.run(&["validate", "ZZZ"]);
    assert_eq!(out.code, 2);
    assert_eq!(out.stderr, "error: unknown token `ZZZ` (not in token-spec.toml)\nhelp: `tokenspec load` lists the tokens of the spec\n");
}

#[test]
fn a_name_is_required() {
    assert_eq!(Project::new().run(&["validate"]).code, 2);
}
