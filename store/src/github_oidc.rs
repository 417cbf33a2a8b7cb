//! The GitHub Actions OIDC token, fetched by the client itself: in a job
//! with `permissions: id-token: write`, the runner sets
//! `ACTIONS_ID_TOKEN_REQUEST_URL` and `ACTIONS_ID_TOKEN_REQUEST_TOKEN`; a
//! `GET` of that URL (with `&audience=…` when one is asked for) and
//! `Authorization: bearer <request token>` answers `{"value": "<jwt>"}`.
//! The JWT is then exchanged for a store token like `TOKENSPEC_JWT`.

use tokenspec_core::Secret;
use ureq::tls::{RootCerts, TlsConfig};
use ureq::Agent;
use zeroize::Zeroizing;

use crate::error::Reason;

/// The runner's variables.
pub const REQUEST_URL: &str = "ACTIONS_ID_TOKEN_REQUEST_URL";
pub const REQUEST_TOKEN: &str = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";
/// The audience to ask for (default: GitHub's, the repository owner's URL).
pub const AUDIENCE: &str = "TOKENSPEC_JWT_AUDIENCE";

/// One request, with the store client's timeouts; not retried.
pub(crate) fn fetch(
    request_url: &str,
    request_token: &Secret,
    audience: Option<&str>,
) -> Result<Secret, Reason> {
    let failed = |detail: String| Reason::OidcToken { detail };
    // The request token is a credential too.
    let checked = tokenspec_core::address::check_address(request_url).map_err(Reason::Address)?;
    let agent = Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(crate::REQUEST_TIMEOUT))
        .timeout_connect(Some(crate::CONNECT_TIMEOUT))
        .max_redirects(0)
        .user_agent(concat!("tokenspec/", env!("CARGO_PKG_VERSION")))
        .tls_config(
            TlsConfig::builder()
                .root_certs(RootCerts::PlatformVerifier)
                .build(),
        );
    let agent: Agent = if checked.is_https() {
        agent
    } else {
        agent.proxy(None)
    }
    .build()
    .into();
    let mut url = request_url.to_owned();
    if let Some(audience) = audience {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str("audience=");
        url.push_str(&encode(audience));
    }
    let header = Zeroizing::new(format!("bearer {}", request_token.expose_secret()));
    let mut response = agent
        .get(&url)
        .header("Authorization", header.as_str())
        .header("Accept", "application/json")
        .call()
        .map_err(|e| failed(e.to_string()))?;
    let status = response.status().as_u16();
    let body = Zeroizing::new(
        response
            .body_mut()
            .with_config()
            .limit(crate::MAX_RESPONSE_BYTES)
            .read_to_string()
            .map_err(|e| failed(e.to_string()))?,
    );
    if status != 200 {
        return Err(failed(format!("the token endpoint answered {status}")));
    }
    let mut json = crate::json::parse_strict(&body).map_err(failed)?;
    match json.get_mut("value").map(serde_json::Value::take) {
        Some(serde_json::Value::String(jwt)) if !jwt.is_empty() => Ok(Secret::new(jwt)),
        _ => Err(failed("the answer has no `value`".to_owned())),
    }
}

/// Percent-encodes a query value (audiences are URLs).
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn audiences_are_percent_encoded() {
        assert_eq!(
            super::encode("https://github.com/my org"),
            "https%3A%2F%2Fgithub.com%2Fmy%20org"
        );
    }
}
