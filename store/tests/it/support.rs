//! This crate's additions to the shared dev-server harness
//! ([`tokenspec_test_support::bao`]), as a trait on its `BaoServer`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use tokenspec_store::{Client, Settings, StoreDef, StoreKind};

pub use tokenspec_test_support::{assert_hidden, random_hex, BaoServer};

pub trait StoreServer {
    fn def(&self) -> StoreDef;
    fn client_with(&self, vars: &[(&str, &str)]) -> Result<Client, tokenspec_store::StoreError>;
    fn install_generated_policies(&self);
    fn root_client(&self) -> Client;
}

impl StoreServer for BaoServer {
    /// A `[store]` as a spec would write it, pointing at this server.
    fn def(&self) -> StoreDef {
        StoreDef {
            kind: StoreKind::OpenBao,
            address: Some(Cow::Owned(self.address.clone())),
            mount: "secret".into(),
            path: "myproject/{class}/{env}".into(),
            environments: Cow::Owned(vec!["dev".into(), "prod".into()]),
            files: true,
        }
    }

    /// A client logged in with `vars` as its whole environment.
    fn client_with(&self, vars: &[(&str, &str)]) -> Result<Client, tokenspec_store::StoreError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let settings = Settings::from_env(&self.def(), |k| vars.get(k).cloned())?;
        Client::connect(&settings)
    }

    /// Loads the policies `tokenspec gen` writes for a spec whose `[store]`
    /// matches [`BaoServer::def`] (`cicd-reader`, `cicd-writer`, …).
    fn install_generated_policies(&self) {
        let spec_text = format!(
            "environments = [\"dev\", \"prod\", \"ci\"]\n\n[store]\naddress = \"{}\"\npath = \"myproject/{{class}}/{{env}}\"\n\n\
             [[token]]\nname = \"CI_BOT_TOKEN\"\nclass = \"cicd\"\ndescription = \"d\"\n",
            self.address
        );
        let spec = tokenspec_spec::Spec::parse(&spec_text, "token-spec.toml")
            .expect("the test spec parses");
        let store = spec.store.as_ref().expect("the test spec has a [store]");
        assert_eq!(
            store.secret_path(tokenspec_core::Class::Cicd, "prod"),
            self.def().secret_path(tokenspec_core::Class::Cicd, "prod")
        );
        assert_eq!(
            store.environments,
            ["dev", "prod"],
            "the store serves every environment but ci"
        );
        let files = tokenspec_repo::render::policies::render_all(&spec);
        assert_eq!(files.len(), 4);
        for (path, text) in files {
            let name = Path::new(path)
                .file_stem()
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            let file = self.home().join(format!("{name}.hcl"));
            std::fs::write(&file, text).unwrap();
            self.bao(&["policy", "write", &name, file.to_str().unwrap()]);
        }
    }

    /// A client with the root token.
    fn root_client(&self) -> Client {
        self.client_with(&[("BAO_TOKEN", &self.root_token)])
            .unwrap()
    }
}
