tokenspec::tokens!(
    /// The service's tokens.
    pub struct Tokens,
    spec = "specs/valid.toml",
    class = "runtime",
);

fn main() {
    let dir = std::env::temp_dir();
    let opts = tokenspec::LoadOptions::new(dir, None).with_vars([("API_TOKEN", "x")]);
    let t = Tokens::load_with(&opts).unwrap();
    let _: &tokenspec::Secret = &t.api_token;
    let _: &Option<tokenspec::Secret> = &t.optional_key;
    assert_eq!(Tokens::NAMES, ["API_TOKEN", "OPTIONAL_KEY", "OLD_TOKEN"]);
    assert_eq!(format!("{t:?}"), "Tokens { api_token: <set>, optional_key: <unset>, old_token: <unset> }");
}
