//! A service outside this workspace with `features = ["store"]`: its
//! generated `load()` reads its class from a real OpenBao dev server in its
//! own process (process environment > store > files), and fails closed
//! when the server is gone. Built in a temp folder (like `outside_crate`)
//! so the feature is not unified into this workspace's build, where a spec
//! with a `[store]` must not compile without it (`ui/err_store_without_feature`).

use std::path::Path;
use std::process::Command;

use crate::outside::{cargo, target_dir, workspace_root};
use tokenspec_test_support::BaoServer;

const CARGO_TOML: &str = r#"[package]
name = "outside-store-service"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
tokenspec = { path = "@TOKENSPEC@", features = ["store"] }

[workspace]
"#;

const MAIN_RS: &str = r#"tokenspec::tokens!(pub struct ServiceTokens, spec = "token-spec.toml", class = "runtime");

fn main() {
    match ServiceTokens::load() {
        Ok(tokens) => {
            println!("{tokens:?}");
            println!("api_key={}", tokens.payments_api_key.expose_secret());
            println!("webhook={}", tokens.webhook_signing_secret.expose_secret());
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
"#;

fn spec(address: &str) -> String {
    format!(
        r#"environments = ["dev", "prod", "ci"]

[store]
address = "{address}"
path = "svc/{{class}}/{{env}}"

[[token]]
name = "PAYMENTS_API_KEY"
class = "runtime"
description = "Payments provider API key"

[[token]]
name = "WEBHOOK_SIGNING_SECRET"
class = "runtime"
description = "Verifies incoming webhooks"

[[token]]
name = "DEPLOY_TOKEN"
class = "cicd"
description = "Not the service's: its secret is never read"
"#
    )
}

fn run(exe: &Path, root: &Path, vars: &[(&str, &str)]) -> (i32, String, String) {
    let out = Command::new(exe)
        .current_dir(root)
        .env_clear()
        .envs(vars.iter().copied())
        .output()
        .expect("the service runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
#[ignore = "needs bao"]
fn a_service_with_the_store_feature_loads_its_class_from_the_store() {
    let mut server = BaoServer::start();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let manifest = CARGO_TOML.replace("@TOKENSPEC@", env!("CARGO_MANIFEST_DIR"));
    std::fs::write(root.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(root.join("token-spec.toml"), spec(&server.address)).unwrap();
    std::fs::copy(workspace_root().join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("src/main.rs"), MAIN_RS).unwrap();
    std::fs::write(root.join(".env.prod"), "PAYMENTS_API_KEY=from-the-file\n").unwrap();
    let build = cargo(root, &["build"]);
    assert!(
        build.status.success(),
        "the service does not build:\n{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let exe = target_dir().join("debug").join(format!(
        "outside-store-service{}",
        std::env::consts::EXE_SUFFIX
    ));

    server.bao(&[
        "kv",
        "put",
        "secret/svc/runtime/prod",
        "PAYMENTS_API_KEY=pk-From-The-Store",
        "WEBHOOK_SIGNING_SECRET=wh-From-The-Store",
    ]);
    let token = server.root_token.clone();
    let prod = [("TOKENSPEC_ENV", "prod"), ("BAO_TOKEN", token.as_str())];
    let (code, stdout, stderr) = run(&exe, root, &prod);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("api_key=pk-From-The-Store\n"), "{stdout}");
    assert!(stdout.contains("webhook=wh-From-The-Store\n"), "{stdout}");
    // Debug shows presence only.
    assert!(
        !stdout.lines().next().unwrap().contains("From-The-Store"),
        "{stdout}"
    );

    // The process environment wins over the store.
    let mut vars = prod.to_vec();
    vars.push(("PAYMENTS_API_KEY", "from-the-shell"));
    let (code, stdout, _) = run(&exe, root, &vars);
    assert_eq!(code, 0);
    assert!(stdout.contains("api_key=from-the-shell\n"), "{stdout}");

    // A stopped server fails closed: no value from .env.prod instead.
    server.stop();
    let (code, stdout, stderr) = run(&exe, root, &prod);
    assert_eq!((code, stdout.as_str()), (1, ""), "{stderr}");
    assert!(stderr.contains(&server.address), "{stderr}");
    assert!(stderr.contains("secret/data/svc/runtime/prod"), "{stderr}");
    assert!(stderr.contains("help: "), "{stderr}");
    assert!(
        !stderr.contains("from-the-file") && !stderr.contains(&token),
        "{stderr}"
    );
}
