//! Scaling of the loader: `dotenv::parse` and `load::resolve` at 1k, 10k and
//! 100k entries, next to `dotenvy::from_read_iter` on the same input.
//!
//! Run with `cargo bench -p tokenspec-core --bench load`; the results and how
//! to read them are in `docs/benchmarks.md`. Time per entry should stay flat
//! as the input grows (linear scaling).

use std::borrow::Cow;
use std::collections::HashMap;

use divan::{black_box, Bencher};
use tokenspec_core::def::{Class, Required, TokenDef};
use tokenspec_core::dotenv;
use tokenspec_core::format::Format;
use tokenspec_core::load::{resolve, LoadOptions};

const SIZES: &[usize] = &[1_000, 10_000, 100_000];

fn main() {
    divan::main();
}

/// A fixed-seed xorshift, so every run parses the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn alnum(&mut self, len: usize, out: &mut String) {
        const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        for _ in 0..len {
            out.push(ALNUM[(self.next() % ALNUM.len() as u64) as usize] as char);
        }
    }
}

fn name(i: usize) -> String {
    format!("BENCH_TOKEN_{i:06}")
}

/// `n` entries shaped like a real `.tokens`: GitHub PATs (`ghp_` + 36
/// alphanumerics), mostly unquoted, every third single-quoted, every fifth
/// double-quoted, with a comment line every tenth entry. No `$`, so dotenvy
/// reads the same values.
fn dotenv_source(n: usize) -> String {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut src = String::with_capacity(n * 64);
    for i in 0..n {
        if i % 10 == 0 {
            src.push_str("# pipeline tokens, rotated every 90 days\n");
        }
        let mut value = String::from("ghp_");
        rng.alnum(36, &mut value);
        let quote = match i % 15 {
            0 | 3 | 6 | 9 | 12 => "'",
            5 | 10 => "\"",
            _ => "",
        };
        src.push_str(&format!("{}={quote}{value}{quote}\n", name(i)));
    }
    src
}

fn defs(n: usize) -> Vec<TokenDef> {
    (0..n)
        .map(|i| TokenDef {
            name: Cow::Owned(name(i)),
            class: Class::Cicd,
            description: Cow::Borrowed("benchmark token"),
            required: Required::Always,
            format: Format::GithubPat,
            ci_value: Cow::Borrowed("ci_test_github_pat"),
            deprecated: None,
            aliases: Cow::Borrowed(&[]),
        })
        .collect()
}

#[divan::bench(args = SIZES, sample_count = 30)]
fn parse_tokenspec(bencher: Bencher, n: usize) {
    let src = dotenv_source(n);
    bencher
        .counter(divan::counter::ItemsCount::new(n))
        .bench(|| {
            let doc = dotenv::parse(black_box(&src));
            assert_eq!(doc.entries.len(), n);
            doc
        });
}

#[divan::bench(args = SIZES, sample_count = 30)]
fn parse_dotenvy(bencher: Bencher, n: usize) {
    let src = dotenv_source(n);
    bencher
        .counter(divan::counter::ItemsCount::new(n))
        .bench(|| {
            let entries: Vec<(String, String)> = dotenvy::from_read_iter(black_box(src.as_bytes()))
                .collect::<Result<_, _>>()
                .expect("the generated file is valid for dotenvy");
            assert_eq!(entries.len(), n);
            entries
        });
}

/// The whole load: read `.tokens` from disk, parse, look up each of `n`
/// spec tokens, check its format. The process environment is a fixed empty
/// map so the host's variables cannot change the result.
#[divan::bench(args = SIZES, sample_count = 30)]
fn resolve_tokens(bencher: Bencher, n: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join(".tokens"), dotenv_source(n)).expect("write .tokens");
    let defs = defs(n);
    let opts = LoadOptions::new(dir.path(), None).with_vars(HashMap::<String, String>::new());
    bencher
        .counter(divan::counter::ItemsCount::new(n))
        .bench(|| {
            let res = resolve(black_box(&defs), &opts);
            assert!(res.problems.is_empty(), "{} problems", res.problems.len());
            res.tokens.len()
        });
}
