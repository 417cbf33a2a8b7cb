//! The `rotation` rule: a token in the store, or a GitHub secret, whose
//! value last changed longer ago than its `rotation_days`. `tokenspec
//! verify` reads the change times (this crate links no HTTP client) and
//! hands them in.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use tokenspec_core::Class;
use tokenspec_spec::Spec;

use super::{Finding, Rule};

const DAY: u64 = 24 * 60 * 60;

/// One class's secret in one environment, as read from the store, or the
/// secrets of a GitHub repository or deployment environment.
pub struct StoredSecret<'a> {
    pub class: Class,
    pub env: &'a str,
    /// How reports name it, e.g. `openbao secret/myproject/cicd/prod` or
    /// `GitHub repository owner/name`.
    pub label: &'a str,
    /// When each token the secret holds last changed, by name.
    pub changed: &'a HashMap<String, SystemTime>,
    /// The command that writes a new value, e.g. `tokenspec --env prod push --type=cicd`.
    pub push: &'a str,
}

/// A warning for each of the secret's tokens older than its `rotation_days`,
/// naming its owner.
pub fn findings(spec: &Spec, secret: &StoredSecret<'_>, now: SystemTime) -> Vec<Finding> {
    let mut found = Vec::new();
    for token in spec.tokens_of(secret.class) {
        let (Some(days), Some(changed)) = (token.rotation_days, secret.changed.get(&token.name))
        else {
            continue;
        };
        let age = now.duration_since(*changed).unwrap_or(Duration::ZERO);
        if age <= Duration::from_secs(u64::from(days) * DAY) {
            continue;
        }
        found.push(
            Finding::warning(
                Rule::Rotation,
                format!(
                    "{} in {} ({}) last changed on {} ({} days ago), more than its rotation_days ({days})",
                    token.name,
                    secret.label,
                    secret.env,
                    date(*changed),
                    age.as_secs() / DAY
                ),
            )
            .help(format!(
                "{} (owner: {}) should rotate it, then `{}`",
                token.name, token.owner, secret.push
            )),
        );
    }
    found
}

/// The UTC calendar date of `t`, `YYYY-MM-DD`.
pub fn date(t: SystemTime) -> String {
    let days = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / DAY) as i64;
    let (year, month, day) = crate::migrate::write::civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tokens_older_than_their_rotation_days_warn_naming_the_owner() {
        let spec = Spec::parse(
            "[class.cicd]\nowner = \"Platform team\"\nrotation_days = 30\n\
             [[token]]\nname = \"OLD\"\nclass = \"cicd\"\ndescription = \"d\"\n\
             [[token]]\nname = \"FRESH\"\nclass = \"cicd\"\ndescription = \"d\"\n\
             [[token]]\nname = \"NEVER\"\nclass = \"cicd\"\ndescription = \"d\"\nrotation_days = 1\n",
            "token-spec.toml",
        )
        .unwrap();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1000 * DAY);
        let changed: HashMap<String, SystemTime> = [
            ("OLD".to_owned(), now - Duration::from_secs(31 * DAY)),
            ("FRESH".to_owned(), now - Duration::from_secs(29 * DAY)),
        ]
        .into_iter()
        .collect();
        let secret = StoredSecret {
            class: Class::Cicd,
            env: "prod",
            label: "openbao secret/p/cicd/prod",
            changed: &changed,
            push: "tokenspec --env prod push --type=cicd",
        };
        let found = findings(&spec, &secret, now);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].message,
            "OLD in openbao secret/p/cicd/prod (prod) last changed on 1972-08-27 (31 days ago), more than its rotation_days (30)"
        );
        assert!(
            found[0].help.contains("(owner: Platform team)"),
            "{}",
            found[0].help
        );
    }

    #[test]
    fn dates_are_the_utc_calendar_day() {
        let at = |secs| date(SystemTime::UNIX_EPOCH + Duration::from_secs(secs));
        assert_eq!(at(0), "1970-01-01");
        assert_eq!(at(951_782_400), "2000-02-29");
        assert_eq!(at(1_767_225_599), "2025-12-31");
        assert_eq!(at(1_767_225_600), "2026-01-01");
    }
}
