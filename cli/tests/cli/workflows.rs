//! The workflows: `tokenspec usage` and `check`'s workflow rules, run as a
//! real process on fixture workflows (`cli/tests/fixtures/workflows/`) in
//! a scratch git repository that passes every other rule, so stdout holds
//! exactly the workflow findings.

use serde_json::Value;

use crate::support::{set_mode, Out, Project};

const SPEC: &str = r#"
environments = ["dev", "prod", "ci"]

[github]
default_token = "forbid"
default_token_workflows = ["release-*.yml"]

[[token]]
name = "DEPLOY_TOKEN"
class = "cicd"
description = "Deploys"
workflows = ["deploy.yml", "release-*.yml"]

[[token]]
name = "OLD_TOKEN"
class = "cicd"
description = "Replaced by DEPLOY_TOKEN"
required = false
deprecated = { replacement = "DEPLOY_TOKEN" }

[[token]]
name = "CI_BOT_TOKEN"
class = "cicd"
description = "The CI bot"
aliases = ["CI_BOT"]

[[token]]
name = "APP_SECRET"
class = "runtime"
description = "Signs sessions"
"#;

/// The same tokens with every workflow allowed and the default token too.
const OPEN_SPEC: &str = r#"
environments = ["dev", "prod", "ci"]

[[token]]
name = "DEPLOY_TOKEN"
class = "cicd"
description = "Deploys"

[[token]]
name = "CI_BOT_TOKEN"
class = "cicd"
description = "The CI bot"
aliases = ["CI_BOT"]
"#;

macro_rules! fixture {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!("../fixtures/workflows/", $name)),
        )
    };
}

const FORMS: (&str, &str) = fixture!("forms.yml");
const BLOCKS: (&str, &str) = fixture!("blocks.yml");
const ANCHORS: (&str, &str) = fixture!("anchors.yml");
const REUSABLE: (&str, &str) = fixture!("reusable.yml");
const MATRIX: (&str, &str) = fixture!("matrix.yml");
const OUTPUTS: (&str, &str) = fixture!("outputs.yml");
const BROKEN: (&str, &str) = fixture!("broken.yml");

/// A git repository with `spec`, its generated files and `workflows`
/// committed: clean for every rule but the workflow ones.
fn repo(spec: &str, workflows: &[(&str, &str)]) -> Project {
    let p = Project::with_spec(spec);
    p.git(&["init", "-q"]);
    p.write(
        ".gitignore",
        ".env\n.env.*\n.tokens\n.tokens.*\n!.env.ci\n!.tokens.ci\n",
    );
    for (name, text) in workflows {
        p.write(&format!(".github/workflows/{name}"), text);
    }
    let spec = tokenspec_spec::Spec::load(&p.path("token-spec.toml"), "token-spec.toml")
        .expect("valid spec");
    tokenspec_repo::generate::run(p.root(), &spec, tokenspec_repo::generate::Mode::Write)
        .expect("gen runs");
    for public in ["token-spec.toml", ".gitignore", ".tokens.ci", ".env.ci"] {
        if p.path(public).exists() {
            set_mode(&p.path(public), 0o644);
        }
    }
    p.git(&["add", "-A"]);
    p.git(&["commit", "-q", "-m", "init"]);
    p
}

/// `(file, line, job, step, name, kind)` of each reference in `usage --format=json`.
fn references(out: &Out) -> Vec<(String, u64, String, String, String, String)> {
    let v: Value = out.json();
    assert_eq!(v["version"], 1);
    v["references"]
        .as_array()
        .expect("references")
        .iter()
        .map(|r| {
            let file = r["file"].as_str().unwrap();
            (
                file.strip_prefix(".github/workflows/").unwrap().to_owned(),
                r["line"].as_u64().unwrap(),
                r["job"].as_str().unwrap_or("-").to_owned(),
                match &r["step"] {
                    Value::Null => "-".to_owned(),
                    Value::Number(n) => format!("#{n}"),
                    s => s.as_str().unwrap().to_owned(),
                },
                r["name"].as_str().unwrap().to_owned(),
                r["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn r(
    file: &str,
    line: u64,
    job: &str,
    step: &str,
    name: &str,
    kind: &str,
) -> (String, u64, String, String, String, String) {
    (
        file.into(),
        line,
        job.into(),
        step.into(),
        name.into(),
        kind.into(),
    )
}

// --- usage -------------------------------------------------------------------

#[test]
fn usage_finds_every_reference_form_at_its_line() {
    let p = repo(SPEC, &[FORMS, REUSABLE, MATRIX]);
    let out = p.run(&["usage", "--format=json"]);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""), "{out:?}");
    assert_eq!(
        references(&out),
        [
            r("forms.yml", 6, "-", "-", "DEPLOY_TOKEN", "token"),
            r("forms.yml", 10, "build", "-", "DEPLOY_TOKEN", "token"),
            r(
                "forms.yml",
                15,
                "build",
                "-",
                "REGISTRY_PASSWORD",
                "unknown"
            ),
            r(
                "forms.yml",
                19,
                "build",
                "#1",
                "GITHUB_TOKEN",
                "default-token"
            ),
            r(
                "forms.yml",
                21,
                "build",
                "Explicit if",
                "DEPLOY_TOKEN",
                "token"
            ),
            r(
                "forms.yml",
                23,
                "build",
                "Explicit if",
                "GITHUB_TOKEN",
                "default-token"
            ),
            r(
                "forms.yml",
                25,
                "build",
                "Explicit if",
                "UNKNOWN_SECRET",
                "unknown"
            ),
            r(
                "forms.yml",
                27,
                "build",
                "Case and spacing",
                "deploy_token",
                "token"
            ),
            r(
                "forms.yml",
                27,
                "build",
                "Case and spacing",
                "GITHUB_TOKEN",
                "default-token"
            ),
            r("forms.yml", 29, "build", "Alias", "CI_BOT", "token"),
            r(
                "matrix.yml",
                11,
                "per-target",
                "#1",
                "DEPLOY_TOKEN",
                "token"
            ),
            r("reusable.yml", 7, "pass-some", "-", "DEPLOY_TOKEN", "token"),
        ]
    );
}

#[test]
fn usage_lines_are_exact_inside_every_scalar_style() {
    let p = repo(SPEC, &[BLOCKS]);
    let out = p.run(&["usage", "--format=json"]);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""), "{out:?}");
    let got: Vec<(u64, String, String)> = references(&out)
        .into_iter()
        .map(|(_, line, _, step, name, _)| (line, step, name))
        .collect();
    let want = [
        (11, "Literal", "DEPLOY_TOKEN"),
        (12, "Literal", "OLD_TOKEN"),
        (16, "Literal keep, indentation indicator", "DEPLOY_TOKEN"),
        (21, "Folded", "DEPLOY_TOKEN"),
        (23, "Folded", "OLD_TOKEN"),
        (25, "Double quoted", "DEPLOY_TOKEN"),
        (27, "Double quoted", "OLD_TOKEN"),
        (29, "Single quoted", "DEPLOY_TOKEN"),
        (30, "Single quoted", "OLD_TOKEN"),
        (32, "Plain", "DEPLOY_TOKEN"),
        (33, "Plain", "OLD_TOKEN"),
    ]
    .map(|(l, s, n)| (l, s.to_owned(), n.to_owned()));
    assert_eq!(got, want);
    // Each line named really holds the reference.
    for (line, _, name) in &got {
        let text = BLOCKS.1.lines().nth(*line as usize - 1).unwrap();
        assert!(text.contains(name.as_str()), "line {line}: {text}");
    }
}

#[test]
fn usage_follows_anchors_into_each_job_that_aliases_them() {
    let p = repo(SPEC, &[ANCHORS]);
    let out = p.run(&["usage", "--format=json"]);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""), "{out:?}");
    assert_eq!(
        references(&out),
        [
            r("anchors.yml", 7, "first", "-", "DEPLOY_TOKEN", "token"),
            r("anchors.yml", 7, "second", "-", "DEPLOY_TOKEN", "token"),
            r("anchors.yml", 13, "first", "Checkout", "OLD_TOKEN", "token"),
            r(
                "anchors.yml",
                13,
                "second",
                "Checkout",
                "OLD_TOKEN",
                "token"
            ),
            r(
                "anchors.yml",
                20,
                "second",
                "Own step",
                "OLD_TOKEN",
                "token"
            ),
        ]
    );
}

#[test]
fn usage_text_is_a_table_and_names_filter_it() {
    let p = repo(SPEC, &[REUSABLE, FORMS]);
    let out = p.run(&["usage", "CI_BOT_TOKEN", "REGISTRY_PASSWORD"]);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""), "{out:?}");
    assert_eq!(
        out.stdout,
        "FILE:LINE                       JOB    STEP   NAME               KIND\n\
         .github/workflows/forms.yml:15  build  -      REGISTRY_PASSWORD  unknown\n\
         .github/workflows/forms.yml:29  build  Alias  CI_BOT             token (alias of CI_BOT_TOKEN)\n"
    );
}

#[test]
fn usage_names_a_workflow_that_does_not_parse_and_lists_the_others() {
    let p = repo(SPEC, &[BROKEN, REUSABLE]);
    let out = p.run(&["usage", "--format=json"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(
        out.stderr,
        "error: .github/workflows/broken.yml:7: the workflow does not parse: while parsing a block mapping, did not find expected key\n\
         help: the list above leaves these files out; fix them and run `tokenspec usage` again\n"
    );
    assert_eq!(
        references(&out),
        [r(
            "reusable.yml",
            7,
            "pass-some",
            "-",
            "DEPLOY_TOKEN",
            "token"
        )]
    );
}

#[test]
fn usage_without_workflows_lists_nothing() {
    let p = repo(SPEC, &[]);
    let out = p.run(&["usage"]);
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
    let out = p.run(&["usage", "--format=json"]);
    assert_eq!(
        out.stdout,
        "{\n  \"version\": 1,\n  \"references\": []\n}\n"
    );
}

// --- check: one test per rule -----------------------------------------------

/// `check` in text: exit code, stdout, stderr.
fn check(p: &Project) -> (i32, String, String) {
    let out = p.run(&["check"]);
    (out.code, out.stdout, out.stderr)
}

#[test]
fn workflows_the_spec_allows_pass() {
    let allowed = ("deploy.yml", "on: push\njobs:\n  go:\n    runs-on: x\n    steps:\n      - run: ./deploy ${{ secrets.DEPLOY_TOKEN }} ${{ secrets.CI_BOT }}\n");
    let release = ("release-2.yml", "on: push\njobs:\n  go:\n    runs-on: x\n    steps:\n      - run: ./release ${{ secrets.DEPLOY_TOKEN }} ${{ github.token }}\n");
    let p = repo(SPEC, &[allowed, release]);
    assert_eq!(
        check(&p),
        (
            0,
            "0 errors, 0 warnings in 2 token files\n".to_owned(),
            String::new()
        )
    );
}

#[test]
fn rule_workflow_not_allowed() {
    let lint = ("lint.yml", "on: push\njobs:\n  lint:\n    runs-on: x\n    env:\n      T: ${{ secrets.DEPLOY_TOKEN }}\n      S: ${{ secrets.APP_SECRET }}\n");
    let p = repo(SPEC, &[lint]);
    assert_eq!(
        check(&p),
        (
            1,
            "error[workflow-not-allowed]: .github/workflows/lint.yml:6: DEPLOY_TOKEN is used in lint.yml, which `workflows` of DEPLOY_TOKEN does not allow\n\
             \x20 help: add `lint.yml` to `workflows` of DEPLOY_TOKEN in token-spec.toml, or remove the reference\n\
             \n\
             error[workflow-not-allowed]: .github/workflows/lint.yml:7: APP_SECRET is a runtime token, used in lint.yml; runtime tokens serve the services, not the pipelines\n\
             \x20 help: add `lint.yml` to `workflows` of APP_SECRET in token-spec.toml, or remove the reference\n\
             \n\
             2 errors, 0 warnings in 2 token files\n"
                .to_owned(),
            String::new()
        )
    );
}

#[test]
fn rule_workflow_unknown_secret() {
    let w = ("deploy.yml", "on: push\njobs:\n  go:\n    runs-on: x\n    steps:\n      - with:\n          key: ${{ secrets['NPM_TOKEN'] }}\n");
    let p = repo(SPEC, &[w]);
    assert_eq!(
        check(&p),
        (
            0,
            "warning[workflow-unknown-secret]: .github/workflows/deploy.yml:7: secret NPM_TOKEN is not a token in token-spec.toml\n\
             \x20 help: add a [[token]] named NPM_TOKEN to token-spec.toml (or add it to `aliases` of the token it stands for), or remove the reference\n\
             \n\
             0 errors, 1 warning in 2 token files\n"
                .to_owned(),
            String::new()
        )
    );
    let strict = p.run(&["check", "--strict"]);
    assert_eq!(strict.code, 1);
}

#[test]
fn rule_workflow_deprecated() {
    let w = (
        "deploy.yml",
        "on: push\njobs:\n  go:\n    runs-on: x\n    if: secrets.OLD_TOKEN != ''\n",
    );
    let p = repo(SPEC, &[w]);
    assert_eq!(
        check(&p),
        (
            0,
            "warning[workflow-deprecated]: .github/workflows/deploy.yml:5: OLD_TOKEN is deprecated; use DEPLOY_TOKEN\n\
             \x20 help: reference `secrets.DEPLOY_TOKEN` instead\n\
             \n\
             0 errors, 1 warning in 2 token files\n"
                .to_owned(),
            String::new()
        )
    );
}

#[test]
fn rule_default_token() {
    let w = ("deploy.yml", "on: push\njobs:\n  go:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          token: ${{ secrets.GITHUB_TOKEN }}\n      - run: gh pr list\n        env:\n          GH_TOKEN: ${{ github.token }}\n");
    let excepted = ("release-1.yml", w.1);
    let p = repo(SPEC, &[w, excepted]);
    let message = "the default token GITHUB_TOKEN is used in deploy.yml, but token-spec.toml forbids it (`[github] default_token = \"forbid\"`)\n\
                   \x20 help: use a spec token with only the permissions this needs, or add `deploy.yml` to `default_token_workflows` in [github] of token-spec.toml\n";
    assert_eq!(
        check(&p),
        (
            1,
            format!(
                "error[default-token]: .github/workflows/deploy.yml:8: {message}\n\
                 error[default-token]: .github/workflows/deploy.yml:11: {message}\n\
                 2 errors, 0 warnings in 2 token files\n"
            ),
            String::new()
        )
    );
    // The default policy allows it.
    let open = repo(OPEN_SPEC, &[w]);
    assert_eq!(check(&open).0, 0);
}

#[test]
fn rule_secrets_inherit() {
    let p = repo(OPEN_SPEC, &[REUSABLE]);
    assert_eq!(
        check(&p),
        (
            0,
            "warning[secrets-inherit]: .github/workflows/reusable.yml:10: job `pass-all` hands every secret to octo-org/shared/.github/workflows/release.yml@v1 (`secrets: inherit`), whatever the spec allows\n\
             \x20 help: pass only the tokens it needs, e.g. `secrets: { NAME: ${{ secrets.NAME }} }`\n\
             \n\
             0 errors, 1 warning in 2 token files\n"
                .to_owned(),
            String::new()
        )
    );
}

#[test]
fn rule_secret_to_output() {
    let p = repo(OPEN_SPEC, &[OUTPUTS]);
    assert_eq!(
        check(&p),
        (
            1,
            "error[secret-to-output]: .github/workflows/outputs.yml:11: step `Set token` of job `token` writes DEPLOY_TOKEN into $GITHUB_OUTPUT, where later jobs read it in clear text\n\
             \x20 help: give each job that needs it `${{ secrets.DEPLOY_TOKEN }}` instead of passing it through an output\n\
             \n\
             warning[secret-to-output]: .github/workflows/outputs.yml:17: step `Set env` of job `token` writes DEPLOY_TOKEN into $GITHUB_ENV, where every later step of the job reads it\n\
             \x20 help: set `${{ secrets.DEPLOY_TOKEN }}` in `env:` of the steps that need it instead\n\
             \n\
             1 error, 1 warning in 2 token files\n"
                .to_owned(),
            String::new()
        )
    );
}

#[test]
fn a_workflow_that_does_not_parse_is_one_finding_and_the_rest_is_audited() {
    let lint = (
        "lint.yml",
        "on: push\njobs:\n  lint:\n    runs-on: x\n    env:\n      T: ${{ secrets.APP_SECRET }}\n",
    );
    let p = repo(SPEC, &[BROKEN, lint]);
    let (code, stdout, stderr) = check(&p);
    assert_eq!((code, stderr.as_str()), (1, ""));
    assert!(
        stdout.starts_with(
            "error[parse]: .github/workflows/broken.yml:7: the workflow does not parse: while parsing a block mapping, did not find expected key\n\
             \x20 help: fix the YAML: GitHub cannot run this workflow either\n\n\
             error[workflow-not-allowed]: .github/workflows/lint.yml:6: APP_SECRET is a runtime token"
        ),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("2 errors, 0 warnings in 2 token files\n"),
        "{stdout}"
    );
}

#[test]
fn check_json_carries_the_workflow_findings() {
    let p = repo(SPEC, &[OUTPUTS]);
    let out = p.run(&["check", "--format=json"]);
    assert_eq!(out.code, 1, "{out:?}");
    let v = out.json();
    let rules: Vec<(&str, &str, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rules,
        [
            ("workflow-not-allowed", "error", 11),
            ("secret-to-output", "error", 11),
            ("workflow-not-allowed", "error", 14),
            ("secret-to-output", "warning", 17),
            ("workflow-not-allowed", "error", 21),
        ]
    );
}

#[test]
fn a_secret_looking_name_is_never_printed() {
    let pat = "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5";
    let w = ("deploy.yml", format!("on: push\njobs:\n  go:\n    runs-on: x\n    steps:\n      - name: Use {pat}\n        run: echo ${{{{ secrets.{pat} }}}} >> $GITHUB_OUTPUT\n"));
    let p = repo(OPEN_SPEC, &[(w.0, &w.1)]);
    for args in [
        &["check"][..],
        &["check", "--format=json"],
        &["usage"],
        &["usage", "--format=json"],
    ] {
        let out = p.run(args);
        out.assert_no_values(&[pat]);
        let placed = out.stdout.contains("deploy.yml:7") || out.stdout.contains("\"line\": 7");
        assert!(placed, "{args:?}: {out:?}");
    }
}

// --- the registry: docs/TOKENS.md ------------------------------------------

#[test]
fn gen_writes_where_each_token_is_used_and_check_sees_a_new_use() {
    let p = repo(SPEC, &[REUSABLE, FORMS]);
    let docs = p.read("docs/TOKENS.md");
    let section = &docs[docs.find("## Workflows").expect("a Workflows section")..];
    assert_eq!(
        section,
        "## Workflows\n\n\
         Where each token may be used (`workflows` in the spec) and which files of `.github/workflows/` use it; \
         `tokenspec usage` lists every reference and `tokenspec check` reports a use the spec does not allow.\n\n\
         | Token | Allowed in | Used in |\n|---|---|---|\n\
         | `DEPLOY_TOKEN` | `deploy.yml`, `release-*.yml` | `forms.yml`, `reusable.yml` |\n\
         | `OLD_TOKEN` | any workflow | — |\n\
         | `CI_BOT_TOKEN` | any workflow | `forms.yml` |\n\
         | `APP_SECRET` | none (a runtime token) | — |\n\
         | `GITHUB_TOKEN` (the default token) | `release-*.yml` | `forms.yml` |\n\n\
         Secrets the workflows use that are not in the spec (add each as a token, or as an alias of one):\n\n\
         | Secret | Used in |\n|---|---|\n\
         | `REGISTRY_PASSWORD` | `forms.yml` |\n\
         | `UNKNOWN_SECRET` | `forms.yml` |\n"
    );
    // A new use makes the registry stale until `gen` runs.
    p.write(
        ".github/workflows/release-1.yml",
        "on: push\njobs:\n  go:\n    runs-on: x\n    steps:\n      - run: ./r ${{ secrets.OLD_TOKEN }}\n",
    );
    let out = p.run(&["check"]);
    assert!(
        out.stdout.contains("error[drift]: docs/TOKENS.md:"),
        "{out:?}"
    );
    let gen = p.run(&["gen"]);
    assert_eq!(gen.code, 0, "{gen:?}");
    assert!(p
        .read("docs/TOKENS.md")
        .contains("| `OLD_TOKEN` | any workflow | `release-1.yml` |"));
}

// --- init --------------------------------------------------------------------

#[test]
fn init_takes_the_workflows_secrets_and_fills_in_workflows() {
    let p = Project::without_spec();
    p.write(".github/workflows/forms.yml", FORMS.1);
    p.write(".github/workflows/reusable.yml", REUSABLE.1);
    p.write(
        ".tokens",
        "DEPLOY_TOKEN=x\nNIGHTLY_TOKEN=y\nGITHUB_TOKEN=z\n",
    );
    let out = p.run(&["init"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.starts_with(
        "note: GITHUB_TOKEN is the token GitHub gives every workflow run, not one of the repository's; left out\n"
    ), "{}", out.stderr);
    let spec = p.read("token-spec.toml");
    assert!(!spec.contains("name = \"GITHUB_TOKEN\""), "{spec}");
    for expected in [
        "# Started by `tokenspec init` from .tokens and .github/workflows: names only, no value was copied.\n",
        "# The workflows use GitHub's default token (GITHUB_TOKEN, github.token) in\n# forms.yml. To forbid it everywhere else:\n",
        "name = \"DEPLOY_TOKEN\"\nclass = \"cicd\"\n# TODO: fill in the description\ndescription = \"TODO: what DEPLOY_TOKEN is for\"\nworkflows = [\"forms.yml\", \"reusable.yml\"]\n",
        "name = \"NIGHTLY_TOKEN\"\nclass = \"cicd\"\n# TODO: fill in the description\ndescription = \"TODO: what NIGHTLY_TOKEN is for\"\nworkflows = []\n",
        "name = \"REGISTRY_PASSWORD\"\n# review: only a GitHub secret: cicd by default, runtime if a service reads it\nclass = \"cicd\"\n",
        "name = \"CI_BOT\"\n",
    ] {
        assert!(spec.contains(expected), "{expected}\n---\n{spec}");
    }
    // The starter is a valid spec whose workflows pass the new rules.
    let usage = p.run(&["usage", "--format=json"]);
    assert_eq!(usage.code, 0, "{usage:?}");
    assert!(
        references(&usage).iter().all(|r| r.5 != "unknown"),
        "{usage:?}"
    );
}
