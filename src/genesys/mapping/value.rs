//! Reading the JSON values of a SCIM body: keys looked up case-insensitively, strings,
//! booleans (with Entra's strings under `coerce-string-booleans`) and arrays, each refused
//! with an `invalidValue` that names the attribute.

use serde_json::{Map, Value};

use crate::compat::Compat;
use crate::error::{ApiError, ApiResult};

/// A key looked up case-insensitively: SCIM attribute names are case-insensitive (RFC 7643 §2.1).
/// An exact match wins over one that differs in case. One pass over the keys: a SCIM body
/// holds a few, and most lookups (one per mapping row) miss, where hashing the key first
/// (SipHash) and scanning anyway cost twice.
pub(crate) fn get_ci<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    let mut folded = None;
    for (k, v) in obj {
        if k == key {
            return Some(v);
        }
        if folded.is_none() && k.eq_ignore_ascii_case(key) {
            folded = Some(v);
        }
    }
    folded
}

/// A string attribute; an empty string is no value.
pub(super) fn opt_string(name: &str, v: Option<&Value>) -> ApiResult<Option<String>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(ApiError::invalid_value(format!(
            "{name} must be a string, got {other}"
        ))),
    }
}

/// A boolean, with Entra's `"True"`/`"False"` accepted under `coerce-string-booleans`.
pub(super) fn boolean(name: &str, v: &Value, compat: &Compat) -> ApiResult<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if compat.coerce_string_booleans && s.eq_ignore_ascii_case("true") => {
            Ok(true)
        }
        Value::String(s) if compat.coerce_string_booleans && s.eq_ignore_ascii_case("false") => {
            Ok(false)
        }
        other => Err(ApiError::invalid_value(format!(
            "{name} must be a boolean, got {other}"
        ))),
    }
}

/// An array attribute; absent is empty.
pub(super) fn array<'a>(name: &str, v: Option<&'a Value>) -> ApiResult<&'a [Value]> {
    match v {
        None => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(other) => Err(ApiError::invalid_value(format!(
            "{name} must be an array, got {other}"
        ))),
    }
}
