fn main() {
    std::process::exit(tokenspec_cicd::cli::main());
}
