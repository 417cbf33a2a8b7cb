//! Errors that point into the spec file: `--> token-spec.toml:LINE:COL`,
//! the offending line and a caret, like rustc.

use std::fmt;
use std::ops::Range;

use tokenspec_core::format::looks_like_secret;

/// One problem at a place in the spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub message: String,
    /// Byte range in the spec source.
    pub span: Range<usize>,
    /// Text under the caret.
    pub label: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
    /// Hide the text under the span when showing the line (it may be a live secret).
    pub masked: bool,
}

impl Diagnostic {
    pub fn new(message: impl Into<String>, span: Range<usize>) -> Self {
        Diagnostic {
            message: message.into(),
            span,
            label: None,
            help: None,
            masked: false,
        }
    }

    /// Shows the spanned text as `*`s: for values that look like real secrets.
    pub fn masked(mut self) -> Self {
        self.masked = true;
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// 1-based line and column (in characters) of byte `offset` in `src`.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(src, offset.min(src.len()));
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, src[line_start..offset].chars().count() + 1)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Every problem found in one spec file, rendered together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostics {
    /// The path as the user wrote it (shown after `-->`).
    pub file: String,
    pub source: String,
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// `file:LINE:COL` of one diagnostic.
    pub fn location(&self, d: &Diagnostic) -> String {
        let (line, col) = line_col(&self.source, d.span.start);
        format!("{}:{line}:{col}", self.file)
    }

    /// Renders one diagnostic: its message, then its location, source line
    /// and caret, and its `= help:` note. No `error:` before the message:
    /// the caller's error path adds it (rustc does for the macro).
    pub fn render(&self, d: &Diagnostic) -> String {
        let (line, col) = line_col(&self.source, d.span.start);
        let raw = self
            .source
            .lines()
            .nth(line - 1)
            .unwrap_or("")
            .trim_end_matches('\r');
        let text = if d.masked {
            mask_span(
                raw,
                col,
                &self.source[d.span.start..d.span.end.min(self.source.len())],
            )
        } else {
            raw.to_owned()
        };
        // Whatever the diagnostic is about, no secret-looking string on the
        // shown line (another key's `ci_value`, a pasted token in a comment)
        // leaves through it.
        let text = mask_secrets(&text);
        let width = line.to_string().len();
        let pad = " ".repeat(width);
        // The caret covers the span, clipped to its first line.
        let line_chars = text.chars().count();
        let span_chars = self.source
            [d.span.start.min(self.source.len())..d.span.end.min(self.source.len())]
            .lines()
            .next()
            .map_or(1, |s| s.chars().count().max(1));
        let carets = span_chars.min(line_chars.saturating_sub(col - 1).max(1));
        let mut out = format!(
            "{}\n{pad}--> {}:{line}:{col}\n{pad} |\n{line} | {text}\n{pad} | {}{}",
            mask_secrets(&d.message),
            self.file,
            " ".repeat(col - 1),
            "^".repeat(carets)
        );
        if let Some(label) = &d.label {
            out.push(' ');
            out.push_str(&mask_secrets(label));
        }
        if let Some(help) = &d.help {
            out.push_str(&format!("\n{pad} = help: {}", mask_secrets(help)));
        }
        out
    }
}

/// `line` with the characters of `spanned` (starting at 1-based `col`) replaced
/// by `*`, keeping surrounding quotes so the line still reads as TOML.
fn mask_span(line: &str, col: usize, spanned: &str) -> String {
    let first_line = spanned.lines().next().unwrap_or("");
    let n = first_line.chars().count();
    let quoted = n >= 2 && (first_line.starts_with('"') || first_line.starts_with('\''));
    line.chars()
        .enumerate()
        .map(|(i, c)| {
            let k = i + 1;
            let inside = k >= col && k < col + n;
            let is_quote = quoted && (k == col || k == col + n - 1);
            if inside && !is_quote {
                '*'
            } else {
                c
            }
        })
        .collect()
}

/// `text` with every secret-looking string replaced by `*`s of the same
/// length (so columns and carets stay put): the contents of each quoted
/// string, and each run of other characters between spaces and TOML
/// punctuation, as judged by [`looks_like_secret`].
pub fn mask_secrets(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = chars.clone();
    let mut mask = |from: usize, to: usize| {
        let piece: String = chars[from..to].iter().collect();
        if looks_like_secret(&piece).is_some() {
            out[from..to].iter_mut().for_each(|c| *c = '*');
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '"' || c == '\'' {
            // A quoted string: up to the matching quote (a `\"` in a basic string is not one).
            let mut j = i + 1;
            while j < chars.len() && chars[j] != c {
                j += if c == '"' && chars[j] == '\\' { 2 } else { 1 };
            }
            let end = j.min(chars.len());
            mask(i + 1, end);
            i = end + 1;
        } else if c.is_whitespace() || ",{}[]`".contains(c) {
            i += 1;
        } else {
            let mut j = i;
            while j < chars.len() && !(chars[j].is_whitespace() || ",{}[]`\"'".contains(chars[j])) {
                j += 1;
            }
            mask(i, j);
            i = j;
        }
    }
    out.into_iter().collect()
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.items.iter().enumerate() {
            if i > 0 {
                f.write_str("\n\n")?;
            }
            f.write_str(&self.render(d))?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl tokenspec_core::Help for Diagnostics {
    /// None: each diagnostic renders its own `= help:` note under its caret.
    fn help(&self) -> Option<String> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column() {
        let src = "a = 1\nname = \"X\"\n";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 6), (2, 1));
        assert_eq!(line_col(src, 13), (2, 8));
    }

    #[test]
    fn masked_span_hides_the_value() {
        let src = "ci_value = \"ghp_secretvalue\"\n";
        let ds = Diagnostics {
            file: "t.toml".into(),
            source: src.into(),
            items: vec![Diagnostic::new("looks real", 11..28).masked()],
        };
        let out = ds.to_string();
        assert!(!out.contains("secretvalue"), "{out}");
        assert!(out.contains("ci_value = \"***************\""), "{out}");
    }

    #[test]
    fn every_secret_on_the_shown_line_is_masked() {
        let gh = format!("ghp_{}", "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6");
        let src = format!(
            "token = [ {{ name = \"AAR_TOKEN\", class = \"cicd\", description = \"d\", ci_value = \"{gh}\", typo = 1 }} ]\n# pasted: {gh}\n"
        );
        let at = src.find("typo").unwrap();
        let comment = src.find("# pasted").unwrap();
        let ds = Diagnostics {
            file: "token-spec.toml".into(),
            source: src.clone(),
            items: vec![
                Diagnostic::new("unknown key `typo` in a [[token]]", at..at + 4),
                Diagnostic::new(format!("a key `{gh}`"), comment..comment + 1)
                    .help(format!("not {gh}")),
            ],
        };
        let out = ds.to_string();
        assert!(!out.contains(&gh), "{out}");
        assert!(!out.contains(&gh[4..20]), "{out}");
        assert!(
            out.contains("name = \"AAR_TOKEN\""),
            "the rest of the line stays: {out}"
        );
        assert!(
            out.contains(&format!("ci_value = \"{}\"", "*".repeat(gh.len()))),
            "{out}"
        );
        let caret_line = out.lines().nth(4).unwrap();
        assert_eq!(
            caret_line.find('^'),
            Some(at + 4),
            "the caret still points at `typo`: {out}"
        );
    }

    #[test]
    fn ordinary_text_is_not_masked() {
        let line = r#"format = "discord_client_secret" # CHANGE_ME_DISCORD_CLIENT_SECRET ci_test_aar_token"#;
        assert_eq!(mask_secrets(line), line);
    }

    #[test]
    fn renders_caret_under_span() {
        let src = "[[token]]\nname = \"bad-name\"\n";
        let ds = Diagnostics {
            file: "token-spec.toml".into(),
            source: src.into(),
            items: vec![Diagnostic::new("bad", 17..27).label("here").help("fix it")],
        };
        let out = ds.to_string();
        assert_eq!(
            out,
            "bad\n --> token-spec.toml:2:8\n  |\n2 | name = \"bad-name\"\n  |        ^^^^^^^^^^ here\n  = help: fix it"
        );
    }
}
