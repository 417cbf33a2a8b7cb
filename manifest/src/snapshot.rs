//! A validated spec as bytes, so the command line tool can skip the TOML
//! parse and validation when the spec text has not changed.
//!
//! The snapshot holds the exact source it was made from; [`decode`] returns
//! the spec only when that source equals the current text byte for byte, so
//! a snapshot can be stale or corrupt but never wrong: anything unexpected
//! decodes to `None` and the caller parses the spec as usual. A checksum at
//! the end catches damaged bytes (any one changed byte, always). Only specs
//! that passed every check are ever encoded.

use std::borrow::Cow;

use tokenspec_core::{Class, Deprecation, Format, Required};

use crate::model::{ClassInfo, Spec, StoreKind, StoreSpec, Token};

/// Identifies the layout; bump it whenever the encoding or the model changes.
const MAGIC: &[u8; 16] = b"tokenspec-snap:3";

/// Encodes `spec`, which was parsed from `src`.
pub fn encode(spec: &Spec, src: &str) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(src.len() * 2 + 256));
    w.0.extend_from_slice(MAGIC);
    w.str(src);
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
        w.opt_u32(c.rotation_days);
        w.str(&c.description);
    }
    w.len(spec.tokens.len());
    for t in &spec.tokens {
        w.str(&t.name);
        w.class(t.class);
        w.str(&t.description);
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
        w.str(&t.ci_value);
        w.str(&t.owner);
        w.opt_u32(t.rotation_days);
        w.len(t.scopes.len());
        for s in &t.scopes {
            w.str(s);
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
        for span in [&t.span, &t.name_span, &t.ci_value_span] {
            w.len(span.start);
            w.len(span.end);
        }
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
            w.len(s.span.end);
        }
    }
    let sum = fingerprint(&w.0[MAGIC.len()..]);
    w.0.extend_from_slice(&sum.to_le_bytes());
    w.0
}

/// The spec in `bytes` when they were encoded from exactly `src`, else `None`.
pub fn decode(bytes: &[u8], src: &str) -> Option<Spec> {
    let body = bytes.strip_prefix(MAGIC)?;
    let (body, sum) = body.split_at_checked(body.len().checked_sub(8)?)?;
    if fingerprint(body).to_le_bytes() != sum {
        return None;
    }
    let mut r = Reader(body);
    let n = r.len()?;
    if r.take(n)? != src.as_bytes() {
        return None;
    }
    let environments = r.list(|r| r.string())?;
    let env_from = r.list(|r| r.string())?;
    let classes = r.list(|r| {
        Some(ClassInfo {
            class: r.class()?,
            owner: r.string()?,
            rotation_days: r.opt_u32()?,
            description: r.string()?,
        })
    })?;
    let tokens = r.list(|r| {
        let name = r.string()?;
        let class = r.class()?;
        let description = r.string()?;
        let required = match r.u8()? {
            0 => Required::Always,
            1 => Required::Never,
            2 => Required::In(Cow::Owned(r.list(|r| r.string().map(Cow::Owned))?)),
            _ => return None,
        };
        let format = match r.str()? {
            "regex" => Format::Regex(Cow::Owned(r.string()?)),
            builtin => Format::builtin(builtin)?,
        };
        let ci_value = r.string()?;
        let owner = r.string()?;
        let rotation_days = r.opt_u32()?;
        let scopes = r.list(|r| r.string())?;
        let deprecated = match r.u8()? {
            0 => None,
            1 => Some(Deprecation {
                replacement: r.opt_string()?.map(Cow::Owned),
                note: r.opt_string()?.map(Cow::Owned),
            }),
            _ => return None,
        };
        let aliases = r.list(|r| r.string())?;
        let mut span = || Some(r.len()?..r.len()?);
        Some(Token {
            name,
            class,
            description,
            required,
            format,
            ci_value,
            owner,
            rotation_days,
            scopes,
            deprecated,
            aliases,
            span: span()?,
            name_span: span()?,
            ci_value_span: span()?,
        })
    })?;
    let templates = r.list(|r| r.string())?;
    let store = match r.u8()? {
        0 => None,
        1 => Some(StoreSpec {
            kind: StoreKind::parse(r.str()?)?,
            address: r.opt_string()?,
            mount: r.string()?,
            path: r.string()?,
            environments: r.list(|r| r.string())?,
            files: match r.u8()? {
                0 => false,
                1 => true,
                _ => return None,
            },
            span: r.len()?..r.len()?,
        }),
        _ => return None,
    };
    // Trailing bytes mean a layout this build does not know.
    r.0.is_empty().then_some(Spec {
        environments,
        env_from,
        classes,
        tokens,
        templates,
        store,
    })
}

/// A 64-bit hash, stable across builds and platforms, for file names and
/// checksums (not for security: whoever can write the cache can run code).
///
/// FNV-1a over 8-byte words, then a final mix: each step is a bijection of
/// the state, so changing any one word (and so any one byte) always changes
/// the result, and it reads a 3 KB snapshot in a few thousand instructions.
pub fn fingerprint(bytes: &[u8]) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut chunks = bytes.chunks_exact(8);
    let mut h = (0xcbf2_9ce4_8422_2325 ^ bytes.len() as u64).wrapping_mul(PRIME);
    for word in &mut chunks {
        let w = u64::from_le_bytes(word.try_into().expect("chunks of 8"));
        h = (h ^ w).wrapping_mul(PRIME);
    }
    let mut tail = [0u8; 8];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    h = (h ^ u64::from_le_bytes(tail)).wrapping_mul(PRIME);
    // Mix the high bits down (murmur3's finaliser), so names differ early.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }

    fn len(&mut self, n: usize) {
        self.0.extend_from_slice(&(n as u64).to_le_bytes());
    }

    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.0.extend_from_slice(s.as_bytes());
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

    fn opt_u32(&mut self, v: Option<u32>) {
        match v {
            None => self.u8(0),
            Some(v) => {
                self.u8(1);
                self.0.extend_from_slice(&v.to_le_bytes());
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

/// Reads what [`Writer`] wrote; every method is `None` on truncated or
/// malformed input, never a panic.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn len(&mut self) -> Option<usize> {
        let n = u64::from_le_bytes(self.take(8)?.try_into().ok()?);
        usize::try_from(n).ok()
    }

    fn str(&mut self) -> Option<&'a str> {
        let n = self.len()?;
        std::str::from_utf8(self.take(n)?).ok()
    }

    fn string(&mut self) -> Option<String> {
        self.str().map(str::to_owned)
    }

    fn opt_string(&mut self) -> Option<Option<String>> {
        match self.u8()? {
            0 => Some(None),
            1 => self.string().map(Some),
            _ => None,
        }
    }

    fn opt_u32(&mut self) -> Option<Option<u32>> {
        match self.u8()? {
            0 => Some(None),
            1 => Some(Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))),
            _ => None,
        }
    }

    fn class(&mut self) -> Option<Class> {
        match self.u8()? {
            0 => Some(Class::Cicd),
            1 => Some(Class::Runtime),
            _ => None,
        }
    }

    /// A count, then that many items. The count is not trusted for the
    /// allocation: a corrupt one fails on the first missing item instead.
    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let n = self.len()?;
        let mut out = Vec::with_capacity(n.min(self.0.len()));
        for _ in 0..n {
            out.push(item(self)?);
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PINNED: [u64; 2] = [0x9bf1_ace3_4001_83e7, 0xa980_d213_0bd9_e9ec];

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

[[token]]
name = "OLD_KEY"
class = "cicd"
description = "Replaced"
required = false
deprecated = { replacement = "DEPLOY_KEY", note = "gone in Q3" }

[[token]]
name = "BOT_JWT"
class = "runtime"
description = "Service auth, é and ünïcode"
format = "jwt"
rotation_days = 30
owner = "Bots"
deprecated = {}
"#;

    fn spec(src: &str) -> Spec {
        Spec::parse(src, "token-spec.toml").unwrap_or_else(|d| panic!("{d}"))
    }

    #[test]
    fn round_trips_the_project_spec_and_every_kind_of_value() {
        let project = include_str!("../../token-spec.toml");
        for src in [project, FULL] {
            let s = spec(src);
            assert_eq!(decode(&encode(&s, src), src), Some(s));
        }
    }

    #[test]
    fn other_source_text_is_a_miss() {
        let bytes = encode(&spec(FULL), FULL);
        assert_eq!(decode(&bytes, &FULL.replace("Deploys", "Deploy")), None);
        assert_eq!(decode(&bytes, ""), None);
    }

    #[test]
    fn truncated_or_extended_bytes_are_a_miss() {
        let bytes = encode(&spec(FULL), FULL);
        for end in 0..bytes.len() {
            assert_eq!(decode(&bytes[..end], FULL), None, "cut at {end}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode(&longer, FULL), None);
    }

    #[test]
    fn another_layout_is_a_miss() {
        let mut bytes = encode(&spec(FULL), FULL);
        bytes[MAGIC.len() - 1] = b'0';
        assert_eq!(decode(&bytes, FULL), None);
    }

    #[test]
    fn fingerprint_is_stable_and_sees_length_and_every_byte() {
        // Pinned: cache file names must not change between builds or platforms.
        assert_eq!(fingerprint(b""), PINNED[0]);
        assert_eq!(fingerprint(b"token-spec.toml"), PINNED[1]);
        // Zero padding of the last word does not hide a length difference.
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
            let mut bytes = encode(&spec(FULL), FULL);
            let at = at % bytes.len();
            bytes[at] ^= flip;
            proptest::prop_assert_eq!(decode(&bytes, FULL), None);
        }
    }
}
