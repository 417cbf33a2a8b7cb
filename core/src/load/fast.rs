//! The common case of [`resolve`](super::resolve), without its per-token
//! copies: every token resolves cleanly from the process environment and
//! the files, with nothing to report.
//!
//! `tokenspec export` and `run` at 100k tokens spent most of their time and
//! memory on owned copies (a `TokenDef`, a parsed entry and a result per
//! token, each with its own strings). Here the definitions are read through
//! [`DefView`], each file is kept once as text with one small index entry per
//! key, and the outcome is one [`Pick`] per token, so values are borrowed
//! until they are written.
//!
//! `resolve` stays the resolver of record. This path takes on only what it
//! can finish without a message: the first problem or warning of any kind
//! (a missing or invalid token, a placeholder that blocks, a `$` hazard, a
//! duplicate key, a parse error, a loose file mode, a deprecated token, a
//! name that is not UTF-8…) makes it return `None`, and the caller runs
//! `resolve` for the full report. A store layer or settings are not handled
//! here either. A proptest holds the two equal wherever this path answers.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ffi::{OsStr, OsString};

use super::LoadOptions;
use crate::def::{is_env_name, Class, TokenDef};
use crate::dotenv::{Item, Items};
use crate::format::{is_placeholder_shape, is_unfilled};

/// What the fast path reads of a token definition that lives for `'d`.
pub trait DefView<'d> {
    fn name(&self) -> &'d str;
    fn class(&self) -> Class;
    /// Whether the token must be set in `env` (`None`: base files only).
    fn required_in(&self, env: Option<&str>) -> bool;
    /// Whether a real value has the token's format.
    fn fits(&self, value: &str) -> bool;
    /// Whether `value` is the token's own CI value.
    fn is_ci_value(&self, value: &str) -> bool;
    /// The other names it may arrive under, in order.
    fn aliases(&self) -> impl Iterator<Item = &'d str> + '_;
    fn is_deprecated(&self) -> bool;
}

impl<'d, 't: 'd> DefView<'d> for &'t TokenDef {
    fn name(&self) -> &'d str {
        &self.name
    }
    fn class(&self) -> Class {
        self.class
    }
    fn required_in(&self, env: Option<&str>) -> bool {
        self.required.applies(env)
    }
    fn fits(&self, value: &str) -> bool {
        self.format.matches(value)
    }
    fn is_ci_value(&self, value: &str) -> bool {
        value == self.ci_value
    }
    fn aliases(&self) -> impl Iterator<Item = &'d str> + '_ {
        let def: &'t TokenDef = self;
        def.aliases.iter().map(|a| a.as_ref())
    }
    fn is_deprecated(&self) -> bool {
        self.deprecated.is_some()
    }
}

/// The token files of the loaded classes, read once, as text.
pub struct Files {
    /// Per class (in [`Class::ALL`] order), its files lowest precedence first.
    classes: [Vec<FileText>; 2],
}

struct FileText {
    /// Whether this is the committed CI file of its class.
    committed: bool,
    text: String,
}

impl Files {
    /// Reads the files of `classes`; `None` when any of them has something
    /// to report (unreadable, not UTF-8, readable by others).
    pub fn read(opts: &LoadOptions, classes: &[Class]) -> Option<Files> {
        let mut files = Files {
            classes: [Vec::new(), Vec::new()],
        };
        if opts.settings.is_some() || !opts.stores.is_empty() {
            return None;
        }
        for &class in classes {
            for file in opts.files(class) {
                let path = opts.root.join(&file);
                let Some(bytes) = crate::file::read_regular(&path).ok()? else {
                    continue;
                };
                let committed = file == class.ci_file();
                if !committed && super::file_mode(&path).is_some_and(|m| m & 0o077 != 0) {
                    return None;
                }
                let text = String::from_utf8(bytes).ok()?;
                files.classes[slot(class)].push(FileText { committed, text });
            }
        }
        Some(files)
    }
}

fn slot(class: Class) -> usize {
    match class {
        Class::Cicd => 0,
        Class::Runtime => 1,
    }
}

/// Where a file entry's value is: a range of the file's text, or one of
/// the values that quotes or escapes made differ from their text.
#[derive(Clone, Copy)]
struct ValueAt {
    /// `u32::MAX`: `len` indexes [`Index::owned`].
    start: u32,
    len: u32,
}

/// A key's first entry in one file.
#[derive(Clone, Copy)]
struct KeySlot {
    value: ValueAt,
    /// Set again later in the file, or holding a `$` hazard or a NUL byte:
    /// a problem once the file is reached for this key.
    blocked: bool,
}

/// One file, indexed by key.
struct IndexedFile<'f> {
    text: &'f str,
    committed: bool,
    keys: HashMap<&'f str, KeySlot, foldhash::fast::RandomState>,
    owned: Vec<String>,
}

impl<'f> IndexedFile<'f> {
    /// `None` on a parse error, or a file too large for 32-bit offsets.
    fn new(file: &'f FileText) -> Option<Self> {
        let text = file.text.as_str();
        u32::try_from(text.len()).ok().filter(|&n| n < u32::MAX)?;
        // One entry per line at most: a newline count sizes the index once.
        let lines = text.bytes().filter(|&b| b == b'\n').count() + 1;
        let mut keys =
            HashMap::with_capacity_and_hasher(lines, foldhash::fast::RandomState::default());
        let mut owned = Vec::new();
        for item in Items::new(text) {
            let Item::Entry(e) = item else {
                return None;
            };
            let blocked = e.hazard.is_some() || e.value.contains('\0');
            let value = match e.value {
                // An empty value need not point into the text.
                Cow::Borrowed("") => ValueAt { start: 0, len: 0 },
                Cow::Borrowed(v) => ValueAt {
                    start: (v.as_ptr() as usize - text.as_ptr() as usize) as u32,
                    len: v.len() as u32,
                },
                Cow::Owned(v) => {
                    owned.push(v);
                    ValueAt {
                        start: u32::MAX,
                        len: (owned.len() - 1) as u32,
                    }
                }
            };
            keys.entry(e.key)
                .and_modify(|first: &mut KeySlot| first.blocked = true)
                .or_insert(KeySlot { value, blocked });
        }
        Some(IndexedFile {
            text,
            committed: file.committed,
            keys,
            owned,
        })
    }

    fn value(&self, at: ValueAt) -> &str {
        if at.start == u32::MAX {
            &self.owned[at.len as usize]
        } else {
            &self.text[at.start as usize..(at.start + at.len) as usize]
        }
    }
}

/// The process environment (or the fixed one of the options): asked
/// variable by variable for a few tokens, read once into a map for many
/// (reading every variable costs more than a few lookups).
enum Vars<'o> {
    Fixed(&'o HashMap<String, String>),
    Each,
    Read(HashMap<OsString, OsString, foldhash::fast::RandomState>),
}

/// Above this many tokens the process environment is read once.
const READ_ENV_ABOVE: usize = 64;

impl Vars<'_> {
    /// A non-empty value; `Err` when it is not UTF-8 (`resolve` reports that).
    fn get(&self, name: &str) -> Result<Option<Cow<'_, str>>, ()> {
        let value = match self {
            Vars::Fixed(map) => map.get(name).map(|v| Cow::Borrowed(v.as_str())),
            Vars::Each => match std::env::var_os(name) {
                Some(v) => Some(Cow::Owned(v.into_string().map_err(|_| ())?)),
                None => None,
            },
            Vars::Read(map) => match map.get(OsStr::new(name)) {
                Some(v) => Some(Cow::Borrowed(v.to_str().ok_or(())?)),
                None => None,
            },
        };
        Ok(value.filter(|v| !v.is_empty()))
    }
}

/// Where one token's value comes from.
enum Pick {
    /// Not set, and not required: not exported.
    Unset,
    /// The process environment's value, under the token's name or an alias.
    Env(String),
    /// A file of its class (index in [`Files`] order) and the value there.
    File(u8, ValueAt),
}

/// Where an exported token's value is, kept beside its name.
#[derive(Clone, Copy)]
enum From {
    /// The value at this index of [`Picked::env_values`].
    Env(u32),
    /// A file: the class's slot, the file's index in [`Files`] order, the value there.
    File(u8, u8, ValueAt),
}

/// Every token of one [`pick`], ready to be written.
pub struct Picked<'d, 'f> {
    files: [Vec<IndexedFile<'f>>; 2],
    /// The tokens with a value, in spec order: the names are kept so that
    /// writing them needs no second walk over the definitions.
    exported: Vec<(&'d str, From)>,
    /// The values taken from the process environment.
    env_values: Vec<String>,
}

/// How a value found in a layer counts (`resolve`'s `Kind`).
enum Kind {
    Real,
    CountedPlaceholder,
    Placeholder,
}

/// Resolves `defs` (in order) from the process environment and `files`,
/// exactly as `resolve` would, when it can do so with nothing to report;
/// `None` sends the caller to `resolve`.
pub fn pick<'d, 'f, D: DefView<'d>>(
    defs: impl Iterator<Item = D>,
    opts: &LoadOptions,
    files: &'f Files,
) -> Option<Picked<'d, 'f>> {
    // The upper bound: capacity never touched is never resident.
    let (lower, upper) = defs.size_hint();
    let most = upper.unwrap_or(lower);
    let vars = match &opts.vars {
        Some(map) => Vars::Fixed(map),
        None if most > READ_ENV_ABOVE => Vars::Read(std::env::vars_os().collect()),
        None => Vars::Each,
    };
    let mut indexed: [Option<Vec<IndexedFile<'f>>>; 2] = [None, None];
    let env = opts.env.as_deref();
    let in_ci = env == Some(crate::def::CI_ENV);
    let mut exported = Vec::with_capacity(most);
    let mut env_values = Vec::new();
    for def in defs {
        let class = slot(def.class());
        // A class's files are indexed when its first token needs them, as
        // `resolve` reads only the classes it resolves.
        if indexed[class].is_none() {
            let list = files.classes[class]
                .iter()
                .map(IndexedFile::new)
                .collect::<Option<_>>()?;
            indexed[class] = Some(list);
        }
        let layers = indexed[class].as_deref().unwrap_or_default();
        let from = match pick_one(&def, env, in_ci, &vars, layers)? {
            Pick::Unset => continue,
            Pick::Env(value) => {
                env_values.push(value);
                From::Env(u32::try_from(env_values.len() - 1).ok()?)
            }
            Pick::File(i, at) => From::File(class as u8, i, at),
        };
        exported.push((def.name(), from));
    }
    Some(Picked {
        files: indexed.map(Option::unwrap_or_default),
        exported,
        env_values,
    })
}

/// One token, walking its layers from the highest down as `resolve_one`
/// does; `None` where `resolve` would report anything.
fn pick_one<'d, D: DefView<'d>>(
    def: &D,
    env: Option<&str>,
    in_ci: bool,
    vars: &Vars<'_>,
    layers: &[IndexedFile<'_>],
) -> Option<Pick> {
    if !is_env_name(def.name()) {
        return None;
    }
    // `resolve`'s `Kind`, with an unfilled `CHANGE_ME_` value a plain
    // placeholder: neither ever counts.
    let kind = |value: &str, committed: bool| {
        if is_unfilled(value) {
            Kind::Placeholder
        } else if !(def.is_ci_value(value) || is_placeholder_shape(value)) {
            Kind::Real
        } else if in_ci && (def.is_ci_value(value) || committed) {
            Kind::CountedPlaceholder
        } else {
            Kind::Placeholder
        }
    };
    // The highest placeholder that counts, should no real value follow.
    let mut counted = None;
    // Highest first; the walk stops at the first real value, so a layer
    // below it is never looked at (it cannot block).
    let names = std::iter::once(def.name()).chain(def.aliases());
    for name in names {
        let Some(value) = vars.get(name).ok()? else {
            continue;
        };
        match kind(&value, false) {
            Kind::Real => {
                let usable = def.fits(&value) && !def.is_deprecated();
                return usable.then(|| Pick::Env(value.into_owned()));
            }
            Kind::CountedPlaceholder => {
                counted.get_or_insert_with(|| Pick::Env(value.into_owned()));
            }
            Kind::Placeholder => {}
        }
    }
    for (i, layer) in layers.iter().enumerate().rev() {
        let Some(slot) = layer.keys.get(def.name()) else {
            continue;
        };
        if slot.blocked {
            return None;
        }
        let value = layer.value(slot.value);
        if value.is_empty() {
            continue;
        }
        let pick = Pick::File(u8::try_from(i).ok()?, slot.value);
        match kind(value, layer.committed) {
            Kind::Real => return (def.fits(value) && !def.is_deprecated()).then_some(pick),
            Kind::CountedPlaceholder => {
                counted.get_or_insert(pick);
            }
            Kind::Placeholder => {}
        }
    }
    match counted {
        Some(pick) => (!def.is_deprecated()).then_some(pick),
        // A placeholder, or nothing at all, blocks only a required token.
        None => (!def.required_in(env)).then_some(Pick::Unset),
    }
}

impl<'d> Picked<'d, '_> {
    /// The name and value of every token with a value, in spec order.
    pub fn values(&self) -> impl Iterator<Item = (&str, &str)> + Clone + '_ {
        self.exported.iter().map(|&(name, from)| {
            let value = match from {
                From::Env(i) => self.env_values[i as usize].as_str(),
                From::File(class, i, at) => {
                    self.files[usize::from(class)][usize::from(i)].value(at)
                }
            };
            (name, value)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use proptest::prelude::*;

    use super::*;
    use crate::def::Required;
    use crate::format::{default_ci_value, Format};
    use crate::load::resolve;

    const NAMES: [&str; 4] = ["A_TOKEN", "B_TOKEN", "C_TOKEN", "D_TOKEN"];
    const ALIASES: [&str; 2] = ["X_ALIAS", "Y_ALIAS"];
    const VALUES: [&str; 12] = [
        "ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "plain",
        "",
        "CHANGE_ME_A",
        "ci_test_a_token",
        "fill_me_here",
        "ci_custom",
        "pa$word",
        "'it''s'",
        "\"two\\nlines\"",
        "'sp ace'",
        "a\u{0}b",
    ];

    fn def_strategy(name: &'static str) -> impl Strategy<Value = TokenDef> {
        (
            any::<bool>(),
            0..3u8,
            any::<bool>(),
            any::<bool>(),
            proptest::sample::subsequence(ALIASES.to_vec(), 0..=2),
            any::<bool>(),
        )
            .prop_map(
                move |(runtime, required, pat, custom_ci, aliases, deprecated)| TokenDef {
                    name: Cow::Borrowed(name),
                    class: if runtime { Class::Runtime } else { Class::Cicd },
                    description: Cow::Borrowed(""),
                    required: match required {
                        0 => Required::Always,
                        1 => Required::Never,
                        _ => Required::In(Cow::Borrowed(&[Cow::Borrowed("ci")])),
                    },
                    format: if pat { Format::GithubPat } else { Format::Any },
                    ci_value: if custom_ci {
                        Cow::Borrowed("ci_custom")
                    } else {
                        Cow::Owned(default_ci_value(name))
                    },
                    deprecated: deprecated.then_some(crate::def::Deprecation {
                        replacement: None,
                        note: None,
                    }),
                    aliases: Cow::Owned(aliases.into_iter().map(Cow::Borrowed).collect()),
                },
            )
    }

    /// A file's text: lines of spec names, aliases, unknown keys and the
    /// value pool (placeholders, hazards, quotes, NUL), sometimes a bad line.
    fn file_strategy() -> impl Strategy<Value = Option<(String, bool)>> {
        let line = (0..7usize, 0..VALUES.len()).prop_map(|(k, v)| {
            let key = match k {
                0..4 => NAMES[k],
                4 => "Z_UNKNOWN",
                5 => "=broken",
                _ => NAMES[0],
            };
            format!("{key}={}\n", VALUES[v])
        });
        proptest::option::of((proptest::collection::vec(line, 0..6), any::<bool>()))
            .prop_map(|f| f.map(|(lines, loose)| (lines.concat(), loose)))
    }

    fn case_strategy() -> impl Strategy<Value = Case> {
        (
            proptest::sample::subsequence(NAMES.to_vec(), 1..=4)
                .prop_flat_map(|names| names.into_iter().map(def_strategy).collect::<Vec<_>>()),
            proptest::option::of(proptest::sample::select(vec!["ci", "dev"])),
            proptest::collection::vec(file_strategy(), 4),
            proptest::collection::vec(
                (
                    proptest::sample::select([&NAMES[..], &ALIASES[..]].concat()),
                    0..VALUES.len(),
                ),
                0..4,
            ),
        )
            .prop_map(|(defs, env, files, vars)| Case {
                defs,
                env,
                files,
                vars: vars.into_iter().map(|(k, v)| (k, VALUES[v])).collect(),
            })
    }

    #[derive(Debug)]
    struct Case {
        defs: Vec<TokenDef>,
        env: Option<&'static str>,
        files: Vec<Option<(String, bool)>>,
        vars: Vec<(&'static str, &'static str)>,
    }

    /// What the fast path gives for `case`, beside what `resolve` gives.
    fn both(case: &Case) -> (Option<Vec<(String, String)>>, super::super::Resolution<'_>) {
        let dir = tempfile::tempdir().unwrap();
        let env = case.env.unwrap_or("dev");
        let names = [
            ".tokens".to_owned(),
            format!(".tokens.{env}"),
            ".env".to_owned(),
            format!(".env.{env}"),
        ];
        for (name, file) in names.iter().zip(&case.files) {
            if let Some((text, loose)) = file {
                let path = dir.path().join(name);
                std::fs::write(&path, text).unwrap();
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = if *loose { 0o644 } else { 0o600 };
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
                }
            }
        }
        let opts = LoadOptions::new(dir.path(), case.env).with_vars(case.vars.iter().copied());
        let res = resolve(&case.defs, &opts);
        let classes: Vec<Class> = Class::ALL
            .into_iter()
            .filter(|c| case.defs.iter().any(|d| d.class == *c))
            .collect();
        let fast = Files::read(&opts, &classes).and_then(|files| {
            let picked = pick(case.defs.iter(), &opts, &files)?;
            let values = picked
                .values()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect();
            Some(values)
        });
        (fast, res)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// Wherever the fast path answers, `resolve` reports nothing and
        /// gives exactly the same names and values, in the same order.
        #[test]
        fn the_fast_path_answers_only_as_resolve_does(case in case_strategy()) {
            let (fast, res) = both(&case);
            if let Some(fast) = fast {
                prop_assert!(res.problems.is_empty(), "{:?}", res.problems);
                prop_assert!(res.warnings.is_empty(), "{:?}", res.warnings);
                let expected: Vec<(String, String)> = res
                    .tokens
                    .iter()
                    .filter_map(|t| Some((t.def.name.to_string(), t.value.as_ref()?.expose_secret().to_owned())))
                    .collect();
                prop_assert_eq!(fast, expected);
            }
        }
    }

    /// The fast path is not a path that always gives up: the common cases
    /// (plain files, the process environment above them, CI placeholders in
    /// `ci`, quoted and escaped values) are answered.
    #[test]
    fn the_common_cases_are_answered() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = if name.ends_with(".ci") { 0o644 } else { 0o600 };
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            }
        };
        write(
            ".tokens",
            "A_TOKEN='it''s'\nB_TOKEN=\"two\\nlines\"\nZ=other\n",
        );
        write(".tokens.ci", "A_TOKEN=ci_test_a_token\n");
        let defs: Vec<TokenDef> = ["A_TOKEN", "B_TOKEN", "C_TOKEN"]
            .into_iter()
            .map(|name| TokenDef {
                name: Cow::Borrowed(name),
                class: Class::Cicd,
                description: Cow::Borrowed(""),
                required: if name == "C_TOKEN" {
                    Required::In(Cow::Borrowed(&[Cow::Borrowed("ci")]))
                } else {
                    Required::Always
                },
                format: Format::Any,
                ci_value: Cow::Owned(default_ci_value(name)),
                deprecated: None,
                aliases: Cow::Borrowed(&[]),
            })
            .collect();
        let run = |env: Option<&str>, vars: &[(&str, &str)]| {
            let opts = LoadOptions::new(dir.path(), env).with_vars(vars.iter().copied());
            let files = Files::read(&opts, &[Class::Cicd]).expect("files are clean");
            let picked = pick(defs.iter(), &opts, &files).expect("answered");
            picked
                .values()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(None, &[]), ["A_TOKEN=its", "B_TOKEN=two\nlines"]);
        assert_eq!(
            run(None, &[("B_TOKEN", "from-env"), ("C_TOKEN", "")]),
            ["A_TOKEN=its", "B_TOKEN=from-env"]
        );
        // In `ci` a real value in `.tokens` beats the committed placeholder above it.
        let ci =
            LoadOptions::new(dir.path(), Some("ci")).with_vars([("C_TOKEN", "ci_test_c_token")]);
        let files = Files::read(&ci, &[Class::Cicd]).unwrap();
        let picked = pick(defs.iter(), &ci, &files).expect("answered in ci");
        let names: Vec<_> = picked.values().map(|(n, v)| format!("{n}={v}")).collect();
        assert_eq!(
            names,
            [
                "A_TOKEN=its",
                "B_TOKEN=two\nlines",
                "C_TOKEN=ci_test_c_token"
            ]
        );
    }
}
