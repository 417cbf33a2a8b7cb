tokenspec::tokens!(pub struct Tokens, spec = "specs/valid.toml", class = "both");

fn main() {}
