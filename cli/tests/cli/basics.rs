//! What every command shares: usage errors, spec errors, root discovery, help.

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
fn bad_flag_value_is_usage_error() {
    let out = Project::new().run(&["export", "--format=csv"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .starts_with("error: invalid value 'csv' for '--format <FORMAT>'"),
        "{}",
        out.stderr
    );
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
    assert_eq!(out.stdout, "");
}

/// `APP_ENV=stagin` must not quietly read base files only and pass in CI:
/// an environment the spec does not define is an error whatever chose it.
#[test]
fn an_environment_variable_outside_the_spec_is_a_usage_error_with_a_suggestion() {
    let p = Project::with_spec(&crate::support::SPEC.replace(
        "environments = [\"dev\", \"prod\", \"ci\"]",
        "environments = [\"dev\", \"staging\", \"prod\", \"ci\"]",
    ));
    p.write(".tokens", "DEPLOY_TOKEN=from-base-file\n");
    for (vars, origin) in [
        (&[("APP_ENV", "stagin"), ("CI", "true")][..], "APP_ENV"),
        (&[("TOKENSPEC_ENV", "stagin")][..], "TOKENSPEC_ENV"),
    ] {
        let out = p.run_env(&["export", "--type=cicd", "--partial"], vars);
        assert_eq!(out.code, 2, "{out:?}");
        assert_eq!(out.stdout, "");
        assert_eq!(
            out.stderr,
            format!(
                "error: environment `stagin` (from {origin}) is not defined in the spec\n\
                 help: did you mean `staging`? otherwise use one of: dev, staging, prod, ci; or add it to `environments` in the spec\n"
            )
        );
    }
}

#[test]
fn environment_name_with_a_path_is_refused() {
    let out = Project::new().run(&["--env", "../x", "export"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.starts_with(
            "error: environment `../x` (from --env) is not a valid environment name\n"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn invalid_spec_is_exit_2_with_location() {
    let p = Project::with_spec(
        "[[token]]\nname = \"X\"\nclass = \"cicd\"\ndescription = \"x\"\nbogus = 1\n",
    );
    let out = p.run(&["export"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
    assert!(
        out.stderr.contains("--> token-spec.toml:5:1"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "");
}

#[test]
fn no_spec_anywhere_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let p = Project::new();
    let out = crate::support::output(p.cmd(["export"]).current_dir(dir.path()));
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        format!(
            "error: no token-spec.toml in {} or any parent folder\n\
             help: run tokenspec inside the project, or pass --root DIR or --spec FILE\n",
            dir.path().display()
        )
    );
}

#[test]
fn root_is_found_from_a_subfolder_and_flag_overrides_it() {
    let p = Project::new();
    p.tokens(".tokens", &[("DEPLOY_TOKEN", "from-root")]);
    std::fs::create_dir_all(p.path("a/b")).unwrap();
    let out = crate::support::output(p.cmd(["export", "--type=cicd"]).current_dir(p.path("a/b")));
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "export DEPLOY_TOKEN='from-root'\n"),
        "{}",
        out.stderr
    );

    let other = Project::new();
    other.tokens(".tokens", &[("DEPLOY_TOKEN", "from-other")]);
    let root = other.root().to_str().unwrap();
    let out = p.run(&["--root", root, "export", "--type=cicd"]);
    assert_eq!(
        out.stdout, "export DEPLOY_TOKEN='from-other'\n",
        "{}",
        out.stderr
    );
}

#[test]
fn spec_flag_names_another_spec() {
    let p = Project::new();
    p.write(
        "other.toml",
        "[[token]]\nname = \"ONLY\"\nclass = \"cicd\"\ndescription = \"x\"\n",
    );
    p.tokens(".tokens", &[("ONLY", "v"), ("DEPLOY_TOKEN", "d")]);
    let out = p.run(&["--spec", "other.toml", "export", "--type=cicd"]);
    assert_eq!(out.stdout, "export ONLY='v'\n", "{}", out.stderr);
}

#[test]
fn help_has_examples() {
    let p = Project::new();
    for args in [
        &["--help"][..],
        &["export", "--help"],
        &["run", "--help"],
        &["load", "--help"],
        &["validate", "--help"],
    ] {
        let out = p.run(args);
        assert_eq!(out.code, 0);
        assert!(
            out.stdout.contains("Examples:\n  "),
            "{args:?}: {}",
            out.stdout
        );
    }
}

#[test]
fn completions_for_each_shell() {
    let p = Project::new();
    for (shell, needle) in [
        ("bash", "_tokenspec()"),
        ("zsh", "#compdef tokenspec"),
        ("fish", "complete -c tokenspec"),
        ("pwsh", "Register-ArgumentCompleter"),
    ] {
        let out = p.run(&["completions", shell]);
        assert_eq!(out.code, 0, "{shell}");
        assert!(out.stdout.contains(needle), "{shell}");
        assert!(
            out.stdout.contains("export"),
            "{shell}: subcommands are completed"
        );
    }
}

#[test]
fn completions_need_no_spec() {
    let dir = tempfile::tempdir().unwrap();
    let out = crate::support::output(
        Project::new()
            .cmd(["completions", "bash"])
            .current_dir(dir.path()),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
}
