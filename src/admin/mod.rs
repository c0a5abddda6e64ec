//! The admin API under `/__admin`: request journal, orgs (create, delete, reset, export,
//! import), scenarios, and the OpenAPI document describing them (`docs/admin-openapi.json`).
//! `handlers::admin` checks `--admin` and the admin token, then hands the path here.

pub mod marks;
pub mod orgs;
pub mod report;
pub mod requests;
pub mod scenarios;
pub mod sources;

use http::{Method, Response, StatusCode};

use crate::error::ApiResult;
use crate::http::{ApiRequest, Body, JSON};
use crate::state::AppState;

/// The OpenAPI 3 document of the admin API.
pub const OPENAPI: &str = include_str!("../../docs/admin-openapi.json");

/// Serves an admin route, or `None` when the path is not one of these.
pub fn handle(
    state: &AppState,
    req: &ApiRequest,
    segs: &[String],
) -> Option<ApiResult<Response<Body>>> {
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    let m = &req.method;
    Some(match (m, s.as_slice()) {
        (&Method::GET, ["requests"]) => requests::list(state, req),
        (&Method::DELETE, ["requests"]) => Ok(requests::clear(state)),
        (&Method::POST, ["requests", "count"]) => requests::count(state, req),
        (&Method::GET, ["marks"]) => Ok(marks::list(state)),
        (&Method::POST, ["marks"]) => marks::add(state, req),
        (&Method::GET, ["report"]) => report::get(state, req),
        (&Method::POST, ["reset"]) => orgs::reset(state, req),
        (&Method::GET, ["orgs"]) => Ok(orgs::list(state)),
        (&Method::POST, ["orgs"]) => orgs::create(state, req),
        (&Method::DELETE, ["orgs", id]) => orgs::delete(state, id),
        (&Method::GET, ["orgs", id, "export"]) => orgs::export(state, id),
        (&Method::POST | &Method::PUT, ["orgs", id, "import"]) => orgs::import(state, req, id),
        (&Method::GET, ["scenarios"]) => Ok(scenarios::list(state)),
        (&Method::POST, ["scenarios"]) => scenarios::add(state, req),
        (&Method::POST, ["scenarios", "reset"]) => Ok(scenarios::reset(state)),
        (&Method::DELETE, ["scenarios", name]) => scenarios::remove(state, name),
        (&Method::GET, ["openapi.json"]) => {
            let mut resp = Response::new(crate::http::full(OPENAPI));
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
    crate::http::json_response(status, JSON, value)
}
