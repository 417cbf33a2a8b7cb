tokenspec::tokens!(pub struct Tokens, spec = "specs/duplicate_name.toml", class = "runtime");

fn main() {}
