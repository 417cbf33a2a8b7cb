//! Where tokens are looked for: the root folder and the selected environment.

use std::path::{Path, PathBuf};

/// The spec file whose folder is the root.
pub const SPEC_FILE: &str = "token-spec.toml";

/// The first folder from `start` upwards that holds `token-spec.toml`.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(SPEC_FILE).is_file())
        .map(Path::to_path_buf)
}

/// Why an environment was chosen, for `info` and error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvOrigin {
    /// `--env NAME` (or an explicit argument in code).
    Flag,
    /// `APP_ENV`.
    AppEnv,
    /// `CI` set to something other than empty, `0` or `false`.
    Ci,
    /// Nothing selected: base files only.
    None,
}

impl EnvOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            EnvOrigin::Flag => "--env",
            EnvOrigin::AppEnv => "APP_ENV",
            EnvOrigin::Ci => "CI",
            EnvOrigin::None => "none",
        }
    }
}

/// Maps the long spellings teams use in `APP_ENV` to the file suffixes.
pub fn normalize_env(name: &str) -> String {
    match name.trim() {
        "production" => "prod".to_owned(),
        "development" => "dev".to_owned(),
        other => other.to_owned(),
    }
}

/// Whether a `CI` variable means "running in CI": anything but empty, `0` or `false`.
pub fn ci_is_on(value: Option<&str>) -> bool {
    value.is_some_and(|v| {
        let v = v.trim();
        !(v.is_empty() || v == "0" || v.eq_ignore_ascii_case("false"))
    })
}

/// Selects the environment: `--env`, else `APP_ENV`, else `ci` when `CI` is on, else none.
/// Empty values count as unset.
pub fn select_env(
    flag: Option<&str>,
    app_env: Option<&str>,
    ci: Option<&str>,
) -> (Option<String>, EnvOrigin) {
    if let Some(f) = given(flag) {
        return (Some(normalize_env(f)), EnvOrigin::Flag);
    }
    if let Some(a) = given(app_env) {
        return (Some(normalize_env(a)), EnvOrigin::AppEnv);
    }
    if ci_is_on(ci) {
        return (Some("ci".to_owned()), EnvOrigin::Ci);
    }
    (None, EnvOrigin::None)
}

fn given(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

/// [`select_env`] reading `APP_ENV` and `CI` from the process environment.
pub fn select_env_from_process(flag: Option<&str>) -> (Option<String>, EnvOrigin) {
    let app_env = std::env::var("APP_ENV").ok();
    let ci = std::env::var("CI").ok();
    select_env(flag, app_env.as_deref(), ci.as_deref())
}

/// Whether `name` can be used as a file suffix (`.env.<name>`): no path
/// separators, no dot-only names, nothing a shell or filesystem would mangle.
pub fn is_valid_env_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_order() {
        assert_eq!(
            select_env(Some("prod"), Some("dev"), Some("1"))
                .0
                .as_deref(),
            Some("prod")
        );
        assert_eq!(
            select_env(None, Some("development"), Some("1")),
            (Some("dev".into()), EnvOrigin::AppEnv)
        );
        assert_eq!(
            select_env(None, Some("production"), None).0.as_deref(),
            Some("prod")
        );
        assert_eq!(
            select_env(None, Some("staging"), None).0.as_deref(),
            Some("staging")
        );
        assert_eq!(
            select_env(None, Some(""), Some("true")),
            (Some("ci".into()), EnvOrigin::Ci)
        );
        assert_eq!(select_env(Some(""), None, None), (None, EnvOrigin::None));
    }

    #[test]
    fn ci_flag_values() {
        for off in [
            None,
            Some(""),
            Some("0"),
            Some("false"),
            Some("FALSE"),
            Some(" false "),
        ] {
            assert!(!ci_is_on(off), "{off:?}");
        }
        for on in [Some("1"), Some("true"), Some("yes")] {
            assert!(ci_is_on(on), "{on:?}");
        }
    }

    #[test]
    fn root_is_nearest_spec_folder() {
        let dir = std::env::temp_dir().join(format!("tokenspec-root-{}", std::process::id()));
        let deep = dir.join("a/b");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(dir.join(SPEC_FILE), "").unwrap();
        assert_eq!(find_root(&deep).as_deref(), Some(dir.as_path()));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
