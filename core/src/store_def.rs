//! The spec's `[store]` table as plain data: which OpenBao/Vault server,
//! which KV v2 mount, and the path each class and environment lives at.
//!
//! Like [`crate::TokenDef`], the fields are `Cow<'static, …>` so the macro
//! can emit a `static` and the command line tool can build one from a parsed
//! spec. Nothing here talks to a server; `tokenspec-store` does.

use std::borrow::Cow;
use std::fmt;

use crate::Class;

/// Which product serves the HTTP API. Both speak the same API; the kind
/// decides which environment variables are read first (`BAO_*` for OpenBao,
/// `VAULT_*` for Vault), and each falls back to the other's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StoreKind {
    OpenBao,
    Vault,
}

impl StoreKind {
    /// The spec spelling: `openbao` or `vault`.
    pub fn as_str(self) -> &'static str {
        match self {
            StoreKind::OpenBao => "openbao",
            StoreKind::Vault => "vault",
        }
    }

    pub fn parse(s: &str) -> Option<StoreKind> {
        match s {
            "openbao" => Some(StoreKind::OpenBao),
            "vault" => Some(StoreKind::Vault),
            _ => None,
        }
    }

    /// The environment variable prefixes in the order they are read.
    pub fn env_prefixes(self) -> [&'static str; 2] {
        match self {
            StoreKind::OpenBao => ["BAO_", "VAULT_"],
            StoreKind::Vault => ["VAULT_", "BAO_"],
        }
    }
}

impl fmt::Display for StoreKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The placeholder for the class in [`StoreDef::path`].
pub const CLASS_PLACEHOLDER: &str = "{class}";
/// The placeholder for the environment in [`StoreDef::path`].
pub const ENV_PLACEHOLDER: &str = "{env}";

/// The spec's `[store]` table, validated and with its defaults applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreDef {
    pub kind: StoreKind,
    /// The server, e.g. `https://bao.internal:8200`; `BAO_ADDR` / `VAULT_ADDR`
    /// override it. `None`: the environment must name it.
    pub address: Option<Cow<'static, str>>,
    /// A KV v2 mount, e.g. `secret`.
    pub mount: Cow<'static, str>,
    /// The secret path inside the mount, with `{class}` and `{env}`.
    pub path: Cow<'static, str>,
    /// The environments the store serves (the spec's default: every one but `ci`).
    pub environments: Cow<'static, [Cow<'static, str>]>,
    /// Whether the token files stay a lower layer below the store in the
    /// environments it serves (`files = false`: they are not read there).
    pub files: bool,
}

/// Why a `[store]` value is not acceptable. The spec parser adds `line:col`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreDefError {
    /// `path` lacks `{class}` or `{env}`: the classes (or environments) would share a secret.
    MissingPlaceholder { placeholder: &'static str },
    /// A `{…}` other than `{class}` and `{env}`, or one given twice.
    UnknownPlaceholder { found: String },
    /// A mount or path segment that is empty, `.` or `..`, or a character
    /// outside `A-Z a-z 0-9 - _ .` (paths are spliced into URLs and HCL).
    BadSegment { field: &'static str, value: String },
    /// An environment name with characters outside `a-z 0-9 - _`.
    BadEnvironment { name: String },
    /// The address is not `http://…` or `https://…`.
    BadAddress,
}

impl fmt::Display for StoreDefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreDefError::MissingPlaceholder { placeholder } => {
                write!(f, "the store path has no `{placeholder}` placeholder")
            }
            StoreDefError::UnknownPlaceholder { found } => {
                write!(
                    f,
                    "the store path has an unknown or repeated placeholder `{found}`"
                )
            }
            StoreDefError::BadSegment { field, value } => {
                write!(f, "the store {field} `{value}` is not a clean path")
            }
            StoreDefError::BadEnvironment { name } => {
                write!(f, "the store environment `{name}` is not a valid name")
            }
            StoreDefError::BadAddress => {
                f.write_str("the store address must start with `http://` or `https://`")
            }
        }
    }
}

impl crate::Help for StoreDefError {
    fn help(&self) -> Option<String> {
        let fix = match self {
            StoreDefError::MissingPlaceholder { .. } => {
                "use both `{class}` and `{env}` in `path`, e.g. \"myproject/{class}/{env}\": each class and environment needs its own secret so its own policy can guard it"
            }
            StoreDefError::UnknownPlaceholder { .. } => {
                "only `{class}` and `{env}` may appear in `path`, once each"
            }
            StoreDefError::BadSegment { .. } => {
                "use `/`-separated segments of letters, digits, `-`, `_` and `.`, without a leading or trailing `/`"
            }
            StoreDefError::BadEnvironment { .. } => {
                "use lowercase letters, digits, `-` and `_`"
            }
            StoreDefError::BadAddress => "write the address like \"https://bao.internal:8200\"",
        };
        Some(fix.to_owned())
    }
}

impl std::error::Error for StoreDefError {}

impl StoreDef {
    /// Every problem with the fields, in field order (address, mount, path, environments).
    pub fn problems(&self) -> Vec<StoreDefError> {
        let mut problems = Vec::new();
        if let Some(Err(e)) = self.address.as_deref().map(validate_address) {
            problems.push(e);
        }
        if let Err(e) = validate_mount(&self.mount) {
            problems.push(e);
        }
        problems.extend(validate_path(&self.path).err());
        for env in self.environments.iter() {
            if let Err(e) = validate_environment(env) {
                problems.push(e);
            }
        }
        problems
    }

    /// Whether reads for `env` go to the store.
    pub fn serves(&self, env: &str) -> bool {
        self.environments.iter().any(|e| e == env)
    }

    /// The secret's path inside the mount for one class and environment,
    /// e.g. `myproject/cicd/prod`.
    pub fn secret_path(&self, class: Class, env: &str) -> String {
        self.path
            .replace(CLASS_PLACEHOLDER, class.as_str())
            .replace(ENV_PLACEHOLDER, env)
    }

    /// The spec's default for `environments`: every environment but `ci`,
    /// whose values are the committed safe ones.
    pub fn default_environments<'a>(
        spec_environments: impl IntoIterator<Item = &'a str>,
    ) -> Vec<String> {
        spec_environments
            .into_iter()
            .filter(|e| *e != "ci")
            .map(str::to_owned)
            .collect()
    }
}

pub fn validate_address(address: &str) -> Result<(), StoreDefError> {
    let rest = address
        .strip_prefix("https://")
        .or_else(|| address.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.chars().any(char::is_whitespace) => Ok(()),
        _ => Err(StoreDefError::BadAddress),
    }
}

pub fn validate_mount(mount: &str) -> Result<(), StoreDefError> {
    if clean_segments(mount) {
        Ok(())
    } else {
        Err(StoreDefError::BadSegment {
            field: "mount",
            value: mount.to_owned(),
        })
    }
}

/// Both placeholders, once each, and otherwise clean segments.
pub fn validate_path(path: &str) -> Result<(), StoreDefError> {
    let mut rest = path;
    let mut seen = Vec::new();
    while let Some(open) = rest.find('{') {
        let after = &rest[open..];
        let end = after.find('}').map_or(after.len(), |i| i + 1);
        let found = &after[..end];
        if (found != CLASS_PLACEHOLDER && found != ENV_PLACEHOLDER) || seen.contains(&found) {
            return Err(StoreDefError::UnknownPlaceholder {
                found: found.to_owned(),
            });
        }
        seen.push(found);
        rest = &after[end..];
    }
    for placeholder in [CLASS_PLACEHOLDER, ENV_PLACEHOLDER] {
        if !seen.contains(&placeholder) {
            return Err(StoreDefError::MissingPlaceholder { placeholder });
        }
    }
    // Placeholders expand to clean names, so check the path with them filled in.
    let filled = path
        .replace(CLASS_PLACEHOLDER, "class")
        .replace(ENV_PLACEHOLDER, "env");
    if clean_segments(&filled) {
        Ok(())
    } else {
        Err(StoreDefError::BadSegment {
            field: "path",
            value: path.to_owned(),
        })
    }
}

pub fn validate_environment(name: &str) -> Result<(), StoreDefError> {
    let ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(StoreDefError::BadEnvironment {
            name: name.to_owned(),
        })
    }
}

fn clean_segments(s: &str) -> bool {
    !s.is_empty()
        && s.split('/').all(|segment| {
            !segment.is_empty()
                && segment != "."
                && segment != ".."
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(path: &'static str) -> StoreDef {
        StoreDef {
            kind: StoreKind::OpenBao,
            address: Some("https://bao.internal:8200".into()),
            mount: "secret".into(),
            path: path.into(),
            environments: Cow::Owned(vec!["dev".into(), "prod".into()]),
            files: true,
        }
    }

    #[test]
    fn a_path_needs_both_placeholders() {
        assert_eq!(validate_path("myproject/{class}/{env}"), Ok(()));
        assert_eq!(validate_path("{env}-{class}"), Ok(()));
        assert_eq!(
            validate_path("myproject/{env}"),
            Err(StoreDefError::MissingPlaceholder {
                placeholder: "{class}"
            })
        );
        assert_eq!(
            validate_path("myproject/{class}"),
            Err(StoreDefError::MissingPlaceholder {
                placeholder: "{env}"
            })
        );
    }

    #[test]
    fn a_path_rejects_other_placeholders_and_unclean_segments() {
        for bad in [
            "{class}/{env}/{team}",
            "{class}/{env}/{env}",
            "{class}/{env",
            "{class}/{env}}",
        ] {
            assert!(
                matches!(
                    validate_path(bad),
                    Err(StoreDefError::UnknownPlaceholder { .. })
                        | Err(StoreDefError::BadSegment { .. })
                ),
                "{bad}"
            );
        }
        for bad in [
            "/{class}/{env}",
            "{class}/{env}/",
            "a//{class}/{env}",
            "../{class}/{env}",
            "a b/{class}/{env}",
            "\"/{class}/{env}",
        ] {
            assert!(
                matches!(validate_path(bad), Err(StoreDefError::BadSegment { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn secret_path_fills_the_placeholders() {
        let d = def("myproject/{class}/{env}");
        assert!(d.problems().is_empty());
        assert_eq!(d.secret_path(Class::Cicd, "prod"), "myproject/cicd/prod");
        assert_eq!(
            d.secret_path(Class::Runtime, "dev"),
            "myproject/runtime/dev"
        );
        assert!(d.serves("prod"));
        assert!(!d.serves("ci"));
    }

    #[test]
    fn the_default_serves_every_environment_but_ci() {
        assert_eq!(
            StoreDef::default_environments(["dev", "ci", "prod"]),
            ["dev", "prod"]
        );
    }

    #[test]
    fn problems_lists_each_field() {
        let mut d = def("p/{class}");
        d.address = Some("bao.internal".into());
        d.mount = "/secret".into();
        d.environments = Cow::Owned(vec!["Prod".into()]);
        let found = d.problems();
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(found
            .iter()
            .all(|p| crate::Help::help(p).is_some_and(|h| !h.is_empty())
                && !p.to_string().ends_with('.')));
    }
}
