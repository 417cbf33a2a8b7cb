//! The policies `tokenspec gen` writes (rendered by `tokenspec-spec`),
//! enforced by the real server.

use tokenspec_core::Class;
use tokenspec_store::Help;
use tokenspec_store::{Reason, Store};

use crate::support::{assert_hidden, random_hex, BaoServer, StoreServer};

fn install_policies(server: &BaoServer) {
    server.install_generated_policies();
}

#[test]
#[ignore = "needs bao"]
fn the_cicd_reader_reads_cicd_and_is_refused_runtime() {
    let server = BaoServer::start();
    install_policies(&server);
    let runtime_value = format!("runtime-{}", random_hex(8));
    server.bao(&[
        "kv",
        "put",
        "-mount=secret",
        "myproject/cicd/prod",
        "CI_BOT_TOKEN=cicd-value",
    ]);
    server.bao(&[
        "kv",
        "put",
        "-mount=secret",
        "myproject/runtime/prod",
        &format!("BOT_JWT={runtime_value}"),
    ]);
    let token = server.bao(&["token", "create", "-policy=cicd-reader", "-field=token"]);
    let store = Store::connect(&server.def(), |k| match k {
        "BAO_TOKEN" => Some(token.clone()),
        _ => None,
    })
    .unwrap();

    let cicd = store.read_class(Class::Cicd, "prod").unwrap();
    assert_eq!(cicd.values["CI_BOT_TOKEN"].expose_secret(), "cicd-value");
    assert!(
        store
            .read_class_metadata(Class::Cicd, "prod")
            .unwrap()
            .is_some(),
        "the reader may read the rotation metadata"
    );

    let err = store.read_class(Class::Runtime, "prod").unwrap_err();
    assert_eq!(err.reason, Reason::PermissionDenied);
    assert_eq!(
        err.to_string(),
        format!(
            "cannot read secret/data/myproject/runtime/prod at {}: permission denied (403)",
            server.address
        )
    );
    assert!(
        err.help().unwrap().starts_with("this token's policy does not allow reading secret/data/myproject/runtime/prod; ask the runtime class owner for the `runtime-reader` policy"),
        "{}",
        err.help().unwrap()
    );
    assert_hidden(
        &format!("{err} {err:?} {} {cicd:?}", err.help().unwrap()),
        &[&runtime_value, &token, "cicd-value"],
    );

    // A reader cannot write, not even its own class.
    let plan = store
        .plan_push(
            Class::Cicd,
            "prod",
            &[("CI_BOT_TOKEN".to_owned(), tokenspec_core::Secret::new("x"))]
                .into_iter()
                .collect(),
        )
        .unwrap();
    assert_eq!(
        store
            .apply_push(Class::Cicd, "prod", &plan)
            .unwrap_err()
            .reason,
        Reason::PermissionDenied
    );
}

#[test]
#[ignore = "needs bao"]
fn the_writer_pushes_its_class_only_and_cannot_delete() {
    let server = BaoServer::start();
    install_policies(&server);
    let token = server.bao(&["token", "create", "-policy=runtime-writer", "-field=token"]);
    let store =
        Store::connect(&server.def(), |k| (k == "BAO_TOKEN").then(|| token.clone())).unwrap();
    let desired = [(
        "DISCORD_BOT_TOKEN".to_owned(),
        tokenspec_core::Secret::new("d"),
    )]
    .into_iter()
    .collect();

    let plan = store.plan_push(Class::Runtime, "dev", &desired).unwrap();
    assert_eq!(
        store.apply_push(Class::Runtime, "dev", &plan).unwrap(),
        Some(1)
    );
    let meta = store
        .read_class_metadata(Class::Runtime, "dev")
        .unwrap()
        .unwrap();
    assert!(meta.changed_at("DISCORD_BOT_TOKEN").is_some());

    let err = store.plan_push(Class::Cicd, "dev", &desired).unwrap_err();
    assert_eq!(err.reason, Reason::PermissionDenied);
    // Nor outside the environments the store serves.
    assert_eq!(
        store
            .plan_push(Class::Runtime, "ci", &desired)
            .unwrap_err()
            .reason,
        Reason::PermissionDenied
    );

    let out = std::process::Command::new(tokenspec_test_support::bao::bao_binary())
        .args(["kv", "delete", "-mount=secret", "myproject/runtime/dev"])
        .env_clear()
        .env("BAO_ADDR", &server.address)
        .env("BAO_TOKEN", &token)
        .output()
        .unwrap();
    assert!(!out.status.success(), "the writer policy allowed a delete");
}
