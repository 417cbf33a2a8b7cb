//! The CI/CD side: `CicdTokens` for automation written in Rust, and the
//! `tokenspec` command line tool (its modules live here so tests can reach them).

pub mod cli;
