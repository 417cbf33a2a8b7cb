//! Writing request bodies straight into one zeroized buffer, so a value is
//! never copied into an intermediate JSON tree that is freed unzeroized.

/// Appends `s` as a JSON string literal (serde_json does the escaping).
pub(crate) fn push_str(buf: &mut Vec<u8>, s: &str) {
    serde_json::to_writer(&mut *buf, s).expect("writing JSON to a Vec cannot fail");
}
