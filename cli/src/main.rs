fn main() {
    std::process::exit(tokenspec_cli::main());
}
