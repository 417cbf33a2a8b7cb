//! Rule `permissions`: a secret file must be private to its owner (0600).
//!
//! `load`, `export` and `run` only warn, so a pipeline is never blocked by a
//! mode; the audit is where it fails.

use super::files::TokenFile;
use super::{Finding, Rule};

/// Bits that give group or others any access.
pub const SHARED_BITS: u32 = 0o077;

/// Whether `file` should be made 0600 (committed CI files are public anyway).
pub fn too_open(file: &TokenFile) -> Option<u32> {
    file.mode
        .filter(|m| !file.is_committed() && m & SHARED_BITS != 0)
}

pub fn check(file: &TokenFile, out: &mut Vec<Finding>) {
    if let Some(mode) = too_open(file) {
        let name = &file.name;
        out.push(
            Finding::error(
                Rule::Permissions,
                format!("{name} is readable or writable by group or others (mode {mode:04o})"),
            )
            .at(name.clone(), None)
            .help(format!("chmod 600 {name} (or `tokenspec check --fix`)")),
        );
    }
}
