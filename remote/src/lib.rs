//! tokenspec's online side: each token checked against its issuer
//! (`tokenspec verify`), and GitHub Actions secrets listed and written
//! sealed (`verify`'s GitHub side, `push --to github`).
//!
//! This crate knows the issuers' APIs, not the spec: it answers what an
//! issuer said about a token ([`Answer`]) and what GitHub holds
//! ([`github::SecretInfo`]); the command line compares them with the spec.
//! It prints nothing.
//!
//! # Issuers
//!
//! | issuer | request | valid when |
//! |---|---|---|
//! | GitHub | `GET {GITHUB_API_URL}/user`, `Authorization: Bearer …` | 200; `X-OAuth-Scopes` (classic tokens only) and `github-authentication-token-expiration` are read |
//! | Discord | `GET {TOKENSPEC_DISCORD_API_URL}/users/@me`, `Authorization: Bot …` | 200 |
//! | Cloudflare | `GET {TOKENSPEC_CLOUDFLARE_API_URL}/user/tokens/verify` | 200 and `result.status` is `active`; `expires_on` is read |
//! | JWT | none: `exp` and `nbf` are decoded offline | not expired, not before `nbf`; the signature is not checked |
//!
//! # Addresses
//!
//! The base addresses come from [`Endpoints::from_env`]. Each is checked by
//! the one address policy ([`tokenspec_core::address::check_address`]) before anything is
//! sent: only `https://`, or `http://` to a loopback host. A refused address
//! gets no request, not even a name lookup.
//!
//! # Timeouts
//!
//! Every request has [`REQUEST_TIMEOUT`] (10 s, connection included,
//! [`tokenspec_store::CONNECT_TIMEOUT`] of it to connect), and every request
//! of a run ends by one [`DEADLINE`] (30 s) after the client was made: a
//! request that would start later fails as [`Failure::Deadline`], one
//! running gets only what is left. Verifications run concurrently, at most
//! [`PARALLEL`] at a time. Nothing is retried: a rate limit or a 5xx is
//! reported as "could not verify", never as valid.
//!
//! # Secrecy
//!
//! Tokens are [`Secret`]s; the `Authorization` header is built in a zeroized
//! buffer; response bodies are zeroized on drop and quoted only through
//! [`tokenspec_store::scrub`] with the token cut out.

use std::fmt;
use std::time::{Duration, SystemTime};

use tokenspec_core::address::Address;
use tokenspec_store::Reason;

pub mod audit;
pub mod github;
mod http;
mod issuer;
pub mod jwt;
pub mod seal;

pub use http::Client;
pub use issuer::{verify, verify_all, Answer, Issuer, Status};
pub use tokenspec_core::Secret;

/// Time for one request, connection included.
pub const REQUEST_TIMEOUT: Duration = tokenspec_store::REQUEST_TIMEOUT;
/// Every request of a run ends within this time of the client's creation.
pub const DEADLINE: Duration = Duration::from_secs(30);
/// Verifications in flight at once.
pub const PARALLEL: usize = 8;

/// The variable naming GitHub's API address (GitHub Actions sets it; GitHub
/// Enterprise Server has its own).
pub const GITHUB_API_URL: &str = "GITHUB_API_URL";
/// The variable overriding Discord's API address.
pub const DISCORD_API_URL: &str = "TOKENSPEC_DISCORD_API_URL";
/// The variable overriding Cloudflare's API address.
pub const CLOUDFLARE_API_URL: &str = "TOKENSPEC_CLOUDFLARE_API_URL";

/// The public APIs, when the variables are unset or empty.
pub const GITHUB_DEFAULT: &str = "https://api.github.com";
pub const DISCORD_DEFAULT: &str = "https://discord.com/api/v10";
pub const CLOUDFLARE_DEFAULT: &str = "https://api.cloudflare.com/client/v4";

/// Where each issuer's API is, without a trailing `/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoints {
    pub github: String,
    pub discord: String,
    pub cloudflare: String,
}

impl Endpoints {
    /// The addresses from the variables above (read through `lookup`), else the public APIs.
    pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Endpoints {
        let pick = |var: &str, default: &str| {
            lookup(var)
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| default.to_owned())
                .trim_end_matches('/')
                .to_owned()
        };
        Endpoints {
            github: pick(GITHUB_API_URL, GITHUB_DEFAULT),
            discord: pick(DISCORD_API_URL, DISCORD_DEFAULT),
            cloudflare: pick(CLOUDFLARE_API_URL, CLOUDFLARE_DEFAULT),
        }
    }

    /// The issuer's address, and the variable that sets it.
    pub fn of(&self, issuer: Issuer) -> Option<(&str, &'static str)> {
        match issuer {
            Issuer::GitHub => Some((&self.github, GITHUB_API_URL)),
            Issuer::Discord => Some((&self.discord, DISCORD_API_URL)),
            Issuer::Cloudflare => Some((&self.cloudflare, CLOUDFLARE_API_URL)),
            Issuer::Jwt => None,
        }
    }
}

/// Checks `address` (set by `variable`) against the one address policy
/// before any request: `Err` holds the refusal, showing the address without
/// its user info.
pub fn check_address(address: &str, variable: &str) -> Result<Address, Failure> {
    tokenspec_core::address::check_address(address).map_err(|e| Failure::Refused {
        variable: variable.to_owned(),
        message: e.to_string(),
        help: e.help(),
    })
}

/// A request that could not be answered, or an answer that says nothing
/// about the token. Never holds a token or a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The address policy refused the address: nothing was sent.
    Refused {
        variable: String,
        message: String,
        help: &'static str,
    },
    /// No answer within the request's timeout.
    Timeout { after: Duration },
    /// The run's deadline passed before the request could start.
    Deadline,
    /// No answer at all (refused, reset, TLS, a broken response).
    Transport { reason: Reason },
    /// The issuer's rate limit: 429, or 403 with `x-ratelimit-remaining: 0`
    /// or `retry-after`; `until` from `x-ratelimit-reset` or `retry-after`.
    RateLimited { until: Option<SystemTime> },
    /// A status the caller does not expect, with the issuer's message scrubbed.
    Status { status: u16, detail: String },
    /// A 2xx whose body is not what the API documents.
    BadResponse { detail: String },
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Refused { message, .. } => f.write_str(message),
            Failure::Timeout { after } => {
                write!(f, "no answer within {} s", after.as_secs_f64())
            }
            Failure::Deadline => write!(
                f,
                "the run's deadline ({} s) passed before the request",
                DEADLINE.as_secs()
            ),
            Failure::Transport { reason } => match reason {
                Reason::Unreachable { detail } => write!(f, "unreachable ({detail})"),
                Reason::Tls { detail } => write!(f, "TLS failed ({detail})"),
                Reason::BadResponse { detail } => write!(f, "broken response ({detail})"),
                Reason::Timeout { .. } => f.write_str("timed out"),
                other => write!(f, "{other:?}"),
            },
            Failure::RateLimited { until: Some(t) } => write!(
                f,
                "rate limited until {}",
                humantime::format_rfc3339_seconds(*t)
            ),
            Failure::RateLimited { until: None } => f.write_str("rate limited"),
            Failure::Status { status, detail } if detail.is_empty() => {
                write!(f, "unexpected status {status}")
            }
            Failure::Status { status, detail } => {
                write!(f, "unexpected status {status}: {detail}")
            }
            Failure::BadResponse { detail } => write!(f, "unexpected answer: {detail}"),
        }
    }
}

impl std::error::Error for Failure {}

impl tokenspec_core::Help for Failure {
    fn help(&self) -> Option<String> {
        let fix = match self {
            Failure::Refused { help, .. } => help,
            Failure::Timeout { .. } => "check the network path to the API, or give it longer with TOKENSPEC_HTTP_TIMEOUT (seconds per request)",
            Failure::Deadline => "verify fewer tokens at once (NAME…), or run it again",
            Failure::Transport { .. } => "check that the API address is reachable from here (GITHUB_API_URL, TOKENSPEC_DISCORD_API_URL, TOKENSPEC_CLOUDFLARE_API_URL)",
            Failure::RateLimited { .. } => "wait until the rate limit resets, then run it again",
            Failure::Status { .. } | Failure::BadResponse { .. } => return None,
        };
        Some(fix.to_owned())
    }
}

/// An RFC 3339 time to the second, UTC (`2026-01-31T12:00:00Z`).
pub fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}
