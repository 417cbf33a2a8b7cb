//! The second hardening round (issue 22): each attack that once worked,
//! run through the real binary.

use std::io::Read;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::support::Project;

/// A spec whose `[store]` serves `prod`, with `address` as given.
fn store_spec(address: &str) -> String {
    format!(
        r#"environments = ["dev", "prod", "ci"]

[store]
kind = "openbao"
{address}
path = "myproject/{{class}}/{{env}}"
environments = ["prod"]

[[token]]
name = "DEPLOY_TOKEN"
class = "cicd"
description = "Deploys"
"#
    )
}

/// A loopback listener counting the connections it gets and keeping what
/// they sent; it answers nothing.
fn listener() -> (String, Arc<AtomicUsize>, Arc<std::sync::Mutex<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (c, s) = (count.clone(), seen.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            c.fetch_add(1, Ordering::SeqCst);
            let s = s.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = stream.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    s.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            });
        }
    });
    (address, count, seen)
}

const TOKEN: &str = "hvs.CLEAR-text-TOKEN-42";

#[test]
fn a_clear_text_address_is_refused_before_anything_is_sent() {
    // A proxy on loopback sees whatever the client would send: without the
    // check, ureq hands the request (and its token header) to it.
    let (proxy, count, seen) = listener();
    let p = Project::with_spec(&store_spec(""));
    for (addr, shown) in [
        ("http://192.0.2.1:8200", "http://192.0.2.1:8200"),
        ("http://bao.invalid:8200", "http://bao.invalid:8200"),
        (
            "http://admin:hunter2pw@bao.invalid:8200",
            "http://bao.invalid:8200",
        ),
    ] {
        let out = p.run_env(
            &["--env", "prod", "export", "--type=cicd"],
            &[
                ("BAO_ADDR", addr),
                ("BAO_TOKEN", TOKEN),
                ("HTTP_PROXY", &proxy),
                ("http_proxy", &proxy),
                ("ALL_PROXY", &proxy),
            ],
        );
        assert_eq!(out.code, 1, "{out:?}");
        assert_eq!(out.stdout, "");
        assert_eq!(
            out.stderr,
            format!(
                "error: cannot configure the store client for {shown}: {shown} is clear-text http to a host that is not loopback\n\
                 help: use https://, or http:// only to a loopback host (127.0.0.1, [::1] or localhost): a credential is never sent in clear text\n"
            )
        );
        out.assert_no_values(&[TOKEN, "hunter2pw", "admin"]);
    }
    // Every credential kind: AppRole, JWT, the token helper file.
    let home = p.path("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join(".vault-token"), TOKEN).unwrap();
    for creds in [
        vec![
            ("TOKENSPEC_APPROLE_ROLE_ID", "role"),
            ("TOKENSPEC_APPROLE_SECRET_ID", TOKEN),
        ],
        vec![("TOKENSPEC_JWT_ROLE", "ci"), ("TOKENSPEC_JWT", TOKEN)],
        vec![("HOME", home.to_str().unwrap())],
    ] {
        let mut vars = vec![
            ("BAO_ADDR", "http://bao.invalid:8200"),
            ("HTTP_PROXY", proxy.as_str()),
            ("http_proxy", proxy.as_str()),
        ];
        vars.extend(creds);
        let out = p.run_env(&["--env", "prod", "export", "--type=cicd"], &vars);
        assert_eq!(out.code, 1, "{out:?}");
        assert!(out.stderr.contains("is clear-text http"), "{out:?}");
    }
    // A loopback http address is never handed to a proxy either.
    let out = p.run_env(
        &["--env", "prod", "export", "--type=cicd"],
        &[
            ("BAO_ADDR", "http://127.0.0.1:9"),
            ("BAO_TOKEN", TOKEN),
            ("HTTP_PROXY", &proxy),
            ("http_proxy", &proxy),
            ("ALL_PROXY", &proxy),
        ],
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("unreachable"), "{out:?}");
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert_eq!(
        count.load(Ordering::SeqCst),
        0,
        "something reached the proxy"
    );
    assert!(!String::from_utf8_lossy(&seen.lock().unwrap()).contains(TOKEN));
}

#[test]
fn a_clear_text_spec_address_is_refused_at_its_line() {
    let p = Project::with_spec(&store_spec("address = \"http://bao.internal:8200\""));
    let out = p.run(&["check"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.starts_with(
            "error: the store address http://bao.internal:8200 is clear-text http to a host that is not loopback\n"
        ),
        "{out:?}"
    );
    assert!(out.stderr.contains("token-spec.toml:5:11"), "{out:?}");
}

/// Far above any real run; only a hang reaches it.
const HANG: std::time::Duration = std::time::Duration::from_secs(20);

#[cfg(unix)]
fn mkfifo(path: &std::path::Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo (coreutils) runs");
    assert!(status.success());
}

#[cfg(unix)]
fn link(target: &std::path::Path, at: &std::path::Path) {
    std::os::unix::fs::symlink(target, at).unwrap();
}

const GEN_SPEC: &str = r#"environments = ["dev", "prod", "ci"]

[[token]]
name = "DEPLOY_TOKEN"
class = "cicd"
description = "Deploys"

[[token]]
name = "APP_SECRET"
class = "runtime"
description = "Signs sessions"
"#;

/// Every file under `dir`, with its text, so a test can see nothing changed.
fn snapshot(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(snapshot(&p));
        } else {
            out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
        }
    }
    out.sort();
    out
}

#[cfg(unix)]
#[test]
fn gen_never_writes_or_reads_through_a_link_out_of_the_root() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("victim.env"),
        "STOLEN=outside-secret-99\n",
    )
    .unwrap();
    std::fs::write(outside.path().join("profile.sh"), "export A=1\n").unwrap();
    let before = snapshot(outside.path());

    // A generated file's folder is a link.
    let p = Project::with_spec(GEN_SPEC);
    link(outside.path(), &p.path("docs"));
    let out = p.run(&["gen"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains(
            "error: docs/TOKENS.md: cannot write it: `docs` is a symbolic link that leads out of the root\n"
        ),
        "{out:?}"
    );

    // A template is a link to a file outside.
    let p = Project::with_spec(GEN_SPEC);
    link(&outside.path().join("victim.env"), &p.path(".env.example"));
    let out = p.run(&["gen"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.starts_with(
            "error: .env.example: cannot read it: `.env.example` is a symbolic link that leads out of the root\n"
        ),
        "{out:?}"
    );
    assert!(
        !String::from_utf8_lossy(&std::fs::read(p.path(".env.ci")).unwrap_or_default())
            .contains("outside-secret-99")
    );
    out.assert_no_values(&["outside-secret-99"]);

    // A template in a linked folder, and a token named PATH.
    let spec = GEN_SPEC.replace(
        "environments = [\"dev\", \"prod\", \"ci\"]\n",
        "environments = [\"dev\", \"prod\", \"ci\"]\ntemplates = [\"up/profile.sh\"]\n",
    );
    let p = Project::with_spec(&spec);
    link(outside.path(), &p.path("up"));
    let out = p.run(&["gen"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("`up` is a symbolic link that leads out of the root"),
        "{out:?}"
    );
    assert_eq!(
        snapshot(outside.path()),
        before,
        "gen changed a file outside the root"
    );
}

#[cfg(unix)]
#[test]
fn check_fix_init_and_export_never_follow_a_link_out_of_the_root() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("victim.env"),
        "STOLEN_KEY=outside-secret-98\n",
    )
    .unwrap();
    let before = snapshot(outside.path());

    let p = Project::with_spec(GEN_SPEC);
    p.git(&["init", "-q"]);
    link(&outside.path().join("victim.env"), &p.path(".gitignore"));
    let out = p.run(&["check", "--fix"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains(
            "error: cannot update .gitignore: `.gitignore` is a symbolic link that leads out of the root\n"
        ),
        "{out:?}"
    );
    out.assert_no_values(&["outside-secret-98"]);

    let p = Project::without_spec();
    link(&outside.path().join("victim.env"), &p.path(".env"));
    let out = p.run(&["init"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.starts_with(
            "error: cannot read .env: `.env` is a symbolic link that leads out of the root"
        ),
        "{out:?}"
    );
    assert!(!p.path("token-spec.toml").exists());

    let p = Project::with_spec(GEN_SPEC);
    p.write(".tokens.ci", "DEPLOY_TOKEN=ci-deploy-value\n");
    link(&outside.path().join("victim.env"), &p.path(".env.ci"));
    let out = p.run_env(
        &["export", "--with-settings", "--format=github"],
        &[("CI", "true")],
    );
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .contains("`.env.ci` is a symbolic link that leads out of the root"),
        "{out:?}"
    );
    out.assert_no_values(&["outside-secret-98", "STOLEN_KEY"]);

    // `load` creates no file through a dangling link.
    let p = Project::with_spec(GEN_SPEC);
    link(&outside.path().join("new.env"), &p.path(".env"));
    let out = p.run(&["load", "--type=runtime"]);
    assert_ne!(out.code, 0, "{out:?}");
    assert!(!outside.path().join("new.env").exists());
    assert_eq!(snapshot(outside.path()), before);
}

#[cfg(unix)]
#[test]
fn credential_and_spec_files_are_never_a_hang_or_an_endless_read() {
    let p = Project::with_spec(&store_spec(""));
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    let home = dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    mkfifo(&home.join(".vault-token"));
    let export = ["--env", "prod", "export", "--type=cicd"];
    let addr = ("BAO_ADDR", "http://127.0.0.1:9");
    for special in [fifo.to_str().unwrap(), "/dev/zero"] {
        for (vars, what) in [
            (
                vec![
                    addr,
                    ("TOKENSPEC_JWT_ROLE", "ci"),
                    ("TOKENSPEC_JWT_FILE", special),
                ],
                format!("cannot read the token file {special}: not a regular file but "),
            ),
            (
                vec![addr, ("BAO_TOKEN", "t"), ("BAO_CACERT", special)],
                format!("cannot use the CA file {special}: not a regular file but "),
            ),
        ] {
            let mut cmd = p.cmd(export);
            cmd.envs(vars.iter().copied());
            let out = crate::support::output_within(&mut cmd, HANG);
            assert_eq!(out.code, 1, "{out:?}");
            assert!(out.stderr.contains(&what), "{what}: {out:?}");
        }
        let mut cmd = p.cmd(["--spec", special, "check"]);
        let out = crate::support::output_within(&mut cmd, HANG);
        assert_eq!(out.code, 2, "{out:?}");
        assert!(out.stderr.contains("not a regular file but "), "{out:?}");
    }
    let mut cmd = p.cmd(export);
    cmd.envs([addr, ("HOME", home.to_str().unwrap())]);
    let out = crate::support::output_within(&mut cmd, HANG);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr
            .contains("/.vault-token: not a regular file but a named pipe (FIFO)"),
        "{out:?}"
    );
    // A spec that is an endless /proc file stops at the cap or an error, never fills memory.
    #[cfg(target_os = "linux")]
    {
        let mut cmd = p.cmd(["--spec", "/proc/self/pagemap", "check"]);
        let out = crate::support::output_within(&mut cmd, HANG);
        assert_eq!(out.code, 2, "{out:?}");
    }
}

#[test]
fn the_child_of_run_gets_no_store_credential_and_no_other_class_token() {
    let spec = r#"environments = ["dev", "prod", "ci"]

[[token]]
name = "DEPLOY_TOKEN"
class = "cicd"
description = "Deploys"

[[token]]
name = "APP_SECRET"
class = "runtime"
description = "Signs sessions"
aliases = ["LEGACY_APP_SECRET"]
"#;
    let p = Project::with_spec(spec);
    p.tokens(".tokens", &[("DEPLOY_TOKEN", "deploy-value")]);
    p.tokens(".env", &[("APP_SECRET", "app-value")]);
    let vars = [
        ("BAO_TOKEN", "hvs.bao"),
        ("VAULT_TOKEN", "hvs.vault"),
        ("TOKENSPEC_APPROLE_ROLE_ID", "role"),
        ("TOKENSPEC_APPROLE_SECRET_ID", "secret-id"),
        ("TOKENSPEC_JWT", "jwt"),
        ("TOKENSPEC_JWT_FILE", "/jwt"),
        ("LEGACY_APP_SECRET", "legacy-value"),
        ("APP_SECRET", "env-app-value"),
        ("UNRELATED", "kept"),
    ];
    let out = p.run_env(&["run", "--type=cicd", "--", "env"], &vars);
    assert_eq!(out.code, 0, "{out:?}");
    let mut seen: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| {
            !l.starts_with("PATH=")
                && !l.starts_with("GIT_")
                && !l.starts_with("TOKENSPEC_NO_CACHE=")
        })
        .collect();
    seen.sort();
    assert_eq!(seen, ["DEPLOY_TOKEN=deploy-value", "UNRELATED=kept"]);

    // `--keep-env` hands one back on purpose; --type=all keeps both classes.
    let out = p.run_env(
        &[
            "run",
            "--keep-env",
            "VAULT_TOKEN",
            "--keep-env",
            "LEGACY_APP_SECRET",
            "--type=cicd",
            "--",
            "env",
        ],
        &vars,
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains("\nVAULT_TOKEN=hvs.vault\n")
            || out.stdout.starts_with("VAULT_TOKEN=hvs.vault\n"),
        "{out:?}"
    );
    assert!(
        out.stdout.contains("LEGACY_APP_SECRET=legacy-value"),
        "{out:?}"
    );
    assert!(!out.stdout.contains("BAO_TOKEN"), "{out:?}");
    let out = p.run_env(&["run", "--", "env"], &vars);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("APP_SECRET=env-app-value"), "{out:?}");
    assert!(
        !out.stdout.contains("TOKENSPEC_APPROLE_SECRET_ID"),
        "{out:?}"
    );
}

/// A loopback KV double answering every request with `status` and `body`;
/// returns its address. Each connection gets one answer and is closed.
fn kv_double(answers: Vec<(u16, String)>) -> String {
    use std::io::Write;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for (at, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { return };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                head.push(byte[0]);
            }
            let text = String::from_utf8_lossy(&head).to_lowercase();
            if let Some(len) = text
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|n| n.trim().parse::<usize>().ok())
            {
                let mut body = vec![0u8; len];
                let _ = stream.read_exact(&mut body);
            }
            let (status, body) = &answers[at.min(answers.len() - 1)];
            let reply = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    address
}

#[test]
fn odd_store_answers_fail_closed_naming_the_key() {
    let p = Project::with_spec(&store_spec(""));
    // A file value that must not be used in the store value's place.
    p.tokens(".tokens.prod", &[("DEPLOY_TOKEN", "file-value-77")]);
    for (body, said) in [
        (
            r#"{"data":{"data":{"DEPLOY_TOKEN":12345},"metadata":{"version":1}}}"#,
            "the value of `DEPLOY_TOKEN` is not a string",
        ),
        (
            r#"{"data":{"data":{"DEPLOY_TOKEN":"first-77","DEPLOY_TOKEN":"second-77"},"metadata":{"version":1}}}"#,
            "unexpected response: the answer gives the key `DEPLOY_TOKEN` twice",
        ),
    ] {
        let address = kv_double(vec![(200, body.to_owned())]);
        let out = p.run_env(
            &["--env", "prod", "export", "--type=cicd"],
            &[("BAO_ADDR", &address), ("BAO_TOKEN", TOKEN)],
        );
        assert_eq!(out.code, 1, "{out:?}");
        assert_eq!(out.stdout, "");
        assert!(
            out.stderr.starts_with(&format!(
                "error: cannot read secret/data/myproject/cicd/prod at {address}: {said}\n"
            )),
            "{out:?}"
        );
        out.assert_no_values(&["file-value-77", "first-77", "second-77", "12345", TOKEN]);
    }
}

#[test]
fn arguments_that_may_be_secrets_are_never_echoed() {
    let p = Project::with_spec(GEN_SPEC);
    let pat = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
    let password = "hunter2!Correct-Horse";
    for args in [
        vec!["validate", pat],
        vec!["validate", password],
        vec!["run", "--as", &format!("GH={pat}-x"), "--", "true"],
        vec!["run", "--as", &format!("GH=A,{password}"), "--", "true"],
        vec!["export", &format!("--as=GH={password}")],
        vec!["--env", password, "export"],
        vec!["--env", pat, "export"],
        vec!["--env", &format!("x{pat}"), "run", "--", "true"],
    ] {
        let out = p.run(&args);
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(out.stderr.starts_with("error: "), "{out:?}");
        out.assert_no_values(&[pat, password, "16C7e42F292c", "Correct-Horse"]);
    }
    let out = p.run(&["--env", pat, "export"]);
    assert_eq!(
        out.stderr,
        "error: the environment from --env is not defined in the spec (not shown: it may be a secret)\n\
         help: use one of: dev, prod, ci; or add it to `environments` in the spec\n"
    );
    // A source that is a valid name but looks like a secret is not echoed either.
    p.tokens(".tokens", &[("DEPLOY_TOKEN", "d")]);
    p.tokens(".env", &[("APP_SECRET", "a")]);
    let out = p.run(&["run", "--as", &format!("GH={pat}"), "--", "true"]);
    assert_eq!(out.code, 1, "{out:?}");
    out.assert_no_values(&[pat, "16C7e42F292c"]);
    // Plain names are still named.
    let out = p.run(&["validate", "DEPLOY_TOKN"]);
    assert!(
        out.stderr.starts_with("error: unknown token `DEPLOY_TOKN`"),
        "{out:?}"
    );
}

#[test]
fn a_password_in_the_store_address_is_never_shown() {
    let p = Project::with_spec(&store_spec(""));
    let out = p.run_env(
        &["--env", "prod", "export", "--type=cicd"],
        &[
            ("BAO_ADDR", "https://admin:s3cretPw99@127.0.0.1:9"),
            ("BAO_TOKEN", TOKEN),
        ],
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("https://127.0.0.1:9"), "{out:?}");
    out.assert_no_values(&["s3cretPw99", "admin:", TOKEN]);
}

#[test]
fn a_push_that_stops_half_way_says_exactly_what_was_written() {
    let spec = store_spec("").replace(
        "[[token]]\nname = \"DEPLOY_TOKEN\"",
        "[[token]]\nname = \"APP_SECRET\"\nclass = \"runtime\"\ndescription = \"App\"\n\n[[token]]\nname = \"DEPLOY_TOKEN\"",
    );
    let p = Project::with_spec(&spec);
    p.tokens(".tokens.prod", &[("DEPLOY_TOKEN", "deploy-new-1")]);
    p.tokens(".env.prod", &[("APP_SECRET", "app-new-1")]);
    let read = r#"{"data":{"data":{},"metadata":{"version":1}}}"#.to_owned();
    let meta = r#"{"data":{"current_version":1,"custom_metadata":null}}"#.to_owned();
    let address = kv_double(vec![
        (200, read.clone()),
        (200, meta.clone()),
        (200, read),
        (200, meta),
        (200, r#"{"data":{"version":2}}"#.to_owned()),
        (204, String::new()),
        (
            400,
            r#"{"errors":["check-and-set parameter did not match the current version"]}"#
                .to_owned(),
        ),
    ]);
    let out = p.run_env(
        &["--env", "prod", "push"],
        &[("BAO_ADDR", &address), ("BAO_TOKEN", TOKEN)],
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.stdout, "");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(
        lines,
        [
            format!("error: cannot write secret/data/myproject/runtime/prod at {address}: check-and-set conflict: the secret changed since it was read").as_str(),
            "help: secret/data/myproject/runtime/prod changed since it was read (someone wrote it meanwhile); nothing in it was overwritten: run the push again to see the new state",
            "help: written: openbao secret/myproject/cicd/prod; not written: openbao secret/myproject/runtime/prod; run the push again to finish (`--dry-run` shows what is left)",
        ],
        "{out:?}"
    );
    out.assert_no_values(&["deploy-new-1", "app-new-1", TOKEN]);
}

#[test]
fn two_migrates_at_once_both_succeed() {
    for round in 0..8 {
        let p = Project::new();
        p.write(".env", "DEPLOY_TOKEN=d1\nAPP_SECRET=a1\nGH_TOKEN=g1\n");
        let spawn = || {
            p.cmd(["migrate"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        for child in [a, b] {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert_eq!(p.read(".env"), "APP_SECRET=a1\n");
        assert_eq!(p.read(".tokens"), "DEPLOY_TOKEN=d1\nGH_TOKEN=g1\n");
    }
}

#[test]
fn temp_files_a_killed_gen_left_in_subfolders_are_reported_and_swept() {
    let p = Project::with_spec(GEN_SPEC);
    p.git(&["init", "-q"]);
    assert_eq!(p.run(&["gen"]).code, 0);
    let stale = "docs/.tokenspec-Ab12Cd.tmp";
    p.write(stale, "APP_SECRET=left-by-gen-55\n");
    let out = p.run(&["check", "--format=json"]);
    let temp: Vec<_> = out.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "temp-file")
        .cloned()
        .collect();
    assert_eq!(temp.len(), 1, "{out:?}");
    assert_eq!(temp[0]["file"], stale);
    out.assert_no_values(&["left-by-gen-55"]);
    let out = p.run(&["gen"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!p.path(stale).exists(), "{out:?}");
    assert!(
        format!("{}{}", out.stdout, out.stderr).contains(stale),
        "{out:?}"
    );
}

#[test]
fn a_store_token_with_a_line_break_is_blamed_on_the_token_not_the_server() {
    let p = Project::with_spec(&store_spec(""));
    let out = p.run_env(
        &["--env", "prod", "export", "--type=cicd"],
        &[
            ("BAO_ADDR", "http://127.0.0.1:9"),
            ("BAO_TOKEN", "hvs.crlf-token\r\n2"),
        ],
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(
        out.stderr,
        "error: cannot configure the store client for http://127.0.0.1:9: the token in BAO_TOKEN holds a line break or another control character\n\
         help: the token must be one line of printable characters: remove the line break from BAO_TOKEN (e.g. a Windows \\r\\n line end; a file's final newline is fine)\n"
    );
    out.assert_no_values(&["hvs.crlf-token"]);
}

#[test]
fn a_template_may_not_name_a_file_tokenspec_does_not_own() {
    for (template, what) in [
        (".git/config", "is inside git's own folder"),
        ("token-spec.toml", "is the spec itself"),
        (".gitignore", "is git's configuration"),
        ("docs/TOKENS.md", "is a file `tokenspec gen` writes"),
        (".env", "is a token file that holds secrets"),
    ] {
        let spec = GEN_SPEC.replace(
            "environments = [\"dev\", \"prod\", \"ci\"]\n",
            &format!("environments = [\"dev\", \"prod\", \"ci\"]\ntemplates = [\"{template}\"]\n"),
        );
        let p = Project::with_spec(&spec);
        p.git(&["init", "-q"]);
        p.write(".env", "APP_SECRET=a\n");
        let config = std::fs::read(p.path(".git/config")).unwrap();
        let out = p.run(&["gen"]);
        assert_eq!(out.code, 2, "{template}: {out:?}");
        assert!(
            out.stderr
                .starts_with(&format!("error: template `{template}` {what}\n")),
            "{out:?}"
        );
        assert!(out.stderr.contains("token-spec.toml:2:14"), "{out:?}");
        assert_eq!(std::fs::read(p.path(".git/config")).unwrap(), config);
        assert_eq!(p.read(".env"), "APP_SECRET=a\n");
        assert_eq!(p.read("token-spec.toml"), spec);
    }
}
