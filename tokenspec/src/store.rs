//! What a generated `load()` calls when the spec has a `[store]`: the
//! struct's class, fetched from the store in the environments it serves.

use tokenspec_core::load::{LoadError, LoadOptions, Problem};
use tokenspec_core::store_def::StoreDef;
use tokenspec_core::Class;

/// `options` with `class`'s store layer when `def` serves their environment;
/// a store failure is the load's error (never a fall-back to files).
pub fn with_store(
    def: &StoreDef,
    class: Class,
    options: LoadOptions,
) -> Result<LoadOptions, LoadError> {
    let Some(env) = options.env().filter(|e| def.serves(e)).map(str::to_owned) else {
        return Ok(options);
    };
    let layers = tokenspec_store::fetch_layers(def, &env, &[class], |k| std::env::var(k).ok())
        .map_err(|e| {
            LoadError::new(vec![Problem::Store {
                message: e.to_string(),
                help: tokenspec_store::Help::help(&e).unwrap_or_default(),
            }])
        })?;
    Ok(layers
        .into_iter()
        .fold(options, LoadOptions::with_store_layer))
}
