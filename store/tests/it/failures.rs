//! Failing closed: a stopped or sealed server, named with its address, never a value.

use tokenspec_core::Class;
use tokenspec_store::Help;
use tokenspec_store::{Reason, Store};

use crate::support::{assert_hidden, random_hex, BaoServer, StoreServer};

#[test]
#[ignore = "needs bao"]
fn a_stopped_server_fails_closed_naming_the_address() {
    let mut server = BaoServer::start();
    let planted = format!("planted-{}", random_hex(8));
    server.bao(&[
        "kv",
        "put",
        "-mount=secret",
        "myproject/cicd/prod",
        &format!("A={planted}"),
    ]);
    let store = Store::with_client(&server.def(), server.root_client());
    assert_eq!(
        store.read_class(Class::Cicd, "prod").unwrap().values["A"].expose_secret(),
        planted
    );
    server.stop();

    let err = store.read_class(Class::Cicd, "prod").unwrap_err();
    assert!(matches!(err.reason, Reason::Unreachable { .. }), "{err:?}");
    let text = format!("{err}\nhelp: {}", err.help().unwrap());
    assert!(
        text.starts_with(&format!(
            "cannot read secret/data/myproject/cicd/prod at {}: the server is unreachable (",
            server.address
        )),
        "{text}"
    );
    assert!(text.contains("nothing was read from files"), "{text}");
    assert_hidden(&format!("{text} {err:?}"), &[&planted, &server.root_token]);
}

#[test]
#[ignore = "needs bao"]
fn a_sealed_server_is_reported_as_sealed() {
    let server = BaoServer::start();
    let store = Store::with_client(&server.def(), server.root_client());
    server.bao(&["operator", "seal"]);
    let err = store.read_class(Class::Runtime, "prod").unwrap_err();
    assert_eq!(err.reason, Reason::Sealed, "{err:?}");
    assert!(err.to_string().contains(&server.address));
    assert!(
        err.help().unwrap().contains("unseal"),
        "{}",
        err.help().unwrap()
    );
}

#[test]
#[ignore = "needs bao"]
fn no_credentials_is_an_error_before_any_request() {
    let server = BaoServer::start();
    let home = tempfile::tempdir().unwrap();
    let Err(err) = server.client_with(&[("HOME", home.path().to_str().unwrap())]) else {
        panic!("connected without credentials");
    };
    assert_eq!(err.reason, Reason::NoCredentials);
    assert_eq!(
        err.to_string(),
        format!(
            "cannot configure the store client for {}: no credentials",
            server.address
        )
    );
}

#[test]
#[ignore = "needs bao"]
fn https_trusts_the_ca_file_and_refuses_an_unknown_certificate() {
    let server = BaoServer::start_with(true);
    server.bao(&[
        "kv",
        "put",
        "-mount=secret",
        "myproject/cicd/prod",
        "A=over-tls",
    ]);
    let ca = server.ca_file();
    let client = server
        .client_with(&[
            ("BAO_TOKEN", &server.root_token),
            ("BAO_CACERT", ca.to_str().unwrap()),
        ])
        .unwrap();
    let store = Store::with_client(&server.def(), client);
    assert_eq!(
        store.read_class(Class::Cicd, "prod").unwrap().values["A"].expose_secret(),
        "over-tls"
    );
    // VAULT_CACERT works as well.
    let client = server
        .client_with(&[
            ("BAO_TOKEN", &server.root_token),
            ("VAULT_CACERT", ca.to_str().unwrap()),
        ])
        .unwrap();
    assert!(Store::with_client(&server.def(), client)
        .read_class(Class::Cicd, "prod")
        .is_ok());

    // The system roots do not know the dev server's own CA.
    let client = server
        .client_with(&[("BAO_TOKEN", &server.root_token)])
        .unwrap();
    let err = Store::with_client(&server.def(), client)
        .read_class(Class::Cicd, "prod")
        .unwrap_err();
    assert!(matches!(err.reason, Reason::Tls { .. }), "{err:?}");
    assert!(err.help().unwrap().contains("BAO_CACERT"));
    assert_hidden(&format!("{err} {err:?}"), &["over-tls", &server.root_token]);
}
