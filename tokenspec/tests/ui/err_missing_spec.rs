tokenspec::tokens!(pub struct Tokens, spec = "specs/no_such_file.toml", class = "runtime");

fn main() {}
