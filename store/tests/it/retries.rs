//! The retry rules, against a tiny loopback HTTP responder that counts requests.

use std::borrow::Cow;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokenspec_store::Help;

use tokenspec_store::{Client, Reason, RetryPolicy, Settings, StoreDef, StoreKind};

/// The clients' request timeout: short, so the hung-server test takes milliseconds.
const REQUEST_TIMEOUT: Duration = Duration::from_millis(300);

/// What the responder does with each request.
#[derive(Clone, Copy)]
enum Answer {
    /// Close the connection without a word (what a node killed mid-request looks like).
    Hangup,
    /// Read the request, then say nothing (a hung server).
    Silent,
    Status(u16, &'static str),
}

/// Serves `answer` to every request on a loopback port; returns its address and the request count.
fn responder(answer: Answer) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                head.push(byte[0]);
            }
            seen.fetch_add(1, Ordering::SeqCst);
            if let Answer::Silent = answer {
                // Keep the connection open past the client's request timeout.
                std::thread::spawn(move || {
                    std::thread::sleep(REQUEST_TIMEOUT * 10);
                    drop(stream);
                });
                continue;
            }
            if let Answer::Status(status, body) = answer {
                let reply = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(reply.as_bytes());
            }
        }
    });
    (address, count)
}

fn client(address: &str) -> Client {
    let def = StoreDef {
        kind: StoreKind::OpenBao,
        address: Some(Cow::Owned(address.to_owned())),
        mount: "secret".into(),
        path: "p/{class}/{env}".into(),
        environments: Cow::Owned(vec!["prod".into()]),
        files: true,
    };
    let settings = Settings::from_env(&def, |k| {
        (k == "BAO_TOKEN").then(|| "hvs.test-token".to_owned())
    })
    .unwrap();
    let fast = RetryPolicy {
        request_timeout: REQUEST_TIMEOUT,
        max_attempts: 4,
        first_backoff: Duration::from_millis(5),
        budget: Duration::from_secs(5),
    };
    Client::connect_with_retry(&settings, fast).unwrap()
}

#[test]
fn transient_failures_are_retried_up_to_the_bound() {
    for answer in [
        Answer::Hangup,
        Answer::Status(503, r#"{"errors":[]}"#),
        Answer::Status(429, "{}"),
        Answer::Status(502, ""),
    ] {
        let (address, count) = responder(answer);
        let err = client(&address).read("secret", "p/cicd/prod").unwrap_err();
        assert_eq!(count.load(Ordering::SeqCst), 4, "{err:?}");
        assert!(
            matches!(
                err.reason,
                Reason::Unreachable { .. } | Reason::Unavailable { .. }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains(&address));
    }
}

#[test]
fn refusals_are_never_retried() {
    for (status, reason) in [(403, Reason::PermissionDenied), (404, Reason::NotFound)] {
        let (address, count) = responder(Answer::Status(status, r#"{"errors":[]}"#));
        let err = client(&address).read("secret", "p/cicd/prod").unwrap_err();
        assert_eq!(err.reason, reason);
        assert_eq!(count.load(Ordering::SeqCst), 1);
    }
    let (address, count) = responder(Answer::Status(400, r#"{"errors":["bad thing"]}"#));
    let err = client(&address).read("secret", "p/cicd/prod").unwrap_err();
    assert_eq!(
        err.reason,
        Reason::BadRequest {
            detail: "bad thing".to_owned()
        }
    );
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[test]
fn a_body_that_is_not_kv_v2_is_a_bad_response() {
    let (address, _) = responder(Answer::Status(200, "<html>proxy login</html>"));
    let err = client(&address).read("secret", "p/cicd/prod").unwrap_err();
    assert!(matches!(err.reason, Reason::BadResponse { .. }), "{err:?}");
    assert!(err.help().unwrap().contains(&address));
}

#[test]
fn a_redirect_is_not_followed_so_the_token_stays_put() {
    let (address, count) = responder(Answer::Status(307, ""));
    let err = client(&address).read("secret", "p/cicd/prod").unwrap_err();
    assert!(
        matches!(err.reason, Reason::BadResponse { ref detail } if detail.starts_with("status 307")),
        "{err:?}"
    );
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[test]
fn a_hung_server_times_out_once_without_retries() {
    let (address, count) = responder(Answer::Silent);
    let err = client(&address).read("secret", "p/cicd/prod").unwrap_err();
    assert_eq!(
        err.reason,
        Reason::Timeout {
            after: REQUEST_TIMEOUT
        },
        "{err:?}"
    );
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert_eq!(
        err.to_string(),
        format!("cannot read secret/data/p/cicd/prod at {address}: the request timed out")
    );
    assert!(
        err.help().unwrap().contains("did not answer within 300 ms"),
        "{}",
        err.help().unwrap()
    );
}
