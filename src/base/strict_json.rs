//! JSON parsing that refuses duplicate object keys.
//!
//! `serde_json` keeps the last of two equal keys without a word, so `{"userName": "a",
//! "userName": "b"}` would be stored as `b` while a client's own log shows `a`. RFC 8259 §4
//! says names SHOULD be unique and leaves the rest to the receiver; a test double should
//! point the ambiguity out. serde_json has no option for it, so a small visitor builds the
//! same [`Value`] and fails on the second occurrence of a key (its error carries the line and
//! column as usual). Depth stays bounded by serde_json's recursion limit.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Number, Value};

/// Parses `bytes` as JSON, failing on a duplicate key in any object.
pub(crate) fn parse(bytes: &[u8]) -> serde_json::Result<Value> {
    serde_json::from_slice::<Strict>(bytes).map(|s| s.0)
}

/// [`parse`] for a value inside a document serde is already reading
/// (`#[serde(deserialize_with = "crate::base::strict_json::value")]`): fixture files' maps of
/// free-form values.
pub(crate) fn value<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
    Strict::deserialize(d).map(|s| s.0)
}

struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Strict::deserialize(d).map(|s| s.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            // One hash per key: the free slot is held while the value is parsed.
            match out.entry(key) {
                Entry::Occupied(seen) => {
                    return Err(de::Error::custom(format!("duplicate key {:?}", seen.key())));
                }
                Entry::Vacant(slot) => {
                    let Strict(v) = map.next_value()?;
                    slot.insert(v);
                }
            }
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::parse;

    #[test]
    fn the_same_value_as_serde_json_without_duplicates() {
        let text = br#"{"a": [1, -2, 3.5, true, null, {"b": "c"}], "d": {"e": {}}, "f": "\u00e9"}"#;
        assert_eq!(
            parse(text).unwrap(),
            serde_json::from_slice::<serde_json::Value>(text).unwrap()
        );
        assert_eq!(
            parse(b"12345678901234567890").unwrap(),
            json!(12345678901234567890u64)
        );
    }

    #[test]
    fn duplicate_keys_at_any_depth_are_refused() {
        for text in [
            &br#"{"userName": "a", "userName": "b"}"#[..],
            br#"{"emails": [{"value": "x", "value": "y"}]}"#,
            br#"{"a": {"b": {"c": 1, "c": 1}}}"#,
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.to_string().contains("duplicate key"), "{e}");
        }
        // The same key in sibling objects is fine.
        parse(br#"[{"a": 1}, {"a": 2}]"#).unwrap();
    }
}
