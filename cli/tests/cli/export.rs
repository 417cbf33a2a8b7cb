//! `export`: each format's exact output, failing closed, `--partial`, GitHub masks.

use crate::support::{Project, SECRET};

fn project() -> Project {
    let p = Project::new();
    p.tokens(".tokens", &[("DEPLOY_TOKEN", "it's $(x)")]);
    p.tokens(".env", &[("APP_SECRET", "a\nb"), ("OPTIONAL_KEY", "k")]);
    p
}

#[test]
fn sh_is_the_default_and_quotes_singly() {
    let out = project().run(&["export"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "export DEPLOY_TOKEN='it'\\''s $(x)'\nexport APP_SECRET='a\nb'\nexport OPTIONAL_KEY='k'\n"
    );
    assert_eq!(out.stderr, "");
}

#[test]
fn type_selects_the_class() {
    let p = project();
    assert_eq!(
        p.run(&["export", "--type=cicd"]).stdout,
        "export DEPLOY_TOKEN='it'\\''s $(x)'\n"
    );
    assert_eq!(
        p.run(&["export", "--type", "runtime"]).stdout,
        "export APP_SECRET='a\nb'\nexport OPTIONAL_KEY='k'\n"
    );
}

#[test]
fn fish_pwsh_dotenv_json() {
    let p = project();
    let run = |f: &str| {
        let out = p.run(&["export", "--type=cicd", &format!("--format={f}")]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.stdout
    };
    assert_eq!(run("fish"), "set -gx DEPLOY_TOKEN 'it\\'s $(x)'\n");
    assert_eq!(run("pwsh"), "$env:DEPLOY_TOKEN = 'it''s $(x)'\n");
    assert_eq!(run("dotenv"), "DEPLOY_TOKEN=\"it's \\$(x)\"\n");
    assert_eq!(run("json"), "{\n  \"DEPLOY_TOKEN\": \"it's $(x)\"\n}\n");
}

#[test]
fn optional_unset_tokens_are_left_out() {
    let p = Project::new();
    p.tokens(".env", &[("APP_SECRET", "s")]);
    assert_eq!(
        p.run(&["export", "--type=runtime"]).stdout,
        "export APP_SECRET='s'\n"
    );
}

#[test]
fn missing_required_token_prints_nothing_and_exits_1() {
    let p = Project::new();
    p.tokens(".tokens", &[("DEPLOY_TOKEN", SECRET)]);
    let out = p.run(&["export"]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "error: APP_SECRET is missing (environment: none); looked in the process environment, .env\n\
         help: nothing was exported; fix the tokens above, or pass --partial to export only the valid ones\n"
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let p = Project::new();
    p.write(
        ".tokens",
        "DEPLOY_TOKEN=a\nDEPLOY_TOKEN=b\nGH_TOKEN=not-a-pat\n",
    );
    let out = p.run(&["--env", "prod", "export"]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "error: .tokens:2: DEPLOY_TOKEN is set twice in one file (first at line 1)\n\
         help: keep one of the two lines\n\
         error: GH_TOKEN from .tokens:3 does not match format github_pat\n\
         error: APP_SECRET is missing (environment: prod); looked in the process environment, .env.prod, .env\n\
         help: nothing was exported; fix the tokens above, or pass --partial to export only the valid ones\n"
    );
}

#[test]
fn partial_exports_the_valid_tokens_and_warns() {
    let p = Project::new();
    p.tokens(".tokens", &[("DEPLOY_TOKEN", "d")]);
    let out = p.run(&["export", "--partial"]);
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout, "export DEPLOY_TOKEN='d'\n");
    assert_eq!(
        out.stderr,
        "warning: APP_SECRET is missing (environment: none); looked in the process environment, .env\n"
    );
}

#[test]
fn unquoted_dollar_is_never_altered_silently() {
    let p = Project::new();
    p.write(".tokens", "DEPLOY_TOKEN=pa$word\n");
    p.write(".env", "APP_SECRET='pa$word'\n");
    let out = p.run(&["export"]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "error: .tokens:1: the value of DEPLOY_TOKEN contains `$`, which dotenv substitution would change\n\
         help: wrap the value in single quotes: DEPLOY_TOKEN='…'\n\
         help: nothing was exported; fix the tokens above, or pass --partial to export only the valid ones\n"
    );
    // Single quotes keep it literal.
    let out = p.run(&["export", "--type=runtime"]);
    assert_eq!(out.stdout, "export APP_SECRET='pa$word'\n");
}

#[test]
fn group_readable_file_is_a_warning_not_a_refusal() {
    let p = project();
    crate::support::set_mode(&p.path(".tokens"), 0o644);
    let out = p.run(&["export", "--type=cicd"]);
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout, "export DEPLOY_TOKEN='it'\\''s $(x)'\n");
    assert_eq!(
        out.stderr,
        "warning: .tokens is readable by group or others (mode 0644)\nhelp: chmod 600 .tokens\n"
    );
}

#[test]
fn github_format_heredoc_on_stdout_masks_on_stderr() {
    let p = project();
    let out = p.run(&["export", "--format=github"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // stderr: one mask per line of each value, nothing else.
    assert_eq!(
        out.stderr,
        "::add-mask::it's $(x)\n::add-mask::a\n::add-mask::b\n::add-mask::k\n"
    );
    // stdout: NAME<<DELIM / value / DELIM, one random delimiter absent from every value.
    let first = out.stdout.lines().next().unwrap();
    let delim = first
        .strip_prefix("DEPLOY_TOKEN<<")
        .expect("heredoc header");
    assert!(
        delim.starts_with("ghadelimiter_") && delim.len() == "ghadelimiter_".len() + 32,
        "{delim}"
    );
    assert_eq!(
        out.stdout,
        format!("DEPLOY_TOKEN<<{d}\nit's $(x)\n{d}\nAPP_SECRET<<{d}\na\nb\n{d}\nOPTIONAL_KEY<<{d}\nk\n{d}\n", d = delim)
    );
    let again = p.run(&["export", "--format=github"]);
    assert_ne!(again.stdout, out.stdout, "the delimiter is random per run");
}

#[test]
fn github_masks_escape_percent_and_split_carriage_returns() {
    let p = Project::new();
    p.tokens(".tokens", &[("DEPLOY_TOKEN", "50%\r\nof it")]);
    let out = p.run(&["export", "--type=cicd", "--format=github"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "::add-mask::50%25\n::add-mask::of it\n");
}

#[test]
fn github_format_fails_closed_without_masks() {
    let p = Project::new();
    p.tokens(".tokens", &[("DEPLOY_TOKEN", SECRET)]);
    let out = p.run(&["export", "--format=github"]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert!(!out.stderr.contains("add-mask"), "{}", out.stderr);
    crate::support::assert_redacted(&out);
}
