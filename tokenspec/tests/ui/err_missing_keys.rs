tokenspec::tokens!(pub struct Tokens, spec = "specs/missing_keys.toml", class = "runtime");

fn main() {}
