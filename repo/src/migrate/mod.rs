//! `tokenspec migrate` as a library: move each token into its class's files.
//!
//! - [`plan`] is pure: from the spec's catalog and the text of each pair of
//!   files (`.env*` ↔ `.tokens*`) it computes the new text of every file, the
//!   moves, and the problems that forbid any change. Every byte that does not
//!   move is kept; a moved entry keeps its exact source text.
//! - [`mask`] renders files and diffs for `--dry-run` without any value character.
//! - [`write`] backs files up and replaces them atomically.
//!
//! The command in `cli::migrate` only reads files, prints and calls these.

pub mod mask;
pub mod plan;
pub mod write;

pub use plan::{
    plan, Catalog, FileChange, FileInput, HazardLine, Loc, Move, MoveKind, PairInput, PairPlan,
    Plan, Problem, Unknown,
};
