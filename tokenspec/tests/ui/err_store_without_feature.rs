tokenspec::tokens!(pub struct Tokens, spec = "specs/store.toml", class = "runtime");

fn main() {}
