//! The spec parser on any text never panics. Where the plain token-table
//! reader reads the text, toml reads the same tree, spans and all. A spec it accepts renders
//! every generated file, its CI files read back as its CI values, and its
//! snapshot decodes to the same spec, while damaged snapshot bytes decode
//! to nothing or to that same spec, never to a different one.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tokenspec_core::Class;
use tokenspec_fuzz::render::{self, base_template, ci_files, policies, template_file};
use tokenspec_fuzz::{document, dotenv, snapshot, Spec};

fuzz_target!(|data: &[u8]| {
    let src = String::from_utf8_lossy(data);
    // A forged or random cache file: never a panic.
    let _ = snapshot::decode(data, snapshot::Digest::of(src.as_bytes()));
    reader_agrees_with_toml(&src);
    let spec = match Spec::parse(&src, "token-spec.toml") {
        Ok(spec) => spec,
        Err(diagnostics) => {
            // Rendering the errors slices the source at their spans.
            let _ = diagnostics.to_string();
            return;
        }
    };
    spans_are_in_the_source(&spec, &src);
    renders(&spec, &src);
    snapshot_round_trips(&spec, &src);
});

fn reader_agrees_with_toml(src: &str) {
    if let Some(ours) = document::plain_tail(src) {
        let theirs = toml::de::DeTable::parse(src).expect("toml reads what the reader read");
        assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
    }
}

fn spans_are_in_the_source(spec: &Spec, src: &str) {
    for t in &spec.tokens {
        for span in [&t.span, &t.name_span, &t.ci_value_span] {
            assert!(src.get(span.clone()).is_some(), "{span:?} of {}", t.name);
        }
    }
}

fn renders(spec: &Spec, src: &str) {
    // Existing hand-kept files: none, or arbitrary text (the input itself).
    for existing in [None, Some(src)] {
        let outputs = render::outputs(spec, |_| existing.map(str::to_owned));
        assert!(!outputs.is_empty());
    }
    for class in [Class::Cicd, Class::Runtime] {
        let _ = base_template(spec, class);
    }
    let _ = template_file(spec, src);
    let _ = policies::render_all(spec);
    let _ = spec.defs(None);
    // The committed CI files hold each token's CI value, read back exactly.
    ci_file_reads_back(spec, Class::Cicd, &ci_files::tokens_ci(spec, None));
    ci_file_reads_back(spec, Class::Runtime, &ci_files::env_ci(spec, None));
}

fn ci_file_reads_back(spec: &Spec, class: Class, text: &str) {
    let doc = dotenv::parse(text);
    assert!(doc.errors.is_empty(), "{class} CI file: {:?}", doc.errors);
    let want: Vec<(&str, &str)> = spec
        .tokens_of(class)
        .map(|t| (t.name.as_str(), t.ci_value.as_str()))
        .collect();
    let got: Vec<(&str, &str)> = (doc.entries.iter())
        .map(|e| {
            assert_eq!(e.hazard, None, "{class} CI file entry {}", e.key);
            (e.key.as_str(), e.value.as_str())
        })
        .collect();
    assert_eq!(got, want, "{class} CI file");
}

fn snapshot_round_trips(spec: &Spec, src: &str) {
    let digest = snapshot::Digest::of(src.as_bytes());
    let bytes = snapshot::encode(spec, digest);
    assert_eq!(snapshot::decode(&bytes, digest).as_ref(), Some(spec));
    // Another source text: never this spec.
    let other = snapshot::Digest::of(format!("{src} ").as_bytes());
    assert_eq!(snapshot::decode(&bytes, other), None);
    // Damaged bytes, at places and with masks taken from the input.
    let seed = snapshot::fingerprint(src.as_bytes());
    for k in 0..8u64 {
        let mix = seed.rotate_left(8 * k as u32) ^ k;
        let at = (mix as usize) % bytes.len();
        let mask = ((mix >> 32) as u8).max(1);
        let mut damaged = bytes.clone();
        damaged[at] ^= mask;
        let decoded = snapshot::decode(&damaged, digest);
        assert!(
            decoded.is_none() || decoded.as_ref() == Some(spec),
            "byte {at} ^ {mask:#x}"
        );
        // Truncated.
        let decoded = snapshot::decode(&bytes[..at], digest);
        assert!(decoded.is_none(), "cut at {at}");
    }
}
