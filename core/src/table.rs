//! What a `tokens!` struct does with its table of definitions.
//!
//! The macro emits the definitions as one `static` array and, per token,
//! only its field and the expression that fills it; loading, `NAMES`,
//! `Debug` and the required-token check are these loops over the table.
//! So a spec of 1,000 tokens expands to data and a few hundred bytes per
//! token, not to code that grows with every token (that unrolled code was
//! most of a rebuild after a spec edit).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use crate::def::{Class, Deprecation, Required, TokenDef};
use crate::format::Format;
use crate::load::{LoadError, Problem, Resolution};
use crate::secret::{Presence, Secret};

/// One row of the table, as a `const fn` so the table is a constant.
pub const fn def(
    name: &'static str,
    class: Class,
    description: &'static str,
    required: Required,
    format: Format,
    ci_value: &'static str,
    deprecated: Option<Deprecation>,
) -> TokenDef {
    TokenDef {
        name: Cow::Borrowed(name),
        class,
        description: Cow::Borrowed(description),
        required,
        format,
        ci_value: Cow::Borrowed(ci_value),
        deprecated,
    }
}

/// The names of a table's tokens, in order, for the struct's `NAMES`.
pub const fn names<const N: usize>(defs: &[TokenDef; N]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = match defs[i].name {
            Cow::Borrowed(name) => name,
            // Rows are built by `def`, which only borrows.
            Cow::Owned(_) => "",
        };
        i += 1;
    }
    out
}

/// The values of a table's tokens, taken in table order to fill the
/// struct's fields.
pub struct Values(std::vec::IntoIter<Option<Secret>>);

impl Values {
    /// The value of each token of `defs` in `resolution`, or an error naming
    /// every always-required token without one, in table order.
    pub fn take(resolution: &Resolution<'_>, defs: &[TokenDef]) -> Result<Values, LoadError> {
        // The first token of each name, as `Resolution::value` finds it.
        let mut by_name: HashMap<&str, Option<&Secret>> =
            HashMap::with_capacity(resolution.tokens.len());
        for t in &resolution.tokens {
            by_name
                .entry(t.def.name.as_ref())
                .or_insert(t.value.as_ref());
        }
        let values: Vec<Option<Secret>> = defs
            .iter()
            .map(|d| by_name.get(d.name.as_ref()).copied().flatten().cloned())
            .collect();
        let problems: Vec<Problem> = defs
            .iter()
            .zip(&values)
            .filter(|(d, v)| d.required.is_always() && v.is_none())
            .map(|(d, _)| Problem::Missing {
                name: d.name.to_string(),
                env: None,
                looked_in: Vec::new(),
            })
            .collect();
        if problems.is_empty() {
            Ok(Values(values.into_iter()))
        } else {
            Err(LoadError { problems })
        }
    }

    /// The next token's value, for an always-required field.
    pub fn required(&mut self) -> Secret {
        self.optional()
            .expect("`Values::take` checked every always-required token")
    }

    /// The next token's value, for an `Option<Secret>` field.
    pub fn optional(&mut self) -> Option<Secret> {
        self.0.next().flatten()
    }
}

/// `Debug` of a generated struct: each token's field name and `<set>` or
/// `<unset>`, never a value. `optional_set` holds whether each token that
/// is not always required is set, in table order; always-required ones are
/// set by construction.
pub fn debug(
    f: &mut fmt::Formatter<'_>,
    struct_name: &str,
    defs: &[TokenDef],
    optional_set: &[bool],
) -> fmt::Result {
    let mut out = f.debug_struct(struct_name);
    let mut optional = optional_set.iter();
    for d in defs {
        let set = d.required.is_always() || optional.next().copied().unwrap_or(false);
        // The field name, as `tokens!` derives it from the token name.
        out.field(&d.name.to_ascii_lowercase(), &Presence(set));
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{resolve, LoadOptions};

    static DEFS: [TokenDef; 3] = [
        def(
            "A_KEY",
            Class::Runtime,
            "a",
            Required::Always,
            Format::Any,
            "ci_test_a_key",
            None,
        ),
        def(
            "B_KEY",
            Class::Runtime,
            "b",
            Required::Never,
            Format::Any,
            "ci_test_b_key",
            None,
        ),
        def(
            "C_KEY",
            Class::Runtime,
            "c",
            Required::Always,
            Format::Any,
            "ci_test_c_key",
            None,
        ),
    ];

    fn resolution(vars: &[(&str, &str)]) -> Resolution<'static> {
        let dir = std::env::temp_dir().join("tokenspec-table-test-no-such-dir");
        resolve(
            &DEFS,
            &LoadOptions::new(dir, None).with_vars(vars.iter().copied()),
        )
    }

    #[test]
    fn names_follow_the_table() {
        assert_eq!(names(&DEFS), ["A_KEY", "B_KEY", "C_KEY"]);
    }

    #[test]
    fn values_come_in_table_order() {
        let res = resolution(&[("A_KEY", "a1"), ("C_KEY", "c1")]);
        let mut v = Values::take(&res, &DEFS).unwrap();
        assert_eq!(v.required().expose_secret(), "a1");
        assert!(v.optional().is_none());
        assert_eq!(v.required().expose_secret(), "c1");
    }

    #[test]
    fn every_missing_required_token_is_named_in_table_order() {
        let res = resolution(&[("B_KEY", "b1")]);
        let err = Values::take(&res, &DEFS).err().expect("two are missing");
        let missing = |name: &str| Problem::Missing {
            name: name.into(),
            env: None,
            looked_in: Vec::new(),
        };
        assert_eq!(err.problems, [missing("A_KEY"), missing("C_KEY")]);
    }

    struct Shown;

    impl fmt::Debug for Shown {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            debug(f, "Tokens", &DEFS, &[false])
        }
    }

    #[test]
    fn debug_shows_field_names_and_presence() {
        assert_eq!(
            format!("{Shown:?}"),
            "Tokens { a_key: <set>, b_key: <unset>, c_key: <set> }"
        );
    }
}
