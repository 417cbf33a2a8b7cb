//! What `tokenspec::tokens!` expands to.
//!
//! A library, not the proc-macro crate, so the expansion can be unit-tested
//! (as `sqlx-macros-core` is for `sqlx-macros`). It never panics: every
//! problem becomes a `compile_error!` spanned at the argument at fault.
//!
//! No `syn` and no `quote`: the invocation is four fixed parts read from
//! the token trees ([`Input::parse`]), and the expansion is written as
//! source text the compiler parses in one call. They were the longest step
//! of a new service's cold build (docs/benchmarks.md).
//!
//! The expansion names its support code only through
//! `::tokenspec::__private`, so a service depends on the one `tokenspec`
//! crate and nothing else.

extern crate proc_macro;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

use tokenspec_core::store_def::StoreKind;
use tokenspec_core::Class;

use tokenspec_spec::{Spec, Token};

/// One or more compile errors, each at its span.
#[derive(Debug)]
pub struct Error(Vec<(Span, String)>);

impl Error {
    pub fn new(span: Span, message: impl Into<String>) -> Error {
        Error(vec![(span, message.into())])
    }

    /// Adds `other`'s errors after these.
    pub fn extend(&mut self, other: Error) {
        self.0.extend(other.0);
    }

    /// `::core::compile_error! { "…" }` per error, spanned at its place.
    pub fn to_compile_error(&self) -> TokenStream {
        let mut out = TokenStream::new();
        for (span, message) in &self.0 {
            let mut lit = Literal::string(message);
            lit.set_span(*span);
            let tokens: [TokenTree; 7] = [
                punct(':', Spacing::Joint, *span),
                punct(':', Spacing::Alone, *span),
                Ident::new("core", *span).into(),
                punct(':', Spacing::Joint, *span),
                punct(':', Spacing::Alone, *span),
                Ident::new("compile_error", *span).into(),
                punct('!', Spacing::Alone, *span),
            ];
            out.extend(tokens);
            let mut body = Group::new(Delimiter::Brace, TokenTree::Literal(lit).into());
            body.set_span(*span);
            out.extend([TokenTree::Group(body)]);
        }
        out
    }
}

/// The first error's message.
impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.first().map_or("", |(_, m)| m.as_str()))
    }
}

fn punct(c: char, spacing: Spacing, span: Span) -> TokenTree {
    let mut p = Punct::new(c, spacing);
    p.set_span(span);
    p.into()
}

/// A string literal of the invocation: its value and where it was written.
#[derive(Clone, Debug)]
pub struct LitStr {
    pub value: String,
    pub span: Span,
}

/// `tokens!( $(#[attr])* $vis struct Name, spec = "path", class = "cicd"|"runtime" )`
#[derive(Debug)]
pub struct Input {
    /// The outer attributes, as written.
    pub attrs: TokenStream,
    /// The visibility, as written (empty for private).
    pub vis: TokenStream,
    pub name: Ident,
    pub spec: LitStr,
    pub class: LitStr,
}

impl std::str::FromStr for Input {
    type Err = Error;

    /// Parses invocation text (tests; the macro hands over its tokens).
    fn from_str(text: &str) -> Result<Input, Error> {
        let tokens = text
            .parse()
            .map_err(|e| Error::new(Span::call_site(), format!("{e}")))?;
        Input::parse(tokens)
    }
}

impl Input {
    /// Reads the invocation from the macro's input tokens.
    pub fn parse(input: TokenStream) -> Result<Input, Error> {
        let mut it = input.into_iter().peekable();
        let end = Span::call_site();
        let mut attrs = TokenStream::new();
        while let Some(TokenTree::Punct(p)) = it.peek() {
            if p.as_char() != '#' {
                break;
            }
            let hash = it.next().expect("peeked");
            match it.next() {
                Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket => {
                    attrs.extend([hash, TokenTree::Group(g)]);
                }
                other => return Err(expected(other.as_ref(), end, "`[` after `#`")),
            }
        }
        let mut vis = TokenStream::new();
        if let Some(TokenTree::Ident(i)) = it.peek() {
            if i == "pub" {
                vis.extend(it.next());
                if let Some(TokenTree::Group(g)) = it.peek() {
                    if g.delimiter() == Delimiter::Parenthesis {
                        vis.extend(it.next());
                    }
                }
            }
        }
        match it.next() {
            Some(TokenTree::Ident(i)) if i == "struct" => {}
            other => return Err(expected(other.as_ref(), end, "`struct`")),
        }
        let name = match it.next() {
            Some(TokenTree::Ident(i)) => i,
            other => return Err(expected(other.as_ref(), end, "the struct's name")),
        };
        let mut spec = None;
        let mut class = None;
        loop {
            match it.next() {
                None => break,
                Some(TokenTree::Punct(p)) if p.as_char() == ',' => {}
                other => return Err(expected(other.as_ref(), end, "`,`")),
            }
            let key = match it.next() {
                None => break,
                Some(TokenTree::Ident(key)) => key,
                other => return Err(expected(other.as_ref(), end, "`spec` or `class`")),
            };
            match it.next() {
                Some(TokenTree::Punct(p)) if p.as_char() == '=' => {}
                other => return Err(expected(other.as_ref(), end, "`=`")),
            }
            let value = match it.next() {
                Some(TokenTree::Literal(lit)) => LitStr {
                    value: string_literal(&lit)
                        .ok_or_else(|| Error::new(lit.span(), "expected a string literal"))?,
                    span: lit.span(),
                },
                other => return Err(expected(other.as_ref(), end, "a string literal")),
            };
            let slot = match key.to_string().as_str() {
                "spec" => &mut spec,
                "class" => &mut class,
                other => {
                    return Err(Error::new(
                        key.span(),
                        format!("unknown argument `{other}`; expected `spec = \"…\"` and `class = \"cicd\" | \"runtime\"`"),
                    ))
                }
            };
            if slot.replace(value).is_some() {
                return Err(Error::new(key.span(), format!("`{key}` is given twice")));
            }
        }
        let missing = |what: &str| {
            Error::new(
                name.span(),
                format!("missing `{what}`: write `tokens!({vis} struct {name}, spec = \"../token-spec.toml\", class = \"runtime\")`"),
            )
        };
        Ok(Input {
            spec: spec.ok_or_else(|| missing("spec = \"…\""))?,
            class: class.ok_or_else(|| missing("class = \"…\""))?,
            attrs,
            vis,
            name,
        })
    }
}

/// "expected …" at the token found, or at the end of the input.
fn expected(found: Option<&TokenTree>, end: Span, what: &str) -> Error {
    match found {
        Some(t) => Error::new(t.span(), format!("expected {what}, found `{t}`")),
        None => Error::new(end, format!("expected {what} at the end of the input")),
    }
}

/// The value of a string literal (`"…"` with escapes, or raw `r#"…"#`);
/// `None` for any other literal.
fn string_literal(lit: &Literal) -> Option<String> {
    let text = lit.to_string();
    if let Some(raw) = text.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let inner = raw[hashes..].strip_prefix('"')?;
        return inner
            .strip_suffix(&raw[..hashes])?
            .strip_suffix('"')
            .map(str::to_owned);
    }
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            '0' => out.push('\0'),
            c @ ('\\' | '\'' | '"') => out.push(c),
            'x' => {
                let hex: String = chars.by_ref().take(2).collect();
                out.push(char::from(u8::from_str_radix(&hex, 16).ok()?));
            }
            'u' => {
                let hex: String = chars.by_ref().skip(1).take_while(|c| *c != '}').collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            // A line continuation: the newline and the whitespace after it go.
            '\n' => while chars.next_if(|c| c.is_whitespace()).is_some() {},
            _ => return None,
        }
    }
    Some(out)
}

/// Expands a parsed invocation. `search_dirs` are where a relative spec path
/// is looked up, in order (the crate root first, then the invoking file's folder).
pub fn expand(input: &Input, search_dirs: &[PathBuf]) -> TokenStream {
    match try_expand(input, search_dirs) {
        Ok(ts) => ts,
        Err(e) => {
            let mut out = e.to_compile_error();
            // A placeholder struct keeps the rest of the crate from drowning in "not found" errors.
            out.extend(input.vis.clone());
            out.extend([
                TokenTree::Ident(Ident::new("struct", Span::call_site())),
                TokenTree::Ident(input.name.clone()),
                TokenTree::Group(Group::new(Delimiter::Brace, TokenStream::new())),
            ]);
            out
        }
    }
}

fn find_spec(written: &str, search_dirs: &[PathBuf]) -> Result<PathBuf, String> {
    let p = Path::new(written);
    if p.is_absolute() {
        return Ok(p.to_path_buf());
    }
    let candidates: Vec<PathBuf> = search_dirs.iter().map(|d| d.join(p)).collect();
    candidates.iter().find(|c| c.is_file()).cloned().ok_or_else(|| {
        format!("cannot find spec file `{written}` relative to the crate root (CARGO_MANIFEST_DIR) or the invoking file")
    })
}

fn try_expand(input: &Input, search_dirs: &[PathBuf]) -> Result<TokenStream, Error> {
    let lit_span = input.spec.span;
    let written = input.spec.value.clone();
    let class = Class::parse(&input.class.value).ok_or_else(|| {
        Error::new(
            input.class.span,
            "unknown class; expected \"cicd\" or \"runtime\"",
        )
    })?;
    let path = find_spec(&written, search_dirs).map_err(|m| Error::new(lit_span, m))?;
    let src = std::fs::read_to_string(&path)
        .map_err(|e| Error::new(lit_span, format!("cannot read spec file `{written}`: {e}")))?;
    let spec = Spec::parse(&src, &written).map_err(|diags| {
        // rustc prints `error: ` before each message.
        let mut errors = diags
            .items
            .iter()
            .map(|d| Error::new(lit_span, diags.render(d)));
        let mut first = errors.next().expect("a failed parse has a diagnostic");
        errors.for_each(|e| first.extend(e));
        first
    })?;
    if let Some(store) = spec.store.as_ref().filter(|_| !cfg!(feature = "store")) {
        let diags = tokenspec_spec::Diagnostics {
            file: written.clone(),
            source: src.clone(),
            items: vec![tokenspec_spec::Diagnostic::new(
                "the spec has a `[store]`, but the `store` feature of tokenspec is off",
                store.span.clone(),
            )
            .help("enable it: `tokenspec = { version = \"…\", features = [\"store\"] }`; without it no HTTP client is linked and the store's tokens could not be read")],
        };
        return Err(Error::new(lit_span, diags.render(&diags.items[0])));
    }
    let tokens: Vec<&Token> = spec.tokens_of(class).collect();
    let fields = field_idents(&tokens, lit_span)?;
    let abs = path.canonicalize().unwrap_or(path).display().to_string();
    Ok(generate(input, &spec, class, &tokens, &fields, &abs))
}

/// Rust keywords (strict, reserved and edition-dependent): a field of
/// that name is written raw (`r#type`); `r#` before any other name is
/// harmless, so the list errs on the side of raw.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Each token's field name as source text: its name in lowercase, raw
/// where it is a keyword. Two tokens sharing a field, or a name no field
/// can have (`self`, `super`, `crate`, `_`), is an error at the spec path;
/// the first such token in spec order is the one reported.
fn field_idents(tokens: &[&Token], span: Span) -> Result<Vec<String>, Error> {
    let fields: Vec<String> = tokens.iter().map(|t| t.field_name()).collect();
    let keys: Vec<&str> = fields.iter().map(String::as_str).collect();
    let first_clash = tokenspec_spec::repeats::repeats(&keys).first().copied();
    let mut out = Vec::with_capacity(tokens.len());
    for (i, (t, field)) in tokens.iter().zip(fields).enumerate() {
        if let Some((_, first)) = first_clash.filter(|(later, _)| *later == i) {
            return Err(Error::new(
                span,
                format!(
                    "tokens `{}` and `{}` would both become field `{field}`",
                    tokens[first].name, t.name
                ),
            ));
        }
        if matches!(field.as_str(), "self" | "super" | "crate" | "_") {
            return Err(Error::new(
                span,
                format!(
                    "token `{}` cannot become a field: `{field}` is reserved in Rust",
                    t.name
                ),
            ));
        }
        // Keywords are lowercase letters only, so most names skip the list.
        let keyword =
            field.bytes().all(|b| b.is_ascii_lowercase()) && KEYWORDS.contains(&field.as_str());
        out.push(if keyword { format!("r#{field}") } else { field });
    }
    Ok(out)
}

/// The body of `load()` up to `options`: the spec's `env_from` and
/// environments, so a service chooses its environment exactly as the
/// command line tool does.
fn load_options(spec: &Spec) -> String {
    let list = |items: &[String]| {
        let mut out = String::new();
        for item in items {
            push_raw_string(&mut out, item);
            out.push(',');
        }
        out
    };
    format!(
        "let options = ::tokenspec::__private::LoadOptions::from_process_with(&[{}], &[{}])?;",
        list(&spec.env_from),
        list(&spec.environments)
    )
}

/// With a `[store]` (and the `store` feature), the rest of `load()`'s
/// options: the store's definition as one static, and its layer of `class`.
fn store_options(spec: &Spec, class: Class) -> String {
    let Some(store) = spec.store.as_ref().filter(|_| cfg!(feature = "store")) else {
        return String::new();
    };
    let def = store.to_def();
    let cow = |s: &str| format!("::std::borrow::Cow::Borrowed({})", raw_string(s));
    let kind = match def.kind {
        StoreKind::OpenBao => "OpenBao",
        StoreKind::Vault => "Vault",
    };
    let address = match def.address.as_deref() {
        Some(a) => format!("::core::option::Option::Some({})", cow(a)),
        None => "::core::option::Option::None".to_owned(),
    };
    let environments: String = def.environments.iter().map(|e| cow(e) + ",").collect();
    format!(
        "static STORE: ::tokenspec::__private::StoreDef = ::tokenspec::__private::StoreDef {{
            kind: ::tokenspec::__private::StoreKind::{kind},
            address: {address},
            mount: {mount},
            path: {path},
            environments: ::std::borrow::Cow::Borrowed(&[{environments}]),
            files: {files},
        }};
        let options = ::tokenspec::__private::with_store(&STORE, ::tokenspec::__private::Class::{class}, options)?;",
        mount = cow(&def.mount),
        path = cow(&def.path),
        files = def.files,
        class = class_variant(class),
    )
}

/// `Class`'s variant name.
fn class_variant(class: Class) -> &'static str {
    match class {
        Class::Cicd => "Cicd",
        Class::Runtime => "Runtime",
    }
}

/// Generated source text as tokens, parsed by the compiler in one call. It
/// always parses (names are identifiers, text is written as raw or `{:?}`
/// string literals, a proptest holds it); outside the compiler a text that
/// did not would fail the build with a message instead of a panic.
fn source(text: &str) -> TokenStream {
    // Inside the compiler the text goes to it directly: `proc_macro2`'s own
    // parse first lexes all of it again in the macro to check it, a third
    // of a large spec's expansion when the macro runs unoptimised.
    if proc_macro::is_available() {
        if let Ok(tokens) = text.parse::<proc_macro::TokenStream>() {
            return tokens.into();
        }
    }
    text.parse().unwrap_or_else(|_| {
        Error::new(
            Span::call_site(),
            "tokenspec: internal error: the generated code does not parse; please report it",
        )
        .to_compile_error()
    })
}

/// `text` as a raw string literal, with one `#` more than any run of them
/// after a `"` in it, so nothing in it can end the literal.
fn raw_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    push_raw_string(&mut out, text);
    out
}

/// Appends `text` to `out` as a raw string literal (see `raw_string`), or
/// as an escaped one if it holds a carriage return, which a raw string
/// cannot.
fn push_raw_string(out: &mut String, text: &str) {
    let b = text.as_bytes();
    if b.contains(&b'\r') {
        let _ = write!(out, "{text:?}");
        return;
    }
    let mut longest = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'"' {
            let run = b[i + 1..].iter().take_while(|c| **c == b'#').count();
            longest = longest.max(run);
            i += run;
        }
        i += 1;
    }
    let hashes = &"#".repeat(longest + 1);
    push(out, &["r", hashes, "\"", text, "\"", hashes]);
}

/// Appends `parts` to `out`: the per-token text without `format!`'s
/// machinery, which the macro's usual unoptimised build pays per call.
fn push(out: &mut String, parts: &[&str]) {
    for part in parts {
        out.push_str(part);
    }
}

/// The expansion. Per token it holds only the field, its row of the
/// definitions table (`tokenspec_core::table`, one string constant), its
/// name in `NAMES`, its place in the one pattern that fills the fields and
/// in the one list of field references that `Clone` and `Debug` read;
/// loading, cloning, `Debug` and the required-token check are loops in
/// `tokenspec::__private`, so the code to type-check and optimise hardly
/// grows with the spec (docs/benchmarks.md, the macro rebuild).
fn generate(
    input: &Input,
    spec: &Spec,
    class: Class,
    tokens: &[&Token],
    fields: &[String],
    abs_path: &str,
) -> TokenStream {
    let Input {
        attrs, vis, name, ..
    } = input;
    let name = &name.to_string();
    // `NAMES` as literals: reading them out of the table in constant
    // evaluation cost 0.3 s of every build at 1,000 tokens.
    let defs: Vec<_> = tokens.iter().map(|t| t.to_def()).collect();
    // A raw string in source text: the compiler reads it without escaping
    // and unescaping every character of a 1,000-token table.
    let table = raw_string(&tokenspec_core::table::encode(&defs));
    let class_variant = class_variant(class);
    let class_doc = format!(
        " The `{class}` tokens of the spec, loaded from `{}` and `{}.<env>`.",
        class.base_file(),
        class.base_file()
    );
    // Everything is written as source text and parsed once: built token by
    // token, each token tree crosses the compiler's proc-macro bridge on its
    // own, which was most of a 1,011-token spec's expansion time.
    let mut field_decls = String::new();
    let mut required_fields = String::new();
    let mut optional_fields = String::new();
    let mut required_refs = String::new();
    let mut optional_refs = String::new();
    let mut field_list = String::new();
    let mut doc = String::new();
    let (mut required_count, mut optional_count) = (0usize, 0usize);
    for (t, f) in tokens.iter().zip(fields) {
        // One attribute: the same text in rustdoc as three, a third of the
        // tokens; a raw string, so neither side escapes it.
        doc.clear();
        let required = t.required_text();
        push(
            &mut doc,
            &[
                " ",
                &t.description,
                "\n\n `",
                &t.name,
                "` · required: ",
                &required,
                " · format: ",
                t.format.name(),
            ],
        );
        field_decls.push_str("#[doc = ");
        push_raw_string(&mut field_decls, &doc);
        field_decls.push_str("] ");
        if let Some(d) = &t.deprecated {
            let note = match &d.replacement {
                Some(r) => format!("use {r} instead"),
                None => "this token is deprecated".to_owned(),
            };
            let _ = write!(field_decls, "#[deprecated(note = {note:?})] ");
        }
        // Irrefutable array patterns fill the fields, not a call per field
        // (a call can unwind, and the unwind paths of 1,000 calls in one
        // function made borrow checking quadratic) nor a `Some(…)` per field
        // (refutable, it made borrow checking and codegen most of a large
        // struct's rebuild).
        if t.required.is_always() {
            push(&mut field_decls, &["pub ", f, ": ::tokenspec::Secret,\n"]);
            push(&mut required_fields, &[f, ","]);
            push(&mut required_refs, &["&self.", f, ","]);
            required_count += 1;
        } else {
            push(
                &mut field_decls,
                &[
                    "pub ",
                    f,
                    ": ::core::option::Option<::tokenspec::Secret>,\n",
                ],
            );
            push(&mut optional_fields, &[f, ","]);
            push(&mut optional_refs, &["&self.", f, ","]);
            optional_count += 1;
        }
        push(&mut field_list, &[f, ","]);
    }
    let mut names = String::new();
    for t in tokens {
        // Token names are ASCII letters, digits and `_`: nothing to escape.
        push(&mut names, &["\"", &t.name, "\","]);
    }
    let load_options = load_options(spec);
    let store_options = store_options(spec, class);
    let abs_path = raw_string(abs_path);
    let struct_lit = raw_string(name);
    // The struct itself keeps the invocation's own tokens (attributes,
    // visibility, name), so the compiler points at what was written.
    let mut out = source(&format!("#[doc = {}]", raw_string(&class_doc)));
    out.extend(attrs.clone());
    out.extend(vis.clone());
    out.extend([
        TokenTree::Ident(Ident::new("struct", Span::call_site())),
        TokenTree::Ident(input.name.clone()),
        TokenTree::Group(Group::new(Delimiter::Brace, source(&field_decls))),
    ]);
    out.extend(source(&format!(
        r#"
        // Rebuild when the spec changes.
        const _: &[u8] = include_bytes!({abs_path});

        #[allow(deprecated)]
        impl {name} {{
            // Every definition, decoded once by `defs`.
            #[doc(hidden)]
            const __TOKENSPEC_TABLE: &'static str = {table};

            /// The names of these tokens, in spec order.
            pub const NAMES: &'static [&'static str] = &[{names}];

            /// The definitions the loader resolves.
            pub fn defs() -> &'static [::tokenspec::__private::TokenDef] {{
                static DEFS: ::std::sync::LazyLock<::std::vec::Vec<::tokenspec::__private::TokenDef>> =
                    ::std::sync::LazyLock::new(|| {{
                        ::tokenspec::__private::decode(
                            ::tokenspec::__private::Class::{class_variant},
                            {name}::__TOKENSPEC_TABLE,
                        )
                    }});
                &DEFS
            }}

            /// Loads from the root found from the working directory, in the environment
            /// chosen as the command line tool chooses it (`TOKENSPEC_ENV`, then the
            /// spec's `env_from` variables; one the spec does not define is an error),
            /// with the process environment taking precedence.
            pub fn load() -> ::core::result::Result<Self, ::tokenspec::__private::LoadError> {{
                {load_options}
                {store_options}
                Self::load_with(&options)
            }}

            /// Loads from an explicit root and environment (`None`: base files only).
            pub fn load_from(
                root: impl ::core::convert::Into<::std::path::PathBuf>,
                env: ::core::option::Option<&str>,
            ) -> ::core::result::Result<Self, ::tokenspec::__private::LoadError> {{
                Self::load_with(&::tokenspec::__private::LoadOptions::new(root, env))
            }}

            /// Loads with full control over root, environment and variables.
            pub fn load_with(
                options: &::tokenspec::__private::LoadOptions,
            ) -> ::core::result::Result<Self, ::tokenspec::__private::LoadError> {{
                let resolution = ::tokenspec::__private::resolve(Self::defs(), options).into_result()?;
                Self::from_resolution(&resolution)
            }}

            /// Builds the struct from a resolution that has no problems.
            pub fn from_resolution(
                resolution: &::tokenspec::__private::Resolution<'_>,
            ) -> ::core::result::Result<Self, ::tokenspec::__private::LoadError> {{
                ::tokenspec::__private::values(resolution, Self::defs()).map(Self::__from_fields)
            }}

            // The one place the fields are filled, for `from_resolution` and
            // `clone`: the pattern is per token, so it is written once.
            fn __from_fields(
                ([{required_fields}], [{optional_fields}]): (
                    [::tokenspec::Secret; {required_count}],
                    [::core::option::Option<::tokenspec::Secret>; {optional_count}],
                ),
            ) -> Self {{
                Self {{ {field_list} }}
            }}

            // The fields by reference, split as `__from_fields` takes them,
            // for `clone` and `Debug`.
            fn __fields(&self) -> (
                [&::tokenspec::Secret; {required_count}],
                [&::core::option::Option<::tokenspec::Secret>; {optional_count}],
            ) {{
                ([{required_refs}], [{optional_refs}])
            }}
        }}

        #[allow(deprecated)]
        impl ::core::clone::Clone for {name} {{
            #[inline]
            fn clone(&self) -> Self {{
                Self::__from_fields(::tokenspec::__private::clone_fields(self.__fields()))
            }}
        }}

        #[allow(deprecated)]
        impl ::core::fmt::Debug for {name} {{
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {{
                ::tokenspec::__private::debug(f, {struct_lit}, Self::defs(), &self.__fields().1)
            }}
        }}
        "#
    )));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The invocation as written: attributes and visibility kept as tokens,
    /// string literals in any form, and each mistake named at its place.
    #[test]
    fn invocations_parse_by_hand() {
        let input: Input = r##"#[derive(Clone)] /// doc
            pub(crate) struct T, class = r#"runtime"#, spec = "a\\b\"c\u{e9}\x41","##
            .parse()
            .unwrap();
        assert_eq!(
            input.attrs.to_string(),
            "# [derive (Clone)] # [doc = \" doc\"]"
        );
        assert_eq!(input.vis.to_string(), "pub (crate)");
        assert_eq!(input.name.to_string(), "T");
        assert_eq!(input.spec.value, "a\\b\"c\u{e9}A");
        assert_eq!(input.class.value, "runtime");
        let private: Input = r#"struct T, spec = "s", class = "cicd""#.parse().unwrap();
        assert!(private.vis.is_empty());
        for (text, message) in [
            (r#"pub T, spec = "s""#, "expected `struct`, found `T`"),
            (
                r#"pub struct T, spec = 1, class = "c""#,
                "expected a string literal",
            ),
            (
                r#"pub struct T, spec = "s", spec = "t", class = "c""#,
                "`spec` is given twice",
            ),
            (r#"pub struct T spec = "s""#, "expected `,`, found `spec`"),
            (
                r#"pub struct T, spec = "s""#,
                r#"missing `class = "…"`: write `tokens!(pub struct T, spec = "../token-spec.toml", class = "runtime")`"#,
            ),
        ] {
            let e = text.parse::<Input>().unwrap_err();
            assert_eq!(e.to_string(), message, "{text}");
            assert!(e.to_compile_error().to_string().contains("compile_error"));
        }
    }

    #[test]
    fn raw_strings_hold_any_text() {
        for text in [
            "",
            "plain",
            "a\"b",
            "\"#",
            "x\"##y\"#",
            "\\n\u{0}\r\n",
            "#\"###",
            "a\rb\"#",
        ] {
            let literal = raw_string(text);
            let lit: syn::LitStr = syn::parse_str(&literal).unwrap();
            assert_eq!(lit.value(), text);
            let lit: Literal = literal.parse().unwrap();
            assert_eq!(string_literal(&lit).as_deref(), Some(text), "{literal}");
            // The compiler refuses a carriage return in a raw string.
            assert!(
                !(literal.starts_with('r') && text.contains('\r')),
                "{literal}"
            );
        }
    }

    fn field_idents_of(names: &[&str]) -> Result<Vec<String>, Error> {
        let mut src = String::from("version = 1\n");
        for n in names {
            src.push_str(&format!(
                "[[token]]\nname = \"{n}\"\nclass = \"runtime\"\ndescription = \"d\"\n"
            ));
        }
        let spec = Spec::parse(&src, "token-spec.toml").unwrap();
        let tokens: Vec<&Token> = spec.tokens.iter().collect();
        field_idents(&tokens, Span::call_site())
    }

    #[test]
    fn field_names_are_lowercase_raw_for_keywords_and_never_reserved() {
        assert_eq!(
            field_idents_of(&["API_KEY", "TYPE", "MATCH"]).unwrap(),
            ["api_key", "r#type", "r#match"]
        );
        let reserved = field_idents_of(&["SELF"]).unwrap_err().to_string();
        assert!(
            reserved.contains("`SELF` cannot become a field"),
            "{reserved}"
        );
        // The first problem in spec order is reported, naming the token
        // that had the field first.
        let clash = field_idents_of(&["B_KEY", "Api_Key", "X", "api_key", "API_KEY", "b_key"])
            .unwrap_err()
            .to_string();
        assert_eq!(
            clash,
            "tokens `Api_Key` and `api_key` would both become field `api_key`"
        );
        let reserved_first = field_idents_of(&["A", "SELF", "a"])
            .unwrap_err()
            .to_string();
        assert!(reserved_first.contains("`SELF` cannot"), "{reserved_first}");
    }

    /// TOML's basic-string escapes for any text.
    fn toml_string(text: &str) -> String {
        let mut out = String::from("\"");
        for c in text.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// The per-token source text always parses, whatever a description
        /// holds: in the compiler it is handed over unchecked (`source`),
        /// so here the strict parse holds it.
        #[test]
        fn generated_text_always_parses(
            description in "x(\\PC|\r|\t|\n){0,40}",
            name in "[A-Z_][A-Z0-9_]{0,12}",
            required in proptest::bool::ANY,
            deprecated in proptest::bool::ANY,
        ) {
            proptest::prop_assume!(!["OTHER_TOKEN", "_", "SELF", "SUPER", "CRATE"].contains(&name.as_str()));
            let mut src = format!(
                "version = 1\n[[token]]\nname = \"{name}\"\nclass = \"runtime\"\ndescription = {}\nrequired = {required}\n",
                toml_string(&description)
            );
            if deprecated {
                src.push_str("deprecated = { replacement = \"OTHER_TOKEN\" }\n");
            }
            src.push_str("[[token]]\nname = \"OTHER_TOKEN\"\nclass = \"runtime\"\ndescription = \"d\"\n");
            let spec = Spec::parse(&src, "token-spec.toml").map_err(|d| d.render(&d.items[0]));
            proptest::prop_assert!(spec.is_ok(), "{:?}", spec.err());
            let spec = spec.unwrap();
            let tokens: Vec<&Token> = spec.tokens.iter().collect();
            let fields = field_idents(&tokens, Span::call_site()).unwrap();
            let input: Input =
                r#"pub struct Tokens, spec = "token-spec.toml", class = "runtime""#.parse().unwrap();
            let out = generate(&input, &spec, Class::Runtime, &tokens, &fields, "/spec");
            proptest::prop_assert!(!out.to_string().contains("compile_error"));
            proptest::prop_assert!(syn::parse2::<syn::File>(out).is_ok());
        }
    }

    /// A runtime spec of `n` tokens shaped like real ones: a sentence of
    /// description, every third optional, every fifth with a format.
    fn spec_of(n: usize) -> String {
        let mut src = String::from("version = 1\n");
        for i in 0..n {
            src.push_str(&format!(
                "[[token]]\nname = \"SERVICE_TOKEN_{i:05}\"\nclass = \"runtime\"\n\
                 description = \"Token {i} of the service, used to reach its API\"\n{}{}",
                if i % 3 == 0 { "required = false\n" } else { "" },
                if i % 5 == 0 {
                    "format = \"uuid\"\n"
                } else {
                    ""
                },
            ));
        }
        src
    }

    /// The expansion for `n` tokens, as `cargo expand` prints it (formatted).
    fn expansion(n: usize) -> String {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("token-spec.toml"), spec_of(n)).unwrap();
        let input: Input = r#"pub struct Tokens, spec = "token-spec.toml", class = "runtime""#
            .parse()
            .unwrap();
        let out = expand(&input, &[dir.path().to_path_buf()]);
        assert!(!out.to_string().contains("compile_error"), "{out}");
        prettyplease::unparse(&syn::parse2(out).expect("the expansion is a file"))
    }

    /// Issue 15: token definitions are one table and the code loops over
    /// it, so each token adds its field, its row and its fill, not code.
    #[test]
    fn the_expansion_grows_by_at_most_400_bytes_per_token() {
        let (small, large) = (expansion(11), expansion(1011));
        if std::env::var_os("SHOW_EXPANSION").is_some() {
            eprintln!("{small}");
        }
        let per_token = (large.len() - small.len()) / 1000;
        eprintln!(
            "formatted expansion: {} bytes for 11 tokens, {} for 1011: {per_token} bytes per token",
            small.len(),
            large.len()
        );
        assert!(per_token <= 400, "{per_token} bytes per token");
    }
}
