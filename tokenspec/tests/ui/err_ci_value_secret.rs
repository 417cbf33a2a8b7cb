tokenspec::tokens!(pub struct Tokens, spec = "specs/ci_value_secret.toml", class = "runtime");

fn main() {}
