//! Masked views of dotenv files, for `migrate --dry-run`.
//!
//! A masked view keeps one line per physical line (so diff line numbers match
//! the real file) and every key, `export` prefix and quote style, but not one
//! character of any value: `KEY='********'`. Comment lines are kept, except
//! that anything after an `=` (a commented-out old value) is masked and a
//! comment that looks like a secret is masked whole. Line ends are shown as
//! `\n` whatever the file uses; the real files keep theirs.

use similar::TextDiff;
use tokenspec_core::dotenv::{self, Entry};
use tokenspec_core::format::looks_like_secret;

/// What stands in for a value.
pub const MASK: &str = "********";

/// What stands in for a key that looks like a secret or is not a variable name.
pub const KEY_MASK: &str = "<key not shown>=";

/// The masked view of a dotenv text.
pub fn mask(text: &str) -> String {
    let doc = dotenv::parse(text);
    let mut spans: Vec<(std::ops::Range<usize>, Option<&Entry>)> = doc
        .entries
        .iter()
        .map(|e| (e.span.clone(), Some(e)))
        .chain(doc.errors.iter().map(|e| (e.span.clone(), None)))
        .collect();
    spans.sort_by_key(|(s, _)| s.start);
    let mut out = String::new();
    let mut pos = 0;
    for (span, entry) in spans {
        mask_other(&text[pos..span.start], &mut out);
        let piece = &text[span.clone()];
        match entry {
            Some(e) => mask_entry(piece, e, &mut out),
            // Only reachable for files that failed to parse, which are never diffed.
            None => piece
                .lines()
                .for_each(|_| out.push_str("<unreadable line>\n")),
        }
        pos = span.end;
    }
    mask_other(&text[pos..], &mut out);
    out
}

/// A unified diff of the masked views of a file before and after.
pub fn masked_diff(name: &str, before: Option<&str>, after: &str) -> String {
    let old = before.map(mask).unwrap_or_default();
    let new = mask(after);
    let old_header = match before {
        Some(_) => format!("a/{name}"),
        None => "/dev/null".to_owned(),
    };
    TextDiff::from_lines(&old, &new)
        .unified_diff()
        .context_radius(3)
        .header(&old_header, &format!("b/{name}"))
        .to_string()
}

/// `KEY=` with the quote style of the value and [`MASK`] for its text, then
/// one masked line per further physical line of a multi-line value.
fn mask_entry(text: &str, e: &Entry, out: &mut String) {
    let first = text.lines().next().unwrap_or("");
    // Before the first `=` there is only whitespace, `export` and the key.
    let eq = first.find('=').map_or(first.len(), |i| i + 1);
    let value = first[eq..].trim_start();
    let prefix = &first[..first.len() - value.len()];
    let quote = match value.chars().next() {
        Some(q @ ('\'' | '"')) => q.to_string(),
        _ => String::new(),
    };
    // A key that looks like a secret (a value pasted on a line of its own)
    // is masked too; the diff's line numbers still place it.
    let shown = crate::is_shown_key(&e.key);
    out.push_str(if shown { prefix } else { KEY_MASK });
    out.push_str(&quote);
    if !e.value.is_empty() {
        out.push_str(MASK);
    }
    out.push_str(&quote);
    out.push('\n');
    // Naming the key keeps the diff from pairing lines of different values.
    for _ in 1..text.lines().count() {
        let key = if shown {
            e.key.as_str()
        } else {
            "a key not shown"
        };
        out.push_str(&format!("{MASK} ({key}, continued)\n"));
    }
}

/// Comments and blank lines.
fn mask_other(text: &str, out: &mut String) {
    for line in text.lines() {
        let line = line.trim_start_matches('\u{feff}');
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            out.push('\n');
            continue;
        }
        if !trimmed.starts_with('#') {
            // Only a parse error leaves such text; never diffed.
            out.push_str("<unreadable line>\n");
            continue;
        }
        let kept = match line.find('=') {
            Some(i) if !line[i + 1..].trim().is_empty() => &line[..=i],
            _ => line,
        };
        if looks_like_secret(kept).is_some() {
            let indent = &line[..line.len() - trimmed.len()];
            out.push_str(indent);
            out.push_str("# ");
            out.push_str(MASK);
        } else {
            out.push_str(kept);
            if kept.len() < line.len() {
                out.push_str(MASK);
            }
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_looking_keys_are_masked() {
        let m = mask("LEAKZZQ15dGhpcyBpcyBhIHNlY3JldA==\nA=1\n");
        assert_eq!(m, "<key not shown>=********\nA=********\n");
    }

    #[test]
    fn values_are_masked_keys_and_quotes_kept() {
        let src = "# head\r\nexport A='sec ret' # note\r\nB=\"x\ny\"\nC=\nD=''\n\n  E = plain";
        assert_eq!(
            mask(src),
            "# head\nexport A='********'\nB=\"********\"\n******** (B, continued)\nC=\nD=''\n\n  E = ********\n"
        );
    }

    #[test]
    fn commented_out_values_are_masked() {
        let gh = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
        let src = format!("#OLD_TOKEN=hunter2\n# keep me = \n  # note {gh}\n# fine\n");
        let m = mask(&src);
        assert_eq!(
            m,
            "#OLD_TOKEN=********\n# keep me = \n  # ********\n# fine\n"
        );
    }

    #[test]
    fn diff_never_shows_a_value() {
        let d = masked_diff(".tokens", None, "TOK='v4lue-9'\n");
        assert_eq!(
            d,
            "--- /dev/null\n+++ b/.tokens\n@@ -0,0 +1 @@\n+TOK='********'\n"
        );
        let d = masked_diff(".env", Some("A=v4lue-9\nB=2\n"), "B=2\n");
        assert!(d.contains("-A=********\n"), "{d}");
        assert!(!d.contains("v4lue"));
    }
}
