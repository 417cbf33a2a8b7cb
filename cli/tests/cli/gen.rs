//! `tokenspec gen [--check]`: the generator without a Rust toolchain.

use crate::support::Project;

#[test]
fn gen_writes_then_check_passes_and_a_spec_edit_makes_check_fail() {
    let p = Project::new();
    let check = p.run(&["gen", "--check"]);
    assert_eq!(check.code, 1, "{check:?}");
    assert!(
        check.stderr.contains("error: .tokens.ci is missing"),
        "{}",
        check.stderr
    );
    assert!(check
        .stderr
        .contains("help: run `tokenspec gen` and commit the result"));
    assert!(!p.path(".tokens.ci").exists(), "--check writes nothing");

    let gen = p.run(&["gen"]);
    assert_eq!(gen.code, 0, "{gen:?}");
    assert!(gen.stderr.contains("wrote .tokens.ci"), "{}", gen.stderr);
    assert!(gen.stdout.is_empty(), "messages go to stderr");
    for file in [
        ".tokens.ci",
        ".env.ci",
        "docs/TOKENS.md",
        ".gitignore",
        "token-spec.schema.json",
    ] {
        assert!(p.path(file).exists(), "{file}");
    }
    let fresh = p.run(&["gen", "--check"]);
    assert_eq!(fresh.code, 0, "{fresh:?}");
    assert!(fresh.stderr.contains("up to date"), "{}", fresh.stderr);

    let spec = p.read("token-spec.toml")
        + "\n[[token]]\nname = \"NEW_TOKEN\"\nclass = \"cicd\"\ndescription = \"New\"\n";
    p.write("token-spec.toml", &spec);
    let stale = p.run(&["gen", "--check"]);
    assert_eq!(stale.code, 1, "{stale:?}");
    assert!(
        stale
            .stderr
            .contains("error: .tokens.ci is out of date with token-spec.toml"),
        "{}",
        stale.stderr
    );
    assert!(stale.stderr.contains("`tokenspec gen`"));
    for out in [&check, &gen, &fresh, &stale] {
        assert!(!out.stderr.contains("cargo xtask"), "{}", out.stderr);
    }
}

#[test]
fn an_invalid_spec_is_exit_2_and_writes_nothing() {
    let p = Project::with_spec("[[token]]\nname = \"A\"\nclass = \"cicd\"\n");
    let out = p.run(&["gen"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("token-spec.toml:"), "{}", out.stderr);
    assert!(!p.path(".tokens.ci").exists());
}

/// A real repository's `.env.ci`: a long test value the tests sign with,
/// a comment about it, and a token set twice with two values.
#[test]
fn gen_keeps_committed_values_and_comments_refuses_a_twice_set_token_and_says_what_it_removes() {
    let spec = "[[token]]\nname = \"JWT_SECRET_KEY\"\nclass = \"runtime\"\ndescription = \"Signs sessions\"\n\
        [[token]]\nname = \"AUTH_SECRET_KEY\"\nclass = \"runtime\"\ndescription = \"Auth\"\n";
    let p = Project::with_spec(spec);
    let jwt = "ci_test_jwt_secret_key_the_auth_tests_sign_with_0000000000000";
    let env_ci = format!(
        "APP_ENV=ci\n\n# must be set to a non-empty value: the auth service refuses to start\n\
         JWT_SECRET_KEY={jwt}\nJWT_ALGORITHM=HS256\nAUTH_SECRET_KEY=ci_test_auth_one\nPORT=1\nAUTH_SECRET_KEY=ci_test_auth_two\n"
    );
    p.write(".env.ci", &env_ci);
    let out = p.run(&["gen"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(
        out.stderr,
        "error: .env.ci:6: AUTH_SECRET_KEY is set again at .env.ci:8 with a different value; gen does not pick one\n\
         help: keep one of the two lines (the value your tests expect) and run `tokenspec gen` again; nothing was written\n"
    );
    assert_eq!(p.read(".env.ci"), env_ci, "nothing written");

    p.write(
        ".env.ci",
        &env_ci.replace("AUTH_SECRET_KEY=ci_test_auth_two\n", ""),
    );
    let out = p.run(&["gen"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains(
        "note: took JWT_SECRET_KEY at .env.ci:4 into the generated block, keeping its value, with the comment line above it\n"
    ), "{}", out.stderr);
    let text = p.read(".env.ci");
    assert!(
        text.starts_with("APP_ENV=ci\n\nJWT_ALGORITHM=HS256\nPORT=1\n\n# >>> tokenspec"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "\n# must be set to a non-empty value: the auth service refuses to start\n# Signs sessions\nJWT_SECRET_KEY={jwt}\n"
        )),
        "{text}"
    );
    assert!(
        text.contains("\nAUTH_SECRET_KEY=ci_test_auth_one\n"),
        "{text}"
    );
    assert_eq!(p.run(&["gen", "--check"]).code, 0, "settled");

    // A token leaves the spec: its line leaves the block, with a word.
    p.write(
        "token-spec.toml",
        spec.split("[[token]]\nname = \"AUTH").next().unwrap(),
    );
    let out = p.run(&["gen"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains(
            "note: removed AUTH_SECRET_KEY at .env.ci:17 from the generated block: it is no longer a token in token-spec.toml\n"
        ),
        "{}",
        out.stderr
    );
    assert!(p
        .read(".env.ci")
        .contains(&format!("JWT_SECRET_KEY={jwt}\n")));
}
