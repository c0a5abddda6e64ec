//! Expected versus actual JSON, field by field.
//!
//! The rules, chosen so an expectation says only what it cares about and still cannot pass by
//! accident:
//! - an object compares only the keys the expectation gives (matched case-insensitively, as
//!   SCIM attribute names are); a key absent from the actual value compares as `null`;
//! - an array compares whole and unordered: the same length, and each expected element matches
//!   a different actual element (objects inside match by the rule above), so `roles: [Agent]`
//!   fails on a user who also has `employee`;
//! - `null` expects the field absent or null; numbers compare by value (`4` equals `4.0`);
//!   strings and booleans exactly.
//!
//! A difference is reported at the deepest object key where it shows; arrays report whole.

use serde_json::{Map, Value};

/// One differing field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Difference {
    /// e.g. `displayName`, `urn:...:enterprise:2.0:User:division`, `phones`.
    pub field: String,
    pub expected: Value,
    /// `null` when the field is absent.
    pub actual: Value,
}

/// Compares `expected` (an object of fields) with `actual`, appending every difference.
pub(crate) fn compare_fields(
    expected: &Map<String, Value>,
    actual: &Value,
    out: &mut Vec<Difference>,
) {
    compare_object(expected, actual.as_object(), "", out);
}

/// The name of `key` inside `prefix`: SCIM writes an extension's attributes as
/// `urn:...:User:attr` (an extension is only ever a top-level key, and its URN ends in
/// `:User`), sub-attributes as `attr.sub`.
fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else if prefix.starts_with("urn:") && prefix.ends_with(":User") {
        format!("{prefix}:{key}")
    } else {
        format!("{prefix}.{key}")
    }
}

fn compare_object(
    expected: &Map<String, Value>,
    actual: Option<&Map<String, Value>>,
    prefix: &str,
    out: &mut Vec<Difference>,
) {
    for (k, want) in expected {
        let got = actual.and_then(|a| get_ci(a, k));
        compare(want, got, &join(prefix, k), out);
    }
}

fn compare(want: &Value, got: Option<&Value>, field: &str, out: &mut Vec<Difference>) {
    match (want, got) {
        (Value::Object(w), Some(Value::Object(g))) => compare_object(w, Some(g), field, out),
        _ if !matches(want, got) => out.push(Difference {
            field: field.to_owned(),
            expected: want.clone(),
            actual: got.cloned().unwrap_or(Value::Null),
        }),
        _ => {}
    }
}

/// Whether `got` satisfies `want` by the rules in the module docs.
pub(crate) fn matches(want: &Value, got: Option<&Value>) -> bool {
    match (want, got) {
        (Value::Null, None | Some(Value::Null)) => true,
        (Value::Object(w), Some(Value::Object(g))) => {
            w.iter().all(|(k, v)| matches(v, get_ci(g, k)))
        }
        (Value::Array(w), Some(Value::Array(g))) => w.len() == g.len() && pairs_up(w, g),
        (Value::Number(a), Some(Value::Number(b))) => a.as_f64() == b.as_f64(),
        (w, Some(g)) => w == g,
        (_, None) => false,
    }
}

/// Whether every expected element can be matched to a different actual element (a bipartite
/// matching by augmenting paths; arrays here are short, a user's phones or roles).
fn pairs_up(want: &[Value], got: &[Value]) -> bool {
    let fits: Vec<Vec<usize>> = want
        .iter()
        .map(|w| {
            (0..got.len())
                .filter(|&j| matches(w, Some(&got[j])))
                .collect()
        })
        .collect();
    let mut owner: Vec<Option<usize>> = vec![None; got.len()];
    (0..want.len()).all(|i| augment(i, &fits, &mut owner, &mut vec![false; got.len()]))
}

fn augment(i: usize, fits: &[Vec<usize>], owner: &mut [Option<usize>], seen: &mut [bool]) -> bool {
    for &j in &fits[i] {
        if seen[j] {
            continue;
        }
        seen[j] = true;
        if owner[j].is_none_or(|other| augment(other, fits, owner, seen)) {
            owner[j] = Some(i);
            return true;
        }
    }
    false
}

fn get_ci<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn diff(want: Value, got: Value) -> Vec<Difference> {
        let mut out = Vec::new();
        compare_fields(want.as_object().unwrap(), &got, &mut out);
        out
    }

    #[test]
    fn only_given_keys_compare_and_names_are_case_insensitive() {
        let got = json!({"displayName": "Ada", "title": "Eng", "active": true});
        assert!(diff(json!({"displayname": "Ada"}), got.clone()).is_empty());
        let d = diff(json!({"displayName": "Bob", "active": true}), got);
        assert_eq!(
            d,
            vec![Difference {
                field: "displayName".into(),
                expected: json!("Bob"),
                actual: json!("Ada")
            }]
        );
    }

    #[test]
    fn absent_fields_compare_as_null() {
        assert!(diff(json!({"title": null}), json!({})).is_empty());
        let d = diff(json!({"title": "Eng"}), json!({}));
        assert_eq!(d[0].actual, Value::Null);
    }

    #[test]
    fn extension_fields_are_named_the_scim_way() {
        let urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        let d = diff(
            json!({urn: {"division": "Sales", "manager": {"value": "m1"}}}),
            json!({urn: {"division": "Home", "manager": {"value": "m2"}}}),
        );
        let fields: Vec<&str> = d.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(
            fields,
            [format!("{urn}:division"), format!("{urn}:manager.value")]
        );
    }

    #[test]
    fn arrays_compare_whole_and_unordered() {
        let got = json!({"roles": [{"value": "employee"}, {"value": "Agent"}]});
        assert!(
            diff(
                json!({"roles": [{"value": "Agent"}, {"value": "employee"}]}),
                got.clone()
            )
            .is_empty()
        );
        let d = diff(json!({"roles": [{"value": "Agent"}]}), got.clone());
        assert_eq!(d[0].field, "roles");
        assert_eq!(d[0].actual, got["roles"]);
        // Two expected elements may not both claim the one actual element that fits them.
        assert!(!matches(
            &json!([{"type": "work"}, {"type": "work"}]),
            Some(&json!([{"type": "work", "v": 1}, {"type": "home"}]))
        ));
        // The matching backtracks: the first expected element must give way.
        assert!(matches(
            &json!([{}, {"type": "work"}]),
            Some(&json!([{"type": "work"}, {"type": "home"}]))
        ));
    }

    #[test]
    fn numbers_compare_by_value_and_types_do_not_coerce() {
        assert!(matches(&json!(4), Some(&json!(4.0))));
        assert!(!matches(&json!("true"), Some(&json!(true))));
        assert!(!matches(&json!(false), None));
        assert!(!matches(&json!({"a": 1}), Some(&json!([1]))));
    }
}
