//! `PATCH /api/v2/users/{userId}`: the platform user update, for `state`: how Genesys' own
//! clients restore a deleted user.
//!
//! Genesys' Terraform provider restores a deleted user by reading it with `state=deleted` and
//! sending `{"state": "active", "version": N}` with the version it read (`restoreDeletedUser`
//! in `genesyscloud/user/resource_genesyscloud_user_utils.go`); a stale version is a version
//! mismatch it retries (`util.IsVersionMismatch`: a 409, or a 400 whose message says "does not
//! match the current version"). A restored user lands in the Home division without roles
//! (Genesys help, "Delete someone from your organization"). Only `state` is served (with the
//! `version` Genesys' `UpdateUser` requires); any other field is refused with 400 naming it,
//! never ignored.

use http::{Method, Response, StatusCode};
use serde_json::Value;

use crate::api::platform_user::user_response;
use crate::api::{Session, json_body};
use crate::edge::response::Body;
use crate::error::{ApiError, ApiResult};
use crate::genesys::user::UserState;
use crate::pipeline::context::ApiRequest;

/// Fields of `UpdateUser` the mock reads (`id` and `selfUri` are echoes, and ignored).
const SERVED: &[&str] = &["state", "version", "id", "selfUri"];

/// `PATCH /api/v2/users/{userId}`.
pub(crate) fn patch(session: &Session, req: &ApiRequest, id: &str) -> ApiResult<Response<Body>> {
    debug_assert_eq!(req.method, Method::PATCH);
    let body = json_body(req)?
        .as_object()
        .ok_or_else(|| ApiError::bad_request("The body must be a JSON object."))?;
    if let Some(other) = body.keys().find(|k| !SERVED.contains(&k.as_str())) {
        return Err(ApiError::bad_request(format!(
            "{other} cannot be changed here: the mock serves only state (with version) on \
             PATCH /api/v2/users/{{userId}}; change users through SCIM."
        )));
    }
    let version = body.get("version").and_then(Value::as_u64).ok_or_else(|| {
        ApiError::bad_request(
            "version is required: the user's current version, as GET /api/v2/users/{userId} \
                 (with ?state=deleted for a deleted user) answers it.",
        )
    })?;
    let state = match body.get("state") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("active") => Some(UserState::Active),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("inactive") => Some(UserState::Inactive),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("deleted") => {
            return Err(ApiError::bad_request(
                "state deleted cannot be set by PATCH; delete the user with SCIM DELETE \
                 /api/v2/scim/v2/Users/{id}.",
            ));
        }
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "state must be active or inactive, got {other}."
            )));
        }
    };
    let mut org = session.org.write();
    let current = org
        .user_any(id)
        .filter(|u| u.state != UserState::Deleted || state.is_some())
        .ok_or_else(|| ApiError::not_found(format!("User {id} not found.")))?;
    if current.version != version {
        return Err(ApiError::invalid_vers(
            StatusCode::CONFLICT,
            format!(
                "The version supplied ({version}) does not match the current version ({}) of \
                 user {id}.",
                current.version
            ),
        ));
    }
    let mut user = current.clone();
    if let Some(state) = state {
        if user.state == UserState::Deleted {
            // Restored: in the Home division, without roles.
            if let Some(home) = org.home_division() {
                user.division_id = home.id.clone();
            }
            user.role_ids.clear();
        }
        user.state = state;
    }
    org.store_user(user, session.now)?;
    let stored = org.user_any(id).ok_or_else(ApiError::internal)?;
    Ok(user_response(req, stored, &org))
}
