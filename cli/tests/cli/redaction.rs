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

/// A CI value that looks real is masked on every spec line a diagnostic
/// shows, not only in its own error (here the error is an unknown key).
#[test]
fn a_real_looking_ci_value_is_masked_in_another_keys_error() {
    let gh = format!("ghp_{}", "Zq7Lm2Xc9Vb4Nk1Jh6Gf3Ds8Ap5Ow0Ei2Ru7");
    let spec = format!(
        "token = [ {{ name = \"AAR_TOKEN\", class = \"cicd\", description = \"d\", ci_value = \"{gh}\", typo = 1 }} ]\n"
    );
    let p = Project::with_spec(&spec);
    for args in [&["load"][..], &["export"], &["gen", "--check"], &["check"]] {
        let out = p.run(args);
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(
            out.stderr.contains("unknown key `typo`"),
            "{args:?}: {}",
            out.stderr
        );
        out.assert_no_values(&[&gh, &gh[4..24]]);
    }
}

/// A regex that would close the `^(?:…)$` wrapper's group itself is refused
/// by spec validation, so it can never make every value valid.
#[test]
fn a_regex_that_escapes_its_anchors_is_refused() {
    let p = Project::with_spec(
        "[[token]]\nname = \"HEX_TOKEN\"\nclass = \"cicd\"\ndescription = \"d\"\nformat = { regex = \"[0-9a-f]{32})|(.*\" }\n",
    );
    p.write(".tokens", "HEX_TOKEN=not-hex-at-all\n");
    let out = p.run(&["export"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stdout.is_empty());
    assert!(out.stderr.contains("token-spec.toml:5:"), "{}", out.stderr);
    assert!(!out.stderr.contains("not-hex-at-all"));
}
