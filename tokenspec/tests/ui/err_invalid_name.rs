tokenspec::tokens!(pub struct Tokens, spec = "specs/invalid_name.toml", class = "runtime");

fn main() {}
