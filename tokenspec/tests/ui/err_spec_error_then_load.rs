// A spec mistake is one error: the code using the struct adds none.
tokenspec::tokens!(pub struct Tokens, spec = "specs/invalid_name.toml", class = "runtime");

fn main() -> Result<(), tokenspec::LoadError> {
    let tokens = Tokens::load()?;
    println!("{tokens:?}");
    let again = Tokens::load_from(".", Some("dev"))?.clone();
    let _ = (again, Tokens::NAMES, Tokens::defs());
    Ok(())
}
