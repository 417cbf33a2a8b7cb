//! A service's start-up: load the runtime tokens from the current directory
//! by the spec's rules and show which are set (never their values).
//!
//! `cargo run -p tokenspec-runtime --example service` exits 0 when every
//! required token is present and valid, else 1 with the report on stderr.

use std::process::ExitCode;

use tokenspec_runtime::RuntimeTokens;

fn main() -> ExitCode {
    match RuntimeTokens::load() {
        Ok(tokens) => {
            println!("{tokens:?}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
