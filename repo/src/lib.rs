//! What `tokenspec` does to a repository's files, as a library: the policy
//! audit behind `check` ([`audit`]), the lossless move of tokens between
//! class files behind `migrate` ([`migrate`]), and writing the generated
//! files behind `gen` ([`generate`]).
//!
//! Library code: it returns findings, plans and errors as data and prints
//! nothing; the command line (`tokenspec-cli`) renders them.

pub mod audit;
pub mod generate;
pub mod init;
pub mod migrate;

/// An I/O error in the lowercase house style, without the `(os error N)` tail.
pub fn io_message(e: &std::io::Error) -> String {
    let text = e.to_string();
    let text = match text.find(" (os error") {
        Some(i) => &text[..i],
        None => &text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text.to_owned(),
    }
}
