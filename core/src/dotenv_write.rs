//! Writing dotenv values so that `dotenvy` 0.15.7 (and [`crate::dotenv`])
//! read back exactly the string that was written.
//!
//! The rules come from dotenvy's two layers (`iter.rs` joins physical lines,
//! `parse.rs` reads one entry):
//!
//! - **Bare** values are trimmed, end at a space or tab, lose `\`, `'`, `"`
//!   and substitute `$`; a leading `#` makes them empty. Only a conservative
//!   set of characters is written bare.
//! - **Single quotes** are literal: no escapes, no substitution. They cannot
//!   hold a `'`, and the line joiner treats `\` as an escape even inside
//!   them, so a value ending in `\` would swallow the closing quote.
//! - **Double quotes** take the escapes `\\ \" \$ \n` and nothing else; `$`
//!   must be escaped because dotenvy substitutes inside double quotes.
//!
//! Every string is representable. dotenvy has no escape for `\r` or other
//! control characters, so those are written literally inside quotes, where
//! dotenvy keeps them byte for byte. A newline is always written as `\n`
//! (double quotes), so every entry is one physical line.

/// The dotenv spelling of `value`: bare when that is safe, else single
/// quotes, else double quotes with escapes.
pub fn quote_value(value: &str) -> String {
    if !value.is_empty() && value.chars().all(is_bare) {
        return value.to_owned();
    }
    if !value.contains(['\'', '\n']) && !value.ends_with('\\') {
        return format!("'{value}'");
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '$' => out.push_str("\\$"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One `KEY=value` line, without its line terminator. `key` must be an
/// environment variable name (see [`crate::def::is_env_name`]).
pub fn entry_line(key: &str, value: &str) -> String {
    debug_assert!(
        crate::def::is_env_name(key),
        "not an environment variable name: {key}"
    );
    format!("{key}={}", quote_value(value))
}

/// Characters that mean the same to dotenvy, POSIX shells and people when
/// unquoted.
fn is_bare(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_-./:@+,=%".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dotenvy_reads(text: &str) -> Vec<(String, String)> {
        dotenvy::from_read_iter(text.as_bytes())
            .collect::<Result<_, _>>()
            .expect("dotenvy parses what we write")
    }

    fn round_trip(value: &str) {
        let line = entry_line("K", value);
        let text = format!("{line}\n");
        assert_eq!(
            dotenvy_reads(&text),
            [("K".to_owned(), value.to_owned())],
            "written as {line:?}"
        );
        let doc = crate::dotenv::parse(&text);
        assert!(doc.errors.is_empty(), "{line:?}: {:?}", doc.errors);
        assert_eq!(doc.entries.len(), 1, "{line:?}");
        assert_eq!(doc.entries[0].value, value, "{line:?}");
        assert_eq!(doc.entries[0].hazard, None, "{line:?}");
    }

    #[test]
    fn chooses_the_plainest_spelling() {
        assert_eq!(quote_value("ci_test_aar_token"), "ci_test_aar_token");
        assert_eq!(
            quote_value("https://x.example/a?b=c"),
            "'https://x.example/a?b=c'"
        );
        assert_eq!(quote_value(""), "''");
        assert_eq!(quote_value("pa$word"), "'pa$word'");
        assert_eq!(quote_value("a b # c"), "'a b # c'");
        assert_eq!(quote_value("it's"), "\"it's\"");
        assert_eq!(quote_value("ends\\"), "\"ends\\\\\"");
        assert_eq!(
            quote_value("two\nlines $X \"q\""),
            "\"two\\nlines \\$X \\\"q\\\"\""
        );
    }

    #[test]
    fn awkward_values_round_trip() {
        for v in [
            "",
            " ",
            "#not a comment",
            "a #b",
            "pa$word",
            "$(whoami)",
            "${HOME}",
            "it's",
            "\\",
            "a\\",
            "a\\'b",
            "'",
            "\"",
            "back\\slash",
            "line\nbreak",
            "\n",
            "cr\rhere",
            "crlf\r\n",
            "\r",
            "tab\there",
            "\u{feff}bom",
            "\u{a0}nbsp\u{a0}",
            "export X=1",
            "=",
            "ü€😀",
        ] {
            round_trip(v);
        }
    }

    #[test]
    fn several_entries_stay_separate() {
        let values = ["a'b", "x\ny", "c\\", "d\r", "$e"];
        let text: String = values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{}\n", entry_line(&format!("K{i}"), v)))
            .collect();
        let read = dotenvy_reads(&text);
        let want: Vec<_> = values
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("K{i}"), v.to_string()))
            .collect();
        assert_eq!(read, want);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn any_string_round_trips(v in "[^\u{0}]*") {
            round_trip(&v);
        }

        #[test]
        fn punctuation_heavy_strings_round_trip(v in "[ a'\"\\\\$#=\\n\\r\\t{}()`!]{0,12}") {
            round_trip(&v);
        }
    }
}
