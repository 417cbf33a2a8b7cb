//! `tokenspec migrate`: the real binary on throwaway projects, plus a property
//! test of the planning logic in-process, checked against dotenvy itself.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use tokenspec_core::Class;
use tokenspec_repo::migrate::{self, Catalog, FileInput, MoveKind, PairInput};

use crate::support::{mode, set_mode, Project, SECRET};

const SPEC: &str = r#"
environments = ["dev", "prod", "ci"]

[[token]]
name = "DEPLOY_TOKEN"
class = "cicd"
description = "Deploys"

[[token]]
name = "GH_TOKEN"
class = "cicd"
description = "GitHub"
format = "github_pat"

[[token]]
name = "SSH_DEPLOY_KEY"
class = "cicd"
description = "Deploy key"

[[token]]
name = "CI_BOT_TOKEN"
class = "cicd"
description = "CI bot"

[[token]]
name = "APP_SECRET"
class = "runtime"
description = "Signs sessions"

[[token]]
name = "DB_PASSWORD"
class = "runtime"
description = "Database"
"#;

/// A `github_pat` value that, like [`SECRET`], must never appear in any output.
const GH: &str = "ghp_0123456789abcdefghijABCDEFGHIJ012345";

/// Path → (bytes, mode) of everything under the root.
type Snapshot = BTreeMap<PathBuf, (Vec<u8>, u32)>;

/// A project holding this file's spec, readable by all as a committed file is.
fn project() -> Project {
    let p = Project::with_spec(SPEC);
    set_mode(&p.path("token-spec.toml"), 0o644);
    p
}

fn snapshot(p: &Project) -> Snapshot {
    fn walk(root: &Path, dir: &Path, out: &mut Snapshot) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_path_buf();
                out.insert(rel, (std::fs::read(&p).unwrap(), mode(&p)));
            }
        }
    }
    let mut s = Snapshot::new();
    walk(p.root(), p.root(), &mut s);
    s
}

/// The one backup folder, relative to the root.
fn backup_dir(p: &Project) -> String {
    let dirs: Vec<String> = std::fs::read_dir(p.path(".tokenspec-backup"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != ".gitignore")
        .collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    format!(".tokenspec-backup/{}", dirs[0])
}

/// The (key, value) pairs of a dotenv text as dotenvy reads them, sorted.
fn dotenvy_pairs(text: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = dotenvy::from_read_iter(text.as_bytes())
        .map(|r| r.expect("dotenvy reads the file"))
        .collect();
    v.sort();
    v
}

fn set(pairs: &[(String, String)]) -> Vec<(String, String)> {
    let mut v = pairs.to_vec();
    v.dedup();
    v
}

/// dotenvy's pairs of several files together, sorted.
fn union(texts: &[&str]) -> Vec<(String, String)> {
    let mut v: Vec<_> = texts.iter().flat_map(|t| dotenvy_pairs(t)).collect();
    v.sort();
    v
}

// ---------------------------------------------------------------------------
// A realistic legacy mixed `.env`, end to end.

fn legacy_env() -> String {
    format!(
        "# Legacy settings for the bot\r\n\
         export DEPLOY_TOKEN={SECRET} # deploy key\r\n\
         APP_SECRET='v4l-single Q'\r\n\
         GH_TOKEN=\"{GH}\"\n\
         LOG_LEVEL=lvl-verbose-9\n\
         DB_PASSWORD=\"v4l-multi\nline two\"\n\
         SSH_DEPLOY_KEY=\"-----BEGIN KEY-----\nk3y-b0dy\n-----END KEY-----\"\n\
         CI_BOT_TOKEN='l4st-line-no-newline'"
    )
}

const LEGACY_VALUES: &[&str] = &[
    SECRET,
    "ghp_0123",
    "v4l-",
    "lvl-verbose",
    "line two",
    "k3y-b0dy",
    "BEGIN KEY",
    "l4st-line",
];

#[test]
fn legacy_mixed_env_end_to_end() {
    let p = project();
    p.write_mode(".env", &legacy_env(), 0o640);
    let before = snapshot(&p);
    let pairs_before = union(&[&legacy_env()]);

    // Dry run: the masked diff on stdout, nothing written, not even a backup.
    let out = p.run(&["migrate", "--dry-run"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stdout,
        "--- a/.env\n+++ b/.env\n@@ -1,11 +1,5 @@\n \
         # Legacy settings for the bot\n\
         -export DEPLOY_TOKEN=********\n \
         APP_SECRET='********'\n\
         -GH_TOKEN=\"********\"\n \
         LOG_LEVEL=********\n \
         DB_PASSWORD=\"********\"\n \
         ******** (DB_PASSWORD, continued)\n\
         -SSH_DEPLOY_KEY=\"********\"\n\
         -******** (SSH_DEPLOY_KEY, continued)\n\
         -******** (SSH_DEPLOY_KEY, continued)\n\
         -CI_BOT_TOKEN='********'\n\
         --- /dev/null\n+++ b/.tokens\n@@ -0,0 +1,6 @@\n\
         +export DEPLOY_TOKEN=********\n\
         +GH_TOKEN=\"********\"\n\
         +SSH_DEPLOY_KEY=\"********\"\n\
         +******** (SSH_DEPLOY_KEY, continued)\n\
         +******** (SSH_DEPLOY_KEY, continued)\n\
         +CI_BOT_TOKEN='********'\n"
    );
    assert_eq!(
        out.stderr,
        "note: left in .env, not in the spec: LOG_LEVEL\n\
         would move DEPLOY_TOKEN: .env:2 → .tokens\n\
         would move GH_TOKEN: .env:4 → .tokens\n\
         would move SSH_DEPLOY_KEY: .env:8 → .tokens\n\
         would move CI_BOT_TOKEN: .env:11 → .tokens\n\
         dry run: nothing was written; run `tokenspec migrate` to apply\n"
    );
    out.assert_no_values(LEGACY_VALUES);
    assert_eq!(snapshot(&p), before, "dry run wrote something");

    // Migrate.
    let out = p.run(&["migrate"]);
    assert_eq!(out.code, 0, "{out:?}");
    out.assert_no_values(LEGACY_VALUES);
    assert_eq!(out.stdout, "");
    let backup = backup_dir(&p);
    assert_eq!(
        out.stderr,
        format!(
            "note: left in .env, not in the spec: LOG_LEVEL\n\
             moved DEPLOY_TOKEN: .env:2 → .tokens\n\
             moved GH_TOKEN: .env:4 → .tokens\n\
             moved SSH_DEPLOY_KEY: .env:8 → .tokens\n\
             moved CI_BOT_TOKEN: .env:11 → .tokens\n\
             note: created .tokens with mode 0600\n\
             help: make sure git ignores .tokens: `tokenspec check` audits it\n\
             note: originals of .env backed up in {backup}/\n"
        )
    );
    // Every line that stays is byte for byte what it was; moved entries keep
    // their text, and the last one gets the file's line end.
    assert_eq!(
        p.read(".env"),
        "# Legacy settings for the bot\r\n\
         APP_SECRET='v4l-single Q'\r\n\
         LOG_LEVEL=lvl-verbose-9\n\
         DB_PASSWORD=\"v4l-multi\nline two\"\n"
    );
    assert_eq!(
        p.read(".tokens"),
        format!(
            "export DEPLOY_TOKEN={SECRET} # deploy key\r\n\
             GH_TOKEN=\"{GH}\"\n\
             SSH_DEPLOY_KEY=\"-----BEGIN KEY-----\nk3y-b0dy\n-----END KEY-----\"\n\
             CI_BOT_TOKEN='l4st-line-no-newline'\r\n"
        )
    );
    assert_eq!(union(&[&p.read(".env"), &p.read(".tokens")]), pairs_before);
    assert_eq!(
        mode(&p.path(".env")),
        0o640,
        "an existing file keeps its mode"
    );
    assert_eq!(mode(&p.path(".tokens")), 0o600, "a new file is private");
    // The backup: the original, byte for byte, private and git-ignored.
    assert_eq!(p.read(&format!("{backup}/.env")), legacy_env());
    assert_eq!(mode(&p.path(&format!("{backup}/.env"))), 0o600);
    assert_eq!(mode(&p.path(&backup)), 0o700);
    assert_eq!(mode(&p.path(".tokenspec-backup")), 0o700);
    assert!(p
        .read(".tokenspec-backup/.gitignore")
        .lines()
        .any(|l| l == "*"));

    // A second run changes no byte (and makes no second backup).
    let migrated = snapshot(&p);
    let out = p.run(&["migrate"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stderr,
        "note: left in .env, not in the spec: LOG_LEVEL\nnothing to migrate\n"
    );
    assert_eq!(snapshot(&p), migrated);
    let out = p.run(&["migrate", "--dry-run"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));

    // A planted conflict: nothing changes, both places named, no value shown.
    let planted = format!("{}DEPLOY_TOKEN=other-v4l-x\n", p.read(".env"));
    p.write_mode(".env", &planted, 0o640);
    let conflicted = snapshot(&p);
    let out = p.run(&["migrate"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(
        out.stderr,
        "note: left in .env, not in the spec: LOG_LEVEL\n\
         error: DEPLOY_TOKEN has different values in .env:6 and .tokens:1\n\
         help: keep the right value on one line and delete the other, then run migrate again; .env and .tokens were not changed\n"
    );
    out.assert_no_values(&["other-v4l"]);
    out.assert_no_values(LEGACY_VALUES);
    assert_eq!(snapshot(&p), conflicted);
    assert_eq!(p.run(&["migrate", "--dry-run"]).code, 1);
    assert_eq!(snapshot(&p), conflicted);
}

// ---------------------------------------------------------------------------
// One behaviour each.

#[test]
fn crlf_and_missing_final_newlines() {
    let p = project();
    // The destination is CRLF without a final newline; the moved entry is the
    // source's last line, also without one.
    p.write(".tokens", "# ops\r\nPORT=1")
        .write(".env", "A=1\nDEPLOY_TOKEN=x-v4l");
    assert_eq!(p.run(&["migrate"]).code, 0);
    assert_eq!(
        p.read(".tokens"),
        "# ops\r\nPORT=1\r\nDEPLOY_TOKEN=x-v4l\r\n"
    );
    assert_eq!(p.read(".env"), "A=1\n");
}

#[test]
fn runtime_tokens_move_back_and_both_directions_at_once() {
    let p = project();
    p.write(".env", "DEPLOY_TOKEN=d\n")
        .write(".tokens", "APP_SECRET='a b'\nDB_PASSWORD=\"p\nq\"\n");
    let before = union(&[&p.read(".env"), &p.read(".tokens")]);
    let out = p.run(&["migrate"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(p.read(".env"), "APP_SECRET='a b'\nDB_PASSWORD=\"p\nq\"\n");
    assert_eq!(p.read(".tokens"), "DEPLOY_TOKEN=d\n");
    assert_eq!(union(&[&p.read(".env"), &p.read(".tokens")]), before);
    let backup = backup_dir(&p);
    assert_eq!(
        p.read(&format!("{backup}/.tokens")),
        "APP_SECRET='a b'\nDB_PASSWORD=\"p\nq\"\n"
    );
    assert_eq!(p.read(&format!("{backup}/.env")), "DEPLOY_TOKEN=d\n");
}

#[test]
fn every_environment_without_env_and_only_one_with_it() {
    let p = project();
    for f in [".env", ".env.dev", ".env.prod"] {
        p.write(f, "DEPLOY_TOKEN=v\n");
    }
    p.write(".env.local", "DEPLOY_TOKEN=v\n");
    // --env prod: that pair only.
    let out = p.run(&["--env", "prod", "migrate"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stderr.lines().next(),
        Some("moved DEPLOY_TOKEN: .env.prod:1 → .tokens.prod")
    );
    assert!(
        p.path(".tokens.prod").exists()
            && !p.path(".tokens").exists()
            && !p.path(".tokens.dev").exists()
    );
    // APP_ENV and CI do not narrow a run without --env.
    let out = p.run_env(&["migrate"], &[("APP_ENV", "prod"), ("CI", "true")]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stderr.lines().take(3).collect::<Vec<_>>(),
        [
            "note: not migrated, no environment of that name in the spec: .env.local",
            "moved DEPLOY_TOKEN: .env:1 → .tokens",
            "moved DEPLOY_TOKEN: .env.dev:1 → .tokens.dev",
        ]
    );
    assert_eq!(p.read(".env.local"), "DEPLOY_TOKEN=v\n");
}

#[test]
fn duplicate_key_in_one_file_changes_nothing() {
    let p = project();
    p.write(
        ".env",
        &format!("DEPLOY_TOKEN={SECRET}\nA=1\nDEPLOY_TOKEN={SECRET}\n"),
    );
    let before = snapshot(&p);
    let out = p.run(&["migrate"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr
            .contains("error: DEPLOY_TOKEN is set twice in .env: .env:1 and .env:3\n"),
        "{}",
        out.stderr
    );
    out.assert_no_values(&[SECRET]);
    assert_eq!(snapshot(&p), before);
}

#[test]
fn identical_duplicate_is_removed_from_the_source() {
    let p = project();
    p.write(".env", "A=1\nDEPLOY_TOKEN='same v'\n")
        .write(".tokens", "DEPLOY_TOKEN=\"same v\"\n");
    let out = p.run(&["migrate"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out
        .stderr
        .contains("removed DEPLOY_TOKEN: .env:2 (same value already at .tokens:1)\n"));
    assert_eq!(p.read(".env"), "A=1\n");
    assert_eq!(p.read(".tokens"), "DEPLOY_TOKEN=\"same v\"\n");
}

#[test]
fn existing_destination_keeps_its_mode() {
    let p = project();
    p.write(".env", "DEPLOY_TOKEN=v\n")
        .write_mode(".tokens", "X=1\n", 0o640);
    assert_eq!(p.run(&["migrate"]).code, 0);
    assert_eq!(mode(&p.path(".tokens")), 0o640);
    assert_eq!(mode(&p.path(".env")), 0o600);
}

#[test]
fn committed_ci_file_never_receives_a_real_value() {
    let p = project();
    p.write_mode(
        ".env.ci",
        &format!("CI_BOT_TOKEN=ci_test_ci_bot_token\nGH_TOKEN={GH}\n"),
        0o644,
    );
    let before = snapshot(&p);
    let out = p.run(&["migrate"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains(
        "error: GH_TOKEN at .env.ci:2 would move into the committed .tokens.ci, but its value is not a placeholder\n"
    ), "{}", out.stderr);
    out.assert_no_values(&["ghp_"]);
    assert_eq!(snapshot(&p), before);
    // Placeholders move.
    p.write_mode(
        ".env.ci",
        "CI_BOT_TOKEN=ci_test_ci_bot_token\nGH_TOKEN=CHANGE_ME_GH\n",
        0o644,
    );
    assert_eq!(p.run(&["migrate"]).code, 0);
    assert_eq!(
        p.read(".tokens.ci"),
        "CI_BOT_TOKEN=ci_test_ci_bot_token\nGH_TOKEN=CHANGE_ME_GH\n"
    );
    assert_eq!(p.read(".env.ci"), "");
}

#[test]
fn parse_error_is_exit_2_and_changes_nothing() {
    let p = project();
    p.write(
        ".env",
        &format!("DEPLOY_TOKEN=ok\nAPP_SECRET={SECRET} trailing\n"),
    );
    let before = snapshot(&p);
    let out = p.run(&["migrate"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.starts_with(
            "error: .env:2: unquoted value continues after whitespace (quote the value) at column"
        ),
        "{}",
        out.stderr
    );
    out.assert_no_values(&[SECRET, "trailing"]);
    assert_eq!(snapshot(&p), before);
}

#[test]
fn dollar_hazards_are_reported_and_moved_verbatim() {
    let p = project();
    p.write(".env", "DEPLOY_TOKEN=pa$word\n");
    let out = p.run(&["migrate"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.starts_with(
        "warning: .env:1: DEPLOY_TOKEN: dotenvy would substitute `$` in its value\n\
         help: the loader refuses such values: put the value in single quotes, which keep `$` literal\n"
    ), "{}", out.stderr);
    assert_eq!(p.read(".tokens"), "DEPLOY_TOKEN=pa$word\n");
}

#[test]
fn dry_run_of_a_dev_pair_masks_a_planted_secret() {
    let p = project();
    p.write(
        ".env.dev",
        &format!("# dev\nDEPLOY_TOKEN=\"{SECRET}\"\n#OLD={SECRET}\n"),
    );
    let before = snapshot(&p);
    let out = p.run(&["migrate", "--dry-run"]);
    assert_eq!(out.code, 0, "{out:?}");
    out.assert_no_values(&[SECRET, "s3cr3t"]);
    assert_eq!(
        out.stdout,
        "--- a/.env.dev\n+++ b/.env.dev\n@@ -1,3 +1,2 @@\n # dev\n-DEPLOY_TOKEN=\"********\"\n #OLD=********\n\
         --- /dev/null\n+++ b/.tokens.dev\n@@ -0,0 +1 @@\n+DEPLOY_TOKEN=\"********\"\n"
    );
    assert_eq!(snapshot(&p), before);
    assert!(!p.path(".tokenspec-backup").exists());
}

// ---------------------------------------------------------------------------
// Property: over random files, no (key, value) pair is ever lost or changed.

const CICD: &[&str] = &["DEPLOY_TOKEN", "GH_TOKEN"];
const RUNTIME: &[&str] = &["APP_SECRET", "DB_PASSWORD"];
const UNKNOWN: &[&str] = &["LOG_LEVEL", "PORT"];

fn catalog() -> Catalog {
    let mut c = Catalog::default();
    for k in CICD {
        c.insert(k, Class::Cicd, "");
    }
    for k in RUNTIME {
        c.insert(k, Class::Runtime, "");
    }
    c
}

#[derive(Clone, Debug)]
enum Style {
    Bare,
    Single,
    Double,
}

/// A value written in a style that can hold it (falling back to double quotes).
fn render(value: &str, style: &Style) -> String {
    let bare_ok = !value.starts_with('#')
        && !value
            .chars()
            .any(|c| c.is_whitespace() || "'\"\\".contains(c));
    let single_ok = !value.contains(['\'', '\\']);
    match style {
        Style::Bare if bare_ok => value.to_owned(),
        Style::Single if single_ok => format!("'{value}'"),
        _ => format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\"")),
    }
}

#[derive(Clone, Debug)]
struct Line {
    key: &'static str,
    value: String,
    style: Style,
    export: bool,
    comment: bool,
    /// A comment or blank line above it.
    above: Option<&'static str>,
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        // A few fixed values, so the same key often holds the same value in both files.
        2 => Just("same".to_owned()),
        1 => Just("multi\nline".to_owned()),
        3 => "[a-z0-9#|&:/ =_'\"\\\\\n-]{0,8}",
    ]
}

fn line() -> impl Strategy<Value = Line> {
    let keys: Vec<&'static str> = [CICD, RUNTIME, UNKNOWN].concat();
    (
        prop::sample::select(keys),
        value(),
        prop_oneof![Just(Style::Bare), Just(Style::Single), Just(Style::Double)],
        any::<bool>(),
        prop::bool::weighted(0.2),
        prop::option::weighted(
            0.3,
            prop::sample::select(vec!["# note", "", "#DEPLOY_TOKEN=old"]),
        ),
    )
        .prop_map(|(key, value, style, export, comment, above)| Line {
            key,
            value,
            style,
            export,
            comment,
            above,
        })
}

/// A file: lines with distinct keys (mostly; a duplicate sometimes), a line
/// ending style and a final newline or not.
fn file() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(line(), 0..7),
        any::<bool>(),
        any::<bool>(),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(lines, crlf, final_newline, allow_dup)| {
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut seen = Vec::new();
            let mut out: Vec<String> = Vec::new();
            for l in lines {
                if seen.contains(&l.key) && !allow_dup {
                    continue;
                }
                seen.push(l.key);
                if let Some(a) = l.above {
                    out.push(a.to_owned());
                }
                let value = render(&l.value.replace('\n', eol), &l.style);
                out.push(format!(
                    "{}{}={value}{}",
                    if l.export { "export " } else { "" },
                    l.key,
                    if l.comment { " # inline" } else { "" },
                ));
            }
            let mut text = out.join(eol);
            if final_newline && !text.is_empty() {
                text.push_str(eol);
            }
            text
        })
}

fn pair(runtime: &str, cicd: &str) -> PairInput {
    let (r, c) = PairInput::file_names(None);
    PairInput {
        env: None,
        runtime: FileInput {
            name: r,
            text: Some(runtime.to_owned()),
        },
        cicd: FileInput {
            name: c,
            text: Some(cicd.to_owned()),
        },
    }
}

/// The texts after the plan (index 0: runtime, 1: cicd), or after its first phase only.
fn texts(plan: &migrate::Plan, input: &PairInput, first_phase_only: bool) -> [String; 2] {
    let pick = |f: &FileInput| {
        let change = plan.changes().find(|c| c.name == f.name);
        match change {
            Some(c) if first_phase_only => c.after_grow().unwrap_or("").to_owned(),
            Some(c) => c.after.clone(),
            None => f.text.clone().unwrap_or_default(),
        }
    };
    [pick(&input.runtime), pick(&input.cicd)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn migration_never_loses_or_changes_a_pair(env in file(), tokens in file()) {
        // The generator writes only files both parsers read, the same way.
        for text in [&env, &tokens] {
            let doc = tokenspec_core::dotenv::parse(text);
            prop_assert!(doc.errors.is_empty(), "{:?}", doc.errors);
            let mut ours: Vec<_> = doc.entries.iter().map(|e| (e.key.clone(), e.value.clone())).collect();
            ours.sort();
            prop_assert_eq!(ours, dotenvy_pairs(text));
        }
        let input = pair(&env, &tokens);
        let plan = migrate::plan(&catalog(), std::slice::from_ref(&input));
        if plan.problems().next().is_some() {
            prop_assert!(plan.changes().next().is_none());
            return Ok(());
        }
        // As a set, the pairs are the same; as a multiset, only the copies
        // dropped as identical duplicates are gone.
        let before = union(&[&env, &tokens]);
        let [env2, tokens2] = texts(&plan, &input, false);
        let after = union(&[&env2, &tokens2]);
        let dropped = plan.moves().filter(|m| matches!(m.kind, MoveKind::Duplicate { .. })).count();
        prop_assert_eq!(after.len() + dropped, before.len());
        prop_assert_eq!(set(&after), set(&before));

        // Each token is now in its class's file; unknown keys stayed put.
        let keys = |t: &str| dotenvy_pairs(t).into_iter().map(|(k, _)| k).collect::<Vec<_>>();
        prop_assert!(keys(&env2).iter().all(|k| !CICD.contains(&k.as_str())));
        prop_assert!(keys(&tokens2).iter().all(|k| !RUNTIME.contains(&k.as_str())));
        for (old, new) in [(&env, &env2), (&tokens, &tokens2)] {
            let unknown = |t: &str| keys(t).into_iter().filter(|k| UNKNOWN.contains(&k.as_str())).collect::<Vec<_>>();
            prop_assert_eq!(unknown(old), unknown(new));
        }

        // Lossless: each file starts with its old text minus the moved entries, byte for byte.
        for (old, new, class) in [(&env, &env2, Class::Runtime), (&tokens, &tokens2, Class::Cicd)] {
            let doc = tokenspec_core::dotenv::parse(old);
            let mut kept = String::new();
            let mut pos = 0;
            for e in doc.entries.iter().filter(|e| {
                let other = if class == Class::Runtime { CICD } else { RUNTIME };
                other.contains(&e.key.as_str())
            }) {
                kept.push_str(&old[pos..e.span.start]);
                pos = e.span.end;
            }
            kept.push_str(&old[pos..]);
            prop_assert!(new.starts_with(&kept), "{:?} does not start with {:?}", new, kept);
        }

        // Crash safety: after the first phase every pair is still there, and a
        // re-run from that state ends where the full run did.
        let [env1, tokens1] = texts(&plan, &input, true);
        let mid = union(&[&env1, &tokens1]);
        prop_assert!(before.iter().all(|p| mid.contains(p)));
        let input1 = pair(&env1, &tokens1);
        let plan1 = migrate::plan(&catalog(), std::slice::from_ref(&input1));
        prop_assert!(plan1.problems().next().is_none(), "{:?}", plan1.pairs);
        prop_assert_eq!(texts(&plan1, &input1, false), [env2.clone(), tokens2.clone()]);

        // Idempotent.
        let again = migrate::plan(&catalog(), &[pair(&env2, &tokens2)]);
        prop_assert!(again.is_noop(), "{:?}", again);
    }
}
