//! Requests to the issuers and to GitHub over the store's agent
//! ([`tokenspec_store::agent`]: rustls, no redirects), each with its own
//! timeout and all within one deadline. Every request's address passes
//! [`tokenspec_core::address::check_address`] first, here, so no caller
//! can send a credential past the policy.

use std::time::{Duration, Instant};

use tokenspec_core::Secret;
use tokenspec_store::Reason;
use ureq::Agent;
use zeroize::Zeroizing;

use crate::{Failure, REQUEST_TIMEOUT};

/// A larger answer is refused (a page of 100 secrets is about 10 KB).
const MAX_RESPONSE_BYTES: u64 = 1024 * 1024;

/// One agent shared by every request of a run (it is `Sync`: the verify
/// threads share its connection pool), and the run's deadline.
pub struct Client {
    /// For `https://` (through a proxy when one is configured).
    tls: Agent,
    /// For `http://` to a loopback host: never through a proxy.
    loopback: Agent,
    deadline: Instant,
    timeout: Duration,
}

/// An answer with any status: the headers the callers read, and the body
/// (zeroized on drop; callers quote it only scrubbed of the credential).
pub(crate) struct Reply {
    pub status: u16,
    headers: Vec<(String, String)>,
    pub body: Zeroizing<String>,
}

impl Reply {
    /// A header's value, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
    }
}

/// How the credential goes in the `Authorization` header.
#[derive(Clone, Copy)]
pub(crate) enum Auth<'a> {
    Bearer(&'a Secret),
    Bot(&'a Secret),
}

/// The response headers worth keeping (everything else is dropped).
const KEPT: &[&str] = &[
    "x-oauth-scopes",
    "github-authentication-token-expiration",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-ratelimit-resource",
    "retry-after",
];

impl Client {
    /// A client whose requests each get [`REQUEST_TIMEOUT`] and all end by
    /// [`crate::DEADLINE`] from now.
    pub fn new() -> Result<Client, Failure> {
        Client::with_timeouts(REQUEST_TIMEOUT, crate::DEADLINE)
    }

    /// A client with other bounds (tests, `TOKENSPEC_HTTP_TIMEOUT`).
    pub fn with_timeouts(request: Duration, overall: Duration) -> Result<Client, Failure> {
        let agent = |https| {
            tokenspec_store::agent(None, https, request).map_err(|detail| Failure::Transport {
                reason: Reason::BadResponse { detail },
            })
        };
        Ok(Client {
            tls: agent(true)?,
            loopback: agent(false)?,
            deadline: Instant::now() + overall,
            timeout: request,
        })
    }

    /// This request's timeout: the per-request one, or what is left of the deadline.
    fn budget(&self) -> Result<Duration, Failure> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Failure::Deadline);
        }
        Ok(left.min(self.timeout))
    }

    /// The agent for `url`, once the address policy allows it.
    fn agent(&self, url: &str, variable: &str) -> Result<&Agent, Failure> {
        let checked = crate::check_address(url, variable)?;
        Ok(if checked.is_https() {
            &self.tls
        } else {
            &self.loopback
        })
    }

    pub(crate) fn get(&self, url: &str, variable: &str, auth: Auth<'_>) -> Result<Reply, Failure> {
        let agent = self.agent(url, variable)?;
        let timeout = self.budget()?;
        let request = agent
            .get(url)
            .config()
            .timeout_global(Some(timeout))
            .build();
        let request = with_headers(request, auth);
        read(request.call(), timeout)
    }

    pub(crate) fn put(
        &self,
        url: &str,
        variable: &str,
        auth: Auth<'_>,
        body: &[u8],
    ) -> Result<Reply, Failure> {
        let agent = self.agent(url, variable)?;
        let timeout = self.budget()?;
        let request = agent
            .put(url)
            .config()
            .timeout_global(Some(timeout))
            .build()
            .header("Content-Type", "application/json");
        let request = with_headers(request, auth);
        read(request.send(body), timeout)
    }
}

fn with_headers<B>(request: ureq::RequestBuilder<B>, auth: Auth<'_>) -> ureq::RequestBuilder<B> {
    let value = match auth {
        Auth::Bearer(token) => Zeroizing::new(format!("Bearer {}", token.expose_secret())),
        Auth::Bot(token) => Zeroizing::new(format!("Bot {}", token.expose_secret())),
    };
    request
        .header("Authorization", value.as_str())
        .header("Accept", "application/vnd.github+json, application/json")
        .header("X-GitHub-Api-Version", "2022-11-28")
}

fn read(
    result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    timeout: Duration,
) -> Result<Reply, Failure> {
    let mut response = result.map_err(|e| transport(e, timeout))?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .filter(|(name, _)| KEPT.contains(&name.as_str()))
        .filter_map(|(name, value)| {
            Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
        })
        .collect();
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_RESPONSE_BYTES)
        .read_to_string()
        .map_err(|e| transport(e, timeout))?;
    Ok(Reply {
        status,
        headers,
        body: Zeroizing::new(body),
    })
}

fn transport(e: ureq::Error, timeout: Duration) -> Failure {
    match tokenspec_store::no_reply(e) {
        Reason::Timeout { .. } => Failure::Timeout { after: timeout },
        reason => Failure::Transport { reason },
    }
}
