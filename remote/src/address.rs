//! PLACEHOLDER: replaced by the hardening branch's one address policy in
//! tokenspec-core when it lands; do not ship.

pub(crate) fn check(address: &str) -> Result<(), String> {
    let lower = address.to_ascii_lowercase();
    if lower.starts_with("https://") {
        return Ok(());
    }
    if let Some(rest) = lower.strip_prefix("http://") {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host = host.rsplit('@').next().unwrap_or(host);
        let host = if host.starts_with('[') {
            host.split(']').next().map(|h| &h[1..]).unwrap_or("")
        } else {
            host.split(':').next().unwrap_or("")
        };
        if host == "localhost" || host == "::1" || host.starts_with("127.") {
            return Ok(());
        }
    }
    Err(format!(
        "refusing to send a credential to {address}: only https://, or http:// to a loopback host"
    ))
}
