//! `tokenspec init`: a starter spec written from the token files of a
//! folder that has no spec, checked for its guesses, its validity and the
//! absence of every planted value.

use tokenspec_spec::Spec;

use crate::support::{mode, output, tokenspec, Out, Project, SECRET};

/// A GitHub token shape, a Discord bot token shape and a random key, each
/// planted and never to appear in the spec or any output.
pub const GH: &str = "ghp_PlantedGithubValue0123456789abcdefXY";
pub const DISCORD: &str = "MTA4NzY1NDMyMTA5ODc2NTQz.GhT5xQ.PlantedDiscordValue0123456789abcdEF";
pub const RANDOM_KEY: &str = "q8Zr2Lw0Xk5Vn7Tb3Hs9Pd1Mf4PlantedKey";
pub const DB_PASSWORD: &str = "Pw0rd-Planted-Zq81";

/// Every planted value, with the telling pieces of each.
pub const PLANTED: &[&str] = &[
    GH,
    "PlantedGithubValue",
    DISCORD,
    "PlantedDiscordValue",
    RANDOM_KEY,
    "PlantedKey",
    DB_PASSWORD,
    "Planted-Zq81",
    SECRET,
];

/// A mixed `.env`: cicd and runtime tokens next to ordinary settings.
pub fn mixed_env() -> String {
    format!(
        "# app settings\nAPP_ENV=development\nPORT=8080\nLOG_LEVEL=debug\n\
         DATABASE_URL=postgres://app:{DB_PASSWORD}@db/app\nCACHE_URL=redis://cache:6379\n\
         GH_TOKEN={GH}\nDISCORD_BOT_TOKEN={DISCORD}\nSTRIPE_KEY={RANDOM_KEY}\n\
         SESSION_SECRET='{SECRET}'\n"
    )
}

/// A folder with token files and no spec.
fn folder(files: &[(&str, &str)]) -> Project {
    let p = Project::without_spec();
    for (name, text) in files {
        p.write(name, text);
    }
    p
}

#[track_caller]
fn init(p: &Project, args: &[&str]) -> Out {
    let out = output(&mut tokenspec(
        p.root(),
        std::iter::once("init").chain(args.iter().copied()),
    ));
    out.assert_no_values(PLANTED);
    assert_eq!(out.stdout, "", "init prints nothing on stdout");
    out
}

/// The spec `init` wrote, checked for planted values and parsed.
#[track_caller]
fn written(p: &Project) -> (String, Spec) {
    let text = p.read("token-spec.toml");
    for v in PLANTED {
        assert!(!text.contains(v), "{v:?} in the spec:\n{text}");
    }
    let spec = Spec::parse(&text, "token-spec.toml").unwrap_or_else(|d| panic!("{d}\n{text}"));
    (text, spec)
}

/// The table row of `key` on stderr, cut into its columns where the header's start.
fn row(out: &Out, key: &str) -> Vec<String> {
    let lines: Vec<&str> = out.stderr.lines().collect();
    let header = lines
        .iter()
        .find(|l| l.starts_with("KEY "))
        .unwrap_or_else(|| panic!("no table:\n{}", out.stderr));
    let starts: Vec<usize> = ["KEY", "CLASS", "FORMAT", "WHY"]
        .iter()
        .map(|c| header.find(c).unwrap())
        .collect();
    let line = lines
        .iter()
        .find(|l| l.split_whitespace().next() == Some(key))
        .unwrap_or_else(|| panic!("no row for {key}:\n{}", out.stderr));
    (0..4)
        .map(|i| {
            let end = starts.get(i + 1).copied().unwrap_or(line.len());
            line[starts[i]..end].trim().to_owned()
        })
        .collect()
}

#[test]
fn mixed_env_gives_one_entry_per_secret_with_class_format_and_why() {
    let p = folder(&[
        (".env", &mixed_env()),
        (".tokens", "DEPLOY_KEY=not-telling\nRELEASE_CHANNEL=beta\n"),
        (
            ".env.example",
            "GH_TOKEN=your_token_here\nEXAMPLE_ONLY_TOKEN=\n",
        ),
        (".env.staging", "PORT=9090\n"),
    ]);
    let out = init(&p, &[]);
    assert_eq!(out.code, 0, "{out:?}");
    let (text, spec) = written(&p);
    assert!(
        text.starts_with("#:schema ./token-spec.schema.json\n"),
        "{text}"
    );
    assert_eq!(mode(&p.path("token-spec.toml")), 0o644);

    let names: Vec<&str> = spec.tokens.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "GH_TOKEN",
            "DEPLOY_KEY",
            "DATABASE_URL",
            "DISCORD_BOT_TOKEN",
            "STRIPE_KEY",
            "SESSION_SECRET",
            "EXAMPLE_ONLY_TOKEN",
        ]
    );
    assert_eq!(spec.environments, ["dev", "prod", "ci", "staging"]);
    let token = |n: &str| spec.token(n).unwrap();
    assert_eq!(token("GH_TOKEN").class.as_str(), "cicd");
    assert_eq!(token("GH_TOKEN").format.name(), "github_pat");
    assert_eq!(token("DEPLOY_KEY").class.as_str(), "cicd");
    assert_eq!(token("DISCORD_BOT_TOKEN").class.as_str(), "runtime");
    assert_eq!(
        token("DISCORD_BOT_TOKEN").format.name(),
        "discord_bot_token"
    );
    assert_eq!(token("STRIPE_KEY").format.name(), "any");
    assert!(token("STRIPE_KEY").description.starts_with("TODO"));
    assert!(text.contains("# review: class guessed"), "{text}");

    assert_eq!(row(&out, "KEY"), ["KEY", "CLASS", "FORMAT", "WHY"]);
    assert_eq!(
        row(&out, "GH_TOKEN"),
        [
            "GH_TOKEN",
            "cicd",
            "github_pat",
            "name ends in _TOKEN; value is a GitHub token"
        ]
    );
    assert_eq!(row(&out, "STRIPE_KEY")[1], "runtime?");
    assert!(
        row(&out, "DEPLOY_KEY")[3].contains("found in a .tokens file"),
        "{out:?}"
    );
    assert!(
        row(&out, "DATABASE_URL")[3].contains("a URL with a password"),
        "{out:?}"
    );
    for step in [
        "tokenspec gen",
        "tokenspec migrate --dry-run",
        "tokenspec check",
    ] {
        assert!(out.stderr.contains(step), "{step} missing:\n{}", out.stderr);
    }
    assert!(!out.stderr.contains("cargo xtask"), "{}", out.stderr);
    for setting in [
        "APP_ENV",
        "PORT",
        "LOG_LEVEL",
        "CACHE_URL",
        "RELEASE_CHANNEL",
    ] {
        // A setting is no token (APP_ENV appears in `env_from` only).
        assert!(
            !text.contains(&format!("name = \"{setting}\"")),
            "{setting} in the spec:\n{text}"
        );
    }

    // The binary itself accepts what init wrote.
    let info = p.run(&["info"]);
    assert_eq!(info.code, 0, "{info:?}");
}

#[test]
fn never_overwrites_an_existing_spec() {
    let p = folder(&[(".env", &mixed_env())]);
    p.write("token-spec.toml", "# mine\n");
    let out = init(&p, &[]);
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(
        out.stderr,
        "error: token-spec.toml already exists\nhelp: edit it, or remove it to start over\n"
    );
    assert_eq!(p.read("token-spec.toml"), "# mine\n");
    // Also when the spec is named with --spec.
    let out = init(&p, &["--spec", "token-spec.toml"]);
    assert_eq!(out.code, 2, "{out:?}");
}

#[test]
fn from_reads_only_the_named_files() {
    let p = folder(&[
        (".env", &mixed_env()),
        ("deploy/ci.tokens.txt", &format!("RELEASE_TOKEN={GH}\n")),
    ]);
    let out = init(&p, &["--from", "deploy/ci.tokens.txt"]);
    assert_eq!(out.code, 0, "{out:?}");
    let (text, spec) = written(&p);
    let names: Vec<&str> = spec.tokens.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["RELEASE_TOKEN"]);
    assert!(text.contains("from deploy/ci.tokens.txt"), "{text}");
}

#[test]
fn a_missing_from_file_is_an_error_and_writes_nothing() {
    let p = folder(&[]);
    let out = init(&p, &["--from", ".env.nope"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .starts_with("error: cannot read .env.nope: no such file\nhelp: "),
        "{out:?}"
    );
    assert!(!p.path("token-spec.toml").exists());
}

#[test]
fn no_token_files_still_writes_a_valid_spec() {
    let p = folder(&[]);
    let out = init(&p, &[]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains("warning: no .env* or .tokens* file"),
        "{out:?}"
    );
    let (_, spec) = written(&p);
    assert!(spec.tokens.is_empty());
}

#[test]
fn root_flag_picks_the_folder() {
    let p = folder(&[("svc/.env", &mixed_env())]);
    let out = init(&p, &["--root", "svc"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(p.path("svc/token-spec.toml").exists());
    assert!(!p.path("token-spec.toml").exists());
}
