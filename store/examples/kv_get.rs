//! Prints one class secret as sorted `KEY=VALUE` lines: the smallest real
//! user of the client (`.ci/run`'s failover step now runs `tokenspec
//! export` itself; this stays as a client-only comparison).
//!
//! `kv_get MOUNT PATH`, with `BAO_ADDR` and the usual credentials in the
//! environment. Exit 1 with a message on stderr and nothing on stdout when
//! the store fails.

use std::borrow::Cow;
use std::io::Write;

use tokenspec_store::{Client, Settings, StoreDef, StoreKind};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mount, path] = args.as_slice() else {
        eprintln!("error: usage: kv_get MOUNT PATH");
        std::process::exit(2);
    };
    let def = StoreDef {
        kind: StoreKind::OpenBao,
        address: None,
        mount: Cow::Owned(mount.clone()),
        path: "{class}/{env}".into(),
        environments: Cow::Borrowed(&[]),
        files: true,
    };
    let result = Settings::from_env(&def, |k| std::env::var(k).ok())
        .and_then(|settings| Client::connect(&settings))
        .and_then(|client| client.read(mount, path));
    match result {
        Ok(data) => {
            // Everything goes out in one write, or not at all.
            let mut out = String::new();
            for (key, value) in &data.values {
                out.push_str(&format!("{key}={}\n", value.expose_secret()));
            }
            std::io::stdout().write_all(out.as_bytes()).expect("stdout");
        }
        Err(e) => {
            eprintln!("error: {e}");
            if let Some(help) = tokenspec_store::Help::help(&e) {
                eprintln!("help: {help}");
            }
            std::process::exit(1);
        }
    }
}
