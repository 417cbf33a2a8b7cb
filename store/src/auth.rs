//! Who the client is at the server: a token, or credentials it exchanges
//! for one (AppRole, JWT). [`Settings::from_env`](crate::Settings::from_env)
//! picks the method; [`Client::connect`](crate::Client::connect) logs in.

use tokenspec_core::Secret;
use zeroize::Zeroizing;

/// The login method. `Debug` shows no credential.
#[derive(Clone, Debug)]
pub enum Auth {
    /// A token used as is (`BAO_TOKEN` / `VAULT_TOKEN` or `~/.vault-token`).
    Token(Secret),
    /// `POST /v1/auth/{mount}/login` with a role id and a secret id.
    AppRole {
        mount: String,
        role_id: Secret,
        secret_id: Secret,
    },
    /// `POST /v1/auth/{mount}/login` with a role and a signed JWT, e.g.
    /// GitHub Actions' OIDC token exchanged for a short-lived store token.
    Jwt {
        mount: String,
        role: String,
        jwt: Secret,
    },
}

impl Auth {
    /// The method's name, for messages.
    pub fn method(&self) -> &'static str {
        match self {
            Auth::Token(_) => "token",
            Auth::AppRole { .. } => "approle",
            Auth::Jwt { .. } => "jwt",
        }
    }

    /// The token to use, or the login request (path under `/v1/`, JSON body) that gets one.
    pub(crate) fn login(&self) -> Login<'_> {
        let (mount, fields): (&str, [(&str, &str); 2]) = match self {
            Auth::Token(token) => return Login::Ready(token),
            Auth::AppRole {
                mount,
                role_id,
                secret_id,
            } => (
                mount,
                [
                    ("role_id", role_id.expose_secret()),
                    ("secret_id", secret_id.expose_secret()),
                ],
            ),
            Auth::Jwt { mount, role, jwt } => (
                mount,
                [("role", role.as_str()), ("jwt", jwt.expose_secret())],
            ),
        };
        let mut body = Zeroizing::new(Vec::with_capacity(256));
        body.push(b'{');
        for (i, (key, value)) in fields.iter().enumerate() {
            if i > 0 {
                body.push(b',');
            }
            crate::json::push_str(&mut body, key);
            body.push(b':');
            crate::json::push_str(&mut body, value);
        }
        body.push(b'}');
        Login::Exchange {
            path: format!("auth/{}/login", mount.trim_matches('/')),
            body,
        }
    }

    /// The credentials, to cut out of any server message quoted in an error.
    pub(crate) fn secrets(&self) -> Vec<&str> {
        match self {
            Auth::Token(token) => vec![token.expose_secret()],
            Auth::AppRole {
                role_id, secret_id, ..
            } => vec![role_id.expose_secret(), secret_id.expose_secret()],
            Auth::Jwt { jwt, .. } => vec![jwt.expose_secret()],
        }
    }
}

/// How a client gets its token.
pub(crate) enum Login<'a> {
    Ready(&'a Secret),
    /// `POST /v1/{path}` with `body`; the answer's `auth.client_token`.
    Exchange {
        path: String,
        body: Zeroizing<Vec<u8>>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_credential() {
        let auths = [
            Auth::Token(Secret::new("tok-planted")),
            Auth::AppRole {
                mount: "approle".into(),
                role_id: Secret::new("role-planted"),
                secret_id: Secret::new("sid-planted"),
            },
            Auth::Jwt {
                mount: "jwt".into(),
                role: "ci".into(),
                jwt: Secret::new("jwt-planted"),
            },
        ];
        let shown = format!("{auths:?}");
        assert!(!shown.contains("planted"), "{shown}");
    }

    #[test]
    fn login_bodies_are_json() {
        let auth = Auth::Jwt {
            mount: "/github/".into(),
            role: "ci".into(),
            jwt: Secret::new("a\"b"),
        };
        let Login::Exchange { path, body } = auth.login() else {
            panic!("a JWT needs a login");
        };
        assert_eq!(path, "auth/github/login");
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v, serde_json::json!({"role": "ci", "jwt": "a\"b"}));
        assert!(matches!(
            Auth::Token(Secret::new("t")).login(),
            Login::Ready(_)
        ));
    }
}
