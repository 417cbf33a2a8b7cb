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
    /// Every request of one client (one command run) together: no request
    /// starts, and none runs on, past this time after the client was made
    /// ([`crate::OVERALL_DEADLINE`]).
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    /// See [`crate::REQUEST_TIMEOUT`], [`crate::MAX_ATTEMPTS`] and [`crate::RETRY_BUDGET`].
    fn default() -> Self {
        RetryPolicy {
            request_timeout: crate::REQUEST_TIMEOUT,
            max_attempts: crate::MAX_ATTEMPTS,
            first_backoff: crate::FIRST_BACKOFF,
            budget: crate::RETRY_BUDGET,
            deadline: crate::OVERALL_DEADLINE,
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
    /// When the overall deadline passes ([`RetryPolicy::deadline`]).
    deadline: Instant,
}

impl Transport {
    pub(crate) fn new(
        address: &str,
        ca_file: Option<&Path>,
        retry: RetryPolicy,
    ) -> Result<Transport, StoreError> {
        // Before anything else: no name lookup, no connection, no token in
        // clear text to a host that is not loopback.
        let checked = tokenspec_core::address::check_address(address).map_err(|e| {
            StoreError::new(address, Operation::Configure, None, Reason::Address(e))
        })?;
        let agent =
            agent(ca_file, checked.is_https(), retry.request_timeout).map_err(|detail| {
                let path = ca_file.map(|p| p.display().to_string()).unwrap_or_default();
                StoreError::new(
                    address,
                    Operation::Configure,
                    None,
                    Reason::CaFile { path, detail },
                )
            })?;
        Ok(Transport {
            agent,
            address: address.to_owned(),
            retry,
            deadline: Instant::now() + retry.deadline,
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
            let left = self.deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Reason::Deadline {
                    limit: self.retry.deadline,
                });
            }
            let outcome = self.send_once(method, &url, token, body, left);
            // A request cut short by the overall deadline is the deadline's failure.
            let outcome = match outcome {
                Err(Failure {
                    reason: Reason::Timeout { .. },
                    ..
                }) if Instant::now() >= self.deadline => {
                    return Err(Reason::Deadline {
                        limit: self.retry.deadline,
                    })
                }
                other => other,
            };
            let transient = match &outcome {
                Ok(reply) => matches!(reply.status, 429 | 500 | 502 | 503 | 504),
                Err(Failure { transient, .. }) => *transient,
            };
            let before_deadline = |pause: Duration| Instant::now() + pause < self.deadline;
            match self.retry.pause_after(attempt, started.elapsed()) {
                Some(pause) if transient && before_deadline(pause) => thread::sleep(pause),
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
        left: Duration,
    ) -> Result<Reply, Failure> {
        // This request's time: its own timeout, or what is left of the deadline.
        let timeout = Some(left.min(self.retry.request_timeout));
        let result = match method {
            Method::Get => {
                let mut request = self.agent.get(url).config().timeout_global(timeout).build();
                if let Some(token) = token {
                    request = request.header("X-Vault-Token", token.expose_secret());
                }
                request.call()
            }
            Method::Post => {
                let mut request = self
                    .agent
                    .post(url)
                    .config()
                    .timeout_global(timeout)
                    .build()
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

/// The HTTP agent every tokenspec client uses (the store here, the issuers
/// and GitHub's secrets in `tokenspec-remote`): rustls with the platform
/// verifier, or only the CA certificates of `ca_file`; [`crate::CONNECT_TIMEOUT`]
/// (at most `request_timeout`) and `request_timeout`; any status is a reply, not an error; no
/// redirects, so a credential header only goes to the address it was meant
/// for. `https` false is for a clear-text loopback address (one that
/// passed [`tokenspec_core::address::check_address`]): no proxy, which
/// would carry the request and its token off the host. `Err` is why
/// `ca_file` is unusable.
pub fn agent(
    ca_file: Option<&Path>,
    https: bool,
    request_timeout: Duration,
) -> Result<Agent, String> {
    let root_certs = match ca_file {
        None => RootCerts::PlatformVerifier,
        Some(path) => read_ca_file(path)?,
    };
    let config = Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(request_timeout))
        .timeout_connect(Some(crate::CONNECT_TIMEOUT.min(request_timeout)))
        // The token header would follow a redirect to wherever it points;
        // standbys forward requests to the active node instead.
        .max_redirects(0)
        .user_agent(concat!("tokenspec/", env!("CARGO_PKG_VERSION")))
        .tls_config(TlsConfig::builder().root_certs(root_certs).build());
    // A proxy would carry a clear-text request (and its token) off the
    // loopback host; only https goes through one (tunnelled).
    let config = if https { config } else { config.proxy(None) }.build();
    Ok(config.into())
}

/// Why a request got no reply, in the store's terms (unreachable, timeout,
/// TLS, a broken response); shared with `tokenspec-remote`.
pub fn no_reply(error: ureq::Error) -> Reason {
    Failure::from(error).reason
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
    // Bounded, regular files only: a FIFO or /dev/zero never hangs or fills memory.
    let pem = tokenspec_core::file::read_regular(path)
        .map_err(|e| io_detail(&e))?
        .ok_or_else(|| "no such file or directory".to_owned())?;
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
    fn the_overall_deadline_bounds_every_request_together() {
        use std::io::{Read, Write};
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        // Answers each request, but slowly.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(AtomicUsize::new(0));
        let count = seen.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                count.fetch_add(1, Ordering::SeqCst);
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                    head.push(byte[0]);
                }
                thread::sleep(Duration::from_millis(300));
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
                );
            }
        });
        let policy = RetryPolicy {
            deadline: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        let transport = Transport::new(&address, None, policy).unwrap();
        let mut outcome = Ok(());
        for _ in 0..20 {
            if let Err(e) = transport.send(Method::Get, "x", None, None) {
                outcome = Err(e);
                break;
            }
        }
        assert_eq!(
            outcome.unwrap_err(),
            Reason::Deadline {
                limit: Duration::from_secs(1)
            }
        );
        // About three answered, one cut off; never the twenty asked for.
        assert!(
            seen.load(Ordering::SeqCst) <= 5,
            "{}",
            seen.load(Ordering::SeqCst)
        );
        let e = StoreError::new(
            &address,
            Operation::Read,
            Some("x"),
            Reason::Deadline {
                limit: Duration::from_secs(30),
            },
        );
        assert!(
            e.to_string()
                .ends_with("the store's requests took more than 30 s in all"),
            "{e}"
        );
    }

    #[test]
    fn no_retry_past_the_budget() {
        let policy = RetryPolicy {
            request_timeout: crate::REQUEST_TIMEOUT,
            max_attempts: 10,
            first_backoff: Duration::from_millis(100),
            budget: Duration::from_secs(1),
            ..RetryPolicy::default()
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
