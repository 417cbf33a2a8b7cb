//! A loopback double of the three APIs `verify` and `push --to github` call,
//! answering as their documentation shows:
//!
//! - GitHub `GET /user` (200 with `X-OAuth-Scopes` for classic tokens and
//!   `github-authentication-token-expiration`, 401, 403 with the rate-limit
//!   headers, 500), and the Actions secrets API of one repository and its
//!   environments: `GET …/secrets/public-key`, `GET …/secrets` (paginated),
//!   `PUT …/secrets/{name}` (201 created, 204 updated). Each sealed box is
//!   opened with the double's private key, so a test reads the value GitHub
//!   would store.
//! - Discord `GET /discord/users/@me` with `Authorization: Bot …`.
//! - Cloudflare `GET /cf/user/tokens/verify`.
//!
//! One server: `GITHUB_API_URL` is its root, `TOKENSPEC_DISCORD_API_URL`
//! `…/discord`, `TOKENSPEC_CLOUDFLARE_API_URL` `…/cf`. Every request is
//! recorded. Each connection is answered on its own thread, so a slow
//! answer holds up nothing else.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use crypto_box::aead::OsRng;
use crypto_box::SecretKey;

/// A canned answer.
#[derive(Clone, Debug)]
pub struct Canned {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Wait this long before answering.
    pub delay: Duration,
}

impl Canned {
    pub fn json(status: u16, body: serde_json::Value) -> Canned {
        Canned {
            status,
            headers: Vec::new(),
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Canned {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn delayed(mut self, delay: Duration) -> Canned {
        self.delay = delay;
        self
    }
}

/// One request as received.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub body: String,
}

/// A secret as the double holds it: the opened value and when it changed.
#[derive(Clone, Debug)]
pub struct Stored {
    pub value: Vec<u8>,
    pub updated_at: String,
}

#[derive(Default)]
struct State {
    /// `(path, Authorization header)` → answer.
    canned: HashMap<(String, String), Canned>,
    requests: Vec<Request>,
    /// `repository` or an environment name → secret name → secret.
    secrets: BTreeMap<String, BTreeMap<String, Stored>>,
    /// Writes that succeed before every later one gets a 500.
    puts_before_failure: Option<usize>,
    puts: usize,
}

pub struct Double {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    key: Arc<SecretKey>,
    /// The credential the secrets API accepts.
    pub credential: String,
    pub repository: String,
}

/// GitHub's documented `updated_at` shape.
pub fn github_time(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

/// GitHub's `github-authentication-token-expiration` shape: `2026-04-21 16:20:40 UTC`.
pub fn expiration_header(t: SystemTime) -> String {
    let text = humantime::format_rfc3339_seconds(t).to_string();
    format!("{} {} UTC", &text[..10], &text[11..19])
}

pub fn days(n: i64) -> SystemTime {
    let now = SystemTime::now();
    if n >= 0 {
        now + Duration::from_secs(n as u64 * 86_400)
    } else {
        now - Duration::from_secs(n.unsigned_abs() * 86_400)
    }
}

impl Double {
    pub fn start() -> Double {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let key = Arc::new(SecretKey::generate(&mut OsRng));
        let double = Double {
            addr,
            state: state.clone(),
            stop: stop.clone(),
            key: key.clone(),
            credential: "ghp_DoubleCredential000000000000000000000".to_owned(),
            repository: "octo-org/deploy".to_owned(),
        };
        let credential = format!("Bearer {}", double.credential);
        let repository = double.repository.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (state, key, credential, repository) = (
                    state.clone(),
                    key.clone(),
                    credential.clone(),
                    repository.clone(),
                );
                thread::spawn(move || {
                    let _ = serve(stream, &state, &key, &credential, &repository);
                });
            }
        });
        double
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The variables pointing `tokenspec` at this double.
    pub fn vars(&self) -> Vec<(String, String)> {
        vec![
            ("GITHUB_API_URL".to_owned(), self.url()),
            (
                "TOKENSPEC_DISCORD_API_URL".to_owned(),
                format!("{}/discord", self.url()),
            ),
            (
                "TOKENSPEC_CLOUDFLARE_API_URL".to_owned(),
                format!("{}/cf", self.url()),
            ),
        ]
    }

    /// Answers `GET path` carrying `authorization` with `canned`.
    pub fn on(&self, path: &str, authorization: &str, canned: Canned) {
        self.state
            .lock()
            .unwrap()
            .canned
            .insert((path.to_owned(), authorization.to_owned()), canned);
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    /// A secret already on GitHub (`place`: `repository` or an environment name).
    pub fn put_secret(&self, place: &str, name: &str, value: &str, updated: SystemTime) {
        self.state
            .lock()
            .unwrap()
            .secrets
            .entry(place.to_owned())
            .or_default()
            .insert(
                name.to_owned(),
                Stored {
                    value: value.as_bytes().to_vec(),
                    updated_at: github_time(updated),
                },
            );
    }

    pub fn secrets(&self, place: &str) -> BTreeMap<String, Stored> {
        self.state
            .lock()
            .unwrap()
            .secrets
            .get(place)
            .cloned()
            .unwrap_or_default()
    }

    /// After `n` successful writes, every write gets a 500.
    pub fn fail_puts_after(&self, n: usize) {
        self.state.lock().unwrap().puts_before_failure = Some(n);
    }

    /// The double's public key, as GitHub gives it.
    pub fn public_key(&self) -> String {
        STANDARD.encode(self.key.public_key().as_bytes())
    }
}

impl Drop for Double {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

fn serve(
    stream: TcpStream,
    state: &Mutex<State>,
    key: &SecretKey,
    credential: &str,
    repository: &str,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (method, target) = match (parts.next(), parts.next()) {
        (Some(m), Some(t)) => (m.to_owned(), t.to_owned()),
        _ => return Ok(()),
    };
    let mut authorization = None;
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            match name.trim().to_ascii_lowercase().as_str() {
                "authorization" => authorization = Some(value.trim().to_owned()),
                "content-length" => length = value.trim().parse().unwrap_or(0),
                _ => {}
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let body = String::from_utf8_lossy(&body).into_owned();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let request = Request {
        method: method.clone(),
        path: path.to_owned(),
        authorization: authorization.clone(),
        body: body.clone(),
    };
    state.lock().unwrap().requests.push(request);

    let auth = authorization.unwrap_or_default();
    let answer = answer(
        state, key, credential, repository, &method, path, query, &auth, &body,
    );
    if !answer.delay.is_zero() {
        thread::sleep(answer.delay);
    }
    let mut out = stream;
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n",
        answer.status,
        reason(answer.status),
        answer.body.len()
    );
    for (name, value) in &answer.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    out.write_all(answer.body.as_bytes())?;
    out.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        _ => "Other",
    }
}

#[allow(clippy::too_many_arguments)]
fn answer(
    state: &Mutex<State>,
    key: &SecretKey,
    credential: &str,
    repository: &str,
    method: &str,
    path: &str,
    query: &str,
    auth: &str,
    body: &str,
) -> Canned {
    let not_found = || Canned::json(404, serde_json::json!({"message": "Not Found"}));
    if let Some(canned) = state
        .lock()
        .unwrap()
        .canned
        .get(&(path.to_owned(), auth.to_owned()))
    {
        return canned.clone();
    }
    let secrets_root = format!("/repos/{repository}/");
    let Some(rest) = path.strip_prefix(&secrets_root) else {
        // An unknown token on any issuer path: each API's 401.
        return match path {
            "/user" => Canned::json(
                401,
                serde_json::json!({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"}),
            ),
            "/discord/users/@me" => Canned::json(
                401,
                serde_json::json!({"message": "401: Unauthorized", "code": 0}),
            ),
            "/cf/user/tokens/verify" => Canned::json(
                401,
                serde_json::json!({"success": false, "errors": [{"code": 1000, "message": "Invalid API Token"}], "messages": [], "result": null}),
            ),
            _ => not_found(),
        };
    };
    if auth != credential {
        return Canned::json(401, serde_json::json!({"message": "Bad credentials"}));
    }
    let (place, tail) = if let Some(tail) = rest.strip_prefix("actions/secrets") {
        ("repository".to_owned(), tail)
    } else if let Some(env_rest) = rest.strip_prefix("environments/") {
        let Some((env, tail)) = env_rest.split_once("/secrets") else {
            return not_found();
        };
        (env.to_owned(), tail)
    } else {
        return not_found();
    };
    let mut state = state.lock().unwrap();
    match (method, tail) {
        ("GET", "/public-key") => Canned::json(
            200,
            serde_json::json!({"key_id": "568250167242549743", "key": STANDARD.encode(key.public_key().as_bytes())}),
        ),
        ("GET", "") => {
            let param = |name: &str| {
                query
                    .split('&')
                    .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
                    .and_then(|v| v.parse::<usize>().ok())
            };
            let per_page = param("per_page").unwrap_or(30).min(100);
            let page = param("page").unwrap_or(1).max(1);
            let all = state.secrets.get(&place).cloned().unwrap_or_default();
            let listed: Vec<_> = all
                .iter()
                .skip((page - 1) * per_page)
                .take(per_page)
                .map(|(name, s)| {
                    serde_json::json!({"name": name, "created_at": "2020-01-10T14:59:22Z", "updated_at": s.updated_at})
                })
                .collect();
            Canned::json(
                200,
                serde_json::json!({"total_count": all.len(), "secrets": listed}),
            )
        }
        ("PUT", tail) if tail.starts_with('/') => {
            let name = &tail[1..];
            if state.puts_before_failure.is_some_and(|n| state.puts >= n) {
                return Canned::json(500, serde_json::json!({"message": "Server Error"}));
            }
            let Ok(body) = serde_json::from_str::<serde_json::Value>(body) else {
                return Canned::json(400, serde_json::json!({"message": "Problems parsing JSON"}));
            };
            if body["key_id"] != "568250167242549743" {
                return Canned::json(422, serde_json::json!({"message": "Bad key_id"}));
            }
            let Some(sealed) = body["encrypted_value"]
                .as_str()
                .and_then(|v| STANDARD.decode(v).ok())
            else {
                return Canned::json(
                    422,
                    serde_json::json!({"message": "encrypted_value is not base64"}),
                );
            };
            let Ok(value) = key.unseal(&sealed) else {
                return Canned::json(422, serde_json::json!({"message": "Bad encrypted_value"}));
            };
            state.puts += 1;
            let secrets = state.secrets.entry(place).or_default();
            let existed = secrets.contains_key(name);
            secrets.insert(
                name.to_owned(),
                Stored {
                    value,
                    updated_at: github_time(SystemTime::now()),
                },
            );
            Canned {
                status: if existed { 204 } else { 201 },
                headers: Vec::new(),
                body: String::new(),
                delay: Duration::ZERO,
            }
        }
        _ => not_found(),
    }
}

/// Seconds since the epoch, for `x-ratelimit-reset`.
pub fn epoch(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).unwrap().as_secs()
}
