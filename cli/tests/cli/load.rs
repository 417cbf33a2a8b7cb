//! `load`: the status table, exit codes, and never a file named after a flag.

use crate::support::Project;

#[test]
fn table_shows_source_and_state_never_values() {
    let p = Project::new();
    p.tokens(
        ".tokens",
        &[("DEPLOY_TOKEN", "deploy-value"), ("GH_TOKEN", "nope")],
    );
    p.tokens(".env", &[("APP_SECRET", "app-value")]);
    let out = p.run_env(&["load"], &[("APP_SECRET", "from-env")]);
    assert_eq!(
        out.stdout,
        "NAME          CLASS    SOURCE       STATE\n\
         DEPLOY_TOKEN  cicd     .tokens:1    set\n\
         GH_TOKEN      cicd     .tokens:2    invalid\n\
         APP_SECRET    runtime  $APP_SECRET  set\n\
         OPTIONAL_KEY  runtime  -            missing (optional)\n"
    );
    assert_eq!(
        out.stderr,
        "error: GH_TOKEN from .tokens:2 does not match format github_pat\n"
    );
    assert_eq!(out.code, 1);
    for v in ["deploy-value", "nope", "app-value", "from-env"] {
        assert!(!out.stdout.contains(v) && !out.stderr.contains(v), "{v}");
    }
}

#[test]
fn all_set_is_0() {
    let p = Project::new();
    p.tokens(".tokens", &[("DEPLOY_TOKEN", "d")]);
    let out = p.run(&["load", "--type=cicd"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "NAME          CLASS  SOURCE     STATE\nDEPLOY_TOKEN  cicd   .tokens:1  set\nGH_TOKEN      cicd   -          missing (optional)\n");
}

#[test]
fn placeholder_and_missing_states() {
    let p = Project::new();
    p.tokens(".tokens.dev", &[("DEPLOY_TOKEN", "CHANGE_ME_X")]);
    p.tokens(".tokens", &[("DEPLOY_TOKEN", "x")]);
    p.tokens(".env", &[]);
    let out = p.run(&["--env", "dev", "load"]);
    assert_eq!(out.code, 1);
    // The placeholder in .tokens.dev does not shadow the real base value.
    assert!(
        out.stdout
            .contains("DEPLOY_TOKEN  cicd     .tokens:1  set\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("APP_SECRET    runtime  -          missing\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn deprecated_tokens_show_as_deprecated_with_a_warning() {
    let p = Project::with_spec(
        "[[token]]\nname = \"OLD\"\nclass = \"cicd\"\ndescription = \"o\"\ndeprecated = { replacement = \"NEW\" }\n\
         [[token]]\nname = \"NEW\"\nclass = \"cicd\"\ndescription = \"n\"\nrequired = false\n",
    );
    p.tokens(".tokens", &[("OLD", "o")]);
    let out = p.run(&["load"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.contains("OLD   cicd   .tokens:1  deprecated\n"),
        "{}",
        out.stdout
    );
    assert_eq!(
        out.stderr,
        "warning: OLD is deprecated\nhelp: use NEW instead\n"
    );
}

#[test]
fn type_is_a_flag_never_a_file_name() {
    let p = Project::new();
    p.tokens(".tokens", &[("DEPLOY_TOKEN", "d")]);
    p.tokens(".env", &[("APP_SECRET", "a")]);
    for args in [
        &["load", "--type=cicd"][..],
        &["load", "--type", "cicd"],
        &["load", "--type=runtime"],
        &["load"],
    ] {
        assert_eq!(p.run(args).code, 0, "{args:?}");
    }
    let out = p.run(&["load", "--type=bogus"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .starts_with("error: invalid value 'bogus' for '--type <TYPE>'"),
        "{}",
        out.stderr
    );
    let names: Vec<String> = std::fs::read_dir(p.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('-')), "{names:?}");
}

#[test]
fn missing_base_file_is_created_private_from_the_template() {
    let p = Project::new();
    let out = p.run(&["load", "--type=cicd"]);
    assert_eq!(
        out.stderr,
        "warning: .tokens did not exist; created it from the spec's template with mode 0600\n\
         help: replace each CHANGE_ME_ value in .tokens with the real secret\n\
         error: DEPLOY_TOKEN from .tokens:6 is an unfilled CHANGE_ME_ placeholder, which never counts as set\n\
         help: replace it with the real value, or set DEPLOY_TOKEN in the environment\n"
            .replace(":6", &format!(":{}", line_of(&p.read(".tokens"), "DEPLOY_TOKEN="))),
    );
    assert_eq!(out.code, 1, "a placeholder is not a value");
    assert_eq!(crate::support::mode(&p.path(".tokens")), 0o600);
    let text = p.read(".tokens");
    assert!(
        text.contains("DEPLOY_TOKEN=CHANGE_ME_DEPLOY_TOKEN\n"),
        "{text}"
    );
    assert!(text.contains("GH_TOKEN=CHANGE_ME_GH_TOKEN\n"), "{text}");
    assert!(
        !p.path(".env").exists(),
        "--type=cicd leaves the runtime file alone"
    );

    // Never overwritten: a second load keeps the user's edit.
    p.write(".tokens", "DEPLOY_TOKEN=mine\n");
    let out = p.run(&["load", "--type=cicd"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(p.read(".tokens"), "DEPLOY_TOKEN=mine\n");
}

#[test]
fn all_creates_both_base_files() {
    let p = Project::new();
    p.run(&["load"]);
    for f in [".tokens", ".env"] {
        assert_eq!(crate::support::mode(&p.path(f)), 0o600, "{f}");
    }
    assert!(p.read(".env").contains("APP_SECRET=CHANGE_ME_APP_SECRET\n"));
    let names: Vec<String> = std::fs::read_dir(p.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "no temporary file left behind: {names:?}");
}

#[cfg(unix)]
#[test]
fn a_dangling_symlink_is_not_replaced() {
    let p = Project::new();
    std::os::unix::fs::symlink("elsewhere", p.path(".tokens")).unwrap();
    p.run(&["load", "--type=cicd"]);
    assert_eq!(
        std::fs::read_link(p.path(".tokens")).unwrap(),
        std::path::Path::new("elsewhere")
    );
}

/// 1-based line number of the first line starting with `prefix`.
fn line_of(text: &str, prefix: &str) -> usize {
    text.lines()
        .position(|l| l.starts_with(prefix))
        .expect("line present")
        + 1
}
