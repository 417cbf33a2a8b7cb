//! Each login method against the real server.

use std::time::{SystemTime, UNIX_EPOCH};
use tokenspec_store::Help;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use tokenspec_core::Class;
use tokenspec_store::{Reason, Store};

use crate::support::{assert_hidden, BaoServer, StoreServer};

/// Server set-up shared by the auth tests: a cicd secret and the generated policies.
fn seed(server: &BaoServer) {
    server.bao(&[
        "kv",
        "put",
        "-mount=secret",
        "myproject/cicd/prod",
        "AAR_TOKEN=aar-value",
    ]);
    server.install_generated_policies();
}

fn reads_cicd(server: &BaoServer, vars: &[(&str, &str)]) {
    let client = server.client_with(vars).unwrap();
    let store = Store::with_client(&server.def(), client);
    let data = store.read_class(Class::Cicd, "prod").unwrap();
    assert_eq!(data.values["AAR_TOKEN"].expose_secret(), "aar-value");
}

#[test]
#[ignore = "needs bao"]
fn a_token_from_the_environment_or_the_token_helper_file() {
    let server = BaoServer::start();
    seed(&server);
    let token = server.bao(&["token", "create", "-policy=cicd-reader", "-field=token"]);
    reads_cicd(
        &server,
        &[("BAO_ADDR", &server.address), ("BAO_TOKEN", &token)],
    );
    reads_cicd(
        &server,
        &[("VAULT_ADDR", &server.address), ("VAULT_TOKEN", &token)],
    );

    // `bao login` writes ~/.vault-token; the client reads that file.
    let home = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(tokenspec_test_support::bao::bao_binary())
        .args(["login", "-no-print", &token])
        .env_clear()
        .env("HOME", home.path())
        .env("BAO_ADDR", &server.address)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        home.path()
            .join(tokenspec_store::TOKEN_HELPER_FILE)
            .is_file(),
        "bao login wrote no ~/.vault-token"
    );
    reads_cicd(
        &server,
        &[
            ("BAO_ADDR", &server.address),
            ("HOME", home.path().to_str().unwrap()),
        ],
    );

    // A revoked token is refused with 403, and the message shows no token.
    server.bao(&["token", "revoke", &token]);
    let client = server.client_with(&[("BAO_TOKEN", &token)]).unwrap();
    let err = Store::with_client(&server.def(), client)
        .read_class(Class::Cicd, "prod")
        .unwrap_err();
    assert_eq!(err.reason, Reason::PermissionDenied);
    assert_hidden(&format!("{err} {err:?} {}", err.help().unwrap()), &[&token]);
}

#[test]
#[ignore = "needs bao"]
fn approle_logs_in_with_role_and_secret_ids() {
    let server = BaoServer::start();
    seed(&server);
    server.bao(&["auth", "enable", "approle"]);
    server.bao(&[
        "write",
        "auth/approle/role/deploy",
        "token_policies=cicd-reader",
        "token_ttl=5m",
    ]);
    let role_id = server.bao(&["read", "-field=role_id", "auth/approle/role/deploy/role-id"]);
    let secret_id = server.bao(&[
        "write",
        "-f",
        "-field=secret_id",
        "auth/approle/role/deploy/secret-id",
    ]);
    reads_cicd(
        &server,
        &[
            ("TOKENSPEC_APPROLE_ROLE_ID", &role_id),
            ("TOKENSPEC_APPROLE_SECRET_ID", &secret_id),
        ],
    );

    // A custom mount.
    server.bao(&["auth", "enable", "-path=ci-approle", "approle"]);
    server.bao(&[
        "write",
        "auth/ci-approle/role/deploy",
        "token_policies=cicd-reader",
    ]);
    let role_id2 = server.bao(&[
        "read",
        "-field=role_id",
        "auth/ci-approle/role/deploy/role-id",
    ]);
    let secret_id2 = server.bao(&[
        "write",
        "-f",
        "-field=secret_id",
        "auth/ci-approle/role/deploy/secret-id",
    ]);
    reads_cicd(
        &server,
        &[
            ("TOKENSPEC_APPROLE_ROLE_ID", &role_id2),
            ("TOKENSPEC_APPROLE_SECRET_ID", &secret_id2),
            ("TOKENSPEC_APPROLE_MOUNT", "ci-approle"),
        ],
    );

    // A wrong secret id fails the login, without showing either id.
    let wrong = "00000000-1111-2222-3333-444444444444";
    let Err(err) = server.client_with(&[
        ("TOKENSPEC_APPROLE_ROLE_ID", &role_id),
        ("TOKENSPEC_APPROLE_SECRET_ID", wrong),
    ]) else {
        panic!("a wrong secret id logged in");
    };
    assert_eq!(err.operation, tokenspec_store::Operation::Login);
    assert!(
        err.to_string().starts_with(&format!(
            "cannot log in at auth/approle/login at {}",
            server.address
        )),
        "{err}"
    );
    assert_hidden(
        &format!("{err} {err:?} {}", err.help().unwrap()),
        &[&role_id, wrong, &secret_id],
    );
}

/// A JWT signed with `key`, shaped like GitHub Actions' OIDC token.
fn github_like_jwt(key: &EcdsaKeyPair, audience: &str, repository: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let header = serde_json::json!({ "alg": "ES256", "typ": "JWT", "kid": "test" });
    let claims = serde_json::json!({
        "iss": "https://token.actions.githubusercontent.com",
        "aud": audience,
        "sub": format!("repo:{repository}:ref:refs/heads/main"),
        "repository": repository,
        "ref": "refs/heads/main",
        "iat": now,
        "nbf": now - 5,
        "exp": now + 300,
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    // FIXED signing gives r||s, the JWS form of an ES256 signature.
    let signature = key
        .sign(&SystemRandom::new(), signing_input.as_bytes())
        .unwrap();
    format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature.as_ref())
    )
}

/// The SubjectPublicKeyInfo PEM of a P-256 key: a fixed DER prefix, then the point.
fn public_key_pem(key: &EcdsaKeyPair) -> String {
    const P256_SPKI_PREFIX: [u8; 26] = [
        0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08,
        0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
    ];
    let der: Vec<u8> = P256_SPKI_PREFIX
        .iter()
        .chain(key.public_key().as_ref())
        .copied()
        .collect();
    format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        STANDARD.encode(der)
    )
}

#[test]
#[ignore = "needs bao"]
fn jwt_login_exchanges_a_github_like_oidc_token() {
    let server = BaoServer::start();
    seed(&server);
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let key =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    let pem_file = server.home().join("jwt-pub.pem");
    std::fs::write(&pem_file, public_key_pem(&key)).unwrap();

    server.bao(&["auth", "enable", "jwt"]);
    server.bao(&[
        "write",
        "auth/jwt/config",
        &format!("jwt_validation_pubkeys=@{}", pem_file.display()),
        "bound_issuer=https://token.actions.githubusercontent.com",
    ]);
    let role = serde_json::json!({
        "role_type": "jwt",
        "user_claim": "repository",
        "bound_audiences": ["https://github.com/myorg"],
        "bound_claims": { "repository": "myorg/myproject", "ref": "refs/heads/main" },
        "token_policies": ["cicd-reader"],
        "token_ttl": "5m",
    });
    let role_file = server.home().join("role.json");
    std::fs::write(&role_file, role.to_string()).unwrap();
    server.bao(&[
        "write",
        "auth/jwt/role/deploy",
        &format!("@{}", role_file.display()),
    ]);

    let jwt = github_like_jwt(&key, "https://github.com/myorg", "myorg/myproject");
    reads_cicd(
        &server,
        &[("TOKENSPEC_JWT_ROLE", "deploy"), ("TOKENSPEC_JWT", &jwt)],
    );
    let jwt_file = server.home().join("oidc-token");
    std::fs::write(&jwt_file, format!("{jwt}\n")).unwrap();
    reads_cicd(
        &server,
        &[
            ("TOKENSPEC_JWT_ROLE", "deploy"),
            ("TOKENSPEC_JWT_FILE", jwt_file.to_str().unwrap()),
        ],
    );

    // Another repository's token is refused at login, and the JWT is not shown.
    let foreign = github_like_jwt(&key, "https://github.com/myorg", "someone/else");
    let Err(err) = server.client_with(&[
        ("TOKENSPEC_JWT_ROLE", "deploy"),
        ("TOKENSPEC_JWT", &foreign),
    ]) else {
        panic!("a JWT for another repository logged in");
    };
    assert_eq!(err.operation, tokenspec_store::Operation::Login);
    assert_hidden(
        &format!("{err} {err:?} {}", err.help().unwrap()),
        &[&foreign, &jwt],
    );
    // So is one signed by another key.
    let other_pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let other =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, other_pkcs8.as_ref(), &rng)
            .unwrap();
    let forged = github_like_jwt(&other, "https://github.com/myorg", "myorg/myproject");
    assert!(server
        .client_with(&[("TOKENSPEC_JWT_ROLE", "deploy"), ("TOKENSPEC_JWT", &forged)])
        .is_err());

    // In GitHub Actions the client fetches the OIDC token itself from the
    // runner's endpoint (here a loopback stand-in that checks the request).
    let request_token = "runner-request-token-Planted";
    let (url, seen) = oidc_endpoint(jwt.clone(), 1);
    reads_cicd(
        &server,
        &[
            ("TOKENSPEC_JWT_ROLE", "deploy"),
            ("TOKENSPEC_JWT_AUDIENCE", "https://github.com/myorg"),
            (
                "ACTIONS_ID_TOKEN_REQUEST_URL",
                &format!("{url}/token?api-version=2.0"),
            ),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", request_token),
        ],
    );
    let request = seen.join().unwrap().to_ascii_lowercase();
    assert!(
        request
            .starts_with("get /token?api-version=2.0&audience=https%3a%2f%2fgithub.com%2fmyorg "),
        "{request}"
    );
    assert!(
        request.contains(&format!(
            "authorization: bearer {}",
            request_token.to_ascii_lowercase()
        )),
        "{request}"
    );
    // An endpoint that refuses is a login error naming the fix, showing no token.
    let (url, _) = oidc_endpoint(String::new(), 1);
    let Err(err) = server.client_with(&[
        ("TOKENSPEC_JWT_ROLE", "deploy"),
        ("ACTIONS_ID_TOKEN_REQUEST_URL", &format!("{url}/token")),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", request_token),
    ]) else {
        panic!("an empty OIDC answer logged in");
    };
    assert!(matches!(err.reason, Reason::OidcToken { .. }), "{err}");
    assert!(
        err.help().unwrap().contains("id-token: write"),
        "{}",
        err.help().unwrap()
    );
    assert_hidden(
        &format!("{err} {err:?} {}", err.help().unwrap()),
        &[request_token, &jwt],
    );
}

/// A loopback stand-in for the runner's token endpoint: answers `requests`
/// requests with `{"value": jwt}` (403 when `jwt` is empty) and returns the
/// first request's head.
fn oidc_endpoint(jwt: String, requests: usize) -> (String, std::thread::JoinHandle<String>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut first = String::new();
        for _ in 0..requests {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            let (status, body) = if jwt.is_empty() {
                ("403 Forbidden", "{}".to_owned())
            } else {
                ("200 OK", serde_json::json!({ "value": jwt }).to_string())
            };
            let mut stream = stream;
            write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
            if first.is_empty() {
                first = head;
            }
        }
        first
    });
    (url, handle)
}
