tokenspec::tokens!(pub struct Tokens, spec = "specs/valid.toml", klass = "runtime");

fn main() {}
