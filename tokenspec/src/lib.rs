//! Typed, redacted secret tokens from `token-spec.toml`: the one crate a
//! service depends on.
//!
//! ```text
//! // src/tokens.rs of a service whose token-spec.toml sits beside Cargo.toml
//! tokenspec::tokens!(pub struct AppTokens, spec = "token-spec.toml", class = "runtime");
//!
//! fn main() -> Result<(), tokenspec::LoadError> {
//!     let tokens = AppTokens::load()?;          // environment > .env.<env> > .env
//!     let bot = tokens.discord_bot_token.expose_secret();
//!     println!("{tokens:?}");                   // names and presence, never a value
//!     let _ = bot;
//!     Ok(())
//! }
//! ```
//!
//! (Not a doctest, which would need a spec beside this crate: the test
//! `tests/it/outside_crate.rs` builds and runs this shape in a crate of its own.)
//!
//! `tokens!` reads the spec at compile time: a token removed from the spec
//! is a compile error where its field is used, and a spec error points at
//! its line and column. A relative `spec` path is resolved against the
//! calling crate's root (`CARGO_MANIFEST_DIR`). The struct has one field per
//! token of the class: [`Secret`] when the token is always required,
//! `Option<Secret>` otherwise; `load()` collects every problem into one
//! [`LoadError`] that names tokens, files and lines, never values.
//!
//! # The store (feature `store`)
//!
//! When the spec has a `[store]` table (an OpenBao / Vault KV v2 secret per
//! class and environment), `load()` reads the struct's class from it in
//! the service's own process, for the environments the store serves:
//! process environment > the store > the files (`files = false` drops the
//! files there). One request over one connection, with the timeouts and
//! bounded retries of `tokenspec-store`; any failure is a [`LoadError`]
//! naming the address, the secret and the reason — never a fall-back to
//! files. Credentials come from the environment (`BAO_TOKEN`, AppRole, JWT;
//! see docs/store.md). `load_from` and `load_with` take explicit options
//! and do not read the store. Without the feature a spec with a `[store]`
//! does not compile, and no HTTP client is linked.

pub use tokenspec_core::def::{Class, Deprecation, Required, TokenDef};
pub use tokenspec_core::env::{EnvOrigin, DEFAULT_ENV_FROM};
pub use tokenspec_core::format::Format;
pub use tokenspec_core::load::{LoadError, LoadOptions, Problem, Resolution, Setting, Source};
pub use tokenspec_core::secret::Secret;
pub use tokenspec_macros::tokens;

/// What the `tokens!` expansion uses. Not a public API: it may change in
/// any release.
#[doc(hidden)]
pub mod __private {
    pub use tokenspec_core::def::{Class, Deprecation, Required, TokenDef};
    pub use tokenspec_core::format::Format;
    pub use tokenspec_core::load::{resolve, LoadError, LoadOptions, Problem, Resolution};
    pub use tokenspec_core::secret::{Presence, Secret};
    pub use tokenspec_core::table::{clone_fields, debug, decode, values};

    #[cfg(feature = "store")]
    pub use crate::store::with_store;
    #[cfg(feature = "store")]
    pub use tokenspec_core::store_def::{StoreDef, StoreKind};
}

#[cfg(feature = "store")]
mod store;
