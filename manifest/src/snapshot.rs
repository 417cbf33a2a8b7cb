//! A validated spec as bytes, so the command line tool can skip the TOML
//! parse and validation when the spec text has not changed.
//!
//! A snapshot names the exact source it was made from by its [`Digest`]
//! (128-bit XXH3 of the bytes, streamed, so keying a 100 MB spec reads it
//! once and holds none of it); [`decode`] returns the spec only when that
//! digest equals the current text's, so a snapshot can be stale or corrupt
//! but never wrong: anything unexpected decodes to `None` and the caller
//! parses the spec as usual. A checksum at the end catches damaged bytes.
//! Only specs that passed every check are ever encoded.
//!
//! # Format, version 6 (5 had no `[github]` nor token `workflows` and `identity`; 4 held its strings inline; 3 had no digest)
//!
//! ```text
//! file      = MAGIC body checksum
//! MAGIC     = "tokenspec-snap:6"             16 bytes; the version is its last byte
//! checksum  = XXH3-64 of body                 8 bytes, little endian
//! body      = digest n(pool length) pool environments env_from classes templates store github tokens
//! digest    = XXH3-128 of the spec source    16 bytes, little endian
//! pool      = UTF-8 text: every string once  (checked once, not per string)
//! str       = n(offset in pool) n(byte length)
//! n         = unsigned LEB128 varint         (lengths, counts, numbers, offsets)
//! opt<T>    = 0 | 1 T
//! list<T>   = n(count) T…
//! environments = list<str>
//! env_from  = list<str>                      the variables that choose the environment
//! classes   = list<class owner:str rotation_days:opt<n> description:str>
//! class     = 0 (cicd) | 1 (runtime)
//! tokens    = list<token>
//! token     = name:str class required format ci_value deprecated aliases:list<str>
//!             n(tail length) tail      the loader's fields first; it skips the tail
//! tail      = description:str flags [owner:str] [rotation_days:opt<n>] scopes:list<str>
//!             [workflows:list<str>] [identity:str] spans
//! flags     = one byte: bit 0 its own owner, 1 its own rotation_days,
//!             2 workflows, 3 identity; each present field follows (else
//!             the class's owner and rotation_days, no workflows key, no identity)
//! required  = 0 (always) | 1 (never) | 2 list<str>(environments)
//! format    = str(built-in name) | "regex" str(pattern)
//! ci_value  = 0 (the default, ci_test_<name>) | 1 str
//! deprecated = opt<opt<str>(replacement) opt<str>(note)>
//! spans     = n(table start) n(table length)
//!             then name and ci_value spans: n(start - table start) n(length)
//! templates = list<str>
//! store     = 0 | 1 kind:str("openbao"|"vault") address:opt<str> mount:str path:str
//!             environments:list<str> files:(0|1) span:(n(start) n(length))
//! github    = default_token:(0 allow|1 forbid) default_token_workflows:list<str>
//!             repository:opt<str> environments:list<str(spec) str(GitHub)>
//!             span:opt<n(start) n(length)>
//! ```
//!
//! Offsets relative to the table keep the common token at a few bytes of
//! spans; defaults are flags, not copies; a string repeated across tokens
//! (a description, an owner, a format name) is in the pool once. Bump the version in `MAGIC`
//! whenever this layout or the model changes: another version is a miss.

use std::borrow::Cow;
use std::io::{self, Read};
use std::ops::Range;

use tokenspec_core::format::is_default_ci_value;
use tokenspec_core::load::fast::DefView;
use tokenspec_core::{Class, Deprecation, Format, Required, TokenDef};
use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use crate::model::{ClassInfo, DefaultToken, GithubSpec, Spec, StoreKind, StoreSpec, Token};

/// Identifies the layout; bump it whenever the encoding or the model changes.
const MAGIC: &[u8; 16] = b"tokenspec-snap:6";

/// Which source text a snapshot was made from: XXH3-128 of its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Digest(pub u128);

impl Digest {
    /// The digest of `src`.
    pub fn of(src: &[u8]) -> Digest {
        Digest(xxhash_rust::xxh3::xxh3_128(src))
    }

    /// The digest of everything `reader` yields, read in fixed-size pieces:
    /// the same as [`Digest::of`] the whole text, without holding it.
    pub fn of_reader(mut reader: impl Read) -> io::Result<Digest> {
        const PIECE: u64 = 64 * 1024;
        let mut hasher = Xxh3::new();
        // Not zeroed: a small spec touches only the pages it fills (a zeroed
        // 64 KB buffer was 16 page faults in every run on the real spec).
        let mut buf = Vec::with_capacity(PIECE as usize);
        loop {
            buf.clear();
            if (&mut reader).take(PIECE).read_to_end(&mut buf)? == 0 {
                return Ok(Digest(hasher.digest128()));
            }
            hasher.update(&buf);
        }
    }
}

/// A 64-bit hash, stable across builds and platforms, for file names and
/// checksums (not for security: whoever can write the cache can run code).
pub fn fingerprint(bytes: &[u8]) -> u64 {
    xxh3_64(bytes)
}

/// Encodes `spec`, which was parsed from the text with digest `source`.
pub fn encode(spec: &Spec, source: Digest) -> Vec<u8> {
    let mut w = Writer::default();
    w.len(spec.environments.len());
    for e in &spec.environments {
        w.str(e);
    }
    w.len(spec.env_from.len());
    for v in &spec.env_from {
        w.str(v);
    }
    w.len(spec.classes.len());
    for c in &spec.classes {
        w.class(c.class);
        w.str(&c.owner);
        w.opt_n(c.rotation_days);
        w.str(&c.description);
    }
    w.len(spec.templates.len());
    for t in &spec.templates {
        w.str(t);
    }
    match &spec.store {
        None => w.u8(0),
        Some(s) => {
            w.u8(1);
            w.str(s.kind.as_str());
            w.opt_str(s.address.as_deref());
            w.str(&s.mount);
            w.str(&s.path);
            w.len(s.environments.len());
            for e in &s.environments {
                w.str(e);
            }
            w.u8(u8::from(s.files));
            w.len(s.span.start);
            w.len(s.span.end.wrapping_sub(s.span.start));
        }
    }
    let g = &spec.github;
    w.u8(match g.default_token {
        DefaultToken::Allow => 0,
        DefaultToken::Forbid => 1,
    });
    w.len(g.default_token_workflows.len());
    for x in &g.default_token_workflows {
        w.str(x);
    }
    w.opt_str(g.repository.as_deref());
    w.len(g.environments.len());
    for (e, name) in &g.environments {
        w.str(e);
        w.str(name);
    }
    match &g.span {
        None => w.u8(0),
        Some(span) => {
            w.u8(1);
            w.len(span.start);
            w.len(span.end.wrapping_sub(span.start));
        }
    }
    w.len(spec.tokens.len());
    for t in &spec.tokens {
        let class = spec.class(t.class);
        // What the loader reads first; the rest after its length, so that
        // the loader's records skip it in one step.
        w.str(&t.name);
        w.class(t.class);
        match &t.required {
            Required::Always => w.u8(0),
            Required::Never => w.u8(1),
            Required::In(envs) => {
                w.u8(2);
                w.len(envs.len());
                for e in envs.iter() {
                    w.str(e);
                }
            }
        }
        // Built-ins by their spec name; a regex by its pattern.
        w.str(t.format.name());
        if let Format::Regex(pattern) = &t.format {
            w.str(pattern);
        }
        if t.ci_value == Token::default_ci_value(&t.name) {
            w.u8(0);
        } else {
            w.u8(1);
            w.str(&t.ci_value);
        }
        match &t.deprecated {
            None => w.u8(0),
            Some(d) => {
                w.u8(1);
                w.opt_str(d.replacement.as_deref());
                w.opt_str(d.note.as_deref());
            }
        }
        w.len(t.aliases.len());
        for a in &t.aliases {
            w.str(a);
        }
        let outer = std::mem::take(&mut w.fields);
        w.str(&t.description);
        // One byte says which of the rarely given fields follow.
        let own_owner = t.owner != class.owner;
        let own_rotation = t.rotation_days != class.rotation_days;
        w.u8(u8::from(own_owner)
            | u8::from(own_rotation) << 1
            | u8::from(t.workflows.is_some()) << 2
            | u8::from(t.identity.is_some()) << 3);
        if own_owner {
            w.str(&t.owner);
        }
        if own_rotation {
            w.opt_n(t.rotation_days);
        }
        w.len(t.scopes.len());
        for s in &t.scopes {
            w.str(s);
        }
        if let Some(globs) = &t.workflows {
            w.len(globs.len());
            for g in globs {
                w.str(g);
            }
        }
        if let Some(identity) = &t.identity {
            w.str(identity);
        }
        let base = t.span.start;
        w.len(base);
        w.len(t.span.end.wrapping_sub(base));
        for span in [&t.name_span, &t.ci_value_span] {
            w.len(span.start.wrapping_sub(base));
            w.len(span.end.wrapping_sub(span.start));
        }
        let tail = std::mem::replace(&mut w.fields, outer);
        w.len(tail.len());
        w.fields.extend_from_slice(&tail);
    }
    w.finish(source)
}

/// The spec in `bytes` when they were encoded from the text with digest
/// `source`, else `None`.
pub fn decode(bytes: &[u8], source: Digest) -> Option<Spec> {
    let (mut r, environments, env_from, classes) = open(bytes, source)?;
    let environments = environments.into_iter().map(str::to_owned).collect();
    let env_from = env_from.into_iter().map(str::to_owned).collect();
    let templates = r.list(|r| r.str().map(str::to_owned))?;
    let store = read_store(&mut r)?;
    let github = read_github(&mut r)?;
    let tokens = r.list(|r| {
        let t = RawToken::read(r, &classes)?;
        let d = &t.def;
        Some(Token {
            name: d.name.to_owned(),
            class: d.class,
            description: t.description.to_owned(),
            required: d.required(|e| Cow::Owned(e.to_owned())),
            format: d.format(|p| Cow::Owned(p.to_owned())),
            ci_value: d
                .ci_value
                .map_or_else(|| Token::default_ci_value(d.name), str::to_owned),
            owner: t.owner.to_owned(),
            rotation_days: t.rotation_days,
            scopes: t.scopes.iter().map(|s| (*s).to_owned()).collect(),
            deprecated: d.deprecated(|s| Cow::Owned(s.to_owned())),
            aliases: d.aliases.iter().map(|a| (*a).to_owned()).collect(),
            workflows: t
                .workflows
                .as_ref()
                .map(|w| w.iter().map(|g| (*g).to_owned()).collect()),
            identity: t.identity.map(str::to_owned),
            span: t.span,
            name_span: t.name_span,
            ci_value_span: t.ci_value_span,
        })
    })?;
    // Trailing bytes mean a layout this build does not know.
    r.data.is_empty().then(|| Spec {
        environments,
        env_from,
        classes: classes.iter().map(RawClass::to_info).collect(),
        tokens,
        templates,
        store,
        github,
    })
}

/// The `[github]` settings, after `[store]`.
fn read_github(r: &mut Reader<'_>) -> Option<GithubSpec> {
    Some(GithubSpec {
        default_token: match r.u8()? {
            0 => DefaultToken::Allow,
            1 => DefaultToken::Forbid,
            _ => return None,
        },
        default_token_workflows: r.list(|r| r.str().map(str::to_owned))?,
        repository: r.opt_str()?.map(str::to_owned),
        environments: r.list(|r| Some((r.str()?.to_owned(), r.str()?.to_owned())))?,
        span: match r.u8()? {
            0 => None,
            1 => {
                let start = r.len()?;
                Some(start..start.checked_add(r.len()?)?)
            }
            _ => return None,
        },
    })
}

/// The `[store]` settings, before the tokens.
fn read_store(r: &mut Reader<'_>) -> Option<Option<StoreSpec>> {
    Some(match r.u8()? {
        0 => None,
        1 => Some(StoreSpec {
            kind: StoreKind::parse(r.str()?)?,
            address: r.opt_str()?.map(str::to_owned),
            mount: r.str()?.to_owned(),
            path: r.str()?.to_owned(),
            environments: r.list(|r| r.str().map(str::to_owned))?,
            files: match r.u8()? {
                0 => false,
                1 => true,
                _ => return None,
            },
            span: {
                let start = r.len()?;
                start..start.checked_add(r.len()?)?
            },
        }),
        _ => return None,
    })
}

/// A checked snapshot kept to the end of the process, read in place: what
/// a command that only loads tokens needs (environments, the tokens as
/// [`Record`]s borrowing the snapshot's text) without building the whole
/// [`Spec`]; [`View::spec`] builds it for the commands that need more.
///
/// At 100k tokens the full model is about 400 bytes a token and even the
/// loader's `TokenDef`s about 200, so `export` reads the records in place
/// and holds nothing per token.
pub struct View {
    bytes: &'static [u8],
    source: Digest,
    environments: Vec<&'static str>,
    env_from: Vec<&'static str>,
    classes: Vec<RawClass<'static>>,
    /// Stands at the first token.
    tokens: Reader<'static>,
    count: usize,
    /// `[store]`: the loading commands ask whether it serves the environment.
    store: Option<StoreSpec>,
    /// Whether every token reads whole, to the last byte: checked once, by
    /// the first caller of [`View::tokens_ok`].
    tokens_ok: std::sync::OnceLock<bool>,
    /// Set when [`Records`] met a token it could not read.
    broken: std::sync::atomic::AtomicBool,
}

impl View {
    /// The view of `bytes` when they are a whole, undamaged snapshot of the
    /// text with digest `source` (magic, checksum, digest and everything
    /// before the tokens checked), else `None`. The tokens are checked by
    /// [`View::tokens_ok`], or record by record as [`View::records`] reads
    /// them: `export` reads each token once.
    pub fn new(bytes: &'static [u8], source: Digest) -> Option<View> {
        let (mut r, environments, env_from, classes) = open(bytes, source)?;
        r.list(|r| r.str())?;
        let store = read_store(&mut r)?;
        read_github(&mut r)?;
        let count = r.len()?;
        Some(View {
            bytes,
            source,
            environments,
            env_from,
            classes,
            tokens: r,
            count,
            store,
            tokens_ok: std::sync::OnceLock::new(),
            broken: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// Whether every token reads whole and nothing follows them: what
    /// [`View::defs`] and [`View::spec`] need.
    pub fn tokens_ok(&self) -> bool {
        *self.tokens_ok.get_or_init(|| {
            let mut r = self.tokens.clone();
            (0..self.count).all(|_| RawToken::read(&mut r, &self.classes).is_some())
                && r.data.is_empty()
        })
    }

    /// Whether [`View::records`] met a token it could not read; what it
    /// yielded before is then not to be used.
    pub fn broken(&self) -> bool {
        self.broken.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The variables that choose the environment, as the spec names them.
    pub fn env_from(&self) -> &[&'static str] {
        &self.env_from
    }

    /// The spec's environment names.
    pub fn environments(&self) -> &[&'static str] {
        &self.environments
    }

    /// The spec's `[store]`, if any.
    pub fn store(&self) -> Option<&StoreSpec> {
        self.store.as_ref()
    }

    /// The tokens of `class` (all when `None`) in spec order, each read from
    /// the snapshot as the iterator reaches it; one that cannot be read ends
    /// the iteration and sets [`View::broken`].
    pub fn records(&self, class: Option<Class>) -> Records<'_> {
        Records {
            reader: self.tokens.clone(),
            left: self.count,
            view: self,
            class,
        }
    }

    /// What [`Spec::defs`] gives for `class`, borrowing the snapshot's text;
    /// `None` unless [`View::tokens_ok`].
    pub fn defs(&self, class: Option<Class>) -> Option<Vec<TokenDef>> {
        if !self.tokens_ok() {
            return None;
        }
        let mut r = self.tokens.clone();
        let mut defs = Vec::new();
        for _ in 0..self.count {
            let token = RawToken::read(&mut r, &self.classes)?;
            if class.is_none_or(|c| token.def.class == c) {
                defs.push(token.to_def());
            }
        }
        Some(defs)
    }

    /// The whole spec; `None` unless [`View::tokens_ok`].
    pub fn spec(&self) -> Option<Spec> {
        decode(self.bytes, self.source)
    }
}

/// The tokens of a [`View`], in spec order; see [`View::records`].
#[derive(Clone)]
pub struct Records<'v> {
    reader: Reader<'static>,
    left: usize,
    view: &'v View,
    class: Option<Class>,
}

impl Iterator for Records<'_> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        while self.left > 0 {
            self.left -= 1;
            let Some(def) = RawDef::read(&mut self.reader, &self.view.classes) else {
                self.fail();
                return None;
            };
            // Trailing bytes mean a layout this build does not know.
            if self.left == 0 && !self.reader.data.is_empty() {
                self.fail();
                return None;
            }
            if self.class.is_none_or(|c| def.class == c) {
                return Some(Record(def));
            }
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left))
    }
}

impl Records<'_> {
    fn fail(&mut self) {
        self.left = 0;
        self.view
            .broken
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// One token of a [`View`], read in place: what the loader's fast path
/// ([`tokenspec_core::load::fast`]) asks of a definition.
pub struct Record(RawDef<'static>);

impl<'d> DefView<'d> for Record {
    fn name(&self) -> &'d str {
        self.0.name
    }
    fn class(&self) -> Class {
        self.0.class
    }
    fn required_in(&self, env: Option<&str>) -> bool {
        match &self.0.required {
            RawRequired::Always => true,
            RawRequired::Never => false,
            RawRequired::In(envs) => env.is_some_and(|e| envs.contains(&e)),
        }
    }
    fn fits(&self, value: &str) -> bool {
        self.0.format(Cow::Borrowed).matches(value)
    }
    fn is_ci_value(&self, value: &str) -> bool {
        match self.0.ci_value {
            Some(ci) => value == ci,
            None => is_default_ci_value(value, self.0.name),
        }
    }
    fn aliases(&self) -> impl Iterator<Item = &'d str> + '_ {
        self.0.aliases.iter().map(|a| -> &'d str { a })
    }
    fn is_deprecated(&self) -> bool {
        self.0.deprecated.is_some()
    }
}

/// Checks magic, checksum and digest; the reader then stands at the token count.
#[allow(clippy::type_complexity)]
fn open(
    bytes: &[u8],
    source: Digest,
) -> Option<(Reader<'_>, Vec<&str>, Vec<&str>, Vec<RawClass<'_>>)> {
    let body = bytes.strip_prefix(MAGIC)?;
    let (body, sum) = body.split_at_checked(body.len().checked_sub(8)?)?;
    if fingerprint(body).to_le_bytes() != sum {
        return None;
    }
    let (digest, body) = body.split_at_checked(16)?;
    if digest != source.0.to_le_bytes() {
        return None;
    }
    let mut data = Reader {
        data: body,
        pool: "",
    };
    let pool_len = data.len()?;
    let pool = std::str::from_utf8(data.take(pool_len)?).ok()?;
    let mut r = Reader {
        data: data.data,
        pool,
    };
    let environments = r.list(|r| r.str())?;
    let env_from = r.list(|r| r.str())?;
    let classes = r.list(|r| {
        Some(RawClass {
            class: r.class()?,
            owner: r.str()?,
            rotation_days: r.opt_n()?,
            description: r.str()?,
        })
    })?;
    Some((r, environments, env_from, classes))
}

/// A class's settings as the snapshot holds them.
struct RawClass<'a> {
    class: Class,
    owner: &'a str,
    rotation_days: Option<u32>,
    description: &'a str,
}

impl RawClass<'_> {
    fn to_info(&self) -> ClassInfo {
        ClassInfo {
            class: self.class,
            owner: self.owner.to_owned(),
            rotation_days: self.rotation_days,
            description: self.description.to_owned(),
        }
    }
}

impl RawToken<'static> {
    /// The loader's definition, borrowing the snapshot's text.
    fn to_def(&self) -> TokenDef {
        let d = &self.def;
        TokenDef {
            name: Cow::Borrowed(d.name),
            class: d.class,
            description: Cow::Borrowed(self.description),
            required: d.required(Cow::Borrowed),
            format: d.format(Cow::Borrowed),
            ci_value: d.ci_value.map_or_else(
                || Cow::Owned(Token::default_ci_value(d.name)),
                Cow::Borrowed,
            ),
            deprecated: d.deprecated(Cow::Borrowed),
            aliases: Cow::Owned(d.aliases.iter().map(|a| Cow::Borrowed(*a)).collect()),
        }
    }
}

/// One token as the snapshot holds it, borrowing its text: the one reader
/// of the token layout, for [`decode`] and [`View`] alike.
struct RawToken<'a> {
    def: RawDef<'a>,
    description: &'a str,
    owner: &'a str,
    rotation_days: Option<u32>,
    scopes: Vec<&'a str>,
    workflows: Option<Vec<&'a str>>,
    identity: Option<&'a str>,
    span: Range<usize>,
    name_span: Range<usize>,
    ci_value_span: Range<usize>,
}

/// The part of a token the loader reads, first in its layout.
struct RawDef<'a> {
    name: &'a str,
    class: Class,
    required: RawRequired<'a>,
    format: Format,
    pattern: Option<&'a str>,
    /// `None`: the default.
    ci_value: Option<&'a str>,
    deprecated: Option<(Option<&'a str>, Option<&'a str>)>,
    aliases: Vec<&'a str>,
}

enum RawRequired<'a> {
    Always,
    Never,
    In(Vec<&'a str>),
}

impl<'a> RawToken<'a> {
    fn read(r: &mut Reader<'a>, classes: &[RawClass<'a>]) -> Option<Self> {
        let def = RawDef::read_head(r)?;
        let info = classes.iter().find(|c| c.class == def.class)?;
        let tail_len = r.len()?;
        let mut tail = Reader {
            data: r.take(tail_len)?,
            pool: r.pool,
        };
        let r = &mut tail;
        let description = r.str()?;
        let flags = r.u8()?;
        if flags > 0b1111 {
            return None;
        }
        let owner = if flags & 1 != 0 { r.str()? } else { info.owner };
        let rotation_days = if flags & 2 != 0 {
            r.opt_n()?
        } else {
            info.rotation_days
        };
        let scopes = r.list(|r| r.str())?;
        let workflows = if flags & 4 != 0 {
            Some(r.list(|r| r.str())?)
        } else {
            None
        };
        let identity = if flags & 8 != 0 { Some(r.str()?) } else { None };
        let base = r.len()?;
        let span = base..base.checked_add(r.len()?)?;
        let mut relative = || -> Option<Range<usize>> {
            let start = base.wrapping_add(r.len()?);
            Some(start..start.checked_add(r.len()?)?)
        };
        let name_span = relative()?;
        let ci_value_span = relative()?;
        // The tail's length must be exactly what it holds.
        tail.data.is_empty().then_some(RawToken {
            def,
            description,
            owner,
            rotation_days,
            scopes,
            workflows,
            identity,
            span,
            name_span,
            ci_value_span,
        })
    }
}

impl<'a> RawDef<'a> {
    /// The loader's part of a token, skipping the rest.
    fn read(r: &mut Reader<'a>, classes: &[RawClass<'a>]) -> Option<Self> {
        let def = RawDef::read_head(r)?;
        classes.iter().find(|c| c.class == def.class)?;
        let tail_len = r.len()?;
        r.take(tail_len)?;
        Some(def)
    }

    fn read_head(r: &mut Reader<'a>) -> Option<Self> {
        let name = r.str()?;
        let class = r.class()?;
        let required = match r.u8()? {
            0 => RawRequired::Always,
            1 => RawRequired::Never,
            2 => RawRequired::In(r.list(|r| r.str())?),
            _ => return None,
        };
        let (format, pattern) = match r.str()? {
            // Checked once the pattern is known (see `RawDef::format`).
            "regex" => (Format::Any, Some(r.str()?)),
            builtin => (Format::builtin(builtin)?, None),
        };
        let ci_value = match r.u8()? {
            0 => None,
            1 => Some(r.str()?),
            _ => return None,
        };
        let deprecated = match r.u8()? {
            0 => None,
            1 => Some((r.opt_str()?, r.opt_str()?)),
            _ => return None,
        };
        let aliases = r.list(|r| r.str())?;
        Some(RawDef {
            name,
            class,
            required,
            format,
            pattern,
            ci_value,
            deprecated,
            aliases,
        })
    }

    fn required(&self, text: impl Fn(&'a str) -> Cow<'static, str>) -> Required {
        match &self.required {
            RawRequired::Always => Required::Always,
            RawRequired::Never => Required::Never,
            RawRequired::In(envs) => {
                Required::In(Cow::Owned(envs.iter().map(|e| text(e)).collect()))
            }
        }
    }

    fn format(&self, text: impl Fn(&'a str) -> Cow<'static, str>) -> Format {
        match self.pattern {
            Some(pattern) => Format::Regex(text(pattern)),
            None => self.format.clone(),
        }
    }

    fn deprecated(&self, text: impl Fn(&'a str) -> Cow<'static, str>) -> Option<Deprecation> {
        self.deprecated.map(|(replacement, note)| Deprecation {
            replacement: replacement.map(&text),
            note: note.map(&text),
        })
    }
}

/// Writes the fields, with every string once in the pool.
#[derive(Default)]
struct Writer {
    fields: Vec<u8>,
    pool: String,
    /// Where each string already in the pool starts.
    interned: std::collections::HashMap<String, usize>,
}

impl Writer {
    fn u8(&mut self, v: u8) {
        self.fields.push(v);
    }

    /// Unsigned LEB128: seven bits a byte, low bits first.
    fn len(&mut self, n: usize) {
        leb128(&mut self.fields, n);
    }

    /// A string as its place in the pool; a repeated one (a description,
    /// an owner, a format name) is stored once.
    fn str(&mut self, s: &str) {
        let at = match self.interned.get(s) {
            Some(&at) => at,
            None => {
                let at = self.pool.len();
                self.pool.push_str(s);
                self.interned.insert(s.to_owned(), at);
                at
            }
        };
        self.len(at);
        self.len(s.len());
    }

    /// The whole file: magic, digest, pool, fields, checksum.
    fn finish(self, source: Digest) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.pool.len() + self.fields.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&source.0.to_le_bytes());
        leb128(&mut out, self.pool.len());
        out.extend_from_slice(self.pool.as_bytes());
        out.extend_from_slice(&self.fields);
        let sum = fingerprint(&out[MAGIC.len()..]);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.u8(0),
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
        }
    }

    fn opt_n(&mut self, v: Option<u32>) {
        match v {
            None => self.u8(0),
            Some(v) => {
                self.u8(1);
                self.len(v as usize);
            }
        }
    }

    fn class(&mut self, class: Class) {
        self.u8(match class {
            Class::Cicd => 0,
            Class::Runtime => 1,
        });
    }
}

fn leb128(out: &mut Vec<u8>, n: usize) {
    let mut n = n as u64;
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Reads what [`Writer`] wrote; every method is `None` on truncated or
/// malformed input, never a panic.
#[derive(Clone)]
struct Reader<'a> {
    data: &'a [u8],
    /// Every string of the snapshot, checked as UTF-8 once.
    pool: &'a str,
}

impl<'a> Reader<'a> {
    #[inline]
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.data.len() {
            return None;
        }
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        Some(head)
    }

    #[inline]
    fn u8(&mut self) -> Option<u8> {
        let (&first, rest) = self.data.split_first()?;
        self.data = rest;
        Some(first)
    }

    /// An unsigned LEB128 varint; `None` past 64 bits or the end.
    #[inline]
    fn len(&mut self) -> Option<usize> {
        // Most are one byte: a count, a flag, a short length.
        if let Some((&byte, rest)) = self.data.split_first() {
            if byte < 0x80 {
                self.data = rest;
                return Some(usize::from(byte));
            }
        }
        self.len_long()
    }

    fn len_long(&mut self) -> Option<usize> {
        let mut n = 0u64;
        for (i, &byte) in self.data.iter().enumerate().take(10) {
            let bits = u64::from(byte & 0x7f);
            if i == 9 && bits > 1 {
                return None;
            }
            n |= bits << (7 * i);
            if byte & 0x80 == 0 {
                self.data = &self.data[i + 1..];
                return usize::try_from(n).ok();
            }
        }
        None
    }

    /// A string of the pool; `None` outside it or off a character boundary.
    #[inline]
    fn str(&mut self) -> Option<&'a str> {
        let at = self.len()?;
        let n = self.len()?;
        self.pool.get(at..at.checked_add(n)?)
    }

    #[inline]
    fn opt_str(&mut self) -> Option<Option<&'a str>> {
        match self.u8()? {
            0 => Some(None),
            1 => self.str().map(Some),
            _ => None,
        }
    }

    fn opt_n(&mut self) -> Option<Option<u32>> {
        match self.u8()? {
            0 => Some(None),
            1 => Some(Some(u32::try_from(self.len()?).ok()?)),
            _ => None,
        }
    }

    #[inline]
    fn class(&mut self) -> Option<Class> {
        match self.u8()? {
            0 => Some(Class::Cicd),
            1 => Some(Class::Runtime),
            _ => None,
        }
    }

    /// A count, then that many items. The count is not trusted for the
    /// allocation: a corrupt one fails on the first missing item instead.
    #[inline]
    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let n = self.len()?;
        if n == 0 {
            return Some(Vec::new());
        }
        let mut out = Vec::with_capacity(n.min(self.data.len()));
        for _ in 0..n {
            out.push(item(self)?);
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// XXH3-64 of `""` (the reference value) and of `"token-spec.toml"`.
    const PINNED: [u64; 2] = [0x2d06_8005_38d3_94c2, 0xaf49_f837_3894_6a99];

    /// Every kind of value the model holds: per-env requirements, a regex,
    /// deprecation with and without parts, class overrides, scopes.
    const FULL: &str = r#"
version = 1
environments = ["dev", "staging", "prod", "ci"]

[store]
kind = "vault"
address = "https://vault.internal:8200"
path = "proj/{class}/{env}"
environments = ["prod"]
files = false

[github]
default_token = "forbid"
default_token_workflows = ["release.yml", "auto-*.yml"]
repository = "octo-org/proj"
environments = { prod = "production", staging = "staging" }

[class.cicd]
owner = "Platform"
rotation_days = 90

[[token]]
name = "DEPLOY_KEY"
class = "cicd"
description = "Deploys"
format = { regex = "dk_[a-z0-9]{8}" }
ci_value = "dk_ci000000"
required = ["prod", "ci"]
scopes = ["deploy", "read"]
aliases = ["DEPLOY_TOKEN", "OLD_DEPLOY"]
workflows = ["deploy.yml", "release-*.yml"]
identity = "deploy-bot[bot]"

[[token]]
name = "OLD_KEY"
class = "cicd"
description = "Replaced"
required = false
deprecated = { replacement = "DEPLOY_KEY", note = "gone in Q3" }
workflows = []

[[token]]
name = "BOT_JWT"
class = "runtime"
description = "Service auth, é and ünïcode"
format = "jwt"
rotation_days = 30
owner = "Bots"
deprecated = {}
"#;

    fn digest(src: &str) -> Digest {
        Digest::of(src.as_bytes())
    }

    fn spec(src: &str) -> Spec {
        Spec::parse(src, "token-spec.toml").unwrap_or_else(|d| panic!("{d}"))
    }

    #[test]
    fn round_trips_the_project_spec_and_every_kind_of_value() {
        let project = include_str!("../../token-spec.toml");
        for src in [project, FULL] {
            let s = spec(src);
            assert_eq!(decode(&encode(&s, digest(src)), digest(src)), Some(s));
        }
    }

    #[test]
    fn a_view_gives_what_the_spec_gives() {
        let project = include_str!("../../token-spec.toml");
        for src in [project, FULL] {
            let s = spec(src);
            let bytes: &'static [u8] = encode(&s, digest(src)).leak();
            let view = View::new(bytes, digest(src)).expect("a whole snapshot");
            assert_eq!(view.environments(), s.environments);
            assert_eq!(view.env_from(), s.env_from);
            for class in [None, Some(Class::Cicd), Some(Class::Runtime)] {
                assert_eq!(view.defs(class), Some(s.defs(class)), "{class:?}");
            }
            assert!(view.tokens_ok() && !view.broken());
            assert_eq!(view.spec().as_ref(), Some(&s));
            // The fast path's reading of each record is the definition's.
            let defs = s.defs(None);
            assert_eq!(view.records(None).count(), defs.len());
            for (record, def) in view.records(None).zip(&defs) {
                assert_eq!(record.name(), def.name());
                assert_eq!(DefView::class(&record), DefView::class(&def));
                for env in [None, Some("ci"), Some("dev"), Some("prod"), Some("staging")] {
                    assert_eq!(
                        record.required_in(env),
                        def.required_in(env),
                        "{}",
                        def.name
                    );
                }
                assert!(record.is_ci_value(&def.ci_value));
                assert!(!record.is_ci_value(&format!("{}x", def.ci_value)));
                assert!(!record.is_ci_value(&def.ci_value.to_uppercase()));
                assert!(record.aliases().eq(def.aliases()));
                assert_eq!(record.is_deprecated(), def.is_deprecated());
                for value in [
                    "ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                    "plain",
                    "AB-12",
                    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
                ] {
                    assert_eq!(record.fits(value), def.fits(value), "{} {value}", def.name);
                }
            }
            assert!(View::new(bytes, digest("")).is_none());
            assert!(View::new(&bytes[..bytes.len() - 1], digest(src)).is_none());
        }
    }

    /// Bytes that pass the checksum but whose tokens do not read (another
    /// build's layout, say) are never decoded into a spec or definitions.
    #[test]
    fn tokens_that_do_not_read_are_never_used() {
        let src = FULL;
        let s = spec(src);
        let good = encode(&s, digest(src));
        let sum_at = good.len() - 8;
        // Every cut of the token section, checksum made right again.
        let view = View::new(good.clone().leak(), digest(src)).unwrap();
        let tokens_at = good.len() - 8 - view.tokens.data.len();
        let (mut checked, mut broken) = (0, 0);
        for cut in tokens_at..sum_at {
            let mut bad = good[..cut].to_vec();
            // A byte that is never a whole token: a class outside the enum.
            bad.push(0xff);
            bad.extend_from_slice(&good[cut..sum_at]);
            let body_sum = fingerprint(&bad[MAGIC.len()..]);
            bad.extend_from_slice(&body_sum.to_le_bytes());
            let bytes: &'static [u8] = bad.leak();
            let Some(view) = View::new(bytes, digest(src)) else {
                continue;
            };
            if view.tokens_ok() {
                // The inserted byte happened to read as part of the layout.
                continue;
            }
            checked += 1;
            assert!(
                view.defs(None).is_none() && view.spec().is_none(),
                "cut {cut}"
            );
            let _ = view.records(None).count();
            broken += usize::from(view.broken());
        }
        assert!(checked > 0 && broken > 0, "{checked} {broken}");
    }

    #[test]
    fn other_source_text_is_a_miss() {
        let bytes = encode(&spec(FULL), digest(FULL));
        assert_eq!(
            decode(&bytes, digest(&FULL.replace("Deploys", "Deploy"))),
            None
        );
        assert_eq!(decode(&bytes, digest("")), None);
    }

    #[test]
    fn truncated_or_extended_bytes_are_a_miss() {
        let bytes = encode(&spec(FULL), digest(FULL));
        for end in 0..bytes.len() {
            assert_eq!(decode(&bytes[..end], digest(FULL)), None, "cut at {end}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode(&longer, digest(FULL)), None);
    }

    #[test]
    fn another_layout_is_a_miss() {
        let mut bytes = encode(&spec(FULL), digest(FULL));
        bytes[MAGIC.len() - 1] = b'1';
        assert_eq!(decode(&bytes, digest(FULL)), None);
    }

    #[test]
    fn a_streamed_digest_is_the_digest_of_the_whole_text() {
        // Longer than the read buffer, so it takes several pieces.
        let text = FULL.repeat(200);
        assert!(text.len() > 64 * 1024);
        let streamed = Digest::of_reader(text.as_bytes()).unwrap();
        assert_eq!(streamed, digest(&text));
        assert_ne!(streamed, digest(&text[1..]));
    }

    #[test]
    fn defaults_are_flags_and_a_spec_of_many_tokens_stays_small() {
        let mut src = String::from("version = 1\n");
        for i in 0..1000 {
            src.push_str(&format!(
                "[[token]]\nname = \"T_{i:04}\"\nclass = \"cicd\"\ndescription = \"d\"\n"
            ));
        }
        let s = spec(&src);
        let bytes = encode(&s, digest(&src));
        // Per token: its name, pool references (a few bytes each) and flags.
        assert!(bytes.len() < 32 * 1000, "{} bytes", bytes.len());
        assert_eq!(decode(&bytes, digest(&src)), Some(s));
    }

    #[test]
    fn fingerprint_is_stable_and_sees_length_and_every_byte() {
        // Pinned: cache file names must not change between builds or platforms.
        assert_eq!(fingerprint(b""), PINNED[0]);
        assert_eq!(fingerprint(b"token-spec.toml"), PINNED[1]);
        // A trailing zero byte is a different text.
        assert_ne!(fingerprint(b"a"), fingerprint(b"a\0"));
        let text = b"the same text, nine words of it, and then one more".to_vec();
        for at in 0..text.len() {
            let mut other = text.clone();
            other[at] ^= 1;
            assert_ne!(fingerprint(&text), fingerprint(&other), "byte {at}");
        }
    }

    proptest::proptest! {
        /// A changed byte anywhere is a miss, never a different spec or a panic.
        #[test]
        fn any_changed_byte_is_a_miss(at in 0usize..1 << 16, flip in 1u8..=255) {
            let mut bytes = encode(&spec(FULL), digest(FULL));
            let at = at % bytes.len();
            bytes[at] ^= flip;
            proptest::prop_assert_eq!(decode(&bytes, digest(FULL)), None);
            proptest::prop_assert!(View::new(bytes.leak(), digest(FULL)).is_none());
        }
    }
}
