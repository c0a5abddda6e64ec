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
            } => Value::String(url(base, collection, id)),
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

impl DocValue<'_> {
    /// Appends this value's JSON to `out`: the bytes `serde_json`'s compact writer produces
    /// (a test and the mapping's property test compare them). Strings that need no escape,
    /// nearly all of a user document, are copied as they are; any other string is escaped by
    /// `serde_json` itself, so the two cannot disagree on an escape.
    pub(crate) fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            Self::Str(v) => write_str(out, v),
            Self::String(v) => write_str(out, v),
            Self::Url {
                base,
                collection,
                id,
            } => {
                if [*base, collection, id].iter().all(|p| plain(p)) {
                    out.push(b'"');
                    for part in [*base, "/", collection, "/", id] {
                        out.extend_from_slice(part.as_bytes());
                    }
                    out.push(b'"');
                } else {
                    write_str(out, &url(base, collection, id));
                }
            }
            Self::Bool(true) => out.extend_from_slice(b"true"),
            Self::Bool(false) => out.extend_from_slice(b"false"),
            // A `Vec` takes every write, so serde_json cannot fail here.
            Self::F64(f) if f.is_finite() => drop(serde_json::to_writer(&mut *out, f)),
            Self::F64(_) => out.extend_from_slice(b"null"),
            Self::Object(pairs) => {
                out.push(b'{');
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_str(out, k);
                    out.push(b':');
                    v.write_json(out);
                }
                out.push(b'}');
            }
            Self::Array(items) => {
                out.push(b'[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    v.write_json(out);
                }
                out.push(b']');
            }
        }
    }
}

/// Whether JSON writes `text` as it is between quotes: no control character, quote or
/// backslash (`serde_json` escapes nothing else).
fn plain(text: &str) -> bool {
    text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\')
}

/// A JSON string: copied when [`plain`], else escaped by `serde_json`.
pub(crate) fn write_str(out: &mut Vec<u8>, text: &str) {
    if plain(text) {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else {
        // A `Vec` takes every write, so serde_json cannot fail here.
        drop(serde_json::to_writer(&mut *out, text));
    }
}

/// `{base}/{collection}/{id}`, joined into one buffer: cheaper than `format!` or than
/// formatting the parts through the serializer's escaping writer (`collect_str`).
fn url(base: &str, collection: &str, id: &str) -> String {
    let mut url = String::with_capacity(base.len() + collection.len() + id.len() + 2);
    for part in [base, "/", collection, "/", id] {
        url.push_str(part);
    }
    url
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
            } => s.serialize_str(&url(base, collection, id)),
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
        let mut written = Vec::new();
        v.write_json(&mut written);
        assert_eq!(String::from_utf8(written).unwrap(), bytes);
        assert_eq!(
            tree,
            json!({"value": "a\"b\\c\u{1}é", "$ref": "http://h/scim/Users/x\"y",
                   "list": [true, 2.5, 3.0, null, "s"], "empty": {}})
        );
        assert_eq!(serde_json::to_value(&v).unwrap(), tree);
    }

    /// Every character below 0x80 and a few beyond, alone and at every place of longer text, in a string and
    /// in each part of a URL: the copied and the escaped paths write what serde_json writes.
    #[test]
    fn written_strings_match_serde_json_for_every_ascii_character() {
        // Alone, and at each place of a word and of the tail in longer text.
        let mut texts: Vec<String> = (0u8..0x80)
            .flat_map(|b| {
                let c = char::from(b);
                [0, 3, 7, 8, 12, 15, 16, 20]
                    .map(move |at| format!("{}{c}{}", "a".repeat(at), "b".repeat(20 - at)))
            })
            .collect();
        texts.extend((0u8..0x80).map(|b| char::from(b).to_string()));
        texts.extend(["é", "\u{2028}", "😀", "\u{7f}", ""].map(String::from));
        for t in &texts {
            for v in [
                DocValue::Str(t),
                DocValue::Url {
                    base: t,
                    collection: "Users",
                    id: "x",
                },
                DocValue::Url {
                    base: "http://h",
                    collection: "Users",
                    id: t,
                },
            ] {
                let mut written = Vec::new();
                v.write_json(&mut written);
                assert_eq!(written, serde_json::to_vec(&v).unwrap(), "{t:?}");
            }
        }
    }
}
