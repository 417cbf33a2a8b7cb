//! A crate outside this workspace, as a service author writes it: one
//! dependency, `tokenspec` (by path here, from the registry for real), its
//! own `token-spec.toml` with three tokens, and one `tokens!` line.
//!
//! It must build, load its own tokens and show no value in `Debug`; using a
//! field its spec does not have must not compile. Both builds are real
//! `cargo build --offline` runs against this workspace's `Cargo.lock` and
//! target folder, so no dependency is fetched or built a second time.

use std::path::Path;
use std::process::Command;

use crate::outside::{cargo, target_dir, workspace_root};

const CARGO_TOML: &str = r#"[package]
name = "outside-service"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
tokenspec = { path = "@TOKENSPEC@" }

# Not a member of any workspace around the temp folder.
[workspace]
"#;

const SPEC: &str = r#"#:schema ./token-spec.schema.json
version = 1

[[token]]
name = "PAYMENTS_API_KEY"
class = "runtime"
description = "Payments provider API key"

[[token]]
name = "WEBHOOK_SIGNING_SECRET"
class = "runtime"
description = "Verifies incoming webhooks"

[[token]]
name = "METRICS_TOKEN"
class = "runtime"
description = "Pushes metrics"
required = false
"#;

const MAIN_RS: &str = r#"tokenspec::tokens!(pub struct ServiceTokens, spec = "token-spec.toml", class = "runtime");

fn main() {
    let tokens = ServiceTokens::load().unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1);
    });
    println!("{tokens:?}");
    println!("api key length {}", tokens.payments_api_key.expose_secret().len());
    println!("webhook secret length {}", tokens.webhook_signing_secret.expose_secret().len());
    println!("metrics token set {}", tokens.metrics_token.is_some());
}
"#;

/// A field that is not in the service's spec.
const USES_MISSING_RS: &str = r#"tokenspec::tokens!(pub struct ServiceTokens, spec = "token-spec.toml", class = "runtime");

fn main() {
    let tokens = ServiceTokens::load().unwrap();
    let _ = tokens.legacy_admin_password;
}
"#;

const API_KEY: &str = "pk_live_PlantedOutsideValue_4f9a2c";
const WEBHOOK_SECRET: &str = "whsec_PlantedOutsideSecret_77b1e0";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every dependency crate compiled by a build (`Compiling name vX`), the
/// service itself left out.
fn compiled_dependencies(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("Compiling "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "outside-service")
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_crate_outside_the_workspace_loads_its_own_tokens() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let tokenspec_path = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = CARGO_TOML.replace("@TOKENSPEC@", &tokenspec_path.display().to_string());
    std::fs::write(root.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(root.join("token-spec.toml"), SPEC).unwrap();
    // The workspace's versions, so `--offline` finds every crate already here.
    std::fs::copy(workspace_root().join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
    std::fs::create_dir_all(root.join("src/bin")).unwrap();
    std::fs::write(root.join("src/main.rs"), MAIN_RS).unwrap();
    std::fs::write(
        root.join(".env"),
        format!("PAYMENTS_API_KEY={API_KEY}\nWEBHOOK_SIGNING_SECRET='{WEBHOOK_SECRET}'\n"),
    )
    .unwrap();

    // The pass case: it builds with `tokenspec` as its only dependency.
    let build = cargo(root, &["build", "--bin", "outside-service"]);
    let stderr = text(&build.stderr);
    assert!(
        build.status.success(),
        "the outside crate does not build:\n{stderr}"
    );
    // The first build may compile a few crates again where this crate's
    // graph unifies features differently than the workspace does; those
    // artifacts then sit beside the workspace's, under their own hashes.
    eprintln!(
        "note: the outside crate's build compiled {:?}",
        compiled_dependencies(&stderr)
    );

    let exe = target_dir()
        .join("debug")
        .join(format!("outside-service{}", std::env::consts::EXE_SUFFIX));
    let run = Command::new(&exe)
        .current_dir(root)
        .env_clear()
        .output()
        .expect("the outside binary runs");
    let stdout = text(&run.stdout);
    let stderr = text(&run.stderr);
    assert!(run.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("ServiceTokens"), "{stdout}");
    for field in [
        "payments_api_key",
        "webhook_signing_secret",
        "metrics_token",
    ] {
        assert!(stdout.contains(field), "{field} not in Debug:\n{stdout}");
    }
    assert!(
        stdout.contains(&format!("api key length {}\n", API_KEY.len())),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("webhook secret length {}\n", WEBHOOK_SECRET.len())),
        "{stdout}"
    );
    assert!(stdout.contains("metrics token set false\n"), "{stdout}");
    for planted in [API_KEY, WEBHOOK_SECRET, "PlantedOutside"] {
        assert!(!stdout.contains(planted), "{planted} on stdout:\n{stdout}");
        assert!(!stderr.contains(planted), "{planted} on stderr:\n{stderr}");
    }

    // The fail case: a field its spec does not have is a compile error
    // naming the field. Only the new binary is compiled.
    std::fs::write(root.join("src/bin/uses_missing.rs"), USES_MISSING_RS).unwrap();
    let build = cargo(root, &["build", "--bin", "uses_missing"]);
    let stderr = text(&build.stderr);
    assert!(
        !build.status.success(),
        "a field missing from the spec compiled:\n{stderr}"
    );
    assert!(stderr.contains("legacy_admin_password"), "{stderr}");
    assert!(
        stderr.contains("error[E0609]"),
        "not a missing-field error:\n{stderr}"
    );
    assert_eq!(
        compiled_dependencies(&stderr),
        Vec::<String>::new(),
        "the second build rebuilt dependencies (the shared target folder thrashes):\n{stderr}"
    );
}
