//! The admin API (`control::admin`): everything under `/__admin`, the control plane's HTTP face.
//! Imports the state, the handlers and every part below them; the pipeline's dispatch calls it.
//!
//! Health, clock, request journal, orgs (create, delete, reset, export, import), scenarios,
//! end-state expectations, and the OpenAPI document describing them
//! (`schemas/admin-openapi.json`). Admin errors use the platform shape; admin routes are not
//! part of the emulated Genesys surface. [`dispatch`] checks `--admin` and the admin token
//! first.

pub(crate) mod browse;
pub(crate) mod clock;
pub(crate) mod dashboard;
pub(crate) mod document;
pub(crate) mod expect;
pub(crate) mod marks;
pub(crate) mod orgs;
pub(crate) mod report;
pub(crate) mod requests;
pub(crate) mod scenarios;

use http::{Method, Response, StatusCode};

use crate::edge::response::{Body, JSON, json_response};
use crate::error::{ApiError, ApiResult};
use crate::pipeline::context::ApiRequest;
use crate::state::AppState;

/// The OpenAPI 3 document of the admin API.
pub(crate) const OPENAPI: &str = include_str!("../../../schemas/admin-openapi.json");

/// `GET /__admin/health`: readiness. Always served (even with `--admin off`) so container
/// health checks work; any other method is answered 405.
pub(crate) fn health(state: &AppState, req: &ApiRequest) -> ApiResult<Response<Body>> {
    if req.method != Method::GET {
        return Err(not_allowed("GET", req, &["health".to_owned()]));
    }
    Ok(json_response(
        StatusCode::OK,
        JSON,
        &serde_json::json!({"status": "ok", "orgs": state.store.org_ids().len()}),
    ))
}

/// The methods an admin path serves (as an `Allow` value), or `None` when it is no admin path.
fn allowed(segs: &[String]) -> Option<&'static str> {
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    Some(match s.as_slice() {
        ["requests"] => "GET, DELETE",
        ["marks" | "orgs" | "scenarios"] => "GET, POST",
        ["requests", "count"] | ["reset"] | ["scenarios", "reset"] | ["expect"] => "POST",
        ["report" | "timeline" | "openapi.json" | "ui"] | ["ui", _] => "GET",
        ["orgs", _, "export" | "users" | "groups"] => "GET",
        ["orgs", _, "import"] => "POST, PUT",
        ["orgs", _] | ["scenarios", _] => "DELETE",
        _ => return None,
    })
}

/// 405 for a method an admin path does not serve.
fn not_allowed(allow: &'static str, req: &ApiRequest, segs: &[String]) -> ApiError {
    ApiError::method_not_allowed(
        allow,
        format!(
            "{} is not allowed on /__admin/{}; allowed: {allow}.",
            req.method,
            segs.join("/")
        ),
    )
}

/// Every other `/__admin` route.
pub(crate) fn dispatch(
    state: &AppState,
    req: &ApiRequest,
    segs: &[String],
) -> ApiResult<Response<Body>> {
    if !state.config.admin_enabled {
        return Err(ApiError::not_found("The admin API is off (--admin off)."));
    }
    // The dashboard page holds no data and a browser cannot send the token when it
    // navigates: it is served before the token check, and asks for the token itself.
    if req.method == Method::GET && segs.first().is_some_and(|s| s == "ui") {
        let file = match &segs[1..] {
            [] => dashboard::asset(None),
            [name] => dashboard::asset(Some(name)),
            _ => None,
        };
        return file.ok_or_else(|| ApiError::not_found("No such dashboard file."));
    }
    if let Some(expected) = &state.config.admin_token {
        let given = req.caller.bearer();
        if !given.is_some_and(|g| crate::base::secret::matches(g, expected)) {
            return Err(ApiError::unauthorized(
                "bad.credentials",
                "The admin API needs Authorization: Bearer <admin token>.",
            ));
        }
    }
    if let Some(answer) = clock::endpoint(state, req, segs) {
        return answer;
    }
    if let Some(answer) = endpoint(state, req, segs) {
        return answer;
    }
    if let Some(allow) = allowed(segs) {
        return Err(not_allowed(allow, req, segs));
    }
    Err(ApiError::not_found(format!(
        "No admin endpoint {} /__admin/{}.",
        req.method,
        segs.join("/")
    )))
}

/// Serves an admin route, or `None` when the path is not one of these.
fn endpoint(
    state: &AppState,
    req: &ApiRequest,
    segs: &[String],
) -> Option<ApiResult<Response<Body>>> {
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    let m = &req.method;
    Some(match (m, s.as_slice()) {
        (&Method::GET, ["requests"]) => requests::list(state, req),
        (&Method::DELETE, ["requests"]) => requests::clear(state, req),
        (&Method::POST, ["requests", "count"]) => requests::count(state, req),
        (&Method::GET, ["marks"]) => Ok(marks::list(state)),
        (&Method::POST, ["marks"]) => marks::add(state, req),
        (&Method::GET, ["report"]) => report::get(state, req),
        (&Method::POST, ["reset"]) => orgs::reset(state, req),
        (&Method::GET, ["orgs"]) => Ok(orgs::list(state)),
        (&Method::POST, ["orgs"]) => orgs::create(state, req),
        (&Method::DELETE, ["orgs", id]) => orgs::delete(state, id),
        (&Method::GET, ["orgs", id, "export"]) => orgs::export(state, id),
        (&Method::GET, ["orgs", id, "users"]) => browse::users(state, req, id),
        (&Method::GET, ["orgs", id, "groups"]) => browse::groups(state, req, id),
        (&Method::GET, ["timeline"]) => browse::timeline(state, req),
        (&Method::POST | &Method::PUT, ["orgs", id, "import"]) => orgs::import(state, req, id),
        (&Method::GET, ["scenarios"]) => Ok(scenarios::list(state)),
        (&Method::POST, ["scenarios"]) => scenarios::add(state, req),
        (&Method::POST, ["scenarios", "reset"]) => scenarios::reset(state, req),
        (&Method::DELETE, ["scenarios", name]) => scenarios::remove(state, name),
        (&Method::POST, ["expect"]) => expect::check(state, req),
        (&Method::GET, ["openapi.json"]) => {
            let mut resp = Response::new(crate::edge::response::full(OPENAPI));
            resp.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static(JSON),
            );
            Ok(resp)
        }
        _ => return None,
    })
}

/// A JSON admin response.
pub(crate) fn json(status: StatusCode, value: &serde_json::Value) -> Response<Body> {
    crate::edge::response::json_response(status, JSON, value)
}
