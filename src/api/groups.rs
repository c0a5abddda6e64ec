//! SCIM Groups: list, get, replace and patch membership. Groups come only from the org's
//! fixtures; POST and DELETE answer 405 (see `api::scim`).

use http::{Response, StatusCode};

use crate::api::{Session, json_body, list_query, not_modified, projection, scim_bytes, search};
use crate::edge::response::{Body, SCIM_JSON, json_response};
use crate::error::ApiResult;
use crate::genesys::group::Group;
use crate::genesys::mapping;
use crate::genesys::org::Org;
use crate::pipeline::context::ApiRequest;
use crate::scim::list;
use crate::scim::projection::Projection;
use crate::scim::schema::ResourceKind;

/// `GET /Groups`, optionally filtered (`displayName eq "Sales"` matches case-insensitively,
/// as Entra needs).
pub(crate) fn list(session: &Session, req: &ApiRequest) -> ApiResult<Response<Body>> {
    let (page, filter) = list_query(session, req, ResourceKind::Group)?;
    let proj = projection(session, req);
    let (total, resources) =
        search::page(session, ResourceKind::Group, filter.as_ref(), &proj, page);
    Ok(json_response(
        StatusCode::OK,
        SCIM_JSON,
        &list::response(total, page, resources),
    ))
}

/// `GET /Groups/{id}`.
pub(crate) fn get(session: &Session, req: &ApiRequest, id: &str) -> ApiResult<Response<Body>> {
    let org = session.org.read();
    // Under `read-lag`, the group as it was before its lagging writes.
    let group = session.unseen(&org).group(org.scim_group(id)?);
    if let Some(resp) = not_modified(req, group.version) {
        return Ok(resp);
    }
    let view = session.view(&org);
    let body = mapping::group_json(group, &view, &projection(session, req));
    Ok(scim_bytes(StatusCode::OK, body.into(), group.version))
}

/// `PUT /Groups/{id}` ([`Org::replace_group`]): replaces the member set (and `externalId`).
pub(crate) fn replace(session: &Session, req: &ApiRequest, id: &str) -> ApiResult<Response<Body>> {
    let body = json_body(req)?;
    write(session, |org| {
        org.replace_group(id, body, session.scim_write(req))
    })
}

/// `PATCH /Groups/{id}` ([`Org::patch_group`]): membership changes in every form Entra and
/// Okta send.
pub(crate) fn patch(session: &Session, req: &ApiRequest, id: &str) -> ApiResult<Response<Body>> {
    let body = json_body(req)?;
    write(session, |org| {
        org.patch_group(id, body, session.scim_write(req))
    })
}

/// Shared by PUT and PATCH: the write under the org's write lock, answered with the stored
/// group.
fn write(
    session: &Session,
    store: impl FnOnce(&mut Org) -> ApiResult<Group>,
) -> ApiResult<Response<Body>> {
    let mut org = session.org.write();
    let group = store(&mut org)?;
    let view = session.view(&org);
    let body = mapping::group_json(&group, &view, &Projection::default());
    Ok(scim_bytes(StatusCode::OK, body.into(), group.version))
}
