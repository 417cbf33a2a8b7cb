//! What the issuers and GitHub said, held against the spec: one [`Row`]
//! per token and the [`Finding`]s (`check`'s shape) for `tokenspec verify`.
//! Pure: no request is made here.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, SystemTime};

use tokenspec_repo::audit::rotation::{self, StoredSecret};
use tokenspec_repo::audit::{Finding, Rule, Severity};
use tokenspec_spec::{Spec, Token};

use crate::github::SecretInfo;
use crate::{rfc3339, Answer, Issuer, Status};

/// A token expiring within this time is a warning.
pub const EXPIRY_WARNING: Duration = Duration::from_secs(14 * DAY);

const DAY: u64 = 24 * 60 * 60;

/// One line of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub name: String,
    pub issuer: Option<Issuer>,
    pub status: Status,
    /// What the issuer reported.
    pub identity: Option<String>,
    pub scopes_missing: Vec<String>,
    pub scopes_extra: Vec<String>,
    pub expires_at: Option<SystemTime>,
    pub owner: String,
    pub message: Option<String>,
}

/// The spec's declared identity for `token`.
fn declared_identity(token: &Token) -> Option<&str> {
    token.identity.as_deref()
}

/// `token`'s row and findings, from what its issuer said at `now`.
pub fn judge(
    token: &Token,
    issuer: Option<Issuer>,
    answer: &Answer,
    now: SystemTime,
) -> (Row, Vec<Finding>) {
    let name = &token.name;
    let owner = &token.owner;
    let mut found = Vec::new();
    let mut row = Row {
        name: name.clone(),
        issuer,
        status: answer.status,
        identity: answer.identity.clone(),
        scopes_missing: Vec::new(),
        scopes_extra: Vec::new(),
        expires_at: answer.expires_at,
        owner: owner.clone(),
        message: answer.message.clone(),
    };
    let why = answer.message.as_deref().unwrap_or("");
    match answer.status {
        Status::NotVerifiable => return (row, found),
        Status::Error => {
            found.push(
                Finding::error(Rule::Unverified, format!("{name} could not be verified: {}", why.trim_start_matches("could not verify: ")))
                    .help("nothing is known about this token; run `tokenspec verify` again once the issuer answers"),
            );
            return (row, found);
        }
        Status::Invalid => {
            found.push(
                Finding::error(Rule::Invalid, format!("{name} is invalid: {why}")).help(format!(
                    "{owner} (owner) should issue a new token and replace the value"
                )),
            );
            return (row, found);
        }
        Status::Expired => found.push(
            Finding::error(Rule::Expiry, format!("{name} has expired: {why}")).help(format!(
                "{owner} (owner) should issue a new token and replace the value"
            )),
        ),
        Status::Valid => {}
    }

    if let Some(declared) = declared_identity(token) {
        match &answer.identity {
            Some(actual) if actual.eq_ignore_ascii_case(declared) => {}
            Some(actual) => found.push(
                Finding::error(
                    Rule::Identity,
                    format!("{name} belongs to `{actual}`, but the spec's identity is `{declared}`"),
                )
                .help(format!(
                    "{owner} (owner) should replace it with a token of `{declared}`, or correct `identity` in the spec"
                )),
            ),
            None => found.push(
                Finding::warning(
                    Rule::Identity,
                    format!("{name}: the issuer reported no identity to compare with `{declared}`"),
                )
                .help("check the token's owner by hand"),
            ),
        }
    }

    if let Some(scopes) = &answer.scopes {
        let declared: Vec<&str> = token.scopes.iter().map(String::as_str).collect();
        row.scopes_missing = declared
            .iter()
            .filter(|d| !scopes.iter().any(|s| covers(s, d)))
            .map(|d| (*d).to_owned())
            .collect();
        row.scopes_extra = scopes
            .iter()
            .filter(|s| !declared.iter().any(|d| covers(d, s)))
            .cloned()
            .collect();
        if !row.scopes_missing.is_empty() {
            found.push(
                Finding::error(
                    Rule::Scopes,
                    format!(
                        "{name} lacks the declared scope{} {}: it cannot do its job",
                        plural(row.scopes_missing.len()),
                        row.scopes_missing.join(", ")
                    ),
                )
                .help(format!("{owner} (owner) should add them to the token")),
            );
        }
        if !row.scopes_extra.is_empty() {
            found.push(
                Finding::warning(
                    Rule::Scopes,
                    format!(
                        "{name} has undeclared scope{} {}: its blast radius is larger than the spec says",
                        plural(row.scopes_extra.len()),
                        row.scopes_extra.join(", ")
                    ),
                )
                .help(format!(
                    "{owner} (owner) should remove them from the token, or declare them in `scopes`"
                )),
            );
        }
    }

    if answer.status == Status::Valid {
        let rotation = token
            .rotation_days
            .map(|d| Duration::from_secs(u64::from(d) * DAY));
        match (answer.expires_at, rotation) {
            (Some(at), _) if at <= now + EXPIRY_WARNING => found.push(
                Finding::warning(
                    Rule::Expiry,
                    format!(
                        "{name} expires on {} (in {} days)",
                        rfc3339(at),
                        at.duration_since(now).unwrap_or_default().as_secs() / DAY
                    ),
                )
                .help(format!("{owner} (owner) should rotate it before then")),
            ),
            (Some(at), Some(period)) if at > now + period => found.push(
                Finding::warning(
                    Rule::Expiry,
                    format!(
                        "{name} expires on {}, after its rotation_days ({})",
                        rfc3339(at),
                        period.as_secs() / DAY
                    ),
                )
                .help(format!(
                    "{owner} (owner) should give the next token an expiry within its rotation period"
                )),
            ),
            (None, Some(period)) if reports_expiry(issuer) => found.push(
                Finding::warning(
                    Rule::Expiry,
                    format!(
                        "{name} never expires, but its rotation_days is {}",
                        period.as_secs() / DAY
                    ),
                )
                .help(format!(
                    "{owner} (owner) should give the next token an expiry within its rotation period"
                )),
            ),
            _ => {}
        }
    }
    (row, found)
}

/// Issuers that report an expiry when the token has one.
fn reports_expiry(issuer: Option<Issuer>) -> bool {
    matches!(
        issuer,
        Some(Issuer::GitHub | Issuer::Cloudflare | Issuer::Jwt)
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Whether GitHub OAuth scope `held` grants `wanted`: the same scope, or
/// one GitHub documents as included in it (`repo` includes `repo:status`,
/// `admin:org` includes `write:org` and `read:org`, `user` includes
/// `user:email`, …).
pub fn covers(held: &str, wanted: &str) -> bool {
    if held == wanted {
        return true;
    }
    match held {
        "repo" => matches!(
            wanted,
            "repo:status" | "repo_deployment" | "public_repo" | "repo:invite" | "security_events"
        ),
        "user" => matches!(wanted, "read:user" | "user:email" | "user:follow"),
        "project" => wanted == "read:project",
        "workflow" => false,
        _ => {
            if let Some(rest) = held.strip_prefix("admin:") {
                wanted.strip_prefix("write:") == Some(rest)
                    || wanted.strip_prefix("read:") == Some(rest)
            } else if let Some(rest) = held.strip_prefix("write:") {
                wanted.strip_prefix("read:") == Some(rest)
            } else {
                false
            }
        }
    }
}

/// Where a workflow uses a token: `.github/workflows/x.yml` and line, and
/// the secret name it reads there (the token's name or an alias).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Use {
    pub file: String,
    pub line: Option<usize>,
    pub secret: String,
}

/// The secrets of one place on GitHub: the repository, or a deployment
/// environment with the spec environment mapped to it.
pub struct Listed<'a> {
    /// `GitHub repository owner/name` or `GitHub environment production of owner/name`.
    pub label: String,
    /// The spec environment whose tokens go there (the mapping's key), or the
    /// selected environment for the repository.
    pub env: &'a str,
    pub secrets: Vec<SecretInfo>,
}

/// GitHub's side against the spec: `github-missing-secret` for each token a
/// workflow uses that no listed place holds, `github-unknown-secret` for
/// each listed secret the spec does not know, and `rotation` for each
/// listed secret older than its token's `rotation_days`.
pub fn github_findings(
    spec: &Spec,
    used: &BTreeMap<String, Vec<Use>>,
    listed: &[Listed<'_>],
    now: SystemTime,
) -> Vec<Finding> {
    let mut found = Vec::new();
    let held: HashSet<String> = listed
        .iter()
        .flat_map(|l| l.secrets.iter().map(|s| s.name.to_ascii_uppercase()))
        .collect();
    let places = listed
        .iter()
        .map(|l| l.label.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    for (name, uses) in used {
        let Some(token) = spec.token(name) else {
            continue;
        };
        for u in uses {
            if held.contains(&u.secret.to_ascii_uppercase()) {
                continue;
            }
            let shown = if u.secret.eq_ignore_ascii_case(name) {
                name.clone()
            } else {
                format!("{} (alias of {name})", u.secret)
            };
            let mut finding = Finding::error(
                Rule::GithubMissingSecret,
                format!(
                    "{shown} is used here but is not a GitHub secret ({places}): the workflow will fail"
                ),
            )
            .help(format!(
                "{} (owner) should set it: `tokenspec --env ENV push --to github --type={}`",
                token.owner, token.class
            ));
            finding = finding.at(u.file.clone(), u.line);
            found.push(finding);
        }
    }
    let known: HashSet<String> = spec
        .tokens
        .iter()
        .flat_map(|t| std::iter::once(&t.name).chain(&t.aliases))
        .map(|n| n.to_ascii_uppercase())
        .collect();
    for place in listed {
        for secret in &place.secrets {
            if !known.contains(&secret.name.to_ascii_uppercase()) {
                found.push(
                    Finding::warning(
                        Rule::GithubUnknownSecret,
                        format!(
                            "{} in {} is not in the spec",
                            secret.name, place.label
                        ),
                    )
                    .help("add it to token-spec.toml with its owner and rotation, or delete the secret on GitHub"),
                );
            }
        }
        let changed: HashMap<String, SystemTime> = place
            .secrets
            .iter()
            .filter_map(|s| {
                let token = spec.token(&s.name)?;
                Some((token.name.clone(), s.updated_at?))
            })
            .collect();
        for class in tokenspec_core::Class::ALL {
            let push = format!(
                "tokenspec --env {} push --to github --type={class}",
                place.env
            );
            found.extend(rotation::findings(
                spec,
                &StoredSecret {
                    class,
                    env: place.env,
                    label: &place.label,
                    changed: &changed,
                    push: &push,
                },
                now,
            ));
        }
    }
    found
}

/// The exit code's view of the findings: 1 for a definite problem (invalid,
/// expired, wrong identity, missing scope, missing secret), else 2 when a
/// token could not be verified, else 0.
pub fn exit_code(findings: &[Finding]) -> i32 {
    let errors = findings.iter().filter(|f| f.severity == Severity::Error);
    let mut unverified = false;
    for f in errors {
        if f.rule == Rule::Unverified {
            unverified = true;
        } else {
            return 1;
        }
    }
    if unverified {
        2
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY_SECS: u64 = 86_400;

    fn spec(extra: &str) -> Spec {
        Spec::parse(
            &format!(
                "[class.cicd]\nowner = \"Ops\"\n[[token]]\nname = \"T\"\nclass = \"cicd\"\ndescription = \"d\"\nformat = \"github_pat\"\n{extra}"
            ),
            "token-spec.toml",
        )
        .unwrap()
    }

    fn valid(expires_in_days: Option<u64>, now: SystemTime) -> Answer {
        Answer {
            status: Status::Valid,
            identity: Some("bot".into()),
            scopes: Some(vec!["repo".into()]),
            fine_grained: false,
            expires_at: expires_in_days.map(|d| now + Duration::from_secs(d * DAY_SECS)),
            message: None,
        }
    }

    fn rules(found: &[Finding]) -> Vec<(Severity, Rule)> {
        found.iter().map(|f| (f.severity, f.rule)).collect()
    }

    #[test]
    fn expiry_warns_near_the_end_and_past_the_rotation_period() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(20_000 * DAY_SECS);
        let s = spec("scopes = [\"repo\"]\nrotation_days = 30\n");
        let t = &s.tokens[0];
        let judge_in = |days| judge(t, Some(Issuer::GitHub), &valid(days, now), now).1;
        assert_eq!(rules(&judge_in(Some(20))), []);
        assert_eq!(
            rules(&judge_in(Some(13))),
            [(Severity::Warning, Rule::Expiry)]
        );
        let late = judge_in(Some(31));
        assert_eq!(rules(&late), [(Severity::Warning, Rule::Expiry)]);
        assert!(
            late[0].message.ends_with("after its rotation_days (30)"),
            "{late:?}"
        );
        let never = judge_in(None);
        assert_eq!(
            never[0].message,
            "T never expires, but its rotation_days is 30"
        );
        assert!(never[0].help.starts_with("Ops (owner)"));
        // Discord reports no expiry at all: nothing to say.
        let (_, found) = judge(t, Some(Issuer::Discord), &valid(None, now), now);
        assert_eq!(rules(&found), []);
    }

    #[test]
    fn identity_compares_without_case_and_an_unknown_one_is_a_warning() {
        let now = SystemTime::UNIX_EPOCH;
        let s = spec("scopes = [\"repo\"]\nidentity = \"Bot\"\n");
        let t = &s.tokens[0];
        assert_eq!(
            rules(&judge(t, Some(Issuer::GitHub), &valid(None, now), now).1),
            []
        );
        let mut anonymous = valid(None, now);
        anonymous.identity = None;
        assert_eq!(
            rules(&judge(t, Some(Issuer::GitHub), &anonymous, now).1),
            [(Severity::Warning, Rule::Identity)]
        );
    }

    #[test]
    fn the_exit_code_puts_a_definite_problem_before_an_unknown() {
        let unverified = Finding::error(Rule::Unverified, "x");
        let invalid = Finding::error(Rule::Invalid, "x");
        let warning = Finding::warning(Rule::Scopes, "x");
        assert_eq!(exit_code(std::slice::from_ref(&warning)), 0);
        assert_eq!(exit_code(&[warning, unverified.clone()]), 2);
        assert_eq!(exit_code(&[unverified, invalid]), 1);
    }

    #[test]
    fn broader_scopes_cover_narrower_ones() {
        assert!(covers("repo", "repo:status"));
        assert!(covers("admin:org", "read:org"));
        assert!(covers("write:packages", "read:packages"));
        assert!(!covers("read:org", "admin:org"));
        assert!(!covers("repo", "workflow"));
    }
}
