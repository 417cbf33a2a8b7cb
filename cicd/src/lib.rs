//! The CI/CD side: [`CicdTokens`] for automation written in Rust, and the
//! `tokenspec` command line tool (its modules live here so tests can reach them).

pub mod check;
pub mod cli;
pub mod migrate;

tokenspec_macros::tokens!(pub struct CicdTokens, spec = "../token-spec.toml", class = "cicd");
