//! The `tokens!` proc-macro behind `tokenspec::tokens!`. Depend on the
//! `tokenspec` crate, which re-exports it together with everything the
//! expansion needs; this crate is only the compiler entry point.
//!
//! A thin shim: parsing, validation and code generation live in
//! `tokenspec-codegen`, where they are unit-tested.
//!
//! A relative `spec` path is resolved against the calling crate's root
//! (`CARGO_MANIFEST_DIR`), then against the folder of the invoking file.

use std::path::PathBuf;

use proc_macro::TokenStream;

/// `tokens!(pub struct AppTokens, spec = "token-spec.toml", class = "runtime")`:
/// a typed, redacted struct of one class's tokens. See the `tokenspec` crate.
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
    match tokenspec_codegen::Input::parse(input.into()) {
        Ok(input) => tokenspec_codegen::expand(&input, &dirs).into(),
        Err(e) => e.to_compile_error().into(),
    }
}
