//! `/__admin/marks`: named positions in the journal, so a report can cover one phase of a test
//! (`?from=first-sync&to=second-sync`).

use http::{Response, StatusCode};
use serde::Deserialize;
use serde_json::json;

use super::json;
use crate::control::journal::MAX_MARK_NAME;
use crate::edge::response::Body;
use crate::error::{ApiError, ApiResult};
use crate::pipeline::context::ApiRequest;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewMark {
    name: String,
}

/// `POST /__admin/marks {"name": "..."}`: a mark at the current end of the journal. Names may
/// repeat; a report naming one uses the latest.
pub(crate) fn add(state: &AppState, req: &ApiRequest) -> ApiResult<Response<Body>> {
    let m: NewMark = super::document::parse(req, "mark").map_err(|e| {
        ApiError::bad_request(format!("{}; expected {{\"name\": \"...\"}}", e.detail))
    })?;
    let name = m.name.trim();
    if name.is_empty() || name.len() > MAX_MARK_NAME {
        return Err(ApiError::bad_request(format!(
            "mark name must be 1 to {MAX_MARK_NAME} bytes"
        )));
    }
    let mark = state.journal.mark(name.to_owned(), state.clock.now());
    Ok(json(StatusCode::CREATED, &json!(mark)))
}

/// `GET /__admin/marks`: every mark held, oldest first.
pub(crate) fn list(state: &AppState) -> Response<Body> {
    json(StatusCode::OK, &json!({"marks": state.journal.marks()}))
}
