//! GitHub Actions secrets of one repository and its deployment
//! environments: names and change times listed (GitHub never returns a
//! value), values written sealed to the public key.
//!
//! | operation | request |
//! |---|---|
//! | list | `GET /repos/{owner}/{repo}/actions/secrets?per_page=100&page=N` (or `/environments/{env}/secrets`) → `{total_count, secrets: [{name, created_at, updated_at}]}` |
//! | public key | `GET …/secrets/public-key` → `{key_id, key}` (base64 of 32 bytes) |
//! | write | `PUT …/secrets/{name}` with `{encrypted_value, key_id}` → 201 created, 204 updated |

use std::time::SystemTime;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use tokenspec_core::Secret;
use zeroize::Zeroizing;

use crate::http::{Auth, Reply};
use crate::issuer::unexpected;
use crate::seal::{seal, KEY_BYTES};
use crate::{check_address, Client, Failure, GITHUB_API_URL};

/// Most pages read of one list (10,000 secrets; GitHub allows far fewer).
const MAX_PAGES: usize = 100;

/// The credential's variables, the first set one wins.
pub const CREDENTIAL_VARS: [&str; 2] = ["GH_TOKEN", "GITHUB_TOKEN"];

/// Where secrets live: the repository, or one of its deployment environments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target<'a> {
    Repository,
    Environment(&'a str),
}

impl Target<'_> {
    /// How reports name it: `repository` or `environment production`.
    pub fn label(&self) -> String {
        match self {
            Target::Repository => "repository".to_owned(),
            Target::Environment(env) => format!("environment {env}"),
        }
    }
}

/// A secret as GitHub lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretInfo {
    pub name: String,
    /// `updated_at`, when GitHub gave a readable one.
    pub updated_at: Option<SystemTime>,
}

/// A repository's or environment's public key for sealing values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    pub key_id: String,
    key: [u8; KEY_BYTES],
}

/// What a write did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    Created,
    Updated,
}

impl Written {
    pub fn as_str(self) -> &'static str {
        match self {
            Written::Created => "created",
            Written::Updated => "updated",
        }
    }
}

/// One repository's secrets API, with the credential.
pub struct GitHub<'a> {
    client: &'a Client,
    base: &'a str,
    repository: &'a str,
    token: &'a Secret,
}

impl<'a> GitHub<'a> {
    /// Checks `base` against the address policy: a refused address gets no request.
    pub fn new(
        client: &'a Client,
        base: &'a str,
        repository: &'a str,
        token: &'a Secret,
    ) -> Result<GitHub<'a>, Failure> {
        check_address(base, GITHUB_API_URL)?;
        Ok(GitHub {
            client,
            base,
            repository,
            token,
        })
    }

    fn url(&self, target: Target<'_>, tail: &str) -> String {
        let mut url = format!("{}/repos/", self.base);
        for (i, part) in self.repository.splitn(2, '/').enumerate() {
            if i > 0 {
                url.push('/');
            }
            url.push_str(&segment(part));
        }
        if let Target::Environment(env) = target {
            url.push_str("/environments/");
            url.push_str(&segment(env));
            url.push_str("/secrets");
        } else {
            url.push_str("/actions/secrets");
        }
        url.push_str(tail);
        url
    }

    fn get(&self, url: &str) -> Result<Reply, Failure> {
        let reply = self
            .client
            .get(url, GITHUB_API_URL, Auth::Bearer(self.token))?;
        if reply.status == 200 {
            Ok(reply)
        } else {
            Err(self.refusal(&reply, None))
        }
    }

    /// A refusal as a failure, the issuer's message scrubbed of the
    /// credential and of `value` (a write's).
    fn refusal(&self, reply: &Reply, value: Option<&Secret>) -> Failure {
        let mut secrets = vec![self.token.expose_secret()];
        secrets.extend(value.map(Secret::expose_secret));
        let mut failure = unexpected(reply, &secrets);
        if let Failure::Status { status, detail } = &mut failure {
            let why = match status {
                401 => "GitHub refused the credential (bad credentials)",
                403 => "the credential may not do this (it needs the repository's `secrets` permission, or the `repo` scope)",
                404 => "no such repository or environment, or the credential cannot see it",
                _ => "",
            };
            if !why.is_empty() {
                *detail = why.to_owned();
            }
        }
        failure
    }

    /// Every secret of `target`, page by page.
    pub fn secrets(&self, target: Target<'_>) -> Result<Vec<SecretInfo>, Failure> {
        let mut found = Vec::new();
        for page in 1..=MAX_PAGES {
            let reply = self.get(&self.url(target, &format!("?per_page=100&page={page}")))?;
            let body = reply
                .json()
                .ok_or_else(|| bad("the secrets list is not JSON"))?;
            let total = body.get("total_count").and_then(|t| t.as_u64());
            let list = body
                .get("secrets")
                .and_then(|s| s.as_array())
                .ok_or_else(|| bad("the secrets list has no `secrets` array"))?;
            for item in list {
                let name = item
                    .get("name")
                    .and_then(|n| n.as_str())
                    .ok_or_else(|| bad("a listed secret has no name"))?;
                let updated_at = item
                    .get("updated_at")
                    .and_then(|t| t.as_str())
                    .and_then(|t| humantime::parse_rfc3339_weak(t).ok());
                found.push(SecretInfo {
                    name: name.to_owned(),
                    updated_at,
                });
            }
            let done = list.is_empty()
                || list.len() < 100
                || total.is_some_and(|t| found.len() as u64 >= t);
            if done {
                break;
            }
        }
        Ok(found)
    }

    /// The key values of `target` are sealed to.
    pub fn public_key(&self, target: Target<'_>) -> Result<PublicKey, Failure> {
        let reply = self.get(&self.url(target, "/public-key"))?;
        let body = reply
            .json()
            .ok_or_else(|| bad("the public key is not JSON"))?;
        let key_id = body
            .get("key_id")
            .and_then(|k| k.as_str())
            .ok_or_else(|| bad("the public key has no key_id"))?;
        let key = body
            .get("key")
            .and_then(|k| k.as_str())
            .and_then(|k| STANDARD.decode(k).ok())
            .and_then(|k| <[u8; KEY_BYTES]>::try_from(k).ok())
            .ok_or_else(|| bad("the public key is not base64 of 32 bytes"))?;
        Ok(PublicKey {
            key_id: key_id.to_owned(),
            key,
        })
    }

    /// Seals `value` to `key` and writes it as `name` in `target`.
    pub fn put(
        &self,
        target: Target<'_>,
        name: &str,
        key: &PublicKey,
        value: &Secret,
    ) -> Result<Written, Failure> {
        let sealed = seal(&key.key, value.expose_secret().as_bytes())
            .ok_or_else(|| bad("the value is too long to seal"))?;
        let body = Zeroizing::new(
            serde_json::json!({
                "encrypted_value": STANDARD.encode(sealed),
                "key_id": key.key_id,
            })
            .to_string(),
        );
        let reply = self.client.put(
            &self.url(target, &format!("/{}", segment(name))),
            GITHUB_API_URL,
            Auth::Bearer(self.token),
            body.as_bytes(),
        )?;
        match reply.status {
            201 => Ok(Written::Created),
            204 => Ok(Written::Updated),
            _ => Err(self.refusal(&reply, Some(value))),
        }
    }
}

fn bad(detail: &str) -> Failure {
    Failure::BadResponse {
        detail: detail.to_owned(),
    }
}

/// A path segment, percent-encoded except for unreserved characters.
fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The credential for GitHub's API: `GH_TOKEN`, else `GITHUB_TOKEN`
/// (an empty value is unset), and the variable it came from.
pub fn credential(lookup: impl Fn(&str) -> Option<String>) -> Option<(Secret, &'static str)> {
    CREDENTIAL_VARS.iter().find_map(|var| {
        let value = lookup(var).filter(|v| !v.is_empty())?;
        Some((Secret::from(value), *var))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_names_are_one_path_segment() {
        assert_eq!(segment("production"), "production");
        assert_eq!(segment("prod west/1"), "prod%20west%2F1");
    }
}
