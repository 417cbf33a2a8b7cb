//! Integration tests of the `tokenspec` binary: each runs the real executable
//! in a temporary project with a cleared environment (CI runs the suite with
//! `CI=true`, which must not leak into the child).

mod basics;
mod env_rules;
mod export;
mod info;
mod load;
mod redaction;
mod roundtrip;
mod run;
mod support;
mod validate;
