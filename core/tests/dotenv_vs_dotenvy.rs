//! Property tests: `tokenspec_core::dotenv::parse` reads values exactly as
//! dotenvy 0.15.7 does, except that it never substitutes `$`.
//!
//! `dotenvy::from_read_iter` does not touch the process environment, but it
//! does substitute `$NAME` from it; values with a `$` hazard are therefore
//! compared by key only.

use std::ops::Range;

use proptest::prelude::*;
use tokenspec_core::dotenv::{self, Document, Hazard};

const CASES: u32 = 256;

/// dotenvy's reading of `src`: one item per logical line that is not blank or a comment.
fn dotenvy_items(src: &str) -> Vec<Result<(String, String), ()>> {
    dotenvy::from_read_iter(src.as_bytes())
        .map(|r| r.map_err(|_| ()))
        .collect()
}

/// Entries and errors in file order: `Ok(index into entries)` or `Err(index into errors)`.
fn our_items(doc: &Document) -> Vec<Result<usize, usize>> {
    let mut items: Vec<(usize, Result<usize, usize>)> = doc
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.span.start, Ok(i)))
        .chain(
            doc.errors
                .iter()
                .enumerate()
                .map(|(i, e)| (e.span.start, Err(i))),
        )
        .collect();
    items.sort_by_key(|&(start, _)| start);
    items.into_iter().map(|(_, item)| item).collect()
}

/// Every logical line reads the same as in dotenvy, up to `$` substitution.
fn same_as_dotenvy(src: &str, doc: &Document) -> Result<(), TestCaseError> {
    let theirs = dotenvy_items(src);
    let ours = our_items(doc);
    prop_assert_eq!(ours.len(), theirs.len(), "ours {:?}", doc);
    for (o, t) in ours.into_iter().zip(theirs) {
        match (o, t) {
            (Ok(i), Ok((key, value))) => {
                let e = &doc.entries[i];
                prop_assert_eq!(&e.key, &key);
                match e.hazard {
                    None => prop_assert_eq!(&e.value, &value, "key {}", key),
                    Some(h) => prop_assert_eq!(h, Hazard::Substituted, "key {}", key),
                }
            }
            (Ok(i), Err(())) => {
                prop_assert_eq!(
                    doc.entries[i].hazard,
                    Some(Hazard::Rejected),
                    "{:?}",
                    doc.entries[i]
                );
            }
            (Err(_), Err(())) => {}
            (Err(i), Ok(_)) => {
                // Only where dotenvy's substitution swallows what we reject.
                let e = &doc.errors[i];
                prop_assert!(e.message.contains("substituting `$`"), "{:?}", e);
            }
        }
    }
    Ok(())
}

/// Spans are disjoint, in order, on line boundaries; the text between them is
/// only comments and blank lines; each span reads the same on its own.
fn spans_are_lossless(src: &str, doc: &Document) -> Result<(), TestCaseError> {
    let spans: Vec<Range<usize>> = our_items(doc)
        .into_iter()
        .map(|item| match item {
            Ok(i) => doc.entries[i].span.clone(),
            Err(i) => doc.errors[i].span.clone(),
        })
        .collect();
    let mut other = String::new();
    let mut rebuilt = String::new();
    let mut pos = 0;
    for s in &spans {
        prop_assert!(pos <= s.start && s.start < s.end && s.end <= src.len());
        prop_assert!(s.start == 0 || src[..s.start].ends_with('\n'));
        prop_assert!(s.end == src.len() || src[..s.end].ends_with('\n'));
        other.push_str(&src[pos..s.start]);
        rebuilt.push_str(&src[pos..s.start]);
        rebuilt.push_str(&src[s.clone()]);
        pos = s.end;
    }
    other.push_str(&src[pos..]);
    rebuilt.push_str(&src[pos..]);
    prop_assert_eq!(&rebuilt, src);
    let rest = dotenv::parse(&other);
    prop_assert!(rest.entries.is_empty() && rest.errors.is_empty());
    for e in &doc.entries {
        let alone = dotenv::parse(&src[e.span.clone()]);
        prop_assert_eq!(alone.entries.len(), 1);
        prop_assert_eq!(&alone.entries[0].value, &e.value);
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Well-formed files: entries written with correct quoting and escaping.

#[derive(Clone, Copy, Debug)]
enum Quote {
    None,
    Single,
    Double,
}

#[derive(Clone, Debug)]
enum Line {
    Entry {
        lead: &'static str,
        export: &'static str,
        key: &'static str,
        eq: &'static str,
        /// Intended value; `\n` stands for the file's line ending when written literally.
        value: String,
        quote: Quote,
        /// Write newlines in double quotes as `\n` escapes instead of literally.
        escape_newlines: bool,
        /// Leave `$` unescaped (a hazard) in double-quoted and unquoted values.
        raw_dollar: bool,
        tail: &'static str,
    },
    Comment(String),
    Blank(&'static str),
}

fn value_strategy() -> impl Strategy<Value = String> {
    let ch = prop::sample::select(vec![
        "a", "Z", "0", "_", " ", " ", "#", "'", "\"", "\\", "é", "漢", "🦀", "=", "\n", "$", "{",
        "}", "-", "\u{a0}", "\t", "x",
    ]);
    prop::collection::vec(ch, 0..12).prop_map(|v| v.concat())
}

fn line_strategy() -> impl Strategy<Value = Line> {
    let entry = (
        prop::sample::select(vec!["", "", "  ", "\t"]),
        prop::sample::select(vec!["", "", "", "export ", "export  "]),
        prop::sample::select(vec!["A", "B_2", "db.url", "_x", "export", "K"]),
        prop::sample::select(vec!["=", "=", " = ", "= ", " ="]),
        value_strategy(),
        prop::sample::select(vec![Quote::None, Quote::Single, Quote::Double]),
        any::<bool>(),
        prop::bool::weighted(0.15),
        prop::sample::select(vec!["", "", "  ", " # note", "\t# x y", "   # z"]),
    )
        .prop_map(
            |(lead, export, key, eq, value, quote, escape_newlines, raw_dollar, tail)| {
                Line::Entry {
                    lead,
                    export,
                    key,
                    eq,
                    value,
                    quote,
                    escape_newlines,
                    raw_dollar,
                    tail,
                }
            },
        );
    prop_oneof![
        6 => entry,
        1 => ("[ \t]{0,2}", "[a-z '\"$=\\\\#]{0,10}").prop_map(|(w, t)| Line::Comment(format!("{w}#{t}"))),
        1 => prop::sample::select(vec!["", "  ", "\t\t"]).prop_map(Line::Blank),
    ]
}

struct Rendered {
    src: String,
    /// (key, value, exported, hazard expected)
    expected: Vec<(String, String, bool, bool)>,
}

fn render(lines: &[Line], crlf: bool, final_newline: bool) -> Rendered {
    let nl = if crlf { "\r\n" } else { "\n" };
    let mut src = String::new();
    let mut expected = Vec::new();
    for line in lines {
        match line {
            Line::Comment(text) => src.push_str(text),
            Line::Blank(ws) => src.push_str(ws),
            Line::Entry {
                lead,
                export,
                key,
                eq,
                value,
                quote,
                escape_newlines,
                raw_dollar,
                tail,
            } => {
                let mut quote = *quote;
                let single_ok = !value.contains('\'') && !value.ends_with('\\');
                let bare_ok = !value.starts_with('#')
                    && !value.ends_with(' ')
                    && !value.contains(['\t', '\u{a0}']);
                if matches!(quote, Quote::Single) && !single_ok
                    || matches!(quote, Quote::None) && !bare_ok
                {
                    quote = Quote::Double;
                }
                // `K= ` alone would end in a single space (see the whitespace quirk).
                let eq = if value.is_empty() && matches!(quote, Quote::None) {
                    "="
                } else {
                    eq
                };
                src.push_str(lead);
                src.push_str(export);
                src.push_str(key);
                src.push_str(eq);
                let mut hazard = false;
                let mut want = String::new();
                match quote {
                    Quote::Single => {
                        src.push('\'');
                        src.push_str(&value.replace('\n', nl));
                        src.push('\'');
                        want = value.replace('\n', nl);
                    }
                    Quote::Double | Quote::None => {
                        let double = matches!(quote, Quote::Double);
                        if double {
                            src.push('"');
                        }
                        for c in value.chars() {
                            match c {
                                '\\' | '"' => {
                                    src.push('\\');
                                    src.push(c);
                                }
                                '\'' | ' ' if !double => {
                                    src.push('\\');
                                    src.push(c);
                                }
                                '$' if *raw_dollar => {
                                    hazard = true;
                                    src.push('$');
                                }
                                '$' => src.push_str("\\$"),
                                '\n' if double && !escape_newlines => {
                                    src.push_str(nl);
                                    want.push_str(nl);
                                    continue;
                                }
                                '\n' => src.push_str("\\n"),
                                _ => src.push(c),
                            }
                            want.push(c);
                        }
                        if double {
                            src.push('"');
                        }
                    }
                }
                src.push_str(tail);
                expected.push((key.to_string(), want, !export.is_empty(), hazard));
            }
        }
        src.push_str(nl);
    }
    if !final_newline && !src.is_empty() {
        src.truncate(src.len() - nl.len());
    }
    Rendered { src, expected }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn well_formed_files_read_as_written_and_as_dotenvy_reads_them(
        lines in prop::collection::vec(line_strategy(), 0..12),
        crlf in any::<bool>(),
        final_newline in any::<bool>(),
    ) {
        let Rendered { src, expected } = render(&lines, crlf, final_newline);
        let doc = dotenv::parse(&src);
        prop_assert!(doc.errors.is_empty(), "{:?}\n{:?}", src, doc.errors);
        let got: Vec<(String, String, bool, bool)> = doc
            .entries
            .iter()
            .map(|e| (e.key.clone(), e.value.clone(), e.exported, e.hazard.is_some()))
            .collect();
        prop_assert_eq!(&got, &expected, "{:?}", src);

        if doc.entries.iter().all(|e| e.hazard.is_none()) {
            let theirs: Result<Vec<(String, String)>, _> =
                dotenvy::from_read_iter(src.as_bytes()).collect();
            let theirs = theirs.expect("dotenvy reads a file we read without errors");
            let ours: Vec<(String, String)> =
                doc.entries.iter().map(|e| (e.key.clone(), e.value.clone())).collect();
            prop_assert_eq!(ours, theirs, "{:?}", src);
        }
        same_as_dotenvy(&src, &doc)?;
        spans_are_lossless(&src, &doc)?;
    }
}

// ---------------------------------------------------------------------------
// Arbitrary files: token soup that exercises dotenvy's quirks and its errors.

fn soup_line() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        "a", "b9", "é", " ", " ", "\t", "=", "'", "'", "\"", "\"", "\\", "\\", "#", "$", "{", "}",
        "n", "-", "\u{a0}", "\u{2003}", "\r", "\n", "\r\n", "$x", "${y}", ".",
    ]);
    (
        prop::sample::select(vec!["", "", " ", "export ", "export", "#"]),
        prop::sample::select(vec!["A", "b.c", "export", "_", "1", "", "K"]),
        prop::sample::select(vec!["=", "=", "=", " = ", ""]),
        prop::collection::vec(token, 0..10),
        prop::sample::select(vec!["\n", "\n", "\r\n", ""]),
    )
        .prop_map(|(pre, key, eq, soup, end)| format!("{pre}{key}{eq}{}{end}", soup.concat()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn arbitrary_files_split_and_read_like_dotenvy(
        lines in prop::collection::vec(soup_line(), 0..8),
    ) {
        let src = lines.concat();
        let doc = dotenv::parse(&src);
        same_as_dotenvy(&src, &doc)?;
        spans_are_lossless(&src, &doc)?;
    }
}
