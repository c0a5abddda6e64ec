//! Request → route → handler, in one place.
//!
//! [`route`] is a pure function from a method-less path to a [`Route`]; method dispatch happens
//! afterwards so that an unknown path (404) and a wrong method (405) are different answers.
//! Path segments are split on the raw `/` first and percent-decoded afterwards, as Genesys does:
//! that is why an authority sent as `https%3A//idp/fas` splits into several segments while
//! `https%3A%2F%2Fidp%2Ffas` stays one (seed 000).

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;

use bytes::Bytes;
use futures_util::FutureExt;
use http::{HeaderValue, Method, Request, Response};
use hyper::body::Incoming;
use tracing::{Instrument, error, info_span};

use crate::error::{ApiError, Surface};
use crate::fault::ConnFault;
use crate::handlers::{self, Ctx};
use crate::http::{ApiRequest, Body, read_limited};
use crate::journal::Pending;
use crate::scenario::{self, action::Step};
use crate::state::AppState;

/// Header that carries the request's correlation id on every response.
pub const CORRELATION_HEADER: &str = "inin-correlation-id";

/// Which SCIM tree a request came through. Both behave the same; the base differs in URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScimTree {
    /// `/api/v2/scim/v2`
    V2,
    /// `/api/v2/scim` (legacy)
    Legacy,
}

impl ScimTree {
    /// The path prefix of this tree.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::V2 => "/api/v2/scim/v2",
            Self::Legacy => "/api/v2/scim",
        }
    }
}

/// A SCIM resource endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScimRoute {
    Users,
    User(String),
    Groups,
    Group(String),
    ServiceProviderConfig,
    ResourceTypes,
    ResourceType(String),
    Schemas,
    Schema(String),
}

/// A platform (non-SCIM) endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlatformRoute {
    Users,
    User(String),
    /// `/api/v2/users/externalid/...`: the decoded segments after `externalid`.
    ExternalIdLookup(Vec<String>),
    /// `/api/v2/users/{id}/externalid/...`: the user id and the decoded segments after
    /// `externalid`.
    UserExternalIds(String, Vec<String>),
    Divisions,
    Roles,
    Skills,
    Languages,
    Groups,
}

/// Where a path leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/__admin/health`
    Health,
    /// `/__admin/...`: the decoded segments after `__admin`.
    Admin(Vec<String>),
    /// `POST /oauth/token`
    Token,
    Scim(ScimTree, ScimRoute),
    Platform(PlatformRoute),
    /// A path under `/api/v2/scim` that names no resource.
    ScimUnknown,
    Unknown,
}

impl Route {
    /// The error shape for this route.
    pub fn surface(&self) -> Surface {
        match self {
            Self::Scim(..) | Self::ScimUnknown => Surface::Scim,
            _ => Surface::Platform,
        }
    }

    /// A stable name for scenarios and the journal, e.g. `users.patch`.
    pub fn name(&self, method: &Method) -> String {
        let verb = |list: bool| match *method {
            Method::GET if list => "list",
            Method::GET => "get",
            Method::POST => "create",
            Method::PUT => "replace",
            Method::PATCH => "patch",
            Method::DELETE => "delete",
            _ => "other",
        };
        match self {
            Self::Health => "admin.health".to_owned(),
            Self::Admin(_) => "admin".to_owned(),
            Self::Token => "oauth.token".to_owned(),
            Self::Scim(_, r) => match r {
                ScimRoute::Users => format!("users.{}", verb(true)),
                ScimRoute::User(_) => format!("users.{}", verb(false)),
                ScimRoute::Groups => format!("groups.{}", verb(true)),
                ScimRoute::Group(_) => format!("groups.{}", verb(false)),
                ScimRoute::ServiceProviderConfig => "serviceproviderconfig.get".to_owned(),
                ScimRoute::ResourceTypes | ScimRoute::ResourceType(_) => {
                    "resourcetypes.get".to_owned()
                }
                ScimRoute::Schemas | ScimRoute::Schema(_) => "schemas.get".to_owned(),
            },
            Self::Platform(p) => match p {
                PlatformRoute::Users => "platform.users.list".to_owned(),
                PlatformRoute::User(_) => "platform.users.get".to_owned(),
                PlatformRoute::ExternalIdLookup(_) => "externalid.lookup".to_owned(),
                PlatformRoute::UserExternalIds(..) => format!("externalid.{}", verb(false)),
                PlatformRoute::Divisions => "platform.divisions.list".to_owned(),
                PlatformRoute::Roles => "platform.roles.list".to_owned(),
                PlatformRoute::Skills => "platform.skills.list".to_owned(),
                PlatformRoute::Languages => "platform.languages.list".to_owned(),
                PlatformRoute::Groups => "platform.groups.list".to_owned(),
            },
            Self::ScimUnknown | Self::Unknown => "unknown".to_owned(),
        }
    }
}

/// Splits a raw path on `/` and percent-decodes each segment. A trailing slash is tolerated.
pub fn segments(path: &str) -> Result<Vec<String>, String> {
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
    if trimmed.is_empty() {
        return Ok(Vec::new());
    }
    trimmed
        .split('/')
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|_| format!("path segment {s:?} is not valid percent-encoded UTF-8"))
        })
        .collect()
}

/// Routes a raw path.
pub fn route(path: &str) -> Result<Route, String> {
    let segs = segments(path)?;
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    let lower: Vec<String> = s.iter().map(|x| x.to_ascii_lowercase()).collect();
    let l: Vec<&str> = lower.iter().map(String::as_str).collect();
    Ok(match l.as_slice() {
        ["__admin", "health"] => Route::Health,
        ["__admin", ..] => Route::Admin(segs[1..].to_vec()),
        ["oauth", "token"] => Route::Token,
        ["api", "v2", "scim", "v2", ..] => scim(ScimTree::V2, &s[4..]),
        ["api", "v2", "scim", ..] => scim(ScimTree::Legacy, &s[3..]),
        ["api", "v2", "users"] => Route::Platform(PlatformRoute::Users),
        ["api", "v2", "users", "externalid", ..] => {
            Route::Platform(PlatformRoute::ExternalIdLookup(segs[4..].to_vec()))
        }
        ["api", "v2", "users", _] => Route::Platform(PlatformRoute::User(segs[3].clone())),
        ["api", "v2", "users", _, "externalid", ..] => Route::Platform(
            PlatformRoute::UserExternalIds(segs[3].clone(), segs[5..].to_vec()),
        ),
        ["api", "v2", "authorization", "divisions"] => Route::Platform(PlatformRoute::Divisions),
        ["api", "v2", "authorization", "roles"] => Route::Platform(PlatformRoute::Roles),
        ["api", "v2", "routing", "skills"] => Route::Platform(PlatformRoute::Skills),
        ["api", "v2", "routing", "languages"] => Route::Platform(PlatformRoute::Languages),
        ["api", "v2", "groups"] => Route::Platform(PlatformRoute::Groups),
        _ => Route::Unknown,
    })
}

/// SCIM resource segments are matched case-insensitively: the SDKs send `users`, IdPs `Users`.
fn scim(tree: ScimTree, rest: &[&str]) -> Route {
    let first = rest.first().map(|f| f.to_ascii_lowercase());
    let r = match (first.as_deref(), rest.get(1), rest.len()) {
        (Some("users"), _, 1) => ScimRoute::Users,
        (Some("users"), Some(id), 2) => ScimRoute::User((*id).to_owned()),
        (Some("groups"), _, 1) => ScimRoute::Groups,
        (Some("groups"), Some(id), 2) => ScimRoute::Group((*id).to_owned()),
        (Some("serviceproviderconfig" | "serviceproviderconfigs"), _, 1) => {
            ScimRoute::ServiceProviderConfig
        }
        (Some("resourcetypes"), _, 1) => ScimRoute::ResourceTypes,
        (Some("resourcetypes"), Some(id), 2) => ScimRoute::ResourceType((*id).to_owned()),
        (Some("schemas"), _, 1) => ScimRoute::Schemas,
        (Some("schemas"), Some(id), 2) => ScimRoute::Schema((*id).to_owned()),
        _ => return Route::ScimUnknown,
    };
    Route::Scim(tree, r)
}

/// The entry point for every request: buffer, route, consult the scenarios, authenticate,
/// dispatch, stamp the correlation id, and record the exchange in the journal (once, faults
/// included). A panic inside a handler becomes a 500 for that request only.
pub async fn handle(state: &AppState, req: Request<Incoming>) -> Response<Body> {
    let started = crate::clock::stopwatch();
    let arrived = state.clock.now();
    let correlation_id = state.rng.uuid().to_string();
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let conn = parts.extensions.get::<ConnFault>().cloned();
    let span = info_span!("request", method = %parts.method, path = %path, id = %correlation_id);
    async move {
        let routed = route(&path);
        let surface = routed.as_ref().map_or(Surface::Platform, Route::surface);
        let (body, unreadable) = match read_limited(body, state.config.max_body_bytes).await {
            Ok(Some(b)) => (b, None),
            Ok(None) => (
                Bytes::new(),
                Some(ApiError::payload_too_large(state.config.max_body_bytes)),
            ),
            Err(_) => (
                Bytes::new(),
                Some(ApiError::bad_request("The request body could not be read.")),
            ),
        };
        let request = ApiRequest {
            method: parts.method,
            path,
            query: parts.uri.query().map(str::to_owned),
            headers: parts.headers,
            body,
            correlation_id: correlation_id.clone(),
        };
        let route_name = routed
            .as_ref()
            .map_or_else(|_| "unknown".to_owned(), |r| r.name(&request.method));
        let caller = crate::journal::caller(state, &request);
        let mut pending = Pending::new(
            state,
            request.clone(),
            route_name.clone(),
            caller.clone(),
            arrived,
            started,
        );
        let record = &mut pending.outcome;
        let resp = match (routed, unreadable) {
            (_, Some(e)) => e.render(surface, &correlation_id),
            (Err(msg), None) => ApiError::bad_request(msg).render(surface, &correlation_id),
            (Ok(route), None) => {
                let plan = match route {
                    Route::Health | Route::Admin(_) => None,
                    _ if state.scenarios.is_empty() => None,
                    _ => {
                        let data = scenario::matcher::ProbeData::new(&request);
                        state
                            .scenarios
                            .decide(&data.probe(&request, &route_name, &caller))
                    }
                };
                let step = match plan {
                    Some(plan) => {
                        record.plan(&plan);
                        match &plan.then {
                            Some(then) => {
                                scenario::action::perform(
                                    state,
                                    then,
                                    surface,
                                    &correlation_id,
                                    conn.as_ref(),
                                )
                                .await
                            }
                            None => Step::pass(),
                        }
                    }
                    None => Step::pass(),
                };
                match step {
                    Step::Answer { resp, status } => {
                        record.status = Some(status);
                        resp
                    }
                    Step::Pass { compat, finish } => {
                        let resp = stamp(
                            dispatch_caught(state, &request, &route, compat.as_ref()).await,
                            &correlation_id,
                        );
                        match finish {
                            Some(then) => {
                                record.status = Some(resp.status().as_u16());
                                scenario::action::finish(state, resp, &then, conn.as_ref()).await
                            }
                            None => resp,
                        }
                    }
                }
            }
        };
        let resp = stamp(resp, &correlation_id);
        pending.finish(resp).await
    }
    .instrument(span)
    .await
}

async fn dispatch_caught(
    state: &AppState,
    request: &ApiRequest,
    route: &Route,
    compat: Option<&BTreeMap<String, serde_json::Value>>,
) -> Response<Body> {
    AssertUnwindSafe(dispatch(state, request, route, compat))
        .catch_unwind()
        .await
        .unwrap_or_else(|panic| {
            let cause = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            error!(%cause, "handler panicked");
            ApiError::internal().render(route.surface(), &request.correlation_id)
        })
}

fn stamp(mut resp: Response<Body>, correlation_id: &str) -> Response<Body> {
    if let Ok(v) = HeaderValue::from_str(correlation_id) {
        resp.headers_mut().insert(CORRELATION_HEADER, v);
    }
    resp
}

async fn dispatch(
    state: &AppState,
    req: &ApiRequest,
    route: &Route,
    compat: Option<&BTreeMap<String, serde_json::Value>>,
) -> Response<Body> {
    let surface = route.surface();
    let cid = &req.correlation_id;
    let result = match route {
        Route::Health => Ok(handlers::admin::health(state)),
        Route::Admin(segs) => handlers::admin::handle(state, req, segs),
        Route::Token => handlers::oauth::token(state, req),
        Route::Unknown | Route::ScimUnknown => Err(ApiError::not_found(format!(
            "No resource at {} {}.",
            req.method, req.path
        ))),
        Route::Scim(..) | Route::Platform(_) => match Ctx::authenticate(state, req, route) {
            Err(e) => Err(e),
            Ok(mut ctx) => {
                // A scenario's `compat` action: switches overridden for this request only.
                if let Some(map) = compat {
                    let _ = scenario::rule::apply_compat(&mut ctx.compat, map);
                }
                crate::ratelimit::guard(state, &ctx, req, surface, || match route {
                    Route::Scim(_, r) => handlers::scim(state, &ctx, req, r),
                    Route::Platform(p) => handlers::platform::handle(state, &ctx, req, p),
                    _ => unreachable!("matched above"),
                })
            }
        },
    };
    let mut resp = result.unwrap_or_else(|e| e.render(surface, cid));
    if surface == Surface::Scim {
        crate::http::negotiate(req, &mut resp);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scim_segments_are_case_insensitive_and_trailing_slash_is_fine() {
        assert_eq!(
            route("/api/v2/scim/v2/Users/").unwrap(),
            Route::Scim(ScimTree::V2, ScimRoute::Users)
        );
        assert_eq!(
            route("/api/v2/scim/users/abc").unwrap(),
            Route::Scim(ScimTree::Legacy, ScimRoute::User("abc".into()))
        );
        assert_eq!(
            route("/api/v2/scim/v2/ServiceProviderConfig").unwrap(),
            Route::Scim(ScimTree::V2, ScimRoute::ServiceProviderConfig)
        );
        assert_eq!(route("/api/v2/scim/v2/Bulk").unwrap(), Route::ScimUnknown);
        assert_eq!(route("/nope").unwrap(), Route::Unknown);
    }

    #[test]
    fn segments_split_before_decoding() {
        assert_eq!(
            route("/api/v2/users/externalid/https%3A%2F%2Fidp%2Ffas/K1").unwrap(),
            Route::Platform(PlatformRoute::ExternalIdLookup(vec![
                "https://idp/fas".into(),
                "K1".into()
            ]))
        );
        assert_eq!(
            route("/api/v2/users/externalid/https%3A//idp/fas/K1").unwrap(),
            Route::Platform(PlatformRoute::ExternalIdLookup(vec![
                "https:".into(),
                "".into(),
                "idp".into(),
                "fas".into(),
                "K1".into()
            ]))
        );
        assert!(route("/api/v2/scim/v2/users/%FF").is_err());
    }

    #[test]
    fn route_names_are_stable() {
        let r = route("/api/v2/scim/v2/Users/x").unwrap();
        assert_eq!(r.name(&Method::PATCH), "users.patch");
        assert_eq!(
            route("/api/v2/scim/v2/Users").unwrap().name(&Method::GET),
            "users.list"
        );
    }
}
