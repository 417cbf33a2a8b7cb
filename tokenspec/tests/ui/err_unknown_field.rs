tokenspec::tokens!(pub struct Tokens, spec = "specs/valid.toml", class = "runtime");

fn main() {
    let t = Tokens::load().unwrap();
    // DEPLOY_KEY is a cicd token and REMOVED_TOKEN is not in the spec at all.
    let _ = t.deploy_key;
    let _ = t.removed_token;
}
