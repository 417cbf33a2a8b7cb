//! References to secrets inside GitHub Actions expressions.
//!
//! An expression is the text between `${{` and `}}`, or a whole `if:`
//! value. A reference is `secrets.NAME`, `secrets['NAME']` (or `"NAME"`),
//! `github.token` or `github['token']`; context names are matched without
//! regard to case, as GitHub does. Text inside a string literal is not a
//! reference, and neither is `x.secrets.NAME` (a property of something else).

use std::ops::Range;

/// Which context a reference reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Word {
    /// `secrets…`
    Secrets,
    /// `github.token`
    Github,
}

impl Word {
    pub fn text(self) -> &'static str {
        match self {
            Word::Secrets => "secrets",
            Word::Github => "github",
        }
    }
}

/// One reference found in a scalar's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The secret's name as written (`GITHUB_TOKEN` for `github.token`), or
    /// `None` for an index that is not a literal (`secrets[matrix.name]`).
    pub name: Option<String>,
    /// For an index that is not a literal: its expression text.
    pub index: Option<String>,
    pub word: Word,
    /// Byte offset of the context word in the value.
    pub offset: usize,
}

/// The byte ranges of the expressions in `value`: inside each `${{ … }}`
/// (to the end of the value when one is not closed).
pub fn expressions(value: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = value[from..].find("${{") {
        let start = from + i + 3;
        let end = close(value, start);
        out.push(start..end);
        from = (end + 2).min(value.len());
        if end >= value.len() {
            break;
        }
    }
    out
}

/// Where the expression starting at `start` ends: the first `}}` outside a
/// string literal.
fn close(value: &str, start: usize) -> usize {
    let b = value.as_bytes();
    let mut i = start;
    while i < b.len() {
        match b[i] {
            b'\'' => i = skip_string(b, i),
            b'}' if b.get(i + 1) == Some(&b'}') => return i,
            _ => i += 1,
        }
    }
    b.len()
}

/// The index after the string literal opening at `i` (`''` is a quote).
fn skip_string(b: &[u8], i: usize) -> usize {
    let quote = b[i];
    let mut j = i + 1;
    while j < b.len() {
        if b[j] == quote {
            if b.get(j + 1) == Some(&quote) {
                j += 2;
                continue;
            }
            return j + 1;
        }
        j += 1;
    }
    b.len()
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// The references in `value`: in its `${{ … }}` expressions, or, when
/// `implicit` (an `if:` without `${{`), in the whole value.
pub fn references(value: &str, implicit: bool) -> Vec<Found> {
    let mut out = Vec::new();
    if implicit && !value.contains("${{") {
        scan(value, 0..value.len(), &mut out);
    } else {
        for range in expressions(value) {
            scan(value, range, &mut out);
        }
    }
    out
}

/// Whether `value` holds a reference at all (cheap pre-check).
pub fn may_reference(value: &str) -> bool {
    value.contains("${{")
}

fn scan(value: &str, range: Range<usize>, out: &mut Vec<Found>) {
    let b = value.as_bytes();
    let mut i = range.start;
    let end = range.end;
    while i < end {
        let c = b[i];
        if c == b'\'' {
            i = skip_string(&b[..end], i);
            continue;
        }
        if !(c.is_ascii_alphabetic() || c == b'_') {
            i += 1;
            continue;
        }
        // An identifier; a property (`a.secrets`) is not a context.
        let start = i;
        while i < end && is_ident(b[i]) {
            i += 1;
        }
        let after_dot = start > range.start && b[start - 1] == b'.';
        if after_dot {
            continue;
        }
        let word = &value[start..i];
        let found = if word.eq_ignore_ascii_case("secrets") {
            property(value, i, end).map(|(name, index, next)| {
                i = next;
                Found {
                    name,
                    index,
                    word: Word::Secrets,
                    offset: start,
                }
            })
        } else if word.eq_ignore_ascii_case("github") {
            match property(value, i, end) {
                Some((Some(p), _, next)) if p.eq_ignore_ascii_case("token") => {
                    i = next;
                    Some(Found {
                        name: Some("GITHUB_TOKEN".to_owned()),
                        index: None,
                        word: Word::Github,
                        offset: start,
                    })
                }
                _ => None,
            }
        } else {
            None
        };
        out.extend(found);
    }
}

/// The property read at `i` (just after a context name): `.name`,
/// `['name']`, `["name"]`, or `[expression]` (name `None`, its text as the
/// index); with the index after it.
fn property(value: &str, i: usize, end: usize) -> Option<(Option<String>, Option<String>, usize)> {
    let b = value.as_bytes();
    match b.get(i)? {
        b'.' if i < end => {
            let start = i + 1;
            let mut j = start;
            while j < end && is_ident(b[j]) {
                j += 1;
            }
            (j > start).then(|| (Some(value[start..j].to_owned()), None, j))
        }
        b'[' if i < end => {
            let mut j = i + 1;
            while j < end && b[j] == b' ' {
                j += 1;
            }
            if j < end && (b[j] == b'\'' || b[j] == b'"') {
                let quote = b[j];
                let close = skip_string(&b[..end], j);
                if close > end || b[close - 1] != quote {
                    return None;
                }
                let name = value[j + 1..close - 1].replace(
                    if quote == b'\'' { "''" } else { "\"\"" },
                    if quote == b'\'' { "'" } else { "\"" },
                );
                let mut k = close;
                while k < end && b[k] == b' ' {
                    k += 1;
                }
                if k < end && b[k] == b']' {
                    return Some((Some(name), None, k + 1));
                }
                return None;
            }
            // A computed index: up to the matching `]`.
            let mut depth = 1;
            let start = j;
            while j < end {
                match b[j] {
                    b'[' => depth += 1,
                    b']' => {
                        depth -= 1;
                        if depth == 0 {
                            let index = value[start..j].trim().to_owned();
                            return Some((None, Some(index), j + 1));
                        }
                    }
                    b'\'' => {
                        j = skip_string(&b[..end], j);
                        continue;
                    }
                    _ => {}
                }
                j += 1;
            }
            None
        }
        _ => None,
    }
}

/// The byte offsets of each occurrence of `word` (ASCII, any case) in
/// `text`, not overlapping. Searched in a lower-case copy with the
/// standard substring search (a byte-by-byte compare was a tenth of
/// reading the workflows).
pub fn word_offsets(text: &str, word: &str) -> Vec<usize> {
    if word.is_empty() {
        return Vec::new();
    }
    let lower = text.to_ascii_lowercase();
    let word = word.to_ascii_lowercase();
    lower.match_indices(&word).map(|(i, _)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(value: &str, implicit: bool) -> Vec<String> {
        references(value, implicit)
            .into_iter()
            .map(|f| match (f.name, f.index) {
                (Some(n), _) => n,
                (None, Some(i)) => format!("[{i}]"),
                (None, None) => unreachable!(),
            })
            .collect()
    }

    #[test]
    fn every_form() {
        assert_eq!(names("${{ secrets.A_1 }}", false), ["A_1"]);
        assert_eq!(
            names("${{ secrets['B'] }} ${{ secrets[\"C\"] }}", false),
            ["B", "C"]
        );
        assert_eq!(
            names("x ${{ github.token }} ${{ GitHub.Token }}", false),
            ["GITHUB_TOKEN", "GITHUB_TOKEN"]
        );
        assert_eq!(names("${{ github['token'] }}", false), ["GITHUB_TOKEN"]);
        assert_eq!(names("${{ SECRETS.D || secrets.E }}", false), ["D", "E"]);
        assert_eq!(
            names("${{ secrets[matrix.name] }}", false),
            ["[matrix.name]"]
        );
        assert_eq!(names("${{ format('{0}', secrets.F) }}", false), ["F"]);
    }

    #[test]
    fn not_references() {
        assert!(names("secrets.A outside", false).is_empty());
        assert!(names("${{ 'secrets.A' }}", false).is_empty());
        assert!(names("${{ steps.secrets.outputs.x }}", false).is_empty());
        assert!(names("${{ github.sha }} ${{ github.token_x }}", false).is_empty());
        assert!(names("${{ mysecrets.A }}", false).is_empty());
        assert!(names("${{ toJSON(secrets) }}", false).is_empty());
    }

    #[test]
    fn implicit_if() {
        assert_eq!(names("secrets.A != ''", true), ["A"]);
        assert_eq!(names("${{ secrets.A }} == 'x' && secrets.B", true), ["A"]);
        assert!(names("secrets.A != ''", false).is_empty());
    }

    #[test]
    fn unclosed_and_strings_with_braces() {
        assert_eq!(names("${{ secrets.A", false), ["A"]);
        assert_eq!(
            names("${{ format('}}', secrets.B) }} ${{ secrets.C }}", false),
            ["B", "C"]
        );
    }

    #[test]
    fn counts() {
        assert_eq!(word_offsets("Secrets secrets SECRETS", "secrets").len(), 3);
        assert_eq!(word_offsets("a github b GITHUB", "github"), [2, 11]);
    }
}
