//! What the workspace's integration tests share, as a crate instead of
//! `#[path]` includes: a dev-dependency of `tokenspec-store`,
//! `tokenspec-cli` and `tokenspec`, never published and never a
//! dependency of anything that ships.
//!
//! - [`bao`]: a real OpenBao dev server per test on a loopback port.

pub mod bao;

pub use bao::{assert_hidden, random_hex, BaoServer};
