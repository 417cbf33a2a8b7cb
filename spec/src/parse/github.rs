//! The optional `[github]` table (repository-wide workflow policy and the
//! repository's GitHub settings) and the per-token `workflows` and
//! `identity` keys.

use toml::de::DeValue;
use toml::Spanned;

use super::{type_name, Cx, Val};
use crate::diagnostic::Diagnostic;
use crate::model::{DefaultToken, GithubSpec};

pub const GITHUB_KEYS: &[&str] = &[
    "default_token",
    "default_token_workflows",
    "repository",
    "environments",
];

/// Longest GitHub deployment environment name GitHub accepts.
const MAX_GITHUB_ENV: usize = 255;

impl Cx<'_> {
    pub(super) fn github(
        &mut self,
        v: Option<&Val<'_>>,
        environments: &[Spanned<String>],
    ) -> GithubSpec {
        let Some(v) = v else {
            return GithubSpec::default();
        };
        let DeValue::Table(t) = v.get_ref() else {
            self.err(
                Diagnostic::new(
                    format!("`github` must be a table, found {}", type_name(v.get_ref())),
                    v.span(),
                )
                .help("write it as a `[github]` table"),
            );
            return GithubSpec::default();
        };
        self.unknown_keys(t, GITHUB_KEYS, "[github]");
        let default_token = match t.get("default_token") {
            None => DefaultToken::Allow,
            Some(d) => match self.string(d, "default_token") {
                Some(s) => DefaultToken::parse(s).unwrap_or_else(|| {
                    self.err(
                        Diagnostic::new(format!("unknown `default_token` policy `{s}`"), d.span())
                            .help("policies are `allow` (the default) and `forbid`"),
                    );
                    DefaultToken::Allow
                }),
                None => DefaultToken::Allow,
            },
        };
        let default_token_workflows = match t.get("default_token_workflows") {
            None => Vec::new(),
            Some(w) => {
                let globs = self.workflow_globs(w, "default_token_workflows");
                if default_token != DefaultToken::Forbid {
                    self.err(
                        Diagnostic::new(
                            "`default_token_workflows` names exceptions to a forbid policy, but the default token is allowed",
                            w.span(),
                        )
                        .help("add `default_token = \"forbid\"`, or remove `default_token_workflows`"),
                    );
                }
                globs.unwrap_or_default()
            }
        };
        let repository = t.get("repository").and_then(|r| {
            let s = self.string(r, "repository")?;
            if is_repository(s) {
                Some(s.to_owned())
            } else {
                self.err(
                    Diagnostic::new(format!("`{s}` is not a GitHub repository"), r.span())
                        .help("write it as `owner/name`, e.g. `repository = \"octo-org/deploy\"`"),
                );
                None
            }
        });
        let environments = t
            .get("environments")
            .map(|e| self.github_environments(e, environments))
            .unwrap_or_default();
        GithubSpec {
            default_token,
            default_token_workflows,
            repository,
            environments,
            span: Some(v.span()),
        }
    }

    /// `environments = { prod = "production" }`: spec environment → GitHub
    /// deployment environment.
    fn github_environments(
        &mut self,
        v: &Val<'_>,
        known: &[Spanned<String>],
    ) -> Vec<(String, String)> {
        let DeValue::Table(t) = v.get_ref() else {
            self.err(
                Diagnostic::new(
                    format!(
                        "`[github] environments` must be a table, found {}",
                        type_name(v.get_ref())
                    ),
                    v.span(),
                )
                .help("map spec environments to GitHub deployment environments, e.g. `environments = { prod = \"production\" }`"),
            );
            return Vec::new();
        };
        let known: Vec<&str> = known.iter().map(|e| e.get_ref().as_str()).collect();
        let mut out = Vec::new();
        for (k, gv) in t.iter() {
            let env: &str = k.get_ref();
            let mut ok = true;
            if !known.contains(&env) {
                self.err(
                    Diagnostic::new(
                        format!("unknown environment `{env}` in `[github] environments`"),
                        k.span(),
                    )
                    .help(format!("environments are: {}", known.join(", "))),
                );
                ok = false;
            }
            let Some(name) = self.string(gv, "environments") else {
                continue;
            };
            let bad = name.is_empty()
                || name.len() > MAX_GITHUB_ENV
                || name.trim() != name
                || name.chars().any(char::is_control);
            if bad {
                self.err(
                    Diagnostic::new(
                        format!("`{name}` is not a GitHub deployment environment name"),
                        gv.span(),
                    )
                    .help("name it as GitHub shows it: 1 to 255 characters, no control characters, no spaces at either end"),
                );
                ok = false;
            }
            if ok {
                out.push((env.to_owned(), name.to_owned()));
            }
        }
        out
    }

    /// `workflows = ["deploy.yml", "release-*.yml"]`: workflow file names
    /// or globs (`*`, `?`) under `.github/workflows/`.
    pub(super) fn workflow_globs(&mut self, v: &Val<'_>, key: &str) -> Option<Vec<String>> {
        let globs = self.string_array(v, key)?;
        let mut out = Vec::new();
        let mut ok = true;
        for g in globs {
            let s = g.get_ref();
            let problem = if s.is_empty() {
                Some("an empty workflow name".to_owned())
            } else if let Some(rest) = s.strip_prefix(".github/workflows/") {
                Some(format!("name the file without its folder: `{rest}`"))
            } else if s.contains('/') || s.contains('\\') {
                Some("a workflow is a file directly in `.github/workflows/`".to_owned())
            } else if s == "." || s == ".." {
                Some("not a file name".to_owned())
            } else if s
                .chars()
                .any(|c| matches!(c, '[' | ']' | '{' | '}' | '!') || c.is_control())
            {
                Some("only the wildcards `*` and `?` are supported".to_owned())
            } else {
                None
            };
            match problem {
                Some(help) => {
                    self.err(
                        Diagnostic::new(
                            format!("`{s}` in `{key}` is not a workflow file name or glob"),
                            g.span(),
                        )
                        .help(format!(
                            "{help}; e.g. `{key} = [\"deploy.yml\", \"release-*.yml\"]`"
                        )),
                    );
                    ok = false;
                }
                None => {
                    if !out.contains(s) {
                        out.push(s.clone());
                    }
                }
            }
        }
        ok.then_some(out)
    }

    /// `identity = "login"`: a GitHub user or bot login.
    pub(super) fn identity(&mut self, v: &Val<'_>) -> Option<String> {
        let s = self.string(v, "identity")?;
        if is_login(s) {
            Some(s.to_owned())
        } else {
            self.err(
                Diagnostic::new(format!("`{s}` is not a GitHub login"), v.span()).help(
                    "name the user or bot the token belongs to, e.g. `identity = \"deploy-bot\"` or `identity = \"my-app[bot]\"`",
                ),
            );
            None
        }
    }
}

/// A GitHub login: letters, digits and `-`, 1 to 39 characters, not
/// starting with `-`; a GitHub App's bot user ends in `[bot]`.
pub fn is_login(s: &str) -> bool {
    let user = s.strip_suffix("[bot]").unwrap_or(s);
    (1..=39).contains(&user.len())
        && !user.starts_with('-')
        && user.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// `owner/name`: an owner as a login, a name of letters, digits, `.`, `-`
/// and `_` (not `.` or `..`), up to 100 characters.
pub fn is_repository(s: &str) -> bool {
    let Some((owner, name)) = s.split_once('/') else {
        return false;
    };
    !owner.ends_with("[bot]")
        && is_login(owner)
        && (1..=100).contains(&name.len())
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

#[cfg(test)]
mod tests {
    use crate::model::{glob_matches, DefaultToken};
    use crate::Spec;

    const TOKEN: &str = "[[token]]\nname = \"A_TOKEN\"\nclass = \"cicd\"\ndescription = \"d\"\n";

    fn parse(src: &str) -> Result<Spec, String> {
        Spec::parse(src, "token-spec.toml").map_err(|d| d.to_string())
    }

    #[test]
    fn defaults_allow_the_default_token() {
        let spec = parse(TOKEN).unwrap();
        assert_eq!(spec.github.default_token, DefaultToken::Allow);
        assert!(spec.github.allows_default_token("any.yml"));
        assert_eq!(spec.tokens[0].workflows, None);
        assert!(spec.tokens[0].allows_workflow("any.yml"));
    }

    #[test]
    fn a_full_github_table() {
        let spec = parse(&format!(
            "environments = [\"dev\", \"staging\", \"prod\", \"ci\"]\n[github]\ndefault_token = \"forbid\"\ndefault_token_workflows = [\"release.yml\", \"auto-*.yml\"]\nrepository = \"octo-org/deploy.rs\"\nenvironments = {{ prod = \"production\", staging = \"staging\" }}\n{TOKEN}workflows = [\"deploy.yml\", \"release-?.yml\"]\nidentity = \"deploy-bot[bot]\"\n[[token]]\nname = \"R\"\nclass = \"runtime\"\ndescription = \"d\"\n"
        ))
        .unwrap();
        let g = &spec.github;
        assert_eq!(g.default_token, DefaultToken::Forbid);
        assert!(g.allows_default_token("auto-merge.yml"));
        assert!(g.allows_default_token("release.yml"));
        assert!(!g.allows_default_token("ci.yml"));
        assert_eq!(g.repository.as_deref(), Some("octo-org/deploy.rs"));
        assert_eq!(g.environment("prod"), Some("production"));
        assert_eq!(g.environment("dev"), None);
        let t = &spec.tokens[0];
        assert_eq!(t.identity.as_deref(), Some("deploy-bot[bot]"));
        assert!(t.allows_workflow("deploy.yml") && t.allows_workflow("release-1.yml"));
        assert!(!t.allows_workflow("release-12.yml"));
        assert!(
            !spec.tokens[1].allows_workflow("deploy.yml"),
            "runtime: none"
        );
    }

    #[test]
    fn an_empty_list_means_no_workflow() {
        let spec = parse(&format!("{TOKEN}workflows = []\n")).unwrap();
        assert_eq!(spec.tokens[0].workflows.as_deref(), Some(&[][..]));
        assert!(!spec.tokens[0].allows_workflow("ci.yml"));
    }

    #[test]
    fn bad_values_at_their_line_and_column() {
        let e = parse(&format!(
            "[github]\ndefault_token = \"deny\"\nrepository = \"octo\"\nenvironments = {{ qa = \"QA\", prod = \"\" }}\nrepo = 1\n{TOKEN}workflows = [\".github/workflows/a.yml\", \"x/y.yml\", \"[ab].yml\"]\nidentity = \"not a login\"\n"
        ))
        .unwrap_err();
        for expected in [
            "unknown `default_token` policy `deny`\n --> token-spec.toml:2:17",
            "help: policies are `allow` (the default) and `forbid`",
            "`octo` is not a GitHub repository\n --> token-spec.toml:3:14",
            "unknown environment `qa` in `[github] environments`\n --> token-spec.toml:4:18",
            "`` is not a GitHub deployment environment name\n --> token-spec.toml:4:36",
            "unknown key `repo` in [github]\n --> token-spec.toml:5:1",
            "help: [github] keys are: default_token, default_token_workflows, repository, environments",
            "`.github/workflows/a.yml` in `workflows` is not a workflow file name or glob\n  --> token-spec.toml:10:14",
            "help: name the file without its folder: `a.yml`",
            "`x/y.yml` in `workflows` is not a workflow file name or glob\n  --> token-spec.toml:10:41",
            "`[ab].yml` in `workflows` is not a workflow file name or glob\n  --> token-spec.toml:10:52",
            "`not a login` is not a GitHub login\n  --> token-spec.toml:11:12",
        ] {
            assert!(e.contains(expected), "{expected}\n---\n{e}");
        }
    }

    #[test]
    fn exceptions_need_a_forbid_policy() {
        let e = parse("[github]\ndefault_token_workflows = [\"a.yml\"]\n").unwrap_err();
        assert!(
            e.contains("`default_token_workflows` names exceptions to a forbid policy, but the default token is allowed\n --> token-spec.toml:2:27"),
            "{e}"
        );
    }

    #[test]
    fn globs() {
        for (g, n, m) in [
            ("*.yml", "a.yml", true),
            ("*.yml", "a.yaml", false),
            ("a*b*c", "aXbYbZc", true),
            ("a*b*c", "aXbYbZ", false),
            ("?", "é", true),
            ("", "", true),
            ("*", "", true),
            ("deploy.yml", "deploy.yml", true),
            ("deploy.yml", "deploy.yml.bak", false),
        ] {
            assert_eq!(glob_matches(g, n), m, "{g} {n}");
        }
    }
}
