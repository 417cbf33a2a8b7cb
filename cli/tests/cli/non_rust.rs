//! A repository with no Rust in it, only the installed binary: a mixed
//! `.env` goes through `init`, `gen`, `gen --check`, `migrate` and `check`.
//! No output names `cargo xtask` (there is no cargo here), and no planted
//! value appears in any output or in the spec.

use crate::init::{mixed_env, DISCORD, GH, PLANTED, RANDOM_KEY};
use crate::support::{mode, set_mode, Out, Project};

/// The files `gen` writes.
const GENERATED: [&str; 5] = [
    ".tokens.ci",
    ".env.ci",
    "docs/TOKENS.md",
    ".gitignore",
    "token-spec.schema.json",
];

/// A git repository of a small Python service with one mixed `.env`.
fn python_repo() -> Project {
    let p = Project::without_spec();
    p.git(&["init", "-q"]);
    p.write_mode("app.py", "import os\nprint(os.environ['PORT'])\n", 0o644);
    p.write_mode("requirements.txt", "python-dotenv\n", 0o644);
    p.write(".env", &mixed_env());
    p
}

/// Runs `tokenspec ARGS`, asserting it names no `cargo xtask` and no planted value.
#[track_caller]
fn step(p: &Project, args: &[&str]) -> Out {
    let out = p.run(args);
    out.assert_no_values(PLANTED);
    for text in [&out.stdout, &out.stderr] {
        assert!(
            !text.contains("cargo xtask"),
            "`tokenspec {args:?}` names cargo xtask:\n{text}"
        );
        assert!(
            !text.contains("cargo "),
            "`tokenspec {args:?}` names cargo:\n{text}"
        );
    }
    out
}

#[track_caller]
fn assert_no_value_in(p: &Project, file: &str) {
    let text = p.read(file);
    for v in PLANTED {
        assert!(!text.contains(v), "{v:?} in {file}:\n{text}");
    }
}

#[test]
fn init_gen_check_migrate_check_with_the_binary_alone() {
    let p = python_repo();

    // init: a starter spec from the mixed .env, names only.
    let out = step(&p, &["init"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_no_value_in(&p, "token-spec.toml");
    let spec = p.read("token-spec.toml");
    for token in [
        "GH_TOKEN",
        "DISCORD_BOT_TOKEN",
        "STRIPE_KEY",
        "DATABASE_URL",
        "SESSION_SECRET",
    ] {
        assert!(
            spec.contains(&format!("name = \"{token}\"")),
            "{token} missing:\n{spec}"
        );
    }
    for setting in ["APP_ENV", "PORT", "LOG_LEVEL", "CACHE_URL"] {
        // A setting is no token (APP_ENV appears in `env_from` only).
        assert!(
            !spec.contains(&format!("name = \"{setting}\"")),
            "{setting} in the spec:\n{spec}"
        );
    }
    assert!(out.stderr.contains("tokenspec gen"), "{out:?}");

    // gen writes every generated file; a second run has nothing to do.
    let out = step(&p, &["gen"]);
    assert_eq!(out.code, 0, "{out:?}");
    for file in GENERATED {
        assert!(p.path(file).is_file(), "gen did not write {file}");
        assert_no_value_in(&p, file);
    }
    let out = step(&p, &["gen", "--check"]);
    assert_eq!(out.code, 0, "fresh files must pass: {out:?}");

    // A spec edit makes them stale: exit 1, naming the command that fixes it.
    let edited = spec.replacen("TODO: what GH_TOKEN is for", "Pushes releases", 1);
    assert_ne!(edited, spec);
    p.write_mode("token-spec.toml", &edited, 0o644);
    let out = step(&p, &["gen", "--check"]);
    assert_eq!(out.code, 1, "stale files must fail: {out:?}");
    assert!(out.stderr.contains("`tokenspec gen`"), "{out:?}");
    assert_eq!(step(&p, &["gen"]).code, 0);
    assert_eq!(step(&p, &["gen", "--check"]).code, 0);

    // migrate: the GitHub token (cicd) leaves .env for .tokens; runtime
    // tokens and ordinary settings stay; no value changes.
    let out = step(&p, &["migrate", "--dry-run"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!p.path(".tokens").exists(), "a dry run writes nothing");
    let out = step(&p, &["migrate"]);
    assert_eq!(out.code, 0, "{out:?}");
    let tokens = p.read(".tokens");
    let env = p.read(".env");
    assert!(
        tokens.contains(&format!("GH_TOKEN={GH}\n")),
        "GH_TOKEN not moved intact"
    );
    assert!(!env.contains("GH_TOKEN"), "GH_TOKEN left in .env");
    assert!(env.contains(&format!("DISCORD_BOT_TOKEN={DISCORD}\n")));
    assert!(env.contains(&format!("STRIPE_KEY={RANDOM_KEY}\n")));
    assert!(env.contains("PORT=8080\n"));
    assert_eq!(mode(&p.path(".tokens")), 0o600);

    // check: the result passes the audit.
    let out = step(&p, &["check"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.starts_with("0 errors, 0 warnings"), "{out:?}");

    // And fails it when a secret file is readable by others.
    set_mode(&p.path(".env"), 0o644);
    let out = step(&p, &["check"]);
    assert_eq!(out.code, 1, "{out:?}");
}

/// Issue 11 item 2: generated headers and template comments name a command
/// that exists where the user is: `tokenspec gen`.
#[test]
fn generated_files_name_no_cargo_command() {
    let p = python_repo();
    assert_eq!(step(&p, &["init"]).code, 0);
    assert_eq!(step(&p, &["gen"]).code, 0);
    for file in GENERATED {
        let text = p.read(file);
        assert!(
            !text.contains("cargo xtask"),
            "{file} names cargo xtask:\n{text}"
        );
    }
}
