//! [`RuntimeTokens`]: this project's runtime tokens (the `runtime` class of
//! its `token-spec.toml`) as a typed struct. A service of another project
//! depends on the `tokenspec` crate and declares its own struct with
//! `tokenspec::tokens!`; this crate is that, for this repository's spec. A token removed from `token-spec.toml` is a compile error
//! where it is used; `{:?}` never shows a value.
//!
//! ```no_run
//! let tokens = tokenspec_runtime::RuntimeTokens::load()?;
//! let bot = tokens.discord_bot_token.expose_secret();
//! # let _ = bot;
//! # Ok::<(), tokenspec_runtime::LoadError>(())
//! ```

pub use tokenspec::{LoadError, LoadOptions, Secret};

tokenspec::tokens!(pub struct RuntimeTokens, spec = "../token-spec.toml", class = "runtime");
