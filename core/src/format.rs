//! Value formats, placeholder rules and real-secret detection.
//!
//! Built-in formats are matched by hand (no regex compile on the hot path)
//! and are deliberately lenient: a format must accept every token its issuer
//! hands out today, so lengths are ranges taken from the shapes that gitleaks
//! and trufflehog document, never single fixed counts.

use std::borrow::Cow;
use std::fmt;

/// The value format of a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Format {
    /// Any non-empty value.
    Any,
    /// GitHub token: classic `ghp_` (and `gho_`/`ghu_`/`ghs_`/`ghr_`) or fine-grained `github_pat_`.
    GithubPat,
    /// JSON Web Token: three base64url segments, header starting `eyJ`.
    Jwt,
    /// Discord bot token: `<23-28>.<6-7>.<27+>` base64url segments.
    DiscordBotToken,
    /// Discord OAuth2 client secret: 32 or more base64url characters.
    DiscordClientSecret,
    /// Cloudflare API token: 40 or more base64url characters.
    CloudflareApiToken,
    /// Cloudflare tunnel token: base64 of a JSON object (starts `eyJ`).
    CloudflareTunnelToken,
    /// RFC 4122 UUID, any case.
    Uuid,
    /// A regular expression the whole value must match (implicitly anchored).
    Regex(Cow<'static, str>),
}

/// A built-in format: its spec name, and what it accepts in a person's words.
#[derive(Debug)]
pub struct Builtin {
    pub name: &'static str,
    pub format: Format,
    pub description: &'static str,
}

/// Every built-in format; the one place their names are spelled.
pub const BUILTIN_FORMATS: &[Builtin] = &[
    Builtin {
        name: "any",
        format: Format::Any,
        description: "any non-empty value",
    },
    Builtin {
        name: "github_pat",
        format: Format::GithubPat,
        description: "GitHub token: `ghp_…` (36+ chars) or fine-grained `github_pat_…`",
    },
    Builtin {
        name: "jwt",
        format: Format::Jwt,
        description: "JSON Web Token: `eyJ…` header, payload and signature in base64url",
    },
    Builtin {
        name: "discord_bot_token",
        format: Format::DiscordBotToken,
        description: "Discord bot token: three base64url segments, 23–28 . 6–7 . 27+",
    },
    Builtin {
        name: "discord_client_secret",
        format: Format::DiscordClientSecret,
        description: "Discord OAuth2 client secret: 32+ base64url characters",
    },
    Builtin {
        name: "cloudflare_api_token",
        format: Format::CloudflareApiToken,
        description: "Cloudflare API token: 40+ base64url characters",
    },
    Builtin {
        name: "cloudflare_tunnel_token",
        format: Format::CloudflareTunnelToken,
        description: "Cloudflare tunnel token: base64 JSON starting `eyJ`",
    },
    Builtin {
        name: "uuid",
        format: Format::Uuid,
        description: "UUID: 8-4-4-4-12 hex digits",
    },
];

impl Format {
    /// The built-in format called `name`, if any.
    pub fn builtin(name: &str) -> Option<Format> {
        BUILTIN_FORMATS
            .iter()
            .find(|b| b.name == name)
            .map(|b| b.format.clone())
    }

    /// This format's entry in [`BUILTIN_FORMATS`]; `None` for a regex.
    pub fn as_builtin(&self) -> Option<&'static Builtin> {
        BUILTIN_FORMATS.iter().find(|b| b.format == *self)
    }

    /// The spec spelling: a built-in name, or `regex`.
    pub fn name(&self) -> &str {
        self.as_builtin().map_or("regex", |b| b.name)
    }

    /// Compiles a regex format, anchored to the whole value.
    ///
    /// The dialect is `regex-lite`: Rust regex syntax with ASCII-only classes
    /// (`\d`, `\w`, `\s`, case folding) and no `\p{…}`, which suits token
    /// formats and keeps the Unicode tables of the full `regex` crate out of
    /// the binary (docs/benchmarks.md: they were most of its start-up
    /// relocations).
    ///
    /// The pattern must be a valid regex on its own before it is wrapped in
    /// `^(?:…)$`: otherwise `[0-9a-f]{32})|(.*` would close the wrapper's
    /// group itself and match anything.
    pub fn compile_regex(pattern: &str) -> Result<regex_lite::Regex, regex_lite::Error> {
        regex_lite::Regex::new(pattern)?;
        regex_lite::Regex::new(&format!("^(?:{pattern})$"))
    }

    /// Whether `value` has this format. An invalid regex matches nothing
    /// (the spec validator rejects it long before this runs).
    pub fn matches(&self, value: &str) -> bool {
        if value.is_empty() {
            return false;
        }
        match self {
            Format::Any => true,
            Format::GithubPat => is_github_token(value),
            Format::Jwt => is_jwt(value),
            Format::DiscordBotToken => is_discord_bot_token(value),
            Format::DiscordClientSecret => value.len() >= 32 && all_b64url(value),
            Format::CloudflareApiToken => value.len() >= 40 && all_b64url(value),
            Format::CloudflareTunnelToken => {
                value.len() >= 24
                    && value.starts_with("eyJ")
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"+/=_-".contains(&b))
            }
            Format::Uuid => is_uuid(value),
            Format::Regex(p) => Format::compile_regex(p).is_ok_and(|re| re.is_match(value)),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Format::Regex(p) => write!(f, "regex `{p}`"),
            other => f.write_str(other.name()),
        }
    }
}

fn is_b64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

fn all_b64url(s: &str) -> bool {
    s.bytes().all(is_b64url)
}

fn is_github_token(v: &str) -> bool {
    if let Some(rest) = v.strip_prefix("github_pat_") {
        return (22..=255).contains(&rest.len())
            && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    }
    let b = v.as_bytes();
    b.len() >= 40
        && b.len() <= 255
        && b[0] == b'g'
        && b[1] == b'h'
        && b"pousr".contains(&b[2])
        && b[3] == b'_'
        && all_alphanumeric(&b[4..])
}

/// Whether every byte is an ASCII letter or digit: without stopping early,
/// so it runs over whole blocks of bytes at once (most values pass).
fn all_alphanumeric(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .fold(true, |ok, b| ok & b.is_ascii_alphanumeric())
}

fn is_jwt(v: &str) -> bool {
    let mut parts = v.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let seg = |x: &str| x.bytes().all(|b| is_b64url(b) || b == b'=');
    h.starts_with("eyJ") && h.len() > 3 && !p.is_empty() && seg(h) && seg(p) && seg(s)
}

fn is_discord_bot_token(v: &str) -> bool {
    let mut parts = v.split('.');
    let (Some(a), Some(b), Some(c), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    (23..=28).contains(&a.len())
        && (6..=7).contains(&b.len())
        && (27..=64).contains(&c.len())
        && all_b64url(a)
        && all_b64url(b)
        && all_b64url(c)
}

fn is_uuid(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The default safe CI value of a token: `ci_test_<name in lowercase>`,
/// which [`is_placeholder`] recognises.
pub fn default_ci_value(name: &str) -> String {
    // Built by hand: `format!` (or pushing char by char) costs several
    // times as much, for every token of every spec load.
    let mut value = String::with_capacity("ci_test_".len() + name.len());
    value.push_str("ci_test_");
    value.push_str(name);
    value.make_ascii_lowercase();
    value
}

/// Whether `value` is a placeholder: `CHANGE_ME_*`, `ci_test_*`, `*_here`,
/// `*_placeholder` (ASCII case-insensitive), or the token's own CI value.
pub fn is_placeholder(value: &str, ci_value: &str) -> bool {
    value == ci_value || is_placeholder_shape(value)
}

/// How a token's value counts: the one rule `resolve`, `export --as` and
/// `validate` share, so "does a CI placeholder count?" has one answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// A real value: used, and checked against the token's format.
    Real,
    /// A placeholder that counts as set here: in the `ci` environment, the
    /// token's own `ci_value`, or any placeholder read from its class's
    /// committed CI file (`.tokens.ci`, `.env.ci`).
    CountedPlaceholder,
    /// A placeholder that does not count here.
    Placeholder,
    /// `CHANGE_ME` or `CHANGE_ME_…`: never counts, in any environment.
    Unfilled,
}

impl ValueKind {
    /// How `value` of a token whose CI value is `ci_value` counts, in the
    /// `ci` environment or not, read from its class's committed CI file or not.
    pub fn of(value: &str, ci_value: &str, in_ci: bool, from_ci_file: bool) -> ValueKind {
        if is_unfilled(value) {
            ValueKind::Unfilled
        } else if !is_placeholder(value, ci_value) {
            ValueKind::Real
        } else if in_ci && (value == ci_value || from_ci_file) {
            ValueKind::CountedPlaceholder
        } else {
            ValueKind::Placeholder
        }
    }

    /// Whether the value is a real one, not a placeholder of any kind.
    pub fn is_real(self) -> bool {
        self == ValueKind::Real
    }
}

/// Whether `value` has a placeholder's shape, whatever the token:
/// [`is_placeholder`] without the token's own CI value.
pub fn is_placeholder_shape(value: &str) -> bool {
    // Compared in place: lowercasing a copy cost an allocation per token per load.
    let v = value.as_bytes();
    let starts = |p: &str| v.len() >= p.len() && v[..p.len()].eq_ignore_ascii_case(p.as_bytes());
    let ends =
        |p: &str| v.len() >= p.len() && v[v.len() - p.len()..].eq_ignore_ascii_case(p.as_bytes());
    v.eq_ignore_ascii_case(b"change_me")
        || starts("change_me_")
        || starts("ci_test_")
        || ends("_here")
        || ends("_placeholder")
}

/// Whether `value` is [`default_ci_value`]`(name)`, compared without building it.
pub fn is_default_ci_value(value: &str, name: &str) -> bool {
    value.strip_prefix("ci_test_").is_some_and(|rest| {
        rest.len() == name.len()
            && rest
                .bytes()
                .zip(name.bytes())
                .all(|(r, n)| r == n.to_ascii_lowercase())
    })
}

pub fn is_unfilled(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() >= 9 && b[..9].eq_ignore_ascii_case(b"change_me") && (b.len() == 9 || b[9] == b'_')
}

/// Why a value looks like a real, live secret, or `None`.
///
/// Known token shapes are searched anywhere in the value (as gitleaks does),
/// so a real token behind a placeholder prefix is still caught.
pub fn looks_like_secret(value: &str) -> Option<&'static str> {
    let v = value.trim();
    // Every shape below is at least 20 characters long (the shortest real
    // JWT, `{"alg":"none"}` and a one-character payload, is 22), and every
    // spec load checks each CI value: skip the scans for short values.
    if v.len() < 20 {
        return None;
    }
    // Words of the shapes' alphabets, split on everything else.
    let words = |extra: &'static [u8]| {
        v.split(move |c: char| {
            !(c.is_ascii_alphanumeric() || (c.is_ascii() && extra.contains(&(c as u8))))
        })
    };
    if contains_github_token(v) {
        return Some("a GitHub token");
    }
    // Each search runs only when the value holds a byte its shape must
    // (`J` of `eyJ`, a dot, `-` of `-----BEGIN`, `A` of `AKIA`), found in
    // one plain pass: most CI values are lowercase and hold none of them.
    let (mut j, mut dot, mut dash, mut a) = (false, false, false, false);
    for &b in v.as_bytes() {
        match b {
            b'J' => j = true,
            b'.' => dot = true,
            b'-' => dash = true,
            b'A' => a = true,
            _ => {}
        }
    }
    if j && v.contains("eyJ") && words(b"._-=").any(is_jwt) {
        return Some("a JWT");
    }
    if dot && words(b"._-").any(is_discord_bot_token) {
        return Some("a Discord bot token");
    }
    if dash && v.contains("-----BEGIN") && v.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    if a && v.contains("AKIA") && words(b"+/=_-").any(|w| w.starts_with("AKIA") && w.len() == 20) {
        return Some("an AWS access key");
    }
    if is_high_entropy(v) {
        return Some("high-entropy text");
    }
    None
}

fn contains_github_token(v: &str) -> bool {
    let b = v.as_bytes();
    let run = |from: &[u8], underscore: bool| {
        from.iter()
            .take_while(|c| c.is_ascii_alphanumeric() || (underscore && **c == b'_'))
            .count()
    };
    // Both shapes start with `g`: a plain scan finds the few places to
    // look (this runs on every CI value of every spec load).
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'g' {
            let rest = &b[i..];
            if rest.starts_with(b"github_pat_") && run(&rest[11..], true) >= 22 {
                return true;
            }
            if rest.len() >= 40
                && rest[1] == b'h'
                && b"pousr".contains(&rest[2])
                && rest[3] == b'_'
                && run(&rest[4..], false) >= 36
            {
                return true;
            }
        }
        i += 1;
    }
    false
}

/// Shannon entropy in bits per character.
///
/// Counts ASCII in a table and anything else in a short sorted list, with
/// `libm`'s `log2`: no hashing, and no system libm for the loader to map at
/// every start of `tokenspec` (docs/benchmarks.md).
pub fn shannon_entropy(s: &str) -> f64 {
    let mut ascii = [0u32; 128];
    let mut other: Vec<char> = Vec::new();
    let mut n = 0u32;
    for c in s.chars() {
        n += 1;
        match ascii.get_mut(c as usize) {
            Some(count) => *count += 1,
            None => other.push(c),
        }
    }
    if n == 0 {
        return 0.0;
    }
    let n = f64::from(n);
    other.sort_unstable();
    let other_counts = other.chunk_by(|a, b| a == b).map(|run| run.len() as u32);
    ascii
        .iter()
        .copied()
        .filter(|&k| k > 0)
        .chain(other_counts)
        .map(|k| {
            let p = f64::from(k) / n;
            -p * libm::log2(p)
        })
        .sum()
}

/// Random-looking text: 20+ characters mixing letters and digits with at
/// least 3.5 bits of entropy per character. Words joined by `_` (what
/// placeholders are) stay well below that.
pub fn is_high_entropy(s: &str) -> bool {
    // Words joined by separators (`ci_test_bench_token_009988`) are not random:
    // a random token has a long run without `_`, `-`, `.` or `/`. The cheap
    // tests take one plain pass over the bytes, the entropy only runs for
    // what passes them: every spec load checks every CI value with this,
    // the macro's unoptimised build included.
    let (mut chars, mut run, mut longest_run) = (0usize, 0usize, 0usize);
    let (mut digit, mut letter) = (false, false);
    for &b in s.as_bytes() {
        // A UTF-8 continuation byte belongs to the character before it.
        if b & 0xC0 == 0x80 {
            continue;
        }
        chars += 1;
        if matches!(b, b'_' | b'-' | b'.' | b'/') {
            run = 0;
        } else {
            run += 1;
            longest_run = longest_run.max(run);
        }
        digit |= b.is_ascii_digit();
        letter |= b.is_ascii_alphabetic();
    }
    chars >= 20 && longest_run >= 16 && digit && letter && shannon_entropy(s) >= 3.5
}

#[cfg(test)]
mod tests {
    #[test]
    fn default_ci_value_is_recognised_without_building_it() {
        for name in ["AAR_TOKEN", "x", "Mixed_Case9", "ÄB"] {
            let ci = super::default_ci_value(name);
            assert!(super::is_default_ci_value(&ci, name), "{name}");
            assert!(
                !super::is_default_ci_value(&format!("{ci}x"), name),
                "{name}"
            );
            assert!(
                !super::is_default_ci_value(&ci[..ci.len() - 1], name),
                "{name}"
            );
            assert!(
                !super::is_default_ci_value(&ci.to_uppercase(), name),
                "{name}"
            );
        }
    }

    #[test]
    fn unfilled_is_change_me_only() {
        for v in ["CHANGE_ME", "CHANGE_ME_TOKEN", "change_me_x"] {
            assert!(super::is_unfilled(v), "{v}");
        }
        for v in ["CHANGE_MEX", "ci_test_x", "x_here", "", "CHANGE"] {
            assert!(!super::is_unfilled(v), "{v}");
        }
    }

    use super::*;

    // Realistic shapes, not real tokens: random characters in the issuers' layouts.
    const DISCORD_24: &str =
        "MTA4NzY1NDMyMTA5ODc2NTQz.GhT5xQ.abcdEFGHijklMNOPqrstUVWXyz0123456789ab";
    const DISCORD_26: &str =
        "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.Gx1y2Z.k9J8h7G6f5D4s3A2q1W0e9R8t7Y6u5I4o3P2";
    const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

    #[test]
    fn github_tokens() {
        assert!(Format::GithubPat.matches("ghp_16C7e42F292c6912E7710c838347Ae178B4a"));
        assert!(
            Format::GithubPat.matches(&format!("github_pat_11ABCDEFG0{}", "a1B2c3D4e5".repeat(7)))
        );
        assert!(!Format::GithubPat.matches("ghp_short"));
        assert!(!Format::GithubPat.matches("ci_test_aar_token"));
    }

    #[test]
    fn discord_first_segment_23_to_28() {
        assert!(Format::DiscordBotToken.matches(DISCORD_24));
        assert!(Format::DiscordBotToken.matches(DISCORD_26));
        let seg = |n: usize| "A".repeat(n);
        for n in 23..=28 {
            let t = format!("{}.GhT5xQ.{}", seg(n), "b".repeat(38));
            assert!(Format::DiscordBotToken.matches(&t), "{n}");
        }
        assert!(!Format::DiscordBotToken.matches(&format!(
            "{}.GhT5xQ.{}",
            seg(22),
            "b".repeat(38)
        )));
    }

    #[test]
    fn jwt_and_uuid() {
        assert!(Format::Jwt.matches(JWT));
        assert!(!Format::Jwt.matches("abc.def.ghi"));
        assert!(Format::Uuid.matches("123e4567-e89b-12d3-a456-426614174000"));
        assert!(!Format::Uuid.matches("123e4567e89b12d3a456426614174000"));
    }

    #[test]
    fn regex_is_anchored() {
        let f = Format::Regex("[a-z]+".into());
        assert!(f.matches("abc"));
        assert!(!f.matches("abc1"));
        // An alternation is anchored as a whole, not just its last branch.
        let f = Format::Regex("ab|cd".into());
        assert!(f.matches("ab") && f.matches("cd"));
        assert!(!f.matches("abx") && !f.matches("xcd"));
    }

    /// The regex dialect docs/spec.md and the schema promise: `regex-lite`, whose
    /// classes are ASCII-only, so a token format never accepts look-alike
    /// Unicode digits or letters.
    #[test]
    fn regex_dialect_is_ascii() {
        let digits = Format::Regex(r"\d{3}".into());
        assert!(digits.matches("123"));
        assert!(!digits.matches("١٢٣"), "Arabic-Indic digits are not \\d");
        let word = Format::Regex(r"\w+".into());
        assert!(word.matches("ghp_AZaz09"));
        assert!(!word.matches("é"));
        let any = Format::Regex(".{2}".into());
        assert!(any.matches("é€"), "`.` is one character, not one byte");
        let nocase = Format::Regex("(?i)sk_[a-z]+".into());
        assert!(nocase.matches("SK_Live"));
        assert!(Format::compile_regex(r"\p{L}").is_err());
        assert!(Format::compile_regex("(").is_err());
    }

    #[test]
    fn a_pattern_cannot_escape_its_anchors() {
        let escape = "[0-9a-f]{32})|(.*";
        assert!(Format::compile_regex(escape).is_err(), "invalid on its own");
        let f = Format::Regex(escape.into());
        assert!(!f.matches("anything at all"));
        let ok = Format::Regex("[0-9a-f]{4}|x".into());
        assert!(ok.matches("x") && ok.matches("beef"));
        assert!(!ok.matches("xbeef"), "alternatives stay inside the anchors");
    }

    #[test]
    fn placeholders() {
        for p in [
            "CHANGE_ME_AAR",
            "ci_test_bot_jwt",
            "your_token_here",
            "x_placeholder",
            "CI-VAL",
        ] {
            assert!(is_placeholder(p, "CI-VAL"), "{p}");
        }
        assert!(!is_placeholder("real-value", "CI-VAL"));
        assert!(!is_placeholder("", "CI-VAL"));
    }

    proptest::proptest! {
        /// The in-place comparison says what lowercasing a copy said.
        #[test]
        fn placeholders_match_the_lowercase_rule(
            value in "(?i)(change_me|ci_test_|x)?[a-zé_]{0,6}(_here|_placeholder)?",
        ) {
            let lower = value.to_ascii_lowercase();
            let rule = value == "ci"
                || lower == "change_me"
                || lower.starts_with("change_me_")
                || lower.starts_with("ci_test_")
                || lower.ends_with("_here")
                || lower.ends_with("_placeholder");
            proptest::prop_assert_eq!(is_placeholder(&value, "ci"), rule);
        }

        /// The one-pass pre-checks say what the rule as written says:
        /// 20 characters, a 16-character run between separators, a digit,
        /// a letter, then the entropy.
        #[test]
        fn high_entropy_is_its_rule(
            value in "([a-zA-Z0-9]{0,24}[_./é-]?){0,3}",
        ) {
            let longest_run = value
                .split(['_', '-', '.', '/'])
                .map(|w| w.chars().count())
                .max()
                .unwrap_or(0);
            let rule = value.chars().count() >= 20
                && longest_run >= 16
                && value.bytes().any(|b| b.is_ascii_digit())
                && value.bytes().any(|b| b.is_ascii_alphabetic())
                && shannon_entropy(&value) >= 3.5;
            proptest::prop_assert_eq!(is_high_entropy(&value), rule);
        }

        /// The scan that looks only at each `g` finds what trying every
        /// position finds.
        #[test]
        fn github_scan_is_every_position(
            value in "(x?(ghp_|gho_|ghx_|github_pat_|g)[a-zA-Z0-9_]{0,40}){0,3}",
        ) {
            let b = value.as_bytes();
            let alnum = |from: &[u8], underscore: bool| {
                from.iter().take_while(|c| c.is_ascii_alphanumeric() || (underscore && **c == b'_')).count()
            };
            let rule = (0..b.len()).any(|i| {
                let rest = &b[i..];
                (rest.starts_with(b"github_pat_") && alnum(&rest[11..], true) >= 22)
                    || (rest.len() >= 40
                        && rest.starts_with(b"gh")
                        && b"pousr".contains(&rest[2])
                        && rest[3] == b'_'
                        && alnum(&rest[4..], false) >= 36)
            });
            proptest::prop_assert_eq!(contains_github_token(&value), rule);
        }
    }

    #[test]
    fn secret_shapes() {
        assert_eq!(
            looks_like_secret("ghp_16C7e42F292c6912E7710c838347Ae178B4a"),
            Some("a GitHub token")
        );
        assert_eq!(
            looks_like_secret("ci_test_ghp_16C7e42F292c6912E7710c838347Ae178B4a"),
            Some("a GitHub token")
        );
        assert_eq!(looks_like_secret(JWT), Some("a JWT"));
        assert_eq!(looks_like_secret(DISCORD_26), Some("a Discord bot token"));
        // Each shape inside other text, as the word scans find them.
        assert_eq!(looks_like_secret(&format!("token: {JWT}")), Some("a JWT"));
        assert_eq!(
            looks_like_secret(&format!("bot={DISCORD_24};")),
            Some("a Discord bot token")
        );
        assert_eq!(
            looks_like_secret("-----BEGIN RSA PRIVATE KEY-----\nMIIEow"),
            Some("a private key")
        );
        assert_eq!(
            looks_like_secret("aws key: AKIAQ3EGRWNOPQRSTUVW"),
            Some("an AWS access key")
        );
        assert_eq!(looks_like_secret("aws_key: AKIAQ3EGRW_x_y_z"), None);
        assert_eq!(
            looks_like_secret("q8Xv2LmN4pR7sT1wY9zB3cD6fG0hJ5kA"),
            Some("high-entropy text")
        );
        // The shortest JWT is still caught; shorter text is no known shape.
        assert_eq!(looks_like_secret("eyJhbGciOiJub25lIn0.e."), Some("a JWT"));
        assert_eq!(looks_like_secret("q8Xv2LmN4pR7sT1wY9z"), None);
        for safe in [
            "ci_test_bench_token_009988",
            "ci_test_token_2024_11_29_v3",
            "ci_test_discord_bot_token",
            "CHANGE_ME_CF_DNS_API_TOKEN",
            "ci_test_staging_orchestration_bot_key",
            "your_bot_token_here",
        ] {
            assert_eq!(looks_like_secret(safe), None, "{safe}");
        }
    }

    #[test]
    fn entropy_counts_ascii_and_other_characters_alike() {
        assert_eq!(shannon_entropy(""), 0.0);
        assert_eq!(shannon_entropy("aaaa"), 0.0);
        assert_eq!(shannon_entropy("aabb"), 1.0);
        assert_eq!(shannon_entropy("abcd"), 2.0);
        // Non-ASCII characters are counted per character, not per byte.
        assert_eq!(shannon_entropy("ééàà"), 1.0);
        assert_eq!(shannon_entropy("aé"), 1.0);
        assert_eq!(shannon_entropy("abcdéàüö"), 3.0);
    }
}
