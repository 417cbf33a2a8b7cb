#![deny(deprecated)]
tokenspec::tokens!(pub struct Tokens, spec = "specs/valid.toml", class = "runtime");

fn main() {
    let t = Tokens::load().unwrap();
    let _ = t.old_token;
}
