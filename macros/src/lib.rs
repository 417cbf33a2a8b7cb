//! `tokens!`: a typed, redacted struct of one class's tokens from `token-spec.toml`.
//!
//! A thin shim: parsing, validation and code generation live in
//! `tokenspec-spec` (`codegen`), where they are unit-tested.
//!
//! ```ignore
//! tokenspec_macros::tokens!(pub struct RuntimeTokens, spec = "../token-spec.toml", class = "runtime");
//! ```
//!
//! A relative `spec` path is resolved against the calling crate's root
//! (`CARGO_MANIFEST_DIR`), then against the folder of the invoking file.

use std::path::PathBuf;

use proc_macro::TokenStream;

#[proc_macro]
pub fn tokens(input: TokenStream) -> TokenStream {
    let mut dirs = Vec::new();
    if let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR") {
        dirs.push(PathBuf::from(dir));
    }
    if let Some(dir) = proc_macro::Span::call_site()
        .local_file()
        .and_then(|f| f.parent().map(PathBuf::from))
    {
        dirs.push(dir);
    }
    let input = syn::parse_macro_input!(input as tokenspec_spec::codegen::Input);
    tokenspec_spec::codegen::expand(&input, &dirs).into()
}
