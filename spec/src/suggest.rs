//! "Did you mean …?": the one suggestion rule, kept in `tokenspec-core` so
//! that the loader's environment check uses it too.

pub use tokenspec_core::suggest::{did_you_mean, nearest};
