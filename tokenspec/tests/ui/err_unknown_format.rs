tokenspec::tokens!(pub struct Tokens, spec = "specs/unknown_format.toml", class = "runtime");

fn main() {}
