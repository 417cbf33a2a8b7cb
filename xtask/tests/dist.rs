//! `cargo xtask dist` packaging a given binary: the wheel's layout, tag and
//! RECORD hashes, the npm packages' manifests and modes, one version
//! everywhere, byte-identical output on a second run; and, with python3 and
//! npm, that pip and npm install them and the command runs.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;
use sha2::{Digest, Sha256};

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `/bin/echo` stands in for the binary: a real dynamically linked
/// executable whose output shows it ran with the given arguments.
const STAND_IN: &str = "/bin/echo";

fn dist(out: &Path) -> Vec<PathBuf> {
    let o = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["dist", "--binary", STAND_IN, "--out"])
        .arg(out)
        .stdin(Stdio::null())
        .output()
        .expect("xtask runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut files: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

fn name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

fn wheel_entries(path: &Path) -> Vec<(String, Vec<u8>, Option<u32>)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            (f.name().unwrap().into_owned(), bytes, f.unix_mode())
        })
        .collect()
}

fn tgz_entries(path: &Path) -> Vec<(String, Vec<u8>, u32)> {
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap());
    let mut tar = tar::Archive::new(gz);
    tar.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let path = e.path().unwrap().to_string_lossy().into_owned();
            let mode = e.header().mode().unwrap();
            let mut bytes = Vec::new();
            e.read_to_end(&mut bytes).unwrap();
            (path, bytes, mode)
        })
        .collect()
}

fn node_platform() -> (&'static str, &'static str) {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        "windows" => "win32",
        other => other,
    };
    let cpu = match std::env::consts::ARCH {
        "x86_64" => "x64",
        "aarch64" => "arm64",
        other => other,
    };
    (os, cpu)
}

#[test]
fn dist_writes_a_wheel_and_two_npm_packages_of_the_workspace_version() {
    let out = tempfile::tempdir().unwrap();
    let files = dist(out.path());
    let exe = std::fs::read(STAND_IN).unwrap();
    let (os, cpu) = node_platform();
    let names: Vec<String> = files.iter().map(|f| name(f)).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    let wheel = &files[0];
    let wheel_name = name(wheel);
    assert!(
        wheel_name.starts_with(&format!("tokenspec-{VERSION}-py3-none-"))
            && wheel_name.ends_with(".whl"),
        "{wheel_name}"
    );
    assert_eq!(names[1], format!("tokenspec-{VERSION}.tgz"));
    assert_eq!(names[2], format!("tokenspec-cli-{os}-{cpu}-{VERSION}.tgz"));

    // The wheel: the binary as its script, mode 0755; RECORD lists every
    // other file with its sha256 and size; WHEEL's tags are the file name's.
    let entries = wheel_entries(wheel);
    let find = |n: &str| {
        entries
            .iter()
            .find(|e| e.0 == n)
            .unwrap_or_else(|| panic!("{n} is not in the wheel"))
    };
    let script = find(&format!("tokenspec-{VERSION}.data/scripts/tokenspec"));
    assert_eq!(script.1, exe);
    assert_eq!(script.2.map(|m| m & 0o777), Some(0o755));
    let info = format!("tokenspec-{VERSION}.dist-info");
    let metadata = String::from_utf8(find(&format!("{info}/METADATA")).1.clone()).unwrap();
    assert!(metadata.contains("\nName: tokenspec\n"), "{metadata}");
    assert!(
        metadata.contains(&format!("\nVersion: {VERSION}\n")),
        "{metadata}"
    );
    let wheel_meta = String::from_utf8(find(&format!("{info}/WHEEL")).1.clone()).unwrap();
    assert!(wheel_meta.contains("Root-Is-Purelib: false\n"));
    let platform = wheel_name
        .trim_end_matches(".whl")
        .rsplit('-')
        .next()
        .unwrap()
        .to_owned();
    let tags: Vec<&str> = wheel_meta
        .lines()
        .filter_map(|l| l.strip_prefix("Tag: py3-none-"))
        .collect();
    assert_eq!(tags, platform.split('.').collect::<Vec<_>>());
    if std::env::consts::OS == "linux" {
        assert!(platform.starts_with("manylinux_2_") || platform.starts_with("musllinux_"));
    }
    let record = String::from_utf8(find(&format!("{info}/RECORD")).1.clone()).unwrap();
    let mut listed = 0;
    for line in record.lines() {
        let mut parts = line.split(',');
        let (file, hash, size) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        if file == format!("{info}/RECORD") {
            assert_eq!((hash, size), ("", ""));
            continue;
        }
        let bytes = &find(file).1;
        let digest = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(bytes));
        assert_eq!(hash, format!("sha256={digest}"), "{file}");
        assert_eq!(size, bytes.len().to_string(), "{file}");
        listed += 1;
    }
    assert_eq!(
        listed,
        entries.len() - 1,
        "RECORD lists every file:\n{record}"
    );
    assert_eq!(entries.last().unwrap().0, format!("{info}/RECORD"));

    // npm: `tokenspec` runs the platform package's binary.
    let main = tgz_entries(&files[1]);
    let manifest = |entries: &[(String, Vec<u8>, u32)]| -> serde_json::Value {
        let e = entries
            .iter()
            .find(|e| e.0 == "package/package.json")
            .unwrap();
        serde_json::from_slice(&e.1).unwrap()
    };
    let platform_pkg = format!("@tokenspec/cli-{os}-{cpu}");
    let m = manifest(&main);
    assert_eq!(m["name"], "tokenspec");
    assert_eq!(m["version"], VERSION);
    assert_eq!(m["bin"]["tokenspec"], "bin/tokenspec.js");
    assert_eq!(m["optionalDependencies"][&platform_pkg], VERSION);
    let shim = main
        .iter()
        .find(|e| e.0 == "package/bin/tokenspec.js")
        .unwrap();
    assert_eq!(shim.2, 0o755);
    assert!(shim.1.starts_with(b"#!/usr/bin/env node\n"));

    let plat = tgz_entries(&files[2]);
    let m = manifest(&plat);
    assert_eq!(m["name"], platform_pkg.as_str());
    assert_eq!(m["version"], VERSION);
    assert_eq!(m["os"], serde_json::json!([os]));
    assert_eq!(m["cpu"], serde_json::json!([cpu]));
    let bin = plat
        .iter()
        .find(|e| e.0 == "package/bin/tokenspec")
        .unwrap();
    assert_eq!((bin.1.as_slice(), bin.2), (exe.as_slice(), 0o755));

    // Deterministic: a second run writes the same bytes.
    let again = tempfile::tempdir().unwrap();
    for (a, b) in files.iter().zip(dist(again.path())) {
        assert_eq!(
            std::fs::read(a).unwrap(),
            std::fs::read(&b).unwrap(),
            "{}",
            name(a)
        );
    }
}

#[test]
fn dist_refuses_unknown_arguments_with_usage() {
    let o = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["dist", "--bogus"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "error: unknown argument `--bogus`\nhelp: usage: cargo xtask gen [--check] [--root DIR]\n       cargo xtask dist [--binary FILE] [--out DIR]\n"
    );
}

fn run(cmd: &mut Command) -> String {
    let o = cmd.stdin(Stdio::null()).output().expect("runs");
    assert!(
        o.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// pip installs the wheel into a fresh virtual environment, and npm the two
/// packages into a fresh project (the main one first, as a user would
/// name them), with no index; the command runs through each.
#[test]
#[ignore = "needs python3 and npm"]
fn pip_and_npm_install_the_packages_and_the_command_runs() {
    let out = tempfile::tempdir().unwrap();
    let files = dist(out.path());
    let work = tempfile::tempdir().unwrap();

    let python = std::env::var("TOKENSPEC_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let venv = work.path().join("venv");
    run(Command::new(&python).args(["-m", "venv"]).arg(&venv));
    run(Command::new(venv.join("bin/pip"))
        .args([
            "install",
            "--quiet",
            "--no-index",
            "--disable-pip-version-check",
        ])
        .arg(&files[0]));
    assert_eq!(
        run(Command::new(venv.join("bin/tokenspec")).arg("from-pip")),
        "from-pip\n"
    );
    assert_eq!(
        run(Command::new(venv.join("bin/python")).args(["-m", "tokenspec", "from-module"])),
        "from-module\n"
    );

    let project = work.path().join("project");
    std::fs::create_dir(&project).unwrap();
    std::fs::write(
        project.join("package.json"),
        "{\"name\": \"scratch\", \"private\": true}\n",
    )
    .unwrap();
    run(Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--offline",
            "--loglevel=error",
        ])
        .arg(&files[1])
        .arg(&files[2])
        .current_dir(&project));
    assert_eq!(
        run(Command::new("npx")
            .args(["--no-install", "tokenspec", "from-npx"])
            .current_dir(&project)),
        "from-npx\n"
    );
}
