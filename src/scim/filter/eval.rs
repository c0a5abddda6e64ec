//! Evaluates a filter tree against the SCIM JSON view of a resource.
//!
//! Case rules and types come from the schema table ([`schema::resolve`]): strings compare per
//! `caseExact`, booleans and numbers by value, `dateTime` chronologically. Multi-valued
//! attributes match when any element matches, and a complex attribute compared without a
//! sub-attribute compares its `value` (so `emails eq x` and `manager eq id` work). Attributes
//! outside the table are compared by their JSON type, strings case-insensitively. An attribute
//! that is absent (or null) never matches; only `not` can turn that into a match.

use std::cmp::Ordering;

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use super::ast::{CompareOp, Filter};
use crate::scim::schema::{self, AttrPath, AttrType, Attribute, ResourceKind};

/// Where paths are looked up: a whole resource, or one element of a multi-valued attribute
/// (inside `attr[...]`), whose paths name sub-attributes of `parent`.
#[derive(Debug, Clone, Copy)]
enum Scope<'a> {
    Resource {
        json: &'a Value,
        kind: ResourceKind,
    },
    Element {
        json: &'a Value,
        parent: Option<&'static Attribute>,
    },
}

/// Whether `resource` (the SCIM JSON view) matches `filter`.
pub(crate) fn matches(filter: &Filter, resource: &Value, kind: ResourceKind) -> bool {
    eval(
        filter,
        Scope::Resource {
            json: resource,
            kind,
        },
    )
}

/// Whether one element of a multi-valued attribute matches a value filter (the part inside
/// `attr[...]`). `parent` is the attribute the element belongs to, when it is in the schema.
pub(crate) fn matches_element(
    filter: &Filter,
    element: &Value,
    parent: Option<&'static Attribute>,
) -> bool {
    eval(
        filter,
        Scope::Element {
            json: element,
            parent,
        },
    )
}

fn eval(filter: &Filter, scope: Scope<'_>) -> bool {
    match filter {
        Filter::And(a, b) => eval(a, scope) && eval(b, scope),
        Filter::Or(a, b) => eval(a, scope) || eval(b, scope),
        Filter::Not(inner) => !eval(inner, scope),
        Filter::Present(path) => leaves(path, scope).into_iter().any(|(v, _)| present(v)),
        Filter::Compare { path, op, value } => leaves(path, scope)
            .into_iter()
            .any(|(v, def)| compare(v, def, *op, value)),
        Filter::ValuePath { path, filter } => {
            let Some((json, def)) = attribute(path, scope) else {
                return false;
            };
            let elements: Vec<&Value> = match json {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            elements
                .into_iter()
                .any(|el| matches_element(filter, el, def))
        }
    }
}

/// A key of a JSON object, exact match first, then case-insensitively (attribute names are
/// case-insensitive, RFC 7643 §2.1). Null counts as absent.
pub(crate) fn get_ci<'v>(json: &'v Value, key: &str) -> Option<&'v Value> {
    let map = json.as_object()?;
    let v = map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })?;
    (!v.is_null()).then_some(v)
}

/// The JSON of the attribute a path names (ignoring its sub-attribute) and its definition.
fn attribute<'v>(
    path: &AttrPath,
    scope: Scope<'v>,
) -> Option<(&'v Value, Option<&'static Attribute>)> {
    match scope {
        Scope::Element { json, parent } => {
            let def = parent.and_then(|p| p.sub(&path.name));
            Some((get_ci(json, &path.name)?, def))
        }
        Scope::Resource { json, kind } => {
            let bare = AttrPath {
                sub: None,
                ..path.clone()
            };
            match schema::resolve(kind, &bare) {
                Some(r) => {
                    let container = if r.is_extension() {
                        get_ci(json, r.schema.id)?
                    } else {
                        json
                    };
                    Some((get_ci(container, r.attribute.name)?, Some(r.attribute)))
                }
                None => {
                    let container = match &path.urn {
                        Some(urn) if kind.core().id.eq_ignore_ascii_case(urn) => json,
                        Some(urn) => get_ci(json, urn)?,
                        None => json,
                    };
                    Some((get_ci(container, &path.name)?, None))
                }
            }
        }
    }
}

/// The leaf values a path names, each with the definition governing it. Multi-valued
/// attributes contribute one leaf per element.
fn leaves<'v>(path: &AttrPath, scope: Scope<'v>) -> Vec<(&'v Value, Option<&'static Attribute>)> {
    // Genesys documents `email eq x` for users: an alias of `emails.value`.
    if let Scope::Resource { kind, .. } = scope
        && kind == ResourceKind::User
        && path.urn.is_none()
        && path.sub.is_none()
        && path.name.eq_ignore_ascii_case("email")
    {
        let alias = AttrPath {
            urn: None,
            name: "emails".to_owned(),
            sub: Some("value".to_owned()),
        };
        return leaves(&alias, scope);
    }
    let Some((json, def)) = attribute(path, scope) else {
        return Vec::new();
    };
    let elements: Vec<&Value> = match json {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let mut out = Vec::new();
    for el in elements {
        let picked = match &path.sub {
            Some(sub) => get_ci(el, sub).map(|v| (v, def.and_then(|d| d.sub(sub)))),
            None if el.is_object() => {
                get_ci(el, "value").map(|v| (v, def.and_then(|d| d.sub("value"))))
            }
            None => Some((el, def)),
        };
        if let Some((v, d)) = picked
            && !v.is_null()
        {
            out.push((v, d));
        }
    }
    out
}

/// RFC 7644 `pr`: a non-empty value, or a complex value with a non-empty node.
fn present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(items) => items.iter().any(present),
        Value::Object(map) => map.values().any(present),
        Value::Bool(_) | Value::Number(_) => true,
    }
}

fn ordering_matches(op: CompareOp, ord: Option<Ordering>) -> bool {
    let Some(ord) = ord else { return false };
    match op {
        CompareOp::Eq => ord == Ordering::Equal,
        CompareOp::Ne => ord != Ordering::Equal,
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::Ge => ord != Ordering::Less,
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::Le => ord != Ordering::Greater,
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
    }
}

fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn as_datetime(v: &Value) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(v.as_str()?).ok()
}

fn compare(
    actual: &Value,
    def: Option<&'static Attribute>,
    op: CompareOp,
    expected: &Value,
) -> bool {
    if expected.is_null() {
        // The attribute is present (absent ones never get here): it is not null.
        return op == CompareOp::Ne;
    }
    let kind = match def {
        Some(d) => d.kind,
        None => match actual {
            Value::Bool(_) => AttrType::Boolean,
            Value::Number(_) => AttrType::Decimal,
            Value::String(_) => AttrType::String,
            _ => return false,
        },
    };
    let case_exact = def.is_some_and(|d| d.case_exact);
    match kind {
        AttrType::Boolean => match (as_bool(actual), as_bool(expected)) {
            (Some(a), Some(e)) => match op {
                CompareOp::Eq => a == e,
                CompareOp::Ne => a != e,
                _ => false,
            },
            _ => false,
        },
        AttrType::Decimal | AttrType::Integer => match (as_f64(actual), as_f64(expected)) {
            (Some(a), Some(e)) => ordering_matches(op, a.partial_cmp(&e)),
            _ => false,
        },
        AttrType::DateTime => match (as_datetime(actual), as_datetime(expected)) {
            (Some(a), Some(e)) if !matches!(op, CompareOp::Co | CompareOp::Sw | CompareOp::Ew) => {
                ordering_matches(op, Some(a.cmp(&e)))
            }
            _ => compare_text(actual, op, expected, true),
        },
        AttrType::String | AttrType::Reference => compare_text(actual, op, expected, case_exact),
        AttrType::Complex => false,
    }
}

fn compare_text(actual: &Value, op: CompareOp, expected: &Value, case_exact: bool) -> bool {
    let (Some(mut a), Some(mut e)) = (as_text(actual), as_text(expected)) else {
        return false;
    };
    if !case_exact {
        a = a.to_lowercase();
        e = e.to_lowercase();
    }
    match op {
        CompareOp::Co => a.contains(&e),
        CompareOp::Sw => a.starts_with(&e),
        CompareOp::Ew => a.ends_with(&e),
        _ => ordering_matches(op, Some(a.as_str().cmp(e.as_str()))),
    }
}
