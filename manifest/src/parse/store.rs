//! The optional `[store]` table: the OpenBao / Vault KV v2 secrets that
//! hold the tokens once a team outgrows files.

use toml::de::DeValue;
use toml::Spanned;

use super::{type_name, Cx, Val};
use crate::diagnostic::Diagnostic;
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
                Some("openbao") => StoreKind::OpenBao,
                Some("vault") => StoreKind::Vault,
                Some(other) => {
                    self.err(
                        Diagnostic::new(format!("unknown store kind `{other}`"), k.span())
                            .help("kinds are `openbao` and `vault` (the same HTTP API)"),
                    );
                    ok = false;
                    StoreKind::OpenBao
                }
                None => {
                    ok = false;
                    StoreKind::OpenBao
                }
            },
        };

        let address = match t.get("address") {
            None => None,
            Some(a) => match self.string(a, "address") {
                Some(s) if s.starts_with("https://") || s.starts_with("http://") => {
                    Some(s.trim_end_matches('/').to_owned())
                }
                Some(_) => {
                    self.err(
                        Diagnostic::new("`address` must be an http:// or https:// URL", a.span())
                            .help("e.g. `address = \"https://bao.internal:8200\"`"),
                    );
                    ok = false;
                    None
                }
                None => {
                    ok = false;
                    None
                }
            },
        };

        let mount = match t.get("mount") {
            None => DEFAULT_STORE_MOUNT.to_owned(),
            Some(m) => match self.string(m, "mount") {
                Some(s) if is_path(s) => s.trim_matches('/').to_owned(),
                Some(_) => {
                    self.err(
                        Diagnostic::new(
                            "`mount` must be a KV v2 mount path such as `secret`",
                            m.span(),
                        )
                        .help("use letters, digits, `-`, `_`, `.` and `/`"),
                    );
                    ok = false;
                    String::new()
                }
                None => {
                    ok = false;
                    String::new()
                }
            },
        };

        let path = match t.get("path") {
            None => {
                self.err(
                    Diagnostic::new("`[store]` is missing `path`", v.span())
                        .help("e.g. `path = \"myproject/{class}/{env}\"`: one secret per class and environment"),
                );
                ok = false;
                String::new()
            }
            Some(p) => match self.string(p, "path") {
                Some(s) => {
                    let s = s.trim_matches('/');
                    let missing: Vec<&str> = ["{class}", "{env}"]
                        .into_iter()
                        .filter(|ph| !s.contains(ph))
                        .collect();
                    if !missing.is_empty() {
                        self.err(
                            Diagnostic::new(
                                format!("`path` must contain {}", missing.join(" and ")),
                                p.span(),
                            )
                            .help("each class and environment needs its own secret, so that each class's policy can grant exactly its own"),
                        );
                        ok = false;
                    } else if !is_path(&s.replace("{class}", "c").replace("{env}", "e")) {
                        self.err(
                            Diagnostic::new("`path` holds characters a secret path cannot", p.span())
                                .help("use letters, digits, `-`, `_`, `.`, `/` and the `{class}` and `{env}` placeholders"),
                        );
                        ok = false;
                    }
                    s.to_owned()
                }
                None => {
                    ok = false;
                    String::new()
                }
            },
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

/// A KV path segment list: no empty segments, no `..`, plain characters only.
fn is_path(s: &str) -> bool {
    let s = s.trim_matches('/');
    !s.is_empty()
        && s.split('/').all(|seg| {
            !seg.is_empty()
                && seg != ".."
                && seg.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'{' | b'}')
                })
        })
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
        assert!(e.contains("`path` must contain {class}"), "{e}");
        assert!(e.contains("token-spec.toml:4:"), "{e}");
        let e = parse("[store]\npath = \"proj/shared\"\n").unwrap_err();
        assert!(e.contains("must contain {class} and {env}"), "{e}");
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
        assert!(e.contains("http:// or https://"), "{e}");
    }
}
