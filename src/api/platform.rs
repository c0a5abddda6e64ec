//! Platform (non-SCIM) routes: user reads, the user search and restore, the org, reference
//! data, and the external-id API.

use http::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::api::platform_user::{States, listed, user_response};
use crate::api::{Session, externalid, permission};
use crate::edge::response::{Body, JSON, json_response};
use crate::error::{ApiError, ApiResult};
use crate::genesys::platform;
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
        PlatformRoute::User(id) if req.method == Method::PATCH => {
            super::user_update::patch(session, req, id)
        }
        PlatformRoute::User(id) => {
            if req.method != Method::GET {
                return Err(ApiError::method_not_allowed(
                    "GET, PATCH",
                    format!("{} is not allowed on /api/v2/users/{{userId}}.", req.method),
                ));
            }
            let states = States::for_read(req)?;
            let org = session.org.read();
            let lag = session.unseen(&org);
            let u = org
                .user_any(id)
                .filter(|u| {
                    states.admits(u.state) && !lag.hides_user(id) && !permission::hides(session, u)
                })
                .ok_or_else(|| ApiError::not_found(format!("User {id} not found.")))?;
            Ok(user_response(req, u, &org))
        }
        PlatformRoute::Users => {
            get_only()?;
            let states = States::for_list(req)?;
            let org = session.org.read();
            let lag = session.unseen(&org);
            let users: Vec<Value> = listed(&org, &lag)
                .filter(|u| states.admits(u.state) && !permission::hides(session, u))
                .map(|u| platform::user(u, &org))
                .collect();
            paged(req, users, "/api/v2/users")
        }
        PlatformRoute::UserSearch => super::user_search::search(session, req),
        PlatformRoute::OrganizationMe => {
            get_only()?;
            super::organization::me(session)
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
            let lag = session.unseen(&org);
            paged(
                req,
                org.groups()
                    .map(|g| platform::group(lag.group(g)))
                    .collect(),
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
