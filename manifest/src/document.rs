//! The spec text as a spanned TOML tree, with the `[[token]]` tables read
//! by a small reader instead of the toml crate's general parser.
//!
//! Why: the proc-macro parses the whole spec at every expansion, and with
//! cargo's default profile proc-macros run unoptimised, where toml's lexer
//! and parser cost about 770 instructions a byte: 100M of the 450M a spec
//! edit costs a 1,011-token crate's rebuild (docs/benchmarks.md, "Macro").
//! The token tables are nearly all of a large spec, and nearly always plain.
//!
//! What is read here, and only this: the spec's tail from its first
//! `[[token]]` line on, when it holds nothing but `[[token]]` headers,
//! blank lines, comments and `key = value` lines whose key is bare and
//! whose value is a string without escapes (basic or literal, one line), a
//! boolean, a decimal integer, or a one-line array or inline table of
//! those. The text before it goes to toml alone, and the token tables are
//! appended to its root as toml appends them. Anything else — an escape, a
//! multi-line string, a dotted or quoted key, a repeated key, a sub-table of
//! a token, another table after the tokens, a carriage return, a control
//! character — and the whole text goes to toml, so every unusual case and
//! every error are toml's own. Tests hold the result equal to toml's, spans
//! included, on this repository's specs, generated ones, a proptest and a
//! fuzz target.

use std::borrow::Cow;
use std::ops::Range;

use toml::de::{DeArray, DeTable, DeValue};
use toml::Spanned;

/// `src` as toml's [`DeTable::parse`] reads it, the same tree and spans.
pub fn parse(src: &str) -> Result<Spanned<DeTable<'_>>, toml::de::Error> {
    match plain_tail(src) {
        Some(root) => Ok(root),
        None => DeTable::parse(src),
    }
}

/// The tree when the token tables are plain (see the module docs), else
/// `None`. Public for the fuzz target that compares it with toml.
pub fn plain_tail(src: &str) -> Option<Spanned<DeTable<'_>>> {
    let start = first_token_header(src)?;
    let (tokens_key, tokens) = Reader::new(src, start).tables()?;
    let mut root = DeTable::parse(&src[..start]).ok()?;
    // `token` defined above the tables is toml's to report.
    if root.get_ref().contains_key("token") {
        return None;
    }
    root.get_mut().insert(tokens_key, tokens);
    Some(root)
}

/// The offset of the first line that is `[[token]]`.
fn first_token_header(src: &str) -> Option<usize> {
    let mut at = 0;
    for line in src.split_inclusive('\n') {
        if line
            .trim_start_matches([' ', '\t'])
            .starts_with("[[token]]")
        {
            return Some(at + (line.len() - line.trim_start_matches([' ', '\t']).len()));
        }
        at += line.len();
    }
    None
}

/// A byte cursor over the tail of the text.
struct Reader<'i> {
    src: &'i str,
    bytes: &'i [u8],
    at: usize,
}

type Val<'i> = Spanned<DeValue<'i>>;

impl<'i> Reader<'i> {
    fn new(src: &'i str, at: usize) -> Self {
        Reader {
            src,
            bytes: src.as_bytes(),
            at,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let here = self.peek() == Some(byte);
        self.at += usize::from(here);
        here
    }

    // The loops below index bytes directly: the proc-macro runs unoptimised
    // under cargo's default profile, where a call per byte is most of the cost.
    fn skip_spaces(&mut self) {
        let mut at = self.at;
        while at < self.bytes.len() && matches!(self.bytes[at], b' ' | b'\t') {
            at += 1;
        }
        self.at = at;
    }

    /// After a line's content: spaces, maybe a comment, then the end of the
    /// line (consumed) or of the text.
    fn end_of_line(&mut self) -> Option<()> {
        self.skip_spaces();
        if self.eat(b'#') {
            // A comment holds no control character but a tab.
            while let Some(b) = self.peek() {
                if b == b'\n' {
                    break;
                }
                if (b < 0x20 && b != b'\t') || b == 0x7f {
                    return None;
                }
                self.at += 1;
            }
        }
        match self.peek() {
            None => Some(()),
            Some(b'\n') => {
                self.at += 1;
                Some(())
            }
            Some(_) => None,
        }
    }

    /// Every `[[token]]` table to the end of the text: the `token` key (its
    /// span in the first header) and the array, spanned as toml spans them.
    fn tables(mut self) -> Option<(Spanned<Cow<'i, str>>, Val<'i>)> {
        let mut array = DeArray::new();
        let mut first: Option<(Range<usize>, Range<usize>)> = None;
        loop {
            self.skip_spaces();
            match self.peek() {
                None => break,
                Some(b'\n') => self.at += 1,
                Some(b'#') => self.end_of_line()?,
                Some(b'[') => {
                    let header = self.at..self.at + "[[token]]".len();
                    if !self.src[self.at..].starts_with("[[token]]") {
                        return None;
                    }
                    self.at = header.end;
                    self.end_of_line()?;
                    let table = self.table()?;
                    let key = header.start + 2..header.end - 2;
                    first.get_or_insert((key, header.clone()));
                    array.push(Spanned::new(header, DeValue::Table(table)));
                }
                Some(_) => return None,
            }
        }
        let (key, header) = first?;
        Some((
            Spanned::new(key, Cow::Borrowed("token")),
            Spanned::new(header, DeValue::Array(array)),
        ))
    }

    /// The `key = value` lines of one table, up to the next header or the
    /// end of the text.
    fn table(&mut self) -> Option<DeTable<'i>> {
        let mut table = DeTable::new();
        loop {
            let line = self.at;
            self.skip_spaces();
            match self.peek() {
                None => return Some(table),
                Some(b'\n') => self.at += 1,
                Some(b'#') => self.end_of_line()?,
                Some(b'[') => {
                    // The next header is the caller's.
                    self.at = line;
                    return Some(table);
                }
                Some(_) => {
                    let (key, value) = self.key_value(true)?;
                    self.end_of_line()?;
                    insert_once(&mut table, key, value)?;
                }
            }
        }
    }

    /// `key = value`, with spaces around `=`; `nested` as for [`Self::value`].
    fn key_value(&mut self, nested: bool) -> Option<(Spanned<Cow<'i, str>>, Val<'i>)> {
        let key = self.bare_key()?;
        self.skip_spaces();
        if !self.eat(b'=') {
            return None;
        }
        self.skip_spaces();
        let value = self.value(nested)?;
        Some((key, value))
    }

    fn bare_key(&mut self) -> Option<Spanned<Cow<'i, str>>> {
        let start = self.at;
        let mut at = start;
        while at < self.bytes.len()
            && matches!(self.bytes[at], b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-')
        {
            at += 1;
        }
        self.at = at;
        (self.at > start)
            .then(|| Spanned::new(start..self.at, Cow::Borrowed(&self.src[start..self.at])))
    }

    /// A string, boolean or integer; with `nested`, also a one-line array
    /// or inline table of those.
    fn value(&mut self, nested: bool) -> Option<Val<'i>> {
        let start = self.at;
        let value = match self.peek()? {
            b'"' => DeValue::String(Cow::Borrowed(self.string(b'"')?)),
            b'\'' => DeValue::String(Cow::Borrowed(self.string(b'\'')?)),
            b't' if self.word("true") => DeValue::Boolean(true),
            b'f' if self.word("false") => DeValue::Boolean(false),
            b'0'..=b'9' => self.integer()?,
            b'[' if nested => DeValue::Array(self.array()?),
            b'{' if nested => DeValue::Table(self.inline_table()?),
            _ => return None,
        };
        Some(Spanned::new(start..self.at, value))
    }

    /// A one-line string between `quote`s, without escapes (a basic string
    /// with a backslash, and any multi-line string, are toml's).
    fn string(&mut self, quote: u8) -> Option<&'i str> {
        let start = self.at + 1;
        let mut at = start;
        loop {
            let b = *self.bytes.get(at)?;
            if b == quote {
                break;
            }
            if b == b'\\' || (b < 0x20 && b != b'\t') || b == 0x7f {
                return None;
            }
            at += 1;
        }
        self.at = at;
        // `""` then a quote opens a multi-line string.
        if self.at == start && self.bytes.get(self.at + 1) == Some(&quote) {
            return None;
        }
        self.at += 1;
        Some(&self.src[start..self.at - 1])
    }

    /// `word` when what follows it ends a value.
    fn word(&mut self, word: &str) -> bool {
        let here = self.src[self.at..].starts_with(word)
            && self.ends_value(self.bytes.get(self.at + word.len()).copied());
        if here {
            self.at += word.len();
        }
        here
    }

    /// Whether `next` may follow a value: space, a comment, the end of a
    /// line, an array or an inline table, or of the text.
    fn ends_value(&self, next: Option<u8>) -> bool {
        matches!(
            next,
            None | Some(b' ' | b'\t' | b'\n' | b'#' | b',' | b']' | b'}')
        )
    }

    /// A decimal integer without sign or underscores, `0` or no leading
    /// zero; anything that could be a float or a date is toml's.
    fn integer(&mut self) -> Option<DeValue<'i>> {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        let digits = &self.src[start..self.at];
        if (digits.len() > 1 && digits.starts_with('0')) || !self.ends_value(self.peek()) {
            return None;
        }
        // toml's integer type has no public constructor: it reads the digits.
        Some(DeValue::parse(digits).ok()?.into_inner())
    }

    /// `[a, b, …]` on one line, of strings, booleans and integers, a
    /// trailing comma allowed.
    fn array(&mut self) -> Option<DeArray<'i>> {
        self.at += 1;
        let mut array = DeArray::new();
        loop {
            self.skip_spaces();
            if self.eat(b']') {
                return Some(array);
            }
            array.push(self.value(false)?);
            self.skip_spaces();
            if !self.eat(b',') {
                self.skip_spaces();
                return self.eat(b']').then_some(array);
            }
        }
    }

    /// `{ k = v, … }` on one line, of strings, booleans and integers, with
    /// bare keys, each once, and no trailing comma.
    fn inline_table(&mut self) -> Option<DeTable<'i>> {
        self.at += 1;
        let mut table = DeTable::new();
        self.skip_spaces();
        if self.eat(b'}') {
            return Some(table);
        }
        loop {
            self.skip_spaces();
            let (key, value) = self.key_value(false)?;
            insert_once(&mut table, key, value)?;
            self.skip_spaces();
            if self.eat(b'}') {
                return Some(table);
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }
}

/// Adds `key` to `table`; `None` when it is there already (toml reports it).
fn insert_once<'i>(
    table: &mut DeTable<'i>,
    key: Spanned<Cow<'i, str>>,
    value: Val<'i>,
) -> Option<()> {
    if table.contains_key(key.get_ref().as_ref()) {
        return None;
    }
    table.insert(key, value);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// toml's tree and ours, spans included (`Spanned`'s `Debug` shows them).
    fn same_as_toml(src: &str) -> bool {
        let ours = plain_tail(src);
        let theirs = DeTable::parse(src);
        match (&ours, &theirs) {
            (Some(ours), Ok(theirs)) => {
                assert_eq!(format!("{ours:#?}"), format!("{theirs:#?}"), "{src}");
                true
            }
            (Some(_), Err(e)) => panic!("toml rejects what the reader read: {e}\n{src}"),
            (None, _) => false,
        }
    }

    #[test]
    fn this_repository_s_specs_read_as_toml_reads_them() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut read = 0;
        for path in ["token-spec.toml", "manifest/tests/golden/token-spec.toml"] {
            let src = std::fs::read_to_string(format!("{root}/{path}")).unwrap();
            read += usize::from(same_as_toml(&src));
        }
        for entry in std::fs::read_dir(format!("{root}/tokenspec/tests/ui/specs")).unwrap() {
            let src = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            read += usize::from(same_as_toml(&src));
        }
        assert!(read >= 5, "the reader read {read} of the specs");
    }

    #[test]
    fn plain_token_tables_are_read_here() {
        let src = "version = 1\n[class.cicd]\nowner = \"x\"\n\n# tokens\n[[token]]  # one\n\
                   name = \"A\"\nclass='cicd'\n  description = \"d # not a comment\"\t# a comment\n\
                   required = [\"prod\", 'ci',]\nrotation_days = 90\nsecret = false\n\
                   deprecated = { replacement = \"B\", note = 'n' }\nformat = {}\n\n\
                   [[token]]\nname = \"B\"\nscopes = []\nflags = [ true , 0 ]";
        assert!(same_as_toml(src));
        assert!(same_as_toml("[[token]]\n"));
        assert!(same_as_toml("[[token]]\n[[token]]\nname = \"\"\n"));
        assert!(same_as_toml("  [[token]]\nname = \"é ü 🦀\"\n"));
    }

    #[test]
    fn everything_else_is_left_to_toml() {
        for src in [
            "version = 1\n",
            "[[token]]\nname = \"a\\tb\"\n",
            "[[token]]\nname = \"\"\"a\"\"\"\n",
            "[[token]]\nname = '''a'''\n",
            "[[token]]\na.b = 1\n",
            "[[token]]\n\"a\" = 1\n",
            "[[token]]\na = 1\na = 2\n",
            "[[token]]\n[token.format]\nregex = \"x\"\n",
            "[[token]]\n[store]\nmount = \"kv\"\n",
            "[[token]]\r\nname = \"a\"\r\n",
            "[[token]]\nname = \"a\u{7}\"\n",
            "[[token]]\nn = 1.5\n",
            "[[token]]\nn = 1979-05-27\n",
            "[[token]]\nn = -1\n",
            "[[token]]\nn = 1_000\n",
            "[[token]]\nn = 01\n",
            "[[token]]\nn = 0x1\n",
            "[[token]]\nn = inf\n",
            "[[token]]\nn = [[1]]\n",
            "[[token]]\nn = [\n1]\n",
            "[[token]]\nn = { a = 1, }\n",
            "[[token]]\nn = { a = { b = 1 } }\n",
            "[[token]]\nn = { a = 1, a = 2 }\n",
            "[[token]]\nn = truex\n",
            "[[token]]\nn = \"a\" x\n",
            "[[token]]\nn =\n",
            "[[token]]\nn = \"a\n",
            "[[ token ]]\nname = \"a\"\n",
            "token = 1\n[[token]]\nname = \"a\"\n",
            "[token]\n[[token]]\nname = \"a\"\n",
            "x = '''\n[[token]]\n# '''\n",
        ] {
            assert!(plain_tail(src).is_none(), "{src:?}");
            // The entry point still gives toml's answer.
            assert_eq!(
                format!("{:?}", parse(src).map_err(|e| e.to_string())),
                format!("{:?}", DeTable::parse(src).map_err(|e| e.to_string())),
                "{src:?}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Token tables built from plain and odd pieces: whatever the reader
        /// reads, toml reads the same, spans and all.
        #[test]
        fn the_reader_agrees_with_toml(
            lines in proptest::collection::vec(
                proptest::prop_oneof![
                    12 => proptest::sample::select(vec![
                        "[[token]]", "[[token]]", "[[token]]", "[[token]] # c", "name = \"A_B\"",
                        "class = 'cicd'", "description = \"x, y # z\"", "required = [\"dev\", \"ci\"]",
                        "scopes = [ 'a' ,'b', ]", "rotation_days = 30", "owner = \"é ü\"",
                        "deprecated = { replacement = \"X\" }", "ci_value = ''",
                        "format = { regex = '^a+$' }", "aliases = []", "", "   ", "# note",
                        "\tnote = \"tab\"", "x = { }", "y = [1, \"a\", true]", "z=\"\"",
                        "w = false # done",
                    ]),
                    1 => proptest::sample::select(vec![
                        "x = \"a\\\"b\"", "x = 1.0", "[store]", "[token.sub]", "x = 01",
                        "x = [\"a\"", "x = { a = 1, }", "x = \"\"\"", "x = '''", "[[ token ]]",
                        "x = truex", "x.y = 1", "\"q\" = 1", "x = -1", "name = \"A_B\"",
                    ]),
                ],
                0..24,
            ),
            head in proptest::sample::select(vec!["", "version = 1\n", "[class.cicd]\nowner = \"o\"\n", "token = 1\n"]),
            end in proptest::bool::ANY,
        ) {
            let mut src = format!("{head}[[token]]\n{}", lines.join("\n"));
            if end {
                src.push('\n');
            }
            // The entry point gives toml's answer, read here or not.
            proptest::prop_assert_eq!(
                format!("{:#?}", parse(&src).map_err(|e| e.to_string())),
                format!("{:#?}", DeTable::parse(&src).map_err(|e| e.to_string()))
            );
            let ours = plain_tail(&src);
            let theirs = DeTable::parse(&src);
            if let Some(ours) = ours {
                let theirs = theirs.map_err(|e| e.to_string());
                proptest::prop_assert!(theirs.is_ok(), "toml rejects {src:?}: {theirs:?}");
                proptest::prop_assert_eq!(format!("{ours:#?}"), format!("{:#?}", theirs.unwrap()));
            }
        }
    }
}
