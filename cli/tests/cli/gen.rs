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
