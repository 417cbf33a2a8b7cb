//! The `service` example run as a real process: exit 0 with a complete `.env`,
//! exit 1 with the report otherwise, and never a value in either output.

use std::path::PathBuf;
use std::process::Command;

const VALUES: [(&str, &str); 5] = [
    ("DISCORD_BOT_TOKEN", "MTA5ODc2NTQzMjEwOTg3NjU0Mw.GhT5xQ.abcdEFGHijklMNOPqrstUVWXyz0123456789ab"),
    ("DISCORD_CLIENT_SECRET", "Xy7_k2LmN9pQ4rS8tU1vW5xZ3aB6cD0e"),
    ("BOT_JWT", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJib3QiLCJpYXQiOjE3MDAwMDAwMDB9.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
    ("CF_DNS_API_TOKEN", "4rT9_yU2iO8pA5sD1fG7hJ3kL6zX0cVbNmQwEeR2"),
    ("TUNNEL_TOKEN", "eyJhIjoiMTIzNDU2Nzg5MGFiY2RlZiIsInQiOiJhYmNkZWYxMi0zNDU2IiwicyI6Ik1UWXpORFUyIn0="),
];

/// `cargo test` builds examples next to the test binaries' `deps/` folder.
fn example() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(|d| d.parent()).unwrap();
    let path = dir
        .join("examples")
        .join(format!("service{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "example not built at {}; run `cargo test --workspace`",
        path.display()
    );
    path
}

fn run(dir: &std::path::Path) -> (i32, String) {
    let mut cmd = Command::new(example());
    cmd.current_dir(dir).env_remove("CI").env_remove("APP_ENV");
    for (k, _) in VALUES {
        cmd.env_remove(k);
    }
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn assert_no_value(text: &str) {
    for (_, v) in VALUES {
        // No part of a value: check every 8-character window.
        for w in v.as_bytes().windows(8) {
            let w = std::str::from_utf8(w).unwrap();
            assert!(
                !text.contains(w),
                "output shows part of a value ({w}):\n{text}"
            );
        }
    }
}

#[test]
fn complete_env_exits_0_without_values() {
    let dir = tempfile::tempdir().unwrap();
    let body: String = VALUES.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    std::fs::write(dir.path().join(".env"), body).unwrap();
    let (code, text) = run(dir.path());
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("discord_bot_token: <set>"), "{text}");
    assert_no_value(&text);
}

#[test]
fn incomplete_env_exits_1_with_report() {
    let dir = tempfile::tempdir().unwrap();
    let body: String = VALUES
        .iter()
        .skip(1)
        .map(|(k, v)| format!("{k}={v}x!\n"))
        .collect();
    std::fs::write(dir.path().join(".env"), body).unwrap();
    let (code, text) = run(dir.path());
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("DISCORD_BOT_TOKEN is missing"), "{text}");
    assert!(
        text.contains("BOT_JWT from .env:2 does not match format jwt"),
        "{text}"
    );
    assert_no_value(&text);
}
