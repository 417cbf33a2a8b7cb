//! The dotenv parser on any text: it never panics, every byte lands in
//! exactly one entry or error span or in "other" text (comments, blank
//! lines, the BOM), and each entry reads as dotenvy 0.15.7 reads it, up to
//! `$` substitution (the rules of core/tests/dotenv_vs_dotenvy.rs).

#![no_main]

use std::ops::Range;

use libfuzzer_sys::fuzz_target;
use tokenspec_fuzz::dotenv::{self, Document, Hazard};

fuzz_target!(|data: &[u8]| {
    // Token files are read as UTF-8 text; lossy keeps every input useful.
    let src = String::from_utf8_lossy(data);
    let doc = dotenv::parse(&src);
    spans_cover_the_source(&src, &doc);
    same_as_dotenvy(&src, &doc);
});

/// Entries and errors in file order, as spans, with `Ok(entry)` / `Err(error)` indices.
fn items(doc: &Document) -> Vec<(Range<usize>, Result<usize, usize>)> {
    let mut items: Vec<_> = (doc.entries.iter().enumerate())
        .map(|(i, e)| (e.span.clone(), Ok(i)))
        .chain((doc.errors.iter().enumerate()).map(|(i, e)| (e.span.clone(), Err(i))))
        .collect();
    items.sort_by_key(|(span, _)| span.start);
    items
}

fn spans_cover_the_source(src: &str, doc: &Document) {
    // The BOM is "other" text; the first line starts after it.
    let first = if src.starts_with('\u{feff}') { 3 } else { 0 };
    let mut pos = 0;
    for (span, item) in items(doc) {
        assert!(
            pos <= span.start && span.start < span.end && span.end <= src.len(),
            "span {span:?} after {pos} in {} bytes",
            src.len()
        );
        assert!(
            span.start == first || src[..span.start].ends_with('\n'),
            "{span:?} starts mid-line"
        );
        assert!(
            span.end == src.len() || src[..span.end].ends_with('\n'),
            "{span:?} ends mid-line"
        );
        // The text between spans is only comments, blank lines and the BOM.
        other_text_holds_nothing(&src[pos..span.start]);
        let line = 1 + src[..span.start].matches('\n').count();
        match item {
            Ok(i) => {
                let e = &doc.entries[i];
                assert_eq!(e.line, line, "entry line number");
                // An entry reads the same on its own.
                let alone = dotenv::parse(&src[span.clone()]);
                assert!(
                    alone.errors.is_empty(),
                    "{span:?} alone: {:?}",
                    alone.errors
                );
                assert_eq!(alone.entries.len(), 1, "{span:?} alone");
                let a = &alone.entries[0];
                assert_eq!(
                    (&a.key, &a.value, a.exported, a.hazard),
                    (&e.key, &e.value, e.exported, e.hazard),
                    "{span:?} alone"
                );
            }
            Err(i) => assert_eq!(doc.errors[i].line, line, "error line number"),
        }
        pos = span.end;
    }
    other_text_holds_nothing(&src[pos..]);
}

fn other_text_holds_nothing(other: &str) {
    let rest = dotenv::parse(other);
    assert!(
        rest.entries.is_empty() && rest.errors.is_empty(),
        "other text {other:?} parses as {rest:?}"
    );
}

/// Every logical line reads the same as in dotenvy, up to `$` substitution.
fn same_as_dotenvy(src: &str, doc: &Document) {
    // `parse` drops a BOM as `dotenvy::from_path` does; `from_read_iter` does not.
    let text = src.strip_prefix('\u{feff}').unwrap_or(src);
    let theirs: Vec<Result<(String, String), String>> = dotenvy::from_read_iter(text.as_bytes())
        .map(|r| r.map_err(|e| e.to_string()))
        .collect();
    let ours = items(doc);
    assert_eq!(ours.len(), theirs.len(), "ours {doc:?}, dotenvy {theirs:?}");
    for ((_, o), t) in ours.into_iter().zip(theirs) {
        match (o, t) {
            (Ok(i), Ok((key, value))) => {
                let e = &doc.entries[i];
                assert_eq!(e.key, key);
                match e.hazard {
                    None => assert_eq!(e.value, value, "key {key}"),
                    Some(h) => assert_eq!(h, Hazard::Substituted, "key {key}"),
                }
            }
            (Ok(i), Err(t)) => assert_eq!(
                doc.entries[i].hazard,
                Some(Hazard::Rejected),
                "{:?}: dotenvy says {t}",
                doc.entries[i]
            ),
            (Err(_), Err(_)) => {}
            (Err(i), Ok(_)) => {
                // Only where dotenvy's substitution swallows what we reject.
                let e = &doc.errors[i];
                assert!(e.message.contains("substituting `$`"), "{e:?}");
            }
        }
    }
}
