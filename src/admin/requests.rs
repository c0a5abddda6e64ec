//! `/__admin/requests`: read, count and clear the journal.

use http::{Response, StatusCode, header};
use serde_json::json;

use super::json;
use crate::clock::parse_time;
use crate::error::{ApiError, ApiResult};
use crate::http::{ApiRequest, Body, full};
use crate::journal::Matcher;
use crate::state::AppState;

/// How many near misses a failed count shows.
const NEAREST: usize = 3;

/// `GET /__admin/requests?org=&method=&route=&status=&rule=&seq=&since=&format=jsonl`.
pub fn list(state: &AppState, req: &ApiRequest) -> ApiResult<Response<Body>> {
    let mut m = Matcher::default();
    let mut jsonl = false;
    for (k, v) in req.query_pairs() {
        match k.as_str() {
            "org" => m.org = Some(v),
            "method" => m.method = Some(v),
            "route" => m.route = Some(v),
            "path" => m.path = Some(v),
            "rule" => m.rule = Some(v),
            "status" => {
                m.status = Some(v.parse().map_err(|_| {
                    ApiError::bad_request(format!("status: expected a number, got {v:?}"))
                })?);
            }
            "seq" => {
                m.seq = Some(v.parse().map_err(|_| {
                    ApiError::bad_request(format!("seq: expected a number, got {v:?}"))
                })?);
            }
            "since" => m.since = Some(parse_time(&v).map_err(ApiError::bad_request)?),
            "format" if v == "jsonl" => jsonl = true,
            "format" if v == "json" => {}
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown parameter {other:?}; use org, method, route, path, status, rule, seq, since, format"
                )));
            }
        }
    }
    let entries = state.journal.find(&m);
    if jsonl {
        let mut text = String::new();
        for e in &entries {
            text.push_str(&serde_json::to_string(e).unwrap_or_default());
            text.push('\n');
        }
        let mut resp = Response::new(full(text));
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/x-ndjson"),
        );
        return Ok(resp);
    }
    Ok(json(
        StatusCode::OK,
        &json!({"requests": entries, "journal": state.journal.stats()}),
    ))
}

/// `POST /__admin/requests/count` with a matcher; near misses when nothing matches.
pub fn count(state: &AppState, req: &ApiRequest) -> ApiResult<Response<Body>> {
    let m: Matcher = if req.body.iter().all(u8::is_ascii_whitespace) {
        Matcher::default()
    } else {
        serde_json::from_slice(&req.body)
            .map_err(|e| ApiError::bad_request(format!("invalid matcher: {e}")))?
    };
    let n = state.journal.count(&m);
    let mut body = json!({"count": n});
    if n == 0 {
        body["nearest"] = json!(state.journal.nearest(&m, NEAREST));
    }
    Ok(json(StatusCode::OK, &body))
}

/// `DELETE /__admin/requests`.
pub fn clear(state: &AppState) -> Response<Body> {
    state.journal.clear();
    crate::http::status_response(StatusCode::NO_CONTENT)
}
