//! `openbao/<class>-reader.hcl` and `openbao/<class>-writer.hcl` (or
//! `vault/…`): one policy pair per class when the spec has a `[store]`.
//!
//! The store is where the classes' separate blast radius is enforced: a
//! reader policy grants read on exactly its class's secrets, in every
//! environment the store serves, plus their metadata (the last-change times
//! the rotation report reads); a writer policy, for the class's owners, can
//! also create and update them and record when a token changed. Nothing
//! grants `delete`, `list` or another class's path.

use std::fmt::Write;

use tokenspec_core::Class;

use super::GENERATED;
use tokenspec_spec::model::{Spec, StoreKind, StoreSpec};

/// Which half of a class's policy pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Reader,
    Writer,
}

impl Role {
    pub const ALL: [Role; 2] = [Role::Reader, Role::Writer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Writer => "writer",
        }
    }
}

/// The policy's name in the store: `<class>-<role>`, e.g. `cicd-reader`.
pub fn name(class: Class, role: Role) -> String {
    format!("{}-{}", class.as_str(), role.as_str())
}

/// The generated file holding the policy.
pub fn path(kind: StoreKind, class: Class, role: Role) -> &'static str {
    match (kind, class, role) {
        (StoreKind::OpenBao, Class::Cicd, Role::Reader) => "openbao/cicd-reader.hcl",
        (StoreKind::OpenBao, Class::Cicd, Role::Writer) => "openbao/cicd-writer.hcl",
        (StoreKind::OpenBao, Class::Runtime, Role::Reader) => "openbao/runtime-reader.hcl",
        (StoreKind::OpenBao, Class::Runtime, Role::Writer) => "openbao/runtime-writer.hcl",
        (StoreKind::Vault, Class::Cicd, Role::Reader) => "vault/cicd-reader.hcl",
        (StoreKind::Vault, Class::Cicd, Role::Writer) => "vault/cicd-writer.hcl",
        (StoreKind::Vault, Class::Runtime, Role::Reader) => "vault/runtime-reader.hcl",
        (StoreKind::Vault, Class::Runtime, Role::Writer) => "vault/runtime-writer.hcl",
    }
}

/// Every policy file of the spec's store: `(path, content)`, or none
/// without a `[store]`.
pub fn render_all(spec: &Spec) -> Vec<(&'static str, String)> {
    let Some(store) = &spec.store else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for class in Class::ALL {
        let owner = spec
            .classes
            .iter()
            .find(|c| c.class == class)
            .map_or("", |c| c.owner.as_str());
        for role in Role::ALL {
            out.push((
                path(store.kind, class, role),
                render(store, class, role, owner),
            ));
        }
    }
    out
}

/// One policy in HCL.
pub fn render(store: &StoreSpec, class: Class, role: Role, owner: &str) -> String {
    let mut out = format!("# {GENERATED}\n");
    let _ = match role {
        Role::Reader => writeln!(
            out,
            "#\n# {}: read the {class} tokens in {}, and when each last changed.\n# Give it to what uses them: pipelines for cicd, services for runtime.",
            name(class, role),
            envs(store)
        ),
        Role::Writer => writeln!(
            out,
            "#\n# {}: read and write the {class} tokens in {} (`tokenspec push`).\n# For the class's owners: {owner}. It cannot delete, list, or touch another class.",
            name(class, role),
            envs(store)
        ),
    };
    let (data, metadata) = match role {
        Role::Reader => (r#"["read"]"#, r#"["read"]"#),
        Role::Writer => (
            r#"["create", "update", "read"]"#,
            r#"["create", "update", "read"]"#,
        ),
    };
    for env in &store.environments {
        let secret = store.secret_path(class, env);
        let _ = write!(
            out,
            "\npath \"{mount}/data/{secret}\" {{\n  capabilities = {data}\n}}\n\npath \"{mount}/metadata/{secret}\" {{\n  capabilities = {metadata}\n}}\n",
            mount = store.mount,
        );
    }
    out
}

fn envs(store: &StoreSpec) -> String {
    match store.environments.as_slice() {
        [] => "no environment".to_owned(),
        [one] => format!("`{one}`"),
        many => {
            let quoted: Vec<String> = many.iter().map(|e| format!("`{e}`")).collect();
            quoted.join(", ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Spec {
        Spec::parse(
            "environments = [\"dev\", \"prod\", \"ci\"]\n[store]\npath = \"proj/{class}/{env}\"\n\
             [[token]]\nname = \"A_TOKEN\"\nclass = \"cicd\"\ndescription = \"d\"\n",
            "token-spec.toml",
        )
        .unwrap()
    }

    #[test]
    fn a_reader_reads_exactly_its_class_in_every_served_environment() {
        let files = render_all(&spec());
        assert_eq!(files.len(), 4);
        let (path, text) = &files[0];
        assert_eq!(*path, "openbao/cicd-reader.hcl");
        for p in [
            "path \"secret/data/proj/cicd/dev\"",
            "path \"secret/metadata/proj/cicd/dev\"",
            "path \"secret/data/proj/cicd/prod\"",
        ] {
            assert!(text.contains(p), "{p} in\n{text}");
        }
        assert!(!text.contains("runtime/"), "{text}");
        assert!(!text.contains("/ci\""), "ci is not served: {text}");
        assert!(!text.contains("\"create\""), "{text}");
        for (_, text) in &files {
            assert!(
                !text.contains("delete") || text.contains("cannot delete"),
                "{text}"
            );
            assert!(!text.contains("\"list\""), "{text}");
        }
        let writer = &files[1].1;
        assert!(
            writer.contains(r#"capabilities = ["create", "update", "read"]"#),
            "{writer}"
        );
    }

    #[test]
    fn no_store_no_policies() {
        let spec = Spec::parse(
            "[[token]]\nname = \"A_TOKEN\"\nclass = \"cicd\"\ndescription = \"d\"\n",
            "t",
        )
        .unwrap();
        assert!(render_all(&spec).is_empty());
    }
}
