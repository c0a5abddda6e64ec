//! The `/__admin` control plane. Admin errors use the platform shape; admin routes are not part
//! of the emulated Genesys surface.

use http::{Response, StatusCode};
use serde_json::json;

use crate::error::{ApiError, ApiResult};
use crate::http::{ApiRequest, Body, JSON, json_response};
use crate::state::AppState;

/// `GET /__admin/health`: readiness. Always served (even with `--admin off`) so container
/// health checks work.
pub fn health(state: &AppState) -> Response<Body> {
    json_response(
        StatusCode::OK,
        JSON,
        &json!({"status": "ok", "orgs": state.store.org_ids().len()}),
    )
}

/// Every other `/__admin` route.
pub fn handle(state: &AppState, req: &ApiRequest, segs: &[String]) -> ApiResult<Response<Body>> {
    if !state.config.admin_enabled {
        return Err(ApiError::not_found("The admin API is off (--admin off)."));
    }
    if let Some(expected) = &state.config.admin_token {
        let given = req
            .header(http::header::AUTHORIZATION)
            .and_then(|h| h.split_once(' '))
            .filter(|(s, _)| s.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim());
        if !given.is_some_and(|g| crate::secret::matches(g, expected)) {
            return Err(ApiError::unauthorized(
                "bad.credentials",
                "The admin API needs Authorization: Bearer <admin token>.",
            ));
        }
    }
    if let Some(answer) = super::admin_clock::route(state, req, segs) {
        return answer;
    }
    if let Some(answer) = crate::admin::handle(state, req, segs) {
        return answer;
    }
    Err(ApiError::not_found(format!(
        "No admin endpoint {} /__admin/{}.",
        req.method,
        segs.join("/")
    )))
}
