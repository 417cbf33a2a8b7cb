//! The spec parser on any text never panics. A spec it accepts renders
//! every generated file, and its CI files read back as its CI values.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tokenspec_core::Class;
use tokenspec_fuzz::render::{self, base_template, ci_files, policies, template_file};
use tokenspec_fuzz::{dotenv, Spec};

fuzz_target!(|data: &[u8]| {
    let src = String::from_utf8_lossy(data);
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
});

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
