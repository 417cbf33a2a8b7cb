//! The one policy for where a credential may be sent.
//!
//! Every outbound call that carries a credential (the store's token, an
//! AppRole or JWT login, the GitHub Actions OIDC request, and any later
//! verification call) checks its address with [`check_address`] first,
//! before any name lookup or connection:
//!
//! - `https://` to any host is allowed;
//! - `http://` is allowed only to a loopback host written literally:
//!   an IPv4 address in `127.0.0.0/8`, `[::1]`, or `localhost`;
//! - anything else (another scheme, `http://` to any other host, a name
//!   such as `bao.internal`, a host that does not parse) is refused.
//!
//! The check reads the text only: it never resolves a name, so a refused
//! address causes no DNS query and no packet.
//!
//! An address may hold a user name and password (`https://user:pw@host`);
//! [`display_address`] (and [`Address`]'s `Display`) show it without them,
//! and [`AddressError`] never contains them. Use one of those whenever an
//! address reaches a message.
//!
//! ```
//! use tokenspec_core::address::{check_address, display_address};
//!
//! assert!(check_address("https://bao.example.com:8200").is_ok());
//! assert!(check_address("http://127.0.0.1:8200").is_ok());
//! let refused = check_address("http://user:pw@bao.example.com:8200").unwrap_err();
//! assert_eq!(
//!     refused.to_string(),
//!     "http://bao.example.com:8200 is clear-text http to a host that is not loopback"
//! );
//! assert_eq!(display_address("https://u:p@host/x"), "https://host/x");
//! ```

use std::borrow::Cow;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// An address [`check_address`] accepted.
#[derive(Clone, PartialEq, Eq)]
pub struct Address {
    text: String,
    https: bool,
    host: String,
}

impl Address {
    /// The address exactly as given (user info included: this is what to
    /// connect to, not what to print).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the scheme is `https`.
    pub fn is_https(&self) -> bool {
        self.https
    }

    /// The host, lowercased, IPv6 in brackets, without the port.
    pub fn host(&self) -> &str {
        &self.host
    }
}

/// Shows the address without user info.
impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&display_address(&self.text))
    }
}

/// Without user info, like `Display`.
impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({})", display_address(&self.text))
    }
}

/// Why [`check_address`] refused an address. `Display` is a lowercase
/// sentence naming the address without user info; [`AddressError::help`]
/// is the fix.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AddressError {
    /// `http://` to a host that is not a loopback literal.
    ClearText { shown: String },
    /// Neither `https://` nor `http://`.
    Scheme { shown: String },
    /// No host, a bad port, or characters no URL host holds.
    Malformed { shown: String },
}

impl AddressError {
    /// The fix, for a `help:` line.
    pub fn help(&self) -> &'static str {
        match self {
            AddressError::ClearText { .. } => {
                "use https://, or http:// only to a loopback host (127.0.0.1, [::1] or localhost): a credential is never sent in clear text"
            }
            AddressError::Scheme { .. } => "give an https:// address",
            AddressError::Malformed { .. } => {
                "give an address like https://host:8200 (a host, an optional port, an optional path)"
            }
        }
    }
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddressError::ClearText { shown } => write!(
                f,
                "{shown} is clear-text http to a host that is not loopback"
            ),
            AddressError::Scheme { shown } => {
                write!(f, "{shown} is neither an https:// nor an http:// address")
            }
            AddressError::Malformed { shown } => write!(f, "{shown} is not a valid address"),
        }
    }
}

impl std::error::Error for AddressError {}

/// Checks that a credential may be sent to `address` (see the module
/// documentation): `https://` anywhere, `http://` only to a loopback
/// literal. Reads the text only; never resolves a name or connects.
pub fn check_address(address: &str) -> Result<Address, AddressError> {
    let shown = || display_address(address).into_owned();
    if address
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return Err(AddressError::Malformed { shown: shown() });
    }
    let Some((scheme, rest)) = address.split_once("://") else {
        return Err(AddressError::Scheme { shown: shown() });
    };
    let https = if scheme.eq_ignore_ascii_case("https") {
        true
    } else if scheme.eq_ignore_ascii_case("http") {
        false
    } else {
        return Err(AddressError::Scheme { shown: shown() });
    };
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) =
        split_host_port(host_port).ok_or_else(|| AddressError::Malformed { shown: shown() })?;
    if let Some(port) = port {
        if port.is_empty()
            || !port.bytes().all(|b| b.is_ascii_digit())
            || port.parse::<u16>().is_err()
        {
            return Err(AddressError::Malformed { shown: shown() });
        }
    }
    let host = host.to_ascii_lowercase();
    if !https && !is_loopback_literal(&host) {
        return Err(AddressError::ClearText { shown: shown() });
    }
    Ok(Address {
        text: address.to_owned(),
        https,
        host,
    })
}

/// `host` and the text after its `:`, if any; `None` when the host is empty
/// or holds characters a host does not.
fn split_host_port(authority: &str) -> Option<(&str, Option<&str>)> {
    let (host, port) = if let Some(inner) = authority.strip_prefix('[') {
        let end = inner.find(']')?;
        let host = &authority[..end + 2];
        match &authority[end + 2..] {
            "" => (host, None),
            tail => (host, Some(tail.strip_prefix(':')?)),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let ok = if host.starts_with('[') {
        host[1..host.len() - 1].parse::<Ipv6Addr>().is_ok()
    } else {
        !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
    };
    ok.then_some((host, port))
}

/// `127.0.0.0/8` as a dotted quad, `[::1]`, or `localhost` (lowercased input).
fn is_loopback_literal(host: &str) -> bool {
    if host == "localhost" {
        return true;
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback());
    }
    host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// `address` without user info (`https://user:pw@host` → `https://host`), for
/// any message that shows an address. Text that is not a URL comes back as
/// is, except that anything before an `@` in it is cut as well.
pub fn display_address(address: &str) -> Cow<'_, str> {
    let (prefix, rest) = match address.split_once("://") {
        Some((scheme, rest)) => (&address[..scheme.len() + 3], rest),
        None => ("", address),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        None => Cow::Borrowed(address),
        Some(at) => Cow::Owned(format!("{prefix}{}", &rest[at + 1..])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_to_loopback_literals() {
        for ok in [
            "https://bao.example.com",
            "https://bao.example.com:8200/",
            "HTTPS://10.0.0.1:8200",
            "http://127.0.0.1:8200",
            "http://127.255.0.9",
            "http://localhost:8200",
            "http://LOCALHOST",
            "http://[::1]:8200",
            "http://[0:0:0:0:0:0:0:1]/",
            "https://[2001:db8::1]:443",
            "http://u:p@127.0.0.1:1/x",
        ] {
            assert!(check_address(ok).is_ok(), "{ok}");
        }
        for clear in [
            "http://192.0.2.1:8200",
            "http://bao.invalid:8200",
            "http://127.0.0.1.nip.io",
            "http://localhost.evil.com",
            "http://127.1",
            "http://0x7f.0.0.1",
            "http://2130706433",
            "http://[::ffff:192.0.2.1]",
            "http://[2001:db8::1]",
            "http://0.0.0.0:8200",
            "http://127.0.0.1@evil.com",
            "http://127.0.0.1%2f@evil",
        ] {
            assert!(
                matches!(check_address(clear), Err(AddressError::ClearText { .. })),
                "{clear}: {:?}",
                check_address(clear)
            );
        }
        for bad in [
            "ftp://127.0.0.1",
            "127.0.0.1:8200",
            "bao.example.com",
            "unix:///run/bao.sock",
        ] {
            assert!(
                matches!(check_address(bad), Err(AddressError::Scheme { .. })),
                "{bad}"
            );
        }
        for bad in [
            "http://",
            "https://:8200",
            "https://host:port",
            "https://host:99999",
            "http://[::1",
            "http://127.0.0.1\\@evil.com",
            "https://ho st",
            "http://[::1]x:80",
        ] {
            assert!(
                matches!(check_address(bad), Err(AddressError::Malformed { .. })),
                "{bad}: {:?}",
                check_address(bad)
            );
        }
    }

    #[test]
    fn user_info_is_never_shown() {
        let e = check_address("http://admin:hunter2@bao.example.com:8200/").unwrap_err();
        let text = format!("{e} {e:?} {}", e.help());
        assert!(
            !text.contains("hunter2") && !text.contains("admin"),
            "{text}"
        );
        assert_eq!(
            e.to_string(),
            "http://bao.example.com:8200/ is clear-text http to a host that is not loopback"
        );
        let a = check_address("https://admin:hunter2@bao.example.com").unwrap();
        assert_eq!(a.to_string(), "https://bao.example.com");
        assert!(!format!("{a:?}").contains("hunter2"));
        assert_eq!(a.as_str(), "https://admin:hunter2@bao.example.com");
        assert_eq!(a.host(), "bao.example.com");
        assert_eq!(display_address("https://h/p@q"), "https://h/p@q");
        assert_eq!(display_address("u:p@h"), "h");
        assert_eq!(display_address("http://h"), "http://h");
    }
}
