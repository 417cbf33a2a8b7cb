//! The shared token loader. Services link this (through the `tokenspec` crate),
//! so it never parses TOML: token definitions arrive as plain data, emitted
//! by the proc-macro or built by the command line tool from the spec.

pub mod def;
pub mod dotenv;
pub mod dotenv_write;
pub mod env;
pub mod file;
pub mod format;
pub mod help;
pub mod load;
pub mod secret;
pub mod store_def;
pub mod suggest;
pub mod table;

pub use def::{Class, Deprecation, Required, TokenDef};
pub use format::Format;
pub use help::Help;
pub use load::{LoadError, LoadOptions, Problem, Resolution, Setting, Source, State, StoreLayer};
pub use secret::Secret;
