//! An OpenBao / HashiCorp Vault KV v2 client for tokenspec: the spec's
//! classes become access boundaries in a real secrets engine.
//!
//! One secret per class and environment (`[store] path`, e.g.
//! `myproject/{class}/{env}`), whose keys are token names. [`Store`] reads a
//! class's tokens in one request, plans and writes a push with
//! check-and-set, and records when each token last changed. The per-class
//! HCL policies are rendered by `tokenspec-repo` (`render::policies`)
//! and written by `tokenspec gen`; this crate's tests load them into a real
//! server.
//!
//! # Fail closed
//!
//! Every failure is a [`StoreError`] naming the address, the secret path and
//! the reason, with a [`help`](StoreError::help) line. There is no fall-back
//! to files here or in the callers. No value or token appears in an error,
//! a `Debug` output or a log: values are [`tokenspec_core::Secret`]s, server
//! messages are quoted only after the request's credentials and values are
//! cut out, and response and request bodies are zeroized when dropped.
//!
//! # Connection, timeouts and retries
//!
//! - One HTTP agent per [`Client`]: its keep-alive connection is reused for
//!   every request of a run. HTTPS uses the platform's certificate verifier
//!   (the system roots), or only the CA certificates of the PEM file in
//!   `BAO_CACERT` / `VAULT_CACERT`. The standard proxy variables
//!   (`HTTPS_PROXY`, `NO_PROXY`, …) apply.
//! - Each request: [`CONNECT_TIMEOUT`] (5 s) to connect, [`REQUEST_TIMEOUT`]
//!   (10 s) in all ([`RetryPolicy::request_timeout`]). A timeout is not retried.
//! - Transient failures are retried: connection refused, reset or aborted, a
//!   broken response, 429, 500, 502, 503 (sealed, standby without a leader)
//!   and 504. At most [`MAX_ATTEMPTS`] (5) attempts, pausing 200 ms, 400 ms,
//!   800 ms and 1.6 s between them (3 s of pauses), and no retry starts
//!   later than [`RETRY_BUDGET`] (3.5 s) after the first attempt. So a
//!   server that refuses connections fails after about 3 s, and the worst
//!   case for one operation is the budget plus one request timeout (about
//!   14 s). 400, 403 and 404 are never retried, nor is a timeout or a TLS
//!   failure. Redirects are not followed (the token header would go along);
//!   standbys forward requests to the active node.
//! - `store/scripts/raft-failover.sh` measures this on a three-node Raft
//!   cluster: 200 reads while the active node is killed.
//!
//! A retried check-and-set write whose first attempt did reach the server
//! reports a conflict: nothing is overwritten, and the next push shows the
//! token as unchanged.
//!
//! # Environment variables
//!
//! For `kind = "openbao"` each `BAO_*` name is read before its `VAULT_*`
//! twin; for `kind = "vault"` the other way round. An empty value is unset.
//!
//! | variable | meaning |
//! |---|---|
//! | `BAO_ADDR` / `VAULT_ADDR` | overrides the spec's `address` |
//! | `BAO_CACERT` / `VAULT_CACERT` | PEM file of CA certificates to trust instead of the system roots |
//! | `BAO_TOKEN` / `VAULT_TOKEN` | a token, used as is |
//! | `HOME` | `~/.vault-token`, the token helper file `bao login` / `vault login` write |
//! | `TOKENSPEC_APPROLE_ROLE_ID`, `TOKENSPEC_APPROLE_SECRET_ID` | AppRole login |
//! | `TOKENSPEC_APPROLE_MOUNT` | the AppRole auth mount (default `approle`) |
//! | `TOKENSPEC_JWT_ROLE` with `TOKENSPEC_JWT` or `TOKENSPEC_JWT_FILE` | JWT login (e.g. GitHub Actions OIDC) |
//! | `TOKENSPEC_JWT_MOUNT` | the JWT auth mount (default `jwt`) |
//! | `ACTIONS_ID_TOKEN_REQUEST_URL`, `ACTIONS_ID_TOKEN_REQUEST_TOKEN` | with `TOKENSPEC_JWT_ROLE` and no `TOKENSPEC_JWT(_FILE)`: the client fetches GitHub Actions' OIDC token itself (the job needs `permissions: id-token: write`) |
//! | `TOKENSPEC_JWT_AUDIENCE` | the audience asked for that token (default: GitHub's, `https://github.com/<owner>`) |
//!
//! # Auth methods
//!
//! The first that is configured wins: a token from the environment, then
//! AppRole, then JWT, then the token helper file. AppRole and JWT log in
//! once per run (`POST /v1/auth/{mount}/login`) and use the short-lived
//! token they get back. Half a credential pair is an error, not a fall
//! through to the next method.
//!
//! # KV v2 layout
//!
//! - values: `GET/POST /v1/{mount}/data/{path}` (writes carry `options.cas`);
//! - metadata: `GET/POST /v1/{mount}/metadata/{path}`; a push records
//!   `custom_metadata["tokenspec_changed_<NAME>"]` = RFC 3339 UTC for each
//!   new or changed token ([`CHANGED_KEY_PREFIX`]), so rotation age survives
//!   edits of other keys. KV v2 allows 64 `custom_metadata` keys per secret.

use std::time::Duration;

mod auth;
mod client;
mod error;
mod github_oidc;
mod http;
mod json;
pub mod push;
mod settings;
mod store;

pub use auth::Auth;
pub use client::{data_path, metadata_path, Client, Metadata, SecretData, CHANGED_KEY_PREFIX};
pub use error::{Operation, Reason, StoreError};
pub use github_oidc::{
    AUDIENCE as JWT_AUDIENCE, REQUEST_TOKEN as GITHUB_REQUEST_TOKEN,
    REQUEST_URL as GITHUB_REQUEST_URL,
};
pub use http::RetryPolicy;
pub use push::{Change, PushPlan};
pub use settings::{
    Settings, APPROLE_MOUNT, APPROLE_ROLE_ID, APPROLE_SECRET_ID, JWT, JWT_FILE, JWT_MOUNT,
    JWT_ROLE, TOKEN_HELPER_FILE,
};
pub use store::{fetch_layers, label, Store};
pub use tokenspec_core::store_def::{StoreDef, StoreDefError, StoreKind};
pub use tokenspec_core::Help;

/// Time to open a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Time for one whole request, connection included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Attempts for one operation, the first included.
pub const MAX_ATTEMPTS: u32 = 5;
/// The pause before the first retry; each later one doubles.
pub const FIRST_BACKOFF: Duration = Duration::from_millis(200);
/// No retry starts later than this after the first attempt (room for every
/// pause of [`MAX_ATTEMPTS`] when attempts fail at once).
pub const RETRY_BUDGET: Duration = Duration::from_millis(3500);
/// A larger answer is refused (a class secret is a few kilobytes).
pub(crate) const MAX_RESPONSE_BYTES: u64 = 4 * 1024 * 1024;
