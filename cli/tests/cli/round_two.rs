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
