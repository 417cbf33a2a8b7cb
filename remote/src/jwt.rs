//! A JWT read offline: `exp`, `nbf` and `sub` from its payload. The
//! signature is not checked (tokenspec holds no key to check it with), and
//! every answer says so.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use zeroize::Zeroizing;

use crate::{rfc3339, Answer, Status};

const UNSIGNED: &str = "decoded offline; the signature is not checked";

/// What `exp` and `nbf` say about `token` at `now`.
pub fn inspect(token: &str, now: SystemTime) -> Answer {
    let mut answer = Answer {
        status: Status::Valid,
        identity: None,
        scopes: None,
        fine_grained: false,
        expires_at: None,
        message: Some(UNSIGNED.to_owned()),
    };
    let Some(claims) = payload(token) else {
        answer.status = Status::Invalid;
        answer.message = Some(format!("not a decodable JWT payload ({UNSIGNED})"));
        return answer;
    };
    let time = |key: &str| {
        let secs = claims.get(key)?.as_f64()?;
        (secs.is_finite() && secs >= 0.0).then(|| UNIX_EPOCH + Duration::from_secs(secs as u64))
    };
    answer.identity = claims
        .get("sub")
        .and_then(|s| s.as_str())
        .map(str::to_owned);
    answer.expires_at = time("exp");
    if let Some(exp) = answer.expires_at.filter(|exp| *exp <= now) {
        answer.status = Status::Expired;
        answer.message = Some(format!("expired at {} ({UNSIGNED})", rfc3339(exp)));
    } else if let Some(nbf) = time("nbf").filter(|nbf| *nbf > now) {
        answer.status = Status::Invalid;
        answer.message = Some(format!("not valid before {} ({UNSIGNED})", rfc3339(nbf)));
    }
    answer
}

/// The payload's claims, when the middle segment is base64url JSON.
fn payload(token: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    let mut segments = token.trim().split('.');
    let (_header, body) = (segments.next()?, segments.next()?);
    segments.next()?;
    let bytes = Zeroizing::new(
        URL_SAFE_NO_PAD
            .decode(body)
            .or_else(|_| URL_SAFE.decode(body))
            .ok()?,
    );
    match serde_json::from_slice(&bytes).ok()? {
        serde_json::Value::Object(map) => Some(map),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        format!(
            "eyJhbGciOiJIUzI1NiJ9.{}.c2ln",
            URL_SAFE_NO_PAD.encode(claims)
        )
    }

    #[test]
    fn exp_and_nbf_decide_and_the_signature_is_never_claimed() {
        let now = UNIX_EPOCH + Duration::from_secs(2_000_000_000);
        let valid = inspect(&jwt(r#"{"sub":"bot","exp":2000000100}"#), now);
        assert_eq!(valid.status, Status::Valid);
        assert_eq!(valid.identity.as_deref(), Some("bot"));
        let expired = inspect(&jwt(r#"{"exp":1999999999}"#), now);
        assert_eq!(expired.status, Status::Expired);
        assert_eq!(
            expired.message.as_deref(),
            Some("expired at 2033-05-18T03:33:19Z (decoded offline; the signature is not checked)")
        );
        let early = inspect(&jwt(r#"{"nbf":2000000500}"#), now);
        assert_eq!(early.status, Status::Invalid);
        assert_eq!(inspect("not.a-jwt", now).status, Status::Invalid);
        for a in [valid, expired, early] {
            assert!(a.message.unwrap().contains("signature is not checked"));
        }
    }
}
