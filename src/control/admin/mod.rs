//! The admin API (`control::admin`): everything under `/__admin`, the control plane's HTTP face.
//! Imports the state, the handlers and every part below them; the pipeline's dispatch calls it.
//!
//! Health, clock, request journal, orgs (create, delete, reset, export, import, an OAuth client's grants),
//! scenarios,
//! end-state expectations, and the OpenAPI document describing them
//! (`schemas/admin-openapi.json`). Admin errors use the platform shape; admin routes are not
//! part of the emulated Genesys surface. [`dispatch`] checks `--admin`, that a write is not one
//! a web page elsewhere sent ([`forgery`]), and the admin token first.

pub(crate) mod browse;
pub(crate) mod clock;
#[cfg(feature = "dashboard")]
pub(crate) mod dashboard;
pub(crate) mod document;
#[cfg(feature = "expect")]
pub(crate) mod expect;
pub(crate) mod forgery;
pub(crate) mod grants;
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

/// 405 for a method an admin path does not serve.
fn not_allowed(allow: impl Into<String>, req: &ApiRequest, segs: &[String]) -> ApiError {
    let allow = allow.into();
    let detail = format!(
        "{} is not allowed on /__admin/{}; allowed: {allow}.",
        req.method,
        segs.join("/")
    );
    ApiError::method_not_allowed(allow, detail)
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
        return dashboard_asset(&segs[1..]);
    }
    // Before the token: with no token (the default) this is all that stands between the
    // admin API and any web page the developer has open.
    forgery::check(req)?;
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
    match Endpoint::find(&req.method, segs) {
        Found::Served(endpoint, id) => return serve(endpoint, state, req, segs, id),
        Found::OtherMethods(allow) => return Err(not_allowed(allow, req, segs)),
        Found::Nothing => {}
    }
    Err(ApiError::not_found(format!(
        "No admin endpoint {} /__admin/{}.",
        req.method,
        segs.join("/")
    )))
}

/// One admin endpoint: what [`serve`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    RequestsList,
    RequestsClear,
    RequestsCount,
    MarksList,
    MarksAdd,
    Report,
    Reset,
    OrgsList,
    OrgsCreate,
    OrgDelete,
    OrgExport,
    OrgUsers,
    OrgGroups,
    OrgImport,
    ClientGrants,
    Timeline,
    ScenariosList,
    ScenariosAdd,
    ScenariosReset,
    ScenarioRemove,
    Expect,
    OpenApi,
    Dashboard,
}

/// Every admin endpoint but the clock (`clock.rs`) and health: method, path (`*` is one
/// variable segment, handed to the endpoint) and endpoint. The one source of what is served
/// and of the `Allow` header a 405 sends: a path's methods are those of the rows with the
/// most literal pattern it matches, in this order. The first row that matches both path and
/// method serves the request.
const ENDPOINTS: &[(Method, &str, Endpoint)] = &[
    (Method::GET, "requests", Endpoint::RequestsList),
    (Method::DELETE, "requests", Endpoint::RequestsClear),
    (Method::POST, "requests/count", Endpoint::RequestsCount),
    (Method::GET, "marks", Endpoint::MarksList),
    (Method::POST, "marks", Endpoint::MarksAdd),
    (Method::GET, "report", Endpoint::Report),
    (Method::POST, "reset", Endpoint::Reset),
    (Method::GET, "orgs", Endpoint::OrgsList),
    (Method::POST, "orgs", Endpoint::OrgsCreate),
    (Method::DELETE, "orgs/*", Endpoint::OrgDelete),
    (Method::GET, "orgs/*/export", Endpoint::OrgExport),
    (Method::GET, "orgs/*/users", Endpoint::OrgUsers),
    (Method::GET, "orgs/*/groups", Endpoint::OrgGroups),
    (Method::POST, "orgs/*/import", Endpoint::OrgImport),
    (Method::PUT, "orgs/*/import", Endpoint::OrgImport),
    (
        Method::GET,
        "orgs/*/clients/*/roleDivisions",
        Endpoint::ClientGrants,
    ),
    (
        Method::PUT,
        "orgs/*/clients/*/roleDivisions",
        Endpoint::ClientGrants,
    ),
    (
        Method::POST,
        "orgs/*/clients/*/roleDivisions",
        Endpoint::ClientGrants,
    ),
    (
        Method::DELETE,
        "orgs/*/clients/*/roleDivisions",
        Endpoint::ClientGrants,
    ),
    (Method::GET, "timeline", Endpoint::Timeline),
    (Method::GET, "scenarios", Endpoint::ScenariosList),
    (Method::POST, "scenarios", Endpoint::ScenariosAdd),
    (Method::POST, "scenarios/reset", Endpoint::ScenariosReset),
    (Method::DELETE, "scenarios/*", Endpoint::ScenarioRemove),
    (Method::POST, "expect", Endpoint::Expect),
    (Method::GET, "openapi.json", Endpoint::OpenApi),
    (Method::GET, "ui", Endpoint::Dashboard),
    (Method::GET, "ui/*", Endpoint::Dashboard),
];

/// What [`Endpoint::find`] found for a method and path.
#[derive(Debug, PartialEq, Eq)]
enum Found<'a> {
    /// The endpoint, and the path's variable segment if its pattern has one.
    Served(Endpoint, Option<&'a str>),
    /// The path is served, by other methods: the `Allow` value.
    OtherMethods(String),
    /// No admin endpoint has this path.
    Nothing,
}

impl Endpoint {
    fn find<'a>(method: &Method, segs: &'a [String]) -> Found<'a> {
        let matching = || {
            ENDPOINTS
                .iter()
                .filter_map(|(m, pattern, e)| Some((m, pattern, e, path_matches(pattern, segs)?)))
        };
        if let Some((_, _, endpoint, id)) = matching().find(|(m, ..)| *m == method) {
            return Found::Served(*endpoint, id);
        }
        // `Allow` names the methods of the most literal pattern the path matches:
        // `/__admin/scenarios/reset` is its own resource (POST), though `scenarios/*` would
        // also take a DELETE of a scenario named `reset`.
        let literal = |pattern: &str| pattern.split('/').filter(|s| *s != "*").count();
        let Some(best) = matching().map(|(_, p, ..)| literal(p)).max() else {
            return Found::Nothing;
        };
        let mut allow: Vec<&str> = Vec::new();
        for (m, ..) in matching().filter(|(_, p, ..)| literal(p) == best) {
            if !allow.contains(&m.as_str()) {
                allow.push(m.as_str());
            }
        }
        Found::OtherMethods(allow.join(", "))
    }
}

/// Whether `segs` has the shape of `pattern`: `Some` with the segment a `*` stood for (if
/// any), or `None`.
fn path_matches<'a>(pattern: &str, segs: &'a [String]) -> Option<Option<&'a str>> {
    let mut var = None;
    let mut parts = pattern.split('/');
    for seg in segs {
        match parts.next()? {
            "*" => var = Some(seg.as_str()),
            literal if literal == seg => {}
            _ => return None,
        }
    }
    parts.next().is_none().then_some(var)
}

/// Runs one admin endpoint.
fn serve(
    endpoint: Endpoint,
    state: &AppState,
    req: &ApiRequest,
    segs: &[String],
    id: Option<&str>,
) -> ApiResult<Response<Body>> {
    let id = id.unwrap_or_default();
    match endpoint {
        Endpoint::RequestsList => requests::list(state, req),
        Endpoint::RequestsClear => requests::clear(state, req),
        Endpoint::RequestsCount => requests::count(state, req),
        Endpoint::MarksList => Ok(marks::list(state)),
        Endpoint::MarksAdd => marks::add(state, req),
        Endpoint::Report => report::get(state, req),
        Endpoint::Reset => orgs::reset(state, req),
        Endpoint::OrgsList => Ok(orgs::list(state)),
        Endpoint::OrgsCreate => orgs::create(state, req),
        Endpoint::OrgDelete => orgs::delete(state, id),
        Endpoint::OrgExport => orgs::export(state, id),
        Endpoint::OrgUsers => browse::users(state, req, id),
        Endpoint::OrgGroups => browse::groups(state, req, id),
        Endpoint::OrgImport => orgs::import(state, req, id),
        // Two variable segments: the org and the client.
        Endpoint::ClientGrants => {
            let at = |i: usize| segs.get(i).map_or("", String::as_str);
            grants::endpoint(state, req, at(1), at(3))
        }
        Endpoint::Timeline => browse::timeline(state, req),
        Endpoint::ScenariosList => Ok(scenarios::list(state)),
        Endpoint::ScenariosAdd => scenarios::add(state, req),
        Endpoint::ScenariosReset => scenarios::reset(state, req),
        Endpoint::ScenarioRemove => scenarios::remove(state, id),
        #[cfg(feature = "expect")]
        Endpoint::Expect => expect::check(state, req),
        #[cfg(not(feature = "expect"))]
        Endpoint::Expect => Err(ApiError::not_found(
            "End-state expectations are not built in (the `expect` feature).",
        )),
        Endpoint::OpenApi => {
            let mut resp = Response::new(crate::edge::response::full(OPENAPI));
            resp.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static(JSON),
            );
            Ok(resp)
        }
        // Served before the token check (see `dispatch`); reached only through this table's
        // `Allow` lists, and answers the same.
        Endpoint::Dashboard => dashboard_asset(segs.get(1..).unwrap_or_default()),
    }
}

/// The dashboard file at `/__admin/ui[/NAME]`.
#[cfg(feature = "dashboard")]
fn dashboard_asset(rest: &[String]) -> ApiResult<Response<Body>> {
    let file = match rest {
        [] => dashboard::asset(None),
        [name] => dashboard::asset(Some(name)),
        _ => None,
    };
    file.ok_or_else(|| ApiError::not_found("No such dashboard file."))
}

/// Without the `dashboard` feature (a test handle's build) there is no page to serve.
#[cfg(not(feature = "dashboard"))]
fn dashboard_asset(_rest: &[String]) -> ApiResult<Response<Body>> {
    Err(ApiError::not_found(
        "The dashboard is not built in (the `dashboard` feature).",
    ))
}

/// A JSON admin response.
pub(crate) fn json(status: StatusCode, value: &serde_json::Value) -> Response<Body> {
    crate::edge::response::json_response(status, JSON, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(path: &str) -> Vec<String> {
        path.split('/').map(str::to_owned).collect()
    }

    #[test]
    fn a_path_is_served_by_its_rows_and_allows_exactly_their_methods() {
        assert_eq!(
            Endpoint::find(&Method::DELETE, &segs("orgs/o1")),
            Found::Served(Endpoint::OrgDelete, Some("o1"))
        );
        assert_eq!(
            Endpoint::find(&Method::GET, &segs("requests")),
            Found::Served(Endpoint::RequestsList, None)
        );
        assert_eq!(
            Endpoint::find(&Method::PATCH, &segs("requests")),
            Found::OtherMethods("GET, DELETE".into())
        );
        assert_eq!(
            Endpoint::find(&Method::GET, &segs("orgs/o1/import")),
            Found::OtherMethods("POST, PUT".into())
        );
        assert_eq!(
            Endpoint::find(&Method::GET, &segs("orgs/o1/nothing")),
            Found::Nothing
        );
        assert_eq!(
            Endpoint::find(&Method::GET, &segs("orgs/o1/export/x")),
            Found::Nothing
        );
    }

    #[test]
    fn every_endpoint_row_is_in_the_openapi_document_with_its_method() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI).expect("the document parses");
        for (method, pattern, _) in ENDPOINTS {
            // The document names the variable segments by what they are, in order.
            let variables: &[&str] = match pattern.split('/').next() {
                Some("orgs") => &["{id}", "{clientId}"],
                Some("scenarios") => &["{name}"],
                _ => &["{file}"],
            };
            let mut names = variables.iter();
            let path = pattern
                .split('/')
                .map(|s| {
                    if s == "*" {
                        names.next().copied().unwrap_or(s)
                    } else {
                        s
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let op = &doc["paths"][format!("/__admin/{path}")][method.as_str().to_lowercase()];
            assert!(op.is_object(), "{method} /__admin/{path} is not documented");
        }
    }
}
