tokenspec::tokens!(pub struct Tokens, spec = "specs/toml_syntax.toml", class = "runtime");

fn main() {}
