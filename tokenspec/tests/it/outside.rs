//! Building a crate outside this workspace from a test: the one place that
//! knows where the workspace and its target folder are, and how to run the
//! inner `cargo` without the outer `cargo test`'s environment.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tokenspec crate sits in the workspace")
        .to_path_buf()
}

/// The target folder this test was built in (`…/target/debug/deps/<test>`),
/// which honours `CARGO_TARGET_DIR` when it was set. Sharing it means the
/// outside crate's dependencies are built once.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.ancestors()
        .nth(3)
        .expect("the test runs from <target>/<profile>/deps")
        .to_path_buf()
}

/// `cargo ARGS --offline` in `dir`, with the workspace's target folder.
pub fn cargo(dir: &Path, args: &[&str]) -> Output {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    Command::new(cargo)
        .args(args)
        .args(["--offline", "--color=never"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        // What the outer `cargo test` sets for this process is not for the inner build.
        .env_remove("CARGO_MANIFEST_DIR")
        .env_remove("CARGO_PRIMARY_PACKAGE")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("cargo runs")
}
