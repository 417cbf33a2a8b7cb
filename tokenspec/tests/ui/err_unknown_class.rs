tokenspec::tokens!(pub struct Tokens, spec = "specs/unknown_class.toml", class = "runtime");

fn main() {}
