//! The start-up code order of cli/hot-text.ld (see bench/hot-text.py): the
//! linked binary has the `.text.hot` section, and the code every command
//! runs first lies inside it.

use object::{Object, ObjectSection, ObjectSymbol};

#[test]
fn start_up_code_lies_in_the_hot_section() {
    if option_env!("TOKENSPEC_HOT_TEXT_LINKED").is_none() {
        let why = "cli/build.rs left hot-text.ld out (not Linux glibc, a linker of the \
                   build's own, or TOKENSPEC_NO_HOT_TEXT set)";
        // CI builds for Linux glibc with the default linker: there it must run.
        let linux_gnu = cfg!(all(target_os = "linux", target_env = "gnu"));
        assert!(
            !(linux_gnu && std::env::var("CI").as_deref() == Ok("true")),
            "{why}"
        );
        eprintln!("SKIPPED start_up_code_lies_in_the_hot_section: {why}");
        return;
    }
    let bytes = std::fs::read(env!("CARGO_BIN_EXE_tokenspec")).unwrap();
    let file = object::File::parse(&*bytes).unwrap();
    let hot = file
        .section_by_name(".text.hot")
        .expect("the binary has a .text.hot section");
    let range = hot.address()..hot.address() + hot.size();
    let place = |wanted: &dyn Fn(&str) -> bool| {
        file.symbols()
            .filter(|symbol| symbol.name().is_ok_and(wanted))
            .map(|symbol| symbol.address())
            .collect::<Vec<_>>()
    };
    // The C entry point, Rust's `main` shim, and the CLI's own entry (a
    // legacy-mangled name whose hash differs between builds).
    for (what, addresses) in [
        ("_start", place(&|name| name == "_start")),
        ("main", place(&|name| name == "main")),
        (
            "tokenspec_cli::main",
            place(&|name| name.starts_with("_ZN13tokenspec_cli4main17h")),
        ),
    ] {
        assert!(!addresses.is_empty(), "{what}: no such symbol");
        for address in addresses {
            assert!(
                range.contains(&address),
                "{what} at {address:#x}, outside .text.hot {range:x?}"
            );
        }
    }
    let text = file.section_by_name(".text").expect("a .text section");
    assert!(
        text.size() > hot.size(),
        "the rest of the code stays in .text"
    );
}
