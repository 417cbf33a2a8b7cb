//! A token value that cannot be printed by accident.

use std::fmt;

use secrecy::{ExposeSecret, SecretBox, SecretString};
use zeroize::Zeroize;

/// A secret token value, zeroized on drop (via `secrecy`).
///
/// What zeroization covers: the token files' text as the loader reads it
/// ([`crate::file::read_regular`], [`crate::file::read_token_text`]) and every `Secret`, taken over without
/// a reallocation that would free an unzeroized copy. What it does not: the
/// parsed entries of a [`crate::dotenv::Document`], values in the process
/// environment, the file text `migrate` and `init` rewrite, and copies a
/// caller makes with [`Secret::expose_secret`]. Those are plain `String`s:
/// for them zeroization is best effort.
///
/// `Debug` shows a redaction; there is no `Display` and no `Serialize`.
/// The value is reached only through [`Secret::expose_secret`].
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Takes `value` over. `SecretString::from(String)` shrinks a `String`
    /// whose capacity exceeds its length, which frees the old buffer
    /// unzeroized: such a value is copied into an exact-size buffer instead,
    /// and the original is zeroized, spare capacity included.
    pub fn new(value: impl Into<String>) -> Self {
        let mut value: String = value.into();
        if value.capacity() == value.len() {
            return Secret(SecretString::from(value));
        }
        let exact = SecretBox::new(Box::<str>::from(value.as_str()));
        value.zeroize();
        Secret(exact)
    }

    /// The value. Every call site that reads a secret is greppable.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl ExposeSecret<str> for Secret {
    fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

/// How a generated struct's `Debug` shows a field: `<set>` or `<unset>`, never the value.
pub struct Presence(pub bool);

impl fmt::Debug for Presence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0 { "<set>" } else { "<unset>" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_with_spare_capacity_is_kept_whole() {
        let mut spare = String::with_capacity(64);
        spare.push_str("ghp_spare");
        assert_eq!(Secret::new(spare).expose_secret(), "ghp_spare");
        assert_eq!(Secret::new("exact".to_owned()).expose_secret(), "exact");
        assert_eq!(Secret::new(String::new()).expose_secret(), "");
    }

    #[test]
    fn debug_is_redacted() {
        let s = Secret::new("hunter2-very-secret");
        let shown = format!("{s:?} {:?} {:#?}", Some(&s), vec![s.clone()]);
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("REDACTED"));
        assert_eq!(s.expose_secret(), "hunter2-very-secret");
    }
}
