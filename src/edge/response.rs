//! Request buffering and response helpers shared by every route.
//!
//! A request body is read once, within its bounds (see [`crate::edge::body`]), so nothing later
//! deals with streaming bodies or oversized input.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use serde_json::Value;

/// `application/scim+json`, the media type of SCIM responses (see [`negotiate`]).
pub(crate) const SCIM_JSON: &str = "application/scim+json";
/// `application/json`, for platform, OAuth and admin responses.
pub(crate) const JSON: &str = "application/json";

/// Error type of response bodies. Streaming bodies (scenario faults) fail with it to make hyper
/// abort the connection mid-message.
pub(crate) type BodyError = Box<dyn std::error::Error + Send + Sync>;

/// The response body type used everywhere: boxed so that fixed and streaming bodies mix.
pub type Body = BoxBody<Bytes, BodyError>;

/// A complete body from bytes.
pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

/// An empty body.
pub(crate) fn empty() -> Body {
    full(Bytes::new())
}

/// A JSON response with a status and content type.
pub(crate) fn json_response(
    status: StatusCode,
    content_type: &'static str,
    value: &Value,
) -> Response<Body> {
    serialized_response(status, content_type, value)
}

/// A JSON response from anything serializable, written straight into the body buffer (not
/// through `Display`, which goes through the formatter a few bytes at a time).
pub(crate) fn serialized_response(
    status: StatusCode,
    content_type: &'static str,
    value: &impl serde::Serialize,
) -> Response<Body> {
    // Serializing these types cannot fail (string keys, no non-finite floats).
    let mut bytes = serde_json::to_vec(value).unwrap_or_default();
    // Held to its length (an in-place shrink): the journal keeps these bytes and counts
    // their length against `--journal-bytes`, which must be what they hold.
    bytes.shrink_to_fit();
    bytes_response(status, content_type, bytes.into())
}

/// What a handler leaves in the request context (`ApiRequest::document`) when its answer's
/// body, these bytes, is JSON whose object keys are all in this list (the mock's own user documents and list envelopes). The journal then decides
/// redaction from the list once instead of scanning the body, and keeps these bytes (shared,
/// not copied) without reading the body back out of the response (see `journal::Recording`).
#[derive(Debug, Clone)]
pub(crate) struct OwnKeys {
    pub(crate) keys: &'static [&'static str],
    pub(crate) body: Bytes,
}

/// A response whose body is JSON text already written (a cached render).
pub(crate) fn bytes_response(
    status: StatusCode,
    content_type: &'static str,
    bytes: Bytes,
) -> Response<Body> {
    let mut resp = Response::new(full(bytes));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

/// Content negotiation on SCIM responses (RFC 7644 §3.8: servers MUST accept
/// `application/scim+json` and SHOULD support `application/json`).
///
/// A SCIM response is `application/scim+json` unless the request's `Accept` names
/// `application/json` and does not name `application/scim+json`: then the same body goes out
/// as `application/json`. Both official SDKs send `Accept: application/json` on every call and
/// parse either type as JSON (the Python SDK's `ApiClient.deserialize` takes both by name, the
/// JavaScript SDK parses any body as JSON), so honouring the header costs them nothing and
/// keeps strict `Accept` checkers happy. Wildcards, no `Accept`, or anything else keep
/// `application/scim+json`.
pub(crate) fn negotiate(accept: Option<&str>, resp: &mut Response<Body>) {
    let is_scim = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|ct| ct.as_bytes().eq_ignore_ascii_case(SCIM_JSON.as_bytes()));
    if is_scim && prefers_plain_json(accept.unwrap_or("")) {
        resp.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON));
    }
}

/// Whether an `Accept` value asks for `application/json` (q > 0) and not for
/// `application/scim+json`.
fn prefers_plain_json(accept: &str) -> bool {
    let accepted = |wanted: &str| {
        accept.split(',').any(|range| {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            media.eq_ignore_ascii_case(wanted) && !refused
        })
    };
    accepted(JSON) && !accepted(SCIM_JSON)
}

/// A bodiless response.
pub(crate) fn status_response(status: StatusCode) -> Response<Body> {
    let mut resp = Response::new(empty());
    *resp.status_mut() = status;
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_json_only_when_asked_for_and_scim_json_is_not() {
        assert!(prefers_plain_json("application/json"));
        assert!(prefers_plain_json("Application/JSON; charset=utf-8"));
        assert!(prefers_plain_json(
            "application/json, application/scim+json;q=0"
        ));
        assert!(!prefers_plain_json(
            "application/scim+json, application/json"
        ));
        assert!(!prefers_plain_json("application/json;q=0"));
        assert!(!prefers_plain_json("*/*"));
        assert!(!prefers_plain_json(""));
        assert!(!prefers_plain_json("text/html"));
    }
}
