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

/// A server's answer as JSON, refusing any object that gives a key twice
/// (serde_json would keep the last silently, so two readers of the same
/// answer could disagree about a value). The error names the key, never a
/// value.
pub(crate) fn parse_strict(text: &str) -> Result<serde_json::Value, String> {
    use serde::de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Strict.deserialize(&mut de).map_err(|e| {
        let text = e.to_string();
        match text.strip_prefix("duplicate key ") {
            Some(rest) => format!(
                "the answer gives the key {} twice",
                rest.split(" at line").next().unwrap_or(rest)
            ),
            None => "the body is not the JSON KV v2 sends".to_owned(),
        }
    })?;
    de.end()
        .map_err(|_| "the body is not the JSON KV v2 sends".to_owned())?;
    Ok(value)
}

/// Builds a `serde_json::Value`, failing on a duplicate object key.
#[derive(Clone, Copy)]
struct Strict;

impl<'de> serde::de::DeserializeSeed<'de> for Strict {
    type Value = serde_json::Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Strict {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Strict)? {
            items.push(item);
        }
        Ok(serde_json::Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(serde::de::Error::custom(format_args!(
                    "duplicate key `{key}`"
                )));
            }
            let value = map.next_value_seed(Strict)?;
            object.insert(key, value);
        }
        Ok(serde_json::Value::Object(object))
    }
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
    fn a_key_given_twice_is_refused_at_any_depth() {
        assert_eq!(
            parse_strict(r#"{"data":{"data":{"A":"1","A":"2"}}}"#).unwrap_err(),
            "the answer gives the key `A` twice"
        );
        assert!(parse_strict(r#"{"data":1,"data":2}"#).is_err());
        assert!(parse_strict(r#"[{"x":[{"k":1,"k":1}]}]"#).is_err());
        assert_eq!(
            parse_strict(r#"{"a":[1,2.5,null,true,"s",{"b":{}}]}"#).unwrap(),
            json!({"a":[1,2.5,null,true,"s",{"b":{}}]})
        );
        assert!(parse_strict("{} x").is_err());
        assert!(parse_strict("nope").is_err());
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
