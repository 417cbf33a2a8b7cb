//! [`CicdTokens`]: this project's CI/CD automation tokens (the `cicd` class
//! of its `token-spec.toml`) as a typed, redacted struct, for automation
//! written in Rust. Depends only on `tokenspec`, not on the command line tool.

pub use tokenspec::{LoadError, LoadOptions, Secret};

tokenspec::tokens!(pub struct CicdTokens, spec = "../token-spec.toml", class = "cicd");
