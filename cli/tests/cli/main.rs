//! Integration tests of the `tokenspec` binary: each runs the real executable
//! in a temporary project (a git repository for `check`) with a cleared
//! environment (CI runs the suite with `CI=true`, which must not leak into the
//! child). `migrate` also property-tests its planner in-process.

mod basics;
mod check;
mod ci_env;
mod committed;
mod env_rules;
mod export;
mod gen;
mod handoff;
mod hardening;
mod info;
mod init;
mod load;
mod migrate;
mod non_rust;
mod process_safety;
mod redaction;
mod roundtrip;
mod run;
mod special_values;
mod store;
mod support;
mod validate;
mod workflows;
