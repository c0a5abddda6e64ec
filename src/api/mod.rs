//! The API handlers (part `api`): one file per resource of the emulated service, HTTP only.
//! Imports the state and every part below it; never `control::admin` or `pipeline::dispatch`.
//!
//! This file holds what they share: the [`Session`] a request's bearer token resolves to, the
//! SCIM dispatch by route ([`scim`]), ETags and `If-Match`, list queries and projections. A
//! resource's file names its verbs after what it serves (users: `list`, `get`, `create`,
//! `replace`, `patch`, `delete`; groups have no `create` or `delete`; discovery, external ids,
//! OAuth and the platform views have their own). Handlers are synchronous: the session's org is
//! locked, the work done, the lock released; nothing awaits while a lock is held.

pub(crate) mod credentials;
pub(crate) mod discovery;
pub(crate) mod externalid;
pub(crate) mod groups;
pub(crate) mod oauth;
pub(crate) mod organization;
pub(crate) mod permission;
pub(crate) mod platform;
pub(crate) mod platform_user;
pub(crate) mod search;
pub(crate) mod user_search;
pub(crate) mod user_update;
pub(crate) mod users;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use http::{HeaderValue, Method, Response, StatusCode, header};
use serde_json::Value;

use crate::compat::layer::CompatLayer;
use crate::compat::{AuthErrors, Compat, DotSearch};
use crate::edge::response::{Body, SCIM_JSON, json_response, status_response};
use crate::error::{ApiError, ApiResult};
use crate::genesys::lag::Unseen;
use crate::genesys::mapping::{ScimWrite, View};
use crate::genesys::org::Org;
use crate::genesys::permission::Grants;
use crate::pipeline::context::ApiRequest;
use crate::pipeline::route::{Route, ScimRoute, ScimTree};
use crate::ratelimit::{
    self,
    layer::{Check, Subject},
};
use crate::scim::filter::{self, Filter};
use crate::scim::list::{self, Page};
use crate::scim::projection::Projection;
use crate::scim::schema::ResourceKind;
use crate::state::AppState;
use crate::store::OrgHandle;

/// Who is calling and where: resolved from the bearer token once per request.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub org: OrgHandle,
    /// The switches this request runs under: the server's, with the org's fixture layer on top
    /// (and a firing scenario rule's, applied by the router).
    pub compat: Compat,
    /// The SCIM base URL of this request, e.g. `http://127.0.0.1:8080/api/v2/scim/v2`.
    pub scim_base: Arc<str>,
    pub now: DateTime<Utc>,
    /// The rate-limit windows this request is counted in (empty: not limited), worked out
    /// from the server's and the org's layers under the same read lock as `compat`.
    pub rate_checks: Vec<Check>,
    /// The client's `roleDivisions` resolved against the org under the same read lock
    /// (`None`: a client without them, which may do everything).
    pub grants: Option<Grants>,
}

impl Session {
    /// Checks the bearer token and takes its org, both found once, when the request context
    /// was built ([`crate::store::Store::bearer`]). Every `/api/v2` call needs one, discovery
    /// included. Under one read lock of the org it works out the switches (the server's
    /// `--compat` and `--profile`, with the org's fixture switches on top, each layer
    /// overriding only the keys it sets) and the rate-limit windows (the server's layers and
    /// the org's).
    pub(crate) fn authenticate(
        state: &AppState,
        req: &ApiRequest,
        route: &Route,
        overrides: Option<&CompatLayer>,
    ) -> ApiResult<Self> {
        let caller = &req.caller;
        // How a refusal is worded (`auth-errors`): the server's switches, the org's when the
        // token names one, and a scenario rule's.
        let style = || refusal_style(state, caller.org_handle.as_ref(), overrides);
        if caller.bearer().is_none() {
            return Err(credentials::missing_bearer(style()));
        }
        let (Some(expires_at_ms), Some(org_id), Some(client_id), Some(org)) = (
            caller.expires_at_ms,
            &caller.org,
            &caller.client,
            &caller.org_handle,
        ) else {
            return Err(credentials::unknown_bearer(style()));
        };
        let now = state.clock.now();
        if expires_at_ms <= now.timestamp_millis() {
            return Err(credentials::expired_bearer(style()));
        }
        let limit =
            ratelimit::limit_for(state.config.rate_limit_per_minute, caller.client_rate_limit);
        let (compat, rate_checks, grants) = {
            let read = org.read();
            let checks = match (limit, caller.bearer()) {
                (Some(limit), Some(token)) => ratelimit::layer::checks(
                    limit,
                    &state.config.rate_layers,
                    &read.rate_layers,
                    &Subject {
                        token,
                        client_id,
                        org_id,
                        route_name: req.route_name,
                    },
                ),
                _ => Vec::new(),
            };
            let grants = caller.role_divisions.as_deref().map(|p| read.grants(p));
            (state.compat_for(&read), checks, grants)
        };
        let tree = match route {
            Route::Scim(tree, _) => *tree,
            _ => ScimTree::V2,
        };
        Ok(Self {
            scim_base: state.scim_base_for(tree, req),
            org: Arc::clone(org),
            compat,
            now,
            rate_checks,
            grants,
        })
    }
}

/// The `auth-errors` switch for a request refused before it has a session: the server's
/// switches, with the org's fixture layer when the caller names an org, and a scenario rule's.
pub(crate) fn refusal_style(
    state: &AppState,
    org: Option<&OrgHandle>,
    overrides: Option<&CompatLayer>,
) -> AuthErrors {
    let mut compat = match org {
        Some(o) => state.compat_for(&o.read()),
        None => state.config.compat.clone(),
    };
    if let Some(layer) = overrides {
        layer.apply(&mut compat);
    }
    compat.auth_errors
}

impl Session {
    /// The grants to enforce: the client's, unless it has none (everything allowed) or the
    /// `permissions` switch is off for this request.
    pub(crate) fn enforced(&self) -> Option<&Grants> {
        self.grants.as_ref().filter(|_| self.compat.permissions)
    }

    /// How this request renders resources of `org` (which the caller has locked).
    pub(crate) fn view<'a>(&'a self, org: &'a Org) -> View<'a> {
        View {
            divisions: permission::read_scope(self),
            ..View::with(org, &self.scim_base, &self.compat)
        }
    }

    /// What a SCIM write of this request takes besides its body: the request's switches, SCIM
    /// base URL and time, and its `If-Match` checked against the stored version.
    pub(crate) fn scim_write<'a>(
        &'a self,
        req: &'a ApiRequest,
    ) -> ScimWrite<'a, impl FnOnce(u64) -> ApiResult<()> + 'a> {
        ScimWrite {
            compat: &self.compat,
            base: &self.scim_base,
            now: self.now,
            precondition: move |version| check_if_match(req, self, version),
        }
    }

    /// Counts one read of `org` and returns what it does not see yet under this request's
    /// `read-lag` ([`crate::genesys::lag`]). Every read of users, external ids and groups asks
    /// once, so a lag in reads counts them all.
    pub(crate) fn unseen<'a>(&self, org: &'a Org) -> Unseen<'a> {
        org.recent
            .unseen(self.compat.read_lag, self.now.timestamp_millis())
    }
}

/// Dispatches a SCIM route by method.
pub(crate) fn scim(
    session: &Session,
    req: &ApiRequest,
    route: &ScimRoute,
) -> ApiResult<Response<Body>> {
    let m = &req.method;
    match route {
        ScimRoute::Users => match *m {
            Method::GET => users::list(session, req),
            Method::POST => users::create(session, req),
            _ => Err(ApiError::method_not_allowed(
                "GET, POST",
                format!("{m} is not allowed on Users."),
            )),
        },
        ScimRoute::User(id) => match *m {
            Method::GET => users::get(session, req, id),
            Method::PUT => users::replace(session, req, id),
            Method::PATCH => users::patch(session, req, id),
            Method::DELETE => users::delete(session, req, id),
            _ => Err(ApiError::method_not_allowed(
                "GET, PUT, PATCH, DELETE",
                format!("{m} is not allowed on a User."),
            )),
        },
        ScimRoute::Groups => match *m {
            Method::GET => groups::list(session, req),
            _ => Err(ApiError::method_not_allowed(
                "GET",
                "Groups cannot be created through SCIM in Genesys Cloud; they come from the org (fixtures).",
            )),
        },
        ScimRoute::Group(id) => match *m {
            Method::GET => groups::get(session, req, id),
            Method::PUT => groups::replace(session, req, id),
            Method::PATCH => groups::patch(session, req, id),
            _ => Err(ApiError::method_not_allowed(
                "GET, PUT, PATCH",
                format!(
                    "{m} is not allowed on a Group: Genesys Cloud SCIM cannot create or delete groups."
                ),
            )),
        },
        ScimRoute::ServiceProviderConfig => {
            get_only(m, || discovery::service_provider_config(session))
        }
        ScimRoute::ResourceTypes => get_only(m, || discovery::resource_types(session)),
        ScimRoute::ResourceType(id) => get_only(m, || discovery::resource_type(session, id)),
        ScimRoute::Schemas => get_only(m, || discovery::schemas(session, req)),
        ScimRoute::Schema(id) => get_only(m, || discovery::schema(session, id)),
        ScimRoute::Search => match (m, session.compat.dot_search) {
            (&Method::POST, DotSearch::Serve) => search::root(session, req),
            (&Method::POST, DotSearch::NotImplemented) => Err(ApiError::not_implemented(
                "POST /.search (a search across resource types) is not supported (dot-search=501).",
            )),
            _ => Err(ApiError::not_found(format!(
                "No resource at {m} {}.",
                req.path
            ))),
        },
    }
}

fn get_only(
    m: &Method,
    f: impl FnOnce() -> ApiResult<Response<Body>>,
) -> ApiResult<Response<Body>> {
    if *m == Method::GET {
        f()
    } else {
        Err(ApiError::method_not_allowed(
            "GET",
            format!("{m} is not allowed here."),
        ))
    }
}

/// The request body as a JSON object, checking the content type first. The body is parsed
/// once per request (the scenario matcher may have parsed it already). Errors say what is
/// wrong and where.
pub(crate) fn json_body(req: &ApiRequest) -> ApiResult<&Value> {
    if !req.has_json_body_type() {
        return Err(ApiError::unsupported_media_type(format!(
            "Content-Type {:?} is not supported; use application/scim+json or application/json.",
            req.header(header::CONTENT_TYPE).unwrap_or("")
        )));
    }
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid_syntax(
            "The request body is empty; a JSON object is required.",
        ));
    }
    let value = req.json().map_err(|e| {
        ApiError::invalid_syntax(format!("The request body is not valid JSON: {e}."))
    })?;
    if !value.is_object() {
        return Err(ApiError::invalid_syntax(
            "The request body must be a JSON object.",
        ));
    }
    Ok(value)
}

/// A strong ETag from a version: `"42"`.
pub(crate) fn etag(version: u64) -> String {
    format!("\"{version}\"")
}

/// Whether an `If-Match` / `If-None-Match` header value matches `version`. Accepts `"42"`,
/// `W/"42"`, bare `42`, `*`, and comma-separated lists.
pub(crate) fn etag_matches(header_value: &str, version: u64) -> bool {
    header_value.split(',').map(str::trim).any(|tag| {
        let tag = tag.strip_prefix("W/").unwrap_or(tag);
        tag == "*" || tag.trim_matches('"') == version.to_string()
    })
}

/// Enforces `If-Match`: on mismatch, `invalidVers` with the status `version-mismatch-status`
/// picks (default 400, per the Genesys SDK parameter docs).
pub(crate) fn check_if_match(req: &ApiRequest, session: &Session, version: u64) -> ApiResult<()> {
    match req.header(header::IF_MATCH) {
        Some(v) if !etag_matches(v, version) => Err(ApiError::invalid_vers(
            session.compat.version_mismatch(),
            format!(
                "Version {v} does not match current version {}.",
                etag(version)
            ),
        )),
        _ => Ok(()),
    }
}

/// `304 Not Modified` when `If-None-Match` names the current version.
pub(crate) fn not_modified(req: &ApiRequest, version: u64) -> Option<Response<Body>> {
    let v = req.header(header::IF_NONE_MATCH)?;
    etag_matches(v, version).then(|| {
        let mut resp = status_response(StatusCode::NOT_MODIFIED);
        set_etag(&mut resp, version);
        resp
    })
}

/// A SCIM JSON response with an ETag.
pub(crate) fn scim_resource(status: StatusCode, body: &Value, version: u64) -> Response<Body> {
    let mut resp = json_response(status, SCIM_JSON, body);
    set_etag(&mut resp, version);
    resp
}

/// A SCIM JSON response with an ETag, from a document's bytes (`mapping::user_bytes`).
pub(crate) fn scim_bytes(status: StatusCode, body: bytes::Bytes, version: u64) -> Response<Body> {
    let mut resp = crate::edge::response::bytes_response(status, SCIM_JSON, body);
    set_etag(&mut resp, version);
    resp
}

fn set_etag(resp: &mut Response<Body>, version: u64) {
    if let Ok(v) = HeaderValue::from_str(&etag(version)) {
        resp.headers_mut().insert(header::ETAG, v);
    }
}

/// The paging and filter parameters of a SCIM list, validated: `startIndex`/`count`, the
/// filter parsed and checked against the profile, and `large-count-429` applied.
pub(crate) fn list_query(
    session: &Session,
    req: &ApiRequest,
    kind: ResourceKind,
) -> ApiResult<(Page, Option<Filter>)> {
    let q = req.query_map();
    let one = |k: &str| {
        q.get(&k.to_ascii_lowercase())
            .and_then(|v| v.last())
            .map(String::as_str)
    };
    let page = Page::parse(one("startIndex"), one("count"))?;
    let filter = match one("filter").map(str::trim).filter(|f| !f.is_empty()) {
        None => None,
        Some(text) => {
            let f = filter::parse(text).map_err(|e| {
                let shown = filter::excerpt(text);
                ApiError::invalid_filter(format!("Invalid filter {shown:?}: {e}"))
            })?;
            filter::check_profile(&f, kind, session.compat.profile)?;
            Some(f)
        }
    };
    if session.compat.large_count_429 && page.count > list::DEFAULT_COUNT {
        return Err(ApiError::too_many_requests(1));
    }
    Ok((page, filter))
}

/// `attributes` / `excludedAttributes` from the query (comma-separated or repeated), under
/// this request's switches.
pub(crate) fn projection(session: &Session, req: &ApiRequest) -> Projection {
    let q = req.query_map();
    let get = |k: &str| q.get(&k.to_ascii_lowercase()).cloned().unwrap_or_default();
    Projection {
        optional_active: !session.compat.genesys_defaults,
        ..Projection::from_params(&get("attributes"), &get("excludedAttributes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_match_strong_weak_bare_star_and_lists() {
        assert!(etag_matches("\"3\"", 3));
        assert!(etag_matches("W/\"3\"", 3));
        assert!(etag_matches("3", 3));
        assert!(etag_matches("*", 9));
        assert!(etag_matches("\"1\", \"3\"", 3));
        assert!(!etag_matches("\"4\"", 3));
    }
}
