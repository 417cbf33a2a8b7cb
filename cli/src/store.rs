//! The spec's `[store]` for the commands that load tokens (`load`,
//! `export`, `run`, `validate`): in an environment the store serves, each
//! selected class's secret is fetched before resolving and becomes the layer
//! between the process environment and the files.
//!
//! Fail closed: any store failure stops the command (exit 1) with the
//! client's message (address, secret, reason) and its `help:` line. Nothing
//! is read from files instead. Without a `[store]`, or in an environment it
//! does not serve, nothing here runs.

use tokenspec_core::{Class, LoadOptions, TokenDef};
use tokenspec_store::{StoreDef, StoreError};

use super::{Context, Error};
use crate::error::Result;

/// The store's definition when it serves the selected environment.
pub fn serving(cx: &Context) -> Option<(StoreDef, &str)> {
    let store = cx.spec.store.as_ref()?;
    let env = cx.env.as_deref()?;
    store.serves(env).then(|| (store.to_def(), env))
}

/// `opts` with the store layer of every class among `defs`, when the store
/// serves the selected environment; else `opts` as they are.
pub fn layered(cx: &Context, defs: &[TokenDef], opts: LoadOptions) -> Result<LoadOptions> {
    let Some((def, env)) = serving(cx) else {
        return Ok(opts);
    };
    let classes: Vec<Class> = Class::ALL
        .into_iter()
        .filter(|c| defs.iter().any(|d| d.class == *c))
        .collect();
    if classes.is_empty() {
        return Ok(opts);
    }
    let layers = tokenspec_store::fetch_layers(&def, env, &classes, |k| std::env::var(k).ok())
        .map_err(store_error)?;
    Ok(layers.into_iter().fold(opts, LoadOptions::with_store_layer))
}

/// A store failure as the command's error: exit 1, as for missing tokens.
pub fn store_error(e: StoreError) -> Error {
    let help = e.help();
    Error::failed(e).help(help)
}
