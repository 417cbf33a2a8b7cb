//! The `tokenspec` crate's one integration-test binary: the macro's compile
//! errors (trybuild), and services outside this workspace built and run for
//! real, with and without the `store` feature.

mod outside;
mod outside_crate;
mod outside_store;
mod ui;
