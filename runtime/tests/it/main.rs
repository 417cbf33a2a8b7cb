//! The runtime crate's one integration-test binary: the loader's rules
//! through `RuntimeTokens`, and the `service` example run as a process.

mod load;
mod service_example;
