//! Precedence and environment selection, observed through `export`.
//!
//! Precedence: process environment > `.tokens.<env>` > `.tokens`; an empty
//! process variable is unset. Environment: `--env`, else `APP_ENV`
//! (`production` → prod, `development` → dev), else `ci` when `CI` is on
//! (not empty, `0` or `false`), else none.

use crate::support::Project;

/// DEPLOY_TOKEN as `export --type=cicd --format=json` sees it.
fn deploy(p: &Project, args: &[&str], vars: &[(&str, &str)]) -> String {
    let mut all = args.to_vec();
    all.extend(["export", "--type=cicd", "--format=json", "--partial"]);
    let json = p.json_env(&all, vars);
    json["DEPLOY_TOKEN"]
        .as_str()
        .unwrap_or("<unset>")
        .to_owned()
}

/// A project with DEPLOY_TOKEN in the base file and in each environment's file.
fn layered() -> Project {
    let p = Project::new();
    p.tokens(".tokens", &[("DEPLOY_TOKEN", "base")]);
    p.tokens(".tokens.dev", &[("DEPLOY_TOKEN", "dev-file")]);
    p.tokens(".tokens.prod", &[("DEPLOY_TOKEN", "prod-file")]);
    p.tokens(".tokens.ci", &[("DEPLOY_TOKEN", "ci-file")]);
    p
}

#[test]
fn process_env_beats_env_file_beats_base_file() {
    let p = layered();
    assert_eq!(
        deploy(&p, &["--env", "dev"], &[("DEPLOY_TOKEN", "process")]),
        "process"
    );
    assert_eq!(deploy(&p, &["--env", "dev"], &[]), "dev-file");
    std::fs::remove_file(p.path(".tokens.dev")).unwrap();
    assert_eq!(deploy(&p, &["--env", "dev"], &[]), "base");
}

#[test]
fn empty_process_variable_counts_as_unset() {
    let p = layered();
    assert_eq!(
        deploy(&p, &["--env", "dev"], &[("DEPLOY_TOKEN", "")]),
        "dev-file"
    );
    assert_eq!(deploy(&p, &[], &[("DEPLOY_TOKEN", "")]), "base");
}

#[test]
fn empty_value_in_env_file_falls_back_to_base() {
    let p = layered();
    p.write(".tokens.dev", "DEPLOY_TOKEN=\n");
    assert_eq!(deploy(&p, &["--env", "dev"], &[]), "base");
}

#[test]
fn no_environment_reads_base_files_only() {
    assert_eq!(deploy(&layered(), &[], &[]), "base");
}

#[test]
fn ci_off_values_select_no_environment() {
    let p = layered();
    for off in ["false", "FALSE", "0", ""] {
        assert_eq!(deploy(&p, &[], &[("CI", off)]), "base", "CI={off:?}");
    }
}

#[test]
fn ci_on_selects_ci() {
    let p = layered();
    for on in ["true", "1", "yes"] {
        assert_eq!(deploy(&p, &[], &[("CI", on)]), "ci-file", "CI={on:?}");
    }
}

#[test]
fn app_env_long_names_map_to_suffixes() {
    let p = layered();
    assert_eq!(deploy(&p, &[], &[("APP_ENV", "development")]), "dev-file");
    assert_eq!(
        deploy(&p, &[], &[("APP_ENV", "production"), ("GH_TOKEN", GH)]),
        "prod-file"
    );
    assert_eq!(deploy(&p, &[], &[("APP_ENV", "dev")]), "dev-file");
}

#[test]
fn flag_beats_app_env_beats_ci() {
    let p = layered();
    assert_eq!(
        deploy(
            &p,
            &["--env", "dev"],
            &[("APP_ENV", "prod"), ("CI", "true")]
        ),
        "dev-file"
    );
    assert_eq!(
        deploy(&p, &[], &[("APP_ENV", "dev"), ("CI", "true")]),
        "dev-file"
    );
    assert_eq!(deploy(&p, &["--env", "development"], &[]), "dev-file");
}

#[test]
fn ci_never_reads_the_developers_base_file_and_says_so_once() {
    let p = Project::new();
    p.tokens(".tokens", &[("DEPLOY_TOKEN", "dev-laptop-pat")]);
    p.tokens(".tokens.ci", &[("DEPLOY_TOKEN", "ci_test_deploy_token")]);
    // A developer's laptop with CI=true: the committed CI value, never the real PAT.
    assert_eq!(deploy(&p, &[], &[("CI", "true")]), "ci_test_deploy_token");
    let out = p.run_env(&["export", "--type=cicd"], &[("CI", "true")]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stderr,
        "warning: .tokens is not read in the ci environment, which reads the process environment, the store and .tokens.ci\n\
         help: a pipeline's real values belong in the process environment (its secret store), not in .tokens\n"
    );
    out.assert_no_values(&["dev-laptop-pat"]);
    // The process environment (a CI secret store) still beats the placeholder.
    assert_eq!(
        deploy(&p, &[], &[("CI", "true"), ("DEPLOY_TOKEN", "from-store")]),
        "from-store"
    );
    let info = p.json_env(&["--env", "ci", "info"], &[]);
    assert_eq!(info["not_read"][0]["file"], ".tokens");
    assert_eq!(info["not_read"][0]["exists"], true);
    assert_eq!(info["files"]["cicd"].as_array().unwrap().len(), 1);
}

#[test]
fn placeholders_count_as_set_in_ci_only_from_the_committed_ci_file() {
    let p = Project::new();
    p.tokens(".tokens.ci", &[("DEPLOY_TOKEN", "ci_test_from_ci_file")]);
    assert_eq!(deploy(&p, &["--env", "ci"], &[]), "ci_test_from_ci_file");
    p.tokens(".tokens", &[("DEPLOY_TOKEN", "ci_test_other")]);
    let out = p.run(&["--env", "dev", "export", "--type=cicd"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        "error: DEPLOY_TOKEN from .tokens:1 is a placeholder, which counts as unset outside the ci environment (environment: dev)\n\
         help: nothing was exported; fix the tokens above, or pass --partial to export only the valid ones\n"
    );
    // In ci, a placeholder from the process environment does not count ...
    std::fs::remove_file(p.path(".tokens.ci")).unwrap();
    std::fs::remove_file(p.path(".tokens")).unwrap();
    let out = p.run_env(
        &["--env", "ci", "export", "--type=cicd"],
        &[("DEPLOY_TOKEN", "ci_test_other")],
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.starts_with(
            "error: DEPLOY_TOKEN from $DEPLOY_TOKEN is a placeholder; in the ci environment only the committed CI files and the spec's ci_value count as set\n"
        ),
        "{}",
        out.stderr
    );
    // ... but the token's own ci_value counts wherever it comes from.
    assert_eq!(
        deploy(
            &p,
            &["--env", "ci"],
            &[("DEPLOY_TOKEN", "ci_test_deploy_token")]
        ),
        "ci_test_deploy_token"
    );
}

#[test]
fn change_me_never_counts_as_set_not_even_in_ci() {
    let p = Project::new();
    p.tokens(".tokens.ci", &[("DEPLOY_TOKEN", "CHANGE_ME_DEPLOY")]);
    for args in [&["--env", "ci"][..], &["--env", "dev"], &[]] {
        let mut all = args.to_vec();
        all.extend(["export", "--type=cicd"]);
        let out = p.run_env(&all, &[("CI", "true")]);
        assert_eq!(out.code, 1, "{args:?}: {out:?}");
        assert_eq!(out.stdout, "");
        out.assert_no_values(&["CHANGE_ME_DEPLOY"]);
    }
}

#[test]
fn required_per_environment() {
    let p = Project::new();
    p.tokens(".tokens", &[("DEPLOY_TOKEN", "d")]);
    // GH_TOKEN is required in prod only.
    assert_eq!(p.run(&["--env", "dev", "export", "--type=cicd"]).code, 0);
    let out = p.run(&["--env", "prod", "export", "--type=cicd"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        "error: GH_TOKEN is missing (environment: prod); looked in the process environment, .tokens.prod, .tokens\n\
         help: nothing was exported; fix the tokens above, or pass --partial to export only the valid ones\n"
    );
    assert_eq!(
        p.run_env(
            &["--env", "prod", "export", "--type=cicd"],
            &[("GH_TOKEN", GH)]
        )
        .code,
        0
    );
}

#[test]
fn info_reports_the_origin_of_the_environment() {
    let p = Project::new();
    let origin = |args: &[&str], vars: &[(&str, &str)]| {
        let mut all = args.to_vec();
        all.push("info");
        let j = p.json_env(&all, vars);
        (
            j["env"].as_str().map(str::to_owned),
            j["env_origin"].as_str().unwrap().to_owned(),
        )
    };
    assert_eq!(
        origin(&["--env", "prod"], &[]),
        (Some("prod".into()), "--env".into())
    );
    assert_eq!(
        origin(&[], &[("APP_ENV", "development")]),
        (Some("dev".into()), "APP_ENV".into())
    );
    assert_eq!(
        origin(&[], &[("CI", "true")]),
        (Some("ci".into()), "CI".into())
    );
    assert_eq!(origin(&[], &[("CI", "false")]), (None, "none".into()));
}

/// A value of the `github_pat` format (made up).
pub const GH: &str = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
