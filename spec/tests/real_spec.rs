//! The project's own spec parses and describes the real system.

use tokenspec_core::Class;
use tokenspec_spec::Spec;

#[test]
fn project_spec_is_valid_and_complete() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../token-spec.toml");
    let spec = Spec::load(path.as_ref(), "token-spec.toml").unwrap_or_else(|e| panic!("{e}"));
    let names = |c| {
        spec.tokens_of(c)
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(Class::Cicd),
        [
            "AAR_TOKEN",
            "CI_BOT_TOKEN",
            "CI_ISSUE_AUTOMATION_TOKEN",
            "DEV_ORCHESTRATION_BOT_KEY",
            "PROD_ORCHESTRATION_BOT_KEY",
            "STAGING_ORCHESTRATION_BOT_KEY"
        ]
    );
    assert_eq!(
        names(Class::Runtime),
        [
            "DISCORD_BOT_TOKEN",
            "DISCORD_CLIENT_SECRET",
            "BOT_JWT",
            "CF_DNS_API_TOKEN",
            "TUNNEL_TOKEN"
        ]
    );
    for t in &spec.tokens {
        assert!(!t.description.is_empty());
        assert!(t.ci_value.starts_with("ci_test_"), "{}", t.name);
    }
}
