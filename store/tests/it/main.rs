//! Tests against a real OpenBao dev server (see `support`): each test starts
//! its own on a free loopback port and stops it.

mod auth;
mod failures;
mod kv;
mod policy;
mod retries;
mod support;
