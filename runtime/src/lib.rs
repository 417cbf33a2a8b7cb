//! What services depend on: [`RuntimeTokens`], the spec's runtime tokens as a
//! typed struct. A token removed from `token-spec.toml` is a compile error
//! where it is used; `{:?}` never shows a value.
//!
//! ```no_run
//! let tokens = tokenspec_runtime::RuntimeTokens::load()?;
//! let bot = tokens.discord_bot_token.expose_secret();
//! # let _ = bot;
//! # Ok::<(), tokenspec_runtime::LoadError>(())
//! ```

pub use tokenspec_core::{LoadError, LoadOptions, Secret};

tokenspec_macros::tokens!(pub struct RuntimeTokens, spec = "../token-spec.toml", class = "runtime");
