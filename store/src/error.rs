//! The one error type: which server, which secret, what went wrong, and the
//! fix. It never carries a value or a token: server messages are quoted only
//! after every credential and value the request carried is cut out.

use std::fmt;

use tokenspec_core::Class;

/// What the client was doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// Reading the environment and files that configure the client.
    Configure,
    /// Logging in with AppRole or JWT.
    Login,
    Read,
    ReadMetadata,
    Write,
    WriteMetadata,
}

impl Operation {
    fn verb(self) -> &'static str {
        match self {
            Operation::Configure => "configure the store client for",
            Operation::Login => "log in at",
            Operation::Read => "read",
            Operation::ReadMetadata => "read the metadata of",
            Operation::Write => "write",
            Operation::WriteMetadata => "write the metadata of",
        }
    }
}

/// Why it failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// No connection (refused, reset, no route, unknown host), after the retries.
    Unreachable { detail: String },
    /// No answer within the request timeout ([`crate::RetryPolicy::request_timeout`]).
    Timeout { after: std::time::Duration },
    /// 503 from a sealed server, after the retries.
    Sealed,
    /// 5xx or 429 on every attempt, and not sealed (for example a standby with no active node).
    Unavailable { status: u16 },
    /// 403: the token's policy does not allow it, or the token is invalid or expired.
    PermissionDenied,
    /// 404: no such secret (or no auth method at that mount).
    NotFound,
    /// 400 on a check-and-set write: the secret changed since it was read.
    CasConflict,
    /// 400 otherwise, with the server's message (credentials cut out).
    BadRequest { detail: String },
    /// A status or body the client does not understand.
    BadResponse { detail: String },
    /// The TLS handshake or certificate check failed.
    Tls { detail: String },
    /// `BAO_CACERT` / `VAULT_CACERT` names a file that is unreadable or holds no certificate.
    CaFile { path: String, detail: String },
    /// The token helper file exists but cannot be read.
    TokenFile { path: String, detail: String },
    /// No credentials in the environment and no token helper file.
    NoCredentials,
    /// Neither `BAO_ADDR` / `VAULT_ADDR` nor the spec's `[store] address`.
    NoAddress,
    /// `TOKENSPEC_JWT_ROLE` in GitHub Actions, but the runner's OIDC token could not be fetched.
    OidcToken { detail: String },
    /// One half of a credential pair is set, the other is not.
    IncompleteCredentials {
        set: &'static str,
        missing: &'static str,
    },
}

/// A failed store operation, printable as `error: …` then `help: …`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreError {
    /// The server address, e.g. `https://bao.internal:8200`.
    pub address: String,
    pub operation: Operation,
    /// The API path under `/v1/`, e.g. `secret/data/myproject/cicd/prod`, if there is one.
    pub target: Option<String>,
    /// The class whose secret it was, for the help text.
    pub class: Option<Class>,
    pub reason: Reason,
}

impl StoreError {
    pub(crate) fn new(
        address: &str,
        operation: Operation,
        target: Option<&str>,
        reason: Reason,
    ) -> Self {
        StoreError {
            address: address.to_owned(),
            operation,
            target: target.map(str::to_owned),
            class: None,
            reason,
        }
    }

    /// The same error, naming the class whose secret it was (sharpens the help text).
    pub fn for_class(mut self, class: Class) -> Self {
        self.class = Some(class);
        self
    }

    /// Whether this is a 404 (the caller may treat an absent secret as empty).
    pub fn is_not_found(&self) -> bool {
        self.reason == Reason::NotFound
    }

    fn fix(&self) -> String {
        let target = self.target.as_deref().unwrap_or("it");
        let class = self.class.map(Class::as_str);
        match &self.reason {
            Reason::Unreachable { .. } => format!(
                "check that the server at {} is running and reachable, and that BAO_ADDR / VAULT_ADDR or the spec's [store] address is right; nothing was read from files instead",
                self.address
            ),
            Reason::Timeout { after } => format!(
                "the server at {} did not answer within {}; check the network path and the server's health",
                self.address,
                seconds(*after)
            ),
            Reason::Sealed => "the server is sealed: an operator must unseal it (`bao operator unseal`)".to_owned(),
            Reason::Unavailable { status } => format!(
                "the server answered {status} on every attempt; check its health with `bao status` (a cluster may have no active node)"
            ),
            Reason::PermissionDenied => match (self.operation, class) {
                (Operation::Login, _) => "the login was refused: check the role and its credentials".to_owned(),
                (Operation::Read | Operation::ReadMetadata, Some(class)) => format!(
                    "this token's policy does not allow reading {target}; ask the {class} class owner for the `{class}-reader` policy (or log in again if the token expired)"
                ),
                (Operation::Write | Operation::WriteMetadata, Some(class)) => format!(
                    "this token's policy does not allow writing {target}; ask the {class} class owner for the `{class}-writer` policy (or log in again if the token expired)"
                ),
                _ => format!(
                    "this token's policy does not allow access to {target}, or the token is invalid or expired"
                ),
            },
            Reason::NotFound => match self.operation {
                Operation::Login => format!(
                    "no auth method answers at {target}: enable it on the server, or name its mount (TOKENSPEC_APPROLE_MOUNT / TOKENSPEC_JWT_MOUNT)"
                ),
                _ => format!(
                    "there is no secret at {target}: write it with `tokenspec push`, or check the spec's [store] mount and path"
                ),
            },
            Reason::CasConflict => format!(
                "{target} changed since it was read (someone wrote it meanwhile); nothing was overwritten: run the push again to see the new state"
            ),
            Reason::BadRequest { .. } => "the server rejected the request; check the spec's [store] mount (it must be a KV v2 mount) and the credentials".to_owned(),
            Reason::BadResponse { .. } => format!(
                "the server at {} did not answer like an OpenBao/Vault KV v2 mount; check the address and the mount",
                self.address
            ),
            Reason::Tls { .. } => "check the server certificate, or point BAO_CACERT / VAULT_CACERT at the CA file that signed it".to_owned(),
            Reason::CaFile { .. } => "point BAO_CACERT / VAULT_CACERT at a readable PEM file with the CA certificate".to_owned(),
            Reason::TokenFile { .. } => "make the token helper file readable, or set BAO_TOKEN / VAULT_TOKEN".to_owned(),
            Reason::NoAddress => "set BAO_ADDR (or VAULT_ADDR), or `address` in the spec's [store] table".to_owned(),
            Reason::NoCredentials => "set BAO_TOKEN (or VAULT_TOKEN), or log in with `bao login` (it writes ~/.vault-token), or set TOKENSPEC_APPROLE_ROLE_ID and TOKENSPEC_APPROLE_SECRET_ID, or TOKENSPEC_JWT_ROLE with TOKENSPEC_JWT or TOKENSPEC_JWT_FILE".to_owned(),
            Reason::IncompleteCredentials { missing, .. } => format!("set {missing} as well"),
            Reason::OidcToken { .. } => "give the job `permissions: id-token: write` (the runner then sets ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN), or set TOKENSPEC_JWT or TOKENSPEC_JWT_FILE".to_owned(),
        }
    }
}

impl tokenspec_core::Help for StoreError {
    /// Always some: every store failure has a next step.
    fn help(&self) -> Option<String> {
        Some(self.fix())
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.target {
            Some(target) => write!(
                f,
                "cannot {} {target} at {}: ",
                self.operation.verb(),
                self.address
            )?,
            None if self.address.is_empty() => {
                f.write_str("cannot configure the store client: ")?
            }
            None => write!(f, "cannot {} {}: ", self.operation.verb(), self.address)?,
        }
        match &self.reason {
            Reason::Unreachable { detail } => write!(f, "the server is unreachable ({detail})"),
            Reason::Timeout { .. } => f.write_str("the request timed out"),
            Reason::Sealed => f.write_str("the server is sealed (503)"),
            Reason::Unavailable { status } => write!(f, "the server is unavailable ({status})"),
            Reason::PermissionDenied => f.write_str("permission denied (403)"),
            Reason::NotFound => f.write_str("not found (404)"),
            Reason::CasConflict => {
                f.write_str("check-and-set conflict: the secret changed since it was read")
            }
            Reason::BadRequest { detail } => write!(f, "bad request (400): {detail}"),
            Reason::BadResponse { detail } => write!(f, "unexpected response: {detail}"),
            Reason::Tls { detail } => write!(f, "TLS failed: {detail}"),
            Reason::CaFile { path, detail } => write!(f, "cannot use the CA file {path}: {detail}"),
            Reason::TokenFile { path, detail } => {
                write!(f, "cannot read the token file {path}: {detail}")
            }
            Reason::NoCredentials => f.write_str("no credentials"),
            Reason::NoAddress => f.write_str("no server address"),
            Reason::IncompleteCredentials { set, missing } => {
                write!(f, "{set} is set but {missing} is not")
            }
            Reason::OidcToken { detail } => {
                write!(f, "cannot fetch the GitHub Actions OIDC token ({detail})")
            }
        }
    }
}

impl std::error::Error for StoreError {}

/// `10 s`, or `250 ms` for a timeout shorter than a second.
fn seconds(d: std::time::Duration) -> String {
    if d.subsec_nanos() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// A server message made safe to quote: every known secret cut out, control
/// characters dropped, at most 300 characters.
pub(crate) fn scrub(message: &str, secrets: &[&str]) -> String {
    let mut text = message.to_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        text = text.replace(secret, "[REDACTED]");
    }
    let mut out: String = text.chars().filter(|c| !c.is_control()).take(300).collect();
    if text.chars().count() > 300 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokenspec_core::Help;

    fn err(operation: Operation, reason: Reason) -> StoreError {
        StoreError::new(
            "http://127.0.0.1:8200",
            operation,
            Some("secret/data/p/runtime/prod"),
            reason,
        )
        .for_class(Class::Runtime)
    }

    #[test]
    fn permission_denied_names_the_path_and_the_policy() {
        let e = err(Operation::Read, Reason::PermissionDenied);
        assert_eq!(
            e.to_string(),
            "cannot read secret/data/p/runtime/prod at http://127.0.0.1:8200: permission denied (403)"
        );
        assert!(e.help().unwrap().starts_with(
            "this token's policy does not allow reading secret/data/p/runtime/prod; ask the runtime class owner for the `runtime-reader` policy"
        ));
    }

    #[test]
    fn every_reason_reads_as_a_lowercase_sentence_without_a_period() {
        let reasons = [
            Reason::Unreachable {
                detail: "connection refused".into(),
            },
            Reason::Timeout {
                after: crate::REQUEST_TIMEOUT,
            },
            Reason::Sealed,
            Reason::Unavailable { status: 500 },
            Reason::PermissionDenied,
            Reason::NotFound,
            Reason::CasConflict,
            Reason::BadRequest { detail: "x".into() },
            Reason::BadResponse { detail: "x".into() },
            Reason::Tls { detail: "x".into() },
            Reason::CaFile {
                path: "/ca".into(),
                detail: "x".into(),
            },
            Reason::TokenFile {
                path: "/t".into(),
                detail: "x".into(),
            },
            Reason::NoCredentials,
            Reason::IncompleteCredentials {
                set: "A",
                missing: "B",
            },
        ];
        for operation in [
            Operation::Configure,
            Operation::Login,
            Operation::Read,
            Operation::Write,
        ] {
            for reason in &reasons {
                let e = err(operation, reason.clone());
                let (text, help) = (e.to_string(), e.help().unwrap());
                assert!(text.starts_with("cannot "), "{text}");
                assert!(text.contains("http://127.0.0.1:8200"), "{text}");
                for line in [&text, &help] {
                    assert!(!line.ends_with('.'), "{line}");
                    assert!(!line.is_empty());
                }
            }
        }
    }

    #[test]
    fn scrub_cuts_secrets_and_control_characters() {
        let s = scrub("bad token hvs.SECRET\nin line", &["hvs.SECRET", ""]);
        assert_eq!(s, "bad token [REDACTED]in line");
        assert_eq!(scrub(&"x".repeat(400), &[]).chars().count(), 301);
    }
}
