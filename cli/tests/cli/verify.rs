//! `tokenspec verify` and `push --to github` against the loopback double of
//! GitHub, Discord and Cloudflare (`api_double.rs`). No test contacts a real API.

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use super::api_double::{days, epoch, expiration_header, Canned, Double};
use super::support::{Out, Project};

const SPEC: &str = r#"
environments = ["dev", "prod", "ci"]

[class.cicd]
owner = "Platform team"
rotation_days = 90

[class.runtime]
owner = "App team"

[github]
repository = "octo-org/deploy"
environments = { prod = "production" }

[[token]]
name = "GH_VALID"
class = "cicd"
description = "d"
format = "github_pat"
scopes = ["repo", "workflow"]
identity = "deploy-bot"

[[token]]
name = "GH_INVALID"
class = "cicd"
description = "d"
format = "github_pat"

[[token]]
name = "GH_EXPIRED"
class = "cicd"
description = "d"
format = "github_pat"
scopes = ["repo"]

[[token]]
name = "GH_EXPIRED_401"
class = "cicd"
description = "d"
format = "github_pat"

[[token]]
name = "GH_NEAR"
class = "cicd"
description = "d"
format = "github_pat"
scopes = ["repo"]

[[token]]
name = "GH_WRONG_ID"
class = "cicd"
description = "d"
format = "github_pat"
scopes = ["repo"]
identity = "deploy-bot"

[[token]]
name = "GH_MISSING_SCOPE"
class = "cicd"
description = "d"
format = "github_pat"
scopes = ["repo", "workflow"]

[[token]]
name = "GH_EXTRA_SCOPE"
class = "cicd"
description = "d"
format = "github_pat"
scopes = ["repo:status"]

[[token]]
name = "GH_FINE"
class = "cicd"
description = "d"
format = "github_pat"
scopes = ["repo"]
identity = "deploy-bot"

[[token]]
name = "GH_LIMITED"
class = "cicd"
description = "d"
format = "github_pat"

[[token]]
name = "GH_BROKEN"
class = "cicd"
description = "d"
format = "github_pat"

[[token]]
name = "DISCORD_BOT_TOKEN"
class = "runtime"
description = "d"
format = "discord_bot_token"
identity = "tokenbot"

[[token]]
name = "DISCORD_OLD"
class = "runtime"
description = "d"
format = "discord_bot_token"

[[token]]
name = "DISCORD_LIMITED"
class = "runtime"
description = "d"
format = "discord_bot_token"

[[token]]
name = "CF_BAD"
class = "runtime"
description = "d"
format = "cloudflare_api_token"

[[token]]
name = "CF_TOKEN"
class = "runtime"
description = "d"
format = "cloudflare_api_token"

[[token]]
name = "CF_EXPIRED"
class = "runtime"
description = "d"
format = "cloudflare_api_token"

[[token]]
name = "BOT_JWT"
class = "runtime"
description = "d"
format = "jwt"

[[token]]
name = "OLD_JWT"
class = "runtime"
description = "d"
format = "jwt"

[[token]]
name = "PLAIN"
class = "runtime"
description = "d"

[[token]]
name = "UNSET"
class = "runtime"
description = "d"
required = false
"#;

/// A classic PAT whose 36 characters start with `tag`.
fn pat(tag: &str) -> String {
    format!("ghp_{tag:0<36}")
}

fn jwt(claims: Value) -> String {
    format!(
        "eyJhbGciOiJIUzI1NiJ9.{}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk",
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

fn user(login: &str) -> Value {
    json!({"login": login, "id": 1, "type": "User", "site_admin": false})
}

/// The double's `GET /user` answer for the classic PAT `value`: `login`,
/// its `X-OAuth-Scopes` and an expiry `expires_in` days away.
fn github_user(double: &Double, value: &str, login: &str, scopes: &str, expires_in: i64) {
    double.on(
        "/user",
        &format!("Bearer {value}"),
        Canned::json(200, user(login))
            .header("X-OAuth-Scopes", scopes)
            .header(
                "github-authentication-token-expiration",
                &expiration_header(days(expires_in)),
            ),
    );
}

struct Case {
    name: &'static str,
    value: String,
}

/// Every token with its value, and the double answering for each.
fn scenario(double: &Double) -> Vec<Case> {
    let bearer = |v: &str| format!("Bearer {v}");
    let mut cases = Vec::new();
    let mut add = |name: &'static str, value: String| {
        cases.push(Case {
            name,
            value: value.clone(),
        });
        value
    };

    let v = add("GH_VALID", pat("VALID"));
    github_user(double, &v, "deploy-bot", "repo, workflow", 60);
    add("GH_INVALID", pat("INVALID")); // the double's default: 401 Bad credentials
    let v = add("GH_EXPIRED", pat("EXPIRED"));
    github_user(double, &v, "deploy-bot", "repo", -2);
    let v = add("GH_EXPIRED_401", pat("EXPIRED401"));
    double.on(
        "/user",
        &bearer(&v),
        Canned::json(401, json!({"message": "Token expired", "status": "401"})),
    );
    let v = add("GH_NEAR", pat("NEAR"));
    github_user(double, &v, "deploy-bot", "repo", 5);
    let v = add("GH_WRONG_ID", pat("WRONGID"));
    github_user(double, &v, "someone-else", "repo", 30);
    let v = add("GH_MISSING_SCOPE", pat("MISSING"));
    github_user(double, &v, "deploy-bot", "repo", 30);
    let v = add("GH_EXTRA_SCOPE", pat("EXTRA"));
    github_user(double, &v, "deploy-bot", "repo, admin:org", 30);
    let v = add(
        "GH_FINE",
        format!("github_pat_11AFINE0000{}", "a1B2c3D4e5".repeat(7)),
    );
    // Fine-grained tokens carry no X-OAuth-Scopes header.
    double.on(
        "/user",
        &bearer(&v),
        Canned::json(200, user("deploy-bot")).header(
            "github-authentication-token-expiration",
            &expiration_header(days(30)),
        ),
    );
    let v = add("GH_LIMITED", pat("LIMITED"));
    double.on(
        "/user",
        &bearer(&v),
        Canned::json(
            403,
            json!({"message": "API rate limit exceeded for user ID 1.", "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}),
        )
        .header("x-ratelimit-limit", "5000")
        .header("x-ratelimit-remaining", "0")
        .header("x-ratelimit-used", "5000")
        .header("x-ratelimit-reset", &epoch(days(1)).to_string())
        .header("x-ratelimit-resource", "core"),
    );
    let v = add("GH_BROKEN", pat("BROKEN"));
    double.on(
        "/user",
        &bearer(&v),
        Canned::json(500, json!({"message": "Server Error"})),
    );
    let discord = |first: &str| format!("{first:A<24}.GhT5xQ.{}", "b".repeat(38));
    let v = add("DISCORD_BOT_TOKEN", discord("MTAxVALID"));
    double.on(
        "/discord/users/@me",
        &format!("Bot {v}"),
        Canned::json(
            200,
            json!({"id": "80351110224678912", "username": "tokenbot", "discriminator": "0", "bot": true}),
        ),
    );
    add("DISCORD_OLD", discord("MTAxOLD")); // 401
    let v = add("DISCORD_LIMITED", discord("MTAxLIMITED"));
    double.on(
        "/discord/users/@me",
        &format!("Bot {v}"),
        Canned::json(
            429,
            json!({"message": "You are being rate limited.", "retry_after": 64.57, "global": false}),
        )
        .header("Retry-After", "65")
        .header("X-RateLimit-Limit", "5")
        .header("X-RateLimit-Remaining", "0")
        .header("X-RateLimit-Reset-After", "64.57")
        .header("X-RateLimit-Scope", "user"),
    );
    add("CF_BAD", format!("cfBAD{}", "x".repeat(40))); // 401 Invalid API Token
    let v = add("CF_TOKEN", format!("cfVALID{}", "x".repeat(40)));
    double.on(
        "/cf/user/tokens/verify",
        &bearer(&v),
        Canned::json(
            200,
            json!({"success": true, "errors": [], "messages": [{"code": 10000, "message": "This API Token is valid and active"}],
                   "result": {"id": "ed17574386854bf78a67040be0a770b0", "status": "active", "expires_on": "2099-01-01T00:00:00Z"}}),
        ),
    );
    let v = add("CF_EXPIRED", format!("cfEXPIRED{}", "x".repeat(40)));
    double.on(
        "/cf/user/tokens/verify",
        &bearer(&v),
        Canned::json(
            200,
            json!({"success": true, "errors": [], "messages": [],
                   "result": {"id": "0f3c", "status": "expired", "expires_on": "2020-01-01T00:00:00Z"}}),
        ),
    );
    add(
        "BOT_JWT",
        jwt(json!({"sub": "bot", "exp": epoch(days(20)), "nbf": epoch(days(-1))})),
    );
    add(
        "OLD_JWT",
        jwt(json!({"sub": "bot", "exp": epoch(days(-1))})),
    );
    add("PLAIN", "plain-Value-Not-Verifiable-3141".to_owned());
    cases
}

fn run(p: &Project, double: &Double, args: &[&str], extra: &[(&str, &str)], cases: &[Case]) -> Out {
    let mut vars: Vec<(String, String)> = double.vars();
    vars.extend(cases.iter().map(|c| (c.name.to_owned(), c.value.clone())));
    vars.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let out = p.run_env(args, &vars);
    let values: Vec<&str> = cases.iter().map(|c| c.value.as_str()).collect();
    out.assert_no_values(&values);
    out.assert_no_values(&[&double.credential]);
    out
}

fn token<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("{name} not in {doc:#}"))
}

fn rules<'a>(doc: &'a Value, name: &str) -> Vec<(&'a str, &'a str)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["message"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{name} "))
        })
        .map(|f| (f["severity"].as_str().unwrap(), f["rule"].as_str().unwrap()))
        .collect()
}

#[test]
fn every_issuer_case_gets_its_status_and_findings() {
    let double = Double::start();
    let p = Project::with_spec(SPEC);
    let cases = scenario(&double);
    let out = run(
        &p,
        &double,
        &["--env", "dev", "verify", "--format=json"],
        &[],
        &cases,
    );
    assert_eq!(out.code, 1, "{out:?}");
    let doc = out.json();
    assert_eq!(doc["version"], 1);
    let status = |name| token(&doc, name)["status"].as_str().unwrap().to_owned();
    for (name, want) in [
        ("GH_VALID", "valid"),
        ("GH_INVALID", "invalid"),
        ("GH_EXPIRED", "expired"),
        ("GH_EXPIRED_401", "expired"),
        ("GH_NEAR", "valid"),
        ("GH_WRONG_ID", "valid"),
        ("GH_MISSING_SCOPE", "valid"),
        ("GH_EXTRA_SCOPE", "valid"),
        ("GH_FINE", "valid"),
        ("GH_LIMITED", "error"),
        ("GH_BROKEN", "error"),
        ("DISCORD_BOT_TOKEN", "valid"),
        ("DISCORD_OLD", "invalid"),
        ("DISCORD_LIMITED", "error"),
        ("CF_BAD", "invalid"),
        ("CF_TOKEN", "valid"),
        ("CF_EXPIRED", "expired"),
        ("BOT_JWT", "valid"),
        ("OLD_JWT", "expired"),
        ("PLAIN", "not-verifiable"),
    ] {
        assert_eq!(status(name), want, "{name}: {:#}", token(&doc, name));
    }
    assert!(
        doc["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["name"] != "UNSET"),
        "a token not set is not verified"
    );
    assert!(
        out.stderr
            .contains("note: not set in environment dev, so not verified: UNSET"),
        "{out:?}"
    );

    let valid = token(&doc, "GH_VALID");
    assert_eq!(valid["issuer"], "github");
    assert_eq!(valid["identity"], "deploy-bot");
    assert_eq!(valid["owner"], "Platform team");
    assert_eq!(valid["scopes_missing"], json!([]));
    assert_eq!(valid["scopes_extra"], json!([]));
    assert!(valid["expires_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(rules(&doc, "GH_VALID"), []);

    assert_eq!(rules(&doc, "GH_INVALID"), [("error", "invalid")]);
    assert_eq!(rules(&doc, "GH_EXPIRED"), [("error", "expiry")]);
    assert_eq!(rules(&doc, "GH_NEAR"), [("warning", "expiry")]);
    let near = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["message"].as_str().unwrap().starts_with("GH_NEAR"))
        .unwrap();
    assert!(
        near["help"]
            .as_str()
            .unwrap()
            .starts_with("Platform team (owner)"),
        "{near}"
    );

    assert_eq!(token(&doc, "GH_WRONG_ID")["identity"], "someone-else");
    assert_eq!(rules(&doc, "GH_WRONG_ID"), [("error", "identity")]);

    let missing = token(&doc, "GH_MISSING_SCOPE");
    assert_eq!(missing["scopes_missing"], json!(["workflow"]));
    assert_eq!(rules(&doc, "GH_MISSING_SCOPE"), [("error", "scopes")]);

    // `repo` covers the declared `repo:status` but is broader; admin:org is undeclared.
    let extra = token(&doc, "GH_EXTRA_SCOPE");
    assert_eq!(extra["scopes_missing"], json!([]));
    assert_eq!(extra["scopes_extra"], json!(["admin:org", "repo"]));
    assert_eq!(rules(&doc, "GH_EXTRA_SCOPE"), [("warning", "scopes")]);

    let fine = token(&doc, "GH_FINE");
    assert!(
        fine["message"].as_str().unwrap().contains("fine-grained"),
        "{fine}"
    );
    assert_eq!(fine["identity"], "deploy-bot");
    assert_eq!(rules(&doc, "GH_FINE"), []);

    assert!(token(&doc, "GH_LIMITED")["message"]
        .as_str()
        .unwrap()
        .contains("rate limited until"));
    assert_eq!(rules(&doc, "GH_LIMITED"), [("error", "unverified")]);
    assert!(token(&doc, "GH_BROKEN")["message"]
        .as_str()
        .unwrap()
        .contains("500"));

    assert_eq!(token(&doc, "DISCORD_BOT_TOKEN")["identity"], "tokenbot");
    assert!(
        token(&doc, "DISCORD_LIMITED")["message"]
            .as_str()
            .unwrap()
            .starts_with("could not verify: rate limited until "),
        "{doc:#}"
    );
    assert_eq!(
        token(&doc, "CF_TOKEN")["expires_at"],
        "2099-01-01T00:00:00Z"
    );
    assert!(token(&doc, "BOT_JWT")["message"]
        .as_str()
        .unwrap()
        .contains("signature is not checked"));
    assert_eq!(token(&doc, "PLAIN")["issuer"], Value::Null);

    // Discord's request carries `Bot`, GitHub's and Cloudflare's `Bearer`.
    let requests = double.requests();
    assert!(requests.iter().any(|r| r.path == "/discord/users/@me"
        && r.authorization
            .as_deref()
            .is_some_and(|a| a.starts_with("Bot "))));
    assert!(requests.iter().all(|r| r.method == "GET"));
    // No credential for GitHub's secrets: a note, no listing.
    assert!(out.stderr.contains("note: GitHub secrets of octo-org/deploy were not checked: set GH_TOKEN or GITHUB_TOKEN"), "{out:?}");
    assert!(!requests.iter().any(|r| r.path.starts_with("/repos/")));
}

#[test]
fn exit_codes_follow_the_worst_case_and_text_is_a_table() {
    let double = Double::start();
    let p = Project::with_spec(SPEC);
    let cases = scenario(&double);
    let verify = |names: &[&str]| {
        let mut args = vec!["--env", "dev", "verify"];
        args.extend(names);
        run(&p, &double, &args, &[], &cases)
    };
    let out = verify(&["GH_VALID", "DISCORD_BOT_TOKEN", "PLAIN"]);
    assert_eq!(out.code, 0, "{out:?}");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["TOKEN", "ISSUER", "STATUS", "IDENTITY", "MISSING", "EXTRA", "EXPIRES", "OWNER"]
    );
    let cells = |line: &str| {
        line.split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let valid = cells(lines[1]);
    assert_eq!(
        valid[..6],
        ["GH_VALID", "github", "valid", "deploy-bot", "-", "-"],
        "{out:?}"
    );
    assert_eq!(valid[7], "Platform team", "{out:?}");
    assert_eq!(
        cells(lines[3]),
        [
            "PLAIN",
            "-",
            "not-verifiable",
            "-",
            "-",
            "-",
            "-",
            "App team"
        ],
        "{out:?}"
    );
    assert_eq!(
        lines[4],
        "note: PLAIN: tokenspec cannot verify this format with its issuer"
    );
    assert!(out.stdout.ends_with("2 valid, 0 invalid, 0 expired, 1 not verifiable, 0 could not be verified; 0 errors, 0 warnings\n"), "{out:?}");

    // Near expiry is a warning only.
    assert_eq!(verify(&["GH_NEAR"]).code, 0);
    for bad in [
        "GH_INVALID",
        "GH_EXPIRED",
        "GH_WRONG_ID",
        "GH_MISSING_SCOPE",
        "OLD_JWT",
    ] {
        let out = verify(&[bad]);
        assert_eq!(out.code, 1, "{bad}: {out:?}");
    }
    let out = verify(&["GH_WRONG_ID"]);
    assert!(out.stdout.contains("error[identity]: GH_WRONG_ID belongs to `someone-else`, but the spec's identity is `deploy-bot`\n"), "{out:?}");
    for unknown in ["GH_LIMITED", "GH_BROKEN"] {
        let out = verify(&[unknown]);
        assert_eq!(out.code, 2, "{unknown}: {out:?}");
    }
    // A definite problem outweighs one that could not be verified.
    assert_eq!(verify(&["GH_LIMITED", "GH_INVALID"]).code, 1);

    let out = verify(&["NOPE"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .starts_with("error: unknown token `NOPE` (not in token-spec.toml)\n"),
        "{out:?}"
    );
}

#[test]
fn a_slow_issuer_times_out_as_could_not_verify() {
    let double = Double::start();
    let p = Project::with_spec(SPEC);
    let v = pat("SLOW");
    double.on(
        "/user",
        &format!("Bearer {v}"),
        Canned::json(200, user("deploy-bot")).delayed(Duration::from_secs(5)),
    );
    let cases = [Case {
        name: "GH_VALID",
        value: v,
    }];
    let out = run(
        &p,
        &double,
        &["--env", "dev", "verify", "--format=json", "GH_VALID"],
        &[("TOKENSPEC_HTTP_TIMEOUT", "0.5")],
        &cases,
    );
    assert_eq!(out.code, 2, "{out:?}");
    let doc = out.json();
    assert_eq!(token(&doc, "GH_VALID")["status"], "error");
    assert_eq!(
        token(&doc, "GH_VALID")["message"],
        "could not verify: no answer within 0.5 s"
    );
}

#[test]
fn a_clear_text_address_that_is_not_loopback_is_refused_with_nothing_sent() {
    let double = Double::start();
    let p = Project::with_spec(SPEC);
    let cases = scenario(&double);
    // Were anything sent, the proxy variables would bring it to the double.
    let proxy = double.url();
    for (var, address) in [
        ("GITHUB_API_URL", "http://api.github.example.com"),
        (
            "TOKENSPEC_DISCORD_API_URL",
            "http://user:pw@discord.example.com/api",
        ),
        ("TOKENSPEC_CLOUDFLARE_API_URL", "ftp://cf.example.com"),
    ] {
        let out = run(
            &p,
            &double,
            &["--env", "dev", "verify"],
            &[
                (var, address),
                ("http_proxy", &proxy),
                ("HTTP_PROXY", &proxy),
                ("ALL_PROXY", &proxy),
            ],
            &cases,
        );
        assert_eq!(out.code, 2, "{out:?}");
        assert_eq!(out.stdout, "", "{out:?}");
        assert!(
            out.stderr
                .contains(&format!("\nerror: refusing to send a token to {var}: ")),
            "{out:?}"
        );
        assert!(out.stderr.contains("; nothing was sent\nhelp: "), "{out:?}");
        assert!(!out.stderr.contains("user:pw"), "{out:?}");
        assert_eq!(double.requests().len(), 0, "{:?}", double.requests());
    }
}

const PUSH_SPEC: &str = r#"
environments = ["dev", "prod", "ci"]

[class.cicd]
owner = "Platform team"
rotation_days = 30

[github]
repository = "octo-org/deploy"
environments = { prod = "production" }

[[token]]
name = "DEPLOY_TOKEN"
class = "cicd"
description = "d"

[[token]]
name = "RELEASE_PAT"
class = "cicd"
description = "d"
format = "github_pat"

[[token]]
name = "APP_SECRET"
class = "runtime"
description = "d"
"#;

fn push(p: &Project, double: &Double, args: &[&str]) -> Out {
    let mut vars = double.vars();
    vars.push(("GH_TOKEN".to_owned(), double.credential.clone()));
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let out = p.run_env(args, &vars);
    out.assert_no_values(&[&double.credential]);
    out
}

#[test]
fn push_seals_each_value_so_github_stores_the_files_bytes() {
    let double = Double::start();
    let p = Project::with_spec(PUSH_SPEC);
    // Quotes, `$`, a backslash, a multi-byte character: the bytes must arrive as the files give them.
    let deploy = "dpl-$HOME \\ \"quoted\" é-7731";
    let release = pat("RELEASE");
    p.tokens(
        ".tokens.dev",
        &[("DEPLOY_TOKEN", deploy), ("RELEASE_PAT", &release)],
    );
    p.tokens(".env.dev", &[("APP_SECRET", "app-Secret-Value-42")]);
    double.put_secret("repository", "DEPLOY_TOKEN", "old", days(-10));

    let out = push(
        &p,
        &double,
        &["--env", "dev", "push", "--to", "github", "--dry-run"],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stdout,
        "NAME          CLASS    TARGET      RESULT\n\
         DEPLOY_TOKEN  cicd     repository  would update\n\
         RELEASE_PAT   cicd     repository  would create\n\
         APP_SECRET    runtime  repository  would create\n"
    );
    assert_eq!(out.stderr, "note: dry run: nothing was sent to GitHub\n");
    assert!(
        double
            .requests()
            .iter()
            .all(|r| r.method == "GET" && !r.path.ends_with("/public-key")),
        "{:?}",
        double.requests()
    );
    assert_eq!(double.secrets("repository")["DEPLOY_TOKEN"].value, b"old");
    out.assert_no_values(&[deploy, &release]);

    let out = push(&p, &double, &["--env", "dev", "push", "--to", "github"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("DEPLOY_TOKEN  cicd     repository  updated\n"),
        "{out:?}"
    );
    assert!(
        out.stdout
            .contains("RELEASE_PAT   cicd     repository  created\n"),
        "{out:?}"
    );
    out.assert_no_values(&[deploy, &release, "app-Secret-Value-42"]);
    let stored = double.secrets("repository");
    assert_eq!(stored["DEPLOY_TOKEN"].value, deploy.as_bytes());
    assert_eq!(stored["RELEASE_PAT"].value, release.as_bytes());
    assert_eq!(stored["APP_SECRET"].value, b"app-Secret-Value-42");
    for r in double.requests().iter().filter(|r| r.method == "PUT") {
        assert!(
            !r.body.contains("dpl-") && !r.body.contains(&release),
            "a value in clear: {}",
            r.body
        );
    }

    // prod maps to the `production` deployment environment.
    p.tokens(".tokens.prod", &[("DEPLOY_TOKEN", "dpl-Prod-1")]);
    let out = push(
        &p,
        &double,
        &["--env", "prod", "push", "--to", "github", "--type=cicd"],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "NAME          CLASS  TARGET                  RESULT\nDEPLOY_TOKEN  cicd   environment production  created\n");
    assert_eq!(
        double.secrets("production")["DEPLOY_TOKEN"].value,
        b"dpl-Prod-1"
    );
}

#[test]
fn push_refuses_placeholders_and_bad_formats_before_sending_anything() {
    let double = Double::start();
    let p = Project::with_spec(PUSH_SPEC);
    p.tokens(
        ".tokens.dev",
        &[
            ("DEPLOY_TOKEN", "CHANGE_ME_deploy"),
            ("RELEASE_PAT", "not-a-pat"),
        ],
    );
    let out = push(
        &p,
        &double,
        &["--env", "dev", "push", "--to", "github", "--type=cicd"],
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("RELEASE_PAT"), "{out:?}");
    assert!(out.stderr.contains("DEPLOY_TOKEN"), "{out:?}");
    assert!(!out.stderr.contains("not-a-pat"), "{out:?}");
    assert_eq!(double.requests().len(), 0, "{:?}", double.requests());

    // No credential: nothing is sent either.
    p.tokens(".tokens.dev", &[("DEPLOY_TOKEN", "dpl-1")]);
    let vars = double.vars();
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let out = p.run_env(
        &["--env", "dev", "push", "--to", "github", "--type=cicd"],
        &vars,
    );
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.starts_with(
            "error: no GitHub credential: GH_TOKEN and GITHUB_TOKEN are unset\nhelp: "
        ),
        "{out:?}"
    );
    assert_eq!(double.requests().len(), 0);
}

#[test]
fn a_part_way_failure_names_what_was_written_and_what_was_not() {
    let double = Double::start();
    let p = Project::with_spec(PUSH_SPEC);
    p.tokens(
        ".tokens.dev",
        &[("DEPLOY_TOKEN", "dpl-1"), ("RELEASE_PAT", &pat("REL"))],
    );
    p.tokens(".env.dev", &[("APP_SECRET", "app-2")]);
    double.fail_puts_after(1);
    let out = push(&p, &double, &["--env", "dev", "push", "--to", "github"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(
        out.stdout,
        "NAME          CLASS    TARGET      RESULT\n\
         DEPLOY_TOKEN  cicd     repository  created\n\
         RELEASE_PAT   cicd     repository  failed\n\
         APP_SECRET    runtime  repository  not written\n"
    );
    assert_eq!(
        out.stderr,
        "error: cannot write RELEASE_PAT to the GitHub secrets of repository octo-org/deploy: unexpected status 500: Server Error\n\
         error: written: DEPLOY_TOKEN; not written: RELEASE_PAT, APP_SECRET\n\
         help: run the same push again: it writes every secret again, the written ones included\n"
    );
    let stored = double.secrets("repository");
    assert_eq!(stored.keys().collect::<Vec<_>>(), ["DEPLOY_TOKEN"]);
}

#[test]
fn verify_holds_github_secrets_against_the_spec_and_their_age() {
    let double = Double::start();
    let p = Project::with_spec(PUSH_SPEC);
    double.put_secret("repository", "DEPLOY_TOKEN", "x", days(-45));
    double.put_secret("repository", "LEFTOVER_KEY", "x", days(-1));
    double.put_secret("production", "RELEASE_PAT", "x", days(-2));
    p.write(
        ".github/workflows/deploy.yml",
        "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./deploy.sh\n        env:\n          DEPLOY_TOKEN: ${{ secrets.DEPLOY_TOKEN }}\n          RELEASE_PAT: ${{ secrets.RELEASE_PAT }}\n          APP_SECRET: ${{ secrets.APP_SECRET }}\n",
    );
    let mut vars = double.vars();
    vars.push(("GITHUB_TOKEN".to_owned(), double.credential.clone()));
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let out = p.run_env(&["--env", "dev", "verify", "--format=json"], &vars);
    out.assert_no_values(&[&double.credential]);
    // The release would fail: APP_SECRET is no secret on GitHub.
    assert_eq!(out.code, 1, "{out:?}");
    let doc = out.json();
    let missing: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "github-missing-secret")
        .collect();
    assert_eq!(missing.len(), 1, "{doc:#}");
    assert_eq!(missing[0]["severity"], "error");
    assert_eq!(missing[0]["file"], ".github/workflows/deploy.yml");
    assert_eq!(missing[0]["line"], 10);
    assert_eq!(
        missing[0]["message"],
        "APP_SECRET is used here but is not a GitHub secret (GitHub repository octo-org/deploy, GitHub environment production of octo-org/deploy): the workflow will fail"
    );
    let findings: Vec<(&str, &str, &str)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["severity"].as_str().unwrap(),
                f["rule"].as_str().unwrap(),
                f["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        findings.contains(&(
            "warning",
            "github-unknown-secret",
            "LEFTOVER_KEY in GitHub repository octo-org/deploy is not in the spec"
        )),
        "{findings:?}"
    );
    let rotation: Vec<_> = findings.iter().filter(|f| f.1 == "rotation").collect();
    assert_eq!(rotation.len(), 1, "{findings:?}");
    assert!(
        rotation[0].2.starts_with(
            "DEPLOY_TOKEN in GitHub repository octo-org/deploy (dev) last changed on "
        ),
        "{rotation:?}"
    );
    assert!(
        rotation[0]
            .2
            .ends_with("(45 days ago), more than its rotation_days (30)"),
        "{rotation:?}"
    );
    let help = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "rotation")
        .unwrap()["help"]
        .as_str()
        .unwrap();
    assert_eq!(help, "DEPLOY_TOKEN (owner: Platform team) should rotate it, then `tokenspec --env dev push --to github --type=cicd`");
    let paths: Vec<String> = double.requests().iter().map(|r| r.path.clone()).collect();
    assert!(
        paths.contains(&"/repos/octo-org/deploy/actions/secrets".to_owned()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"/repos/octo-org/deploy/environments/production/secrets".to_owned()),
        "{paths:?}"
    );
}

#[test]
fn push_refuses_a_clear_text_github_address_before_connecting() {
    let double = Double::start();
    let p = Project::with_spec(PUSH_SPEC);
    p.tokens(".tokens.dev", &[("DEPLOY_TOKEN", "dpl-1")]);
    let proxy = double.url();
    let vars = [
        ("GH_TOKEN", double.credential.as_str()),
        ("GITHUB_API_URL", "http://github.example.com/api/v3"),
        ("http_proxy", proxy.as_str()),
        ("HTTP_PROXY", proxy.as_str()),
    ];
    let out = p.run_env(
        &["--env", "dev", "push", "--to", "github", "--type=cicd"],
        &vars,
    );
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "error: refusing to send a token to GITHUB_API_URL: http://github.example.com/api/v3 is clear-text http to a host that is not loopback; nothing was sent\n\
         help: use https://, or http:// only to a loopback host (127.0.0.1, [::1] or localhost): a credential is never sent in clear text\n"
    );
    assert_eq!(double.requests().len(), 0);
    out.assert_no_values(&[&double.credential, "dpl-1"]);
}

#[test]
fn every_page_of_secrets_is_read_and_the_audit_report_is_markdown() {
    let double = Double::start();
    let p = Project::with_spec(PUSH_SPEC);
    for i in 0..130 {
        double.put_secret("repository", &format!("EXTRA_{i:03}"), "x", days(-1));
    }
    double.put_secret("repository", "DEPLOY_TOKEN", "x", days(-1));
    let mut vars = double.vars();
    vars.push(("GH_TOKEN".to_owned(), double.credential.clone()));
    vars.push(("DEPLOY_TOKEN".to_owned(), "dpl-Markdown-9".to_owned()));
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let out = p.run_env(&["--env", "dev", "verify", "--format=markdown"], &vars);
    assert_eq!(out.code, 0, "{out:?}");
    out.assert_no_values(&[&double.credential, "dpl-Markdown-9"]);
    assert!(out.stdout.starts_with("# Token audit 20"), "{out:?}");
    assert!(out.stdout.contains("\n| Token | Issuer | Status | Identity | Missing scopes | Extra scopes | Expires | Owner | Note |\n"), "{out:?}");
    assert!(out.stdout.contains("\n| `DEPLOY_TOKEN` | - | not-verifiable | - | - | - | - | Platform team | tokenspec cannot verify this format with its issuer |\n"), "{out:?}");
    let unknown = out.stdout.matches("`github-unknown-secret`").count();
    assert_eq!(unknown, 130, "{out:?}");
    assert!(out.stdout.contains("- **warning** `github-unknown-secret`: EXTRA_129 in GitHub repository octo-org/deploy is not in the spec\n"), "{out:?}");
    assert!(
        out.stdout.ends_with("\n0 errors, 130 warnings.\n"),
        "{out:?}"
    );
    let pages: Vec<String> = double
        .requests()
        .iter()
        .filter(|r| r.path == "/repos/octo-org/deploy/actions/secrets")
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(pages.len(), 2, "{:?}", double.requests());
}

#[test]
fn push_without_an_environment_sends_the_base_files_to_repository_secrets() {
    let double = Double::start();
    let p = Project::with_spec(PUSH_SPEC);
    p.tokens(".tokens", &[("DEPLOY_TOKEN", "dpl-Base-5")]);
    let out = push(&p, &double, &["push", "--to", "github", "--type=cicd"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stdout,
        "NAME          CLASS  TARGET      RESULT\nDEPLOY_TOKEN  cicd   repository  created\n"
    );
    assert_eq!(
        double.secrets("repository")["DEPLOY_TOKEN"].value,
        b"dpl-Base-5"
    );
}
