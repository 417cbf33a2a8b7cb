tokenspec::tokens!(pub struct Tokens, spec = "specs/invalid_regex.toml", class = "runtime");

fn main() {}
