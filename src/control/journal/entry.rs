//! One journal entry: what the client sent and what it got back, as the journal stores it.
//!
//! An entry holds what the request already owned (path, query, ids: moved, not copied), the
//! response body it was sent ([`Text`]: shared, not copied), its headers packed in one buffer
//! ([`Headers`]) and static names for its method, route and fault, so recording one costs a
//! few allocations rather than the twenty or thirty a copy of everything took.

use chrono::{DateTime, Utc};
use http::Method;
use serde::{Serialize, Serializer};

use super::headers::Headers;
use super::text::Text;

/// One answered request.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Entry {
    /// Position in the journal since the server started: never reused, and not restarted by a
    /// clear (paged reads, marks and report links name entries by it).
    pub seq: u64,
    /// When the request arrived, by the server clock.
    pub timestamp: DateTime<Utc>,
    pub correlation_id: String,
    #[serde(serialize_with = "method_name")]
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    /// Request headers in arrival order, redacted (`--journal-redact`) and cut.
    pub headers: Headers,
    /// Some header value was cut, or headers were left out, at the per-entry bounds.
    pub headers_truncated: bool,
    pub body: Text,
    pub body_truncated: bool,
    pub status: u16,
    /// The response body, for buffered responses (not for faults or streamed bodies).
    pub response_body: Option<Text>,
    pub response_body_truncated: bool,
    /// The route name (`users.patch`, see `Route::name`).
    pub route: &'static str,
    pub org: Option<String>,
    pub client: Option<String>,
    /// A non-secret fingerprint of the bearer token sent
    /// ([`token_fingerprint`](super::redaction::token_fingerprint)), so the client report can
    /// tell one token from another without the journal holding any.
    pub token: Option<String>,
    /// The `Retry-After` header of the response, as sent (429s and scripted answers).
    pub retry_after: Option<String>,
    /// The scenario whose rule answered or changed this request.
    pub scenario: Option<String>,
    pub rule: Option<String>,
    /// The fault injected below the status line, if any (`reset`, `truncate`, ...).
    pub fault: Option<&'static str>,
    /// For a 403 `missing.any.permissions`: the permissions of which any one would have let
    /// the request through (left out of the JSON when empty).
    #[serde(skip_serializing_if = "<[&str]>::is_empty")]
    pub missing_permissions: &'static [&'static str],
    pub duration_ms: f64,
}

/// A method as its name (`GET`, or an extension method as sent).
fn method_name<S: Serializer>(m: &Method, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(m.as_str())
}
