//! Empty values that leave existing data alone (`empty-values=ignore`).
//!
//! Under the switch an empty string written by a `PUT` or `PATCH` keeps what the resource had
//! there: the handler builds the resource as the request asks, then [`keep_previous`] puts the
//! old value back wherever the new document holds `""` and the old one a non-empty string.
//! Only strings count as empty; `remove` (which leaves no `""` behind) still clears, and so does
//! `null` or an attribute left out of a `PUT`, as before.

use serde_json::Value;

/// Keys that tell the elements of a multi-valued attribute apart: `type` (emails, phone
/// numbers), `authority` (the Genesys extension's external ids), `name` (skills, languages).
const DISCRIMINATORS: &[&str] = &["type", "authority", "name"];

/// Puts `previous`'s value back wherever `new` holds `""` and `previous` a non-empty string at
/// the same place: object keys matched case-insensitively, elements of lists by
/// [`DISCRIMINATORS`].
pub(crate) fn keep_previous(new: &mut Value, previous: &Value) {
    match (new, previous) {
        (Value::String(s), Value::String(p)) if s.is_empty() && !p.is_empty() => {
            s.clone_from(p);
        }
        (Value::Object(n), Value::Object(p)) => {
            for (k, v) in n.iter_mut() {
                if let Some(pv) = p
                    .iter()
                    .find(|(pk, _)| pk.eq_ignore_ascii_case(k))
                    .map(|(_, pv)| pv)
                {
                    keep_previous(v, pv);
                }
            }
        }
        (Value::Array(n), Value::Array(p)) => {
            for element in n.iter_mut() {
                if let Some(pe) = p.iter().find(|pe| same_element(element, pe)) {
                    keep_previous(element, pe);
                }
            }
        }
        _ => {}
    }
}

/// Whether two list elements are the same slot: the first discriminator both carry is equal.
fn same_element(a: &Value, b: &Value) -> bool {
    DISCRIMINATORS.iter().find_map(|key| {
        let text = |v: &Value| {
            v.as_object()?
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .and_then(|(_, v)| v.as_str().map(str::to_owned))
        };
        Some(text(a)?.eq_ignore_ascii_case(&text(b)?))
    }) == Some(true)
}

/// Whether any string in `v` is empty: a request that could leave a `""` behind.
pub(crate) fn has_empty_string(v: &Value) -> bool {
    match v {
        Value::String(s) => s.is_empty(),
        Value::Array(items) => items.iter().any(has_empty_string),
        Value::Object(map) => map.values().any(has_empty_string),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn empty_strings_take_the_previous_value_and_nothing_else_changes() {
        let previous = json!({
            "title": "Agent", "displayName": "Ada", "nickName": "",
            "emails": [{"type": "work", "value": "w@x.org"}, {"type": "other", "value": "o@x.org"}],
            "ext": {"department": "Sales", "manager": {"value": "m1"}}
        });
        let mut new = json!({
            "Title": "", "displayName": "Ada L", "nickName": "", "added": "",
            "emails": [{"type": "WORK", "value": ""}, {"type": "home", "value": ""}],
            "ext": {"department": "", "manager": {"value": ""}}
        });
        keep_previous(&mut new, &previous);
        assert_eq!(
            new,
            json!({
                "Title": "Agent", "displayName": "Ada L", "nickName": "", "added": "",
                "emails": [{"type": "WORK", "value": "w@x.org"}, {"type": "home", "value": ""}],
                "ext": {"department": "Sales", "manager": {"value": "m1"}}
            })
        );
        assert!(has_empty_string(&json!({"a": [{"b": ""}]})));
        assert!(!has_empty_string(&json!({"a": [{"b": "x"}], "c": null})));
    }
}
