//! What other tools run: the repository's pre-commit hooks through
//! `pre-commit try-repo` in a scratch repository, and the GitHub Action's
//! shell steps with a fake `$GITHUB_ENV`, `$GITHUB_PATH` and `$GITHUB_OUTPUT`.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::{Out, Project, GIT_ISOLATION};
use crate::tools;

const SPEC: &str = r#"
environments = ["dev", "prod", "ci"]
env_from = ["CI", "APP_ENV"]

[[token]]
name = "DEPLOY_TOKEN"
class = "cicd"
description = "Deploys"

[[token]]
name = "APP_SECRET"
class = "runtime"
description = "Signs sessions"
"#;

fn out(o: std::process::Output) -> Out {
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8(o.stdout).unwrap(),
        stderr: String::from_utf8(o.stderr).unwrap(),
    }
}

/// A committed repository after `tokenspec gen`.
fn repo() -> Project {
    let p = Project::with_spec(SPEC);
    p.git(&["init", "-q"]);
    let gen = p.run(&["gen"]);
    assert_eq!(gen.code, 0, "{gen:?}");
    p.git(&["add", "-A"]);
    p.git(&["commit", "-q", "-m", "tokens"]);
    p
}

/// `pre-commit try-repo <this repository> --all-files` in the scratch
/// repository, with the binary under test as `tokenspec` on `PATH`.
fn try_repo(p: &Project, python: &Path, cache: &Path) -> Out {
    let o = Command::new(python)
        .args(["-m", "pre_commit", "try-repo"])
        .arg(tools::workspace())
        .args(["--all-files", "--color=never"])
        .current_dir(p.root())
        .env("PATH", tools::path_with_bin())
        .env("PRE_COMMIT_HOME", cache)
        .envs(GIT_ISOLATION)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env_remove("CI")
        .env_remove("APP_ENV")
        .env_remove("TOKENSPEC_ENV")
        .stdin(Stdio::null())
        .output()
        .expect("pre-commit runs");
    out(o)
}

/// The line pre-commit prints for a hook: `name....Passed` or `....Failed`.
fn verdict<'a>(out: &'a Out, hook: &str) -> &'a str {
    let line = out
        .stdout
        .lines()
        .find(|l| l.starts_with(&format!("{hook}.")))
        .unwrap_or_else(|| panic!("no line for {hook}: {out:?}"));
    line.rsplit('.').next().unwrap()
}

#[test]
#[ignore = "needs pre-commit, python3 and git"]
fn pre_commit_hooks_pass_on_a_clean_repo_and_fail_on_a_staged_secret_file_or_a_stale_file() {
    let python = tools::python(&["pre_commit"]);
    let cache = tempfile::tempdir().unwrap();
    let p = repo();

    let clean = try_repo(&p, &python, cache.path());
    assert_eq!(clean.code, 0, "{clean:?}");
    assert_eq!(verdict(&clean, "tokenspec check"), "Passed");
    assert_eq!(verdict(&clean, "tokenspec gen --check"), "Passed");

    // A real token file staged for commit.
    p.write(".env.prod", "APP_SECRET=s3cr3t-value-1234\n");
    p.git(&["add", "-f", ".env.prod"]);
    let staged = try_repo(&p, &python, cache.path());
    assert_eq!(staged.code, 1, "{staged:?}");
    assert_eq!(verdict(&staged, "tokenspec check"), "Failed");
    assert!(
        staged.stdout.contains(
            "error[tracked-secret]: .env.prod: .env.prod is tracked by git, so the tokens it holds are in the repository"
        ),
        "{staged:?}"
    );
    assert!(!staged.stdout.contains("s3cr3t-value-1234"), "{staged:?}");
    p.git(&["rm", "-q", "--cached", ".env.prod"]);
    std::fs::remove_file(p.path(".env.prod")).unwrap();

    // A spec edit without `tokenspec gen`: the generated files are stale.
    let spec = p.read("token-spec.toml")
        + "\n[[token]]\nname = \"NEW_TOKEN\"\nclass = \"cicd\"\ndescription = \"New\"\n";
    p.write("token-spec.toml", &spec);
    p.git(&["add", "token-spec.toml"]);
    let stale = try_repo(&p, &python, cache.path());
    assert_eq!(stale.code, 1, "{stale:?}");
    assert_eq!(verdict(&stale, "tokenspec gen --check"), "Failed");
    assert!(
        stale
            .stdout
            .contains("error: .tokens.ci is out of date with token-spec.toml"),
        "{stale:?}"
    );
    assert_eq!(verdict(&stale, "tokenspec check"), "Failed");
}

/// Runs one of the action's step scripts as the runner would: bash, the
/// step's `env:` inputs, `RUNNER_TEMP` and the `GITHUB_*` files.
fn action_step(script: &str, dir: &Path, vars: &[(&str, &str)], path: &std::ffi::OsStr) -> Out {
    let o = Command::new("bash")
        .arg(tools::workspace().join("action").join(script))
        .current_dir(dir)
        .env_clear()
        .env("PATH", path)
        .env("RUNNER_TEMP", dir.join("runner-temp"))
        .env("GITHUB_ENV", dir.join("github-env"))
        .env("GITHUB_PATH", dir.join("github-path"))
        .env("GITHUB_OUTPUT", dir.join("github-output"))
        .env("GITHUB_ACTION_PATH", tools::workspace())
        .envs(vars.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("bash runs");
    out(o)
}

#[test]
fn the_action_exports_a_class_into_github_env_with_masks_and_adds_nothing_on_failure() {
    let p = repo();
    let runner = tempfile::tempdir().unwrap();
    std::fs::create_dir(runner.path().join("runner-temp")).unwrap();
    std::fs::write(runner.path().join("github-env"), "EARLIER=1\n").unwrap();
    let root = p.root().to_str().unwrap();
    let path = tools::path_with_bin();

    let done = action_step(
        "export.sh",
        runner.path(),
        &[
            ("TOKENSPEC_EXPORT_TYPE", "cicd"),
            ("TOKENSPEC_EXPORT_ENV", "prod"),
            ("TOKENSPEC_EXPORT_ROOT", root),
            ("DEPLOY_TOKEN", "deploy-Value-42"),
        ],
        &path,
    );
    assert_eq!(done.code, 0, "{done:?}");
    assert_eq!(done.stdout, "");
    assert_eq!(done.stderr, "::add-mask::deploy-Value-42\n");
    let env = std::fs::read_to_string(runner.path().join("github-env")).unwrap();
    let (first, rest) = env.split_once('\n').unwrap();
    assert_eq!(first, "EARLIER=1");
    let mut lines = rest.lines();
    let head = lines.next().unwrap();
    let delimiter = head.strip_prefix("DEPLOY_TOKEN<<").expect(&env);
    assert_eq!(lines.next(), Some("deploy-Value-42"));
    assert_eq!(lines.next(), Some(delimiter));
    assert_eq!(lines.next(), None);

    // A missing token: the step fails and $GITHUB_ENV is unchanged.
    let failed = action_step(
        "export.sh",
        runner.path(),
        &[
            ("TOKENSPEC_EXPORT_TYPE", "runtime"),
            ("TOKENSPEC_EXPORT_ENV", "prod"),
            ("TOKENSPEC_EXPORT_ROOT", root),
        ],
        &path,
    );
    assert_eq!(failed.code, 1, "{failed:?}");
    assert!(
        failed
            .stderr
            .starts_with("error: APP_SECRET is missing (environment: prod)"),
        "{failed:?}"
    );
    assert_eq!(
        std::fs::read_to_string(runner.path().join("github-env")).unwrap(),
        env
    );
    let leftovers = std::fs::read_dir(runner.path().join("runner-temp"))
        .unwrap()
        .count();
    assert_eq!(leftovers, 0, "the temporary export file is removed");
}

#[test]
fn the_action_refuses_a_version_or_installer_it_cannot_install() {
    let runner = tempfile::tempdir().unwrap();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let bad = action_step(
        "install.sh",
        runner.path(),
        &[("TOKENSPEC_VERSION", "1.0; rm -rf /")],
        &path,
    );
    assert_eq!(bad.code, 2);
    assert_eq!(
        bad.stderr,
        "error: the version input must be a release such as 0.1.0, got '1.0; rm -rf /'\n"
    );
    let bad = action_step(
        "install.sh",
        runner.path(),
        &[
            ("TOKENSPEC_VERSION", "0.1.0"),
            ("TOKENSPEC_INSTALLER", "brew"),
        ],
        &path,
    );
    assert_eq!(bad.code, 2);
    assert_eq!(
        bad.stderr,
        "error: the installer input must be pip, npm or cargo, got 'brew'\n"
    );
    assert!(!runner.path().join("github-path").exists());
}

/// The action's steps are the scripts the tests run, with every input passed.
#[test]
fn the_action_runs_its_scripts_with_every_input() {
    let action = std::fs::read_to_string(tools::workspace().join("action.yml")).unwrap();
    for needed in [
        "using: composite",
        "run: bash \"$GITHUB_ACTION_PATH/action/install.sh\"",
        "run: bash \"$GITHUB_ACTION_PATH/action/export.sh\"",
        "TOKENSPEC_VERSION: ${{ inputs.version }}",
        "TOKENSPEC_INSTALLER: ${{ inputs.installer }}",
        "TOKENSPEC_EXPORT_TYPE: ${{ inputs.export-type }}",
        "TOKENSPEC_EXPORT_ENV: ${{ inputs.env }}",
        "TOKENSPEC_EXPORT_ROOT: ${{ inputs.root }}",
        "if: inputs.export-type != ''",
        "value: ${{ steps.install.outputs.path }}",
        "value: ${{ steps.install.outputs.version }}",
    ] {
        assert!(action.contains(needed), "action.yml lacks {needed:?}");
    }
    let readme = std::fs::read_to_string(tools::workspace().join("README.md")).unwrap();
    for input in [
        "`version`",
        "`installer`",
        "`export-type`",
        "`env`",
        "`root`",
        "`path`",
    ] {
        assert!(
            readme.contains(input),
            "README.md does not document {input}"
        );
    }
}

/// The install step with pip, from the wheel `cargo xtask dist` built
/// (pip reads it as a package index would serve it).
#[test]
#[ignore = "needs python3 and the wheel (cargo xtask dist)"]
fn the_action_installs_the_asked_version_with_pip_and_puts_it_on_github_path() {
    let python = tools::python(&[]);
    let dist = tools::dist();
    let runner = tempfile::tempdir().unwrap();
    std::fs::create_dir(runner.path().join("runner-temp")).unwrap();
    let python_dir = python.parent().unwrap().to_path_buf();
    let path = std::env::join_paths(std::iter::once(python_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let version = env!("CARGO_PKG_VERSION");
    let dist = dist.to_str().unwrap();
    let done = action_step(
        "install.sh",
        runner.path(),
        &[
            ("TOKENSPEC_VERSION", version),
            ("TOKENSPEC_INSTALLER", "pip"),
            ("PIP_FIND_LINKS", dist),
            ("PIP_NO_INDEX", "1"),
        ],
        &path,
    );
    assert_eq!(done.code, 0, "{done:?}");
    let bin = runner
        .path()
        .join(format!("runner-temp/tokenspec-{version}-pip/venv/bin"));
    assert_eq!(
        std::fs::read_to_string(runner.path().join("github-path")).unwrap(),
        format!("{}\n", bin.display())
    );
    assert_eq!(
        std::fs::read_to_string(runner.path().join("github-output")).unwrap(),
        format!(
            "path={}\nversion=tokenspec {version}\n",
            bin.join("tokenspec").display()
        )
    );
    let installed = Command::new(bin.join("tokenspec"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&installed.stdout),
        format!("tokenspec {version}\n")
    );
}
