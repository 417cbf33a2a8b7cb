//! `tokenspec check` run as a real process against scratch git repositories:
//! one test per rule with a planted fault and its clean counterpart, every
//! rule at once, the JSON shape, `--fix`, and this project's own repository.

use std::ops::Deref;
use std::path::Path;

use serde_json::Value;

use crate::support::{mode, output, set_mode, tokenspec, Out, Project, SECRET};

const SPEC: &str = r#"
environments = ["dev", "prod", "ci"]

[[token]]
name = "DEPLOY_TOKEN"
class = "cicd"
description = "Deploys"
format = "github_pat"
aliases = ["ORCHESTRATION_KEY"]

[[token]]
name = "OLD_TOKEN"
class = "cicd"
description = "Replaced by DEPLOY_TOKEN"
required = false
deprecated = { replacement = "DEPLOY_TOKEN" }

[[token]]
name = "APP_SECRET"
class = "runtime"
description = "Signs sessions"

[[token]]
name = "PROD_ONLY"
class = "runtime"
description = "Needed in prod only"
required = ["prod"]
"#;

/// Planted secret values beside [`SECRET`]: none may ever appear in the output.
const PAT: &str = "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5";
const LEAKED_PAT: &str = "ghp_Zq8Wm2Xr4Kt6Yp0Lv3Nb5Hc7Jd9Fg1Sa2Qe4";
const DOLLAR: &str = "pa$w0rdS3cr3t";
const PLANTED: &[&str] = &[SECRET, PAT, LEAKED_PAT, DOLLAR, "pa$w0rd"];

/// A `.gitignore` written by hand that git reads as the policy wants.
const GITIGNORE: &str = "/target\n.env\n.env.*\n.tokens\n.tokens.*\n!.env.ci\n!.tokens.ci\n";

/// A scratch git repository at a clean state: every rule passes. It derefs
/// to its [`Project`] for writing, reading and running git.
struct Repo(Project);

impl Deref for Repo {
    type Target = Project;

    fn deref(&self) -> &Project {
        &self.0
    }
}

/// One finding, as the JSON output has it.
#[derive(Debug, Clone, PartialEq)]
struct F {
    severity: String,
    rule: String,
    file: Option<String>,
    line: Option<u64>,
    message: String,
    help: String,
}

fn findings(v: &Value) -> Vec<F> {
    v["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| F {
            severity: f["severity"].as_str().unwrap().to_owned(),
            rule: f["rule"].as_str().unwrap().to_owned(),
            file: f["file"].as_str().map(str::to_owned),
            line: f["line"].as_u64(),
            message: f["message"].as_str().unwrap().to_owned(),
            help: f["help"].as_str().unwrap().to_owned(),
        })
        .collect()
}

impl Repo {
    fn new() -> Repo {
        let repo = Repo::bare();
        repo.git(&["init", "-q"]);
        repo.write("token-spec.toml", SPEC)
            .write(".gitignore", GITIGNORE)
            .write(".tokens.ci", "DEPLOY_TOKEN=ci_test_deploy_token\nOLD_TOKEN=ci_test_old_token\n")
            .write(
                ".env.ci",
                "APP_SECRET=ci_test_app_secret\nPROD_ONLY=ci_test_prod_only\nLOG_LEVEL=info\nGREETING='hello world'\n",
            )
            .write(".tokens", &format!("DEPLOY_TOKEN={PAT}\n"))
            .write(".env", &format!("APP_SECRET={SECRET}\nLOG_LEVEL=debug\n"))
            .write(".env.prod", &format!("PROD_ONLY='{SECRET}'\n"));
        for public in ["token-spec.toml", ".gitignore", ".tokens.ci", ".env.ci"] {
            set_mode(&repo.path(public), 0o644);
        }
        repo.generate();
        repo.git(&[
            "add",
            "token-spec.toml",
            ".gitignore",
            ".tokens.ci",
            ".env.ci",
            "docs/TOKENS.md",
            "token-spec.schema.json",
        ]);
        repo.git(&["commit", "-q", "-m", "init"]);
        repo
    }

    /// What `tokenspec gen` does: the generated files, the CI files' tokens in their blocks.
    fn generate(&self) {
        let spec = tokenspec_spec::Spec::load(&self.path("token-spec.toml"), "token-spec.toml")
            .expect("valid spec");
        tokenspec_repo::generate::run(self.root(), &spec, tokenspec_repo::generate::Mode::Write)
            .expect("gen runs");
    }

    /// A folder with the spec but no git repository.
    fn bare() -> Repo {
        Repo(Project::with_spec(SPEC))
    }

    fn check(&self, args: &[&str]) -> Out {
        run_check(self.root(), args)
    }

    /// `check --format=json` plus `args`, with the exit code.
    fn json(&self, args: &[&str]) -> (i32, Vec<F>, Value) {
        let mut all = vec!["--format=json"];
        all.extend_from_slice(args);
        let out = self.check(&all);
        out.assert_no_values(PLANTED);
        assert!(out.code == 0 || out.code == 1, "{out:?}");
        let v = out.json();
        (out.code, findings(&v), v)
    }

    /// The findings of one rule.
    fn rule(&self, rule: &str) -> Vec<F> {
        self.json(&[])
            .1
            .into_iter()
            .filter(|f| f.rule == rule)
            .collect()
    }
}

/// Runs `tokenspec check ARGS` in `root`.
fn run_check(root: &Path, args: &[&str]) -> Out {
    output(&mut tokenspec(
        root,
        std::iter::once("check").chain(args.iter().copied()),
    ))
}

/// `(severity, file, line)` of each finding.
fn places(fs: &[F]) -> Vec<(&str, Option<&str>, Option<u64>)> {
    fs.iter()
        .map(|f| (f.severity.as_str(), f.file.as_deref(), f.line))
        .collect()
}

// --- the clean state ---------------------------------------------------------

#[test]
fn clean_repository_passes_with_a_summary() {
    let repo = Repo::new();
    let out = repo.check(&[]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "0 errors, 0 warnings in 5 token files\n");
    assert_eq!(out.stderr, "");
}

#[test]
fn text_output_is_one_block_per_finding_then_the_summary() {
    let repo = Repo::new();
    set_mode(&repo.path(".env"), 0o640);
    let out = repo.check(&[]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout,
        "error[permissions]: .env: .env is readable or writable by group or others (mode 0640)\n\
         \x20 help: chmod 600 .env (or `tokenspec check --fix`)\n\
         \n\
         1 error, 0 warnings in 5 token files\n"
    );
    assert_eq!(out.stderr, "");
}

// --- one test per rule ------------------------------------------------------

#[test]
fn separation() {
    let repo = Repo::new();
    assert!(repo.rule("separation").is_empty());
    repo.write(
        ".env",
        &format!("APP_SECRET={SECRET}\nDEPLOY_TOKEN={PAT}\n"),
    )
    .write(".tokens.prod", "DEPLOY_TOKEN=ci_test_x\nAPP_SECRET=x\n");
    let found = repo.rule("separation");
    assert_eq!(
        places(&found),
        [
            ("error", Some(".env"), Some(2)),
            ("error", Some(".tokens.prod"), Some(2))
        ]
    );
    assert!(
        found[0].message.contains("DEPLOY_TOKEN is a cicd token"),
        "{found:?}"
    );
    assert!(
        found[0]
            .help
            .contains("move it to .tokens with `tokenspec migrate`"),
        "{found:?}"
    );
    assert!(found[1].help.contains("move it to .env.prod"), "{found:?}");
}

#[test]
fn ignore_rules_ask_git_not_the_text() {
    let repo = Repo::new();
    assert!(repo.rule("ignore-rules").is_empty());

    // A rule in .git/info/exclude counts: git honours it, so does check.
    repo.write(".gitignore", "/target\n!.env.ci\n!.tokens.ci\n");
    std::fs::write(repo.path(".git/info/exclude"), ".env*\n.tokens*\n").unwrap();
    assert!(repo.rule("ignore-rules").is_empty());

    // Nothing ignores the secret files: each one that exists or could exist is named.
    std::fs::write(repo.path(".git/info/exclude"), "").unwrap();
    let found = repo.rule("ignore-rules");
    let named: Vec<_> = found
        .iter()
        .map(|f| f.message.split(' ').next().unwrap())
        .collect();
    assert_eq!(
        named,
        [
            ".env",
            ".env.dev",
            ".env.prod",
            ".tokens",
            ".tokens.dev",
            ".tokens.prod"
        ]
    );
    assert!(found
        .iter()
        .all(|f| f.file.as_deref() == Some(".gitignore") && f.severity == "error"));
    assert!(found[0].message.contains("no rule matches it"), "{found:?}");

    // A later negation wins in git, and is the line named.
    repo.write(
        ".gitignore",
        "/target\n.env*\n.tokens*\n!.env.prod\n!.env.ci\n!.tokens.ci\n",
    );
    let found = repo.rule("ignore-rules");
    assert_eq!(places(&found), [("error", Some(".gitignore"), Some(4))]);
    assert_eq!(
        found[0].message,
        ".env.prod is not ignored by git: `!.env.prod` re-includes it"
    );
}

#[test]
fn ignore_rules_committed_files_must_not_be_ignored() {
    let repo = Repo::new();
    // `sort -u` put the catch-alls after the re-includes.
    let sorted = "!.env.ci\n!.tokens.ci\n*.ci\n.env*\n.tokens*\n/target\n";
    repo.write(".gitignore", sorted);
    let found = repo.rule("ignore-rules");
    assert_eq!(
        places(&found),
        [
            ("error", Some(".gitignore"), Some(4)),
            ("error", Some(".gitignore"), Some(5))
        ]
    );
    assert_eq!(
        found[0].message,
        ".env.ci must be committed but git ignores it: `.env*` matches it"
    );
    assert_eq!(
        found[1].message,
        ".tokens.ci must be committed but git ignores it: `.tokens*` matches it"
    );
    assert!(found[0].help.contains("tokenspec check --fix"), "{found:?}");
}

#[test]
fn ignore_rules_outside_git_is_a_warning() {
    let repo = Repo::bare();
    repo.generate();
    repo.write(".env", &format!("APP_SECRET={SECRET}\n"));
    let (code, found, _) = repo.json(&[]);
    assert_eq!(code, 0);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].severity.as_str(), found[0].rule.as_str()),
        ("warning", "ignore-rules")
    );
    assert!(
        found[0].message.contains("could not be checked"),
        "{found:?}"
    );
    let (code, _, _) = repo.json(&["--strict"]);
    assert_eq!(code, 1);
}

#[test]
fn tracked_secret_even_when_ignored() {
    let repo = Repo::new();
    assert!(repo.rule("tracked-secret").is_empty());
    repo.git(&["add", "-f", ".env.prod"]);
    let found = repo.rule("tracked-secret");
    assert_eq!(places(&found), [("error", Some(".env.prod"), None)]);
    assert!(
        found[0].help.starts_with("git rm --cached .env.prod"),
        "{found:?}"
    );
    assert!(found[0].help.contains("rotate"), "{found:?}");
    // Still ignored, and still reported: the file is in the index regardless.
    assert!(repo.rule("ignore-rules").is_empty());
}

#[test]
fn committed_secret() {
    let repo = Repo::new();
    assert!(repo.rule("committed-secret").is_empty());
    let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    repo.write(
        ".tokens.ci",
        &format!("DEPLOY_TOKEN={LEAKED_PAT}\nOLD_TOKEN=ci_test_old_token\n"),
    )
    .write(
        ".env.ci",
        &format!("APP_SECRET=hello\nPROD_ONLY=ci_test_prod_only\nLOG_LEVEL=info\nSESSION={jwt}\n"),
    );
    let found = repo.rule("committed-secret");
    assert_eq!(
        places(&found),
        [
            ("error", Some(".env.ci"), Some(1)),
            ("error", Some(".env.ci"), Some(4)),
            ("error", Some(".tokens.ci"), Some(1)),
        ]
    );
    assert!(
        found[0].message.contains("APP_SECRET is not a placeholder"),
        "{found:?}"
    );
    assert!(
        found[1].message.contains("SESSION looks like a JWT"),
        "{found:?}"
    );
    assert!(
        found[2]
            .message
            .contains("DEPLOY_TOKEN looks like a GitHub token"),
        "{found:?}"
    );
    let out = repo.check(&[]);
    assert!(!out.stdout.contains(jwt) && !out.stderr.contains(jwt));
}

#[test]
fn permissions_of_secret_files_only() {
    let repo = Repo::new();
    assert!(repo.rule("permissions").is_empty());
    set_mode(&repo.path(".tokens"), 0o604);
    set_mode(&repo.path(".env.prod"), 0o620);
    set_mode(&repo.path(".env.ci"), 0o666); // committed: public anyway
    let found = repo.rule("permissions");
    assert_eq!(
        places(&found),
        [
            ("error", Some(".env.prod"), None),
            ("error", Some(".tokens"), None)
        ]
    );
    assert!(found[0].message.contains("mode 0620"), "{found:?}");
    assert!(found[1].help.starts_with("chmod 600 .tokens"), "{found:?}");
}

#[test]
fn unknown_keys_with_suggestions() {
    let repo = Repo::new();
    assert!(repo.rule("unknown-key").is_empty());
    repo.write(".tokens", &format!("DEPLOY_TOKN={PAT}\nSOMETHING_ELSE=1\n"))
        .write(
            ".env",
            &format!("APP_SECRET={SECRET}\nAPP_SECRT=x\nLOG_LEVEL=debug\napp_secret=y\n"),
        );
    let found = repo.rule("unknown-key");
    assert_eq!(
        places(&found),
        [
            ("warning", Some(".env"), Some(2)),
            ("warning", Some(".env"), Some(4)),
            ("warning", Some(".tokens"), Some(1)),
            ("warning", Some(".tokens"), Some(2)),
        ]
    );
    assert!(
        found[0].message.ends_with("did you mean APP_SECRET?"),
        "{found:?}"
    );
    assert!(found[1].help.contains("case-sensitive"), "{found:?}");
    assert!(
        found[2].message.ends_with("did you mean DEPLOY_TOKEN?"),
        "{found:?}"
    );
    assert_eq!(
        found[3].message,
        "SOMETHING_ELSE is not a token in the spec"
    );
    // Warnings alone pass, unless --strict.
    assert_eq!(repo.json(&[]).0, 0);
    let (code, strict, _) = repo.json(&["--strict"]);
    assert_eq!(code, 1);
    assert!(strict.iter().all(|f| f.severity == "error"));
}

#[test]
fn duplicate_keys_name_both_lines() {
    let repo = Repo::new();
    assert!(repo.rule("duplicate-key").is_empty());
    repo.write(
        ".env",
        &format!("APP_SECRET={SECRET}\nLOG_LEVEL=debug\nAPP_SECRET=other\n"),
    );
    let found = repo.rule("duplicate-key");
    assert_eq!(places(&found), [("error", Some(".env"), Some(3))]);
    assert!(found[0].message.contains("lines 1 and 3"), "{found:?}");
}

#[test]
fn dollar_hazard() {
    let repo = Repo::new();
    repo.write(".env", &format!("APP_SECRET='{DOLLAR}'\nLOG_LEVEL=debug\n"));
    assert!(
        repo.rule("dollar-hazard").is_empty(),
        "single quotes keep `$`"
    );
    repo.write(
        ".env",
        &format!("APP_SECRET={DOLLAR}\nLOG_LEVEL=debug\nHOME_DIR=\"$HOME/x\"\n"),
    );
    let found = repo.rule("dollar-hazard");
    // A token is an error; an ordinary setting may mean the reference, so it warns.
    assert_eq!(
        places(&found),
        [
            ("error", Some(".env"), Some(1)),
            ("warning", Some(".env"), Some(3))
        ]
    );
    assert!(found[0].help.contains("single quotes"), "{found:?}");
}

#[test]
fn format() {
    let repo = Repo::new();
    assert!(repo.rule("format").is_empty());
    repo.write(".tokens", "DEPLOY_TOKEN=not-a-github-token\n");
    let found = repo.rule("format");
    assert_eq!(places(&found), [("error", Some(".tokens"), Some(1))]);
    assert_eq!(
        found[0].message,
        "DEPLOY_TOKEN does not match its format github_pat"
    );
    // A placeholder is not checked against the format.
    repo.write(".tokens", "DEPLOY_TOKEN=CHANGE_ME_DEPLOY\n");
    assert!(repo.rule("format").is_empty());
}

#[test]
fn placeholder_where_required() {
    let repo = Repo::new();
    assert!(repo.rule("placeholder").is_empty());
    repo.write(".env", "APP_SECRET=CHANGE_ME_APP_SECRET\n")
        .write(".env.dev", "PROD_ONLY=your_value_here\n") // not required in dev
        .write(".env.prod", "PROD_ONLY=ci_test_prod_only\n");
    let found = repo.rule("placeholder");
    assert_eq!(
        places(&found),
        [
            ("warning", Some(".env"), Some(1)),
            ("warning", Some(".env.prod"), Some(1))
        ]
    );
    assert!(found[1].message.contains("required in prod"), "{found:?}");
    assert_eq!(repo.json(&[]).0, 0);
    let (code, strict, _) = repo.json(&["--strict"]);
    assert_eq!(code, 1);
    assert!(strict
        .iter()
        .filter(|f| f.rule == "placeholder")
        .all(|f| f.severity == "error"));
}

#[test]
fn deprecated_names_the_replacement() {
    let repo = Repo::new();
    assert!(
        repo.rule("deprecated").is_empty(),
        "the CI file lists it, which is fine"
    );
    repo.write(".tokens", &format!("DEPLOY_TOKEN={PAT}\nOLD_TOKEN={PAT}\n"));
    let found = repo.rule("deprecated");
    assert_eq!(places(&found), [("warning", Some(".tokens"), Some(2))]);
    assert_eq!(
        found[0].message,
        "OLD_TOKEN is deprecated: use DEPLOY_TOKEN"
    );
    // The file sets the replacement already: renaming would make a duplicate.
    assert_eq!(
        found[0].help,
        ".tokens sets DEPLOY_TOKEN already: remove the OLD_TOKEN line (after checking that DEPLOY_TOKEN works)"
    );
    repo.write(".tokens", &format!("OLD_TOKEN={PAT}\n"));
    assert_eq!(
        repo.rule("deprecated")[0].help,
        "rename OLD_TOKEN to DEPLOY_TOKEN in .tokens"
    );
}

#[test]
fn an_alias_is_the_token_for_separation_migrate_and_check() {
    let repo = Repo::new();
    repo.write(
        ".env",
        &format!("APP_SECRET={SECRET}\nLOG_LEVEL=debug\nORCHESTRATION_KEY={PAT}\n"),
    );
    let found = repo.rule("separation");
    assert_eq!(places(&found), [("error", Some(".env"), Some(3))]);
    assert_eq!(
        found[0].message,
        "ORCHESTRATION_KEY (an alias of DEPLOY_TOKEN) is a cicd token, but .env holds runtime tokens"
    );
    let out = repo.run(&["migrate"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!repo.read(".env").contains("ORCHESTRATION_KEY"));
    assert!(repo.read(".tokens").contains("ORCHESTRATION_KEY="));
    // In .tokens, beside DEPLOY_TOKEN, nothing reads it: say to remove it.
    assert!(repo.rule("separation").is_empty());
    let alias: Vec<F> = repo
        .rule("unknown-key")
        .into_iter()
        .filter(|f| f.message.starts_with("ORCHESTRATION_KEY"))
        .collect();
    assert_eq!(places(&alias), [("warning", Some(".tokens"), Some(2))]);
    assert_eq!(
        alias[0].help,
        ".tokens sets DEPLOY_TOKEN too: remove the ORCHESTRATION_KEY line (after checking that DEPLOY_TOKEN works)"
    );
}

#[test]
fn drift_against_the_shared_renderer() {
    let repo = Repo::new();

    let spec = tokenspec_spec::Spec::parse(SPEC, "token-spec.toml").unwrap();
    let outputs =
        tokenspec_repo::render::outputs(&spec, |p| std::fs::read_to_string(repo.path(p)).ok());
    for o in &outputs {
        repo.write(&o.path, &o.content);
    }
    assert!(repo.rule("drift").is_empty());

    let docs = outputs
        .iter()
        .find(|o| o.path.ends_with(".md"))
        .expect("docs are generated")
        .path
        .as_str();
    let edited = repo.read(docs).replacen("Deploys", "Deploys things", 1);
    repo.write(docs, &edited);
    std::fs::remove_file(repo.path(".tokens.ci")).unwrap();
    let found = repo.rule("drift");
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].file.as_deref(), Some(".tokens.ci"));
    assert_eq!(found[0].message, ".tokens.ci is missing");
    assert_eq!(found[1].file.as_deref(), Some(docs));
    assert!(found[1].line.is_some(), "{found:?}");
    assert_eq!(found[1].help, "run `tokenspec gen` and commit the result");
}

#[test]
fn parse_errors_with_their_line() {
    let repo = Repo::new();
    assert!(repo.rule("parse").is_empty());
    repo.write(
        ".env",
        &format!("APP_SECRET={SECRET}\nBROKEN='never closed\n"),
    );
    let found = repo.rule("parse");
    assert_eq!(places(&found), [("error", Some(".env"), Some(2))]);
    assert!(
        found[0].message.contains("unterminated single quote"),
        "{found:?}"
    );
}

#[test]
fn backups_and_folders_are_not_audited_for_content() {
    let repo = Repo::new();
    repo.write(
        ".env.bak",
        "APP_SECRET=CHANGE_ME\nAPP_SECRET=x\nDEPLOY_TOKEN=y\n",
    );
    std::fs::create_dir(repo.path(".env.d")).unwrap();
    let (code, found, _) = repo.json(&[]);
    assert_eq!((code, found), (0, Vec::new()));
    // It still holds secrets: it must stay private.
    set_mode(&repo.path(".env.bak"), 0o644);
    assert_eq!(
        places(&repo.rule("permissions")),
        [("error", Some(".env.bak"), None)]
    );
}

// --- everything at once, and the JSON shape -----------------------------------

/// Plants a fault for every rule.
fn every_fault(repo: &Repo) {
    let spec = tokenspec_spec::Spec::parse(SPEC, "token-spec.toml").unwrap();
    for o in tokenspec_repo::render::outputs(&spec, |p| std::fs::read_to_string(repo.path(p)).ok())
    {
        repo.write(&o.path, &o.content);
    }
    let docs = "docs/TOKENS.md";
    let edited = repo.read(docs).replacen("Deploys", "Deploys things", 1);
    repo.write(docs, &edited); // drift
    repo.write(".gitignore", "!.env.ci\n.env*\n.tokens\n") // ignore-rules: .env.ci ignored, .tokens.* not
        .write(".tokens.ci", &format!("DEPLOY_TOKEN={LEAKED_PAT}\n")) // committed-secret
        .write(
            ".env",
            &format!(
                "APP_SECRET={SECRET}\n\
                 DEPLOY_TOKEN={PAT}\n\
                 APP_SECRT=x\n\
                 APP_SECRET=again\n"
            ), // separation, unknown-key, duplicate-key
        )
        .write(".env.prod", &format!("PROD_ONLY={DOLLAR}\n")) // dollar-hazard
        .write(
            ".tokens",
            "DEPLOY_TOKEN=nope\nOLD_TOKEN=CHANGE_ME\n", // format, deprecated
        )
        .write(
            ".env.dev",
            &format!("APP_SECRET=your_secret_here\nBAD=\"{SECRET}\n"),
        ); // placeholder, parse
    set_mode(&repo.path(".env"), 0o644); // permissions
    repo.git(&["add", "-f", ".env.prod"]); // tracked-secret
}

#[test]
fn every_rule_fires_at_once() {
    let repo = Repo::new();
    every_fault(&repo);

    let text = repo.check(&[]);
    assert_eq!(text.code, 1, "{text:?}");
    text.assert_no_values(PLANTED);

    let json = repo.check(&["--format=json"]);
    assert_eq!(json.code, 1);
    json.assert_no_values(PLANTED);
    let v = json.json();
    let found = findings(&v);
    let mut rules: Vec<&str> = found.iter().map(|f| f.rule.as_str()).collect();
    rules.sort();
    rules.dedup();
    assert_eq!(
        rules,
        [
            "committed-secret",
            "conflict",
            "deprecated",
            "dollar-hazard",
            "drift",
            "duplicate-key",
            "format",
            "ignore-rules",
            "parse",
            "permissions",
            "placeholder",
            "separation",
            "tracked-secret",
            "unknown-key",
        ]
    );
    // Every rule id appears in the text too, as `severity[rule]`.
    for f in &found {
        assert!(
            text.stdout
                .contains(&format!("{}[{}]: ", f.severity, f.rule)),
            "{f:?}"
        );
        assert!(!f.help.is_empty(), "{f:?}");
    }
    let errors = found.iter().filter(|f| f.severity == "error").count();
    let warnings = found.len() - errors;
    assert!(
        text.stdout.ends_with(&format!(
            "{errors} errors, {warnings} warnings in 6 token files\n"
        )),
        "{}",
        text.stdout
    );
    assert_json_shape(&v, repo.root());
}

/// The documented, stable shape: exactly these keys and types.
fn assert_json_shape(v: &Value, root: &Path) {
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().expect("an object").keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(v), ["findings", "fixed", "root", "summary", "version"]);
    assert_eq!(v["version"], 1);
    assert_eq!(v["root"], root.display().to_string());
    assert_eq!(keys(&v["summary"]), ["allowed", "errors", "warnings"]);
    let list = v["findings"].as_array().unwrap();
    for f in list {
        assert_eq!(
            keys(f),
            ["file", "help", "line", "message", "rule", "severity"]
        );
        assert!(
            matches!(f["severity"].as_str(), Some("error" | "warning")),
            "{f}"
        );
        assert!(
            f["rule"].is_string() && f["message"].is_string() && f["help"].is_string(),
            "{f}"
        );
        assert!(f["file"].is_string() || f["file"].is_null(), "{f}");
        assert!(f["line"].is_u64() || f["line"].is_null(), "{f}");
        assert!(
            f["line"].is_null() || f["file"].is_string(),
            "a line needs a file: {f}"
        );
    }
    let count = |s: &str| list.iter().filter(|f| f["severity"] == s).count();
    assert_eq!(v["summary"]["errors"], count("error"));
    assert_eq!(v["summary"]["warnings"], count("warning"));
    for f in v["fixed"].as_array().expect("fixed array") {
        assert_eq!(keys(f), ["change", "file"]);
    }
}

/// The scenario the issue names: seven planted faults, including a sorted
/// `.gitignore` that ignores `.env.ci` and a tracked `.env.prod`.
#[test]
fn seven_planted_faults_are_all_named() {
    let repo = Repo::new();
    let sorted = "!.env.ci\n!.tokens.ci\n*.ci\n.env\n.env.*\n.tokens\n.tokens.*\n/target\n";
    repo.write(".gitignore", sorted) // 1. .env.ci and .tokens.ci ignored
        .write(".env.prod", &format!("PROD_ONLY={SECRET}\n")) // 2. tracked (below)
        .write(
            ".env",
            &format!("APP_SECRET={SECRET}\nDEPLOY_TOKEN={PAT}\n"),
        ) // 3. separation
        .write(".tokens.ci", &format!("DEPLOY_TOKEN={LEAKED_PAT}\n")) // 4. real secret committed
        .write(
            ".tokens",
            &format!("DEPLOY_TOKEN={PAT}\nDEPLOY_TOKEN={PAT}\n"),
        ) // 5. duplicate
        .write(".env.dev", &format!("APP_SECRET={DOLLAR}\n")); // 6. `$` hazard
    set_mode(&repo.path(".env"), 0o644); // 7. permissions
    repo.git(&["add", "-f", ".env.prod"]);

    let out = repo.check(&[]);
    assert_eq!(out.code, 1, "{out:?}");
    out.assert_no_values(PLANTED);
    for expected in [
        "error[ignore-rules]: .gitignore:5: .env.ci must be committed but git ignores it: `.env.*` matches it",
        "error[ignore-rules]: .gitignore:7: .tokens.ci must be committed but git ignores it: `.tokens.*` matches it",
        "error[tracked-secret]: .env.prod: .env.prod is tracked by git",
        "error[separation]: .env:2: DEPLOY_TOKEN is a cicd token",
        "error[committed-secret]: .tokens.ci:1: the value of DEPLOY_TOKEN looks like a GitHub token",
        "error[duplicate-key]: .tokens:2: DEPLOY_TOKEN is set twice, on lines 1 and 2",
        "error[dollar-hazard]: .env.dev:1: ",
        "error[permissions]: .env: .env is readable or writable by group or others (mode 0644)",
    ] {
        assert!(out.stdout.contains(expected), "missing {expected:?} in:\n{}", out.stdout);
    }

    let json = repo.check(&["--format=json"]);
    assert_eq!(json.code, 1);
    json.assert_no_values(PLANTED);
    assert_json_shape(&json.json(), repo.root());
}

// --- --fix ------------------------------------------------------------------------

#[test]
fn fix_makes_secret_files_private_and_leaves_ci_files_alone() {
    let repo = Repo::new();
    set_mode(&repo.path(".env"), 0o644);
    set_mode(&repo.path(".tokens"), 0o660);
    set_mode(&repo.path(".env.ci"), 0o644);
    let before = repo.read(".env");
    let gitignore = repo.read(".gitignore");

    let out = repo.check(&["--fix"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stdout,
        "fixed: .env: mode 0644 -> 0600\nfixed: .tokens: mode 0660 -> 0600\n\n0 errors, 0 warnings in 5 token files\n"
    );
    assert_eq!(mode(&repo.path(".env")), 0o600);
    assert_eq!(mode(&repo.path(".tokens")), 0o600);
    assert_eq!(mode(&repo.path(".env.ci")), 0o644);
    assert_eq!(repo.read(".env"), before, "values are never touched");
    assert_eq!(
        repo.read(".gitignore"),
        gitignore,
        "a correct .gitignore is left as it is"
    );
}

#[test]
fn fix_writes_the_block_last_and_keeps_every_other_line() {
    let repo = Repo::new();
    // Sorted by hand: the catch-alls now come after the re-includes.
    let sorted = "!.env.ci\n!.tokens.ci\n# local stuff\n*.ci\n.env*\n/target\nnode_modules/\n";
    repo.write(".gitignore", sorted);
    set_mode(&repo.path(".gitignore"), 0o644);
    set_mode(&repo.path(".env"), 0o644);
    repo.write(
        ".tokens.ci",
        &format!("DEPLOY_TOKEN={LEAKED_PAT}\nOLD_TOKEN=ci_test_old_token\n"),
    );
    set_mode(&repo.path(".tokens.ci"), 0o644);

    let (code, found, v) = repo.json(&["--fix"]);
    // The leaked token is not a safe fix: it remains, and fails the check
    // (and `gen`, which would refuse, has not written .tokens.ci's block).
    assert_eq!(code, 1);
    assert_eq!(
        found.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(),
        ["committed-secret", "drift"]
    );
    let fixed: Vec<(String, String)> = v["fixed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_owned(),
                f["change"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        fixed[0],
        (".env".to_owned(), "mode 0644 -> 0600".to_owned())
    );
    assert_eq!(fixed[1].0, ".gitignore");
    assert_eq!(fixed.len(), 2);
    assert_json_shape(&v, repo.root());

    let text = repo.read(".gitignore");
    assert!(
        text.starts_with(sorted),
        "lines outside the block are kept in place:\n{text}"
    );
    assert_eq!(text, tokenspec_repo::render::apply_block(sorted));
    assert_eq!(mode(&repo.path(".gitignore")), 0o644);
    assert_eq!(mode(&repo.path(".tokens.ci")), 0o644);
    // git now agrees: the CI files are not ignored, the secret files are.
    let verdict = repo.git(&[
        "check-ignore",
        "--no-index",
        "-v",
        "-n",
        ".env.ci",
        ".tokens.ci",
        ".env",
        ".tokens.dev",
    ]);
    let lines: Vec<&str> = verdict.lines().collect();
    assert!(lines[0].ends_with("!.env.ci\t.env.ci"), "{verdict}");
    assert!(lines[1].ends_with("!.tokens.ci\t.tokens.ci"), "{verdict}");
    assert!(lines[2].ends_with(":.env\t.env"), "{verdict}");
    assert!(lines[3].ends_with(":.tokens.*\t.tokens.dev"), "{verdict}");

    // A second run has nothing left to fix.
    let (_, _, again) = repo.json(&["--fix"]);
    assert_eq!(again["fixed"], serde_json::json!([]));
}

#[test]
fn fix_creates_a_missing_gitignore() {
    let repo = Repo::new();
    repo.git(&["rm", "-q", "--cached", ".gitignore"]);
    std::fs::remove_file(repo.path(".gitignore")).unwrap();
    let out = repo.check(&["--fix"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .starts_with("fixed: .gitignore: created with the managed block\n"),
        "{out:?}"
    );
    assert_eq!(
        repo.read(".gitignore"),
        tokenspec_repo::render::apply_block("")
    );
    assert_eq!(mode(&repo.path(".gitignore")), 0o644);
}

// --- usage and this repository ------------------------------------------------------

#[test]
fn a_bad_format_is_a_usage_error() {
    let repo = Repo::new();
    let out = repo.check(&["--format=xml"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("--format"), "{out:?}");
}

#[test]
fn this_repository_passes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let out = run_check(root, &[]);
    assert_eq!(
        out.code, 0,
        "tokenspec check on the project itself:\n{}{}",
        out.stdout, out.stderr
    );
    assert_eq!(out.stderr, "");
    let json = run_check(root, &["--format=json"]);
    assert_eq!(json.code, 0);
    assert_json_shape(&json.json(), root);
}

#[test]
fn a_cicd_name_in_an_env_template_is_a_separation_finding() {
    let repo = Repo::new();
    repo.write(".env.example", "APP_SECRET=\nDEPLOY_TOKEN=\n");
    let found: Vec<F> = repo
        .rule("separation")
        .into_iter()
        .filter(|f| f.file.as_deref() == Some(".env.example"))
        .collect();
    assert_eq!(places(&found), [("error", Some(".env.example"), Some(2))]);
    assert_eq!(
        found[0].help,
        "run `tokenspec gen`: it moves DEPLOY_TOKEN into the generated block of .tokens.example, the cicd template"
    );
}

#[test]
fn an_allow_names_its_rule_is_counted_and_never_hides_a_token_shape() {
    let repo = Repo::new();
    let ci = repo.read(".env.ci");
    let salt = "q8Zr2Lw0Xk5Vn7Tb3Hs9Pd1Mf4";
    repo.write(
        ".env.ci",
        &format!(
            "{ci}# tokenspec: allow committed-secret\nTEST_SALT={salt}\nOTHER_SALT={salt}x # tokenspec: allow committed-secret\nLEAK={LEAKED_PAT} # tokenspec: allow committed-secret\nBAD=1 # tokenspec: allow no-such-rule\n"
        ),
    );
    let (_, found, v) = repo.json(&[]);
    let secret: Vec<F> = found
        .iter()
        .filter(|f| f.rule == "committed-secret")
        .cloned()
        .collect();
    let n = ci.lines().count() as u64;
    // The two salts are allowed; the GitHub token shape never is.
    assert_eq!(places(&secret), [("error", Some(".env.ci"), Some(n + 4))]);
    assert_eq!(v["summary"]["allowed"], 2);
    assert!(found
        .iter()
        .any(|f| f.rule == "parse"
            && f.message == "`no-such-rule` names no rule of `tokenspec check`"));
    let text = repo.check(&[]);
    assert!(
        text.stdout
            .contains("(2 findings allowed by `# tokenspec: allow`)"),
        "{}",
        text.stdout
    );
}
