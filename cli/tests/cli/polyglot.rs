//! The generated Python and TypeScript modules against `tokenspec export`:
//! the same fixtures (layered files, the environment over files, `CI=true`,
//! a placeholder, a bad format, a missing token) give the same values and
//! the same problems through all three, because the modules run the binary.
//! Also: the modules pass `mypy --strict` and `tsc --strict`, a field not
//! in the spec is a type error, and no repr, str, pickle, `toString`,
//! `toJSON` or `util.inspect` shows a value.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;
use tokenspec_spec::fields;

use crate::support::{Out, Project};
use crate::tools;

const SPEC: &str = r#"
environments = ["dev", "prod", "ci"]
env_from = ["CI", "APP_ENV"]

[generate]
python = "app/tokens.py"
typescript = "bot/src/tokens.ts"

[[token]]
name = "GH_TOKEN"
class = "cicd"
description = "GitHub"
format = "github_pat"
required = ["prod"]

[[token]]
name = "DEPLOY_TOKEN"
class = "cicd"
description = "Deploys"

[[token]]
name = "APP_SECRET"
class = "runtime"
description = "Signs sessions"

[[token]]
name = "OPTIONAL_KEY"
class = "runtime"
description = "Optional"
required = false
"#;

const GH: &str = "ghp_0123456789abcdefghijABCDEFGHIJ012345";

/// One fixture: files, variables, and the class to load.
struct Case {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    vars: &'static [(&'static str, &'static str)],
    class: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "layered files",
        files: &[
            (".env", "APP_SECRET=base\nOPTIONAL_KEY=from-base\n"),
            (".env.prod", "APP_SECRET='p@ss \"w0rd\" $HOME ü'\n"),
        ],
        vars: &[("APP_ENV", "production")],
        class: "runtime",
    },
    Case {
        name: "the environment over files",
        files: &[(".tokens.prod", "DEPLOY_TOKEN=from-file\n")],
        vars: &[
            ("APP_ENV", "production"),
            ("DEPLOY_TOKEN", "from-env"),
            ("GH_TOKEN", GH),
        ],
        class: "cicd",
    },
    Case {
        name: "CI=true",
        files: &[],
        vars: &[("CI", "true")],
        class: "cicd",
    },
    Case {
        name: "a placeholder",
        files: &[(".env", "APP_SECRET=CHANGE_ME_later\n")],
        vars: &[],
        class: "runtime",
    },
    Case {
        name: "a bad format",
        files: &[(".tokens.prod", "GH_TOKEN=nope\nDEPLOY_TOKEN=x\n")],
        vars: &[("APP_ENV", "production")],
        class: "cicd",
    },
    Case {
        name: "a missing token",
        files: &[],
        vars: &[],
        class: "runtime",
    },
];

/// What loading gave: values by token name, or the exit code and problems.
#[derive(Debug, PartialEq, Eq)]
enum Loaded {
    Values(BTreeMap<String, String>),
    Problems {
        code: i64,
        problems: Vec<String>,
        message: String,
    },
}

/// The project after `tokenspec gen` (which writes both modules).
fn project() -> Project {
    let p = Project::with_spec(SPEC);
    let out = p.run(&["gen"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(p.path("app/tokens.py").is_file() && p.path("bot/src/tokens.ts").is_file());
    p
}

fn class_name(class: &str) -> &'static str {
    match class {
        "cicd" => "CicdTokens",
        _ => "RuntimeTokens",
    }
}

/// `tokenspec export --format=json` of a case, as [`Loaded`].
fn export(p: &Project, case: &Case) -> Loaded {
    let out = p.run_env(
        &["export", &format!("--type={}", case.class), "--format=json"],
        case.vars,
    );
    if out.code == 0 {
        let values = out.json();
        return Loaded::Values(
            values
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect(),
        );
    }
    let lines: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| !l.starts_with("help: nothing was exported"))
        .collect();
    Loaded::Problems {
        code: out.code.into(),
        problems: lines
            .iter()
            .filter_map(|l| l.strip_prefix("error: "))
            .map(str::to_owned)
            .collect(),
        message: lines.join("\n"),
    }
}

/// Reads a driver's JSON line into [`Loaded`], mapping field names back to
/// token names; also returns the driver's whole report (what repr showed).
fn loaded(out: &Out, naming: fn(&str) -> String) -> (Loaded, Value) {
    assert_eq!(out.code, 0, "the driver failed: {out:?}");
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    let names: BTreeMap<String, &str> = ["GH_TOKEN", "DEPLOY_TOKEN", "APP_SECRET", "OPTIONAL_KEY"]
        .into_iter()
        .map(|n| (naming(n), n))
        .collect();
    let result = if report["code"] == 0 {
        Loaded::Values(
            report["values"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (names[k].to_owned(), v.as_str().unwrap().to_owned()))
                .collect(),
        )
    } else {
        Loaded::Problems {
            code: report["code"].as_i64().unwrap(),
            problems: report["problems"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap().to_owned())
                .collect(),
            message: report["message"].as_str().unwrap().to_owned(),
        }
    };
    (result, report)
}

/// Runs `program ARGS` in the project with only the case's variables, no
/// `tokenspec` on `PATH`, and `TOKENSPEC_BIN` naming the binary under test
/// (an installed wheel or npm package is found before it).
fn run_driver(p: &Project, program: &Path, args: &[&str], case: &Case) -> Out {
    let empty = tools::empty_dir();
    let o = Command::new(program)
        .args(args)
        .current_dir(p.root())
        .env_clear()
        .env("PATH", empty.path())
        .env("TOKENSPEC_BIN", env!("CARGO_BIN_EXE_tokenspec"))
        .envs(case.vars.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("the driver runs");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8(o.stdout).unwrap(),
        stderr: String::from_utf8(o.stderr).unwrap(),
    }
}

const PY_DRIVER: &str = r#"
import dataclasses, json, pickle, sys
sys.path.insert(0, "app")
import tokens

cls = getattr(tokens, sys.argv[1])
try:
    t = cls.load()
except tokens.TokensError as e:
    print(json.dumps({"code": e.exit_code, "problems": e.problems, "message": str(e)}))
    sys.exit(0)
values = {}
shown = [repr(t), str(t)]
for f in dataclasses.fields(t):
    secret = getattr(t, f.name)
    if secret is None:
        continue
    values[f.name] = secret.expose_secret()
    shown += [repr(secret), str(secret), f"{secret}", "%s" % secret]
    try:
        pickle.dumps(secret)
        shown.append("pickled")
    except TypeError as e:
        shown.append(str(e))
try:
    shown.append(repr(pickle.dumps(t)))
except TypeError as e:
    shown.append(str(e))
print(json.dumps({"code": 0, "values": values, "shown": shown}))
"#;

const JS_DRIVER: &str = r#"
const util = require("node:util");
const tokens = require("./bot/out/tokens.js");
let t;
try {
  t = tokens[process.argv[2]].load();
} catch (e) {
  if (!(e instanceof tokens.TokensError)) throw e;
  console.log(JSON.stringify({ code: e.exitCode, problems: e.problems, message: e.message }));
  process.exit(0);
}
const values = {};
const shown = [util.inspect(t), JSON.stringify(t), String(t), util.format("%o %O %j", t, t, t)];
for (const [key, secret] of Object.entries(t)) {
  if (secret === undefined) continue;
  values[key] = secret.exposeSecret();
  shown.push(String(secret), `${secret}`, JSON.stringify(secret), util.inspect(secret), util.inspect(secret, { showHidden: true }));
}
console.log(JSON.stringify({ code: 0, values, shown }));
"#;

/// Compiles the TypeScript module to `bot/out/` with `tsc --strict`.
fn compile_typescript(p: &Project, project: &Path) {
    link_node_modules(p, project);
    let out = tsc(p, project, &["bot/src/tokens.ts", "--outDir", "bot/out"]);
    assert_eq!(out.code, 0, "tsc --strict rejected the module: {out:?}");
}

fn link_node_modules(p: &Project, project: &Path) {
    let link = p.path("node_modules");
    if !link.exists() {
        std::os::unix::fs::symlink(project.join("node_modules"), link).unwrap();
    }
}

/// `tsc --strict` as a Node 20 project compiles: ES2022, CommonJS, Node's types.
fn tsc(p: &Project, project: &Path, args: &[&str]) -> Out {
    let o = Command::new(tools::node())
        .arg(project.join("node_modules/typescript/bin/tsc"))
        .args(["--strict", "--target", "es2022", "--module", "commonjs"])
        .args(["--types", "node", "--pretty", "false"])
        .args(args)
        .current_dir(p.root())
        .stdin(Stdio::null())
        .output()
        .expect("tsc runs");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8(o.stdout).unwrap(),
        stderr: String::from_utf8(o.stderr).unwrap(),
    }
}

fn mypy(p: &Project, python: &Path, file: &str) -> Out {
    let o = Command::new(python)
        .args([
            "-m",
            "mypy",
            "--strict",
            "--no-error-summary",
            "--cache-dir",
        ])
        .arg(p.path(".mypy_cache"))
        .arg(file)
        .env("MYPYPATH", p.path("app"))
        .current_dir(p.root())
        .stdin(Stdio::null())
        .output()
        .expect("mypy runs");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8(o.stdout).unwrap(),
        stderr: String::from_utf8(o.stderr).unwrap(),
    }
}

/// Every value of a case's files and variables, which nothing may show.
fn planted(case: &Case) -> Vec<String> {
    let mut values: Vec<String> = case.vars.iter().map(|(_, v)| (*v).to_owned()).collect();
    for (_, text) in case.files {
        for line in text.lines() {
            if let Some((_, v)) = line.split_once('=') {
                values.push(v.trim_matches('\'').to_owned());
            }
        }
    }
    values.retain(|v| v.len() > 4 && v != "production" && v != "true");
    values
}

fn setup(p: &Project, case: &Case) {
    for name in [".env", ".env.prod", ".tokens", ".tokens.prod"] {
        let _ = std::fs::remove_file(p.path(name));
    }
    for (name, text) in case.files {
        p.write(name, text);
    }
}

fn assert_hidden(case: &Case, loaded: &Loaded, report: &Value, language: &str) {
    let Loaded::Values(values) = loaded else {
        return;
    };
    let shown = report["shown"].to_string();
    for value in values.values().cloned().chain(planted(case)) {
        assert!(
            !shown.contains(&value),
            "{language} showed the value {value:?} ({}): {shown}",
            case.name
        );
    }
    assert!(shown.contains("Secret(***)"), "{shown}");
}

#[test]
#[ignore = "needs python3, mypy, node, tsc and @types/node"]
fn python_typescript_and_export_load_the_same_values_and_problems() {
    let python = tools::python(&["mypy"]);
    let project_dir = tools::node_project();
    let node = tools::node();
    let p = project();
    p.write("drive.py", PY_DRIVER);
    p.write("drive.js", JS_DRIVER);
    compile_typescript(&p, &project_dir);

    let drive_py = p.path("drive.py");
    let drive_js = p.path("drive.js");
    for case in CASES {
        setup(&p, case);
        let expected = export(&p, case);
        let class = class_name(case.class);

        let out = run_driver(&p, &python, &[drive_py.to_str().unwrap(), class], case);
        let (from_python, report) = loaded(&out, fields::python);
        assert_eq!(from_python, expected, "Python, {}", case.name);
        assert_hidden(case, &from_python, &report, "Python");

        let out = run_driver(&p, &node, &[drive_js.to_str().unwrap(), class], case);
        let (from_node, report) = loaded(&out, fields::typescript);
        assert_eq!(from_node, expected, "TypeScript, {}", case.name);
        assert_hidden(case, &from_node, &report, "TypeScript");

        match (case.name, &expected) {
            ("layered files", Loaded::Values(v)) => {
                assert_eq!(v["APP_SECRET"], "p@ss \"w0rd\" $HOME ü");
                assert_eq!(v["OPTIONAL_KEY"], "from-base");
            }
            ("the environment over files", Loaded::Values(v)) => {
                assert_eq!(v["DEPLOY_TOKEN"], "from-env");
            }
            ("CI=true", Loaded::Values(v)) => {
                assert_eq!(v["DEPLOY_TOKEN"], "ci_test_deploy_token");
            }
            ("a placeholder", Loaded::Problems { problems, code, .. }) => {
                assert_eq!(*code, 1);
                assert_eq!(
                    problems,
                    &["APP_SECRET from .env:1 is an unfilled CHANGE_ME_ placeholder, which never counts as set"]
                );
            }
            ("a bad format", Loaded::Problems { problems, .. }) => {
                assert_eq!(
                    problems,
                    &["GH_TOKEN from .tokens.prod:1 does not match format github_pat"]
                );
            }
            (
                "a missing token",
                Loaded::Problems {
                    problems, message, ..
                },
            ) => {
                assert_eq!(problems.len(), 1, "{problems:?}");
                assert!(
                    problems[0].starts_with("APP_SECRET is missing"),
                    "{problems:?}"
                );
                assert!(message.contains("APP_SECRET"), "{message}");
            }
            (name, other) => panic!("{name}: unexpected {other:?}"),
        }
    }
}

#[test]
#[ignore = "needs python3 and mypy"]
fn the_python_module_passes_mypy_strict_and_rejects_a_field_not_in_the_spec() {
    let python = tools::python(&["mypy"]);
    let p = project();
    let out = mypy(&p, &python, "app/tokens.py");
    assert_eq!(out.code, 0, "mypy --strict rejected the module: {out:?}");

    p.write(
        "use.py",
        "from tokens import CicdTokens, RuntimeTokens, Secret\n\
         \n\
         t = RuntimeTokens.load(env=\"prod\")\n\
         secret: Secret = t.app_secret\n\
         print(secret.expose_secret(), CicdTokens.load().gh_token)\n\
         print(t.not_in_spec)\n\
         print(t.optional_key.expose_secret())\n",
    );
    let out = mypy(&p, &python, "use.py");
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(
        out.stdout,
        "use.py:6: error: \"RuntimeTokens\" has no attribute \"not_in_spec\"  [attr-defined]\n\
         use.py:7: error: Item \"None\" of \"Secret | None\" has no attribute \"expose_secret\"  [union-attr]\n"
    );
}

#[test]
#[ignore = "needs node, tsc and @types/node"]
fn the_typescript_module_passes_tsc_strict_and_rejects_a_field_not_in_the_spec() {
    let project_dir = tools::node_project();
    let p = project();
    compile_typescript(&p, &project_dir);
    p.write(
        "bot/src/use.ts",
        "import { CicdTokens, RuntimeTokens, Secret } from \"./tokens\";\n\
         const t = RuntimeTokens.load({ env: \"prod\" });\n\
         const secret: Secret = t.appSecret;\n\
         console.log(secret.exposeSecret(), CicdTokens.load().ghToken);\n\
         console.log(t.notInSpec);\n\
         console.log(t.optionalKey.exposeSecret());\n",
    );
    let out = tsc(&p, &project_dir, &["--noEmit", "bot/src/use.ts"]);
    // tsc 5 exits 2 on type errors, tsc 7 (the native compiler) 1.
    assert!(matches!(out.code, 1 | 2), "{out:?}");
    assert_eq!(
        out.stdout,
        "bot/src/use.ts(5,15): error TS2339: Property 'notInSpec' does not exist on type 'RuntimeTokens'.\n\
         bot/src/use.ts(6,13): error TS18048: 't.optionalKey' is possibly 'undefined'.\n"
    );
}

/// Under `.ci/run` the modules run against the installed packages: the
/// wheel's and the npm package's binary are found with no `tokenspec` on
/// `PATH` and no `TOKENSPEC_BIN`, and both print this version.
#[test]
#[ignore = "needs the tokenspec wheel and npm packages installed (.ci/run)"]
fn the_modules_find_the_installed_wheel_and_npm_binaries() {
    let python = tools::python(&[]);
    let project_dir = tools::node_project();
    let version = format!("tokenspec {}\n", env!("CARGO_PKG_VERSION"));
    let wheel = tools::wheel_binary(&python).unwrap_or_else(|| {
        panic!(
            "{} has no tokenspec script: pip install target/dist/tokenspec-*.whl",
            python.display()
        )
    });
    let npm_bin = project_dir.join("node_modules/.bin/tokenspec");
    for exe in [wheel.as_path(), npm_bin.as_path()] {
        let out = Command::new(exe).arg("--version").output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            version,
            "{}",
            exe.display()
        );
    }

    let p = project();
    p.write("drive.py", PY_DRIVER);
    p.write("drive.js", JS_DRIVER);
    compile_typescript(&p, &project_dir);
    let case = &CASES[2];
    setup(&p, case);
    let expected = export(&p, case);
    for (program, driver, naming) in [
        (
            python.clone(),
            "drive.py",
            fields::python as fn(&str) -> String,
        ),
        (tools::node(), "drive.js", fields::typescript),
    ] {
        let empty = tools::empty_dir();
        let o = Command::new(&program)
            .args([p.path(driver).to_str().unwrap(), "CicdTokens"])
            .current_dir(p.root())
            .env_clear()
            .env("PATH", empty.path())
            .env("CI", "true")
            .output()
            .unwrap();
        let out = Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8(o.stdout).unwrap(),
            stderr: String::from_utf8(o.stderr).unwrap(),
        };
        assert_eq!(loaded(&out, naming).0, expected, "{driver}");
    }
}

/// `gen` writes both modules; an edit to one is stale for `gen --check`
/// and drift for `check`, and `gen` puts it back.
#[test]
fn gen_check_and_check_cover_the_generated_modules() {
    let p = project();
    p.git(&["init", "-q"]);
    let fresh = p.run(&["gen", "--check"]);
    assert_eq!(fresh.code, 0, "{fresh:?}");
    let python = p.read("app/tokens.py");
    assert!(python.starts_with(
        "# Generated by `tokenspec gen` from token-spec.toml. Do not edit by hand.\n"
    ));
    assert!(python.contains("    app_secret: Secret\n"));
    assert!(python.contains("    optional_key: Optional[Secret]\n"));
    let ts = p.read("bot/src/tokens.ts");
    assert!(ts.contains("  readonly appSecret: Secret;\n"));
    assert!(ts.contains("  readonly optionalKey: Secret | undefined;\n"));

    p.write(
        "app/tokens.py",
        &python.replace("app_secret", "app_secrets"),
    );
    p.write("bot/src/tokens.ts", &ts.replace("appSecret", "appSecrets"));
    let stale = p.run(&["gen", "--check"]);
    assert_eq!(stale.code, 1);
    assert_eq!(
        stale.stderr,
        "error: app/tokens.py is out of date with token-spec.toml\n\
         error: bot/src/tokens.ts is out of date with token-spec.toml\n\
         help: run `tokenspec gen` and commit the result\n"
    );
    let check = p.run(&["check"]);
    assert_eq!(check.code, 1, "{check:?}");
    assert!(
        check.stdout.contains(
            "error[drift]: app/tokens.py:187: app/tokens.py differs from what `tokenspec gen` writes from token-spec.toml\n"
        ) && check.stdout.contains(
            "error[drift]: bot/src/tokens.ts:207: bot/src/tokens.ts differs from what `tokenspec gen` writes from token-spec.toml\n"
        ),
        "{check:?}"
    );
    assert_eq!(p.run(&["gen"]).code, 0);
    assert_eq!(p.read("app/tokens.py"), python);
    assert_eq!(p.read("bot/src/tokens.ts"), ts);
}
