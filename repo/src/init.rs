//! A starter `token-spec.toml` from a repository's existing `.env*` and
//! `.tokens*` files: the logic behind `tokenspec init`.
//!
//! Pure: file names and texts in, the spec text and one [`Guess`] per
//! token out. Only key names and fixed words reach the spec; a value is
//! read to judge its shape and then dropped, so no value can end up in the
//! spec or in a message built from a guess.
//!
//! The rules, in order:
//! - a key is a token when its name reads like a secret (`*_TOKEN`,
//!   `*_SECRET`, `*_KEY` but not `*_KEY_ID` or `*_PUBLIC_KEY`,
//!   `*_PASSWORD`, `*_PAT`, …) or any of its values has a known secret
//!   shape ([`looks_like_secret`], a built-in format, a URL with a
//!   password); everything else is an ordinary setting and stays out;
//! - the format is the first built-in one that every value that counts
//!   matches: not empty, not a placeholder, not from a committed file
//!   (`.env.ci`, `.env.example`, …), which holds made-up values;
//! - the class is cicd for a key found in a `.tokens*` file, else follows
//!   the format (a GitHub token is cicd; Discord, JWT and Cloudflare shapes
//!   are runtime), else runtime marked for review;
//! - a secret the workflows reference (`${{ secrets.NAME }}`) is a token
//!   too: when no file has it, a cicd one marked for review; each token's
//!   `workflows` lists the workflows that use it today (when the repository
//!   has any); `GITHUB_TOKEN`, the token GitHub gives every run, never is one.

use std::fmt::Write as _;

use crate::render::schema;
use tokenspec_core::def::{is_env_name, CI_ENV};
use tokenspec_core::dotenv;
use tokenspec_core::env::DEFAULT_ENV_FROM;
use tokenspec_core::format::{is_placeholder, looks_like_secret};
use tokenspec_core::{Class, Format};
use tokenspec_spec::model::DEFAULT_ENVIRONMENTS;

use crate::audit::files::is_backup;

/// Suffixes of committed example files (`.env.example`): their values are
/// made up, and they name no environment.
const TEMPLATE_SUFFIXES: &[&str] = &["example", "sample", "template", "dist", "defaults"];

/// One file to read: its name as shown in messages (`.env`, `config/app.env`)
/// and its text.
#[derive(Clone)] // Debug by hand: never print `text`
pub struct Source {
    pub name: String,
    pub text: String,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("name", &self.name)
            .field("text", &format_args!("<redacted>"))
            .finish()
    }
}

/// What `init` guessed for one token. Holds names and fixed words only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guess {
    pub name: String,
    pub class: Class,
    /// A built-in format name; `None` leaves the spec's default (`any`).
    pub format: Option<&'static str>,
    /// Why the key was taken and why this class and format, e.g.
    /// "name ends in _TOKEN; value: a GitHub token".
    pub why: String,
    /// Set when the class is a guess someone should confirm; the text says why.
    pub review: Option<String>,
    /// The files the key was found in, in reading order.
    pub files: Vec<String>,
    /// The workflows that use it, when the repository has workflows.
    pub workflows: Option<Vec<String>>,
}

/// What the workflows reference: each secret (but the default token) and
/// the workflow file names using it, and where the default token is used.
#[derive(Clone, Debug, Default)]
pub struct WorkflowSecrets {
    /// Whether the repository has a `.github/workflows/` folder.
    pub present: bool,
    /// Secret name (as GitHub stores it, upper case) → workflow file names, sorted.
    pub secrets: Vec<(String, Vec<String>)>,
    /// The workflows that use `GITHUB_TOKEN` / `github.token`.
    pub default_token: Vec<String>,
}

impl WorkflowSecrets {
    /// From the workflow inventory.
    pub fn of(inv: &crate::workflows::Inventory) -> Self {
        let mut out = WorkflowSecrets {
            present: inv.present,
            ..WorkflowSecrets::default()
        };
        // A name the spec's `workflows` could not hold (`[a].yml`) is left out.
        let listable = |n: &str| {
            !n.chars()
                .any(|c| matches!(c, '[' | ']' | '{' | '}' | '!' | '\\') || c.is_control())
        };
        for w in inv.workflows.iter().filter(|w| listable(&w.name)) {
            for r in &w.references {
                let name = r.name.to_ascii_uppercase();
                let list = if name == crate::workflows::DEFAULT_TOKEN {
                    &mut out.default_token
                } else {
                    let at = match out.secrets.iter().position(|(n, _)| *n == name) {
                        Some(at) => at,
                        None => {
                            out.secrets.push((name, Vec::new()));
                            out.secrets.len() - 1
                        }
                    };
                    &mut out.secrets[at].1
                };
                if !list.contains(&w.name) {
                    list.push(w.name.clone());
                }
            }
        }
        for (_, files) in &mut out.secrets {
            files.sort();
        }
        out.default_token.sort();
        out
    }

    fn uses(&self, name: &str) -> Option<&[String]> {
        self.secrets
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, w)| w.as_slice())
    }
}

/// The starter spec and what went into it.
#[derive(Clone, Debug)]
pub struct Starter {
    /// The whole `token-spec.toml`.
    pub text: String,
    /// One per token, in spec order (cicd first, then runtime; each in the
    /// order first seen).
    pub guesses: Vec<Guess>,
    pub environments: Vec<String>,
    /// Things left out or unreadable, for the user (names and lines only).
    pub notes: Vec<String>,
}

/// Whether a file name at the root is one `init` reads by default: `.env`,
/// `.env.*`, `.tokens`, `.tokens.*`, templates included, backups not.
pub fn is_source_name(name: &str) -> bool {
    Class::of_file(name).is_some() && !is_backup(name)
}

/// How a file's name says to treat it.
struct FileRole {
    class: Option<Class>,
    /// Committed with made-up values: a CI file or a template.
    committed: bool,
    /// The environment its suffix names, if any.
    env: Option<String>,
}

fn role(display_name: &str) -> FileRole {
    let base = display_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(display_name);
    let class = Class::of_file(base);
    let suffix = class.and_then(|c| base[c.base_file().len()..].strip_prefix('.'));
    let template = suffix.is_some_and(|s| {
        s.split('.')
            .any(|part| TEMPLATE_SUFFIXES.contains(&part.to_ascii_lowercase().as_str()))
    });
    let env = suffix
        .filter(|s| !template && tokenspec_core::env::is_valid_env_name(s))
        .map(tokenspec_core::env::normalize_env);
    FileRole {
        class,
        committed: template || env.as_deref() == Some("ci"),
        env,
    }
}

/// Everything seen of one key across the files.
struct Seen {
    name: String,
    files: Vec<String>,
    in_tokens_file: bool,
    in_env_file: bool,
    /// Values that say something about the format (real, not placeholders).
    evidence: Vec<String>,
    /// The first secret shape seen in any value (committed files included).
    shape: Option<&'static str>,
}

/// Builds the starter spec from `sources`.
pub fn starter(sources: &[Source]) -> Starter {
    starter_with(sources, &WorkflowSecrets::default())
}

/// Builds the starter spec from `sources` and what the workflows reference.
pub fn starter_with(sources: &[Source], workflows: &WorkflowSecrets) -> Starter {
    let mut seen: Vec<Seen> = Vec::new();
    let mut notes = Vec::new();
    let mut environments: Vec<String> =
        DEFAULT_ENVIRONMENTS.iter().map(|e| e.to_string()).collect();
    // A committed CI file that sets APP_ENV means CI jobs run with APP_ENV
    // set (often `development`) and still expect the CI files.
    let mut ci_sets_app_env = false;
    for source in sources {
        let role = role(&source.name);
        if let Some(env) = &role.env {
            if !environments.contains(env) {
                environments.push(env.clone());
            }
        }
        let shown = source.name.escape_debug().to_string();
        let doc = dotenv::parse(&source.text);
        if role.env.as_deref() == Some(CI_ENV) && doc.entries.iter().any(|e| e.key == "APP_ENV") {
            ci_sets_app_env = true;
        }
        for e in &doc.errors {
            notes.push(format!(
                "{} line {}: {}; the line was skipped",
                shown, e.line, e.message
            ));
        }
        for entry in &doc.entries {
            if !is_env_name(&entry.key) {
                // The key is not echoed: a line this malformed may hold a
                // value where the key should be (`postgres://u:pw@h=1`).
                notes.push(format!(
                    "{} line {}: the key is not a valid environment variable name; left out",
                    shown, entry.line
                ));
                continue;
            }
            if looks_like_secret(&entry.key).is_some() {
                // A value pasted where the key belongs: never into the spec.
                notes.push(format!(
                    "{} line {}: the key looks like a secret value, not a name; left out",
                    shown, entry.line
                ));
                continue;
            }
            let i = match seen.iter().position(|s| s.name == entry.key) {
                Some(i) => i,
                None => {
                    seen.push(Seen {
                        name: entry.key.clone(),
                        files: Vec::new(),
                        in_tokens_file: false,
                        in_env_file: false,
                        evidence: Vec::new(),
                        shape: None,
                    });
                    seen.len() - 1
                }
            };
            let s = &mut seen[i];
            if !s.files.contains(&source.name) {
                s.files.push(source.name.clone());
            }
            match role.class {
                Some(Class::Cicd) => s.in_tokens_file = true,
                Some(Class::Runtime) => s.in_env_file = true,
                None => {}
            }
            let value = entry.value.trim();
            if s.shape.is_none() {
                s.shape = value_shape(value);
            }
            if !role.committed && !value.is_empty() && !is_placeholder(value, "") {
                s.evidence.push(value.to_owned());
            }
        }
    }
    let mut guesses: Vec<Guess> = Vec::new();
    for s in &seen {
        if s.name.eq_ignore_ascii_case(crate::workflows::DEFAULT_TOKEN) {
            notes.push(format!(
                "{} is the token GitHub gives every workflow run, not one of the repository's; left out",
                crate::workflows::DEFAULT_TOKEN
            ));
            continue;
        }
        let used = workflows.uses(&s.name);
        let mut g = match (guess(s), used) {
            (Some(g), _) => g,
            // A GitHub secret is a secret, whatever its name says.
            (None, Some(_)) => Guess {
                name: s.name.clone(),
                class: if s.in_tokens_file {
                    Class::Cicd
                } else {
                    Class::Runtime
                },
                format: None,
                why: "used as a GitHub secret in .github/workflows".to_owned(),
                review: (!s.in_tokens_file).then(|| {
                    "class guessed; a GitHub secret in a .env file: cicd if only pipelines use it"
                        .to_owned()
                }),
                files: s.files.clone(),
                workflows: None,
            },
            (None, None) => continue,
        };
        if workflows.present {
            g.workflows = Some(used.unwrap_or(&[]).to_vec());
            if used.is_some() && !g.why.contains("GitHub secret") {
                g.why.push_str("; used in .github/workflows");
            }
        }
        guesses.push(g);
    }
    // Secrets that exist only on GitHub.
    for (name, used) in &workflows.secrets {
        if seen.iter().any(|s| s.name.eq_ignore_ascii_case(name)) {
            continue;
        }
        if !is_env_name(name) || looks_like_secret(name).is_some() {
            notes.push(
                "a secret in .github/workflows has a name that looks like a value or is not a variable name; left out"
                    .to_owned(),
            );
            continue;
        }
        guesses.push(Guess {
            name: name.clone(),
            class: Class::Cicd,
            format: None,
            why: "used as a GitHub secret in .github/workflows; no token file has it".to_owned(),
            review: Some(
                "only a GitHub secret: cicd by default, runtime if a service reads it".to_owned(),
            ),
            files: Vec::new(),
            workflows: Some(used.clone()),
        });
    }
    // Stable: cicd first, each class in the order first seen.
    guesses.sort_by_key(|g| g.class);
    let text = render(&guesses, &environments, ci_sets_app_env, sources, workflows);
    Starter {
        text,
        guesses,
        environments,
        notes,
    }
}

/// Why a value has a known secret shape, or `None`.
fn value_shape(value: &str) -> Option<&'static str> {
    // Before the entropy test, which a URL with a password also passes.
    if has_url_password(value) {
        return Some("a URL with a password");
    }
    if let Some(kind) = looks_like_secret(value) {
        return Some(kind);
    }
    if Format::CloudflareTunnelToken.matches(value) {
        return Some("a Cloudflare tunnel token");
    }
    None
}

/// `scheme://user:password@host…` with a password that is not a placeholder.
fn has_url_password(value: &str) -> bool {
    let Some((_, rest)) = value.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let Some((userinfo, _host)) = authority.rsplit_once('@') else {
        return false;
    };
    userinfo
        .split_once(':')
        .is_some_and(|(_, password)| !password.is_empty() && !is_placeholder(password, ""))
}

/// Words a secret's name ends with (its last `_` segment).
const SECRET_WORDS: &[&str] = &[
    "TOKEN",
    "SECRET",
    "KEY",
    "PASSWORD",
    "PASSWD",
    "PWD",
    "PASS",
    "PAT",
    "PASSPHRASE",
    "CREDENTIAL",
    "CREDENTIALS",
    "CREDS",
    "JWT",
    "APIKEY",
    "AUTHTOKEN",
    "APITOKEN",
    "ACCESSKEY",
    "SECRETKEY",
];

/// Segments that may follow a secret word and keep it a secret
/// (`SECRET_KEY_BASE`, `SIGNING_KEY_B64`).
const SECRET_TAILS: &[&str] = &["BASE", "B64", "BASE64", "HEX", "VALUE"];

/// Segments before `KEY` that make it something published, not a secret.
const PUBLIC_WORDS: &[&str] = &["PUBLIC", "PUB", "PUBLISHABLE"];

/// The secret word a name ends with, as written in the WHY column
/// (`_TOKEN`), or `None` for an ordinary setting (`APP_ENV`, `AWS_KEY_ID`).
fn secret_name(name: &str) -> Option<String> {
    let upper = name.to_ascii_uppercase();
    let parts: Vec<&str> = upper.split('_').filter(|p| !p.is_empty()).collect();
    let mut end = parts.len();
    while end > 1 && SECRET_TAILS.contains(&parts[end - 1]) {
        end -= 1;
    }
    let word = *parts.get(end.checked_sub(1)?)?;
    let secret = SECRET_WORDS.contains(&word)
        || word.ends_with("TOKEN")
        || word.ends_with("SECRET")
        || word.ends_with("PASSWORD");
    if !secret {
        return None;
    }
    if word == "KEY" && end >= 2 && PUBLIC_WORDS.contains(&parts[end - 2]) {
        return None;
    }
    Some(if parts.len() == 1 {
        word.to_owned()
    } else {
        format!("_{}", parts[end - 1..].join("_"))
    })
}

/// Built-in formats tried in order, most telling first. The two that are
/// only "long base64url" count only when the name names their issuer.
fn format_candidates(name: &str) -> Vec<Format> {
    let upper = name.to_ascii_uppercase();
    let mut candidates = vec![
        Format::GithubPat,
        Format::Jwt,
        Format::DiscordBotToken,
        Format::CloudflareTunnelToken,
        Format::Uuid,
    ];
    if upper.contains("DISCORD") {
        candidates.push(Format::DiscordClientSecret);
    }
    if upper.starts_with("CF_") || upper.contains("CLOUDFLARE") {
        candidates.push(Format::CloudflareApiToken);
    }
    candidates
}

fn describe_format(f: &Format) -> &'static str {
    match f {
        Format::GithubPat => "a GitHub token",
        Format::Jwt => "a JWT",
        Format::DiscordBotToken => "a Discord bot token",
        Format::DiscordClientSecret => "a Discord client secret",
        Format::CloudflareApiToken => "a Cloudflare API token",
        Format::CloudflareTunnelToken => "a Cloudflare tunnel token",
        Format::Uuid => "a UUID",
        Format::Any | Format::Regex(_) => "any value",
    }
}

fn guess(s: &Seen) -> Option<Guess> {
    let by_name = secret_name(&s.name);
    if by_name.is_none() && s.shape.is_none() {
        return None;
    }
    let format = if s.evidence.is_empty() {
        None
    } else {
        format_candidates(&s.name)
            .into_iter()
            .find(|f| s.evidence.iter().all(|v| f.matches(v)))
    };
    let mut why = Vec::new();
    match &by_name {
        Some(word) if word.starts_with('_') => why.push(format!("name ends in {word}")),
        Some(word) => why.push(format!("name is {word}")),
        None => {}
    }
    match (&format, s.shape) {
        (Some(f), _) if s.evidence.len() == 1 => {
            why.push(format!("value is {}", describe_format(f)));
        }
        (Some(f), _) => why.push(format!(
            "all {} values are {}",
            s.evidence.len(),
            describe_format(f)
        )),
        (None, Some(shape)) => why.push(format!("a value looks like {shape}")),
        (None, None) if s.evidence.is_empty() => why.push("no real value to judge".to_owned()),
        (None, None) => why.push("no known value shape".to_owned()),
    }
    let shaped_class = match &format {
        Some(Format::GithubPat) => Some(Class::Cicd),
        Some(
            Format::Jwt
            | Format::DiscordBotToken
            | Format::DiscordClientSecret
            | Format::CloudflareApiToken
            | Format::CloudflareTunnelToken,
        ) => Some(Class::Runtime),
        _ => None,
    };
    let (class, review) = if s.in_tokens_file {
        why.push("found in a .tokens file".to_owned());
        let review = if s.in_env_file {
            Some("class guessed from the .tokens file; the key is in a .env file too".to_owned())
        } else if shaped_class == Some(Class::Runtime) {
            Some(
                "class taken from the .tokens file, though the value has a runtime shape"
                    .to_owned(),
            )
        } else {
            None
        };
        (Class::Cicd, review)
    } else if let Some(class) = shaped_class {
        (class, None)
    } else {
        (
            Class::Runtime,
            Some(
                "class guessed (no telling value shape); cicd if only pipelines and scripts use it"
                    .to_owned(),
            ),
        )
    };
    Some(Guess {
        name: s.name.clone(),
        class,
        format: format.as_ref().and_then(Format::as_builtin).map(|b| b.name),
        why: why.join("; "),
        review,
        files: s.files.clone(),
        workflows: None,
    })
}

fn render(
    guesses: &[Guess],
    environments: &[String],
    ci_sets_app_env: bool,
    sources: &[Source],
    workflows: &WorkflowSecrets,
) -> String {
    let mut out = String::new();
    // Escaped: a file name may hold a newline, which would end the comment.
    let files: Vec<String> = sources
        .iter()
        .map(|s| s.name.escape_debug().to_string())
        .collect();
    let mut read = if files.is_empty() {
        "no token files".to_owned()
    } else {
        files.join(", ")
    };
    if workflows.present {
        read.push_str(" and .github/workflows");
    }
    // `writeln!` into a String cannot fail.
    let _ = writeln!(out, "#:schema ./{}", schema::PATH);
    let _ = writeln!(
        out,
        "# The secret tokens of this repository, one [[token]] each.\n\
         # Started by `tokenspec init` from {read}: names only, no value was copied.\n\
         # Fill in each description, check each class and format (lines marked\n\
         # `review:`), then run `tokenspec gen` and commit what it writes.\n"
    );
    let envs: Vec<String> = environments.iter().map(|e| format!("\"{e}\"")).collect();
    let _ = writeln!(out, "version = 1\nenvironments = [{}]", envs.join(", "));
    let (env_from, why) = if ci_sets_app_env {
        (
            &["CI", "APP_ENV"][..],
            "# CI first: the committed .env.ci sets APP_ENV, so CI jobs run with APP_ENV\n\
             # set and expect the CI files; deploy jobs then pass --env (or TOKENSPEC_ENV).",
        )
    } else {
        (
            DEFAULT_ENV_FROM,
            "# APP_ENV first: a deploy job on a CI runner with APP_ENV=production reads\n\
             # the production files instead of the committed CI test values.",
        )
    };
    let quoted: Vec<String> = env_from.iter().map(|v| format!("\"{v}\"")).collect();
    let _ = writeln!(
        out,
        "# The variables that choose the environment after --env and TOKENSPEC_ENV,\n\
         # first one on wins.\n{why}\nenv_from = [{}]",
        quoted.join(", ")
    );
    if !workflows.default_token.is_empty() {
        let quoted: Vec<String> = workflows
            .default_token
            .iter()
            .map(|n| toml_string(n))
            .collect();
        let _ = writeln!(
            out,
            "\n# The workflows use GitHub's default token (GITHUB_TOKEN, github.token) in\n\
             # {}. To forbid it everywhere else:\n\
             #\n\
             # [github]\n\
             # default_token = \"forbid\"\n\
             # default_token_workflows = [{}]",
            workflows.default_token.join(", ").escape_debug(),
            quoted.join(", ")
        );
    }
    if guesses.is_empty() {
        let _ = writeln!(
            out,
            "\n# No secret-looking key was found. Add one [[token]] per secret:\n\
             #\n\
             # [[token]]\n\
             # name = \"MY_TOKEN\"\n\
             # class = \"runtime\"   # or \"cicd\"\n\
             # description = \"What MY_TOKEN is for\""
        );
    }
    for class in Class::ALL {
        let mut first = true;
        for g in guesses.iter().filter(|g| g.class == class) {
            if first {
                let heading = match class {
                    Class::Cicd => "CI/CD automation tokens (.tokens*)",
                    Class::Runtime => "Application runtime tokens (.env*)",
                };
                let _ = writeln!(out, "\n# --- {heading} {}", "-".repeat(70 - heading.len()));
                first = false;
            }
            let _ = writeln!(out, "\n[[token]]\nname = \"{}\"", g.name);
            if let Some(review) = &g.review {
                let _ = writeln!(out, "# review: {review}");
            }
            let _ = writeln!(out, "class = \"{}\"", class.as_str());
            let _ = writeln!(out, "# TODO: fill in the description");
            let _ = writeln!(out, "description = \"TODO: what {} is for\"", g.name);
            if let Some(f) = g.format {
                let _ = writeln!(out, "format = \"{f}\"");
            }
            if let Some(w) = &g.workflows {
                let quoted: Vec<String> = w.iter().map(|n| toml_string(n)).collect();
                let _ = writeln!(out, "workflows = [{}]", quoted.join(", "));
            }
        }
    }
    out
}

/// `s` as a TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_from_puts_ci_first_when_the_committed_ci_file_sets_app_env() {
        let spec_of = |files: &[Source]| parsed(&starter(files)).env_from;
        let plain = [src(".env", "GH_TOKEN=x\n")];
        assert_eq!(spec_of(&plain), DEFAULT_ENV_FROM);
        let ci = [
            src(".env", "GH_TOKEN=x\n"),
            src(".env.ci", "APP_ENV=development\nGH_TOKEN=ci_test_gh\n"),
        ];
        assert_eq!(spec_of(&ci), ["CI", "APP_ENV"]);
    }
    use proptest::prelude::*;
    use tokenspec_spec::Spec;

    // Realistic shapes, not real tokens.
    const GH: &str = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
    const DISCORD: &str = "MTA4NzY1NDMyMTA5ODc2NTQz.GhT5xQ.abcdEFGHijklMNOPqrstUVWXyz0123456789ab";
    const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    const RANDOM: &str = "q8Zr2Lw0Xk5Vn7Tb3Hs9Pd1Mf4";

    fn src(name: &str, text: &str) -> Source {
        Source {
            name: name.to_owned(),
            text: text.to_owned(),
        }
    }

    fn parsed(s: &Starter) -> Spec {
        Spec::parse(&s.text, "token-spec.toml").unwrap_or_else(|d| panic!("{d}\n{}", s.text))
    }

    fn find<'a>(s: &'a Starter, name: &str) -> &'a Guess {
        s.guesses
            .iter()
            .find(|g| g.name == name)
            .unwrap_or_else(|| panic!("no guess for {name}: {:?}", s.guesses))
    }

    #[test]
    fn names_that_read_like_secrets() {
        for n in [
            "AAR_TOKEN",
            "APP_SECRET",
            "STRIPE_KEY",
            "DB_PASSWORD",
            "GH_PAT",
            "OPENAI_API_KEY",
            "OAUTH_CLIENT_SECRET",
            "SIGNING_PRIVATE_KEY",
            "SECRET_KEY_BASE",
            "NGROK_AUTHTOKEN",
            "TOKEN",
            "smtp_password",
        ] {
            assert!(secret_name(n).is_some(), "{n}");
        }
        for n in [
            "APP_ENV",
            "PORT",
            "LOG_LEVEL",
            "DATABASE_URL",
            "AWS_ACCESS_KEY_ID",
            "JWT_PUBLIC_KEY",
            "STRIPE_PUBLISHABLE_KEY",
            "TOKEN_URL",
            "KEYCLOAK_REALM",
            "PASSWORD_MIN_LENGTH",
        ] {
            assert!(secret_name(n).is_none(), "{n}");
        }
        assert_eq!(secret_name("OPENAI_API_KEY").as_deref(), Some("_KEY"));
        assert_eq!(secret_name("SECRET_KEY_BASE").as_deref(), Some("_KEY_BASE"));
    }

    #[test]
    fn mixed_env_gives_classes_and_formats_from_shapes() {
        let env = format!(
            "APP_ENV=development\nPORT=8080\nLOG_LEVEL=debug\nDATABASE_URL=postgres://localhost/app\n\
             GH_TOKEN={GH}\nDISCORD_BOT_TOKEN={DISCORD}\nBOT_JWT={JWT}\nSTRIPE_KEY={RANDOM}\n\
             SESSION_SECRET=CHANGE_ME_session\nAWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"
        );
        let s = starter(&[src(".env", &env)]);
        let names: Vec<&str> = s.guesses.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "GH_TOKEN",
                "DISCORD_BOT_TOKEN",
                "BOT_JWT",
                "STRIPE_KEY",
                "SESSION_SECRET",
                "AWS_ACCESS_KEY_ID"
            ]
        );
        let gh = find(&s, "GH_TOKEN");
        assert_eq!((gh.class, gh.format), (Class::Cicd, Some("github_pat")));
        assert!(gh.review.is_none());
        let d = find(&s, "DISCORD_BOT_TOKEN");
        assert_eq!(
            (d.class, d.format),
            (Class::Runtime, Some("discord_bot_token"))
        );
        let j = find(&s, "BOT_JWT");
        assert_eq!((j.class, j.format), (Class::Runtime, Some("jwt")));
        let k = find(&s, "STRIPE_KEY");
        assert_eq!((k.class, k.format), (Class::Runtime, None));
        assert!(k.review.as_deref().unwrap().contains("class guessed"));
        let p = find(&s, "SESSION_SECRET");
        assert_eq!(p.format, None);
        assert!(p.why.contains("no real value"), "{}", p.why);
        // Taken by its value's shape alone.
        let a = find(&s, "AWS_ACCESS_KEY_ID");
        assert!(a.why.contains("AWS access key"), "{}", a.why);

        let spec = parsed(&s);
        assert_eq!(spec.tokens.len(), 6);
        assert!(s.text.starts_with("#:schema ./token-spec.schema.json\n"));
        assert!(s.text.contains("# review: class guessed"));
        for v in [
            GH,
            DISCORD,
            JWT,
            RANDOM,
            "AKIAIOSFODNN7EXAMPLE",
            "CHANGE_ME_session",
        ] {
            assert!(!s.text.contains(v), "{v} in spec");
            assert!(!format!("{:?}", s.guesses).contains(v), "{v} in guesses");
        }
    }

    #[test]
    fn tokens_files_make_cicd_and_envs_come_from_suffixes() {
        let s = starter(&[
            src(".env.staging", &format!("BOT_JWT={JWT}\n")),
            src(".tokens", &format!("DEPLOY_KEY={RANDOM}\nBOT_JWT={JWT}\n")),
            src(".env.example", "DEPLOY_KEY=your-key\nOTHER_TOKEN=\n"),
        ]);
        assert_eq!(s.environments, ["dev", "prod", "ci", "staging"]);
        let d = find(&s, "DEPLOY_KEY");
        assert_eq!(d.class, Class::Cicd);
        assert!(d.why.contains(".tokens"), "{}", d.why);
        let j = find(&s, "BOT_JWT");
        assert_eq!((j.class, j.format), (Class::Cicd, Some("jwt")));
        assert!(j.review.is_some());
        // A template's made-up value is no evidence against a format.
        assert_eq!(find(&s, "OTHER_TOKEN").format, None);
        assert_eq!(parsed(&s).environments, s.environments);
    }

    #[test]
    fn format_only_when_every_real_value_matches() {
        let s = starter(&[
            src(".env", &format!("GH_TOKEN={GH}\n")),
            src(".env.prod", "GH_TOKEN=not-a-github-token-but-long\n"),
            src(".env.dev", "GH_TOKEN=gh_token_here\n"),
        ]);
        let g = find(&s, "GH_TOKEN");
        assert_eq!(g.format, None);
        assert_eq!(g.class, Class::Runtime);
        let s = starter(&[
            src(".env", &format!("GH_TOKEN={GH}\n")),
            src(".env.dev", "GH_TOKEN=gh_token_here\n"),
            src(".env.ci", "GH_TOKEN=ci_values_are_made_up\n"),
        ]);
        assert_eq!(find(&s, "GH_TOKEN").format, Some("github_pat"));
        parsed(&s);
    }

    #[test]
    fn cloudflare_and_discord_secrets_need_their_issuers_name() {
        let long = "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3hJ5kL7nP9"; // 42 base64url
        let s = starter(&[src(
            ".env",
            &format!("CF_DNS_API_TOKEN={long}\nDISCORD_CLIENT_SECRET={long}\nOTHER_TOKEN={long}\n"),
        )]);
        assert_eq!(
            find(&s, "CF_DNS_API_TOKEN").format,
            Some("cloudflare_api_token")
        );
        assert_eq!(
            find(&s, "DISCORD_CLIENT_SECRET").format,
            Some("discord_client_secret")
        );
        assert_eq!(find(&s, "CF_DNS_API_TOKEN").class, Class::Runtime);
        assert!(find(&s, "CF_DNS_API_TOKEN").review.is_none());
        assert_eq!(find(&s, "OTHER_TOKEN").format, None);
        parsed(&s);
    }

    #[test]
    fn url_with_password_is_a_secret_and_without_is_a_setting() {
        let s = starter(&[src(
            ".env",
            "DATABASE_URL=postgres://app:Pw0rd-Zq81@db/app\nCACHE_URL=redis://cache:6379\nREPLICA_URL=postgres://app:CHANGE_ME@db/app\n",
        )]);
        let names: Vec<&str> = s.guesses.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["DATABASE_URL"]);
        assert!(
            s.guesses[0].why.contains("a URL with a password"),
            "{}",
            s.guesses[0].why
        );
        assert!(!s.text.contains("Pw0rd"));
        parsed(&s);
    }

    #[test]
    fn nothing_found_still_parses_and_bad_names_are_noted() {
        let s = starter(&[src(
            ".env",
            "PORT=1\nfoo.bar_token=x\npostgres://u:Pw0rd-Zq81@h=1\nnot a line\n",
        )]);
        assert!(s.guesses.is_empty());
        assert!(
            s.notes
                .iter()
                .any(|n| n.starts_with(".env line 2: the key is not")),
            "{:?}",
            s.notes
        );
        assert!(!format!("{:?}", s.notes).contains("Pw0rd"), "{:?}", s.notes);
        let pasted = format!("{GH}=1\n");
        let s = starter(&[src(".env", &pasted)]);
        assert!(s.guesses.is_empty() && !s.text.contains(GH));
        assert!(
            s.notes[0].contains("looks like a secret value"),
            "{:?}",
            s.notes
        );
        parsed(&s);
        let s = starter(&[]);
        assert!(s.text.contains("no token files"));
        parsed(&s);
    }

    #[test]
    fn a_file_name_cannot_break_out_of_its_comment() {
        let s = starter(&[src(".env.x\nversion = 2", "A_TOKEN=x\n")]);
        assert!(s.text.contains(".env.x\\nversion = 2"), "{}", s.text);
        assert_eq!(parsed(&s).tokens.len(), 1);
    }

    #[test]
    fn default_source_names() {
        for n in [".env", ".env.prod", ".env.example", ".tokens", ".tokens.ci"] {
            assert!(is_source_name(n), "{n}");
        }
        for n in [
            ".envrc",
            ".env.bak",
            ".env~",
            "env",
            ".tokensx",
            "token-spec.toml",
        ] {
            assert!(!is_source_name(n), "{n}");
        }
    }

    fn key() -> impl Strategy<Value = String> {
        (
            "[A-Z][A-Z0-9]{0,8}",
            prop::sample::select(vec![
                "TOKEN", "SECRET", "KEY", "PORT", "URL", "PASSWORD", "ID",
            ]),
        )
            .prop_map(|(a, b)| format!("{a}_{b}"))
    }

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            // Random-looking text; lowercase-led so it cannot be a key name.
            "[a-z][a-zA-Z0-9]{15,40}",
            "[a-z0-9]{16,30}\\.[a-zA-Z0-9_-]{6}\\.[a-zA-Z0-9_-]{27,40}",
            "ghp_[a-zA-Z0-9]{36}",
            "eyJ[a-zA-Z0-9_-]{10,30}\\.[a-zA-Z0-9_-]{10,30}\\.[a-zA-Z0-9_-]{10,30}",
            "[a-z]{3,8}://[a-z]{3,8}:[a-zA-Z0-9]{12,20}@[a-z]{3,8}/[a-z]{2,6}",
        ]
    }

    proptest! {
        /// No value of any input ever appears in the spec or in a guess,
        /// and the spec always passes validation.
        #[test]
        fn no_value_reaches_the_output(
            files in prop::collection::vec(
                (
                    prop::sample::select(vec![".env", ".env.prod", ".tokens", ".tokens.dev", ".env.example", ".env.ci"]),
                    prop::collection::vec((key(), value()), 0..8),
                ),
                1..4,
            )
        ) {
            let sources: Vec<Source> = files
                .iter()
                .map(|(name, entries)| Source {
                    name: (*name).to_owned(),
                    text: entries
                        .iter()
                        .map(|(k, v)| {
                            // And the value where a key should be.
                            format!("{k}='{v}'\n{v}=1\n")
                        })
                        .collect(),
                })
                .collect();
            let s = starter(&sources);
            let guesses = format!("{:?}{:?}", s.guesses, s.notes);
            for (_, entries) in &files {
                for (_, v) in entries {
                    prop_assert!(!s.text.contains(v.as_str()), "value in spec:\n{}", s.text);
                    prop_assert!(!guesses.contains(v.as_str()), "value in guesses: {}", guesses);
                }
            }
            prop_assert!(Spec::parse(&s.text, "token-spec.toml").is_ok(), "{}", s.text);
        }
    }
}
