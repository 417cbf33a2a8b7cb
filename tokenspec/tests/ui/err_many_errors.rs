tokenspec::tokens!(pub struct Tokens, spec = "specs/many_errors.toml", class = "runtime");

fn main() {}
