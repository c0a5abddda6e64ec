//! One value of a rendered user document, borrowing what it can from the user and the org.
//!
//! The mapping's rows render into this instead of a `serde_json::Value`: a document sent as it
//! is rendered (`mapping::UserDocument`, every answer of a read or a write without a
//! projection) serializes it straight to bytes, with no key strings allocated, hashed or
//! freed; code that needs the tree (filters, projections, PATCH) turns it into a `Value`
//! with [`DocValue::into_value`]. Both give the same JSON: objects keep their keys in the
//! order written, as the tree does under `preserve_order` (a property test compares the bytes
//! of both forms for every user of generated orgs).

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value};

/// A JSON value of a user document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DocValue<'a> {
    /// A string held by the user or the org.
    Str(&'a str),
    /// A string made for this document (a phone's tel URI, a time).
    String(String),
    /// `{base}/{collection}/{id}`: a `$ref` or a `location`, written without building it.
    Url {
        base: &'a str,
        collection: &'static str,
        id: &'a str,
    },
    Bool(bool),
    /// A number as `serde_json` writes an `f64`: `null` when not finite.
    F64(f64),
    /// Keys in the order they are written.
    Object(Vec<(&'static str, DocValue<'a>)>),
    Array(Vec<DocValue<'a>>),
}

impl DocValue<'_> {
    /// The same value as a tree.
    pub(crate) fn into_value(self) -> Value {
        match self {
            Self::Str(s) => Value::String(s.to_owned()),
            Self::String(s) => Value::String(s),
            Self::Url {
                base,
                collection,
                id,
            } => Value::String(format!("{base}/{collection}/{id}")),
            Self::Bool(b) => Value::Bool(b),
            Self::F64(f) => Value::from(f),
            Self::Object(pairs) => {
                let mut map = Map::with_capacity(pairs.len());
                for (k, v) in pairs {
                    map.insert(k.to_owned(), v.into_value());
                }
                Value::Object(map)
            }
            Self::Array(items) => Value::Array(items.into_iter().map(Self::into_value).collect()),
        }
    }
}

impl Serialize for DocValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Str(v) => s.serialize_str(v),
            Self::String(v) => s.serialize_str(v),
            Self::Url {
                base,
                collection,
                id,
            } => s.collect_str(&format_args!("{base}/{collection}/{id}")),
            Self::Bool(b) => s.serialize_bool(*b),
            Self::F64(f) if f.is_finite() => s.serialize_f64(*f),
            Self::F64(_) => s.serialize_unit(),
            Self::Object(pairs) => {
                let mut map = s.serialize_map(Some(pairs.len()))?;
                for (k, v) in pairs {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
            Self::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for v in items {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn bytes_and_tree_are_the_same_json() {
        let v = DocValue::Object(vec![
            ("value", DocValue::Str("a\"b\\c\u{1}é")),
            (
                "$ref",
                DocValue::Url {
                    base: "http://h/scim",
                    collection: "Users",
                    id: "x\"y",
                },
            ),
            (
                "list",
                DocValue::Array(vec![
                    DocValue::Bool(true),
                    DocValue::F64(2.5),
                    DocValue::F64(3.0),
                    DocValue::F64(f64::NAN),
                    DocValue::String("s".into()),
                ]),
            ),
            ("empty", DocValue::Object(Vec::new())),
        ]);
        let bytes = serde_json::to_string(&v).unwrap();
        let tree = v.clone().into_value();
        assert_eq!(bytes, serde_json::to_string(&tree).unwrap());
        assert_eq!(
            tree,
            json!({"value": "a\"b\\c\u{1}é", "$ref": "http://h/scim/Users/x\"y",
                   "list": [true, 2.5, 3.0, null, "s"], "empty": {}})
        );
        assert_eq!(serde_json::to_value(&v).unwrap(), tree);
    }
}
