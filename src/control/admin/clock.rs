//! `/__admin/clock`: read and drive the one clock (token expiry, rate windows, `Retry-After`,
//! `meta.lastModified`), so a test can check a 60-second backoff in milliseconds.
//!
//! - `GET /__admin/clock` → `{"now": "<RFC3339>", "frozen": bool}`
//! - `POST /__admin/clock` with exactly one of `{"advance": "61s"}`, `{"set": "<RFC3339>"}`,
//!   `{"freeze": true}`, `{"resume": true}` → the new status.

use http::{Method, Response, StatusCode};
use serde_json::{Map, Value};

use crate::base::clock::{Clock, parse_duration, parse_time};
use crate::edge::response::{Body, JSON, json_response};
use crate::error::{ApiError, ApiResult};
use crate::pipeline::context::ApiRequest;
use crate::state::AppState;

/// What a `POST /__admin/clock` body accepts, for error messages.
const USAGE: &str = "send exactly one of {\"advance\": \"61s\"}, {\"set\": \"2026-01-01T00:00:00Z\"}, {\"freeze\": true} or {\"resume\": true}";

/// The fields a `POST /__admin/clock` body may have (exactly one of them).
const COMMANDS: &[&str] = &["advance", "set", "freeze", "resume"];

/// Serves the admin routes under `clock`; `None` when `segs` is not a clock route.
pub(crate) fn endpoint(
    state: &AppState,
    req: &ApiRequest,
    segs: &[String],
) -> Option<ApiResult<Response<Body>>> {
    match segs {
        [one] if one.eq_ignore_ascii_case("clock") => Some(serve(state, req)),
        _ => None,
    }
}

fn serve(state: &AppState, req: &ApiRequest) -> ApiResult<Response<Body>> {
    match req.method {
        Method::GET => {}
        Method::POST => {
            let body = parse_body(req)?;
            // Tokens expired before the move stay expired whatever the move does, and so do
            // those it expires: a clock moved back does not revive a token.
            state.store.expire_tokens_through(state.clock.now_millis());
            apply(&state.clock, &body)?;
            state.store.expire_tokens_through(state.clock.now_millis());
        }
        _ => {
            return Err(ApiError::method_not_allowed(
                "GET, POST",
                format!("{} is not allowed on /__admin/clock.", req.method),
            ));
        }
    }
    let status = serde_json::to_value(state.clock.status()).map_err(|_| ApiError::internal())?;
    Ok(json_response(StatusCode::OK, JSON, &status))
}

fn parse_body(req: &ApiRequest) -> ApiResult<Map<String, Value>> {
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(format!(
            "The request body is empty: {USAGE}."
        )));
    }
    super::document::object(req, "clock command")
        .cloned()
        .map_err(|e| ApiError::bad_request(format!("{}: {USAGE}.", e.detail)))
}

/// Applies one clock command. The body is checked whole before the clock is touched.
fn apply(clock: &Clock, body: &Map<String, Value>) -> ApiResult<()> {
    if let Some(k) = body.keys().find(|k| !COMMANDS.contains(&k.as_str())) {
        return Err(ApiError::bad_request(format!(
            "unknown field {k:?}: {USAGE}."
        )));
    }
    let mut keys = body.iter();
    let (Some((key, value)), None) = (keys.next(), keys.next()) else {
        return Err(ApiError::bad_request(format!(
            "Expected exactly one field, got {}: {USAGE}.",
            body.len()
        )));
    };
    let bad = |what: String| ApiError::bad_request(format!("{key}: {what}; {USAGE}."));
    match key.as_str() {
        "advance" => {
            let by = match value {
                Value::String(s) => parse_duration(s).map_err(bad)?,
                Value::Number(n) => n
                    .as_i64()
                    .and_then(chrono::Duration::try_seconds)
                    .ok_or_else(|| bad(format!("{n} is not a whole number of seconds")))?,
                other => {
                    return Err(bad(format!(
                        "expected a duration such as \"61s\", got {other}"
                    )));
                }
            };
            // Checked first: moving past chrono's range would panic inside the clock.
            let to = clock
                .now()
                .checked_add_signed(by)
                .ok_or_else(|| bad("the clock would leave the representable range".to_owned()))?;
            within_rfc3339(to).map_err(bad)?;
            clock.advance(by);
        }
        "set" => {
            let text = value
                .as_str()
                .ok_or_else(|| bad(format!("expected an RFC 3339 time string, got {value}")))?;
            let to = parse_time(text).map_err(bad)?;
            within_rfc3339(to).map_err(bad)?;
            clock.set(to);
        }
        "freeze" | "resume" if *value != Value::Bool(true) => {
            return Err(bad(format!("expected true, got {value}")));
        }
        "freeze" => clock.freeze(),
        "resume" => clock.resume(),
        other => return Err(bad(format!("unknown field {other:?}"))),
    }
    Ok(())
}

/// RFC 3339 writes four-digit years, so every time the clock reports (`now`, `meta`
/// timestamps, token expiry) must fall in years 0000 to 9999 (a running clock stops at
/// [`crate::base::clock::latest`]).
fn within_rfc3339(t: chrono::DateTime<chrono::Utc>) -> Result<(), String> {
    use chrono::Datelike;
    if (0..=9999).contains(&t.year()) {
        Ok(())
    } else {
        Err(format!(
            "the clock would reach the year {}; RFC 3339 times need years 0000 to 9999",
            t.year()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn commands_move_the_clock() {
        let c = Clock::from_spec("frozen:2026-01-01T00:00:00Z").unwrap();
        apply(&c, &body(json!({"advance": "61s"}))).unwrap();
        assert_eq!(c.status().now, "2026-01-01T00:01:01.000Z");
        apply(&c, &body(json!({"advance": 4}))).unwrap();
        assert_eq!(c.status().now, "2026-01-01T00:01:05.000Z");
        apply(&c, &body(json!({"set": "2027-02-03T04:05:06Z"}))).unwrap();
        assert_eq!(c.status().now, "2027-02-03T04:05:06.000Z");
        apply(&c, &body(json!({"resume": true}))).unwrap();
        assert!(!c.is_frozen());
        apply(&c, &body(json!({"freeze": true}))).unwrap();
        assert!(c.is_frozen());
    }

    #[test]
    fn bad_commands_are_explained_and_change_nothing() {
        let c = Clock::from_spec("frozen:2026-01-01T00:00:00Z").unwrap();
        for (b, needle) in [
            (json!({}), "exactly one"),
            (json!({"advance": "1s", "freeze": true}), "exactly one"),
            (json!({"advance": "soon"}), "advance"),
            (json!({"advance": true}), "advance"),
            (json!({"set": "yesterday"}), "set"),
            (json!({"freeze": false}), "freeze"),
            (json!({"rewind": "1s"}), "rewind"),
            (json!({"advance": 300_000_000_000_i64}), "year"),
            (json!({"advance": "-3000000d"}), "year"),
        ] {
            let e = apply(&c, &body(b.clone())).unwrap_err();
            assert_eq!(e.status, StatusCode::BAD_REQUEST, "{b}");
            assert!(e.detail.contains(needle), "{b}: {}", e.detail);
        }
        assert_eq!(c.status().now, "2026-01-01T00:00:00.000Z");
    }
}
