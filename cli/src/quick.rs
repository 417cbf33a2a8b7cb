//! `export` and `run` through the loader's fast path
//! ([`tokenspec_core::load::fast`]): the tokens' values borrowed from the
//! files and the process environment, with no per-token copies (what a
//! 100k-token export needs).
//!
//! It answers only when there is nothing to report, and only for a plain
//! command (no `--as`, no `--with-settings`, no store serving the
//! environment); otherwise the command runs `resolve` as usual, which
//! reports every problem and warning. Both give the same tokens (a
//! proptest in `core` holds them equal).

use tokenspec_core::load::fast;

use super::handoff::Rename;
use super::{store, Context, TypeArg};

/// What a command does with the tokens' names and values, in spec order.
/// A trait with a generic method, not a closure, so one consumer takes
/// the iterator of either kind of definition.
pub trait Consume {
    type Output;
    fn consume<'a>(self, tokens: impl Iterator<Item = (&'a str, &'a str)> + Clone) -> Self::Output;
}

/// `consumer`'s output over the tokens of `type_`, or `None` when the
/// fast path does not answer (`--as` or `--with-settings` given, the store
/// serving the environment, anything to report) and the command must
/// resolve as usual.
pub fn tokens<C: Consume>(
    cx: &Context,
    type_: TypeArg,
    renames: &[Rename],
    with_settings: bool,
    consumer: C,
) -> Option<C::Output> {
    if !renames.is_empty() || with_settings || store::serving(cx).is_some() {
        return None;
    }
    let opts = cx.load_options();
    let files = fast::Files::read(&opts, type_.classes())?;
    let defs = cx.defs(type_);
    let picked = fast::pick(defs.iter(), &opts, &files)?;
    Some(consumer.consume(picked.values()))
}
