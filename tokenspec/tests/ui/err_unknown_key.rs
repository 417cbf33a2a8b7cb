tokenspec::tokens!(pub struct Tokens, spec = "specs/unknown_key.toml", class = "runtime");

fn main() {}
