//! `POST /__admin/expect`: checks an expected end state against the live orgs and answers with
//! the structured diff (`?format=json`, the default) or JUnit XML (`?format=junit`).
//!
//! The answer is 200 whether or not the state is as expected: the check itself succeeded, and
//! `ok` says how it came out (`verify` turns it into an exit code). A bad expectation is 400,
//! its message naming the record and the field.

use http::{HeaderValue, Response, StatusCode, header};

use super::json;
use crate::control::expect;
use crate::edge::response::{Body, full};
use crate::error::{ApiError, ApiResult};
use crate::pipeline::context::ApiRequest;
use crate::state::AppState;

/// `POST /__admin/expect[?format=json|junit]`.
pub(crate) fn check(state: &AppState, req: &ApiRequest) -> ApiResult<Response<Body>> {
    let mut junit = false;
    for (k, v) in req.query_pairs() {
        match (k.as_str(), v.as_str()) {
            ("format", "junit") => junit = true,
            ("format", "json") => junit = false,
            ("format", other) => {
                return Err(ApiError::bad_request(format!(
                    "format: expected json or junit, got {other:?}"
                )));
            }
            (other, _) => {
                return Err(ApiError::bad_request(format!(
                    "unknown parameter {other:?}; use format"
                )));
            }
        }
    }
    let doc = super::document::value(req, "expectation")?;
    let exp = expect::spec::from_value("(request body)", doc)
        .map_err(|e| ApiError::bad_request(format!("invalid expectation: {e}")))?;
    let verdict = expect::check(&state.store, &exp);
    if junit {
        let mut resp = Response::new(full(verdict.to_junit()));
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/xml"),
        );
        return Ok(resp);
    }
    Ok(json(StatusCode::OK, &verdict.to_json()))
}
