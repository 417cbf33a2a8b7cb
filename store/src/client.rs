//! The KV v2 operations over one logged-in connection.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde_json::Value;
use tokenspec_core::Secret;

use crate::auth::{Auth, Login};
use crate::error::{scrub, Operation, Reason, StoreError};
use crate::http::{Method, Reply, RetryPolicy, Transport};
use crate::settings::Settings;

/// The `custom_metadata` key that records when a token's value last changed:
/// `tokenspec_changed_<NAME>` = RFC 3339 UTC, e.g. `2026-01-31T12:00:00Z`.
pub const CHANGED_KEY_PREFIX: &str = "tokenspec_changed_";

/// One version of a KV v2 secret. `Debug` shows keys, never values.
#[derive(Clone, Debug, Default)]
pub struct SecretData {
    /// The version read (the one a check-and-set write must name).
    pub version: u64,
    /// String values by key: the tokens.
    pub values: BTreeMap<String, Secret>,
    /// Keys whose value is not a string, as JSON text: kept as they are on a write.
    pub other: BTreeMap<String, Secret>,
    /// The latest version is deleted (not destroyed): it reads as empty.
    pub deleted: bool,
}

/// A secret's metadata: versions, times and `custom_metadata`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Metadata {
    pub current_version: u64,
    /// RFC 3339, as the server wrote it.
    pub updated_time: Option<String>,
    pub custom_metadata: BTreeMap<String, String>,
}

impl Metadata {
    /// When `token`'s value last changed, as recorded by a push.
    pub fn changed_at(&self, token: &str) -> Option<SystemTime> {
        let text = self
            .custom_metadata
            .get(&format!("{CHANGED_KEY_PREFIX}{token}"))?;
        humantime::parse_rfc3339_weak(text).ok()
    }

    /// When the secret was last written, by anyone.
    pub fn updated_at(&self) -> Option<SystemTime> {
        humantime::parse_rfc3339_weak(self.updated_time.as_deref()?).ok()
    }
}

/// A connection to one server, logged in.
pub struct Client {
    transport: Transport,
    token: Secret,
}

impl Client {
    /// Builds the agent and logs in (AppRole and JWT cost one request; a token none).
    pub fn connect(settings: &Settings) -> Result<Client, StoreError> {
        Client::connect_with_retry(settings, RetryPolicy::default())
    }

    pub fn connect_with_retry(
        settings: &Settings,
        retry: RetryPolicy,
    ) -> Result<Client, StoreError> {
        let transport = Transport::new(&settings.address, settings.ca_file.as_deref(), retry)?;
        let token = match settings.auth.login() {
            Login::Ready(token) => token.clone(),
            Login::Exchange { path, body } => login(&transport, &settings.auth, &path, &body)?,
            Login::FetchGithubOidc => {
                let Auth::GithubActions {
                    mount,
                    role,
                    request_url,
                    request_token,
                    audience,
                } = &settings.auth
                else {
                    unreachable!("only Auth::GithubActions fetches a token")
                };
                let jwt =
                    crate::github_oidc::fetch(request_url, request_token, audience.as_deref())
                        .map_err(|reason| {
                            StoreError::new(&settings.address, Operation::Login, None, reason)
                        })?;
                let auth = Auth::Jwt {
                    mount: mount.clone(),
                    role: role.clone(),
                    jwt,
                };
                let Login::Exchange { path, body } = auth.login() else {
                    unreachable!("a JWT logs in with an exchange")
                };
                login(&transport, &auth, &path, &body)?
            }
        };
        Ok(Client { transport, token })
    }

    pub fn address(&self) -> &str {
        self.transport.address()
    }

    /// The secret's latest version; a missing secret is [`Reason::NotFound`].
    pub fn read(&self, mount: &str, path: &str) -> Result<SecretData, StoreError> {
        let target = data_path(mount, path);
        match self.read_if_exists(mount, path)? {
            Some(data) if !data.deleted => Ok(data),
            _ => Err(self.error(Operation::Read, &target, Reason::NotFound)),
        }
    }

    /// The secret's latest version, `None` if it was never written (a
    /// deleted latest version comes back with `deleted` set and its version).
    pub fn read_if_exists(
        &self,
        mount: &str,
        path: &str,
    ) -> Result<Option<SecretData>, StoreError> {
        let target = data_path(mount, path);
        let reply = self.send(Method::Get, Operation::Read, &target, None)?;
        // Values move out of the parsed tree into `Secret`s (zeroized), never copied.
        let parse = |reply: &Reply| -> Result<SecretData, String> {
            parse_secret(crate::json::parse_strict(&reply.body)?)
        };
        match reply.status {
            200 => match parse(&reply) {
                Ok(data) => Ok(Some(data)),
                Err(detail) => {
                    Err(self.error(Operation::Read, &target, Reason::BadResponse { detail }))
                }
            },
            // KV v2 answers a deleted latest version with 404 and its metadata.
            404 => Ok(match parse(&reply) {
                Ok(data) if data.version > 0 => Some(SecretData {
                    deleted: true,
                    ..data
                }),
                _ => None,
            }),
            _ => Err(self.status_error(Operation::Read, &target, &reply, &[])),
        }
    }

    /// The secret's metadata, `None` if it was never written.
    pub fn read_metadata(&self, mount: &str, path: &str) -> Result<Option<Metadata>, StoreError> {
        let target = metadata_path(mount, path);
        let reply = self.send(Method::Get, Operation::ReadMetadata, &target, None)?;
        match reply.status {
            200 => {
                let json = crate::json::parse_strict(&reply.body).map_err(|detail| {
                    self.error(
                        Operation::ReadMetadata,
                        &target,
                        Reason::BadResponse { detail },
                    )
                })?;
                parse_metadata(&json["data"]).map(Some).map_err(|detail| {
                    self.error(
                        Operation::ReadMetadata,
                        &target,
                        Reason::BadResponse { detail },
                    )
                })
            }
            404 => Ok(None),
            _ => Err(self.status_error(Operation::ReadMetadata, &target, &reply, &[])),
        }
    }

    /// Writes a new version holding exactly `values` and `other`, with
    /// check-and-set: `cas` is the version read (0: the secret must not
    /// exist). Returns the new version. A mismatch is [`Reason::CasConflict`].
    pub fn write(
        &self,
        mount: &str,
        path: &str,
        values: &BTreeMap<String, Secret>,
        other: &BTreeMap<String, Secret>,
        cas: u64,
    ) -> Result<u64, StoreError> {
        let target = data_path(mount, path);
        let body = crate::json::write_body(values, other, cas);
        let written: Vec<&str> = values
            .values()
            .chain(other.values())
            .map(Secret::expose_secret)
            .collect();
        let reply = self.send(Method::Post, Operation::Write, &target, Some(&body))?;
        match reply.status {
            200 | 204 => {
                let json = crate::json::parse_strict(&reply.body).map_err(|detail| {
                    self.error(Operation::Write, &target, Reason::BadResponse { detail })
                })?;
                json["data"]["version"]
                    .as_u64()
                    .ok_or_else(|| self.bad_json(Operation::Write, &target))
            }
            400 if server_message(&reply).contains("check-and-set") => {
                Err(self.error(Operation::Write, &target, Reason::CasConflict))
            }
            _ => Err(self.status_error(Operation::Write, &target, &reply, &written)),
        }
    }

    /// Replaces the secret's `custom_metadata` (the server keeps no other
    /// keys: pass the merged map). Other metadata settings stay as they are.
    pub fn write_custom_metadata(
        &self,
        mount: &str,
        path: &str,
        custom_metadata: &BTreeMap<String, String>,
    ) -> Result<(), StoreError> {
        let target = metadata_path(mount, path);
        let body = serde_json::to_vec(&serde_json::json!({ "custom_metadata": custom_metadata }))
            .expect("a map of strings serializes");
        let reply = self.send(Method::Post, Operation::WriteMetadata, &target, Some(&body))?;
        match reply.status {
            200 | 204 => Ok(()),
            _ => Err(self.status_error(Operation::WriteMetadata, &target, &reply, &[])),
        }
    }

    fn send(
        &self,
        method: Method,
        operation: Operation,
        target: &str,
        body: Option<&[u8]>,
    ) -> Result<Reply, StoreError> {
        self.transport
            .send(method, target, Some(&self.token), body)
            .map_err(|reason| self.error(operation, target, reason))
    }

    fn error(&self, operation: Operation, target: &str, reason: Reason) -> StoreError {
        StoreError::new(self.address(), operation, Some(target), reason)
    }

    fn bad_json(&self, operation: Operation, target: &str) -> StoreError {
        self.error(
            operation,
            target,
            Reason::BadResponse {
                detail: "the body is not the JSON KV v2 sends".to_owned(),
            },
        )
    }

    fn status_error(
        &self,
        operation: Operation,
        target: &str,
        reply: &Reply,
        written: &[&str],
    ) -> StoreError {
        let mut secrets = written.to_vec();
        secrets.push(self.token.expose_secret());
        self.error(operation, target, status_reason(reply, &secrets))
    }
}

fn login(
    transport: &Transport,
    auth: &Auth,
    path: &str,
    body: &[u8],
) -> Result<Secret, StoreError> {
    let error = |reason| StoreError::new(transport.address(), Operation::Login, Some(path), reason);
    let reply = transport
        .send(Method::Post, path, None, Some(body))
        .map_err(error)?;
    if reply.status != 200 {
        return Err(error(status_reason(&reply, &auth.secrets())));
    }
    let mut json = crate::json::parse_strict(&reply.body)
        .map_err(|detail| error(Reason::BadResponse { detail }))?;
    match json["auth"]["client_token"].take() {
        Value::String(token) if !token.is_empty() => Ok(Secret::new(token)),
        _ => Err(error(Reason::BadResponse {
            detail: "the login answer has no auth.client_token".to_owned(),
        })),
    }
}

/// The reason for a status that is not success.
fn status_reason(reply: &Reply, secrets: &[&str]) -> Reason {
    let message = server_message(reply);
    match reply.status {
        403 => Reason::PermissionDenied,
        404 => Reason::NotFound,
        503 if message.to_lowercase().contains("sealed") => Reason::Sealed,
        429 | 500..=599 => Reason::Unavailable {
            status: reply.status,
        },
        400 => Reason::BadRequest {
            detail: scrub(&message, secrets),
        },
        status => Reason::BadResponse {
            detail: format!("status {status}: {}", scrub(&message, secrets)),
        },
    }
}

/// The server's `errors` list joined, or empty.
fn server_message(reply: &Reply) -> String {
    let Ok(json) = serde_json::from_str::<Value>(&reply.body) else {
        return String::new();
    };
    let errors = json["errors"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    errors
        .iter()
        .filter_map(Value::as_str)
        .map(|e| {
            e.replace("1 error occurred:", "")
                .replace(['\n', '\t', '*'], " ")
                .trim()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn parse_secret(mut json: Value) -> Result<SecretData, String> {
    let version = json["data"]["metadata"]["version"]
        .as_u64()
        .ok_or("the answer has no data.metadata.version")?;
    let mut data = SecretData {
        version,
        ..SecretData::default()
    };
    match json["data"]["data"].take() {
        Value::Null => {}
        Value::Object(map) => {
            for (key, value) in map {
                match value {
                    Value::String(s) => {
                        data.values.insert(key, Secret::new(s));
                    }
                    other => {
                        data.other.insert(key, Secret::new(other.to_string()));
                    }
                }
            }
        }
        _ => return Err("data.data is not an object".to_owned()),
    }
    Ok(data)
}

fn parse_metadata(data: &Value) -> Result<Metadata, String> {
    let current_version = data["current_version"]
        .as_u64()
        .ok_or("the metadata has no current_version")?;
    let custom_metadata = match &data["custom_metadata"] {
        Value::Null => BTreeMap::new(),
        Value::Object(map) => map
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
            .collect(),
        _ => return Err("custom_metadata is not an object".to_owned()),
    };
    Ok(Metadata {
        current_version,
        updated_time: data["updated_time"].as_str().map(str::to_owned),
        custom_metadata,
    })
}

/// `{mount}/data/{path}`: where KV v2 keeps the values (and what a policy names).
pub fn data_path(mount: &str, path: &str) -> String {
    format!(
        "{}/data/{}",
        mount.trim_matches('/'),
        path.trim_matches('/')
    )
}

/// `{mount}/metadata/{path}`.
pub fn metadata_path(mount: &str, path: &str) -> String {
    format!(
        "{}/metadata/{}",
        mount.trim_matches('/'),
        path.trim_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use zeroize::Zeroizing;

    use super::*;

    fn reply(status: u16, body: &str) -> Reply {
        Reply {
            status,
            body: Zeroizing::new(body.to_owned()),
        }
    }

    #[test]
    fn statuses_map_to_reasons() {
        assert_eq!(
            status_reason(
                &reply(
                    403,
                    r#"{"errors":["1 error occurred:\n\t* permission denied\n\n"]}"#
                ),
                &[]
            ),
            Reason::PermissionDenied
        );
        assert_eq!(
            status_reason(&reply(503, r#"{"errors":["Vault is sealed"]}"#), &[]),
            Reason::Sealed
        );
        assert_eq!(
            status_reason(&reply(503, r#"{"errors":[]}"#), &[]),
            Reason::Unavailable { status: 503 }
        );
        assert_eq!(
            status_reason(&reply(429, ""), &[]),
            Reason::Unavailable { status: 429 }
        );
        assert_eq!(
            status_reason(
                &reply(400, r#"{"errors":["no handler for route \"hvs.tok\""]}"#),
                &["hvs.tok"]
            ),
            Reason::BadRequest {
                detail: "no handler for route \"[REDACTED]\"".to_owned()
            }
        );
    }

    #[test]
    fn a_secret_keeps_non_string_values_aside() {
        let json: Value = serde_json::from_str(
            r#"{"data":{"data":{"A":"x","N":5,"O":{"k":[1]}},"metadata":{"version":3}}}"#,
        )
        .unwrap();
        let data = parse_secret(json).unwrap();
        assert_eq!(data.version, 3);
        assert_eq!(data.values["A"].expose_secret(), "x");
        assert_eq!(data.other["N"].expose_secret(), "5");
        assert_eq!(data.other["O"].expose_secret(), r#"{"k":[1]}"#);
        assert!(!format!("{data:?}").contains("\"x\""));
    }

    #[test]
    fn metadata_reads_the_change_times() {
        let json: Value = serde_json::from_str(
            r#"{"current_version":2,"updated_time":"2026-01-02T03:04:05.123456Z","custom_metadata":{"tokenspec_changed_A":"2026-01-01T00:00:00Z"}}"#,
        )
        .unwrap();
        let meta = parse_metadata(&json).unwrap();
        assert_eq!(meta.current_version, 2);
        assert_eq!(
            meta.changed_at("A"),
            humantime::parse_rfc3339("2026-01-01T00:00:00Z").ok()
        );
        assert!(meta.updated_at().is_some());
        assert_eq!(meta.changed_at("B"), None);
        let none: Value =
            serde_json::from_str(r#"{"current_version":1,"custom_metadata":null}"#).unwrap();
        assert!(parse_metadata(&none).unwrap().custom_metadata.is_empty());
    }

    #[test]
    fn paths_join_mount_and_path() {
        assert_eq!(
            data_path("secret/", "/p/cicd/prod"),
            "secret/data/p/cicd/prod"
        );
        assert_eq!(metadata_path("kv/team", "p/x"), "kv/team/metadata/p/x");
    }
}
