//! One token against its issuer: what the issuer said, as data.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokenspec_core::{Format, Secret};

use crate::http::{Auth, Reply};
use crate::{jwt, rfc3339, Client, Endpoints, Failure, PARALLEL};

/// Who can say whether a token is live.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Issuer {
    GitHub,
    Discord,
    Cloudflare,
    /// Decoded offline: no issuer is asked.
    Jwt,
}

impl Issuer {
    /// The issuer of a format's tokens, when tokenspec can verify them.
    pub fn of(format: &Format) -> Option<Issuer> {
        match format {
            Format::GithubPat => Some(Issuer::GitHub),
            Format::DiscordBotToken => Some(Issuer::Discord),
            Format::CloudflareApiToken => Some(Issuer::Cloudflare),
            Format::Jwt => Some(Issuer::Jwt),
            _ => None,
        }
    }

    /// The name in reports: `github`, `discord`, `cloudflare`, `jwt`.
    pub fn as_str(self) -> &'static str {
        match self {
            Issuer::GitHub => "github",
            Issuer::Discord => "discord",
            Issuer::Cloudflare => "cloudflare",
            Issuer::Jwt => "jwt",
        }
    }
}

/// The verdict on one token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Valid,
    /// Refused by the issuer (401, a disabled token, an undecodable or not yet valid JWT).
    Invalid,
    Expired,
    /// tokenspec cannot ask anyone about this format.
    NotVerifiable,
    /// The issuer could not be asked or gave no verdict (network, rate limit, 5xx, refused address).
    Error,
}

impl Status {
    /// The JSON and table word.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Invalid => "invalid",
            Status::Expired => "expired",
            Status::NotVerifiable => "not-verifiable",
            Status::Error => "error",
        }
    }
}

/// What the issuer said about a token. Never holds the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: Status,
    /// The login (GitHub), user name (Discord), token id (Cloudflare) or `sub` (JWT).
    pub identity: Option<String>,
    /// The scopes the issuer reports (GitHub's `X-OAuth-Scopes`); `None`
    /// when it reports none (fine-grained PATs, the other issuers).
    pub scopes: Option<Vec<String>>,
    /// A GitHub fine-grained PAT: permissions are not reported.
    pub fine_grained: bool,
    pub expires_at: Option<SystemTime>,
    /// Why it is not valid, what could not be checked, or a caveat.
    pub message: Option<String>,
}

impl Answer {
    fn status(status: Status, message: impl Into<String>) -> Answer {
        Answer {
            status,
            identity: None,
            scopes: None,
            fine_grained: false,
            expires_at: None,
            message: Some(message.into()),
        }
    }

    pub fn not_verifiable() -> Answer {
        Answer::status(
            Status::NotVerifiable,
            "tokenspec cannot verify this format with its issuer",
        )
    }

    /// The issuer could not be asked.
    pub fn failed(failure: &Failure) -> Answer {
        Answer::status(Status::Error, format!("could not verify: {failure}"))
    }

    fn expired_if_past(mut self, now: SystemTime) -> Answer {
        if let Some(at) = self.expires_at {
            if at <= now && self.status == Status::Valid {
                self.status = Status::Expired;
                self.message = Some(format!("expired at {}", rfc3339(at)));
            }
        }
        self
    }
}

/// Asks `issuer` about `token` (no request for [`Issuer::Jwt`]). The
/// address is checked against the policy first; a refused one gets nothing.
pub fn verify(
    client: &Client,
    endpoints: &Endpoints,
    issuer: Issuer,
    token: &Secret,
    now: SystemTime,
) -> Answer {
    let Some((base, variable)) = endpoints.of(issuer) else {
        return jwt::inspect(token.expose_secret(), now);
    };
    let outcome = match issuer {
        Issuer::GitHub => github_user(client, base, variable, token),
        Issuer::Discord => discord_me(client, base, variable, token),
        Issuer::Cloudflare => cloudflare_verify(client, base, variable, token),
        Issuer::Jwt => unreachable!("decoded above"),
    };
    match outcome {
        Ok(answer) => answer.expired_if_past(now),
        Err(failure) => Answer::failed(&failure),
    }
}

/// [`verify`] for each `(issuer, token)`, at most [`PARALLEL`] at a time, in order.
pub fn verify_all(
    client: &Client,
    endpoints: &Endpoints,
    jobs: &[(Issuer, &Secret)],
    now: SystemTime,
) -> Vec<Answer> {
    let next = AtomicUsize::new(0);
    let answers: Mutex<Vec<Option<Answer>>> = Mutex::new(vec![None; jobs.len()]);
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL.min(jobs.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((issuer, token)) = jobs.get(i) else {
                    break;
                };
                let answer = verify(client, endpoints, *issuer, token, now);
                answers.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(answer);
            });
        }
    });
    answers
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|a| a.unwrap_or_else(|| Answer::failed(&Failure::Deadline)))
        .collect()
}

/// 429, or 403 with an exhausted limit or a `retry-after`: GitHub's primary
/// and secondary limits, Discord's and Cloudflare's 429.
pub(crate) fn rate_limit(reply: &Reply) -> Option<Failure> {
    let exhausted = reply.header("x-ratelimit-remaining").map(str::trim) == Some("0");
    let retry_after = reply
        .header("retry-after")
        .and_then(|s| s.trim().parse::<f64>().ok());
    let limited =
        reply.status == 429 || (reply.status == 403 && (exhausted || retry_after.is_some()));
    if !limited {
        return None;
    }
    let until = match retry_after {
        Some(secs) if secs.is_finite() && secs >= 0.0 => {
            Some(SystemTime::now() + Duration::from_secs_f64(secs.min(86_400.0)))
        }
        _ => reply
            .header("x-ratelimit-reset")
            .and_then(|s| s.trim().parse::<u64>().ok())
            .map(|secs| UNIX_EPOCH + Duration::from_secs(secs)),
    };
    Some(Failure::RateLimited { until })
}

/// A status none of the callers expects: rate limit, or the issuer's message scrubbed.
pub(crate) fn unexpected(reply: &Reply, secrets: &[&str]) -> Failure {
    if let Some(limited) = rate_limit(reply) {
        return limited;
    }
    let detail = reply
        .json()
        .and_then(|v| {
            v.get("message")
                .and_then(|m| m.as_str().map(str::to_owned))
                .or_else(|| {
                    v.pointer("/errors/0/message")
                        .and_then(|m| m.as_str().map(str::to_owned))
                })
        })
        .map(|m| tokenspec_store::scrub(&m, secrets))
        .unwrap_or_default();
    Failure::Status {
        status: reply.status,
        detail,
    }
}

/// Whether a refusal's message (`message`, or `errors[].message`) says the token expired.
fn says_expired(reply: &Reply) -> bool {
    let Some(body) = reply.json() else {
        return false;
    };
    let mut messages: Vec<&str> = body
        .get("message")
        .and_then(|m| m.as_str())
        .into_iter()
        .collect();
    if let Some(errors) = body.get("errors").and_then(|e| e.as_array()) {
        messages.extend(errors.iter().filter_map(|e| e.get("message")?.as_str()));
    }
    messages
        .iter()
        .any(|m| m.to_ascii_lowercase().contains("expired"))
}

fn github_user(
    client: &Client,
    base: &str,
    variable: &str,
    token: &Secret,
) -> Result<Answer, Failure> {
    let reply = client.get(&format!("{base}/user"), variable, Auth::Bearer(token))?;
    match reply.status {
        200 => {}
        // GitHub answers an expired token as any bad one ("Bad credentials");
        // a message that says "expired" is taken at its word.
        401 if says_expired(&reply) => {
            return Ok(Answer::status(
                Status::Expired,
                "GitHub refused the token as expired (401)",
            ))
        }
        401 => {
            return Ok(Answer::status(
                Status::Invalid,
                "GitHub refused the token (401 bad credentials)",
            ))
        }
        _ => return Err(unexpected(&reply, &[token.expose_secret()])),
    }
    let body = reply.json().ok_or_else(|| Failure::BadResponse {
        detail: "GET /user did not return JSON".to_owned(),
    })?;
    let login = body
        .get("login")
        .and_then(|l| l.as_str())
        .map(str::to_owned);
    let scopes = reply.header("x-oauth-scopes").map(|s| {
        let mut v: Vec<String> = s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        v.sort();
        v
    });
    let fine_grained = scopes.is_none() || token.expose_secret().starts_with("github_pat_");
    let expires_at = match reply.header("github-authentication-token-expiration") {
        None => None,
        Some(text) => Some(github_time(text).ok_or_else(|| Failure::BadResponse {
            detail: format!(
                "unreadable github-authentication-token-expiration `{}`",
                tokenspec_store::scrub(text, &[])
            ),
        })?),
    };
    Ok(Answer {
        status: Status::Valid,
        identity: login,
        scopes: if fine_grained { None } else { scopes },
        fine_grained,
        expires_at,
        message: fine_grained.then(|| {
            "fine-grained token: GitHub does not report its permissions, so scopes were not compared"
                .to_owned()
        }),
    })
}

/// GitHub's expiration header: `2026-04-21 16:20:40 UTC`, or with an offset
/// (`-0700`, `+02:00`) instead of `UTC`.
pub(crate) fn github_time(text: &str) -> Option<SystemTime> {
    let mut parts = text.split_whitespace();
    let (date, time) = (parts.next()?, parts.next()?);
    let zone = parts.next().unwrap_or("UTC");
    if parts.next().is_some() {
        return None;
    }
    let local = humantime::parse_rfc3339(&format!("{date}T{time}Z")).ok()?;
    let offset_secs: i64 = match zone {
        "UTC" | "GMT" | "Z" => 0,
        _ => {
            let (sign, digits) = match zone.as_bytes().first()? {
                b'+' => (1, &zone[1..]),
                b'-' => (-1, &zone[1..]),
                _ => return None,
            };
            let digits: String = digits.chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let hours: i64 = digits[..2].parse().ok()?;
            let minutes: i64 = digits[2..].parse().ok()?;
            sign * (hours * 3600 + minutes * 60)
        }
    };
    // Local time minus its offset is UTC.
    if offset_secs >= 0 {
        local.checked_sub(Duration::from_secs(offset_secs.unsigned_abs()))
    } else {
        local.checked_add(Duration::from_secs(offset_secs.unsigned_abs()))
    }
}

fn discord_me(
    client: &Client,
    base: &str,
    variable: &str,
    token: &Secret,
) -> Result<Answer, Failure> {
    let reply = client.get(&format!("{base}/users/@me"), variable, Auth::Bot(token))?;
    match reply.status {
        200 => {}
        401 => {
            return Ok(Answer::status(
                Status::Invalid,
                "Discord refused the token (401 unauthorized)",
            ))
        }
        _ => return Err(unexpected(&reply, &[token.expose_secret()])),
    }
    let body = reply.json().ok_or_else(|| Failure::BadResponse {
        detail: "GET /users/@me did not return JSON".to_owned(),
    })?;
    Ok(Answer {
        status: Status::Valid,
        identity: body
            .get("username")
            .and_then(|u| u.as_str())
            .map(str::to_owned),
        scopes: None,
        fine_grained: false,
        expires_at: None,
        message: None,
    })
}

fn cloudflare_verify(
    client: &Client,
    base: &str,
    variable: &str,
    token: &Secret,
) -> Result<Answer, Failure> {
    let reply = client.get(
        &format!("{base}/user/tokens/verify"),
        variable,
        Auth::Bearer(token),
    )?;
    let body = reply.json();
    match reply.status {
        200 => {}
        // Cloudflare answers an unknown or malformed token with 401 (or 400)
        // and `success: false`.
        400 | 401 | 403 if rate_limit(&reply).is_none() && says_expired(&reply) => {
            return Ok(Answer::status(
                Status::Expired,
                format!("Cloudflare refused the token as expired ({})", reply.status),
            ))
        }
        400 | 401 | 403 if rate_limit(&reply).is_none() => {
            return Ok(Answer::status(
                Status::Invalid,
                format!("Cloudflare refused the token ({})", reply.status),
            ))
        }
        _ => return Err(unexpected(&reply, &[token.expose_secret()])),
    }
    let body = body.ok_or_else(|| Failure::BadResponse {
        detail: "GET /user/tokens/verify did not return JSON".to_owned(),
    })?;
    if body.get("success").and_then(|s| s.as_bool()) == Some(false) {
        return Ok(Answer::status(
            Status::Invalid,
            "Cloudflare refused the token (success: false)",
        ));
    }
    let result = body.get("result").ok_or_else(|| Failure::BadResponse {
        detail: "GET /user/tokens/verify has no `result`".to_owned(),
    })?;
    let time = |key: &str| {
        result
            .get(key)
            .and_then(|t| t.as_str())
            .and_then(|t| humantime::parse_rfc3339_weak(t).ok())
    };
    let expires_at = time("expires_on");
    let identity = result.get("id").and_then(|i| i.as_str()).map(str::to_owned);
    let state = result.get("status").and_then(|s| s.as_str()).unwrap_or("");
    let (status, message) = match state {
        "active" => match time("not_before") {
            Some(nbf) if nbf > SystemTime::now() => (
                Status::Invalid,
                Some(format!("not valid before {}", rfc3339(nbf))),
            ),
            _ => (Status::Valid, None),
        },
        "expired" => (
            Status::Expired,
            Some("Cloudflare reports it expired".to_owned()),
        ),
        "disabled" => (
            Status::Invalid,
            Some("Cloudflare reports it disabled".to_owned()),
        ),
        other => (
            Status::Error,
            Some(format!(
                "could not verify: unknown token status `{}`",
                tokenspec_store::scrub(other, &[token.expose_secret()])
            )),
        ),
    };
    Ok(Answer {
        status,
        identity,
        scopes: None,
        fine_grained: false,
        expires_at,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_expiration_headers_read_with_any_zone() {
        let utc = github_time("2026-04-21 16:20:40 UTC").unwrap();
        assert_eq!(rfc3339(utc), "2026-04-21T16:20:40Z");
        assert_eq!(github_time("2026-04-21 09:20:40 -0700"), Some(utc));
        assert_eq!(github_time("2026-04-21 18:20:40 +02:00"), Some(utc));
        assert_eq!(github_time("2026-04-21"), None);
        assert_eq!(github_time("2026-04-21 16:20:40 CEST"), None);
    }
}
