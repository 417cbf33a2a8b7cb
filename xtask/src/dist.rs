//! `cargo xtask dist`: the `tokenspec` binary as the packages Python and
//! JavaScript repositories install with their own tools.
//!
//! - `tokenspec-<version>-py3-none-<platform>.whl`: the binary as the wheel's
//!   script (`tokenspec-<version>.data/scripts/tokenspec`), what maturin's
//!   `bindings = "bin"` writes for ruff, plus a tiny `tokenspec` module so
//!   `python -m tokenspec` works too. Written here rather than by maturin: the
//!   binary is already built (release profile, `--locked`), and maturin would
//!   be a second build system and a PyPI download in every `dist`.
//! - `tokenspec-<version>.tgz`: the npm package `tokenspec`, whose bin is a
//!   JavaScript shim that runs the platform package's binary (biome and
//!   esbuild's layout), and `tokenspec-cli-<os>-<cpu>-<version>.tgz`: the
//!   platform package `@tokenspec/cli-<os>-<cpu>` holding the binary, with
//!   `os` and `cpu` set so npm installs only the matching one. Written as
//!   `npm pack` writes them (`package/…` in a gzipped tar), so `dist` needs no
//!   Node.js.
//!
//! Every version is this crate's, which is the workspace's: one place.
//! Output is deterministic: sorted entries, fixed timestamps.

use std::fs;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// The workspace version, through this crate's `version.workspace = true`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

const SUMMARY: &str = "One token-spec.toml for every secret token: typed loading, CI files, checks";
const LICENSE: &str = "MIT OR Apache-2.0";
const HOMEPAGE: &str = "https://github.com/tokenspec/tokenspec";

pub struct Options {
    /// A prebuilt binary to package instead of building the release one.
    pub binary: Option<PathBuf>,
    pub out: PathBuf,
}

/// What `dist` wrote, for the summary on stderr.
pub struct Built {
    pub files: Vec<PathBuf>,
}

/// The platform the packages are for: the machine `dist` runs on.
#[derive(Debug, Clone, Copy)]
struct Platform {
    /// Node's `process.platform`.
    node_os: &'static str,
    /// Node's `process.arch`.
    node_cpu: &'static str,
    exe_suffix: &'static str,
}

fn host() -> Result<Platform, String> {
    let node_os = match std::env::consts::OS {
        "linux" => "linux",
        "macos" => "darwin",
        "windows" => "win32",
        "freebsd" => "freebsd",
        other => {
            return Err(format!(
                "no package layout for the operating system `{other}`"
            ))
        }
    };
    let node_cpu = match std::env::consts::ARCH {
        "x86_64" => "x64",
        "aarch64" => "arm64",
        "x86" => "ia32",
        "arm" => "arm",
        other => return Err(format!("no package layout for the processor `{other}`")),
    };
    Ok(Platform {
        node_os,
        node_cpu,
        exe_suffix: std::env::consts::EXE_SUFFIX,
    })
}

pub fn run(root: &Path, opts: &Options) -> Result<Built, String> {
    let platform = host()?;
    let binary = match &opts.binary {
        Some(path) => path.clone(),
        None => build_release(root)?,
    };
    let exe = fs::read(&binary).map_err(|e| format!("cannot read {}: {e}", binary.display()))?;
    let wheel_tag = wheel_platform_tag(&exe)?;

    // A fresh folder: an old version's packages must not sit beside the new.
    if opts.out.exists() {
        fs::remove_dir_all(&opts.out)
            .map_err(|e| format!("cannot clear {}: {e}", opts.out.display()))?;
    }
    fs::create_dir_all(&opts.out)
        .map_err(|e| format!("cannot create {}: {e}", opts.out.display()))?;

    let mut files = Vec::new();
    let wheel_name = format!("tokenspec-{VERSION}-py3-none-{wheel_tag}.whl");
    files.push(write(
        &opts.out.join(wheel_name),
        &wheel(&exe, &wheel_tag, platform)?,
    )?);
    let platform_pkg = format!("@tokenspec/cli-{}-{}", platform.node_os, platform.node_cpu);
    files.push(write(
        &opts.out.join(format!("tokenspec-{VERSION}.tgz")),
        &npm_main(&platform_pkg)?,
    )?);
    files.push(write(
        &opts.out.join(format!(
            "tokenspec-cli-{}-{}-{VERSION}.tgz",
            platform.node_os, platform.node_cpu
        )),
        &npm_platform(&platform_pkg, platform, &exe)?,
    )?);
    Ok(Built { files })
}

fn write(path: &Path, bytes: &[u8]) -> Result<PathBuf, String> {
    fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path.to_path_buf())
}

/// `cargo build --release --locked` of the binary; returns its path.
fn build_release(root: &Path) -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args([
            "build",
            "--release",
            "--locked",
            "--package",
            "tokenspec-cli",
            "--bin",
            "tokenspec",
        ])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("`cargo build --release` of the tokenspec binary failed".into());
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|t| if t.is_absolute() { t } else { root.join(t) })
        .unwrap_or_else(|| root.join("target"));
    Ok(target
        .join("release")
        .join(format!("tokenspec{}", std::env::consts::EXE_SUFFIX)))
}

/// The wheel's platform tag, as auditwheel would give it: on Linux the
/// newest glibc symbol version the binary needs (`manylinux_2_X`, 2.17 at
/// least, the oldest pip's tags name), `musllinux_1_2` for a binary with
/// no glibc symbols (static musl, as ruff's Linux wheels).
fn wheel_platform_tag(exe: &[u8]) -> Result<String, String> {
    let arch = std::env::consts::ARCH;
    match std::env::consts::OS {
        "linux" => {
            let glibc = glibc_minor(exe)?;
            Ok(match glibc {
                Some(minor) => {
                    let minor = minor.max(17);
                    let mut tag = format!("manylinux_2_{minor}_{arch}");
                    if minor == 17 {
                        tag.push_str(&format!(".manylinux2014_{arch}"));
                    }
                    tag
                }
                None => format!("musllinux_1_2_{arch}"),
            })
        }
        "macos" if arch == "aarch64" => Ok("macosx_11_0_arm64".into()),
        "macos" => Ok("macosx_10_12_x86_64".into()),
        "windows" if arch == "x86_64" => Ok("win_amd64".into()),
        "windows" if arch == "aarch64" => Ok("win_arm64".into()),
        other => Err(format!("no wheel platform tag for `{other}` on `{arch}`")),
    }
}

/// The highest `GLIBC_2.N` version an ELF binary's dynamic symbols need.
fn glibc_minor(exe: &[u8]) -> Result<Option<u32>, String> {
    use object::{Object, ObjectSection};
    let file =
        object::File::parse(exe).map_err(|e| format!("the binary is not an executable: {e}"))?;
    let Some(dynstr) = file.section_by_name(".dynstr") else {
        return Ok(None);
    };
    let data = dynstr
        .data()
        .map_err(|e| format!("cannot read .dynstr: {e}"))?;
    Ok(data
        .split(|&b| b == 0)
        .filter_map(|s| s.strip_prefix(b"GLIBC_2."))
        .filter_map(|rest| {
            let minor = rest.split(|&b| b == b'.').next()?;
            std::str::from_utf8(minor).ok()?.parse::<u32>().ok()
        })
        .max())
}

// ---------------------------------------------------------------- wheel

/// `python -m tokenspec`, and the binary's path for Python callers.
const PY_INIT: &str = r#""""The tokenspec command-line tool, installed as this package's script."""

import os
import sysconfig

__all__ = ["find_tokenspec_bin"]


def find_tokenspec_bin() -> str:
    """The path of the tokenspec binary this wheel installed."""
    exe = "tokenspec" + (sysconfig.get_config_var("EXE") or "")
    scheme = {"nt": "nt_user", "posix": "posix_user"}.get(os.name)
    candidates = [os.path.join(sysconfig.get_path("scripts"), exe)]
    if scheme is not None:
        candidates.append(os.path.join(sysconfig.get_path("scripts", scheme), exe))
    for path in candidates:
        if os.path.isfile(path):
            return path
    raise FileNotFoundError("the tokenspec binary is not installed beside this package")
"#;

const PY_MAIN: &str = r#"import os
import subprocess
import sys

from tokenspec import find_tokenspec_bin


def main() -> int:
    exe = find_tokenspec_bin()
    if sys.platform == "win32":
        return subprocess.run([exe, *sys.argv[1:]]).returncode
    os.execv(exe, [exe, *sys.argv[1:]])
    return 2


if __name__ == "__main__":
    sys.exit(main())
"#;

fn wheel(exe: &[u8], tag: &str, platform: Platform) -> Result<Vec<u8>, String> {
    let data = format!("tokenspec-{VERSION}.data");
    let info = format!("tokenspec-{VERSION}.dist-info");
    let metadata = format!(
        "Metadata-Version: 2.1\n\
         Name: tokenspec\n\
         Version: {VERSION}\n\
         Summary: {SUMMARY}\n\
         Home-page: {HOMEPAGE}\n\
         License: {LICENSE}\n\
         Keywords: secrets,dotenv,tokens,ci,config\n\
         Classifier: Environment :: Console\n\
         Classifier: Programming Language :: Rust\n\
         Requires-Python: >=3.8\n\
         Project-URL: Source Code, {HOMEPAGE}\n\
         Description-Content-Type: text/markdown\n\
         \n\
         The `tokenspec` command: one `token-spec.toml` describes every secret token \
         of a repository; `tokenspec gen` writes typed Python and TypeScript modules, \
         CI files and docs from it. See {HOMEPAGE}.\n"
    );
    let wheel = format!(
        "Wheel-Version: 1.0\n\
         Generator: tokenspec xtask dist {VERSION}\n\
         Root-Is-Purelib: false\n\
         {}",
        tag.split('.')
            .map(|t| format!("Tag: py3-none-{t}\n"))
            .collect::<String>()
    );
    let script = format!("{data}/scripts/tokenspec{}", platform.exe_suffix);
    let entries: Vec<(String, &[u8], u32)> = vec![
        ("tokenspec/__init__.py".into(), PY_INIT.as_bytes(), 0o644),
        ("tokenspec/__main__.py".into(), PY_MAIN.as_bytes(), 0o644),
        (script, exe, 0o755),
        (format!("{info}/METADATA"), metadata.as_bytes(), 0o644),
        (format!("{info}/WHEEL"), wheel.as_bytes(), 0o644),
    ];
    let mut record = String::new();
    for (name, bytes, _) in &entries {
        let digest = Sha256::digest(bytes);
        let hash = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
        record.push_str(&format!("{name},sha256={hash},{}\n", bytes.len()));
    }
    let record_name = format!("{info}/RECORD");
    record.push_str(&format!("{record_name},,\n"));

    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let fail = |e: &dyn std::fmt::Display| format!("cannot write the wheel: {e}");
    // RECORD last, as the wheel spec recommends.
    for (name, bytes, mode) in entries
        .iter()
        .map(|(n, b, m)| (n.as_str(), *b, *m))
        .chain([(record_name.as_str(), record.as_bytes(), 0o644)])
    {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(mode);
        zip.start_file(name, options).map_err(|e| fail(&e))?;
        zip.write_all(bytes).map_err(|e| fail(&e))?;
    }
    Ok(zip.finish().map_err(|e| fail(&e))?.into_inner())
}

// ---------------------------------------------------------------- npm

/// The shim `npx tokenspec` runs: finds the platform package's binary and
/// runs it with the same arguments, standard streams and exit status.
const NPM_BIN: &str = r#"#!/usr/bin/env node
"use strict";
const { spawnSync } = require("node:child_process");
const { binaryPath } = require("../lib/index.js");

let exe;
try {
  exe = binaryPath();
} catch (e) {
  process.stderr.write(`error: ${e.message}\n`);
  process.exit(2);
}
const result = spawnSync(exe, process.argv.slice(2), { stdio: "inherit" });
if (result.error) {
  process.stderr.write(`error: cannot run ${exe}: ${result.error.message}\n`);
  process.exit(2);
}
if (result.signal) {
  process.kill(process.pid, result.signal);
}
process.exit(result.status === null ? 2 : result.status);
"#;

/// `require("tokenspec").binaryPath()`: the platform package's binary,
/// resolved from this package (so it works with npm, pnpm and yarn layouts).
const NPM_INDEX: &str = r#""use strict";
const path = require("node:path");

const PLATFORMS = __PLATFORMS__;

function binaryPath() {
  const key = `${process.platform}-${process.arch}`;
  const pkg = PLATFORMS[key];
  if (pkg === undefined) {
    throw new Error(
      `tokenspec has no binary for ${key}; install it with cargo: cargo install --locked tokenspec-cli`,
    );
  }
  let manifest;
  try {
    manifest = require.resolve(`${pkg}/package.json`);
  } catch {
    throw new Error(
      `the package ${pkg} is not installed; reinstall tokenspec without --no-optional / --omit=optional`,
    );
  }
  const exe = process.platform === "win32" ? "tokenspec.exe" : "tokenspec";
  return path.join(path.dirname(manifest), "bin", exe);
}

module.exports = { binaryPath };
"#;

const NPM_INDEX_DTS: &str = "/** The path of the platform package's `tokenspec` binary. */\n\
export declare function binaryPath(): string;\n";

fn npm_main(platform_pkg: &str) -> Result<Vec<u8>, String> {
    let key = platform_pkg.trim_start_matches("@tokenspec/cli-");
    let index = NPM_INDEX.replace(
        "__PLATFORMS__",
        &format!("{{ \"{key}\": \"{platform_pkg}\" }}"),
    );
    let package = format!(
        r#"{{
  "name": "tokenspec",
  "version": "{VERSION}",
  "description": "{SUMMARY}",
  "license": "{LICENSE}",
  "homepage": "{HOMEPAGE}",
  "repository": {{ "type": "git", "url": "git+{HOMEPAGE}.git" }},
  "bin": {{ "tokenspec": "bin/tokenspec.js" }},
  "main": "lib/index.js",
  "types": "lib/index.d.ts",
  "files": ["bin", "lib"],
  "engines": {{ "node": ">=18" }},
  "optionalDependencies": {{ "{platform_pkg}": "{VERSION}" }}
}}
"#
    );
    let readme = format!(
        "# tokenspec\n\nThe `tokenspec` command for JavaScript and TypeScript repositories: \
         `npm install --save-dev tokenspec`, then `npx tokenspec gen`.\n\
         The binary comes from the platform package ({platform_pkg} here).\n\nSee {HOMEPAGE}.\n"
    );
    tgz(&[
        ("package/README.md", readme.as_bytes(), 0o644),
        ("package/bin/tokenspec.js", NPM_BIN.as_bytes(), 0o755),
        ("package/lib/index.d.ts", NPM_INDEX_DTS.as_bytes(), 0o644),
        ("package/lib/index.js", index.as_bytes(), 0o644),
        ("package/package.json", package.as_bytes(), 0o644),
    ])
}

fn npm_platform(name: &str, platform: Platform, exe: &[u8]) -> Result<Vec<u8>, String> {
    let package = format!(
        r#"{{
  "name": "{name}",
  "version": "{VERSION}",
  "description": "The {os} {cpu} binary of tokenspec",
  "license": "{LICENSE}",
  "homepage": "{HOMEPAGE}",
  "repository": {{ "type": "git", "url": "git+{HOMEPAGE}.git" }},
  "os": ["{os}"],
  "cpu": ["{cpu}"],
  "files": ["bin"],
  "preferUnplugged": true
}}
"#,
        os = platform.node_os,
        cpu = platform.node_cpu,
    );
    let readme = format!(
        "# {name}\n\nThe `tokenspec` binary for {} {}; install `tokenspec`, which depends on it.\n",
        platform.node_os, platform.node_cpu
    );
    let bin = format!("package/bin/tokenspec{}", platform.exe_suffix);
    tgz(&[
        ("package/README.md", readme.as_bytes(), 0o644),
        (&bin, exe, 0o755),
        ("package/package.json", package.as_bytes(), 0o644),
    ])
}

/// A gzipped tar as `npm pack` writes it: `package/…` entries, ustar
/// headers, npm's fixed modification time (1985-10-26).
fn tgz(entries: &[(&str, &[u8], u32)]) -> Result<Vec<u8>, String> {
    const NPM_MTIME: u64 = 499_162_500;
    let fail = |e: std::io::Error| format!("cannot write an npm package: {e}");
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let mut tar = tar::Builder::new(gz);
    for (path, bytes, mode) in entries {
        let mut header = tar::Header::new_ustar();
        header.set_path(path).map_err(fail)?;
        header.set_size(bytes.len() as u64);
        header.set_mode(*mode);
        header.set_mtime(NPM_MTIME);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        tar.append(&header, *bytes).map_err(fail)?;
    }
    tar.into_inner().map_err(fail)?.finish().map_err(fail)
}
