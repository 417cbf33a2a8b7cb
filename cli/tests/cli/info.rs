//! `info`: the documented JSON shape, no file contents.

use crate::support::{mode, output, tokenspec, Project};

#[test]
fn shape_is_stable() {
    let p = Project::new();
    p.tokens(".tokens", &[("DEPLOY_TOKEN", "d")]);
    let j = p.json_env(&["--env", "prod", "info"], &[]);
    let root = std::fs::canonicalize(p.root()).unwrap();
    let got_root = std::fs::canonicalize(j["root"].as_str().unwrap()).unwrap();
    assert_eq!(got_root, root);
    assert_eq!(
        std::path::Path::new(j["spec"].as_str().unwrap())
            .file_name()
            .unwrap(),
        "token-spec.toml"
    );
    assert_eq!(j["env"], "prod");
    assert_eq!(j["env_origin"], "--env");
    assert_eq!(j["environments"], serde_json::json!(["dev", "prod", "ci"]));
    let cicd = j["files"]["cicd"].as_array().unwrap();
    assert_eq!(cicd.len(), 2);
    assert_eq!(cicd[0]["file"], ".tokens.prod", "highest precedence first");
    assert_eq!(cicd[0]["exists"], false);
    assert_eq!(cicd[0]["mode"], serde_json::Value::Null);
    assert_eq!(cicd[1]["file"], ".tokens");
    assert_eq!(cicd[1]["exists"], true);
    assert_eq!(cicd[1]["mode"], format!("{:04o}", mode(&p.path(".tokens"))));
    assert!(cicd[1]["path"].as_str().unwrap().ends_with("/.tokens"));
    let runtime = j["files"]["runtime"].as_array().unwrap();
    assert_eq!(
        runtime
            .iter()
            .map(|f| f["file"].as_str().unwrap())
            .collect::<Vec<_>>(),
        [".env.prod", ".env"]
    );
    // Top-level keys in the documented order (read from the text, not a map that may sort them).
    let text = p.run(&["--env", "prod", "info"]).stdout;
    let at = |k: &str| {
        text.find(&format!("\n  \"{k}\": "))
            .unwrap_or_else(|| panic!("{k} missing"))
    };
    let order = ["root", "spec", "env", "env_origin", "environments", "files"].map(at);
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
}

/// Nothing is cached between runs: with a home, a cache home and a temp
/// folder of its own, a command leaves each of them empty.
#[test]
fn no_command_writes_a_cache() {
    let p = Project::new();
    let dirs = ["home", "cache", "tmp"].map(|d| p.path(d));
    for d in &dirs {
        std::fs::create_dir(d).unwrap();
    }
    let [home, cache, tmp] = dirs.each_ref().map(|d| d.to_str().unwrap());
    let vars = [("HOME", home), ("XDG_CACHE_HOME", cache), ("TMPDIR", tmp)];
    for args in [&["info"][..], &["export", "--type=cicd"], &["load"]] {
        p.run_env(args, &vars);
    }
    for d in &dirs {
        assert_eq!(
            std::fs::read_dir(d).unwrap().count(),
            0,
            "{} written",
            d.display()
        );
    }
}

#[test]
fn no_environment_is_null() {
    let j = Project::new().json_env(&["info"], &[]);
    assert_eq!(j["env"], serde_json::Value::Null);
    assert_eq!(j["env_origin"], "none");
    assert_eq!(j["files"]["cicd"].as_array().unwrap().len(), 1);
}

/// The global flags work before and after the subcommand; given on both
/// sides, the later one wins, as it would for a single flag given twice.
#[test]
fn global_flags_either_side_of_the_subcommand() {
    let p = Project::new();
    let env_of = |args: &[&str]| p.json_env(args, &[])["env"].clone();
    assert_eq!(env_of(&["--env", "prod", "info"]), "prod");
    assert_eq!(env_of(&["info", "--env", "prod"]), "prod");
    assert_eq!(env_of(&["--env", "prod", "info", "--env", "dev"]), "dev");
    assert_eq!(env_of(&["info"]), serde_json::Value::Null);

    // --root and --spec after the subcommand, run from another folder.
    let elsewhere = tempfile::tempdir().unwrap();
    let root = p.root().to_str().unwrap();
    let spec = p.path("token-spec.toml");
    let spec = spec.to_str().unwrap();
    for args in [
        vec!["--root", root, "info"],
        vec!["info", "--root", root],
        vec!["info", "--spec", spec],
        vec!["--root", "/nonexistent", "info", "--root", root],
    ] {
        let out = output(&mut tokenspec(elsewhere.path(), &args));
        assert_eq!(out.code, 0, "{args:?}: {out:?}");
        let j = out.json();
        let got = std::fs::canonicalize(j["root"].as_str().unwrap()).unwrap();
        assert_eq!(got, std::fs::canonicalize(p.root()).unwrap(), "{args:?}");
    }
}
