//! The real `xtask` binary: the committed files are fresh, a spec change
//! makes `--check` fail with the fix, `gen` repairs it, and a bad spec or a
//! real value in a committed file is refused at its line with nothing written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tokenspec_repo::render;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Runs `xtask gen ARGS…` without CI variables (run from `/` so only
/// `CARGO_MANIFEST_DIR` or `--root` can locate the workspace).
fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("gen")
        .args(args)
        .current_dir("/")
        .env_remove("CI")
        .env_remove("APP_ENV")
        .output()
        .expect("xtask runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const GENERATED: &[&str] = &[
    ".tokens.ci",
    ".env.ci",
    "docs/TOKENS.md",
    ".gitignore",
    "token-spec.schema.json",
];

/// A copy of the real spec and generated files in a temp dir.
fn copy_of_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("docs")).unwrap();
    for file in GENERATED.iter().chain(&[render::SPEC_FILE]) {
        std::fs::copy(repo_root().join(file), dir.path().join(file)).unwrap();
    }
    dir
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

#[test]
fn committed_files_are_fresh() {
    let out = xtask(&["--check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the committed generated files are stale:\n{}",
        stderr(&out)
    );
}

#[test]
fn the_output_list_is_what_this_test_copies() {
    let spec = tokenspec_spec::Spec::load(&repo_root().join(render::SPEC_FILE), "token-spec.toml")
        .unwrap();
    let outputs = render::outputs(&spec, |_| None);
    let paths: Vec<&str> = outputs.iter().map(|o| o.path.as_str()).collect();
    assert_eq!(paths, GENERATED);
}

#[test]
fn adding_a_token_fails_check_then_gen_adds_it_everywhere() {
    let dir = copy_of_repo();
    let root = dir.path().to_str().unwrap();

    // Hand-kept settings around the generated block, as the real system has.
    let env_ci = read(dir.path(), ".env.ci");
    let (above, below) = (
        "# kept\nLOG_LEVEL=debug\n\n",
        "\nDATABASE_URL='postgres://ci@localhost/ci'\n",
    );
    std::fs::write(
        dir.path().join(".env.ci"),
        format!("{above}{env_ci}{below}"),
    )
    .unwrap();
    let out = xtask(&["--root", root, "--check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let mut spec = read(dir.path(), render::SPEC_FILE);
    spec.push_str(
        "\n[[token]]\nname = \"NEW_SERVICE_TOKEN\"\nclass = \"runtime\"\ndescription = \"Token added by the freshness test\"\n\
         \n[[token]]\nname = \"NEW_PIPELINE_TOKEN\"\nclass = \"cicd\"\ndescription = \"Pipeline token added by the test\"\n",
    );
    std::fs::write(dir.path().join(render::SPEC_FILE), &spec).unwrap();
    let before: Vec<String> = GENERATED.iter().map(|f| read(dir.path(), f)).collect();

    let out = xtask(&["--root", root, "--check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for stale in [".tokens.ci", ".env.ci", "docs/TOKENS.md"] {
        assert!(
            err.contains(&format!("error: {stale} is out of date")),
            "{stale} not named:\n{err}"
        );
    }
    assert!(
        !err.contains(".gitignore") && !err.contains("schema"),
        "fresh files named:\n{err}"
    );
    assert!(err.contains("help: run `cargo xtask gen`"), "{err}");
    let after: Vec<String> = GENERATED.iter().map(|f| read(dir.path(), f)).collect();
    assert_eq!(before, after, "--check wrote a file");

    let out = xtask(&["--root", root]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("wrote .env.ci")
            && err.contains("wrote .tokens.ci")
            && err.contains("wrote docs/TOKENS.md"),
        "{err}"
    );

    let tokens_ci = read(dir.path(), ".tokens.ci");
    assert!(
        tokens_ci.contains("\nNEW_PIPELINE_TOKEN=ci_test_new_pipeline_token\n"),
        "{tokens_ci}"
    );
    assert!(!tokens_ci.contains("NEW_SERVICE_TOKEN"));
    let env_ci = read(dir.path(), ".env.ci");
    assert!(
        env_ci.starts_with(above) && env_ci.ends_with(below),
        "hand-kept lines changed:\n{env_ci}"
    );
    assert!(
        env_ci.contains("\nNEW_SERVICE_TOKEN=ci_test_new_service_token\n# <<< tokenspec <<<\n"),
        "{env_ci}"
    );
    assert!(!env_ci.contains("NEW_PIPELINE_TOKEN"));
    let docs = read(dir.path(), "docs/TOKENS.md");
    assert!(
        docs.contains("| `NEW_SERVICE_TOKEN` | Token added by the freshness test |"),
        "{docs}"
    );
    assert!(docs.contains("| `NEW_PIPELINE_TOKEN` |"), "{docs}");

    let out = xtask(&["--root", root, "--check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = xtask(&["--root", root]);
    assert!(
        stderr(&out).contains("0 written, 5 unchanged"),
        "second gen wrote:\n{}",
        stderr(&out)
    );
}

#[test]
fn a_spec_error_is_shown_at_its_line_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let spec = "version = 1\n\n[[token]]\nname = \"AAR_TOKEN\"\nclass = \"cicd\"\ndescription = \"x\"\nci_value = \"ghp_A1b2C3d4E5f6G7h8A1b2C3d4E5f6G7h8A1b2\"\n";
    std::fs::write(dir.path().join(render::SPEC_FILE), spec).unwrap();
    for args in [&["--check"][..], &[][..]] {
        let mut all = vec!["--root", dir.path().to_str().unwrap()];
        all.extend_from_slice(args);
        let out = xtask(&all);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("--> token-spec.toml:7:12"), "{err}");
        assert!(err.contains("looks like a real secret"), "{err}");
    }
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        files,
        [render::SPEC_FILE],
        "gen wrote files for an invalid spec"
    );
}

/// `gen` refuses to take a real value out of a committed CI file: the
/// xtask exits 1 naming the line (never the value) and writes nothing.
#[test]
fn a_real_value_in_a_committed_file_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let spec =
        "version = 1\n\n[[token]]\nname = \"AAR_TOKEN\"\nclass = \"cicd\"\ndescription = \"x\"\n";
    std::fs::write(dir.path().join(render::SPEC_FILE), spec).unwrap();
    let real = "ghp_A1b2C3d4E5f6G7h8A1b2C3d4E5f6G7h8A1b2";
    let tokens_ci = format!("# kept\nAAR_TOKEN={real}\n");
    std::fs::write(dir.path().join(".tokens.ci"), &tokens_ci).unwrap();
    let root = dir.path().to_str().unwrap();
    for args in [&["--root", root][..], &["--root", root, "--check"]] {
        let out = xtask(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(
            err,
            format!(
                "error: .tokens.ci:2: AAR_TOKEN holds a value that is not a placeholder, in a committed file\nhelp: {}\n",
                tokenspec_repo::generate::REFUSAL_HELP
            )
        );
        assert!(!err.contains(real));
    }
    let mut files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    files.sort();
    assert_eq!(files, [".tokens.ci", render::SPEC_FILE], "gen wrote files");
    assert_eq!(read(dir.path(), ".tokens.ci"), tokens_ci);
}

#[test]
fn usage_errors_exit_2() {
    for args in [&["--frobnicate"][..], &["--root"][..]] {
        let out = xtask(args);
        assert_eq!(out.status.code(), Some(2));
        let err = stderr(&out);
        assert!(
            err.starts_with("error: ") && err.contains("help: usage: cargo xtask gen"),
            "{err}"
        );
    }
}
