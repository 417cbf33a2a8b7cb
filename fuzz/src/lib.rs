//! Shared by the fuzz targets: where the code under test lives, so a move
//! of a module is one edit here (package names and paths are in Cargo.toml).

pub use cli::export;
pub use cli::github;
pub use repo::render;
pub use repo::workflows;
pub use spec::Spec;
pub use tokenspec_core::dotenv;
pub use tokenspec_core::dotenv_write;
pub use tokenspec_core::load;
pub use tokenspec_core::{Class, Deprecation, Format, LoadOptions, Required, TokenDef};

pub mod shell;
