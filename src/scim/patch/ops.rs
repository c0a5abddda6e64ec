//! `add`, `replace` and `remove` (RFC 7644 §3.5.2.1-3) on the JSON of one attribute.

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::error::{ApiError, ApiResult};
use crate::scim::filter::{self, CompareOp, Filter};
use crate::scim::schema::{GENESYS_USER, ResourceKind, is_known_schema_urn};

use super::target::Target;
use super::{Op, PatchEnv, value};

/// The authority Genesys reserves for `externalId`; its `externalIds` element is immutable.
const SCIM_AUTHORITY: &str = "x-pc:scimv2:v1";

/// Applies one operation to the attribute `t` names. Read-only targets are applied and then
/// compared: writing exactly the current value is a no-op (Okta replaces a group with
/// `{"id": ..., "displayName": ...}` unchanged), anything else is `mutability`.
pub(crate) fn apply(
    resource: &mut Value,
    op: Op,
    t: &Target<'_>,
    v: Option<&Value>,
    ctx: PatchEnv<'_>,
) -> ApiResult<()> {
    if !t.read_only() {
        return dispatch(resource, op, t, v, ctx);
    }
    let before = resource.clone();
    dispatch(resource, op, t, v, ctx)?;
    if *resource != before {
        return Err(ApiError::mutability(format!(
            "'{}' is read-only and cannot be changed with {}",
            t.text,
            op.as_str()
        )));
    }
    Ok(())
}

fn dispatch(
    resource: &mut Value,
    op: Op,
    t: &Target<'_>,
    v: Option<&Value>,
    ctx: PatchEnv<'_>,
) -> ApiResult<()> {
    match op {
        Op::Add | Op::Replace => write(resource, op, t, v.unwrap_or(&Value::Null), ctx),
        Op::Remove => remove(resource, t, v, ctx),
    }
}

/// The key of `map` matching `name` case-insensitively, exact match first.
pub(crate) fn find_key(map: &Map<String, Value>, name: &str) -> Option<String> {
    if map.contains_key(name) {
        return Some(name.to_owned());
    }
    map.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()
}

/// The object holding the attribute: the resource, or its extension object. With `create`,
/// a missing extension object is created and a known extension URN is added to `schemas`.
fn container<'r>(
    resource: &'r mut Value,
    ext: Option<&str>,
    create: bool,
) -> ApiResult<Option<&'r mut Map<String, Value>>> {
    let root = resource.as_object_mut().ok_or_else(ApiError::internal)?;
    let Some(urn) = ext else {
        return Ok(Some(root));
    };
    let key = match find_key(root, urn) {
        Some(k) if root.get(&k).is_some_and(Value::is_object) => k,
        Some(k) if create => {
            root.insert(k.clone(), Value::Object(Map::new()));
            k
        }
        None if create => {
            if is_known_schema_urn(urn) {
                add_schema(root, urn);
            }
            root.insert(urn.to_owned(), Value::Object(Map::new()));
            urn.to_owned()
        }
        _ => return Ok(None),
    };
    Ok(root.get_mut(&key).and_then(Value::as_object_mut))
}

fn add_schema(root: &mut Map<String, Value>, urn: &str) {
    if let Some(Value::Array(schemas)) = root.get_mut("schemas") {
        let listed = schemas
            .iter()
            .any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(urn)));
        if !listed {
            schemas.push(Value::String(urn.to_owned()));
        }
    }
}

/// The array at `key`, created (or replacing a non-array) when needed.
fn array_at<'m>(map: &'m mut Map<String, Value>, key: &str) -> ApiResult<&'m mut Vec<Value>> {
    let slot = map
        .entry(key.to_owned())
        .or_insert_with(|| Value::Array(Vec::new()));
    if !slot.is_array() {
        *slot = Value::Array(Vec::new());
    }
    slot.as_array_mut().ok_or_else(ApiError::internal)
}

/// Sets `key` in an object value, creating the object when the value is not one. Null
/// removes the key (RFC 7643 §2.5: null and unassigned are the same).
fn set_in(target: &mut Value, key: &str, v: Value) {
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(map) = target {
        let key = find_key(map, key).unwrap_or_else(|| key.to_owned());
        if v.is_null() {
            map.remove(&key);
        } else {
            map.insert(key, v);
        }
    }
}

/// Merges the members of `from` into the object `into`.
fn merge_into(into: &mut Value, from: &Value) {
    match from {
        Value::Object(map) => {
            for (k, v) in map {
                set_in(into, k, v.clone());
            }
        }
        other => *into = other.clone(),
    }
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// What makes two elements of a multi-valued attribute the same value, for `add`
/// de-duplication and `remove` with a value list: equal keys, equal elements. Group members
/// compare by `value` alone (clients send `display` inconsistently); other complex elements
/// by `value` (case-folded unless its definition says case-exact) and, where present,
/// `authority` (two authorities may share an external key); elements without a `value`
/// compare whole. Keys go into a hash set, so writing m values to n elements is O(n + m):
/// comparing every pair was n·m.
#[derive(Debug, PartialEq, Eq, Hash)]
enum ElementKey {
    Value {
        value: String,
        authority: Option<String>,
    },
    /// The element written with its object keys sorted: equal exactly when the elements are.
    Whole(String),
}

fn element_key(e: &Value, t: &Target<'_>, kind: ResourceKind) -> ElementKey {
    #[cfg(test)]
    WORK.with(|w| w.set(w.get() + 1));
    let Some(value) = filter_get(e, "value").and_then(text_of) else {
        let mut whole = String::new();
        canonical(e, &mut whole);
        return ElementKey::Whole(whole);
    };
    if kind == ResourceKind::Group && t.name == "members" {
        return ElementKey::Value {
            value,
            authority: None,
        };
    }
    let case_exact = t
        .attr
        .and_then(|d| d.sub("value"))
        .is_none_or(|d| d.case_exact);
    ElementKey::Value {
        value: if case_exact {
            value
        } else {
            value.to_lowercase()
        },
        authority: filter_get(e, "authority").and_then(text_of),
    }
}

/// `v` as JSON text with every object's keys in sorted order, so two values are equal exactly
/// when their texts are (objects compare without regard to key order).
fn canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                canonical(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn filter_get<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    let map = v.as_object()?;
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

fn is_genesys_external_ids(t: &Target<'_>) -> bool {
    t.attr.is_some() && t.ext.as_deref() == Some(GENESYS_USER) && t.name == "externalIds"
}

fn is_scim_authority(element: &Value) -> bool {
    filter_get(element, "authority")
        .and_then(Value::as_str)
        .is_some_and(|a| a.starts_with(SCIM_AUTHORITY))
}

/// The element a filter describes, from its `eq` terms joined by `and`: the element a
/// `replace` (compat `patch-replace-creates`) or `add` creates when nothing matches. `None`
/// when the filter uses anything else and so does not describe one element.
fn element_from_filter(f: &Filter, t: &Target<'_>) -> Option<Value> {
    fn collect(f: &Filter, t: &Target<'_>, out: &mut Map<String, Value>) -> bool {
        match f {
            Filter::Compare {
                path,
                op: CompareOp::Eq,
                value,
            } if path.urn.is_none() && path.sub.is_none() && !value.is_null() => {
                let key = t
                    .attr
                    .and_then(|a| a.sub(&path.name))
                    .map_or_else(|| path.name.clone(), |d| d.name.to_owned());
                out.insert(key, value.clone());
                true
            }
            Filter::And(a, b) => collect(a, t, out) && collect(b, t, out),
            _ => false,
        }
    }
    let mut out = Map::new();
    collect(f, t, &mut out).then_some(Value::Object(out))
}

/// `add` and `replace`.
fn write(
    resource: &mut Value,
    op: Op,
    t: &Target<'_>,
    raw: &Value,
    ctx: PatchEnv<'_>,
) -> ApiResult<()> {
    // The value, checked against what it is written to.
    let v = match (t.filter, &t.sub) {
        (None, None) => value::whole(raw, t.attr, &t.text, ctx)?,
        (_, Some(_)) => match t.sub_attr {
            Some(sd) => value::single(raw, sd, &t.text, ctx)?,
            None => raw.clone(),
        },
        (Some(_), None) => {
            let checked = match t.attr {
                Some(def) => value::single(raw, def, &t.text, ctx)?,
                None => raw.clone(),
            };
            if !checked.is_object() {
                return Err(ApiError::invalid_value(format!(
                    "the value for '{}' must be an object",
                    t.text
                )));
            }
            checked
        }
    };
    let Some(map) = container(resource, t.ext.as_deref(), true)? else {
        return Err(ApiError::internal());
    };
    let key = find_key(map, &t.name).unwrap_or_else(|| t.name.clone());
    let existing_is_array = map.get(&key).is_some_and(Value::is_array);
    let multi = t
        .multi_valued()
        .unwrap_or(existing_is_array || v.is_array() || t.filter.is_some());

    match (t.filter, &t.sub) {
        (None, None) => {
            if v.is_null() {
                map.remove(&key);
            } else if multi {
                let items = match v {
                    Value::Array(items) => items,
                    one => vec![one],
                };
                write_multi(map, &key, op, items, t, ctx)?;
            } else if v.is_object() && map.get(&key).is_some_and(Value::is_object) {
                // Complex single-valued: sub-attributes not in the value are left unchanged
                // (RFC 7644 §3.5.2.1 and §3.5.2.3).
                if let Some(slot) = map.get_mut(&key) {
                    merge_into(slot, &v);
                }
            } else {
                map.insert(key, v);
            }
        }
        (None, Some(sub)) => {
            if multi {
                let items = array_at(map, &key)?;
                if items.is_empty() {
                    let mut el = Value::Object(Map::new());
                    set_in(&mut el, sub, v);
                    items.push(el);
                } else {
                    for el in items.iter_mut() {
                        set_in(el, sub, v.clone());
                    }
                }
            } else {
                let slot = map.entry(key).or_insert_with(|| Value::Object(Map::new()));
                set_in(slot, sub, v);
            }
        }
        (Some(f), sub) => {
            let items = array_at(map, &key)?;
            let mut matched = 0;
            for el in items.iter_mut() {
                if !filter::matches_element(f, el, t.attr) {
                    continue;
                }
                matched += 1;
                match (sub, op) {
                    (Some(sub), _) => set_in(el, sub, v.clone()),
                    (None, Op::Add) => merge_into(el, &v),
                    (None, _) => *el = v.clone(),
                }
            }
            if matched == 0 {
                if op == Op::Replace && !ctx.compat.patch_replace_creates {
                    return Err(ApiError::no_target(format!(
                        "'{}' matches no value (compat patch-replace-creates is off)",
                        t.text
                    )));
                }
                let mut el = element_from_filter(f, t).ok_or_else(|| {
                    ApiError::no_target(format!(
                        "'{}' matches no value, and its filter does not describe one to create \
                         (only eq terms joined by and do)",
                        t.text
                    ))
                })?;
                match sub {
                    Some(sub) => set_in(&mut el, sub, v),
                    None => merge_into(&mut el, &v),
                }
                items.push(el);
            }
        }
    }
    Ok(())
}

/// `add` appends new elements (de-duplicated); `replace` swaps the whole array. Replacing the
/// Genesys `externalIds` keeps the `x-pc:scimv2:v1` element unless the value carries one:
/// Genesys always keeps it, since it holds `externalId`.
fn write_multi(
    map: &mut Map<String, Value>,
    key: &str,
    op: Op,
    items: Vec<Value>,
    t: &Target<'_>,
    ctx: PatchEnv<'_>,
) -> ApiResult<()> {
    let current = array_at(map, key)?;
    let key_of = |e: &Value| element_key(e, t, ctx.kind);
    match op {
        Op::Add => {
            let mut seen: HashSet<ElementKey> = current.iter().map(key_of).collect();
            current.extend(items.into_iter().filter(|item| seen.insert(key_of(item))));
        }
        _ => {
            let mut next = Vec::new();
            if is_genesys_external_ids(t) && !items.iter().any(is_scim_authority) {
                next.extend(current.iter().filter(|e| is_scim_authority(e)).cloned());
            }
            let mut seen: HashSet<ElementKey> = next.iter().map(key_of).collect();
            next.extend(items.into_iter().filter(|item| seen.insert(key_of(item))));
            *current = next;
        }
    }
    Ok(())
}

/// `remove`.
fn remove(
    resource: &mut Value,
    t: &Target<'_>,
    v: Option<&Value>,
    ctx: PatchEnv<'_>,
) -> ApiResult<()> {
    let Some(map) = container(resource, t.ext.as_deref(), false)? else {
        return match t.filter {
            Some(_) => Err(no_match(t)),
            None => Ok(()),
        };
    };
    let Some(key) = find_key(map, &t.name) else {
        return match t.filter {
            Some(_) => Err(no_match(t)),
            None => Ok(()),
        };
    };
    match (t.filter, &t.sub) {
        (None, None) => {
            let values: Option<Vec<Value>> = match v {
                None | Some(Value::Null) => None,
                Some(Value::Array(items)) => Some(items.clone()),
                Some(one) => Some(vec![one.clone()]),
            };
            match (values, map.get_mut(&key)) {
                // `{"op":"remove","path":"members","value":[{"value":"id"}]}` (Entra, and other vendors' clients)
                // removes just those values.
                (Some(values), Some(Value::Array(items))) => {
                    let gone: HashSet<ElementKey> =
                        values.iter().map(|x| element_key(x, t, ctx.kind)).collect();
                    items.retain(|e| !gone.contains(&element_key(e, t, ctx.kind)));
                }
                (_, Some(Value::Array(items))) if is_genesys_external_ids(t) => {
                    // The x-pc:scimv2:v1 element carries externalId and cannot be removed.
                    items.retain(is_scim_authority);
                }
                _ => {
                    map.remove(&key);
                }
            }
        }
        (None, Some(sub)) => match map.get_mut(&key) {
            Some(Value::Array(items)) => {
                for el in items.iter_mut() {
                    remove_key(el, sub);
                }
            }
            Some(slot) => remove_key(slot, sub),
            None => {}
        },
        (Some(f), sub) => {
            let Some(Value::Array(items)) = map.get_mut(&key) else {
                return Err(no_match(t));
            };
            let before = items.len();
            let mut matched = 0;
            match sub {
                Some(sub) => {
                    for el in items.iter_mut() {
                        if filter::matches_element(f, el, t.attr) {
                            matched += 1;
                            remove_key(el, sub);
                        }
                    }
                }
                None => {
                    items.retain(|el| !filter::matches_element(f, el, t.attr));
                    matched = before - items.len();
                }
            }
            if matched == 0 {
                return Err(no_match(t));
            }
        }
    }
    Ok(())
}

fn remove_key(v: &mut Value, key: &str) {
    if let Value::Object(map) = v
        && let Some(k) = find_key(map, key)
    {
        map.remove(&k);
    }
}

fn no_match(t: &Target<'_>) -> ApiError {
    ApiError::no_target(format!("'{}' matches no value", t.text))
}

#[cfg(test)]
thread_local! {
    static WORK: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
pub(super) fn take_element_work() -> usize {
    WORK.with(|w| w.replace(0))
}

#[cfg(test)]
mod key_tests {
    use serde_json::json;

    use super::*;

    fn key(e: Value, t: &Target<'_>, kind: ResourceKind) -> ElementKey {
        element_key(&e, t, kind)
    }

    #[test]
    fn element_keys_say_when_two_elements_are_the_same_value() {
        let members = Target::generic(None, "members".into(), None, "members".into());
        let group = ResourceKind::Group;
        assert_eq!(
            key(json!({"value": "u1", "display": "A"}), &members, group),
            key(json!({"value": "u1", "authority": "x"}), &members, group),
            "members compare by value alone"
        );
        let other = Target::generic(None, "things".into(), None, "things".into());
        let user = ResourceKind::User;
        assert_ne!(
            key(json!({"value": "k", "authority": "a"}), &other, user),
            key(json!({"value": "k", "authority": "b"}), &other, user),
        );
        assert_eq!(
            key(json!({"value": 7}), &other, user),
            key(json!({"value": "7"}), &other, user),
            "numbers compare as their text"
        );
        assert_eq!(
            key(json!({"a": 1, "b": [{"y": 1, "x": 2}]}), &other, user),
            key(json!({"b": [{"x": 2, "y": 1}], "a": 1}), &other, user),
            "whole elements compare without regard to key order"
        );
        assert_ne!(
            key(json!({"a": 1}), &other, user),
            key(json!({"a": 1.0}), &other, user)
        );
        assert_ne!(
            key(json!({"a": "1"}), &other, user),
            key(json!({"a": 1}), &other, user)
        );
        assert_ne!(
            key(json!({"value": true}), &other, user),
            key(json!({"value": "true"}), &other, user)
        );
    }
}
