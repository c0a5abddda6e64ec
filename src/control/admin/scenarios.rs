//! `/__admin/scenarios`: list with counters and states, add (or replace), remove, reset.

use http::{Response, StatusCode};
use serde_json::{Value, json};

use super::json;
use crate::control::scenario::Scenario;
use crate::control::scenario::engine::MAX_SCENARIOS;
use crate::edge::response::{Body, status_response};
use crate::error::{ApiError, ApiResult};
use crate::pipeline::context::ApiRequest;
use crate::state::AppState;

/// `GET /__admin/scenarios`.
pub(crate) fn list(state: &AppState) -> Response<Body> {
    json(
        StatusCode::OK,
        &json!({"scenarios": state.scenarios.snapshot()}),
    )
}

/// `POST /__admin/scenarios`: 201 when new, 200 when it replaced one of the same name.
pub(crate) fn add(state: &AppState, req: &ApiRequest) -> ApiResult<Response<Body>> {
    let value = Value::Object(super::document::object(req, "scenario")?.clone());
    let s = Scenario::from_value(value)
        .map_err(|e| ApiError::bad_request(format!("invalid scenario: {e}")))?;
    let name = s.name.clone();
    let replaced = state.scenarios.add_bounded(s).ok_or_else(|| {
        ApiError::conflict(format!(
            "{MAX_SCENARIOS} scenarios are loaded, the bound; DELETE one before adding another."
        ))
    })?;
    let status = if replaced {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok(json(status, &json!({"name": name, "replaced": replaced})))
}

/// `DELETE /__admin/scenarios/{name}`.
pub(crate) fn remove(state: &AppState, name: &str) -> ApiResult<Response<Body>> {
    if state.scenarios.remove(name) {
        Ok(status_response(StatusCode::NO_CONTENT))
    } else {
        Err(ApiError::not_found(format!("No scenario named {name:?}.")))
    }
}

/// `POST /__admin/scenarios/reset`: counters to zero, states to `start`.
pub(crate) fn reset(state: &AppState, req: &ApiRequest) -> ApiResult<Response<Body>> {
    super::document::known_params(req, &[])?;
    super::document::none(req, "POST /__admin/scenarios/reset")?;
    state.scenarios.reset(None);
    Ok(status_response(StatusCode::NO_CONTENT))
}
