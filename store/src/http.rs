//! One HTTP agent per run (its connection is reused for every request), with
//! timeouts and bounded retries for the failures a cluster shows while its
//! leader changes.

use std::io;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use tokenspec_core::Secret;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
use ureq::Agent;
use zeroize::Zeroizing;

use crate::error::{Operation, Reason, StoreError};

/// How long one request may take, and how often and how long to retry a
/// transient failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Time for one whole request, connection included; a timeout is not retried.
    pub request_timeout: Duration,
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The pause before the first retry; each later pause doubles.
    pub first_backoff: Duration,
    /// No retry starts (and no pause is taken) past this time since the first attempt.
    pub budget: Duration,
}

impl Default for RetryPolicy {
    /// See [`crate::REQUEST_TIMEOUT`], [`crate::MAX_ATTEMPTS`] and [`crate::RETRY_BUDGET`].
    fn default() -> Self {
        RetryPolicy {
            request_timeout: crate::REQUEST_TIMEOUT,
            max_attempts: crate::MAX_ATTEMPTS,
            first_backoff: crate::FIRST_BACKOFF,
            budget: crate::RETRY_BUDGET,
        }
    }
}

impl RetryPolicy {
    /// The pause after failed attempt `attempt` (1-based), or `None` when no
    /// retry is left within the attempts and the budget.
    fn pause_after(&self, attempt: u32, elapsed: Duration) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let pause = self
            .first_backoff
            .saturating_mul(1 << (attempt - 1).min(16));
        (elapsed + pause <= self.budget).then_some(pause)
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum Method {
    Get,
    Post,
}

/// A response: status and body (zeroized on drop, it may hold values).
pub(crate) struct Reply {
    pub status: u16,
    pub body: Zeroizing<String>,
}

pub(crate) struct Transport {
    agent: Agent,
    address: String,
    retry: RetryPolicy,
}

impl Transport {
    pub(crate) fn new(
        address: &str,
        ca_file: Option<&Path>,
        retry: RetryPolicy,
    ) -> Result<Transport, StoreError> {
        let root_certs = match ca_file {
            None => RootCerts::PlatformVerifier,
            Some(path) => read_ca_file(path).map_err(|detail| {
                StoreError::new(
                    address,
                    Operation::Configure,
                    None,
                    Reason::CaFile {
                        path: path.display().to_string(),
                        detail,
                    },
                )
            })?,
        };
        let config = Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(retry.request_timeout))
            .timeout_connect(Some(crate::CONNECT_TIMEOUT.min(retry.request_timeout)))
            // The token header would follow a redirect to wherever it points;
            // standbys forward requests to the active node instead.
            .max_redirects(0)
            .user_agent(concat!("tokenspec/", env!("CARGO_PKG_VERSION")))
            .tls_config(TlsConfig::builder().root_certs(root_certs).build())
            .build();
        Ok(Transport {
            agent: config.into(),
            address: address.to_owned(),
            retry,
        })
    }

    pub(crate) fn address(&self) -> &str {
        &self.address
    }

    /// Sends a request to `/v1/{path}`, retrying transient failures.
    ///
    /// A reply with any status is `Ok`; 429 and 5xx are returned only once
    /// the retries are spent. `Err` is a failure with no reply at all.
    pub(crate) fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&Secret>,
        body: Option<&[u8]>,
    ) -> Result<Reply, Reason> {
        let url = format!("{}/v1/{path}", self.address);
        let started = Instant::now();
        let mut attempt = 1;
        loop {
            let outcome = self.send_once(method, &url, token, body);
            let transient = match &outcome {
                Ok(reply) => matches!(reply.status, 429 | 500 | 502 | 503 | 504),
                Err(Failure { transient, .. }) => *transient,
            };
            match self.retry.pause_after(attempt, started.elapsed()) {
                Some(pause) if transient => thread::sleep(pause),
                _ => {
                    return outcome.map_err(|f| match f.reason {
                        Reason::Timeout { .. } => Reason::Timeout {
                            after: self.retry.request_timeout,
                        },
                        reason => reason,
                    })
                }
            }
            attempt += 1;
        }
    }

    fn send_once(
        &self,
        method: Method,
        url: &str,
        token: Option<&Secret>,
        body: Option<&[u8]>,
    ) -> Result<Reply, Failure> {
        let result = match method {
            Method::Get => {
                let mut request = self.agent.get(url);
                if let Some(token) = token {
                    request = request.header("X-Vault-Token", token.expose_secret());
                }
                request.call()
            }
            Method::Post => {
                let mut request = self
                    .agent
                    .post(url)
                    .header("Content-Type", "application/json");
                if let Some(token) = token {
                    request = request.header("X-Vault-Token", token.expose_secret());
                }
                request.send(body.unwrap_or(b"{}"))
            }
        };
        let mut response = result.map_err(Failure::from)?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(crate::MAX_RESPONSE_BYTES)
            .read_to_string()
            .map_err(Failure::from)?;
        Ok(Reply {
            status,
            body: Zeroizing::new(text),
        })
    }
}

/// A request that got no reply.
struct Failure {
    reason: Reason,
    /// Worth another attempt (the server may be back in a moment).
    transient: bool,
}

impl From<ureq::Error> for Failure {
    fn from(error: ureq::Error) -> Self {
        use ureq::Error as E;
        let unreachable = |detail: String, transient| Failure {
            reason: Reason::Unreachable { detail },
            transient,
        };
        match error {
            E::Timeout(_) => Failure {
                // `send` fills in the policy's timeout.
                reason: Reason::Timeout {
                    after: Duration::ZERO,
                },
                transient: false,
            },
            E::Io(e) if e.kind() == io::ErrorKind::TimedOut => Failure {
                // `send` fills in the policy's timeout.
                reason: Reason::Timeout {
                    after: Duration::ZERO,
                },
                transient: false,
            },
            // rustls reports a failed handshake or certificate check as invalid data.
            E::Io(e) if e.kind() == io::ErrorKind::InvalidData => Failure {
                reason: Reason::Tls {
                    detail: io_detail(&e),
                },
                transient: false,
            },
            E::Io(e) => {
                let transient = matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionRefused
                        | io::ErrorKind::ConnectionReset
                        | io::ErrorKind::ConnectionAborted
                        | io::ErrorKind::BrokenPipe
                        | io::ErrorKind::UnexpectedEof
                        | io::ErrorKind::NotConnected
                );
                unreachable(io_detail(&e), transient)
            }
            E::ConnectionFailed => unreachable("connection failed".to_owned(), true),
            E::HostNotFound => unreachable("host not found".to_owned(), false),
            // A server killed mid-answer leaves a half response.
            E::Protocol(e) => unreachable(format!("broken response: {e}"), true),
            E::Tls(detail) => Failure {
                reason: Reason::Tls {
                    detail: detail.to_owned(),
                },
                transient: false,
            },
            E::Rustls(e) => Failure {
                reason: Reason::Tls {
                    detail: e.to_string(),
                },
                transient: false,
            },
            other => Failure {
                reason: Reason::BadResponse {
                    detail: other.to_string(),
                },
                transient: false,
            },
        }
    }
}

/// The OS's words for an I/O failure, lowercase, without the `(os error N)` tail.
fn io_detail(e: &io::Error) -> String {
    let text = e.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text);
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => format!("{:?}", e.kind()).to_lowercase(),
    }
}

fn read_ca_file(path: &Path) -> Result<RootCerts, String> {
    let pem = std::fs::read(path).map_err(|e| io_detail(&e))?;
    let mut certs: Vec<Certificate<'static>> = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        if let PemItem::Certificate(cert) = item.map_err(|e| e.to_string())? {
            certs.push(cert);
        }
    }
    if certs.is_empty() {
        return Err("the file holds no PEM certificate".to_owned());
    }
    Ok(RootCerts::new_with_certs(&certs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_retries_stay_within_their_bound() {
        let policy = RetryPolicy::default();
        let mut elapsed = Duration::ZERO;
        let mut attempts = 1;
        while let Some(pause) = policy.pause_after(attempts, elapsed) {
            elapsed += pause;
            attempts += 1;
        }
        assert!(attempts <= crate::MAX_ATTEMPTS);
        assert!(elapsed <= crate::RETRY_BUDGET, "{elapsed:?}");
        assert_eq!(
            attempts,
            crate::MAX_ATTEMPTS,
            "the budget leaves room for every attempt when each fails at once"
        );
    }

    #[test]
    fn no_retry_past_the_budget() {
        let policy = RetryPolicy {
            request_timeout: crate::REQUEST_TIMEOUT,
            max_attempts: 10,
            first_backoff: Duration::from_millis(100),
            budget: Duration::from_secs(1),
        };
        assert_eq!(
            policy.pause_after(1, Duration::ZERO),
            Some(Duration::from_millis(100))
        );
        assert_eq!(
            policy.pause_after(2, Duration::from_millis(100)),
            Some(Duration::from_millis(200))
        );
        assert_eq!(policy.pause_after(3, Duration::from_millis(700)), None);
        assert_eq!(policy.pause_after(10, Duration::ZERO), None);
    }

    #[test]
    fn a_ca_file_without_certificates_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ca.pem");
        std::fs::write(&file, "not a pem").unwrap();
        let Err(e) = Transport::new("https://127.0.0.1:1", Some(&file), RetryPolicy::default())
        else {
            panic!("accepted a CA file without certificates");
        };
        assert!(matches!(e.reason, Reason::CaFile { .. }), "{e:?}");
        let Err(e) = Transport::new(
            "https://127.0.0.1:1",
            Some(&dir.path().join("absent")),
            RetryPolicy::default(),
        ) else {
            panic!("accepted a missing CA file");
        };
        assert!(e.to_string().contains("no such file"), "{e}");
    }
}
