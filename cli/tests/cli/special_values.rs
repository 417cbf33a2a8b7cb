//! Files and values that cannot be used as they are: a FIFO named like a
//! token file, a NUL byte in a value, and problems in a layer that a higher
//! one shadows (which must not block).

use std::time::Duration;

use crate::env_rules::GH;
use crate::support::{output_within, Project};

/// Far above any real run; only a hang reaches it.
const HANG: Duration = Duration::from_secs(20);

fn mkfifo(p: &Project, name: &str) {
    let status = std::process::Command::new("mkfifo")
        .arg(p.path(name))
        .status()
        .expect("mkfifo (coreutils) runs");
    assert!(status.success());
}

#[cfg(unix)]
#[test]
fn a_fifo_named_like_a_token_file_is_an_error_naming_it_never_a_hang() {
    for (file, type_) in [(".env", "--type=runtime"), (".tokens", "--type=cicd")] {
        let p = Project::new();
        mkfifo(&p, file);
        for args in [
            &["load", type_][..],
            &["validate", "DEPLOY_TOKEN", "APP_SECRET"],
            &["export", type_],
            &["run", type_, "--", "true"],
        ] {
            let out = output_within(&mut p.cmd(args), HANG);
            assert_eq!(out.code, 2, "{args:?}: {out:?}");
            assert!(
                out.stderr.contains(&format!("error: {file}: ")),
                "{args:?}: {}",
                out.stderr
            );
            if args[0] != "load" {
                assert_eq!(out.stdout, "", "{args:?}");
            }
        }
    }
}

const NUL_VALUE: &str = "nulSECRETfront\0nulSECRETback";

#[test]
fn a_nul_byte_in_a_value_is_refused_with_file_and_line_in_every_command() {
    let p = Project::new();
    p.write(
        ".tokens",
        &format!("# first line\nDEPLOY_TOKEN={NUL_VALUE}\n"),
    );
    for args in [
        &["load", "--type=cicd"][..],
        &["validate", "DEPLOY_TOKEN"],
        &["export", "--type=cicd"],
        &["export", "--type=cicd", "--format=fish"],
        &["run", "--type=cicd", "--", "true"],
    ] {
        let out = p.run(args);
        assert_eq!(out.code, 1, "{args:?}: {out:?}");
        assert!(
            out.stderr.contains(
                "error: .tokens:2: the value of DEPLOY_TOKEN contains a NUL byte, which no environment variable can hold\n"
            ),
            "{args:?}: {}",
            out.stderr
        );
        out.assert_no_values(&["nulSECRETfront", "nulSECRETback", "\0"]);
        if args[0] != "load" {
            assert_eq!(out.stdout, "", "{args:?}: no shell ever sees it");
        }
    }
}

#[test]
fn a_nul_byte_in_a_shadowed_layer_does_not_block() {
    let p = Project::new();
    p.write(".tokens", &format!("DEPLOY_TOKEN={NUL_VALUE}\n"));
    let out = p.run_env(
        &["export", "--type=cicd", "--format=json"],
        &[("DEPLOY_TOKEN", "from-secret-store")],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()["DEPLOY_TOKEN"], "from-secret-store");
}

/// Issue 13, case 13: "process environment > files" holds even when the
/// file below is broken in a way that would block if it were used.
#[test]
fn problems_in_a_shadowed_layer_never_block_a_higher_value() {
    let env = [("DEPLOY_TOKEN", "from-secret-store"), ("GH_TOKEN", GH)];
    for tokens in [
        "DEPLOY_TOKEN=pa$word\n",
        "DEPLOY_TOKEN=one\nDEPLOY_TOKEN=two\n",
        "GH_TOKEN=not-a-github-token\nDEPLOY_TOKEN=x\n",
        "GH_TOKEN=\"pa$word\"\nGH_TOKEN=again\n",
    ] {
        let p = Project::new();
        p.write(".tokens", tokens);
        p.write(".tokens.prod", "DEPLOY_TOKEN=pa$word\nDEPLOY_TOKEN=twice\n");
        let out = p.run_env(
            &["--env", "prod", "export", "--type=cicd", "--format=json"],
            &env,
        );
        assert_eq!(out.code, 0, "{tokens:?}: {out:?}");
        assert_eq!(out.stderr, "", "{tokens:?}");
        let json = out.json();
        assert_eq!(json["DEPLOY_TOKEN"], "from-secret-store");
        assert_eq!(json["GH_TOKEN"], GH);
    }
}

#[test]
fn the_same_problems_block_where_the_file_is_used() {
    let p = Project::new();
    p.write(".tokens", "DEPLOY_TOKEN=pa$word\n");
    let out = p.run(&["export", "--type=cicd"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .starts_with("error: .tokens:1: the value of DEPLOY_TOKEN contains `$`"),
        "{}",
        out.stderr
    );
    // The env file is used, so its hazard blocks although the base file is fine.
    p.write(".tokens", "DEPLOY_TOKEN=fine\n");
    p.write(".tokens.dev", "DEPLOY_TOKEN=pa$word\n");
    let out = p.run(&["--env", "dev", "export", "--type=cicd"]);
    assert_eq!(out.code, 1, "{out:?}");
    // `check` still reports the shadowed hazard: that is the audit's job.
    let out = p.run_env(&["check"], &[("DEPLOY_TOKEN", "from-env")]);
    assert!(
        out.stderr.contains("dollar-hazard") || out.stdout.contains("dollar-hazard"),
        "{out:?}"
    );
}
