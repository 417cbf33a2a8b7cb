//! The validated spec: what `token-spec.toml` says, with every default applied.

use std::borrow::Cow;
use std::ops::Range;

use tokenspec_core::store_def::{StoreDef, CLASS_PLACEHOLDER, ENV_PLACEHOLDER};
use tokenspec_core::{Class, Deprecation, Format, Required, TokenDef};

/// Environments when the spec names none.
pub const DEFAULT_ENVIRONMENTS: [&str; 3] = ["dev", "prod", "ci"];

/// A whole, valid spec.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    /// Environment names; always includes `ci`.
    pub environments: Vec<String>,
    /// The variables that choose the environment after `--env` and
    /// `TOKENSPEC_ENV`, in order (`env_from`; default `APP_ENV`, `CI`).
    pub env_from: Vec<String>,
    pub classes: Vec<ClassInfo>,
    /// Tokens in spec order.
    pub tokens: Vec<Token>,
    /// Committed templates beyond [`DEFAULT_TEMPLATES`] (top-level `templates`),
    /// relative to the root.
    pub templates: Vec<String>,
    /// Where the tokens live once a team outgrows files (`[store]`).
    pub store: Option<StoreSpec>,
    /// Repository-wide GitHub policy (`[github]`); the defaults when absent.
    pub github: GithubSpec,
}

/// Whether workflows may use the repository's default token
/// (`GITHUB_TOKEN`, `github.token`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DefaultToken {
    #[default]
    Allow,
    Forbid,
}

impl DefaultToken {
    pub fn as_str(self) -> &'static str {
        match self {
            DefaultToken::Allow => "allow",
            DefaultToken::Forbid => "forbid",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "allow" => Some(DefaultToken::Allow),
            "forbid" => Some(DefaultToken::Forbid),
            _ => None,
        }
    }
}

/// `[github]`: policy for the repository's workflows and its GitHub settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GithubSpec {
    /// `default_token`: whether workflows may use `GITHUB_TOKEN` / `github.token`.
    pub default_token: DefaultToken,
    /// `default_token_workflows`: under a forbid policy, the workflow file
    /// names or globs (under `.github/workflows/`) that may still use it.
    pub default_token_workflows: Vec<String>,
    /// `repository`: `owner/name` on GitHub.
    pub repository: Option<String>,
    /// `environments`: spec environment → GitHub deployment environment,
    /// in spec order of the keys as written.
    pub environments: Vec<(String, String)>,
    /// The `[github]` table in the spec source, when given, for diagnostics.
    pub span: Option<Range<usize>>,
}

impl GithubSpec {
    /// Whether the workflow file `file_name` may use the default token.
    pub fn allows_default_token(&self, file_name: &str) -> bool {
        match self.default_token {
            DefaultToken::Allow => true,
            DefaultToken::Forbid => self
                .default_token_workflows
                .iter()
                .any(|g| glob_matches(g, file_name)),
        }
    }

    /// The GitHub deployment environment for spec environment `env`.
    pub fn environment(&self, env: &str) -> Option<&str> {
        self.environments
            .iter()
            .find(|(e, _)| e == env)
            .map(|(_, g)| g.as_str())
    }
}

/// Whether `name` matches `glob`, where `*` is any run of characters and
/// `?` any one: the workflow globs of the spec (`release-*.yml`). Linear in
/// the lengths (one backtrack point, as for a shell's single-`*` matching).
pub fn glob_matches(glob: &str, name: &str) -> bool {
    let (g, n): (Vec<char>, Vec<char>) = (glob.chars().collect(), name.chars().collect());
    let (mut gi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match g.get(gi) {
            Some('*') => {
                star = Some((gi, ni));
                gi += 1;
            }
            Some(&c) if c == '?' || c == n[ni] => {
                gi += 1;
                ni += 1;
            }
            _ => match star {
                Some((sg, sn)) => {
                    gi = sg + 1;
                    ni = sn + 1;
                    star = Some((sg, sn + 1));
                }
                None => return false,
            },
        }
    }
    g[gi..].iter().all(|&c| c == '*')
}

/// The KV v2 mount when `[store]` names none (the dev server's default).
pub const DEFAULT_STORE_MOUNT: &str = "secret";

/// Which secrets engine (core's type: the loader and the store client share it).
pub use tokenspec_core::store_def::StoreKind;

/// `[store]`: one KV v2 secret per class and environment, whose keys are
/// token names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreSpec {
    pub kind: StoreKind,
    /// The server; `BAO_ADDR` / `VAULT_ADDR` override it. No trailing `/`.
    pub address: Option<String>,
    /// The KV v2 mount, without slashes.
    pub mount: String,
    /// The secret path template, holding `{class}` and `{env}`.
    pub path: String,
    /// The environments the store serves.
    pub environments: Vec<String>,
    /// Whether token files stay a lower layer below the store.
    pub files: bool,
    /// The `[store]` table in the spec source, for diagnostics.
    pub span: Range<usize>,
}

impl StoreSpec {
    /// The loader's and the store client's view of this table: the one
    /// conversion (the CLI calls it at run time, codegen emits its fields).
    pub fn to_def(&self) -> StoreDef {
        StoreDef {
            kind: self.kind,
            address: self.address.clone().map(Cow::Owned),
            mount: Cow::Owned(self.mount.clone()),
            path: Cow::Owned(self.path.clone()),
            environments: Cow::Owned(self.environments.iter().cloned().map(Cow::Owned).collect()),
            files: self.files,
        }
    }

    /// The secret (below the mount) holding `class`'s tokens in `env`.
    pub fn secret_path(&self, class: Class, env: &str) -> String {
        self.path
            .replace(CLASS_PLACEHOLDER, class.as_str())
            .replace(ENV_PLACEHOLDER, env)
    }

    /// Whether the store serves `env`.
    pub fn serves(&self, env: &str) -> bool {
        self.environments.iter().any(|e| e == env)
    }
}

/// Committed templates every project may have: empty or placeholder values only.
pub const DEFAULT_TEMPLATES: &[&str] = &[".env.example", ".env.sample", ".env.template"];

impl Spec {
    /// Every committed template name: the defaults, then the spec's, each once.
    pub fn template_names(&self) -> Vec<String> {
        let mut names: Vec<String> = DEFAULT_TEMPLATES.iter().map(|t| (*t).to_owned()).collect();
        for t in &self.templates {
            if !names.contains(t) {
                names.push(t.clone());
            }
        }
        names
    }

    /// Whether `name` (relative to the root) is a committed template.
    pub fn is_template(&self, name: &str) -> bool {
        DEFAULT_TEMPLATES.contains(&name) || self.templates.iter().any(|t| t == name)
    }
}

/// Per-class settings, from `[class.cicd]` / `[class.runtime]` or the defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassInfo {
    pub class: Class,
    pub owner: String,
    pub rotation_days: Option<u32>,
    pub description: String,
}

impl ClassInfo {
    pub fn default_for(class: Class) -> Self {
        match class {
            Class::Cicd => ClassInfo {
                class,
                owner: "DevOps / Infrastructure".into(),
                rotation_days: None,
                description: "CI/CD automation tokens for pipelines and automation scripts".into(),
            },
            Class::Runtime => ClassInfo {
                class,
                owner: "Development".into(),
                rotation_days: None,
                description: "Application runtime tokens for services".into(),
            },
        }
    }
}

/// One `[[token]]` with defaults applied.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub name: String,
    pub class: Class,
    pub description: String,
    pub required: Required,
    pub format: Format,
    pub ci_value: String,
    pub owner: String,
    pub rotation_days: Option<u32>,
    pub scopes: Vec<String>,
    pub deprecated: Option<Deprecation>,
    /// Other variable names it may arrive under in the process environment.
    pub aliases: Vec<String>,
    /// `workflows`: the workflow file names or globs (under
    /// `.github/workflows/`) that may use it; `None` is the class's default
    /// (a cicd token any workflow, a runtime token none).
    pub workflows: Option<Vec<String>>,
    /// `identity`: the GitHub login (user or `name[bot]`) the token must belong to.
    pub identity: Option<String>,
    /// Byte span of the `[[token]]` table, for diagnostics.
    pub span: Range<usize>,
    /// Byte span of the `name` value.
    pub name_span: Range<usize>,
    /// Byte span of `ci_value` when given, else of the table.
    pub ci_value_span: Range<usize>,
}

impl Token {
    /// The default safe CI value: `ci_test_<name in lowercase>`.
    pub fn default_ci_value(name: &str) -> String {
        tokenspec_core::format::default_ci_value(name)
    }

    /// The loader's view of this token.
    pub fn to_def(&self) -> TokenDef {
        TokenDef {
            name: Cow::Owned(self.name.clone()),
            class: self.class,
            description: Cow::Owned(self.description.clone()),
            required: self.required.clone(),
            format: self.format.clone(),
            ci_value: Cow::Owned(self.ci_value.clone()),
            deprecated: self.deprecated.clone(),
            aliases: Cow::Owned(self.aliases.iter().cloned().map(Cow::Owned).collect()),
        }
    }

    /// The loader's view of this token, borrowing its text: for a spec
    /// kept to the end of the process, as the command line tool keeps it
    /// (at 100k tokens, copying every name and description was a third of
    /// the allocations of `export`).
    pub fn borrowed_def(&'static self) -> TokenDef {
        TokenDef {
            name: Cow::Borrowed(&self.name),
            class: self.class,
            description: Cow::Borrowed(&self.description),
            required: self.required.clone(),
            format: self.format.clone(),
            ci_value: Cow::Borrowed(&self.ci_value),
            deprecated: self.deprecated.clone(),
            aliases: Cow::Owned(
                self.aliases
                    .iter()
                    .map(|a| Cow::Borrowed(a.as_str()))
                    .collect(),
            ),
        }
    }

    /// Whether the workflow file `file_name` (a name under
    /// `.github/workflows/`) may reference this token.
    pub fn allows_workflow(&self, file_name: &str) -> bool {
        match &self.workflows {
            None => self.class == Class::Cicd,
            Some(globs) => globs.iter().any(|g| glob_matches(g, file_name)),
        }
    }

    /// Whether `name` is this token's name or one of its aliases.
    pub fn answers_to(&self, name: &str) -> bool {
        self.name == name || self.aliases.iter().any(|a| a == name)
    }

    /// The field name in generated structs: the name in snake_case.
    pub fn field_name(&self) -> String {
        self.name.to_ascii_lowercase()
    }

    /// Where it is required, for people: "always", "never", "prod, ci".
    pub fn required_text(&self) -> String {
        match &self.required {
            Required::Always => "always".into(),
            Required::Never => "never".into(),
            Required::In(envs) => envs.join(", "),
        }
    }
}

impl Spec {
    pub fn class(&self, class: Class) -> &ClassInfo {
        self.classes
            .iter()
            .find(|c| c.class == class)
            .expect("every class has settings")
    }

    pub fn tokens_of(&self, class: Class) -> impl Iterator<Item = &Token> {
        self.tokens.iter().filter(move |t| t.class == class)
    }

    /// `env_from` as the loader takes it.
    pub fn env_from(&self) -> Vec<&str> {
        self.env_from.iter().map(String::as_str).collect()
    }

    pub fn token(&self, name: &str) -> Option<&Token> {
        self.tokens.iter().find(|t| t.name == name)
    }

    /// Loader definitions of the tokens of `class`, or all when `None`.
    pub fn defs(&self, class: Option<Class>) -> Vec<TokenDef> {
        self.tokens
            .iter()
            .filter(|t| class.is_none_or(|c| t.class == c))
            .map(Token::to_def)
            .collect()
    }

    /// [`Spec::defs`] borrowing the text of a spec kept to the end of the process.
    pub fn borrowed_defs(&'static self, class: Option<Class>) -> Vec<TokenDef> {
        let of_class = |t: &&Token| class.is_none_or(|c| t.class == c);
        // Sized exactly: growing by doubling left up to half of it unused.
        let mut defs = Vec::with_capacity(self.tokens.iter().filter(of_class).count());
        defs.extend(self.tokens.iter().filter(of_class).map(Token::borrowed_def));
        defs
    }
}
