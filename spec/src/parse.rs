//! Reads `token-spec.toml` into a [`Spec`], collecting every error at once.
//!
//! The document is walked as a spanned TOML tree (not deserialized with
//! serde) so that an unknown key, a bad value and a duplicate name are all
//! reported in one pass, each at its own line and column.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use tokenspec_core::def::is_env_name;
use tokenspec_core::env::is_valid_env_name;
use tokenspec_core::format::{is_placeholder, looks_like_secret, BUILTIN_FORMATS};
use tokenspec_core::{Class, Deprecation, Format, Required};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{ClassInfo, Generate, Spec, Token, DEFAULT_ENVIRONMENTS};
use tokenspec_core::env::DEFAULT_ENV_FROM;

mod github;
mod store;

pub use github::{is_login, is_repository, GITHUB_KEYS};
pub use store::STORE_KEYS;

pub const TOP_KEYS: &[&str] = &[
    "version",
    "environments",
    "env_from",
    "class",
    "token",
    "store",
    "templates",
    "generate",
    "github",
];
pub const GENERATE_KEYS: &[&str] = &["python", "typescript"];
pub const CLASS_KEYS: &[&str] = &["owner", "rotation_days", "description"];
pub const TOKEN_KEYS: &[&str] = &[
    "name",
    "class",
    "description",
    "required",
    "format",
    "ci_value",
    "owner",
    "rotation_days",
    "scopes",
    "deprecated",
    "aliases",
    "workflows",
    "identity",
];
pub const DEPRECATED_KEYS: &[&str] = &["replacement", "note"];
pub const FORMAT_KEYS: &[&str] = &["regex"];

type Val<'i> = Spanned<DeValue<'i>>;

/// Parses and validates spec text. `file` is how the path is shown in errors.
pub fn parse(src: &str, file: &str) -> Result<Spec, Diagnostics> {
    let mut cx = Cx {
        src,
        file,
        errors: Vec::new(),
        required_envs: Vec::new(),
        replacements: Vec::new(),
        names: Vec::new(),
        aliases: Vec::new(),
    };
    let spec = match DeTable::parse(src) {
        Ok(root) => Some(cx.spec(root.get_ref())),
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            cx.errors.push(Diagnostic::new(
                format!("invalid TOML: {}", e.message().trim_end()),
                span,
            ));
            None
        }
    };
    match spec {
        Some(spec) if cx.errors.is_empty() => Ok(spec),
        _ => {
            cx.errors.sort_by_key(|d| d.span.start);
            Err(Diagnostics {
                file: file.to_owned(),
                source: src.to_owned(),
                items: cx.errors,
            })
        }
    }
}

struct Cx<'s> {
    src: &'s str,
    /// The spec's name as shown (a template may not name it).
    file: &'s str,
    errors: Vec<Diagnostic>,
    /// `required = [...]` lists, checked against `environments` at the end.
    required_envs: Vec<Vec<Spanned<String>>>,
    /// `deprecated.replacement` names, checked against the tokens at the end.
    replacements: Vec<Spanned<String>>,
    /// Every token name seen, even in tokens with other errors, for the duplicate check.
    names: Vec<Spanned<String>>,
    /// Every alias, checked against the token names at the end.
    aliases: Vec<Spanned<String>>,
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// Why `name` (a clean relative path) cannot be a template, if it cannot:
/// `gen` rewrites a template's managed block, so it may not name git's own
/// files, the spec, a file `gen` writes for itself, or a token file that
/// holds secrets (`.env`, `.env.<environment>`, `.env.local`, the same for
/// `.tokens`). `environments` are the spec's.
pub fn template_refusal(name: &str, environments: &[&str]) -> Option<&'static str> {
    let file_name = name.rsplit('/').next().unwrap_or(name);
    if name.split('/').any(|part| part == ".git") {
        return Some("is inside git's own folder");
    }
    if matches!(file_name, ".gitignore" | ".gitattributes" | ".gitmodules") {
        return Some("is git's configuration");
    }
    if name == crate::model::DEFAULT_SPEC_FILE {
        return Some("is the spec itself");
    }
    if crate::model::GENERATED_FILES.contains(&name)
        || (name.ends_with(".hcl")
            && crate::model::GENERATED_FOLDERS.iter().any(|d| {
                name.strip_prefix(d)
                    .is_some_and(|rest| rest.starts_with('/'))
            }))
    {
        return Some("is a file `tokenspec gen` writes");
    }
    if let Some(class) = tokenspec_core::Class::of_file(file_name) {
        let rest = file_name[class.base_file().len()..].trim_start_matches('.');
        if rest.is_empty()
            || rest == "local"
            || rest.ends_with(".local")
            || environments.contains(&rest)
        {
            return Some("is a token file that holds secrets");
        }
    }
    None
}

/// Why `name` cannot be an alias, if it cannot: a variable the process,
/// the shell, the loader, the store client or a CI runner sets or reads
/// for itself, so the token would count as set by something that is not
/// its value (`PATH`, `HOME`, `LD_*`, `BASH_ENV`, `GITHUB_*`…).
/// `GITHUB_TOKEN` is allowed: no runner sets it, a workflow passes it.
pub fn process_variable(name: &str) -> Option<&'static str> {
    const EXACT: &[&str] = &[
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "SHELL",
        "PWD",
        "OLDPWD",
        "TERM",
        "LANG",
        "LANGUAGE",
        "TZ",
        "TMPDIR",
        "TMP",
        "TEMP",
        "HOSTNAME",
        "IFS",
        "ENV",
        "BASH_ENV",
        "CDPATH",
        "SHLVL",
        "MAIL",
        "MAILPATH",
        "PS1",
        "PS2",
        "PS4",
        "PROMPT_COMMAND",
        "DISPLAY",
        "EDITOR",
        "VISUAL",
        "PAGER",
        "SSH_AUTH_SOCK",
        "CI",
        "APP_ENV",
        "NODE_OPTIONS",
        "PYTHONPATH",
        "PYTHONSTARTUP",
        "PERL5OPT",
        "RUBYOPT",
        "JAVA_TOOL_OPTIONS",
        "GIT_DIR",
        "GCONV_PATH",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "no_proxy",
        "RUSTFLAGS",
        "RUSTC_WRAPPER",
    ];
    const PREFIXES: &[&str] = &[
        "LD_",
        "DYLD_",
        "LC_",
        "BASH_",
        "XDG_",
        "GITHUB_",
        "RUNNER_",
        "ACTIONS_",
        "TOKENSPEC_",
        "BAO_",
        "VAULT_",
        "GIT_",
        "CARGO_",
        "RUSTUP_",
    ];
    if name == "GITHUB_TOKEN" {
        return None;
    }
    if EXACT.contains(&name) || PREFIXES.iter().any(|p| name.starts_with(p)) {
        return Some("a variable the process or its runner sets for itself");
    }
    None
}

fn suggest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    crate::suggest::did_you_mean(key, known.iter().copied())
}

impl Cx<'_> {
    fn err(&mut self, d: Diagnostic) {
        self.errors.push(d);
    }

    fn unknown_keys(&mut self, table: &DeTable<'_>, known: &[&str], what: &str) {
        for (k, _) in table.iter() {
            let key: &str = k.get_ref();
            if !known.contains(&key) {
                let help = match suggest(key, known) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("{what} keys are: {}", known.join(", ")),
                };
                self.err(
                    Diagnostic::new(format!("unknown key `{key}` in {what}"), k.span()).help(help),
                );
            }
        }
    }

    fn string<'a>(&mut self, v: &'a Val<'_>, key: &str) -> Option<&'a str> {
        match v.get_ref() {
            DeValue::String(s) => Some(s),
            other => {
                self.err(Diagnostic::new(
                    format!("`{key}` must be a string, found {}", type_name(other)),
                    v.span(),
                ));
                None
            }
        }
    }

    fn string_array(&mut self, v: &Val<'_>, key: &str) -> Option<Vec<Spanned<String>>> {
        let DeValue::Array(items) = v.get_ref() else {
            self.err(Diagnostic::new(
                format!(
                    "`{key}` must be an array of strings, found {}",
                    type_name(v.get_ref())
                ),
                v.span(),
            ));
            return None;
        };
        let mut out = Vec::new();
        for item in items.iter() {
            let s = self.string(item, key)?;
            out.push(Spanned::new(item.span(), s.to_owned()));
        }
        Some(out)
    }

    fn positive_int(&mut self, v: &Val<'_>, key: &str) -> Option<u32> {
        if let DeValue::Integer(i) = v.get_ref() {
            if let Ok(n) = u32::from_str_radix(i.as_str(), i.radix()) {
                if n > 0 {
                    return Some(n);
                }
            }
        }
        self.err(Diagnostic::new(
            format!("`{key}` must be a positive whole number of days"),
            v.span(),
        ));
        None
    }

    fn spec(&mut self, root: &DeTable<'_>) -> Spec {
        self.unknown_keys(root, TOP_KEYS, "the spec");
        if let Some(v) = root.get("version") {
            if !matches!(v.get_ref(), DeValue::Integer(i) if i.as_str() == "1") {
                self.err(
                    Diagnostic::new("unsupported spec `version`", v.span())
                        .help("this tokenspec reads `version = 1`"),
                );
            }
        }
        let environments = self.environments(root.get("environments"));
        let env_from = self.env_from(root.get("env_from"));
        let classes = self.classes(root.get("class"));

        let mut tokens = Vec::new();
        match root.get("token") {
            None => {}
            Some(v) => match v.get_ref() {
                DeValue::Array(items) => {
                    for item in items.iter() {
                        match item.get_ref() {
                            DeValue::Table(t) => {
                                if let Some(tok) = self.token(t, item.span(), &classes) {
                                    tokens.push(tok);
                                }
                            }
                            other => self.err(Diagnostic::new(
                                format!("each `token` must be a table, found {}", type_name(other)),
                                item.span(),
                            )),
                        }
                    }
                }
                other => self.err(
                    Diagnostic::new(
                        format!(
                            "`token` must be an array of tables, found {}",
                            type_name(other)
                        ),
                        v.span(),
                    )
                    .help("write each token as a `[[token]]` table"),
                ),
            },
        }
        let templates = self.templates(root.get("templates"), &environments);
        let store = self.store(root.get("store"), &environments);
        let generate = self.generate(root.get("generate"), &tokens);
        let github = self.github(root.get("github"), &environments);
        self.cross_checks(&environments);
        Spec {
            environments: environments.into_iter().map(Spanned::into_inner).collect(),
            env_from,
            classes,
            tokens,
            templates,
            store,
            generate,
            github,
            index: Default::default(),
        }
    }

    /// `[generate]`: `python = "app/tokens.py"`, `typescript = "bot/src/tokens.ts"`.
    fn generate(&mut self, v: Option<&Val<'_>>, tokens: &[Token]) -> Generate {
        let mut out = Generate::default();
        let Some(v) = v else { return out };
        let DeValue::Table(t) = v.get_ref() else {
            self.err(
                Diagnostic::new(
                    format!(
                        "`generate` must be a table, found {}",
                        type_name(v.get_ref())
                    ),
                    v.span(),
                )
                .help("write it as a `[generate]` table: `python = \"app/tokens.py\"`"),
            );
            return out;
        };
        self.unknown_keys(t, GENERATE_KEYS, "[generate]");
        type Naming = fn(&str) -> String;
        let languages: [(&str, &[&str], Naming); 2] = [
            ("python", &[".py"], crate::fields::python),
            (
                "typescript",
                &[".ts", ".mts", ".cts"],
                crate::fields::typescript,
            ),
        ];
        for (key, extensions, naming) in languages {
            let Some(value) = t.get(key) else { continue };
            let Some(path) = self.string(value, key) else {
                continue;
            };
            if !is_root_relative(path) {
                self.err(
                    Diagnostic::new(
                        format!("`{path}` is not a file path inside the root"),
                        value.span(),
                    )
                    .help(format!(
                        "name the file relative to the root, e.g. `{key} = \"{}\"`",
                        example(key)
                    )),
                );
                continue;
            }
            if !extensions
                .iter()
                .any(|e| path.ends_with(e) && path.len() > e.len())
            {
                self.err(
                    Diagnostic::new(
                        format!("`{key}` must name a {} file", extensions.join(" or ")),
                        value.span(),
                    )
                    .help(format!("e.g. `{key} = \"{}\"`", example(key))),
                );
                continue;
            }
            self.field_clashes(key, tokens, naming);
            let slot = if key == "python" {
                &mut out.python
            } else {
                &mut out.typescript
            };
            *slot = Some(path.to_owned());
        }
        out
    }

    /// Two tokens of a class whose generated fields would share a name.
    fn field_clashes(&mut self, language: &str, tokens: &[Token], naming: fn(&str) -> String) {
        for (i, token) in tokens.iter().enumerate() {
            let field = naming(&token.name);
            let first = tokens[..i]
                .iter()
                .find(|other| other.class == token.class && naming(&other.name) == field);
            if let Some(first) = first {
                self.err(
                    Diagnostic::new(
                        format!(
                            "`{}` and `{}` would both be the {language} field `{field}`",
                            first.name, token.name
                        ),
                        token.name_span.clone(),
                    )
                    .help(format!(
                        "rename one of them, or remove `{language}` from [generate]"
                    )),
                );
            }
        }
    }
}

/// Paths `[generate]` and `templates` accept: relative, `/`-separated, no
/// `.` or `..` part, so a generated file stays inside the root.
fn is_root_relative(name: &str) -> bool {
    !(name.is_empty()
        || name.starts_with('/')
        || name.contains('\\')
        || name
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == ".."))
}

fn example(key: &str) -> &'static str {
    if key == "python" {
        "app/tokens.py"
    } else {
        "bot/src/tokens.ts"
    }
}

impl Cx<'_> {
    /// `templates = [".env.dist"]`: more committed templates, as paths in the root.
    fn templates(&mut self, v: Option<&Val<'_>>, environments: &[Spanned<String>]) -> Vec<String> {
        let envs: Vec<&str> = environments.iter().map(|e| e.get_ref().as_str()).collect();
        let Some(v) = v else { return Vec::new() };
        let names = self.string_array(v, "templates").unwrap_or_default();
        let mut out = Vec::new();
        for n in names {
            let name = n.get_ref();
            if !is_root_relative(name) {
                self.err(
                    Diagnostic::new(
                        format!("`{name}` is not a file path inside the root"),
                        n.span(),
                    )
                    .help(
                        "name a template relative to the root, e.g. `templates = [\".env.dist\"]`",
                    ),
                );
            } else if let Some(what) = template_refusal(name, &envs)
                .or_else(|| (name.as_str() == self.file).then_some("is the spec itself"))
            {
                self.err(
                    Diagnostic::new(format!("template `{name}` {what}"), n.span()).help(
                        "`tokenspec gen` rewrites a template's managed block: name only a committed example file tokenspec does not otherwise own, e.g. `.env.dist`",
                    ),
                );
            } else if !out.contains(name) {
                out.push(name.clone());
            }
        }
        out
    }

    fn environments(&mut self, v: Option<&Val<'_>>) -> Vec<Spanned<String>> {
        let Some(v) = v else {
            return DEFAULT_ENVIRONMENTS
                .iter()
                .map(|e| Spanned::new(0..0, (*e).to_owned()))
                .collect();
        };
        let envs = self.string_array(v, "environments").unwrap_or_default();
        let mut seen = HashMap::new();
        for e in &envs {
            if !is_valid_env_name(e.get_ref()) {
                self.err(
                    Diagnostic::new(format!("`{}` is not a valid environment name", e.get_ref()), e.span())
                        .help("use letters, digits, `-` and `_` (it becomes a file suffix: `.env.<name>`)"),
                );
            }
            if seen.insert(e.get_ref().clone(), ()).is_some() {
                self.err(Diagnostic::new(
                    format!("environment `{}` is listed twice", e.get_ref()),
                    e.span(),
                ));
            }
        }
        if !envs.iter().any(|e| e.get_ref() == "ci") {
            self.err(
                Diagnostic::new("`environments` must include `ci`", v.span())
                    .help("`.tokens.ci` and `.env.ci` are the committed CI files"),
            );
        }
        envs
    }

    fn env_from(&mut self, v: Option<&Val<'_>>) -> Vec<String> {
        let Some(v) = v else {
            return DEFAULT_ENV_FROM.iter().map(|s| (*s).to_owned()).collect();
        };
        let vars = self.variable_names(v, "env_from");
        vars.into_iter().map(Spanned::into_inner).collect()
    }

    /// An array of distinct environment variable names.
    fn variable_names(&mut self, v: &Val<'_>, key: &str) -> Vec<Spanned<String>> {
        let names = self.string_array(v, key).unwrap_or_default();
        let mut seen = HashMap::new();
        for n in &names {
            if !is_env_name(n.get_ref()) {
                self.err(
                    Diagnostic::new(
                        format!(
                            "`{}` in `{key}` is not a valid environment variable name",
                            n.get_ref()
                        ),
                        n.span(),
                    )
                    .help("use letters, digits and `_`, not starting with a digit, e.g. `APP_ENV`"),
                );
            }
            if seen.insert(n.get_ref().clone(), ()).is_some() {
                self.err(Diagnostic::new(
                    format!("`{}` is listed twice in `{key}`", n.get_ref()),
                    n.span(),
                ));
            }
        }
        names
    }

    fn classes(&mut self, v: Option<&Val<'_>>) -> Vec<ClassInfo> {
        let mut classes: Vec<ClassInfo> =
            Class::ALL.into_iter().map(ClassInfo::default_for).collect();
        let Some(v) = v else { return classes };
        let DeValue::Table(t) = v.get_ref() else {
            self.err(Diagnostic::new(
                "`class` must be a table such as `[class.cicd]`",
                v.span(),
            ));
            return classes;
        };
        for (k, cv) in t.iter() {
            let Some(class) = Class::parse(k.get_ref()) else {
                self.err(
                    Diagnostic::new(format!("unknown class `{}`", k.get_ref()), k.span())
                        .help("classes are `cicd` and `runtime`"),
                );
                continue;
            };
            let DeValue::Table(ct) = cv.get_ref() else {
                self.err(Diagnostic::new(
                    format!("`class.{class}` must be a table"),
                    cv.span(),
                ));
                continue;
            };
            self.unknown_keys(ct, CLASS_KEYS, &format!("[class.{class}]"));
            let info = classes
                .iter_mut()
                .find(|c| c.class == class)
                .expect("all classes present");
            if let Some(o) = ct.get("owner").and_then(|o| self.string(o, "owner")) {
                info.owner = o.to_owned();
            }
            if let Some(d) = ct
                .get("description")
                .and_then(|o| self.string(o, "description"))
            {
                info.description = d.to_owned();
            }
            if let Some(r) = ct.get("rotation_days") {
                info.rotation_days = self.positive_int(r, "rotation_days");
            }
        }
        classes
    }

    fn token(
        &mut self,
        t: &DeTable<'_>,
        span: Range<usize>,
        classes: &[ClassInfo],
    ) -> Option<Token> {
        // Every key in one pass over the table, unknown keys reported on
        // the way: a lookup per known key cost a dozen string comparisons
        // per key, per token, in a macro that usually runs unoptimised.
        let mut slots: [Option<&Val<'_>>; TOKEN_KEYS.len()] = [None; TOKEN_KEYS.len()];
        let mut unknown = false;
        for (k, v) in t.iter() {
            match TOKEN_KEYS
                .iter()
                .position(|known| *known == k.get_ref().as_ref())
            {
                Some(i) => slots[i] = Some(v),
                None => unknown = true,
            }
        }
        if unknown {
            self.unknown_keys(t, TOKEN_KEYS, "a [[token]]");
        }
        let [name_v, class_v, description_v, required_v, format_v, ci_value_v, owner_v, rotation_days_v, scopes_v, deprecated_v, aliases_v, workflows_v, identity_v] =
            slots;
        let mut missing = Vec::new();
        for (key, v) in [
            ("name", name_v),
            ("class", class_v),
            ("description", description_v),
        ] {
            if v.is_none() {
                missing.push(key);
            }
        }
        if !missing.is_empty() {
            self.err(
                Diagnostic::new(
                    format!("token is missing `{}`", missing.join("`, `")),
                    span.clone(),
                )
                .help("every [[token]] needs `name`, `class` and `description`"),
            );
        }

        let name = name_v
            .and_then(|v| self.string(v, "name"))
            .map(str::to_owned);
        let name_span = name_v.map_or(span.clone(), |v| v.span());
        if let Some(n) = &name {
            self.names.push(Spanned::new(name_span.clone(), n.clone()));
            if !is_env_name(n) {
                self.err(
                    Diagnostic::new(
                        format!("`{n}` is not a valid environment variable name"),
                        name_span.clone(),
                    )
                    .help(
                        "use letters, digits and `_`, not starting with a digit, e.g. `MY_TOKEN`",
                    ),
                );
            }
        }
        let class = class_v.and_then(|v| {
            let s = self.string(v, "class")?;
            let c = Class::parse(s);
            if c.is_none() {
                let mut d = Diagnostic::new(format!("unknown class `{s}`"), v.span());
                d = match suggest(s, &["cicd", "runtime"]) {
                    Some(x) => d.help(format!(
                        "did you mean `{x}`? classes are `cicd` and `runtime`"
                    )),
                    None => d.help("classes are `cicd` and `runtime`"),
                };
                self.err(d);
            }
            c
        });
        let description = description_v
            .and_then(|v| self.string(v, "description"))
            .map(str::to_owned);
        if let (Some(d), Some(v)) = (&description, description_v) {
            if d.trim().is_empty() {
                self.err(Diagnostic::new("`description` must not be empty", v.span()));
            }
        }

        let required = match required_v {
            None => Required::Always,
            Some(v) => match v.get_ref() {
                DeValue::Boolean(true) => Required::Always,
                DeValue::Boolean(false) => Required::Never,
                DeValue::Array(_) => {
                    let envs = self.string_array(v, "required").unwrap_or_default();
                    self.required_envs.push(envs.clone());
                    Required::In(Cow::Owned(
                        envs.into_iter()
                            .map(|e| Cow::Owned(e.into_inner()))
                            .collect(),
                    ))
                }
                other => {
                    self.err(
                        Diagnostic::new(format!("`required` must be a boolean or an array of environments, found {}", type_name(other)), v.span())
                            .help("e.g. `required = true` or `required = [\"prod\", \"ci\"]`"),
                    );
                    Required::Always
                }
            },
        };

        let format = match format_v {
            None => Some(Format::Any),
            Some(v) => self.format(v),
        };

        let ci_value = match ci_value_v {
            Some(v) => self.string(v, "ci_value").map(str::to_owned),
            None => name.as_deref().map(Token::default_ci_value),
        };
        let ci_value_span = ci_value_v.map_or(span.clone(), |v| v.span());

        let owner = owner_v
            .and_then(|v| self.string(v, "owner"))
            .map(str::to_owned);
        let rotation_days = rotation_days_v.and_then(|v| self.positive_int(v, "rotation_days"));
        let scopes = scopes_v
            .and_then(|v| self.string_array(v, "scopes"))
            .unwrap_or_default();
        let deprecated = deprecated_v.and_then(|v| self.deprecated(v));
        let aliases = aliases_v
            .map(|v| self.variable_names(v, "aliases"))
            .unwrap_or_default();
        let workflows = workflows_v.and_then(|v| self.workflow_globs(v, "workflows"));
        let identity = identity_v.and_then(|v| self.identity(v));
        if let Some(own) = aliases.iter().find(|a| Some(a.get_ref()) == name.as_ref()) {
            self.err(Diagnostic::new(
                format!("`{}` is the token's own name, not an alias", own.get_ref()),
                own.span(),
            ));
        }
        for alias in &aliases {
            if let Some(what) = process_variable(alias.get_ref()) {
                self.err(
                    Diagnostic::new(
                        format!("alias `{}` is {what}", alias.get_ref()),
                        alias.span(),
                    )
                    .help("an alias is read from the process environment: name a variable only this token arrives under"),
                );
            }
        }
        self.aliases.extend(
            aliases
                .iter()
                .filter(|a| Some(a.get_ref()) != name.as_ref())
                .cloned(),
        );

        if let (Some(n), Some(ci)) = (&name, &ci_value) {
            self.check_ci_value(
                n,
                ci,
                format.as_ref(),
                ci_value_span.clone(),
                ci_value_v.is_some(),
            );
        }
        let (name, class, description, format, ci_value) =
            (name?, class?, description?, format?, ci_value?);
        let class_info = classes
            .iter()
            .find(|c| c.class == class)
            .expect("all classes present");
        let token = Token {
            owner: owner.unwrap_or_else(|| class_info.owner.clone()),
            rotation_days: rotation_days.or(class_info.rotation_days),
            scopes: scopes.into_iter().map(Spanned::into_inner).collect(),
            name,
            class,
            description,
            required,
            format,
            ci_value,
            deprecated,
            aliases: aliases.into_iter().map(Spanned::into_inner).collect(),
            workflows,
            identity,
            span,
            name_span,
            ci_value_span,
        };
        Some(token)
    }

    fn format(&mut self, v: &Val<'_>) -> Option<Format> {
        match v.get_ref() {
            DeValue::String(s) => {
                let f = Format::builtin(s);
                if f.is_none() {
                    let names: Vec<&str> = BUILTIN_FORMATS.iter().map(|b| b.name).collect();
                    let help = match suggest(s, &names) {
                        Some(x) => format!("did you mean `{x}`? built-in formats are: {}; or write `format = {{ regex = \"…\" }}`", names.join(", ")),
                        None => format!("built-in formats are: {}; or write `format = {{ regex = \"…\" }}`", names.join(", ")),
                    };
                    self.err(Diagnostic::new(format!("unknown format `{s}`"), v.span()).help(help));
                }
                f
            }
            DeValue::Table(ft) => {
                self.unknown_keys(ft, FORMAT_KEYS, "`format`");
                let rv = ft.get("regex")?;
                let pattern = self.string(rv, "regex")?;
                if let Err(e) = Format::compile_regex(pattern) {
                    let msg = e.to_string();
                    let last = msg.lines().last().unwrap_or("").trim().to_owned();
                    let mut d = Diagnostic::new("invalid regex in `format`", rv.span()).label(last);
                    if msg.contains("size limit") {
                        d = d.help(format!(
                            "a format regex may take at most {} KiB compiled, so checking a value stays fast; use a smaller pattern (fewer or shorter repetitions, `+` instead of `{{1,1000}}`)",
                            tokenspec_core::format::REGEX_SIZE_LIMIT / 1024
                        ));
                    }
                    self.err(d);
                    return None;
                }
                Some(Format::Regex(Cow::Owned(pattern.to_owned())))
            }
            other => {
                self.err(Diagnostic::new(
                    format!(
                        "`format` must be a format name or `{{ regex = \"…\" }}`, found {}",
                        type_name(other)
                    ),
                    v.span(),
                ));
                None
            }
        }
    }

    fn deprecated(&mut self, v: &Val<'_>) -> Option<Deprecation> {
        match v.get_ref() {
            DeValue::Boolean(true) => Some(Deprecation {
                replacement: None,
                note: None,
            }),
            DeValue::Boolean(false) => None,
            DeValue::Table(dt) => {
                self.unknown_keys(dt, DEPRECATED_KEYS, "`deprecated`");
                let replacement = dt.get("replacement").and_then(|r| {
                    let s = self.string(r, "replacement")?;
                    self.replacements.push(Spanned::new(r.span(), s.to_owned()));
                    Some(Cow::Owned(s.to_owned()))
                });
                let note = dt
                    .get("note")
                    .and_then(|n| self.string(n, "note"))
                    .map(|s| Cow::Owned(s.to_owned()));
                Some(Deprecation { replacement, note })
            }
            other => {
                self.err(
                    Diagnostic::new(
                        format!(
                            "`deprecated` must be a boolean or a table, found {}",
                            type_name(other)
                        ),
                        v.span(),
                    )
                    .help("e.g. `deprecated = { replacement = \"NEW_TOKEN\" }`"),
                );
                None
            }
        }
    }

    /// A CI value is committed: it must be a placeholder or a safe value of
    /// its format, and must never look like a live secret.
    fn check_ci_value(
        &mut self,
        name: &str,
        v: &str,
        format: Option<&Format>,
        span: Range<usize>,
        explicit: bool,
    ) {
        if v.is_empty() {
            self.err(Diagnostic::new(
                format!("`ci_value` of {name} is empty"),
                span,
            ));
            return;
        }
        // ASCII first, byte by byte: a CI value is nearly always ASCII.
        let control = if v.is_ascii() {
            v.bytes().any(|b| b.is_ascii_control())
        } else {
            v.chars().any(char::is_control)
        };
        if control {
            self.err(Diagnostic::new(
                format!("`ci_value` of {name} contains a control character"),
                span,
            ));
            return;
        }
        if let Some(kind) = looks_like_secret(v) {
            self.err(
                Diagnostic {
                    masked: explicit,
                    ..Diagnostic::new(
                        format!("`ci_value` of {name} looks like a real secret ({kind})"),
                        span,
                    )
                }
                .help(format!(
                    "committed CI files hold safe test values only; use a placeholder such as `{}`",
                    Token::default_ci_value(name)
                )),
            );
            return;
        }
        if let Some(f) = format.filter(|f| !is_placeholder(v, "") && !f.matches(v)) {
            self.err(
                Diagnostic::new(
                    format!("`ci_value` of {name} does not match its format {f}"),
                    span,
                )
                .help(format!(
                    "use a placeholder such as `{}`, or a safe value of the format",
                    Token::default_ci_value(name)
                )),
            );
        }
    }

    fn cross_checks(&mut self, environments: &[Spanned<String>]) {
        let names = std::mem::take(&mut self.names);
        let keys: Vec<&str> = names.iter().map(|n| n.get_ref().as_str()).collect();
        for (at, first) in crate::repeats::repeats(&keys) {
            let n = &names[at];
            let (line, _) = crate::diagnostic::line_col(self.src, names[first].span().start);
            self.err(
                Diagnostic::new(format!("duplicate token name `{}`", n.get_ref()), n.span())
                    .label(format!("first defined at line {line}"))
                    .help("each token name must appear once; remove or rename one of them"),
            );
        }
        // Sorted for the replacement look-ups only when there are any: the
        // sort was a tenth of the checks of a 1,000-token spec.
        let mut sorted = keys;
        if !self.replacements.is_empty() {
            sorted.sort_unstable();
        }
        let is_token = |name: &str| sorted.binary_search(&name).is_ok();
        let known_envs: Vec<&str> = environments.iter().map(|e| e.get_ref().as_str()).collect();
        for envs in std::mem::take(&mut self.required_envs) {
            for e in envs {
                if !known_envs.contains(&e.get_ref().as_str()) {
                    self.err(
                        Diagnostic::new(
                            format!("unknown environment `{}` in `required`", e.get_ref()),
                            e.span(),
                        )
                        .help(format!("environments are: {}", known_envs.join(", "))),
                    );
                }
            }
        }
        for a in std::mem::take(&mut self.aliases) {
            if is_token(a.get_ref()) {
                self.err(
                    Diagnostic::new(
                        format!("alias `{}` is a token of this spec", a.get_ref()),
                        a.span(),
                    )
                    .help("an alias would let the other token's value fill this one; remove it, or use `deprecated = { replacement = … }`"),
                );
            }
        }
        for r in std::mem::take(&mut self.replacements) {
            if !is_token(r.get_ref()) {
                self.err(Diagnostic::new(
                    format!("replacement `{}` is not a token in this spec", r.get_ref()),
                    r.span(),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(src: &str) -> Vec<String> {
        let d = parse(src, "token-spec.toml").unwrap_err();
        d.items
            .iter()
            .map(|i| format!("{} @ {}", i.message, d.location(i)))
            .collect()
    }

    #[test]
    fn templates_may_not_name_files_tokenspec_does_not_own() {
        let src = "environments = [\"dev\", \"prod\", \"ci\"]\ntemplates = [\".git/config\", \"token-spec.toml\", \".gitignore\", \"docs/TOKENS.md\", \".env\", \"app/.env.prod\", \".tokens.local\", \"openbao/cicd-reader.hcl\", \"sub/.git/hooks/pre-commit\", \".env.ci\", \".env.dist\", \"config/.env.example\"]\n[[token]]\nname = \"A\"\nclass = \"cicd\"\ndescription = \"d\"\n";
        assert_eq!(
            errors(src),
            [
                "template `.git/config` is inside git's own folder @ token-spec.toml:2:14",
                "template `token-spec.toml` is the spec itself @ token-spec.toml:2:29",
                "template `.gitignore` is git's configuration @ token-spec.toml:2:48",
                "template `docs/TOKENS.md` is a file `tokenspec gen` writes @ token-spec.toml:2:62",
                "template `.env` is a token file that holds secrets @ token-spec.toml:2:80",
                "template `app/.env.prod` is a token file that holds secrets @ token-spec.toml:2:88",
                "template `.tokens.local` is a token file that holds secrets @ token-spec.toml:2:105",
                "template `openbao/cicd-reader.hcl` is a file `tokenspec gen` writes @ token-spec.toml:2:122",
                "template `sub/.git/hooks/pre-commit` is inside git's own folder @ token-spec.toml:2:149",
                "template `.env.ci` is a file `tokenspec gen` writes @ token-spec.toml:2:178",
            ]
        );
        let ok = "templates = [\".env.dist\", \"config/.env.example\"]\n[[token]]\nname = \"A\"\nclass = \"cicd\"\ndescription = \"d\"\n";
        assert_eq!(
            parse(ok, "t").unwrap().templates,
            [".env.dist", "config/.env.example"]
        );
        let d = parse(&ok.replace(".env.dist", "custom.toml"), "custom.toml").unwrap_err();
        assert_eq!(
            d.items[0].message,
            "template `custom.toml` is the spec itself"
        );
    }

    #[test]
    fn aliases_may_not_be_tokens_or_process_variables() {
        let src = "[[token]]\nname = \"A\"\nclass = \"cicd\"\ndescription = \"d\"\naliases = [\"PATH\", \"B\", \"LD_PRELOAD\", \"GITHUB_SHA\", \"BASH_ENV\", \"GITHUB_TOKEN\", \"OLD_A\"]\n[[token]]\nname = \"B\"\nclass = \"runtime\"\ndescription = \"d\"\n";
        assert_eq!(
            errors(src),
            [
                "alias `PATH` is a variable the process or its runner sets for itself @ token-spec.toml:5:12",
                "alias `B` is a token of this spec @ token-spec.toml:5:20",
                "alias `LD_PRELOAD` is a variable the process or its runner sets for itself @ token-spec.toml:5:25",
                "alias `GITHUB_SHA` is a variable the process or its runner sets for itself @ token-spec.toml:5:39",
                "alias `BASH_ENV` is a variable the process or its runner sets for itself @ token-spec.toml:5:53",
            ]
        );
        for name in [
            "HOME",
            "LD_LIBRARY_PATH",
            "DYLD_INSERT_LIBRARIES",
            "GITHUB_ENV",
            "TOKENSPEC_ENV",
            "BAO_TOKEN",
            "CI",
        ] {
            assert!(process_variable(name).is_some(), "{name}");
        }
        for name in [
            "GITHUB_TOKEN",
            "ORCHESTRATION_KEY",
            "LEGACY_DEPLOY",
            "PATHFINDER_KEY",
        ] {
            assert!(process_variable(name).is_none(), "{name}");
        }
    }

    #[test]
    fn a_regex_too_large_to_run_fast_is_refused_at_its_line() {
        let d = parse(
            "[[token]]\nname = \"A\"\nclass = \"cicd\"\ndescription = \"d\"\nformat = { regex = \"(.*a){400}b\" }\n",
            "token-spec.toml",
        )
        .unwrap_err();
        let text = d.to_string();
        assert!(text.contains("invalid regex in `format`"), "{text}");
        assert!(text.contains("token-spec.toml:5:20"), "{text}");
        assert!(
            text.contains("help: a format regex may take at most 64 KiB compiled"),
            "{text}"
        );
    }

    #[test]
    fn generate_names_module_paths_inside_the_root() {
        let spec = parse(
            "[generate]\npython = \"app/tokens.py\"\ntypescript = \"bot/src/tokens.ts\"\n",
            "t",
        )
        .unwrap();
        assert_eq!(spec.generate.python.as_deref(), Some("app/tokens.py"));
        assert_eq!(
            spec.generate.typescript.as_deref(),
            Some("bot/src/tokens.ts")
        );
        assert_eq!(parse("", "t").unwrap().generate, Generate::default());
    }

    #[test]
    fn generate_refuses_paths_outside_the_root_wrong_files_and_unknown_keys() {
        let src = "[generate]\npython = \"../tokens.py\"\ntypescript = \"bot/tokens.js\"\nrust = \"x.rs\"\n";
        assert_eq!(
            errors(src),
            [
                "`../tokens.py` is not a file path inside the root @ token-spec.toml:2:10",
                "`typescript` must name a .ts or .mts or .cts file @ token-spec.toml:3:14",
                "unknown key `rust` in [generate] @ token-spec.toml:4:1",
            ]
        );
        assert_eq!(
            errors("generate = \"app/tokens.py\"\n"),
            ["`generate` must be a table, found a string @ token-spec.toml:1:12"]
        );
        assert_eq!(
            errors("[generate]\npython = \"/abs/tokens.py\"\n"),
            ["`/abs/tokens.py` is not a file path inside the root @ token-spec.toml:2:10"]
        );
    }

    #[test]
    fn token_lookup_by_name_is_indexed_and_stays_right() {
        let mut src = String::new();
        for i in 0..300 {
            src.push_str(&format!(
                "[[token]]\nname = \"T_{i}\"\nclass = \"cicd\"\ndescription = \"d\"\n"
            ));
        }
        let mut spec = parse(&src, "t").unwrap();
        for i in 0..300 {
            assert_eq!(
                spec.token(&format!("T_{i}")).unwrap().name,
                format!("T_{i}")
            );
        }
        assert!(spec.token("T_300").is_none());
        // A token list changed after the first lookup is still searched right.
        let mut extra = spec.tokens[0].clone();
        extra.name = "EXTRA".to_owned();
        spec.tokens.push(extra);
        assert_eq!(spec.token("EXTRA").unwrap().name, "EXTRA");
        assert_eq!(spec.clone(), spec);
    }

    #[test]
    fn generate_refuses_two_tokens_sharing_a_field() {
        let token = |name: &str| {
            format!("[[token]]\nname = \"{name}\"\nclass = \"cicd\"\ndescription = \"d\"\n")
        };
        let src = format!(
            "[generate]\ntypescript = \"t.ts\"\n{}{}",
            token("API_KEY"),
            token("API__KEY")
        );
        assert_eq!(
            errors(&src),
            ["`API_KEY` and `API__KEY` would both be the typescript field `apiKey` @ token-spec.toml:8:8"]
        );
        // Python keeps both apart; without [generate] nothing is checked.
        assert!(parse(
            &src.replace("typescript = \"t.ts\"", "python = \"t.py\""),
            "t"
        )
        .is_ok());
        assert!(parse(&src.replace("typescript = \"t.ts\"", ""), "t").is_ok());
    }

    #[test]
    fn minimal_token_gets_every_default() {
        let spec = parse(
            "[[token]]\nname = \"AAR_TOKEN\"\nclass = \"cicd\"\ndescription = \"d\"\n",
            "t",
        )
        .unwrap();
        let t = &spec.tokens[0];
        assert_eq!(t.required, Required::Always);
        assert_eq!(t.format, Format::Any);
        assert_eq!(t.ci_value, "ci_test_aar_token");
        assert_eq!(t.owner, "DevOps / Infrastructure");
        assert_eq!(t.rotation_days, None);
        assert!(t.scopes.is_empty() && t.deprecated.is_none());
        assert_eq!(spec.environments, ["dev", "prod", "ci"]);
    }

    #[test]
    fn env_from_and_aliases() {
        let spec = parse(
            "env_from = [\"CI\", \"APP_ENV\"]\n[[token]]\nname = \"A\"\nclass = \"cicd\"\ndescription = \"d\"\naliases = [\"ORCHESTRATION_KEY\", \"GITHUB_TOKEN\"]\n",
            "t",
        )
        .unwrap();
        assert_eq!(spec.env_from, ["CI", "APP_ENV"]);
        assert_eq!(
            spec.tokens[0].aliases,
            ["ORCHESTRATION_KEY", "GITHUB_TOKEN"]
        );
        let none = parse("", "t").unwrap();
        assert_eq!(none.env_from, ["APP_ENV", "CI"]);
        let e = errors("env_from = [\"CI\", \"CI\", \"A-B\"]\n[[token]]\nname = \"A\"\nclass = \"cicd\"\ndescription = \"d\"\naliases = [\"A\"]\n");
        assert_eq!(
            e,
            [
                "`CI` is listed twice in `env_from` @ token-spec.toml:1:19",
                "`A-B` in `env_from` is not a valid environment variable name @ token-spec.toml:1:25",
                "`A` is the token's own name, not an alias @ token-spec.toml:6:12",
            ]
        );
    }

    #[test]
    fn class_settings_are_token_defaults() {
        let spec = parse(
            "[class.runtime]\nowner = \"Bots\"\nrotation_days = 30\n[[token]]\nname = \"A\"\nclass = \"runtime\"\ndescription = \"d\"\n[[token]]\nname = \"B\"\nclass = \"runtime\"\ndescription = \"d\"\nowner = \"Ops\"\nrotation_days = 7\n",
            "t",
        )
        .unwrap();
        assert_eq!(
            (spec.tokens[0].owner.as_str(), spec.tokens[0].rotation_days),
            ("Bots", Some(30))
        );
        assert_eq!(
            (spec.tokens[1].owner.as_str(), spec.tokens[1].rotation_days),
            ("Ops", Some(7))
        );
    }

    #[test]
    fn every_error_at_once_with_positions() {
        let src = "bogus = 1\n[[token]]\nname = \"1BAD\"\nclass = \"ops\"\ndescription = \"d\"\nformat = \"nope\"\n[[token]]\nname = \"X\"\nclass = \"cicd\"\ndescription = \"d\"\nrequired = [\"qa\"]\nci_value = \"ghp_16C7e42F292c6912E7710c838347Ae178B4a\"\n[[token]]\nname = \"X\"\nclass = \"cicd\"\ndescription = \"d\"\nformat = { regex = \"(\" }\n";
        let e = errors(src);
        let expect = [
            "unknown key `bogus` in the spec @ token-spec.toml:1:1",
            "`1BAD` is not a valid environment variable name @ token-spec.toml:3:8",
            "unknown class `ops` @ token-spec.toml:4:9",
            "unknown format `nope` @ token-spec.toml:6:10",
            "unknown environment `qa` in `required` @ token-spec.toml:11:13",
            "`ci_value` of X looks like a real secret (a GitHub token) @ token-spec.toml:12:12",
            "duplicate token name `X` @ token-spec.toml:14:8",
            "invalid regex in `format` @ token-spec.toml:17:20",
        ];
        assert_eq!(e, expect);
    }

    #[test]
    fn wrong_types_and_bad_values() {
        let e = errors("environments = [\"dev\"]\n[[token]]\nname = 5\nclass = \"cicd\"\ndescription = \"\"\nrotation_days = 0\nrequired = \"yes\"\ndeprecated = { replacement = \"NOPE\" }\n");
        for expected in [
            "`environments` must include `ci`",
            "`name` must be a string, found an integer @ token-spec.toml:3:8",
            "`description` must not be empty",
            "`rotation_days` must be a positive",
            "`required` must be a boolean or an array",
            "replacement `NOPE` is not a token",
        ] {
            assert!(
                e.iter().any(|m| m.starts_with(expected)),
                "{expected}: {e:?}"
            );
        }
    }

    #[test]
    fn ci_value_must_fit_its_format_unless_placeholder() {
        let base = "[[token]]\nname = \"ID\"\nclass = \"runtime\"\ndescription = \"d\"\nformat = \"uuid\"\n";
        assert!(parse(
            &format!("{base}ci_value = \"00000000-0000-0000-0000-000000000000\"\n"),
            "t"
        )
        .is_ok());
        assert!(parse(&format!("{base}ci_value = \"ci_test_id\"\n"), "t").is_ok());
        let e = errors(&format!("{base}ci_value = \"nope\"\n"));
        assert_eq!(
            e,
            ["`ci_value` of ID does not match its format uuid @ token-spec.toml:6:12"]
        );
    }
}
