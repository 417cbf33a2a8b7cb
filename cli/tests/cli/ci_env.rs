//! Issue 12, cases 1 and 2: the environment CI really runs in, and CI that
//! fails closed. Each case runs under `CI=true`, as it happens in CI.

use crate::support::{Project, SPEC};

/// The replaced system's order: `CI` decides before `APP_ENV`.
fn ci_first() -> Project {
    let p = Project::with_spec(&format!("env_from = [\"CI\", \"APP_ENV\"]\n{SPEC}"));
    // git checks committed files out 0644.
    p.write_mode(".tokens.ci", "DEPLOY_TOKEN=ci_test_deploy_token\n", 0o644);
    p.write_mode(".env.ci", "APP_SECRET=ci_test_app_secret\n", 0o644);
    p.write(".tokens.dev", "DEPLOY_TOKEN=CHANGE_ME_DEPLOY_TOKEN\n");
    p
}

const CI_DEV: [(&str, &str); 2] = [("CI", "true"), ("APP_ENV", "development")];

#[test]
fn ci_listed_first_picks_the_ci_files_although_app_env_says_development() {
    let p = ci_first();
    let out = p.run_env(&["export", "--format=json"], &CI_DEV);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stderr, "",
        "no warning, not even about the 0644 CI files"
    );
    let json = out.json();
    assert_eq!(json["DEPLOY_TOKEN"], "ci_test_deploy_token");
    assert_eq!(json["APP_SECRET"], "ci_test_app_secret");
    let info = p.json_env(&["info"], &CI_DEV);
    assert_eq!(
        (info["env"].as_str(), info["env_origin"].as_str()),
        (Some("ci"), Some("CI"))
    );
    assert_eq!(info["env_from"], serde_json::json!(["CI", "APP_ENV"]));
    // CI off: APP_ENV decides.
    let info = p.json_env(&["info"], &[("CI", "false"), ("APP_ENV", "development")]);
    assert_eq!(
        (info["env"].as_str(), info["env_origin"].as_str()),
        (Some("dev"), Some("APP_ENV"))
    );
}

#[test]
fn without_env_from_app_env_decides_before_ci() {
    let p = Project::new();
    let info = p.json_env(&["info"], &CI_DEV);
    assert_eq!(
        (info["env"].as_str(), info["env_origin"].as_str()),
        (Some("dev"), Some("APP_ENV"))
    );
    assert_eq!(info["env_from"], serde_json::json!(["APP_ENV", "CI"]));
}

#[test]
fn tokenspec_env_beats_the_spec_s_variables_and_the_flag_beats_it() {
    let p = ci_first();
    let vars = [("CI", "true"), ("TOKENSPEC_ENV", "production")];
    let info = p.json_env(&["info"], &vars);
    assert_eq!(
        (info["env"].as_str(), info["env_origin"].as_str()),
        (Some("prod"), Some("TOKENSPEC_ENV"))
    );
    let info = p.json_env(&["--env", "dev", "info"], &vars);
    assert_eq!(
        (info["env"].as_str(), info["env_origin"].as_str()),
        (Some("dev"), Some("--env"))
    );
}

#[test]
fn an_empty_env_from_reads_no_variable() {
    let p = Project::with_spec(&format!("env_from = []\n{SPEC}"));
    let info = p.json_env(&["info"], &CI_DEV);
    assert_eq!(
        (info["env"].as_str(), info["env_origin"].as_str()),
        (None, Some("none"))
    );
}

#[test]
fn load_creates_no_file_in_ci_and_says_what_it_would_have_created() {
    for (args, vars) in [
        (&["load", "--type=cicd"][..], &[("CI", "true")][..]),
        (&["--env", "ci", "load", "--type=cicd"], &[]),
    ] {
        let p = Project::new();
        let out = p.run_env(args, vars);
        assert!(!p.path(".tokens").exists(), "{args:?} {vars:?}");
        assert!(
            out.stderr.starts_with(
                "note: .tokens does not exist; not created in CI (outside CI, load would create it from the spec's template)\n"
            ),
            "{}",
            out.stderr
        );
        assert_eq!(out.code, 1, "DEPLOY_TOKEN is still missing");
    }
}

/// However the tokenspec commands are combined, a CI export that failed for
/// want of a value keeps failing until a real value (or a committed CI
/// value) is provided: the case where `load` used to write `CHANGE_ME_`
/// files that the next export took for set.
#[test]
fn no_sequence_of_commands_turns_a_failing_ci_export_into_a_passing_one() {
    let p = ci_first();
    p.git(&["init", "-q"]);
    std::fs::remove_file(p.path(".tokens.ci")).unwrap();
    let export = |p: &Project| p.run_env(&["export", "--type=cicd"], &CI_DEV);
    let failing = export(&p);
    assert_eq!(failing.code, 1, "{failing:?}");
    assert_eq!(failing.stdout, "");
    type Step<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)]);
    let steps: [Step; 8] = [
        (&["load"], &CI_DEV),
        (&["load"], &[]),
        (&["--env", "ci", "load"], &[]),
        (&["--env", "dev", "load"], &[]),
        (&["migrate"], &[]),
        (&["check", "--fix"], &[]),
        (&["validate", "DEPLOY_TOKEN"], &CI_DEV),
        (&["export", "--type=cicd", "--partial"], &CI_DEV),
    ];
    for (args, vars) in steps {
        p.run_env(args, vars);
        let out = export(&p);
        assert_eq!(out.code, 1, "after {args:?}: {out:?}");
        assert_eq!(out.stdout, "", "after {args:?}");
    }
    // `load` outside CI wrote CHANGE_ME_ values; they never count, in ci either.
    assert!(p.read(".tokens").contains("CHANGE_ME_"));
    let out = p.run_env(&["--env", "ci", "export", "--type=cicd"], &[]);
    assert_eq!(out.code, 1, "{out:?}");
    // A real value is what makes it pass.
    let out = p.run_env(
        &["export", "--type=cicd"],
        &[("CI", "true"), ("DEPLOY_TOKEN", "real-from-secrets")],
    );
    assert_eq!(out.code, 0, "{out:?}");
}

/// `check`, `migrate` and `gen` work on every environment's files whatever
/// `APP_ENV` says, so a value the spec does not define cannot block them;
/// `--env` with such a name still does.
#[test]
fn commands_over_every_environment_ignore_an_unknown_app_env() {
    let p = Project::new();
    p.git(&["init", "-q"]);
    for args in [&["migrate", "--dry-run"][..], &["check"]] {
        let out = p.run_env(args, &[("APP_ENV", "local")]);
        assert!(
            !out.stderr.contains("is not defined in the spec"),
            "{args:?}: {}",
            out.stderr
        );
        let mut flagged = vec!["--env", "local"];
        flagged.extend_from_slice(args);
        assert_eq!(p.run(&flagged).code, 2, "{args:?}");
    }
}
