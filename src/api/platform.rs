//! Platform (non-SCIM) routes: user reads, reference data, and the external-id API.

use http::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::api::platform_user::user_response;
use crate::api::{Session, externalid, permission};
use crate::edge::response::{Body, JSON, json_response};
use crate::error::{ApiError, ApiResult};
use crate::genesys::platform;
use crate::genesys::user::UserState;
use crate::pipeline::context::ApiRequest;
use crate::pipeline::route::PlatformRoute;

/// Dispatches a platform route.
pub(crate) fn dispatch(
    session: &Session,
    req: &ApiRequest,
    route: &PlatformRoute,
) -> ApiResult<Response<Body>> {
    let get_only = || {
        if req.method == Method::GET {
            Ok(())
        } else {
            Err(ApiError::method_not_allowed(
                "GET",
                format!("{} is not allowed here.", req.method),
            ))
        }
    };
    match route {
        PlatformRoute::User(id) => {
            get_only()?;
            let org = session.org.read();
            let u = org
                .user_any(id)
                .filter(|u| !permission::hides(session, u))
                .ok_or_else(|| ApiError::not_found(format!("User {id} not found.")))?;
            Ok(user_response(req, u, &org))
        }
        PlatformRoute::Users => {
            get_only()?;
            let org = session.org.read();
            let state_filter = req
                .query_map()
                .get("state")
                .and_then(|v| v.last().cloned())
                .unwrap_or_else(|| "active".to_owned());
            let users: Vec<Value> = org
                .users()
                .filter(|u| match state_filter.as_str() {
                    "any" => true,
                    s => u.state.as_str() == s,
                })
                .filter(|u| {
                    state_filter == "any"
                        || state_filter == "deleted"
                        || u.state != UserState::Deleted
                })
                .filter(|u| !permission::hides(session, u))
                .map(|u| platform::user(u, &org))
                .collect();
            paged(req, users, "/api/v2/users")
        }
        PlatformRoute::Divisions => {
            get_only()?;
            let org = session.org.read();
            let list = org.divisions.iter().map(|d| json!({"id": d.id, "name": d.name, "homeDivision": Some(d) == org.home_division(), "selfUri": format!("/api/v2/authorization/divisions/{}", d.id)})).collect();
            paged(req, list, "/api/v2/authorization/divisions")
        }
        PlatformRoute::Roles => {
            get_only()?;
            let org = session.org.read();
            let path = "/api/v2/authorization/roles";
            paged(req, org.roles.iter().map(platform::role).collect(), path)
        }
        PlatformRoute::Skills | PlatformRoute::Languages => {
            get_only()?;
            let org = session.org.read();
            let (records, path) = match route {
                PlatformRoute::Skills => (&org.skills, "/api/v2/routing/skills"),
                _ => (&org.languages, "/api/v2/routing/languages"),
            };
            let list = records.iter().map(|r| platform::named(r, path)).collect();
            paged(req, list, path)
        }
        PlatformRoute::Groups => {
            get_only()?;
            let org = session.org.read();
            paged(
                req,
                org.groups().map(platform::group).collect(),
                "/api/v2/groups",
            )
        }
        PlatformRoute::ExternalIdLookup(segs) => externalid::lookup(session, req, segs),
        PlatformRoute::UserExternalIds(id, segs) => externalid::for_user(session, req, id, segs),
    }
}

/// The platform paging envelope (`entities`, `pageSize`, `pageNumber`, `total`, `pageCount`).
fn paged(req: &ApiRequest, all: Vec<Value>, path: &str) -> ApiResult<Response<Body>> {
    let q = req.query_map();
    let num = |k: &str, d: usize| -> ApiResult<usize> {
        match q.get(&k.to_ascii_lowercase()).and_then(|v| v.last()) {
            None => Ok(d),
            Some(t) => t.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| {
                ApiError::bad_request(format!("{k} must be a positive integer, got {t:?}"))
            }),
        }
    };
    let size = num("pageSize", 25)?.min(500);
    let number = num("pageNumber", 1)?;
    let total = all.len();
    let entities: Vec<Value> = all
        .into_iter()
        .skip((number - 1).saturating_mul(size))
        .take(size)
        .collect();
    Ok(json_response(
        StatusCode::OK,
        JSON,
        &json!({
            "entities": entities,
            "pageSize": size,
            "pageNumber": number,
            "total": total,
            "pageCount": total.div_ceil(size),
            "selfUri": format!("{path}?pageSize={size}&pageNumber={number}"),
        }),
    ))
}
