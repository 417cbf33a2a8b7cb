//! A link-time setting of the `tokenspec` binary, for start-up cost on
//! every pipeline step.
//!
//! **The unwinder, static.** Links GCC's unwinder (`libgcc_eh.a`) into the `tokenspec` binary instead
//! of loading `libgcc_s.so.1` at every start: one shared object fewer to
//! map, relocate and bind (`-z now`) before `main`. It is most of the
//! margin of the real-spec start-up goal, and pays for what the linked
//! store client costs (docs/benchmarks.md, "What the results rest on").
//!
//! Only for optimised Linux glibc builds (`release` and the profiles that
//! inherit it, so `cargo install` too); debug builds and tests keep the shared
//! `libgcc_s`. The release profile aborts on panic, so there the unwinder
//! serves backtraces alone. PIE, full RELRO and `-z now` are untouched.
//! `--as-needed` (rustc's default) then drops `libgcc_s` from the
//! dependencies, as `gcc -static-libgcc` does.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CC");
    let var = |name: &str| env::var(name).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") != "linux" || var("CARGO_CFG_TARGET_ENV") != "gnu" {
        return;
    }
    // Cargo names every profile that inherits `release` "release" here.
    if var("PROFILE") != "release" {
        return;
    }
    match unwinder_dir() {
        Some(dir) => {
            println!("cargo:rustc-link-search=native={}", dir.display());
            // Whole archive: the rlibs that call the unwinder come later on the
            // linker's command line, so the archive's members must be taken
            // before `-lgcc_s` is seen for the linker to find it not needed.
            println!("cargo:rustc-link-lib=static:+whole-archive=gcc_eh");
        }
        None => println!(
            "cargo:warning=libgcc_eh.a not found through `$CC -print-file-name`: tokenspec loads libgcc_s.so.1 at start-up instead"
        ),
    }
}

/// The folder of the C compiler's `libgcc_eh.a`, if it has one.
fn unwinder_dir() -> Option<PathBuf> {
    let target = env::var("TARGET").ok()?;
    let cc = env::var(format!("CC_{}", target.replace('-', "_")))
        .or_else(|_| env::var("TARGET_CC"))
        .or_else(|_| env::var("CC"))
        .unwrap_or_else(|_| "cc".to_owned());
    let out = Command::new(cc)
        .arg("-print-file-name=libgcc_eh.a")
        .output()
        .ok()?;
    let printed = String::from_utf8(out.stdout).ok()?;
    let path = Path::new(printed.trim());
    // Without the file, the compiler prints the bare name back.
    if !(out.status.success() && path.is_absolute() && path.is_file()) {
        return None;
    }
    path.parent().map(Path::to_path_buf)
}
