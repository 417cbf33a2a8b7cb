//! A lossless, comment-preserving dotenv parser.
//!
//! It reads every value exactly as `dotenvy` 0.15.7 does (`dotenvy::from_read_iter`
//! plus the BOM skip that `dotenvy::from_path` performs), with one deliberate
//! difference: `$` is an ordinary character. `dotenvy` substitutes `$NAME` and
//! `${NAME}` in unquoted and double-quoted values, which silently changes secrets
//! such as `pa$word`; wherever it would, the entry carries a [`Hazard`].
//!
//! The parser mirrors `dotenvy`'s two layers:
//!
//! 1. joining physical lines into logical lines (`QuotedLines` / `eval_end_state`
//!    in `dotenvy/src/iter.rs`), which decides where an entry ends, strips an
//!    inline comment that follows a single whitespace character, and skips
//!    comment lines;
//! 2. parsing one logical line (`dotenvy/src/parse.rs`): key, `export` prefix,
//!    `=`, and the value with its quotes and escapes.
//!
//! Both layers work on slices of the source, so every byte belongs either to
//! exactly one [`Entry::span`] or [`ParseError::span`], or to "other" text
//! (comments, blank lines, the BOM). The parse never stops at a bad line.
//!
//! Architecture invariant: no value text ever reaches `Debug` output or an
//! error message.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

/// A parsed dotenv file. Every byte of the source is either inside exactly one
/// `Entry::span` or is "other" text (comments, blank lines, unparseable lines).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub entries: Vec<Entry>,
    pub errors: Vec<ParseError>,
}

#[derive(Clone, PartialEq, Eq)] // Debug implemented by hand: never print `value`
pub struct Entry {
    pub key: String,
    /// The value exactly as dotenvy would read it if dotenvy did no `$` substitution:
    /// quotes removed, escapes processed, multi-line values joined.
    pub value: String,
    /// 1-based line number where the entry starts.
    pub line: usize,
    /// Byte range of the entry's whole text in the source: from the start of its first
    /// line through the end of its last line INCLUDING that line's terminator (`\n` or `\r\n`)
    /// when present. Includes any `export ` prefix, leading whitespace and inline comment.
    pub span: Range<usize>,
    /// Whether the line used the `export ` prefix.
    pub exported: bool,
    /// Set when dotenvy's `$` substitution would change or reject this value.
    pub hazard: Option<Hazard>,
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("key", &self.key)
            .field("value", &format_args!("<redacted>"))
            .field("line", &self.line)
            .field("span", &self.span)
            .field("exported", &self.exported)
            .field("hazard", &self.hazard)
            .finish()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hazard {
    /// dotenvy would silently substitute (an unescaped `$` outside single quotes), giving a different value.
    Substituted,
    /// dotenvy would fail to parse the line because of `$` (e.g. `P="pa$word"`), which we read fine.
    Rejected,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line where the bad entry starts.
    pub line: usize,
    /// Lowercase message without any part of the value.
    pub message: String,
    /// Byte range of the offending text (so lossless tools can keep it untouched).
    pub span: Range<usize>,
}

impl Document {
    /// The entries named `key`, in file order (duplicates are possible).
    /// A scan: for more than one lookup, build a [`KeyIndex`].
    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries.iter().filter(move |e| e.key == key)
    }
}

/// A document's entries by key, built once, so that every lookup is a hash
/// probe (a scan per key made loading and migrating quadratic). The one
/// place a key set twice is recognised: the loader, `migrate` and `check`
/// all ask it. The first entry of a key is the one that counts, as with
/// dotenvy; later ones are its repeats.
pub struct KeyIndex<'a> {
    first: std::collections::HashMap<&'a str, &'a Entry>,
    repeats: std::collections::HashMap<&'a str, Vec<&'a Entry>>,
}

impl<'a> KeyIndex<'a> {
    pub fn new(doc: &'a Document) -> Self {
        use std::collections::hash_map::Entry as Slot;
        let mut first = std::collections::HashMap::with_capacity(doc.entries.len());
        let mut repeats: std::collections::HashMap<&str, Vec<&Entry>> =
            std::collections::HashMap::new();
        for e in &doc.entries {
            match first.entry(e.key.as_str()) {
                Slot::Vacant(slot) => {
                    slot.insert(e);
                }
                Slot::Occupied(_) => repeats.entry(e.key.as_str()).or_default().push(e),
            }
        }
        KeyIndex { first, repeats }
    }

    /// The entry of `key` that counts: its first.
    pub fn first(&self, key: &str) -> Option<&'a Entry> {
        self.first.get(key).copied()
    }

    /// The later entries of `key`, in file order.
    pub fn repeats(&self, key: &str) -> &[&'a Entry] {
        self.repeats.get(key).map_or(&[], Vec::as_slice)
    }

    /// Every entry of `key`, in file order.
    pub fn all(&self, key: &str) -> impl Iterator<Item = &'a Entry> + '_ {
        self.first(key)
            .into_iter()
            .chain(self.repeats(key).iter().copied())
    }

    /// Each repeated entry with the first entry of its key, in file order.
    pub fn duplicates(
        &self,
        doc: &'a Document,
    ) -> impl Iterator<Item = (&'a Entry, &'a Entry)> + '_ {
        doc.entries.iter().filter_map(move |e| {
            let first = self.first(&e.key)?;
            (!std::ptr::eq(first, e)).then_some((first, e))
        })
    }
}

/// Parses a dotenv file. Never fails: bad lines become [`ParseError`]s.
pub fn parse(src: &str) -> Document {
    let mut doc = Document {
        entries: Vec::new(),
        errors: Vec::new(),
    };
    for item in Items::new(src) {
        match item {
            Item::Entry(e) => doc.entries.push(Entry {
                key: e.key.to_owned(),
                value: e.value.into_owned(),
                line: e.line,
                span: e.span,
                exported: e.exported,
                hazard: e.hazard,
            }),
            Item::Error(e) => doc.errors.push(e),
        }
    }
    doc
}

/// One entry as [`Items`] yields it, borrowing the source where it can:
/// the same fields as [`Entry`], the value owned only when quotes or
/// escapes made it differ from its text.
#[derive(Clone, PartialEq, Eq)] // Debug implemented by hand: never print `value`
pub struct EntryRef<'s> {
    pub key: &'s str,
    pub value: Cow<'s, str>,
    pub line: usize,
    pub span: Range<usize>,
    pub exported: bool,
    pub hazard: Option<Hazard>,
}

impl fmt::Debug for EntryRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EntryRef")
            .field("key", &self.key)
            .field("value", &format_args!("<redacted>"))
            .field("line", &self.line)
            .finish_non_exhaustive()
    }
}

/// What [`Items`] yields: an entry or a line it could not read.
#[derive(Debug)]
pub enum Item<'s> {
    Entry(EntryRef<'s>),
    Error(ParseError),
}

/// The parser itself, one entry or error at a time and in file order,
/// without copying keys or plain values: [`parse`] collects it into a
/// [`Document`], and the loader's fast path indexes a large file with it
/// without holding a copy of every entry.
pub struct Items<'s> {
    src: &'s str,
    pos: usize,
    line: usize,
    /// Whether [`Items::plain_line`] may read a line (off only in the test
    /// that holds it equal to the general path).
    plain_lines: bool,
}

impl<'s> Items<'s> {
    pub fn new(src: &'s str) -> Self {
        // `dotenvy::from_path` (but not `from_read_iter`) drops a UTF-8 BOM.
        let pos = if src.starts_with('\u{feff}') { 3 } else { 0 };
        Items {
            src,
            pos,
            line: 1,
            plain_lines: true,
        }
    }

    /// The most common line, `KEY=value\n` with nothing to interpret, read
    /// in one pass over its bytes: an ASCII key, `=`, and a value of
    /// printable ASCII with no quote, backslash, `#`, `$` or blank, then a
    /// newline. The general path reads it the same way (a proptest holds
    /// them equal); anything else is left to it.
    fn plain_line(&mut self) -> Option<EntryRef<'s>> {
        let src = self.src;
        let bytes = &src.as_bytes()[self.pos..];
        let first = *bytes.first()?;
        if !(first.is_ascii_alphabetic() || first == b'_') {
            return None;
        }
        let eq = bytes
            .iter()
            .position(|&b| PLAIN[usize::from(b)] & KEY == 0)?;
        if bytes[eq] != b'=' {
            return None;
        }
        let len = eq
            + 1
            + bytes[eq + 1..]
                .iter()
                .position(|&b| PLAIN[usize::from(b)] & VALUE == 0)?;
        if bytes[len] != b'\n' {
            return None;
        }
        let start = self.pos;
        let entry = EntryRef {
            key: &src[start..start + eq],
            value: Cow::Borrowed(&src[start + eq + 1..start + len]),
            line: self.line,
            span: start..start + len + 1,
            exported: false,
            hazard: None,
        };
        self.pos += len + 1;
        self.line += 1;
        Some(entry)
    }
}

/// [`Items::plain_line`]'s byte classes, a table so each byte costs one load.
const KEY: u8 = 1;
const VALUE: u8 = 2;
static PLAIN: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' {
            table[b] |= KEY;
        }
        if c.is_ascii_graphic() && !matches!(c, b'\'' | b'"' | b'\\' | b'#' | b'$') {
            table[b] |= VALUE;
        }
        b += 1;
    }
    table
};

impl<'s> Iterator for Items<'s> {
    type Item = Item<'s>;

    fn next(&mut self) -> Option<Item<'s>> {
        let src = self.src;
        while self.pos < src.len() {
            if self.plain_lines {
                if let Some(entry) = self.plain_line() {
                    return Some(Item::Entry(entry));
                }
            }
            let (pos, line) = (self.pos, self.line);
            let logical = read_logical(src, pos);
            let span = pos..logical.end;
            self.line += logical.newlines;
            self.pos = logical.end;
            match logical.text {
                Text::Comment => {}
                Text::Eof { state, open_at } => {
                    let message = match state {
                        JoinState::StrongOpen | JoinState::StrongOpenEscape => {
                            let at = position(src, pos, line, open_at);
                            format!("unterminated single quote (opened {at})")
                        }
                        JoinState::WeakOpen | JoinState::WeakOpenEscape => {
                            let at = position(src, pos, line, open_at);
                            format!("unterminated double quote (opened {at})")
                        }
                        JoinState::Escape => "backslash at the end of the file".to_owned(),
                        // `WhiteSpace`: dotenvy rejects a last line that ends in whitespace
                        // when the file has no final newline.
                        _ => "whitespace at the end of the file without a final newline".to_owned(),
                    };
                    return Some(Item::Error(ParseError {
                        line,
                        message,
                        span,
                    }));
                }
                Text::Line(text) => match parse_line(src, text) {
                    Ok(None) => {}
                    Ok(Some(p)) => {
                        return Some(Item::Entry(EntryRef {
                            key: p.key,
                            value: p.value,
                            line,
                            span,
                            exported: p.exported,
                            hazard: p.hazard,
                        }))
                    }
                    Err(e) => {
                        let mut message = match e.kind {
                            ErrorKind::Key => {
                                "expected a key (a letter or `_`, then letters, digits, `_` or `.`)"
                                    .to_owned()
                            }
                            ErrorKind::Equals => "expected `=` after the key".to_owned(),
                            ErrorKind::Escape => "invalid escape sequence".to_owned(),
                            ErrorKind::AfterSpace => {
                                "unquoted value continues after whitespace (quote the value)"
                                    .to_owned()
                            }
                            ErrorKind::Single => "unterminated single quote".to_owned(),
                            ErrorKind::Double => "unterminated double quote".to_owned(),
                        };
                        message.push(' ');
                        message.push_str(&position(src, pos, line, e.at));
                        if e.dotenvy_accepts {
                            message.push_str(" (dotenvy reads it only by substituting `$`)");
                        }
                        return Some(Item::Error(ParseError {
                            line,
                            message,
                            span,
                        }));
                    }
                },
            }
        }
        None
    }
}

/// "at column C", or "at line L, column C" when `at` is not on the entry's first line.
fn position(src: &str, start: usize, start_line: usize, at: usize) -> String {
    let before = &src[start..at];
    let newlines = before.bytes().filter(|&b| b == b'\n').count();
    let line_start = before.rfind('\n').map_or(start, |i| start + i + 1);
    let column = src[line_start..at].chars().count() + 1;
    if newlines == 0 {
        format!("at column {column}")
    } else {
        format!("at line {}, column {column}", start_line + newlines)
    }
}

// ---------------------------------------------------------------------------
// Layer 1: logical lines (dotenvy `QuotedLines`).

/// `dotenvy::iter::ParseState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum JoinState {
    Complete,
    Escape,
    StrongOpen,
    StrongOpenEscape,
    WeakOpen,
    WeakOpenEscape,
    Comment,
    WhiteSpace,
}

enum Text {
    /// A line that starts (after whitespace) with `#`.
    Comment,
    /// The text dotenvy hands to its line parser.
    Line(Range<usize>),
    /// The file ended while a quote or an escape was open.
    Eof { state: JoinState, open_at: usize },
}

struct Logical {
    /// End of the consumed bytes (after the last `\n`, or the end of the file).
    end: usize,
    newlines: usize,
    text: Text,
}

fn read_logical(src: &str, start: usize) -> Logical {
    let mut state = JoinState::Complete;
    let mut open_at = start;
    let mut pos = start;
    let mut newlines = 0;
    loop {
        if pos == src.len() {
            // Only reachable after at least one line left `state` open.
            return Logical {
                end: pos,
                newlines,
                text: Text::Eof { state, open_at },
            };
        }
        let (line_end, has_newline) = match src[pos..].find('\n') {
            Some(i) => (pos + i + 1, true),
            None => (src.len(), false),
        };
        if has_newline {
            newlines += 1;
        }
        if src[start..line_end].trim_start().starts_with('#') {
            return Logical {
                end: line_end,
                newlines,
                text: Text::Comment,
            };
        }
        let line = &src[pos..line_end];
        // Fast path for the common `KEY=value` line: without a quote, an
        // escape or a `#`, a newline-terminated line always ends `Complete`.
        let (last, next) = if state == JoinState::Complete
            && has_newline
            && !line
                .bytes()
                .any(|b| matches!(b, b'\\' | b'"' | b'\'' | b'#'))
        {
            (line.len() - 1, JoinState::Complete)
        } else {
            eval_end_state(state, line, pos, &mut open_at)
        };
        state = next;
        let text_end = match state {
            JoinState::Complete => {
                // dotenvy pops the final `\n` and then one `\r`; inner ones stay.
                let mut end = line_end;
                if has_newline {
                    end -= 1;
                    if src[..end].ends_with('\r') {
                        end -= 1;
                    }
                }
                end
            }
            JoinState::Comment => pos + last,
            _ => {
                pos = line_end;
                continue;
            }
        };
        return Logical {
            end: line_end,
            newlines,
            text: Text::Line(start..text_end),
        };
    }
}

/// `dotenvy::iter::eval_end_state`, also recording where the last quote opened.
fn eval_end_state(
    prev: JoinState,
    buf: &str,
    base: usize,
    open_at: &mut usize,
) -> (usize, JoinState) {
    use JoinState::*;
    let mut state = prev;
    let mut last = 0;
    for (pos, c) in buf.char_indices() {
        last = pos;
        state = match state {
            WhiteSpace | Complete => match c {
                '#' if state == WhiteSpace => return (pos, Comment),
                c if state == Complete && c.is_whitespace() && c != '\n' && c != '\r' => WhiteSpace,
                '\\' => Escape,
                '"' => {
                    *open_at = base + pos;
                    WeakOpen
                }
                '\'' => {
                    *open_at = base + pos;
                    StrongOpen
                }
                _ => Complete,
            },
            Escape => Complete,
            WeakOpen => match c {
                '\\' => WeakOpenEscape,
                '"' => Complete,
                _ => WeakOpen,
            },
            WeakOpenEscape => WeakOpen,
            // dotenvy's line joiner honours `\'` inside single quotes although its
            // value parser does not.
            StrongOpen => match c {
                '\\' => StrongOpenEscape,
                '\'' => Complete,
                _ => StrongOpen,
            },
            StrongOpenEscape => StrongOpen,
            Comment => unreachable!("returned on entering Comment"),
        };
    }
    (last, state)
}

// ---------------------------------------------------------------------------
// Layer 2: one logical line (dotenvy `LineParser` and `parse_value`).

struct Parsed<'s> {
    key: &'s str,
    value: Cow<'s, str>,
    exported: bool,
    hazard: Option<Hazard>,
}

#[derive(Debug)]
enum ErrorKind {
    Key,
    Equals,
    Escape,
    AfterSpace,
    Single,
    Double,
}

struct LineError {
    kind: ErrorKind,
    /// Byte offset in the source.
    at: usize,
    /// dotenvy, substituting `$`, would have read the line.
    dotenvy_accepts: bool,
}

impl LineError {
    fn new(kind: ErrorKind, at: usize) -> Self {
        LineError {
            kind,
            at,
            dotenvy_accepts: false,
        }
    }
}

fn parse_line(src: &str, text: Range<usize>) -> Result<Option<Parsed<'_>>, LineError> {
    let offset = |s: &str| s.as_ptr() as usize - src.as_ptr() as usize;
    // dotenvy trims trailing (Unicode) whitespace, then skips leading whitespace.
    let mut rest = src[text].trim_end().trim_start();
    if rest.is_empty() || rest.starts_with('#') {
        return Ok(None);
    }
    let mut key =
        parse_key(&mut rest).ok_or_else(|| LineError::new(ErrorKind::Key, offset(rest)))?;
    rest = rest.trim_start();
    let mut exported = false;
    // `export` is either a key or a prefix.
    if key == "export" && !rest.starts_with('=') {
        key = parse_key(&mut rest).ok_or_else(|| LineError::new(ErrorKind::Key, offset(rest)))?;
        rest = rest.trim_start();
        exported = true;
    }
    rest = rest
        .strip_prefix('=')
        .ok_or_else(|| LineError::new(ErrorKind::Equals, offset(rest)))?
        .trim_start();
    if rest.is_empty() || rest.starts_with('#') {
        return Ok(Some(Parsed {
            key,
            value: Cow::Borrowed(""),
            exported,
            hazard: None,
        }));
    }
    let base = offset(rest);
    match parse_value(rest) {
        Ok((value, dollar)) => {
            let hazard = dollar.then(|| {
                if dotenvy_rejects(rest) {
                    Hazard::Rejected
                } else {
                    Hazard::Substituted
                }
            });
            Ok(Some(Parsed {
                key,
                value,
                exported,
                hazard,
            }))
        }
        Err(e) => Err(LineError {
            kind: e.kind,
            at: base + e.at,
            dotenvy_accepts: e.dollar && !dotenvy_rejects(rest),
        }),
    }
}

/// `[A-Za-z_][A-Za-z0-9_.]*`, advancing `rest` past it.
fn parse_key<'s>(rest: &mut &'s str) -> Option<&'s str> {
    let s = *rest;
    if !s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return None;
    }
    // Bytes, not chars: a multi-byte character starts with a non-ASCII byte,
    // so the key ends at the same index either way.
    let end = s
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'.'))
        .unwrap_or(s.len());
    *rest = &s[end..];
    Some(&s[..end])
}

struct ValueError {
    kind: ErrorKind,
    /// Byte offset in the value text.
    at: usize,
    /// An unescaped `$` outside single quotes came before the error.
    dollar: bool,
}

/// `dotenvy::parse::parse_value` with `$` read as an ordinary character.
/// Returns the value and whether dotenvy would have started a substitution.
fn parse_value(input: &str) -> Result<(Cow<'_, str>, bool), ValueError> {
    // Fast paths for the two common shapes; the loop below gives the same
    // result for them, only a character at a time.
    // A bare value without quotes, escapes, blanks or `$` is taken as is.
    if !input
        .bytes()
        .any(|b| matches!(b, b'\'' | b'"' | b'\\' | b' ' | b'\t' | b'$'))
    {
        return Ok((Cow::Borrowed(input), false));
    }
    // `'…'` with no other single quote is its inside, verbatim.
    if let Some(inner) = input
        .strip_prefix('\'')
        .and_then(|rest| rest.strip_suffix('\''))
        .filter(|inner| !inner.contains('\''))
    {
        return Ok((Cow::Borrowed(inner), false));
    }
    let mut strong = false;
    let mut weak = false;
    let mut escaped = false;
    let mut expecting_end = false;
    let mut dollar = false;
    let mut open_at = 0;
    let mut escape_at = 0;
    let mut out = String::with_capacity(input.len());
    let err = |kind, at, dollar| Err(ValueError { kind, at, dollar });
    for (i, c) in input.char_indices() {
        if expecting_end {
            // Permits `k=v #comment`, keeps `k=v#comment`, rejects `k=v w`.
            match c {
                ' ' | '\t' => {}
                '#' => break,
                _ => return err(ErrorKind::AfterSpace, i, dollar),
            }
        } else if escaped {
            match c {
                '\\' | '\'' | '"' | '$' | ' ' => out.push(c),
                'n' => out.push('\n'),
                _ => return err(ErrorKind::Escape, escape_at, dollar),
            }
            escaped = false;
        } else if strong {
            if c == '\'' {
                strong = false;
            } else {
                out.push(c);
            }
        } else if c == '$' {
            // Where dotenvy would start `$NAME` / `${NAME}` substitution.
            dollar = true;
            out.push(c);
        } else if weak {
            match c {
                '"' => weak = false,
                '\\' => {
                    escaped = true;
                    escape_at = i;
                }
                _ => out.push(c),
            }
        } else {
            match c {
                '\'' => {
                    strong = true;
                    open_at = i;
                }
                '"' => {
                    weak = true;
                    open_at = i;
                }
                '\\' => {
                    escaped = true;
                    escape_at = i;
                }
                ' ' | '\t' => expecting_end = true,
                _ => out.push(c),
            }
        }
    }
    // Like dotenvy, a trailing lone backslash is dropped without complaint.
    if strong {
        return err(ErrorKind::Single, open_at, dollar);
    }
    if weak {
        return err(ErrorKind::Double, open_at, dollar);
    }
    Ok((Cow::Owned(out), dollar))
}

/// Whether dotenvy's own `parse_value`, substituting `$`, fails on `input`.
/// Only called when `input` has a `$` that dotenvy would substitute.
fn dotenvy_rejects(input: &str) -> bool {
    #[derive(PartialEq)]
    enum Subst {
        None,
        Block,
        EscapedBlock,
    }
    let mut strong = false;
    let mut weak = false;
    let mut escaped = false;
    let mut expecting_end = false;
    let mut mode = Subst::None;
    let mut name_empty = true;
    for c in input.chars() {
        if expecting_end {
            match c {
                ' ' | '\t' => {}
                '#' => break,
                _ => return true,
            }
        } else if escaped {
            if !matches!(c, '\\' | '\'' | '"' | '$' | ' ' | 'n') {
                return true;
            }
            escaped = false;
        } else if strong {
            strong = c != '\'';
        } else if mode != Subst::None {
            // Inside a substitution, quotes, backslashes and spaces lose their meaning.
            if c.is_alphanumeric() {
                name_empty = false;
            } else if mode == Subst::Block {
                if c == '{' && name_empty {
                    mode = Subst::EscapedBlock;
                } else {
                    name_empty = true;
                    if c != '$' {
                        mode = Subst::None;
                    }
                }
            } else if c == '}' {
                mode = Subst::None;
                name_empty = true;
            } else {
                name_empty = false;
            }
        } else if c == '$' {
            mode = Subst::Block;
        } else if weak {
            match c {
                '"' => weak = false,
                '\\' => escaped = true,
                _ => {}
            }
        } else {
            match c {
                '\'' => strong = true,
                '"' => weak = true,
                '\\' => escaped = true,
                ' ' | '\t' => expecting_end = true,
                _ => {}
            }
        }
    }
    mode == Subst::EscapedBlock || strong || weak
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_index_first_repeats_and_duplicates_in_file_order() {
        let doc = parse("A=1\nB=2\nA=3\nC=4\nA=5\nB=6\n");
        let index = KeyIndex::new(&doc);
        assert_eq!(index.first("A").map(|e| e.line), Some(1));
        let lines = |it: &mut dyn Iterator<Item = &Entry>| it.map(|e| e.line).collect::<Vec<_>>();
        assert_eq!(lines(&mut index.all("A")), [1, 3, 5]);
        assert_eq!(
            lines(&mut index.repeats("C").iter().copied()),
            Vec::<usize>::new()
        );
        assert!(index.first("D").is_none());
        let dups: Vec<(usize, usize)> = index
            .duplicates(&doc)
            .map(|(f, e)| (f.line, e.line))
            .collect();
        assert_eq!(dups, [(1, 3), (1, 5), (2, 6)]);
    }

    /// Asserts the lossless invariants and returns the document.
    fn parsed(src: &str) -> Document {
        let doc = parse(src);
        check_spans(src, &doc);
        doc
    }

    fn check_spans(src: &str, doc: &Document) {
        let mut spans: Vec<Range<usize>> = doc
            .entries
            .iter()
            .map(|e| e.span.clone())
            .chain(doc.errors.iter().map(|e| e.span.clone()))
            .collect();
        assert!(doc
            .entries
            .windows(2)
            .all(|w| w[0].span.end <= w[1].span.start));
        assert!(doc
            .errors
            .windows(2)
            .all(|w| w[0].span.end <= w[1].span.start));
        spans.sort_by_key(|s| s.start);
        let mut rebuilt = String::new();
        let mut other = String::new();
        let mut pos = 0;
        for s in &spans {
            assert!(
                pos <= s.start && s.start < s.end && s.end <= src.len(),
                "{spans:?}"
            );
            // Spans start at a line start and end at a line end.
            assert!(s.start == 0 || src[..s.start].ends_with(['\n', '\u{feff}']));
            assert!(s.end == src.len() || src[..s.end].ends_with('\n'));
            other.push_str(&src[pos..s.start]);
            rebuilt.push_str(&src[pos..s.start]);
            rebuilt.push_str(&src[s.clone()]);
            pos = s.end;
        }
        other.push_str(&src[pos..]);
        rebuilt.push_str(&src[pos..]);
        assert_eq!(rebuilt, src);
        // The "other" text is only comments, blank lines and the BOM.
        let rest = parse(&other);
        assert!(
            rest.entries.is_empty() && rest.errors.is_empty(),
            "{other:?}"
        );
        // Each span reads the same on its own.
        for e in &doc.entries {
            let alone = parse(&src[e.span.clone()]);
            assert_eq!(alone.entries.len(), 1);
            let a = &alone.entries[0];
            assert_eq!((&a.key, &a.value, a.hazard), (&e.key, &e.value, e.hazard));
        }
    }

    fn pairs(doc: &Document) -> Vec<(&str, &str)> {
        doc.entries
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_str()))
            .collect()
    }

    fn one(src: &str) -> Entry {
        let doc = parsed(src);
        assert!(doc.errors.is_empty(), "{:?}", doc.errors);
        assert_eq!(doc.entries.len(), 1, "{doc:?}");
        doc.entries[0].clone()
    }

    fn value(src: &str) -> String {
        one(src).value
    }

    fn error(src: &str) -> ParseError {
        let doc = parsed(src);
        assert!(doc.entries.is_empty(), "{doc:?}");
        assert_eq!(doc.errors.len(), 1, "{doc:?}");
        doc.errors[0].clone()
    }

    #[test]
    fn dotenvy_basic_table() {
        // dotenvy's own `test_parse_line_env` (5 spaces after KEY8=).
        let doc = parsed(
            "\nKEY=1\nKEY2=\"2\"\nKEY3='3'\nKEY4='fo ur'\nKEY5=\"fi ve\"\nKEY6=s\\ ix\nKEY7=\n\
             KEY8=     \nKEY9=   # foo\nKEY10  =\"whitespace before =\"\n\
             KEY11=    \"whitespace after =\"\nexport=\"export as key\"\nexport   SHELL_LOVER=1\n",
        );
        assert!(doc.errors.is_empty());
        assert_eq!(
            pairs(&doc),
            [
                ("KEY", "1"),
                ("KEY2", "2"),
                ("KEY3", "3"),
                ("KEY4", "fo ur"),
                ("KEY5", "fi ve"),
                ("KEY6", "s ix"),
                ("KEY7", ""),
                ("KEY8", ""),
                ("KEY9", ""),
                ("KEY10", "whitespace before ="),
                ("KEY11", "whitespace after ="),
                ("export", "export as key"),
                ("SHELL_LOVER", "1"),
            ]
        );
        assert_eq!(doc.entries[1].line, 3);
        assert!(!doc.entries[11].exported);
        assert!(doc.entries[12].exported);
    }

    #[test]
    fn export_prefix() {
        let e = one("export A=1\n");
        assert_eq!(
            (e.key.as_str(), e.value.as_str(), e.exported),
            ("A", "1", true)
        );
        let e = one("  export\tA = 1\n");
        assert_eq!((e.key.as_str(), e.exported), ("A", true));
        let e = one("export=1\n");
        assert_eq!((e.key.as_str(), e.exported), ("export", false));
        let e = one("export export=1\n");
        assert_eq!((e.key.as_str(), e.exported), ("export", true));
        let e = one("exportA=1\n");
        assert_eq!((e.key.as_str(), e.exported), ("exportA", false));
        error("export\n");
        error("export A\n");
    }

    #[test]
    fn keys() {
        assert_eq!(one("db.url_2=x\n").key, "db.url_2");
        assert_eq!(one("_k=x\n").key, "_k");
        assert!(error(".k=x\n").message.starts_with("expected a key"));
        assert!(error("=x\n").message.starts_with("expected a key"));
        assert!(error("1k=x\n").message.starts_with("expected a key"));
        assert_eq!(
            error("my-key=x\n").message,
            "expected `=` after the key at column 3"
        );
        assert_eq!(
            error("K\n").message,
            "expected `=` after the key at column 2"
        );
    }

    #[test]
    fn comments_and_blank_lines() {
        let doc = parsed("# a=1\n  # b=2\n\n   \n\t\nA=1\n#c");
        assert_eq!(pairs(&doc), [("A", "1")]);
        assert_eq!(doc.entries[0].line, 6);
        assert_eq!(doc.entries[0].span, 21..25);
        assert!(doc.errors.is_empty());
    }

    #[test]
    fn inline_comments() {
        assert_eq!(value("K=v #c\n"), "v");
        assert_eq!(value("K=v\t# c\n"), "v");
        assert_eq!(value("K=v   # c\n"), "v");
        assert_eq!(value("K=v#x\n"), "v#x");
        assert_eq!(value("K=#x\n"), "");
        assert_eq!(value("K= # c\n"), "");
        assert_eq!(value("K=\"a\" # c\n"), "a");
        assert_eq!(value("K=\"a\"#c\n"), "a#c");
        assert_eq!(value("K=\"a # b\"\n"), "a # b");
        assert_eq!(value("K='a # b' #c 'x\n"), "a # b");
        let e = one("K=v #c\n");
        assert_eq!(e.span, 0..7);
    }

    #[test]
    fn quote_in_a_comment_after_two_spaces_opens_a_quote() {
        // dotenvy strips an inline comment early only after exactly one whitespace
        // character; otherwise its line joiner still sees the quote in the comment.
        let doc = parsed("A=v  # it's\nB=1\n");
        assert!(doc.entries.is_empty());
        assert_eq!(doc.errors.len(), 1);
        assert_eq!(
            doc.errors[0].message,
            "unterminated single quote (opened at column 10)"
        );
        assert_eq!(doc.errors[0].span, 0..16);
        let doc = parsed("A=v  # it's\nB=1'\nC=2\n");
        assert_eq!(pairs(&doc), [("A", "v"), ("C", "2")]);
        assert_eq!(doc.entries[0].span, 0..17);
        assert_eq!(doc.entries[1].line, 3);
        assert_eq!(value("A=v # it's\n"), "v");
    }

    #[test]
    fn unquoted_whitespace() {
        assert_eq!(
            error("K=v w\n").message,
            "unquoted value continues after whitespace (quote the value) at column 5"
        );
        assert_eq!(value("K=v   \n"), "v");
        assert_eq!(value("  K  =  v\n"), "v");
        assert_eq!(value("K=a\\ b\n"), "a b");
        // The escaped trailing space is trimmed before the escape is read.
        assert_eq!(value("K=a\\ \n"), "a");
    }

    #[test]
    fn quotes() {
        assert_eq!(value("K='a \"b\" \\n'\n"), "a \"b\" \\n");
        assert_eq!(value("K=\"a 'b' \\\"c\\\"\"\n"), "a 'b' \"c\"");
        assert_eq!(value("K=ab'c d'\"e f\"g\n"), "abc de fg");
        assert_eq!(value("K=''\n"), "");
        assert_eq!(value("K=\"\"\n"), "");
        assert_eq!(
            error("K=\"abc\n").message,
            "unterminated double quote (opened at column 3)"
        );
        assert_eq!(
            error("K='abc\n").message,
            "unterminated single quote (opened at column 3)"
        );
        // dotenvy's `test_parse_value_escapes_invalid`.
        error("KEY3='please stop''\n");
        // The line joiner honours `\'` in single quotes, the value parser does not.
        assert_eq!(
            error("K='a\\'b'\n").message,
            "unterminated single quote at column 8"
        );
    }

    #[test]
    fn escapes() {
        assert_eq!(value(r#"K=\\\'\"\$\ \n"#), "\\'\"$ \n");
        assert_eq!(value(r#"K="\\\'\"\$\ \n""#), "\\'\"$ \n");
        assert_eq!(value(r#"K='\\\n\x'"#), r#"\\\n\x"#);
        assert_eq!(
            error("K=h\\8u\n").message,
            "invalid escape sequence at column 4"
        );
        assert_eq!(
            error("K=\"\\t\"\n").message,
            "invalid escape sequence at column 4"
        );
        // A trailing backslash is dropped (before a newline) or an error (at EOF).
        assert_eq!(value("K=abc\\\n"), "abc");
        assert_eq!(error("K=abc\\").message, "backslash at the end of the file");
        // dotenvy's `test_parse_value_escapes`.
        let doc = parsed(concat!(
            "KEY=my\\ cool\\ value\nKEY3=\"awesome stuff \\\"mang\\\"\"\n",
            "KEY4='sweet $\\fgs'\\''fds'\nKEY5=\"'\\\"yay\\\\\"\\ \"stuff\"\n",
            "KEY6=\"lol\" #well you see when I say lol wh\nKEY7=\"line 1\\nline 2\"\n",
        ));
        assert_eq!(
            pairs(&doc),
            [
                ("KEY", "my cool value"),
                ("KEY3", "awesome stuff \"mang\""),
                ("KEY4", "sweet $\\fgs'fds"),
                ("KEY5", "'\"yay\\ stuff"),
                ("KEY6", "lol"),
                ("KEY7", "line 1\nline 2"),
            ]
        );
    }

    #[test]
    fn multi_line_values() {
        let src = "A=1\nK=\"line 1\nline 2\"\nB='x\n\ny' # c\nC=3";
        let doc = parsed(src);
        assert_eq!(
            pairs(&doc),
            [
                ("A", "1"),
                ("K", "line 1\nline 2"),
                ("B", "x\n\ny"),
                ("C", "3")
            ]
        );
        let lines: Vec<usize> = doc.entries.iter().map(|e| e.line).collect();
        assert_eq!(lines, [1, 2, 4, 7]);
        let text: Vec<&str> = doc.entries.iter().map(|e| &src[e.span.clone()]).collect();
        assert_eq!(
            text,
            ["A=1\n", "K=\"line 1\nline 2\"\n", "B='x\n\ny' # c\n", "C=3"]
        );
        // An escaped quote inside.
        assert_eq!(value("K=\"a\\\"\nb\"\n"), "a\"\nb");
    }

    #[test]
    fn crlf() {
        let doc = parsed("A=1\r\nB=\"x\r\ny\"\r\nC='p\r\nq'\r\nD=v #c\r\nE=\"s\" \r\n");
        assert_eq!(
            pairs(&doc),
            [
                ("A", "1"),
                ("B", "x\r\ny"),
                ("C", "p\r\nq"),
                ("D", "v"),
                ("E", "s")
            ]
        );
        assert_eq!(doc.entries[0].span, 0..5);
        assert_eq!(doc.entries[1].span, 5..15);
        assert_eq!(doc.entries[1].line, 2);
        assert_eq!(doc.entries[2].line, 4);
        assert_eq!(doc.entries[3].line, 6);
    }

    #[test]
    fn last_line_without_newline() {
        let doc = parsed("A=1\nB=2");
        assert_eq!(pairs(&doc), [("A", "1"), ("B", "2")]);
        assert_eq!(doc.entries[1].span, 4..7);
        assert_eq!(value("A='x'"), "x");
        // dotenvy rejects trailing whitespace on an unterminated last line.
        let doc = parsed("A=1\nB=2 ");
        assert_eq!(pairs(&doc), [("A", "1")]);
        assert_eq!(
            doc.errors[0].message,
            "whitespace at the end of the file without a final newline"
        );
        assert_eq!(doc.errors[0].span, 4..8);
        // Exactly one whitespace character: dotenvy's joiner leaves its
        // `WhiteSpace` state on the next character.
        assert_eq!(parsed("A=1\n ").errors.len(), 1);
        assert_eq!(parsed("A=1\nB=2\t").errors.len(), 1);
        assert!(parsed("A=1\n  ").errors.is_empty());
        assert_eq!(value("B=2  "), "2");
        assert!(parsed("A=1\n \n").errors.is_empty());
    }

    #[test]
    fn empty_values() {
        assert_eq!(value("K=\n"), "");
        assert_eq!(value("K="), "");
        assert_eq!(value("K= # c\n"), "");
        assert_eq!(value("K=    \n"), "");
        assert!(parse("").entries.is_empty());
    }

    #[test]
    fn duplicate_keys_are_kept() {
        let doc = parsed("A=1\nB=2\nA=3\n");
        let all: Vec<(&str, usize)> = doc
            .get_all("A")
            .map(|e| (e.value.as_str(), e.line))
            .collect();
        assert_eq!(all, [("1", 1), ("3", 3)]);
        assert_eq!(doc.get_all("C").count(), 0);
    }

    #[test]
    fn spans_cover_exactly_the_entry() {
        let src = "# head\n  export A=\"x\ny\" # tail\n\nB=2\r\nbad line\nC=3";
        let doc = parsed(src);
        assert_eq!(
            &src[doc.entries[0].span.clone()],
            "  export A=\"x\ny\" # tail\n"
        );
        assert_eq!(&src[doc.entries[1].span.clone()], "B=2\r\n");
        assert_eq!(&src[doc.errors[0].span.clone()], "bad line\n");
        assert_eq!(doc.errors[0].line, 6);
        assert_eq!(&src[doc.entries[2].span.clone()], "C=3");
    }

    #[test]
    fn errors_do_not_stop_the_parse() {
        let doc = parsed("A=1\nB=x y\nC=\"open\nD=4\n");
        assert_eq!(pairs(&doc), [("A", "1")]);
        assert_eq!(doc.errors.len(), 2);
        assert_eq!(doc.errors[1].line, 3);
        // The unterminated quote runs to the end of the file.
        assert_eq!(doc.errors[1].span, 10..22);
        let doc = parsed("<><><>\nA=1\n");
        assert_eq!(pairs(&doc), [("A", "1")]);
        assert_eq!(doc.errors[0].span, 0..7);
    }

    #[test]
    fn bom_is_skipped() {
        let doc = parsed("\u{feff}A=1\n");
        assert_eq!(pairs(&doc), [("A", "1")]);
        assert_eq!(doc.entries[0].span, 3..7);
        assert_eq!(doc.entries[0].line, 1);
        assert!(parsed("\u{feff}").entries.is_empty());
        // Only at the start.
        assert_eq!(parsed("A=1\n\u{feff}B=2\n").errors.len(), 1);
    }

    #[test]
    fn hazards() {
        let h = |src: &str| {
            let e = one(src);
            (e.value, e.hazard)
        };
        use Hazard::*;
        assert_eq!(h("P=pa$word\n"), ("pa$word".into(), Some(Substituted)));
        assert_eq!(h("P=$(whoami)\n"), ("$(whoami)".into(), Some(Substituted)));
        assert_eq!(h("P=\"pa$word\"\n"), ("pa$word".into(), Some(Rejected)));
        assert_eq!(h("P='pa$word'\n"), ("pa$word".into(), None));
        assert_eq!(h("P=pa\\$word\n"), ("pa$word".into(), None));
        assert_eq!(h("P=\"pa\\$word\"\n"), ("pa$word".into(), None));
        assert_eq!(h("P=pa$\n"), ("pa$".into(), Some(Substituted)));
        assert_eq!(h("P=$$\n"), ("$$".into(), Some(Substituted)));
        assert_eq!(h("P=a$-b\n"), ("a$-b".into(), Some(Substituted)));
        assert_eq!(h("P=\"a$-b\"\n"), ("a$-b".into(), Some(Substituted)));
        assert_eq!(h("P=\"${X}\"\n"), ("${X}".into(), Some(Substituted)));
        assert_eq!(h("P=${X\n"), ("${X".into(), Some(Rejected)));
        assert_eq!(h("P=\"$\"\n"), ("$".into(), Some(Rejected)));
        assert_eq!(h("P='a'$b'c'\n"), ("a$bc".into(), Some(Rejected)));
        assert_eq!(h("P=\"a\nb$c\"\n"), ("a\nb$c".into(), Some(Rejected)));
        // Inline comments with `$` are not values.
        assert_eq!(h("P=a # $x\n"), ("a".into(), None));
        // dotenvy accepts this only because the space ends the `$a` name.
        let e = error("P=$a b\n");
        assert_eq!(
            e.message,
            "unquoted value continues after whitespace (quote the value) at column 6 \
             (dotenvy reads it only by substituting `$`)"
        );
    }

    #[test]
    fn values_never_leak() {
        let secret = "s3cr3t-Zq9";
        let src = format!(
            "A={secret}\nB=\"{secret}\nC='{secret}' x\nD={secret} {secret}\nE=\\q{secret}\n\
             F=\"{secret}\"{secret}\"\nG={secret}$x {secret}\n{secret}\nH={secret}\\"
        );
        let doc = parse(&src);
        assert!(!doc.errors.is_empty());
        let debug = format!("{doc:?}");
        assert!(!debug.contains(secret), "{debug}");
        assert!(!debug.contains("s3cr"), "{debug}");
        for e in &doc.errors {
            assert!(!e.message.contains("s3cr"), "{}", e.message);
        }
        let e = one(&format!("P={secret}\n"));
        assert!(!format!("{e:?}").contains(secret));
        assert!(format!("{e:?}").contains("<redacted>"));
    }

    #[test]
    fn error_positions_on_later_lines() {
        let e = error("K=\"a\nb\\x\"\n");
        assert_eq!(e.message, "invalid escape sequence at line 2, column 2");
        assert_eq!(e.line, 1);
    }

    /// What [`Items`] yields, comparable, with or without its plain-line path.
    fn items(src: &str, plain_lines: bool) -> Vec<String> {
        let mut items = Items::new(src);
        items.plain_lines = plain_lines;
        items
            .map(|item| match item {
                Item::Entry(e) => format!(
                    "{}={:?} line {} span {:?} {} {:?} {}",
                    e.key,
                    e.value,
                    e.line,
                    e.span,
                    e.exported,
                    e.hazard,
                    matches!(e.value, Cow::Borrowed(_))
                ),
                Item::Error(e) => format!("error {e:?}"),
            })
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

        /// The plain-line path reads every line exactly as the general one:
        /// lines mostly of the characters it accepts, with every character
        /// that ends it (quotes, `#`, `$`, blanks, CR, non-ASCII) mixed in.
        #[test]
        fn plain_lines_read_as_the_general_path_reads_them(
            src in "([A-Za-z_.][A-Za-z0-9_.]{0,3}(=|==| =)[A-Za-z0-9_./:@!%-]{0,6}([\\'\"#$ \t\r]|é|export )?[A-Za-z0-9=]{0,3}\n?){0,6}"
        ) {
            proptest::prop_assert_eq!(items(&src, true), items(&src, false));
        }
    }

    #[test]
    fn plain_lines_are_taken_and_others_are_not() {
        let mut it = Items::new("A=1\nB='2'\nC=3\n");
        assert!(it.plain_line().is_some());
        assert!(
            it.plain_line().is_none(),
            "a quoted value is the general path's"
        );
        assert_eq!(
            items("A=1\nB='2'\nC=3\n", true),
            items("A=1\nB='2'\nC=3\n", false)
        );
    }

    /// A file of `n` entries in every shape the parser reads differently:
    /// plain, quoted with a comment, multi-line, exported, and a bad line.
    fn mixed_file(n: usize) -> String {
        let mut src = String::new();
        for i in 0..n {
            src.push_str(&match i % 5 {
                0 => format!("K{i}=v{i}\n"),
                1 => format!("# c{i}\nK{i}=\"v {i}\" # x\n"),
                2 => format!("K{i}='line one\nline {i}'\n"),
                3 => format!("export K{i}=\"a\\nb {i}\"\n"),
                _ => format!("K{i} = v {i}\n"),
            });
        }
        src
    }

    /// The parse work measured, not only its result: four times the entries
    /// must take about four times as long. The fastest of several runs of
    /// each size filters out a busy machine; a parser that rescans earlier
    /// text per entry would take sixteen times as long, twice the bound.
    #[test]
    fn parse_time_grows_linearly_with_the_file() {
        let n = 4_000;
        let (small, large) = (mixed_file(n), mixed_file(4 * n));
        let doc = parse(&large);
        assert_eq!(doc.entries.len() + doc.errors.len(), 4 * n);
        assert_eq!(doc.errors.len(), 4 * n / 5, "every fifth line is bad");
        let fastest = |src: &str| {
            (0..7)
                .map(|_| {
                    let start = std::time::Instant::now();
                    std::hint::black_box(parse(std::hint::black_box(src)));
                    start.elapsed()
                })
                .min()
                .unwrap()
        };
        let (t_small, t_large) = (fastest(&small), fastest(&large));
        let ratio = t_large.as_secs_f64() / t_small.as_secs_f64();
        assert!(
            ratio < 8.0,
            "4x the entries took {ratio:.1}x the time ({t_small:?} -> {t_large:?}): not linear"
        );
    }
}
