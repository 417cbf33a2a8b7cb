//! Writing request bodies straight into one zeroized buffer, so a value is
//! never copied into an intermediate JSON tree that is freed unzeroized.

use std::collections::BTreeMap;

use tokenspec_core::Secret;
use zeroize::Zeroizing;

/// Appends `s` as a JSON string literal (serde_json does the escaping).
pub(crate) fn push_str(buf: &mut Vec<u8>, s: &str) {
    serde_json::to_writer(&mut *buf, s).expect("writing JSON to a Vec cannot fail");
}

/// The body of a KV v2 write: `{"options":{"cas":N},"data":{…}}`, with the
/// string `values` and the `other` keys' JSON text as they are. A key in
/// both is written once, from `values`.
pub(crate) fn write_body(
    values: &BTreeMap<String, Secret>,
    other: &BTreeMap<String, Secret>,
    cas: u64,
) -> Zeroizing<Vec<u8>> {
    let mut body = Zeroizing::new(Vec::with_capacity(256));
    body.extend_from_slice(format!("{{\"options\":{{\"cas\":{cas}}},\"data\":{{").as_bytes());
    let strings = values.iter().map(|(k, v)| (k, v, true));
    let raw = other
        .iter()
        .filter(|(k, _)| !values.contains_key(*k))
        .map(|(k, v)| (k, v, false));
    for (i, (key, value, is_string)) in strings.chain(raw).enumerate() {
        if i > 0 {
            body.push(b',');
        }
        push_str(&mut body, key);
        body.push(b':');
        if is_string {
            push_str(&mut body, value.expose_secret());
        } else {
            body.extend_from_slice(value.expose_secret().as_bytes());
        }
    }
    body.extend_from_slice(b"}}");
    body
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{json, Value};

    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, Secret> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Secret::new(*v)))
            .collect()
    }

    #[test]
    fn other_keys_go_in_as_json_and_values_win() {
        let body = write_body(
            &map(&[("A", "1")]),
            &map(&[("A", "2"), ("N", "[1,{\"x\":null}]")]),
            3,
        );
        let parsed: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            parsed,
            json!({"options": {"cas": 3}, "data": {"A": "1", "N": [1, {"x": null}]}})
        );
        let empty: Value =
            serde_json::from_slice(&write_body(&BTreeMap::new(), &BTreeMap::new(), 0)).unwrap();
        assert_eq!(empty, json!({"options": {"cas": 0}, "data": {}}));
    }

    proptest! {
        #[test]
        fn any_keys_and_values_survive_the_body(
            pairs in proptest::collection::btree_map(any::<String>(), any::<String>(), 0..8),
            cas in any::<u64>(),
        ) {
            let values: BTreeMap<String, Secret> = pairs.iter().map(|(k, v)| (k.clone(), Secret::new(v.clone()))).collect();
            let parsed: Value = serde_json::from_slice(&write_body(&values, &BTreeMap::new(), cas)).unwrap();
            prop_assert_eq!(parsed["options"]["cas"].as_u64(), Some(cas));
            let data = parsed["data"].as_object().unwrap();
            prop_assert_eq!(data.len(), pairs.len());
            for (k, v) in &pairs {
                prop_assert_eq!(data[k].as_str(), Some(v.as_str()));
            }
        }
    }
}
