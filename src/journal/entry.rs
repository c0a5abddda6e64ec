//! One journal entry: what the client sent and what it got back, as the journal stores it.

use chrono::{DateTime, Utc};
use serde::Serialize;

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
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Request headers in arrival order, redacted (`--journal-redact`) and cut.
    pub headers: Vec<(String, String)>,
    /// Some header value was cut, or headers were left out, at the per-entry bounds.
    pub headers_truncated: bool,
    pub body: String,
    pub body_truncated: bool,
    pub status: u16,
    /// The response body, for buffered responses (not for faults or streamed bodies).
    pub response_body: Option<String>,
    pub response_body_truncated: bool,
    /// The route name (`users.patch`, see `Route::name`).
    pub route: String,
    pub org: Option<String>,
    pub client: Option<String>,
    /// A non-secret fingerprint of the bearer token sent (see [`super::token_fingerprint`]), so the
    /// client report can tell one token from another without the journal holding any.
    pub token: Option<String>,
    /// The `Retry-After` header of the response, as sent (429s and scripted answers).
    pub retry_after: Option<String>,
    /// The scenario whose rule answered or changed this request.
    pub scenario: Option<String>,
    pub rule: Option<String>,
    /// The fault injected below the status line, if any (`reset`, `truncate`, ...).
    pub fault: Option<String>,
    pub duration_ms: f64,
}
