tokenspec::tokens!(pub struct Tokens, spec = "specs/ci_value_format.toml", class = "runtime");

fn main() {}
