//! Quoting a value so that a shell reads back exactly its bytes.
//!
//! Each function returns the value as one literal token of its language;
//! nothing inside it is expanded, globbed or split, whatever it holds
//! (quotes, `$()`, backticks, backslashes, newlines, leading dashes, `*?[`).

/// POSIX shell (bash, dash, zsh, ksh): single quotes, where nothing is
/// special except `'` itself, written as `'\''` (close, escaped quote, reopen).
pub fn sh(value: &str, out: &mut String) {
    out.reserve(value.len() + 2);
    out.push('\'');
    // Most values hold no quote: copied whole.
    if !value.contains('\'') {
        out.push_str(value);
        out.push('\'');
        return;
    }
    for c in value.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
}

/// fish: single quotes, where only `\\` and `\'` are escapes.
pub fn fish(value: &str, out: &mut String) {
    out.reserve(value.len() + 2);
    out.push('\'');
    if !value.contains(['\\', '\'']) {
        out.push_str(value);
        out.push('\'');
        return;
    }
    for c in value.chars() {
        if c == '\\' || c == '\'' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
}

/// PowerShell: a verbatim single-quoted string, where a quote is doubled.
/// PowerShell also accepts the typographic single quotes U+2018–U+201B as
/// quote characters, so those are doubled too.
pub fn pwsh(value: &str, out: &mut String) {
    out.reserve(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(f: fn(&str, &mut String), v: &str) -> String {
        let mut s = String::new();
        f(v, &mut s);
        s
    }

    #[test]
    fn sh_closes_and_reopens_around_quotes() {
        assert_eq!(q(sh, "it's"), r"'it'\''s'");
        assert_eq!(q(sh, "$(id) `id` \\n"), "'$(id) `id` \\n'");
        assert_eq!(q(sh, ""), "''");
    }

    #[test]
    fn fish_escapes_backslash_and_quote() {
        assert_eq!(q(fish, r"a\b'c"), r"'a\\b\'c'");
        assert_eq!(q(fish, "$x (y)"), "'$x (y)'");
    }

    #[test]
    fn pwsh_doubles_every_single_quote_form() {
        assert_eq!(q(pwsh, "it's"), "'it''s'");
        assert_eq!(q(pwsh, "a\u{2019}b"), "'a\u{2019}\u{2019}b'");
        assert_eq!(q(pwsh, "$env:X `n"), "'$env:X `n'");
    }
}
