//! The JSON document an admin request sends: one object, no key twice, no field the route
//! does not know.
//!
//! serde's derived structs also accept a JSON array (read field by field, in order), so
//! `[null, null]` passed as a `requests/count` matcher; and `serde_json` keeps the last of two
//! equal keys. A test that sends either has a bug the mock should name, not guess around, so
//! every admin body goes through [`object`] (the request's strict parse) first.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{ApiError, ApiResult};
use crate::pipeline::context::ApiRequest;

/// Whether the request has no body at all. Whitespace is a body, and not JSON.
pub(crate) fn is_blank(req: &ApiRequest) -> bool {
    req.body.is_empty()
}

/// The body, checked to be one JSON object. `what` names the document in errors ("matcher",
/// "org").
pub(crate) fn value<'a>(req: &'a ApiRequest, what: &str) -> ApiResult<&'a Value> {
    object(req, what).and_then(|_| req.json().map_err(|e| invalid_json(what, e)))
}

/// The body as one JSON object's map.
pub(crate) fn object<'a>(req: &'a ApiRequest, what: &str) -> ApiResult<&'a Map<String, Value>> {
    match req.json() {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::bad_request(format!(
            "invalid {what}: the body must be a JSON object"
        ))),
        Err(e) => Err(invalid_json(what, e)),
    }
}

fn invalid_json(what: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(format!("invalid {what} JSON: {e}"))
}

/// The body as `T`, which should refuse unknown fields (`#[serde(deny_unknown_fields)]`).
/// It reads the request's one parsed tree in place rather than a copy of it.
pub(crate) fn parse<T: DeserializeOwned>(req: &ApiRequest, what: &str) -> ApiResult<T> {
    T::deserialize(value(req, what)?)
        .map_err(|e| ApiError::bad_request(format!("invalid {what}: {e}")))
}

/// For routes that take no body: none, or an empty object (`{}`), is accepted.
pub(crate) fn none(req: &ApiRequest, route: &str) -> ApiResult<()> {
    if is_blank(req) {
        return Ok(());
    }
    match object(req, route)?.keys().next() {
        None => Ok(()),
        Some(k) => Err(ApiError::bad_request(format!(
            "{route} takes no body fields, got {k:?}"
        ))),
    }
}

/// Refuses any query parameter not in `known`.
pub(crate) fn known_params(req: &ApiRequest, known: &[&str]) -> ApiResult<()> {
    match req
        .query_pairs()
        .iter()
        .find(|(k, _)| !known.contains(&k.as_str()))
    {
        None => Ok(()),
        Some((k, _)) if known.is_empty() => Err(ApiError::bad_request(format!(
            "unknown parameter {k:?}; this route takes none"
        ))),
        Some((k, _)) => Err(ApiError::bad_request(format!(
            "unknown parameter {k:?}; use {}",
            known.join(", ")
        ))),
    }
}
