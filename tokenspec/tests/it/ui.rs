//! Every compile error the `tokens!` macro can give, as trybuild UI tests.
//! Regenerate the `.stderr` snapshots with `TRYBUILD=overwrite cargo test -p tokenspec`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass_*.rs");
    t.compile_fail("tests/ui/err_*.rs");
}
