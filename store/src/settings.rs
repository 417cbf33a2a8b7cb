//! Everything the client takes from the environment, read in one place:
//! the address override, the CA file and the credentials.
//!
//! The environment is passed in as a lookup function, so a caller (or a
//! test) decides exactly what the client sees. An empty value counts as
//! unset, as everywhere in tokenspec.

use std::path::{Path, PathBuf};

use tokenspec_core::store_def::{StoreDef, StoreKind};
use tokenspec_core::Secret;

use crate::auth::Auth;
use crate::error::{Operation, Reason, StoreError};

/// The name of the token helper file in the home folder, the one `bao login`
/// and `vault login` write (OpenBao kept Vault's name).
pub const TOKEN_HELPER_FILE: &str = ".vault-token";

/// AppRole: the role id.
pub const APPROLE_ROLE_ID: &str = "TOKENSPEC_APPROLE_ROLE_ID";
/// AppRole: the secret id.
pub const APPROLE_SECRET_ID: &str = "TOKENSPEC_APPROLE_SECRET_ID";
/// AppRole: the auth mount (default `approle`).
pub const APPROLE_MOUNT: &str = "TOKENSPEC_APPROLE_MOUNT";
/// JWT: the role to log in with.
pub const JWT_ROLE: &str = "TOKENSPEC_JWT_ROLE";
/// JWT: the token itself.
pub const JWT: &str = "TOKENSPEC_JWT";
/// JWT: a file holding the token (read when [`JWT`] is unset).
pub const JWT_FILE: &str = "TOKENSPEC_JWT_FILE";
/// JWT: the auth mount (default `jwt`).
pub const JWT_MOUNT: &str = "TOKENSPEC_JWT_MOUNT";

/// How to reach the server and who to be there.
#[derive(Clone, Debug)]
pub struct Settings {
    pub kind: StoreKind,
    /// The server address without a trailing `/`.
    pub address: String,
    /// A PEM file of CA certificates that replaces the system roots.
    pub ca_file: Option<PathBuf>,
    pub auth: Auth,
}

impl Settings {
    /// Reads the address override, the CA file and the credentials.
    ///
    /// For `kind = "openbao"` each `BAO_*` variable is read before its
    /// `VAULT_*` twin; for `kind = "vault"` the other way round.
    pub fn from_env(
        def: &StoreDef,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Settings, StoreError> {
        let env = |name: &str| lookup(name).filter(|v| !v.is_empty());
        let either = |suffix: &str| {
            def.kind
                .env_prefixes()
                .into_iter()
                .find_map(|p| env(&format!("{p}{suffix}")))
        };

        let Some(address) = either("ADDR").or_else(|| def.address.as_deref().map(str::to_owned))
        else {
            return Err(StoreError::new(
                "",
                Operation::Configure,
                None,
                Reason::NoAddress,
            ));
        };
        let address = address.trim_end_matches('/').to_owned();
        let configure_error =
            |reason| StoreError::new(&address, Operation::Configure, None, reason);

        let auth = if let Some(token) = either("TOKEN") {
            Auth::Token(Secret::new(token))
        } else if let Some(auth) = approle(&env).map_err(configure_error)? {
            auth
        } else if let Some(auth) = jwt(&env).map_err(configure_error)? {
            auth
        } else {
            match env("HOME") {
                Some(home) => token_file(&Path::new(&home).join(TOKEN_HELPER_FILE))
                    .map_err(configure_error)?,
                None => None,
            }
            .ok_or_else(|| configure_error(Reason::NoCredentials))?
        };

        Ok(Settings {
            kind: def.kind,
            address,
            ca_file: either("CACERT").map(PathBuf::from),
            auth,
        })
    }
}

fn approle(env: &impl Fn(&str) -> Option<String>) -> Result<Option<Auth>, Reason> {
    match (env(APPROLE_ROLE_ID), env(APPROLE_SECRET_ID)) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(Reason::IncompleteCredentials {
            set: APPROLE_ROLE_ID,
            missing: APPROLE_SECRET_ID,
        }),
        (None, Some(_)) => Err(Reason::IncompleteCredentials {
            set: APPROLE_SECRET_ID,
            missing: APPROLE_ROLE_ID,
        }),
        (Some(role_id), Some(secret_id)) => Ok(Some(Auth::AppRole {
            mount: env(APPROLE_MOUNT).unwrap_or_else(|| "approle".to_owned()),
            role_id: Secret::new(role_id),
            secret_id: Secret::new(secret_id),
        })),
    }
}

fn jwt(env: &impl Fn(&str) -> Option<String>) -> Result<Option<Auth>, Reason> {
    let token = match (env(JWT), env(JWT_FILE)) {
        (Some(jwt), _) => Some(Secret::new(jwt.trim().to_owned())),
        (None, Some(file)) => Some(Secret::new(read_trimmed(Path::new(&file)).map_err(
            |detail| Reason::TokenFile {
                path: file.clone(),
                detail,
            },
        )?)),
        (None, None) => None,
    };
    let github = (
        env(crate::github_oidc::REQUEST_URL),
        env(crate::github_oidc::REQUEST_TOKEN),
    );
    match (env(JWT_ROLE), token) {
        (None, None) => Ok(None),
        // In GitHub Actions with `id-token: write`: the client fetches the token.
        (Some(role), None) if github.0.is_some() && github.1.is_some() => {
            let (Some(request_url), Some(request_token)) = github else {
                unreachable!("both checked above")
            };
            Ok(Some(Auth::GithubActions {
                mount: env(JWT_MOUNT).unwrap_or_else(|| "jwt".to_owned()),
                role,
                request_url,
                request_token: Secret::new(request_token),
                audience: env(crate::github_oidc::AUDIENCE),
            }))
        }
        (Some(_), None) => Err(Reason::IncompleteCredentials {
            set: JWT_ROLE,
            missing: "TOKENSPEC_JWT or TOKENSPEC_JWT_FILE (or, in GitHub Actions, `permissions: id-token: write`)",
        }),
        (None, Some(_)) => Err(Reason::IncompleteCredentials {
            set: "TOKENSPEC_JWT or TOKENSPEC_JWT_FILE",
            missing: JWT_ROLE,
        }),
        (Some(role), Some(jwt)) => Ok(Some(Auth::Jwt {
            mount: env(JWT_MOUNT).unwrap_or_else(|| "jwt".to_owned()),
            role,
            jwt,
        })),
    }
}

/// The token helper file; a missing (or empty) file is "no token", not an error.
fn token_file(path: &Path) -> Result<Option<Auth>, Reason> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        _ => {}
    }
    let token = read_trimmed(path).map_err(|detail| Reason::TokenFile {
        path: path.display().to_string(),
        detail,
    })?;
    Ok((!token.is_empty()).then(|| Auth::Token(Secret::new(token))))
}

/// A credential file's content without surrounding whitespace. The error
/// text is the OS's, never the content.
fn read_trimmed(path: &Path) -> Result<String, String> {
    let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|e| e.to_string())?);
    Ok(text.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::collections::HashMap;

    use super::*;
    use tokenspec_core::Help;

    fn def(kind: StoreKind) -> StoreDef {
        StoreDef {
            kind,
            address: Some("https://bao.internal:8200/".into()),
            mount: "secret".into(),
            path: "p/{class}/{env}".into(),
            environments: Cow::Owned(vec!["prod".into()]),
            files: true,
        }
    }

    fn settings(kind: StoreKind, vars: &[(&str, &str)]) -> Result<Settings, StoreError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_env(&def(kind), |k| vars.get(k).cloned())
    }

    #[test]
    fn the_kind_decides_which_prefix_wins() {
        let vars = [
            ("BAO_ADDR", "http://127.0.0.1:1"),
            ("VAULT_ADDR", "http://127.0.0.1:2"),
            ("BAO_TOKEN", "a"),
        ];
        assert_eq!(
            settings(StoreKind::OpenBao, &vars).unwrap().address,
            "http://127.0.0.1:1"
        );
        assert_eq!(
            settings(StoreKind::Vault, &vars).unwrap().address,
            "http://127.0.0.1:2"
        );
        let only_vault = [
            ("VAULT_ADDR", "http://127.0.0.1:2"),
            ("VAULT_CACERT", "/ca.pem"),
            ("VAULT_TOKEN", "t"),
        ];
        let s = settings(StoreKind::OpenBao, &only_vault).unwrap();
        assert_eq!(s.address, "http://127.0.0.1:2");
        assert_eq!(s.ca_file.as_deref(), Some(Path::new("/ca.pem")));
    }

    #[test]
    fn without_an_address_anywhere_the_error_names_the_variables() {
        let mut d = def(StoreKind::OpenBao);
        d.address = None;
        let e = Settings::from_env(&d, |k| (k == "BAO_TOKEN").then(|| "t".to_owned())).unwrap_err();
        assert_eq!(e.reason, Reason::NoAddress);
        assert_eq!(
            e.to_string(),
            "cannot configure the store client: no server address"
        );
        assert!(
            e.help().unwrap().contains("BAO_ADDR"),
            "{}",
            e.help().unwrap()
        );
        let s = Settings::from_env(&d, |k| match k {
            "BAO_TOKEN" => Some("t".to_owned()),
            "VAULT_ADDR" => Some("http://127.0.0.1:9".to_owned()),
            _ => None,
        })
        .unwrap();
        assert_eq!(s.address, "http://127.0.0.1:9");
    }

    #[test]
    fn the_spec_address_applies_without_override_and_empty_counts_as_unset() {
        let s = settings(StoreKind::OpenBao, &[("BAO_ADDR", ""), ("BAO_TOKEN", "t")]).unwrap();
        assert_eq!(s.address, "https://bao.internal:8200");
    }

    #[test]
    fn credentials_token_then_approle_then_jwt_then_file() {
        let all = [
            ("BAO_TOKEN", "t"),
            (APPROLE_ROLE_ID, "r"),
            (APPROLE_SECRET_ID, "s"),
            (JWT_ROLE, "ci"),
            (JWT, "j"),
        ];
        assert!(matches!(
            settings(StoreKind::OpenBao, &all).unwrap().auth,
            Auth::Token(_)
        ));
        assert!(
            matches!(settings(StoreKind::OpenBao, &all[1..]).unwrap().auth, Auth::AppRole { ref mount, .. } if mount == "approle")
        );
        let jwt = settings(
            StoreKind::OpenBao,
            &[(JWT_ROLE, "ci"), (JWT, " j\n"), (JWT_MOUNT, "github")],
        )
        .unwrap();
        match jwt.auth {
            Auth::Jwt { mount, role, jwt } => {
                assert_eq!(
                    (mount.as_str(), role.as_str(), jwt.expose_secret()),
                    ("github", "ci", "j")
                );
            }
            other => panic!("{other:?}"),
        }

        let home = tempfile::tempdir().unwrap();
        std::fs::write(home.path().join(TOKEN_HELPER_FILE), "hvs.from-file\n").unwrap();
        let home_str = home.path().to_str().unwrap();
        match settings(StoreKind::OpenBao, &[("HOME", home_str)])
            .unwrap()
            .auth
        {
            Auth::Token(t) => assert_eq!(t.expose_secret(), "hvs.from-file"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn missing_or_half_credentials_are_errors_that_name_the_variables() {
        let home = tempfile::tempdir().unwrap();
        let e = settings(
            StoreKind::OpenBao,
            &[("HOME", home.path().to_str().unwrap())],
        )
        .unwrap_err();
        assert_eq!(e.reason, Reason::NoCredentials);
        assert!(e.help().unwrap().contains("BAO_TOKEN"));
        let e = settings(StoreKind::OpenBao, &[(APPROLE_ROLE_ID, "r")]).unwrap_err();
        assert_eq!(e.to_string(), "cannot configure the store client for https://bao.internal:8200: TOKENSPEC_APPROLE_ROLE_ID is set but TOKENSPEC_APPROLE_SECRET_ID is not");
        let e = settings(StoreKind::OpenBao, &[(JWT, "secret-jwt-value")]).unwrap_err();
        assert!(!format!("{e} {e:?} {}", e.help().unwrap()).contains("secret-jwt-value"));
    }

    #[test]
    fn a_jwt_file_is_read_and_trimmed() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("jwt");
        std::fs::write(&file, "eyJ.hdr.sig\n").unwrap();
        let s = settings(
            StoreKind::Vault,
            &[(JWT_ROLE, "ci"), (JWT_FILE, file.to_str().unwrap())],
        )
        .unwrap();
        assert!(
            matches!(s.auth, Auth::Jwt { ref jwt, .. } if jwt.expose_secret() == "eyJ.hdr.sig")
        );
        let missing = dir.path().join("absent");
        let e = settings(
            StoreKind::Vault,
            &[(JWT_ROLE, "ci"), (JWT_FILE, missing.to_str().unwrap())],
        )
        .unwrap_err();
        assert!(matches!(e.reason, Reason::TokenFile { .. }), "{e:?}");
    }
}
