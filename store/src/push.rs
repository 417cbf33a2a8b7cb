//! Planning a push: what the files hold against what the secret holds.
//! Pure: the caller reads, this decides, the caller writes with check-and-set.

use std::collections::BTreeMap;
use std::time::SystemTime;

use tokenspec_core::Secret;

use crate::client::{Metadata, SecretData, CHANGED_KEY_PREFIX};

/// What a push does to one token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// Not in the secret yet.
    New,
    /// In the secret with another value.
    Changed,
    /// Already holds this value.
    Unchanged,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::New => "new",
            Change::Changed => "changed",
            Change::Unchanged => "unchanged",
        }
    }
}

/// The write a push makes. `Debug` shows names, never values.
#[derive(Clone, Debug)]
pub struct PushPlan {
    /// Each desired token and what happens to it, by name.
    pub changes: BTreeMap<String, Change>,
    /// The check-and-set version: the version read, 0 when the secret does not exist.
    pub cas: u64,
    /// The secret's full new content: the desired values over every key it already had.
    pub values: BTreeMap<String, Secret>,
    /// Non-string keys already in the secret, kept as they are.
    pub other: BTreeMap<String, Secret>,
    /// The new `custom_metadata`: the old one, with a change time for each new or changed token.
    pub custom_metadata: BTreeMap<String, String>,
}

impl PushPlan {
    /// Whether anything needs writing.
    pub fn writes(&self) -> bool {
        self.changes.values().any(|c| *c != Change::Unchanged)
    }
}

/// Plans writing `desired` (token name → value from the files) over the
/// secret's `current` content (`None`: it does not exist). Keys not in
/// `desired` are kept; nothing is deleted. `now` stamps the changed tokens.
pub fn plan(
    current: Option<&SecretData>,
    metadata: Option<&Metadata>,
    desired: &BTreeMap<String, Secret>,
    now: SystemTime,
) -> PushPlan {
    let empty = SecretData::default();
    let current_data = current.filter(|c| !c.deleted).unwrap_or(&empty);
    let cas = current
        .map(|c| c.version)
        .or(metadata.map(|m| m.current_version))
        .unwrap_or(0);

    let mut values = current_data.values.clone();
    let mut other = current_data.other.clone();
    let mut custom_metadata = metadata
        .map(|m| m.custom_metadata.clone())
        .unwrap_or_default();
    let stamp = humantime::format_rfc3339_seconds(now).to_string();
    let mut changes = BTreeMap::new();
    for (name, value) in desired {
        let change = match current_data.values.get(name) {
            Some(old) if old.expose_secret() == value.expose_secret() => Change::Unchanged,
            Some(_) => Change::Changed,
            None if current_data.other.contains_key(name) => Change::Changed,
            None => Change::New,
        };
        if change != Change::Unchanged {
            other.remove(name);
            values.insert(name.clone(), value.clone());
            custom_metadata.insert(format!("{CHANGED_KEY_PREFIX}{name}"), stamp.clone());
        }
        changes.insert(name.clone(), change);
    }
    PushPlan {
        changes,
        cas,
        values,
        other,
        custom_metadata,
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    fn secrets(pairs: &[(&str, &str)]) -> BTreeMap<String, Secret> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Secret::new(*v)))
            .collect()
    }

    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_780_000_000)
    }

    #[test]
    fn a_missing_secret_is_created_with_cas_zero() {
        let p = plan(None, None, &secrets(&[("A", "1"), ("B", "2")]), now());
        assert_eq!(p.cas, 0);
        assert!(p.changes.values().all(|c| *c == Change::New));
        assert_eq!(p.values.len(), 2);
        assert_eq!(
            p.custom_metadata["tokenspec_changed_A"],
            "2026-05-28T20:26:40Z"
        );
        assert!(p.writes());
    }

    #[test]
    fn other_keys_are_kept_and_only_changes_are_stamped() {
        let current = SecretData {
            version: 7,
            values: secrets(&[("A", "1"), ("B", "old"), ("KEEP", "k")]),
            other: secrets(&[("N", "5")]),
            deleted: false,
        };
        let meta = Metadata {
            current_version: 7,
            updated_time: None,
            custom_metadata: [
                (
                    "tokenspec_changed_A".to_owned(),
                    "2020-01-01T00:00:00Z".to_owned(),
                ),
                ("owner".to_owned(), "ops".to_owned()),
            ]
            .into_iter()
            .collect(),
        };
        let p = plan(
            Some(&current),
            Some(&meta),
            &secrets(&[("A", "1"), ("B", "new"), ("C", "3")]),
            now(),
        );
        assert_eq!(p.cas, 7);
        let changes: Vec<_> = p.changes.iter().map(|(k, c)| (k.as_str(), *c)).collect();
        assert_eq!(
            changes,
            [
                ("A", Change::Unchanged),
                ("B", Change::Changed),
                ("C", Change::New)
            ]
        );
        let keys: Vec<_> = p.values.keys().map(String::as_str).collect();
        assert_eq!(keys, ["A", "B", "C", "KEEP"]);
        assert_eq!(p.values["B"].expose_secret(), "new");
        assert_eq!(p.other["N"].expose_secret(), "5");
        assert_eq!(
            p.custom_metadata["tokenspec_changed_A"],
            "2020-01-01T00:00:00Z"
        );
        assert_eq!(p.custom_metadata["owner"], "ops");
        assert!(
            p.custom_metadata.contains_key("tokenspec_changed_B")
                && p.custom_metadata.contains_key("tokenspec_changed_C")
        );
        assert!(!format!("{p:?}").contains("new\""));
    }

    #[test]
    fn nothing_to_write_when_all_unchanged_and_a_deleted_version_counts_for_cas() {
        let current = SecretData {
            version: 2,
            values: secrets(&[("A", "1")]),
            ..SecretData::default()
        };
        assert!(!plan(Some(&current), None, &secrets(&[("A", "1")]), now()).writes());
        let deleted = SecretData {
            version: 4,
            deleted: true,
            values: secrets(&[("A", "1")]),
            ..SecretData::default()
        };
        let p = plan(Some(&deleted), None, &secrets(&[("A", "1")]), now());
        assert_eq!((p.cas, p.changes["A"]), (4, Change::New));
    }
}
