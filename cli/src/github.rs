//! The GitHub Actions format: `$GITHUB_ENV` entries plus `::add-mask::` commands.
//!
//! Entries use the runner's multi-line syntax `NAME<<DELIM`, value lines,
//! `DELIM`. The runner ends a value at the first line equal to the
//! delimiter, so the delimiter is random and checked against every value:
//! a value can never inject a variable of its own (CVE-2020-15228).
//!
//! Masks go to stderr, not stdout: the workflow redirects stdout into the
//! `$GITHUB_ENV` file, where a command would be read as a bad entry, while
//! the runner parses workflow commands on every line a step writes to stdout
//! *or* stderr (actions/runner `ScriptHandler.cs` attaches an `OutputManager`
//! to both streams). The masks are registered while the step runs, before
//! the runner reads `$GITHUB_ENV` at the end of the step, so each value is
//! masked in every later log line, including the runner's own debug echo
//! of new variables.

use std::io::{self, Write};

/// Prefix of the random delimiter, as `@actions/core` writes it.
const DELIMITER_PREFIX: &str = "ghadelimiter_";

/// A delimiter occurring in no value. Fails only when the OS has no randomness.
pub fn delimiter<'a>(
    values: impl Iterator<Item = &'a str> + Clone,
) -> Result<String, getrandom::Error> {
    loop {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes)?;
        let mut d = String::with_capacity(DELIMITER_PREFIX.len() + 32);
        d.push_str(DELIMITER_PREFIX);
        for b in bytes {
            d.push(char::from_digit(u32::from(b >> 4), 16).expect("nibble"));
            d.push(char::from_digit(u32::from(b & 0xf), 16).expect("nibble"));
        }
        // Stricter than the runner's whole-line comparison: not even a substring.
        if !values.clone().any(|v| v.contains(&d)) {
            return Ok(d);
        }
    }
}

/// Writes one `$GITHUB_ENV` entry.
pub fn entry(out: &mut impl Write, name: &str, value: &str, delimiter: &str) -> io::Result<()> {
    writeln!(out, "{name}<<{delimiter}")?;
    out.write_all(value.as_bytes())?;
    writeln!(out, "\n{delimiter}")
}

/// Writes `::add-mask::` commands covering `value` in the job log.
///
/// The log is line based (the runner splits output at `\n`, `\r` and
/// `\r\n`), so a multi-line value is masked piece by piece; each piece is
/// escaped as workflow command data (`%`, CR, LF) so it reads back exactly.
pub fn masks(out: &mut impl Write, value: &str) -> io::Result<()> {
    for piece in value.split(['\n', '\r']).filter(|p| !p.is_empty()) {
        out.write_all(b"::add-mask::")?;
        write_escaped(out, piece)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Workflow command data escaping (`escapeData` in `@actions/core`).
fn write_escaped(out: &mut impl Write, data: &str) -> io::Result<()> {
    let mut rest = data;
    while let Some(i) = rest.find(['%', '\r', '\n']) {
        out.write_all(&rest.as_bytes()[..i])?;
        out.write_all(match rest.as_bytes()[i] {
            b'%' => b"%25",
            b'\r' => b"%0D",
            _ => b"%0A",
        })?;
        rest = &rest[i + 1..];
    }
    out.write_all(rest.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(f: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut v = Vec::new();
        f(&mut v).unwrap();
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn delimiter_is_random_hex_and_absent_from_values() {
        let values = ["a", "ghadelimiter_"];
        let d = delimiter(values.iter().copied()).unwrap();
        assert!(d.starts_with(DELIMITER_PREFIX));
        assert_eq!(d.len(), DELIMITER_PREFIX.len() + 32);
        assert!(d[DELIMITER_PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_hexdigit()));
        assert_ne!(d, delimiter(values.iter().copied()).unwrap());
    }

    #[test]
    fn entry_is_heredoc() {
        assert_eq!(text(|o| entry(o, "A", "x\ny", "D")), "A<<D\nx\ny\nD\n");
    }

    #[test]
    fn masks_each_line_escaped() {
        assert_eq!(
            text(|o| masks(o, "p%1\r\nsecond\n\nthird")),
            "::add-mask::p%251\n::add-mask::second\n::add-mask::third\n"
        );
    }
}
