//! A secrets tool under a hostile or unlucky process setup: a closed or
//! full stderr/stdout is an ordinary outcome, never a panic or an abort
//! (which, with core dumps on, would write every token to a `core` file),
//! and the process itself cannot dump core.

use std::process::Stdio;

use crate::support::{output, Project, SECRET};

fn mixed_project() -> Project {
    let p = Project::new();
    p.tokens(
        ".env",
        &[("DEPLOY_TOKEN", SECRET), ("APP_SECRET", "app-value-1")],
    );
    p
}

/// A stderr whose reader is gone: every write fails with EPIPE.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    Stdio::from(writer)
}

#[test]
fn migrate_with_a_closed_stderr_finishes_and_exits_0() {
    let p = mixed_project();
    let status = p
        .cmd(["migrate"])
        .stdout(Stdio::null())
        .stderr(closed_pipe())
        .status()
        .unwrap();
    assert_eq!(
        status.code(),
        Some(0),
        "a finished migrate must not look failed"
    );
    assert!(p.read(".tokens").contains("DEPLOY_TOKEN"));
    assert!(!p.read(".env").contains("DEPLOY_TOKEN"));
    assert!(!p.path("core").exists());
}

#[cfg(target_os = "linux")]
#[test]
fn migrate_with_a_full_stderr_finishes_and_exits_0() {
    let p = mixed_project();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let status = p.cmd(["migrate"]).stderr(full).status().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(p.read(".tokens").contains("DEPLOY_TOKEN"));
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_stdout_is_an_error_with_exit_2_not_a_panic() {
    let p = Project::new();
    p.tokens(".tokens", &[("DEPLOY_TOKEN", SECRET)]);
    p.tokens(".env", &[("APP_SECRET", "app-value-1")]);
    for args in [
        &["completions", "bash"][..],
        &["export"],
        &["info"],
        &["load"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let mut cmd = p.cmd(args);
        cmd.stdout(full);
        let out = output(&mut cmd);
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(
            out.stderr
                .contains("error: cannot write to stdout: no space left on device"),
            "{args:?}: {}",
            out.stderr
        );
        assert!(!out.stderr.contains("panicked"), "{args:?}: {}", out.stderr);
        out.assert_no_values(&[SECRET]);
    }
}

/// While `export` is blocked writing a large value into a pipe nobody
/// reads, its own limits say it cannot dump core.
#[cfg(target_os = "linux")]
#[test]
fn the_running_process_has_core_dumps_off() {
    let p = Project::new();
    let big = "x".repeat(1 << 20);
    p.tokens(".tokens", &[("DEPLOY_TOKEN", &big)]);
    p.tokens(".env", &[("APP_SECRET", SECRET)]);
    let mut child = p
        .cmd(["export"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let limits_path = format!("/proc/{}/limits", child.id());
    let mut limits = String::new();
    for _ in 0..200 {
        limits = std::fs::read_to_string(&limits_path).unwrap_or_default();
        if limits.lines().any(|l| l.starts_with("Max core file size")) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .expect("limits readable");
    let soft = core.split_whitespace().nth(4).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(soft, "0", "{core}");
}

/// `run` hands the command the core limit the user had, not tokenspec's 0.
#[cfg(unix)]
#[test]
fn run_restores_the_users_core_limit_for_the_command() {
    let p = Project::new();
    p.tokens(".tokens", &[("DEPLOY_TOKEN", "deploy-1")]);
    p.tokens(".env", &[("APP_SECRET", "app-1")]);
    let exe = env!("CARGO_BIN_EXE_tokenspec");
    let script = format!(
        "ulimit -S -c 1000 2>/dev/null || exit 77; exec '{exe}' run -- sh -c 'ulimit -S -c'"
    );
    let mut sh = std::process::Command::new("sh");
    sh.arg("-c")
        .arg(script)
        .current_dir(p.root())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    let out = output(&mut sh);
    if out.code == 77 {
        // A hard core limit of 0 (some containers) leaves no user limit to
        // hand on; the in-process unit test still covers `harden`.
        eprintln!(
            "note: the hard core limit here is 0, so there is no user limit for `run` to restore"
        );
        return;
    }
    assert_eq!(out.stdout.trim(), "1000", "{out:?}");
}
