//! The outside programs the Python, TypeScript, pre-commit and Action tests
//! run, found where `.ci/run` installs them. Each test that needs one is
//! `#[ignore = "needs …"]`; run with `--include-ignored`, a missing tool is
//! a failure with the command that installs it, never a silent pass.
//!
//! - `TOKENSPEC_TEST_PYTHON`: the Python to use (default `python3`); `.ci/run`
//!   points it at a fresh virtual environment holding the tokenspec wheel,
//!   mypy and pre-commit.
//! - `TOKENSPEC_TEST_NODE_PROJECT`: a folder whose `node_modules` holds
//!   `typescript` and `@types/node` (and, in `.ci/run`, the tokenspec npm
//!   packages).
//! - `TOKENSPEC_DIST`: where `cargo xtask dist` wrote the packages
//!   (default `target/dist`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cli is in the workspace")
        .to_path_buf()
}

/// The folder holding the `tokenspec` binary under test.
pub fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_tokenspec"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// `PATH` with the binary under test first.
pub fn path_with_bin() -> std::ffi::OsString {
    std::env::join_paths(std::iter::once(bin_dir()).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap()
}

/// Stdout of `program ARGS` when it runs and succeeds.
fn probe(program: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The Python interpreter (its own path, not a launcher's), with `modules`
/// importable.
pub fn python(modules: &[&str]) -> PathBuf {
    let given = std::env::var_os("TOKENSPEC_TEST_PYTHON").map(PathBuf::from);
    let program = given.clone().unwrap_or_else(|| "python3".into());
    let exe = probe(&program, &["-c", "import sys; print(sys.executable)"]);
    let exe = exe.unwrap_or_else(|| {
        panic!(
            "this test needs python3 ({} does not run): install it, or set TOKENSPEC_TEST_PYTHON",
            program.display()
        )
    });
    // A virtual environment's interpreter is itself, not the one it links to.
    let exe = given.unwrap_or_else(|| PathBuf::from(exe));
    for module in modules {
        assert!(
            probe(&exe, &["-c", &format!("import {module}")]).is_some(),
            "this test needs the Python module {module}: {} -m pip install {module}",
            exe.display()
        );
    }
    exe
}

/// The Node.js project holding `typescript` and `@types/node`.
pub fn node_project() -> PathBuf {
    let project = std::env::var_os("TOKENSPEC_TEST_NODE_PROJECT").map(PathBuf::from);
    let help = "this test needs node, typescript and @types/node: \
                `npm install typescript @types/node` in a folder and set TOKENSPEC_TEST_NODE_PROJECT to it (.ci/run does)";
    let project = project.unwrap_or_else(|| panic!("{help}"));
    for needed in [
        "node_modules/typescript/bin/tsc",
        "node_modules/@types/node",
    ] {
        assert!(project.join(needed).exists(), "{help}; {needed} is missing");
    }
    project
}

/// The `node` binary.
pub fn node() -> PathBuf {
    let exe = probe(Path::new("node"), &["-p", "process.execPath"]);
    PathBuf::from(exe.unwrap_or_else(|| panic!("this test needs node (Node.js 18 or later)")))
}

/// The folder `cargo xtask dist` wrote, holding the wheel and npm packages.
pub fn dist() -> PathBuf {
    let dir = std::env::var_os("TOKENSPEC_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target/dist"));
    let has_wheel = std::fs::read_dir(&dir)
        .map(|d| {
            d.flatten()
                .any(|e| e.file_name().to_string_lossy().ends_with(".whl"))
        })
        .unwrap_or(false);
    assert!(
        has_wheel,
        "this test needs the packages: run `cargo xtask dist` (or set TOKENSPEC_DIST); {} has no wheel",
        dir.display()
    );
    dir
}

/// The `tokenspec` the Python environment installed from the wheel, if any.
pub fn wheel_binary(python: &Path) -> Option<PathBuf> {
    let scripts = probe(
        python,
        &[
            "-c",
            "import sysconfig; print(sysconfig.get_path('scripts'))",
        ],
    )?;
    let exe = Path::new(&scripts).join("tokenspec");
    exe.is_file().then_some(exe)
}

/// An empty folder for `PATH`, so the generated modules find no `tokenspec` there.
pub fn empty_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}
