//! The loader's fast path against `resolve` on any token files and process
//! environment: wherever the fast path answers, `resolve` reports no
//! problem or warning and gives exactly the same names and values, in the
//! same order (what the proptest in core/src/load/fast.rs holds on
//! generated inputs, here on arbitrary bytes).
//!
//! Input: up to four sections separated by NUL bytes: `.tokens`,
//! `.tokens.ci`, `.env` and the process environment (`NAME=value` lines);
//! the first byte picks the environment (none, `ci` or `dev`).

#![no_main]

use std::borrow::Cow;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tokenspec_fuzz::load::{fast, resolve};
use tokenspec_fuzz::{Class, Deprecation, Format, LoadOptions, Required, TokenDef};

fn defs() -> &'static [TokenDef] {
    static DEFS: OnceLock<Vec<TokenDef>> = OnceLock::new();
    DEFS.get_or_init(|| {
        let def = |name: &'static str, class, required, format, ci: &'static str| TokenDef {
            name: Cow::Borrowed(name),
            class,
            description: Cow::Borrowed(""),
            required,
            format,
            ci_value: Cow::Borrowed(ci),
            deprecated: None,
            aliases: Cow::Borrowed(&[]),
        };
        let mut aliased = def("B", Class::Cicd, Required::Never, Format::Any, "ci_test_b");
        aliased.aliases = Cow::Borrowed(&[Cow::Borrowed("B_OLD")]);
        let mut old = def("D", Class::Runtime, Required::Never, Format::Any, "ci_test_d");
        old.deprecated = Some(Deprecation { replacement: None, note: None });
        vec![
            def("A", Class::Cicd, Required::Always, Format::GithubPat, "ci_test_a"),
            aliased,
            def("C", Class::Runtime, Required::In(Cow::Borrowed(&[Cow::Borrowed("ci")])), Format::Any, "c_ci"),
            old,
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let env = [None, Some("ci"), Some("dev")][usize::from(first % 3)];
    let text = String::from_utf8_lossy(rest);
    let mut sections = text.split('\0');
    let dir = tempfile::tempdir().unwrap();
    for name in [".tokens", ".tokens.ci", ".env"] {
        if let Some(body) = sections.next() {
            let path = dir.path().join(name);
            std::fs::write(&path, body).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
            }
        }
    }
    let vars: Vec<(String, String)> = sections
        .next()
        .unwrap_or("")
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let opts = LoadOptions::new(dir.path(), env).with_vars(vars);
    let res = resolve(defs(), &opts);
    let Some(files) = fast::Files::read(&opts, &[Class::Cicd, Class::Runtime]) else {
        return;
    };
    let Some(picked) = fast::pick(defs().iter(), &opts, &files) else {
        return;
    };
    assert!(res.problems.is_empty(), "fast path answered where resolve reports {:?}", res.problems);
    assert!(res.warnings.is_empty(), "fast path answered where resolve warns {:?}", res.warnings);
    let fast: Vec<(&str, &str)> = picked.values().collect();
    let expected: Vec<(&str, &str)> = res
        .tokens
        .iter()
        .filter_map(|t| Some((t.def.name.as_ref(), t.value.as_ref()?.expose_secret())))
        .collect();
    assert_eq!(fast, expected);
});
