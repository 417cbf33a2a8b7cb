//! A planted secret appears in no command's output except `export`'s.

use crate::support::{assert_redacted, set_mode, Out, Project, SECRET};

/// A project whose files hold the secret in every position a message could
/// leak it: a set value, an invalid one, a duplicate, a `$` hazard, a
/// world-readable file.
fn planted() -> Project {
    let p = Project::new();
    p.write(
        ".tokens",
        &format!("DEPLOY_TOKEN='{SECRET}'\nGH_TOKEN={SECRET}\n"),
    );
    p.write(".tokens.prod", &format!("DEPLOY_TOKEN={SECRET}$x\n"));
    p.write(
        ".env",
        &format!("APP_SECRET={SECRET}\nAPP_SECRET={SECRET}2\nOPTIONAL_KEY=\"{SECRET}\"\n"),
    );
    set_mode(&p.path(".env"), 0o644);
    p
}

fn each_command(p: &Project) -> Vec<(String, Out)> {
    let mut outs = Vec::new();
    for env in [&[][..], &["--env", "prod"], &["--env", "ci"]] {
        for cmd in [
            &["load"][..],
            &["load", "--type=cicd"],
            &["info"],
            &[
                "validate",
                "DEPLOY_TOKEN",
                "GH_TOKEN",
                "APP_SECRET",
                "OPTIONAL_KEY",
            ],
            &["run", "--", "sh", "-c", "echo child ran"],
            &["check"],
            &["check", "--format=json"],
            &["migrate", "--dry-run"],
        ] {
            let args: Vec<&str> = env.iter().chain(cmd).copied().collect();
            outs.push((args.join(" "), p.run(&args)));
        }
    }
    outs
}

#[test]
fn secret_absent_from_every_command_but_export() {
    let p = planted();
    for (args, out) in each_command(&p) {
        assert!(
            !out.stdout.contains(SECRET) && !out.stderr.contains(SECRET),
            "`tokenspec {args}` leaked the secret"
        );
    }
}

#[test]
fn secret_absent_when_tokens_are_valid() {
    let p = Project::new();
    p.tokens(".tokens", &[("DEPLOY_TOKEN", SECRET)]);
    p.tokens(".env", &[("APP_SECRET", SECRET)]);
    for (args, out) in each_command(&p) {
        assert!(
            !out.stdout.contains(SECRET) && !out.stderr.contains(SECRET),
            "`tokenspec {args}` leaked the secret"
        );
    }
    let out = p.run(&["run", "--", "sh", "-c", "echo child ran"]);
    assert_eq!(out.stdout, "child ran\n");
    assert_redacted(&out);
    // export is the one command that prints values.
    let out = p.run(&["export"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains(SECRET));
    assert!(!out.stderr.contains(SECRET));
}
