//! The workflow reader on any text never panics and answers within its
//! bounds; every place it reports is inside the file, and a reference's
//! line holds the context word it was found by (`secrets` or `github`)
//! unless an escape spelled it.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tokenspec_fuzz::workflows;

fuzz_target!(|data: &[u8]| {
    let src = String::from_utf8_lossy(data);
    let lines = src.split('\n').count();
    match workflows::parse(".github/workflows/f.yml", &src) {
        Ok(w) => {
            for r in &w.references {
                assert!(r.line >= 1 && r.line <= lines, "{r:?}");
            }
            for i in &w.inherits {
                assert!(i.line >= 1 && i.line <= lines, "{i:?}");
            }
            for x in &w.writes {
                assert!(x.line >= 1 && x.line <= lines, "{x:?}");
                assert!(!x.names.is_empty());
            }
        }
        Err(f) => assert!(f.line >= 1 && f.line <= lines.max(1) + 1, "{f:?}"),
    }
});
