//! The loader's rules exercised through `RuntimeTokens` on temp dirs:
//! precedence, environment selection, placeholders, `$` hazards, redaction.

use std::fs;
use std::path::Path;

use tokenspec_core::{LoadOptions, Problem};
use tokenspec_runtime::RuntimeTokens;

// Realistic shapes (random characters in the issuers' layouts), not live tokens.
const DISCORD: &str = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.Gx1y2Z.k9J8h7G6f5D4s3A2q1W0e9R8t7Y6u5I4o3P2";
const DISCORD_ALT: &str = "OTk4NzY1NDMyMTA5ODc2NTQzMjE.Gh7k2P.Zq9Xw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa";
const CLIENT_SECRET: &str = "Xy7_k2LmN9pQ4rS8tU1vW5xZ3aB6cD0e";
const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJib3QiLCJpYXQiOjE3MDAwMDAwMDB9.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CF: &str = "4rT9_yU2iO8pA5sD1fG7hJ3kL6zX0cVbNmQwEeR2";
const TUNNEL: &str =
    "eyJhIjoiMTIzNDU2Nzg5MGFiY2RlZiIsInQiOiJhYmNkZWYxMi0zNDU2IiwicyI6Ik1UWXpORFUyIn0=";

fn write(dir: &Path, file: &str, body: &str) {
    fs::write(dir.join(file), body).unwrap();
}

fn full_env() -> String {
    format!(
        "DISCORD_BOT_TOKEN={DISCORD}\nDISCORD_CLIENT_SECRET={CLIENT_SECRET}\nBOT_JWT={JWT}\nCF_DNS_API_TOKEN={CF}\nTUNNEL_TOKEN={TUNNEL}\n"
    )
}

fn opts(dir: &Path, env: Option<&str>) -> LoadOptions {
    LoadOptions::new(dir, env).with_vars(Vec::<(String, String)>::new())
}

fn opts_vars(dir: &Path, env: Option<&str>, vars: &[(&str, &str)]) -> LoadOptions {
    LoadOptions::new(dir, env).with_vars(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))
}

#[test]
fn loads_a_complete_env_and_never_shows_values() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".env", &full_env());
    let t = RuntimeTokens::load_with(&opts(dir.path(), None)).unwrap();
    assert_eq!(t.discord_bot_token.expose_secret(), DISCORD);
    assert_eq!(
        t.tunnel_token.as_ref().map(|s| s.expose_secret()),
        Some(TUNNEL)
    );
    let shown = format!("{t:?} {t:#?}");
    for v in [DISCORD, CLIENT_SECRET, JWT, CF, TUNNEL] {
        assert!(!shown.contains(v), "{shown}");
    }
    assert!(shown.contains("discord_bot_token: <set>"), "{shown}");
    assert_eq!(RuntimeTokens::NAMES[0], "DISCORD_BOT_TOKEN");
}

/// `Clone` (generated from the field arrays, not derived) copies every
/// field, set or unset, into its own place.
#[test]
fn a_clone_holds_the_same_value_in_every_field() {
    let dir = tempfile::tempdir().unwrap();
    let env = full_env().replace(&format!("TUNNEL_TOKEN={TUNNEL}\n"), "");
    write(dir.path(), ".env", &env);
    let t = RuntimeTokens::load_with(&opts(dir.path(), None)).unwrap();
    let c = t.clone();
    drop(t);
    assert_eq!(c.discord_bot_token.expose_secret(), DISCORD);
    assert_eq!(c.discord_client_secret.expose_secret(), CLIENT_SECRET);
    assert_eq!(c.bot_jwt.expose_secret(), JWT);
    assert_eq!(c.cf_dns_api_token.expose_secret(), CF);
    assert!(c.tunnel_token.is_none());
    let shown = format!("{c:?}");
    assert!(shown.contains("tunnel_token: <unset>"), "{shown}");
    assert!(shown.contains("bot_jwt: <set>"), "{shown}");
}

#[test]
fn precedence_process_env_over_env_file_over_base() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".env", &full_env());
    write(
        dir.path(),
        ".env.prod",
        &format!("DISCORD_BOT_TOKEN={DISCORD_ALT}\n"),
    );
    let t = RuntimeTokens::load_with(&opts(dir.path(), Some("prod"))).unwrap();
    assert_eq!(
        t.discord_bot_token.expose_secret(),
        DISCORD_ALT,
        "env file beats base"
    );
    let t = RuntimeTokens::load_with(&opts(dir.path(), None)).unwrap();
    assert_eq!(
        t.discord_bot_token.expose_secret(),
        DISCORD,
        "no env: base only"
    );
    let third = "NTExMTExMTExMTExMTExMTExMTEx.Ab12Cd.efGHijKLmnOPqrSTuvWXyz0123456789ab";
    let t = RuntimeTokens::load_with(&opts_vars(
        dir.path(),
        Some("prod"),
        &[("DISCORD_BOT_TOKEN", third)],
    ))
    .unwrap();
    assert_eq!(
        t.discord_bot_token.expose_secret(),
        third,
        "process env beats files"
    );
}

#[test]
fn empty_process_variable_counts_as_unset() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".env", &full_env());
    let t = RuntimeTokens::load_with(&opts_vars(dir.path(), None, &[("DISCORD_BOT_TOKEN", "")]))
        .unwrap();
    assert_eq!(t.discord_bot_token.expose_secret(), DISCORD);
}

#[test]
fn empty_file_value_falls_back_to_base() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".env", &full_env());
    write(dir.path(), ".env.dev", "DISCORD_BOT_TOKEN=\n");
    let t = RuntimeTokens::load_with(&opts(dir.path(), Some("dev"))).unwrap();
    assert_eq!(t.discord_bot_token.expose_secret(), DISCORD);
}

#[test]
fn no_files_at_all_process_env_alone_suffices() {
    let dir = tempfile::tempdir().unwrap();
    let vars = [
        ("DISCORD_BOT_TOKEN", DISCORD),
        ("DISCORD_CLIENT_SECRET", CLIENT_SECRET),
        ("BOT_JWT", JWT),
        ("CF_DNS_API_TOKEN", CF),
    ];
    let t = RuntimeTokens::load_with(&opts_vars(dir.path(), None, &vars)).unwrap();
    assert_eq!(t.bot_jwt.expose_secret(), JWT);
    assert!(
        t.tunnel_token.is_none(),
        "only required in staging, prod, ci"
    );
}

#[test]
fn every_problem_reported_at_once_without_values() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".env",
        &format!("DISCORD_BOT_TOKEN=not-a-token-{DISCORD}x\nDISCORD_CLIENT_SECRET=CHANGE_ME_SECRET\nBOT_JWT=pa$word\nBOT_JWT=again\nCF_DNS_API_TOKEN=\"unterminated\n"),
    );
    let err = RuntimeTokens::load_with(&opts(dir.path(), Some("prod"))).unwrap_err();
    let text = err.to_string();
    assert!(
        !text.contains(DISCORD) && !text.contains("pa$word") && !text.contains("CHANGE_ME_SECRET"),
        "{text}"
    );
    let has = |f: &dyn Fn(&Problem) -> bool| err.problems().iter().any(f);
    assert!(
        has(&|p| matches!(p, Problem::Invalid { name, .. } if name == "DISCORD_BOT_TOKEN")),
        "{text}"
    );
    assert!(
        // CHANGE_ME_ is unfilled: it never counts as set.
        has(&|p| matches!(p, Problem::Unfilled { name, .. } if name == "DISCORD_CLIENT_SECRET")),
        "{text}"
    );
    assert!(
        has(&|p| matches!(p, Problem::Unsafe { name, line: 3, .. } if name == "BOT_JWT")),
        "{text}"
    );
    assert!(
        has(
            &|p| matches!(p, Problem::Duplicate { name, line: 4, first_line: 3, .. } if name == "BOT_JWT")
        ),
        "{text}"
    );
    assert!(
        has(&|p| matches!(p, Problem::Parse { line: 5, .. })),
        "{text}"
    );
    assert!(
        has(&|p| matches!(p, Problem::Missing { name, .. } if name == "TUNNEL_TOKEN")),
        "{text}"
    );
    assert!(
        text.contains(".env:3") && text.contains("single quotes"),
        "{text}"
    );
}

#[test]
fn single_quoted_dollar_is_literal_and_unquoted_is_refused() {
    use std::borrow::Cow;
    use tokenspec_core::{Class, Format, Required, TokenDef};
    let def = |name: &'static str| TokenDef {
        name: Cow::Borrowed(name),
        class: Class::Runtime,
        description: Cow::Borrowed("d"),
        required: Required::Always,
        format: Format::Any,
        ci_value: Cow::Borrowed("ci_test_x"),
        deprecated: None,
        aliases: Cow::Borrowed(&[]),
    };
    let defs = [def("QUOTED"), def("BARE")];
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".env", "QUOTED='pa$word'\nBARE=pa$word\n");
    let res = tokenspec_core::load::resolve(&defs, &opts(dir.path(), None));
    assert_eq!(
        res.value("QUOTED").map(|s| s.expose_secret()),
        Some("pa$word")
    );
    assert!(
        res.value("BARE").is_none(),
        "an altered value is never passed on"
    );
    assert_eq!(
        res.problems,
        [Problem::Unsafe {
            name: "BARE".into(),
            file: ".env".into(),
            line: 2
        }]
    );
}

#[test]
fn placeholders_count_as_set_only_in_ci() {
    let dir = tempfile::tempdir().unwrap();
    let ci = "DISCORD_BOT_TOKEN=ci_test_discord_bot_token\nDISCORD_CLIENT_SECRET=ci_test_discord_client_secret\nBOT_JWT=ci_test_bot_jwt\nCF_DNS_API_TOKEN=ci_test_cf_dns_api_token\nTUNNEL_TOKEN=ci_test_tunnel_token\n";
    write(dir.path(), ".env.ci", ci);
    let t = RuntimeTokens::load_with(&opts(dir.path(), Some("ci"))).unwrap();
    assert_eq!(t.bot_jwt.expose_secret(), "ci_test_bot_jwt");
    write(dir.path(), ".env", ci);
    let err = RuntimeTokens::load_with(&opts(dir.path(), Some("dev"))).unwrap_err();
    assert!(
        err.problems()
            .iter()
            .all(|p| matches!(p, Problem::Placeholder { .. })),
        "{err}"
    );
}

#[test]
fn a_placeholder_never_shadows_a_real_value() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".env", &full_env());
    let vars = [("DISCORD_BOT_TOKEN", "ci_test_discord_bot_token")];
    let t = RuntimeTokens::load_with(&opts_vars(dir.path(), Some("ci"), &vars)).unwrap();
    assert_eq!(t.discord_bot_token.expose_secret(), DISCORD);
}

#[test]
fn discord_first_segment_lengths_accepted() {
    for first in ["A".repeat(23), "B".repeat(28)] {
        let dir = tempfile::tempdir().unwrap();
        let token = format!("{first}.Gx1y2Z.{}", "k".repeat(38));
        write(dir.path(), ".env", &full_env().replace(DISCORD, &token));
        let t = RuntimeTokens::load_with(&opts(dir.path(), None)).unwrap();
        assert_eq!(t.discord_bot_token.expose_secret(), token);
    }
}

#[test]
fn quoted_values_with_comments_and_export() {
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "# runtime\nexport DISCORD_BOT_TOKEN=\"{DISCORD}\" # the bot\nDISCORD_CLIENT_SECRET='{CLIENT_SECRET}'\r\nBOT_JWT={JWT} # inline\nCF_DNS_API_TOKEN={CF}\nTUNNEL_TOKEN={TUNNEL}"
    );
    write(dir.path(), ".env", &body);
    let t = RuntimeTokens::load_with(&opts(dir.path(), None)).unwrap();
    assert_eq!(t.discord_bot_token.expose_secret(), DISCORD);
    assert_eq!(t.discord_client_secret.expose_secret(), CLIENT_SECRET);
    assert_eq!(t.bot_jwt.expose_secret(), JWT);
    assert_eq!(
        t.tunnel_token.as_ref().map(|s| s.expose_secret()),
        Some(TUNNEL)
    );
}

#[cfg(unix)]
#[test]
fn group_readable_file_is_a_warning_not_a_refusal() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".env", &full_env());
    fs::set_permissions(dir.path().join(".env"), fs::Permissions::from_mode(0o644)).unwrap();
    let res = tokenspec_core::load::resolve(RuntimeTokens::defs(), &opts(dir.path(), None));
    assert!(res.problems.is_empty());
    assert!(matches!(
        &res.warnings[..],
        [tokenspec_core::load::Warning::Permissions { mode: 0o644, .. }]
    ));
}

#[test]
fn from_resolution_names_where_a_missing_token_was_looked_for() {
    let dir = tempfile::tempdir().unwrap();
    let res = tokenspec_core::load::resolve(RuntimeTokens::defs(), &opts(dir.path(), Some("dev")));
    let err = RuntimeTokens::from_resolution(&res).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(
            "DISCORD_BOT_TOKEN is missing (environment: dev); looked in the process environment, .env.dev, .env\n"
        ),
        "{text}"
    );
    assert!(!text.contains(", \n") && !text.ends_with(", "), "{text}");
}

/// `load()` reads the real process environment and working directory, so
/// it runs in a child process of this test binary, with a clean environment.
#[test]
fn load_chooses_the_environment_as_the_command_line_does() {
    const CHILD: &str = "TOKENSPEC_TEST_LOAD_CHILD";
    if std::env::var_os(CHILD).is_some() {
        match RuntimeTokens::load() {
            Ok(t) => print!("ok {}", t.bot_jwt.expose_secret()),
            Err(e) => print!("err {e}"),
        }
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "token-spec.toml", "");
    write(
        dir.path(),
        ".env.ci",
        "DISCORD_BOT_TOKEN=ci_test_discord_bot_token\nDISCORD_CLIENT_SECRET=ci_test_discord_client_secret\nBOT_JWT=ci_test_bot_jwt\nCF_DNS_API_TOKEN=ci_test_cf_dns_api_token\nTUNNEL_TOKEN=ci_test_tunnel_token\n",
    );
    let child = |vars: &[(&str, &str)]| {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "load::load_chooses_the_environment_as_the_command_line_does",
                "--nocapture",
                "--test-threads=1",
            ])
            .current_dir(dir.path())
            .env_clear()
            .env(CHILD, "1")
            .envs(vars.iter().copied())
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    // The project's spec lists CI first: CI wins over APP_ENV=development.
    let out = child(&[("CI", "true"), ("APP_ENV", "development")]);
    assert!(out.contains("ok ci_test_bot_jwt"), "{out}");
    // A typo is an error, with the spec's closest environment.
    let out = child(&[("APP_ENV", "stagin")]);
    assert!(
        out.contains("err 1 token problem")
            && out.contains("environment `stagin` (from APP_ENV) is not defined in the spec")
            && out.contains("did you mean `staging`?"),
        "{out}"
    );
}
