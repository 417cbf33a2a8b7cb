//! The spec's `[store]` for the commands that load tokens (`load`,
//! `export`, `run`, `validate`): in an environment the store serves, each
//! selected class's secret is fetched before resolving and becomes the layer
//! between the process environment and the files.
//!
//! Fail closed: any store failure stops the command (exit 1) with the
//! client's message (address, secret, reason) and its `help:` line. Nothing
//! is read from files instead. Without a `[store]`, or in an environment it
//! does not serve, nothing here runs.

use std::collections::HashMap;
use std::time::SystemTime;

use tokenspec_core::{Class, LoadOptions, TokenDef};
use tokenspec_repo::audit::rotation::{self, StoredSecret};
use tokenspec_repo::audit::Finding;
use tokenspec_store::{Help, Reason, Store, StoreDef, StoreError};

use super::{report, Context, Error};
use crate::error::{exit, Result};

/// The store's definition when it serves the selected environment.
pub fn serving(cx: &Context) -> Option<(StoreDef, &str)> {
    let store = cx.store()?;
    let env = cx.env.as_deref()?;
    store.serves(env).then(|| (store.to_def(), env))
}

/// `opts` with the store layer of every class among `defs`, when the store
/// serves the selected environment; else `opts` as they are.
pub fn layered(cx: &Context, defs: &[TokenDef], opts: LoadOptions) -> Result<LoadOptions> {
    Ok(fetch(cx, defs, opts, false)?.0)
}

/// As [`layered`], with when each stored token last changed (`None` when
/// the store does not serve the environment). A metadata read the
/// credentials may not make is a warning, not a failure: the values were read.
pub fn layered_with_ages(
    cx: &Context,
    defs: &[TokenDef],
    opts: LoadOptions,
) -> Result<(LoadOptions, Option<HashMap<String, SystemTime>>)> {
    fetch(cx, defs, opts, true)
}

fn fetch(
    cx: &Context,
    defs: &[TokenDef],
    opts: LoadOptions,
    ages: bool,
) -> Result<(LoadOptions, Option<HashMap<String, SystemTime>>)> {
    let Some((def, env)) = serving(cx) else {
        return Ok((opts, None));
    };
    let classes: Vec<Class> = Class::ALL
        .into_iter()
        .filter(|c| defs.iter().any(|d| d.class == *c))
        .collect();
    if classes.is_empty() {
        return Ok((opts, None));
    }
    let store = Store::connect(&def, |k| std::env::var(k).ok()).map_err(store_error)?;
    let layers = store.layers(env, &classes).map_err(store_error)?;
    let mut changed = HashMap::new();
    if ages {
        for layer in &layers {
            let names = layer.values.keys().map(String::as_str);
            match store.changed_times(layer.class, env, names) {
                Ok(times) => changed.extend(times),
                Err(e) => {
                    report::warning(&e);
                    if let Some(help) = e.help() {
                        report::help(help);
                    }
                }
            }
        }
    }
    let opts = layers.into_iter().fold(opts, LoadOptions::with_store_layer);
    Ok((opts, ages.then_some(changed)))
}

/// `check`'s rotation warnings: for each environment the store serves and
/// each class with a token that has `rotation_days`, the secret's change
/// times against them. When the store cannot be reached or read with the
/// credentials present, a note says so: the audit of the files stands.
pub fn rotation_findings(cx: &Context) -> Vec<Finding> {
    let Some(spec_store) = &cx.spec().store else {
        return Vec::new();
    };
    let classes: Vec<Class> = Class::ALL
        .into_iter()
        .filter(|c| cx.spec().tokens_of(*c).any(|t| t.rotation_days.is_some()))
        .collect();
    if classes.is_empty() || spec_store.environments.is_empty() {
        return Vec::new();
    }
    let not_checked = |e: &StoreError| {
        report::note(format_args!(
            "token rotation in the store was not checked: {e}"
        ));
    };
    let def = spec_store.to_def();
    let store = match Store::connect(&def, |k| std::env::var(k).ok()) {
        Ok(store) => store,
        Err(e) => {
            not_checked(&e);
            return Vec::new();
        }
    };
    let now = SystemTime::now();
    let mut found = Vec::new();
    for env in &spec_store.environments {
        for &class in &classes {
            let times = store.read_class(class, env).and_then(|data| {
                store.changed_times(class, env, data.values.keys().map(String::as_str))
            });
            match times {
                Ok(changed) => {
                    let label = store.label(class, env);
                    let secret = StoredSecret {
                        class,
                        env,
                        label: &label,
                        changed: &changed,
                    };
                    found.extend(rotation::findings(cx.spec(), &secret, now));
                }
                // One secret missing or refused: the others may still be readable.
                Err(e) if matches!(e.reason, Reason::NotFound | Reason::PermissionDenied) => {
                    not_checked(&e)
                }
                // The server itself failed: asking again would only wait again.
                Err(e) => {
                    not_checked(&e);
                    return found;
                }
            }
        }
    }
    found
}

/// How long ago `at` was, for the CHANGED column: `5m ago`, `3h ago`, `12d ago`.
pub fn age(at: SystemTime, now: SystemTime) -> String {
    let secs = now.duration_since(at).map_or(0, |d| d.as_secs());
    match secs {
        0..60 => "just now".to_owned(),
        60..3600 => format!("{}m ago", secs / 60),
        3600..86400 => format!("{}h ago", secs / 3600),
        _ => format!("{}d ago", secs / 86400),
    }
}

/// A store failure as the command's error: exit 1, as for missing tokens.
pub fn store_error(e: StoreError) -> Error {
    Error::with_help(exit::FAILED, &e)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn ages_read_like_a_person_would_say_them() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(10_000_000);
        let ago = |s| age(now - Duration::from_secs(s), now);
        assert_eq!(ago(5), "just now");
        assert_eq!(ago(300), "5m ago");
        assert_eq!(ago(3 * 3600 + 5), "3h ago");
        assert_eq!(ago(12 * 86400 + 7), "12d ago");
        assert_eq!(age(now + Duration::from_secs(60), now), "just now");
    }
}
