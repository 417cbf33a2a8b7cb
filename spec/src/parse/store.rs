//! The optional `[store]` table: the OpenBao / Vault KV v2 secrets that
//! hold the tokens once a team outgrows files.

use toml::de::DeValue;
use toml::Spanned;

use super::{type_name, Cx, Val};
use crate::diagnostic::Diagnostic;
use tokenspec_core::store_def::{self, StoreDefError};

use crate::model::{StoreKind, StoreSpec, DEFAULT_STORE_MOUNT};

pub const STORE_KEYS: &[&str] = &["kind", "address", "mount", "path", "environments", "files"];

impl Cx<'_> {
    pub(super) fn store(
        &mut self,
        v: Option<&Val<'_>>,
        environments: &[Spanned<String>],
    ) -> Option<StoreSpec> {
        let v = v?;
        let DeValue::Table(t) = v.get_ref() else {
            self.err(
                Diagnostic::new(
                    format!("`store` must be a table, found {}", type_name(v.get_ref())),
                    v.span(),
                )
                .help("write it as a `[store]` table"),
            );
            return None;
        };
        self.unknown_keys(t, STORE_KEYS, "[store]");
        let mut ok = true;

        let kind = match t.get("kind") {
            None => StoreKind::OpenBao,
            Some(k) => match self.string(k, "kind") {
                Some(name) => StoreKind::parse(name).unwrap_or_else(|| {
                    self.err(
                        Diagnostic::new(format!("unknown store kind `{name}`"), k.span())
                            .help("kinds are `openbao` and `vault` (the same HTTP API)"),
                    );
                    ok = false;
                    StoreKind::OpenBao
                }),
                None => {
                    ok = false;
                    StoreKind::OpenBao
                }
            },
        };

        // Each value is checked by core's rules, the ones the loader and the
        // store client rely on; a leading or trailing `/` is forgiven.
        let mut checked = |key: &str,
                           trim: fn(&str) -> &str,
                           validate: fn(&str) -> Result<(), StoreDefError>|
         -> Option<String> {
            let value = t.get(key)?;
            let Some(s) = self.string(value, key) else {
                ok = false;
                return None;
            };
            let s = trim(s);
            match validate(s) {
                Ok(()) => Some(s.to_owned()),
                Err(e) => {
                    self.err(
                        Diagnostic::new(e.to_string(), value.span())
                            .help(tokenspec_core::Help::help(&e).unwrap_or_default()),
                    );
                    ok = false;
                    None
                }
            }
        };
        let address = checked(
            "address",
            |s| s.trim_end_matches('/'),
            store_def::validate_address,
        );
        let mount = checked("mount", |s| s.trim_matches('/'), store_def::validate_mount);
        let path = checked("path", |s| s.trim_matches('/'), store_def::validate_path);
        let mount = mount.unwrap_or_else(|| DEFAULT_STORE_MOUNT.to_owned());
        let path = match path {
            Some(p) => p,
            None => {
                if !t.contains_key("path") {
                    self.err(
                        Diagnostic::new("`[store]` is missing `path`", v.span())
                            .help("e.g. `path = \"myproject/{class}/{env}\"`: one secret per class and environment"),
                    );
                    ok = false;
                }
                String::new()
            }
        };

        let known: Vec<&str> = environments.iter().map(|e| e.get_ref().as_str()).collect();
        let served = match t.get("environments") {
            None => known
                .iter()
                .filter(|e| **e != "ci")
                .map(|e| (*e).to_owned())
                .collect(),
            Some(e) => {
                let list = self.string_array(e, "environments").unwrap_or_default();
                for env in &list {
                    if !known.contains(&env.get_ref().as_str()) {
                        self.err(
                            Diagnostic::new(
                                format!(
                                    "unknown environment `{}` in `[store] environments`",
                                    env.get_ref()
                                ),
                                env.span(),
                            )
                            .help(format!("environments are: {}", known.join(", "))),
                        );
                        ok = false;
                    }
                }
                list.into_iter().map(Spanned::into_inner).collect()
            }
        };

        let files = match t.get("files") {
            None => true,
            Some(f) => match f.get_ref() {
                DeValue::Boolean(b) => *b,
                other => {
                    self.err(Diagnostic::new(
                        format!("`files` must be a boolean, found {}", type_name(other)),
                        f.span(),
                    ));
                    ok = false;
                    true
                }
            },
        };

        ok.then_some(StoreSpec {
            kind,
            address,
            mount,
            path,
            environments: served,
            files,
            span: v.span(),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::model::StoreKind;
    use crate::Spec;

    const TOKENS: &str = "[[token]]\nname = \"A_TOKEN\"\nclass = \"cicd\"\ndescription = \"d\"\n";

    fn parse(store: &str) -> Result<Spec, String> {
        let src =
            format!("environments = [\"dev\", \"staging\", \"prod\", \"ci\"]\n{store}\n{TOKENS}");
        Spec::parse(&src, "token-spec.toml").map_err(|d| d.to_string())
    }

    #[test]
    fn defaults_and_served_environments() {
        let spec = parse("[store]\npath = \"proj/{class}/{env}\"\n").unwrap();
        let store = spec.store.unwrap();
        assert_eq!(store.kind, StoreKind::OpenBao);
        assert_eq!(store.mount, "secret");
        assert_eq!(store.address, None);
        assert_eq!(
            store.environments,
            ["dev", "staging", "prod"],
            "every one but ci"
        );
        assert!(store.files);
        assert_eq!(
            store.secret_path(tokenspec_core::Class::Cicd, "prod"),
            "proj/cicd/prod"
        );
        assert!(Spec::parse(TOKENS, "t").unwrap().store.is_none());
    }

    #[test]
    fn a_path_without_both_placeholders_is_an_error_at_its_line() {
        let e = parse("[store]\nkind = \"vault\"\npath = \"proj/{env}\"\n").unwrap_err();
        assert!(
            e.contains("the store path has no `{class}` placeholder"),
            "{e}"
        );
        assert!(e.contains("token-spec.toml:4:"), "{e}");
        assert!(e.contains("help: use both `{class}` and `{env}`"), "{e}");
        let e = parse("[store]\npath = \"proj/shared\"\n").unwrap_err();
        assert!(e.contains("has no `{class}` placeholder"), "{e}");
        let e = parse("[store]\npath = \"a/../{class}/{env}\"\n").unwrap_err();
        assert!(e.contains("is not a clean path"), "{e}");
    }

    #[test]
    fn unknown_keys_kinds_and_environments_are_errors() {
        let e = parse("[store]\npath = \"p/{class}/{env}\"\nkind = \"consul\"\nadress = \"x\"\nenvironments = [\"qa\"]\n")
            .unwrap_err();
        assert!(e.contains("unknown store kind `consul`"), "{e}");
        assert!(e.contains("unknown key `adress` in [store]"), "{e}");
        assert!(e.contains("did you mean `address`?"), "{e}");
        assert!(e.contains("unknown environment `qa`"), "{e}");
        let e = parse("[store]\npath = \"p/{class}/{env}\"\naddress = \"bao:8200\"\n").unwrap_err();
        assert!(e.contains("must start with `http://` or `https://`"), "{e}");
    }
}
