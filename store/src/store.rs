//! The store as the loader and the CLI see it: the spec's `[store]` table
//! plus one logged-in client, addressed by class and environment.

use std::collections::{BTreeMap, HashMap};
use std::time::SystemTime;

use tokenspec_core::load::StoreLayer;
use tokenspec_core::store_def::StoreDef;
use tokenspec_core::{Class, Secret};

use crate::client::{data_path, Client, Metadata, SecretData};
use crate::error::StoreError;
use crate::push::{self, PushPlan};
use crate::settings::Settings;

/// One run's connection to the spec's store.
pub struct Store {
    def: StoreDef,
    client: Client,
}

impl Store {
    /// Reads the environment through `lookup`, connects and logs in.
    pub fn connect(
        def: &StoreDef,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Store, StoreError> {
        let settings = Settings::from_env(def, lookup)?;
        Ok(Store::with_client(def, Client::connect(&settings)?))
    }

    pub fn with_client(def: &StoreDef, client: Client) -> Store {
        Store {
            def: def.clone(),
            client,
        }
    }

    pub fn def(&self) -> &StoreDef {
        &self.def
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The API path of a class's secret, e.g. `secret/data/myproject/cicd/prod`.
    pub fn data_path(&self, class: Class, env: &str) -> String {
        data_path(&self.def.mount, &self.def.secret_path(class, env))
    }

    /// The secret as reports name it, e.g. `openbao secret/myproject/cicd/prod`.
    pub fn label(&self, class: Class, env: &str) -> String {
        label(&self.def, class, env)
    }

    /// Each class's secret for `env` as a load layer: one request per class
    /// over this client's one connection. Any failure (a missing secret
    /// included) is an error: the caller must not fall back to files.
    pub fn layers(&self, env: &str, classes: &[Class]) -> Result<Vec<StoreLayer>, StoreError> {
        classes
            .iter()
            .map(|&class| {
                let data = self.read_class(class, env)?;
                // Fail closed: a key the store holds as a number, list or
                // object must not be skipped for a file's value.
                if let Some(key) = data.other.keys().next() {
                    return Err(StoreError::new(
                        self.client.address(),
                        crate::error::Operation::Read,
                        Some(&self.data_path(class, env)),
                        crate::error::Reason::NotAString { key: key.clone() },
                    )
                    .for_class(class));
                }
                Ok(StoreLayer {
                    class,
                    label: self.label(class, env),
                    values: data.values.into_iter().collect(),
                    files: self.def.files,
                })
            })
            .collect()
    }

    /// A class's tokens for one environment: one request. A missing secret is an error.
    pub fn read_class(&self, class: Class, env: &str) -> Result<SecretData, StoreError> {
        self.client
            .read(&self.def.mount, &self.def.secret_path(class, env))
            .map_err(|e| e.for_class(class))
    }

    /// A class's secret metadata (change times for the rotation report).
    pub fn read_class_metadata(
        &self,
        class: Class,
        env: &str,
    ) -> Result<Option<Metadata>, StoreError> {
        self.client
            .read_metadata(&self.def.mount, &self.def.secret_path(class, env))
            .map_err(|e| e.for_class(class))
    }

    /// When each of `names` last changed in the class's secret: the time a
    /// push recorded, else the secret's last write (a value put there by
    /// other tools). Names with neither are left out. One request.
    pub fn changed_times<'n>(
        &self,
        class: Class,
        env: &str,
        names: impl IntoIterator<Item = &'n str>,
    ) -> Result<HashMap<String, SystemTime>, StoreError> {
        let Some(metadata) = self.read_class_metadata(class, env)? else {
            return Ok(HashMap::new());
        };
        Ok(names
            .into_iter()
            .filter_map(|n| {
                let at = metadata.changed_at(n).or_else(|| metadata.updated_at())?;
                Some((n.to_owned(), at))
            })
            .collect())
    }

    /// Reads the secret and plans writing `desired` over it (see [`push::plan`]).
    pub fn plan_push(
        &self,
        class: Class,
        env: &str,
        desired: &BTreeMap<String, Secret>,
    ) -> Result<PushPlan, StoreError> {
        let path = self.def.secret_path(class, env);
        let current = self
            .client
            .read_if_exists(&self.def.mount, &path)
            .map_err(|e| e.for_class(class))?;
        let metadata = self
            .client
            .read_metadata(&self.def.mount, &path)
            .map_err(|e| e.for_class(class))?;
        Ok(push::plan(
            current.as_ref(),
            metadata.as_ref(),
            desired,
            SystemTime::now(),
        ))
    }

    /// Writes a plan with check-and-set, then records the change times.
    /// Returns the new version, or `None` when nothing changed.
    pub fn apply_push(
        &self,
        class: Class,
        env: &str,
        plan: &PushPlan,
    ) -> Result<Option<u64>, StoreError> {
        if !plan.writes() {
            return Ok(None);
        }
        let path = self.def.secret_path(class, env);
        let mount = &self.def.mount;
        let version = (self
            .client
            .write(mount, &path, &plan.values, &plan.other, plan.cas))
        .map_err(|e| e.for_class(class))?;
        self.client
            .write_custom_metadata(mount, &path, &plan.custom_metadata)
            .map_err(|e| e.for_class(class))?;
        Ok(Some(version))
    }
}

/// The secret of `class` in `env` as reports name it: kind, mount and path.
pub fn label(def: &StoreDef, class: Class, env: &str) -> String {
    format!("{} {}/{}", def.kind, def.mount, def.secret_path(class, env))
}

/// Connects (reading the environment through `lookup`), logs in and reads
/// each class's secret for `env`: what `tokenspec export` and a service's
/// `load()` put between the process environment and the files.
pub fn fetch_layers(
    def: &StoreDef,
    env: &str,
    classes: &[Class],
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Vec<StoreLayer>, StoreError> {
    Store::connect(def, lookup)?.layers(env, classes)
}
