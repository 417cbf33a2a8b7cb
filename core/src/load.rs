//! Layered resolution of token values.
//!
//! Precedence, highest first: the process environment (the token's own
//! name, then its `aliases`) > the store (a [`StoreLayer`] fetched by
//! `tokenspec-store` for an environment the spec's `[store]` serves) >
//! `.<base>.<env>` > `.<base>`. With `[store] files = false` the files of a
//! store-served class are not read at all. An empty value
//! counts as unset in every layer, and a placeholder never shadows a real
//! value in a lower layer (the replaced system let CI placeholders "protect"
//! themselves over real values).
//!
//! Placeholders: a `CHANGE_ME_*` value (what `tokenspec load` writes into a
//! new file) never counts as set. In the `ci` environment another
//! placeholder counts as set only when it comes from the committed CI file
//! of its class (`.tokens.ci`, `.env.ci`) or is the token's own `ci_value`;
//! outside `ci` no placeholder counts.
//!
//! A layer matters only where its value would be used: once a higher layer
//! gives a value that counts, a `$` hazard, a NUL byte or a duplicate key
//! further down is not a problem of the load (`tokenspec check` still
//! reports it), and neither is a parse error in a file no token reached.

//!
//! The module in three parts: [`options`] (where to look: [`LoadOptions`],
//! [`StoreLayer`]), [`report`] (what a load tells: [`Resolution`],
//! [`Problem`], [`Warning`], [`LoadError`]) and [`resolve`](mod@resolve)
//! (the precedence rules: [`resolve()`], [`file_mode`]).

mod options;
mod report;
mod resolve;

pub use options::{LoadOptions, StoreLayer};
pub use report::{
    FileStatus, LoadError, Problem, Resolution, Resolved, Setting, Source, State, Warning,
};
pub use resolve::{file_mode, resolve};
