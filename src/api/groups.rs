//! SCIM Groups: list, get, replace and patch membership. Groups come only from the org's
//! fixtures; POST and DELETE answer 405 (see `api::scim`).

use http::{Response, StatusCode};
use serde_json::Value;

use crate::api::{
    Session, check_if_match, json_body, list_query, not_modified, projection, scim_resource,
};
use crate::edge::response::{Body, SCIM_JSON, json_response};
use crate::error::ApiResult;
use crate::genesys::group::Group;
use crate::genesys::mapping;
use crate::genesys::org::Org;
use crate::pipeline::context::ApiRequest;
use crate::scim::filter::{self, Filter};
use crate::scim::list;
use crate::scim::projection::Projection;
use crate::scim::schema::ResourceKind;

/// `GET /Groups`, optionally filtered (`displayName eq "Sales"` matches case-insensitively,
/// as Entra needs).
pub(crate) fn list(session: &Session, req: &ApiRequest) -> ApiResult<Response<Body>> {
    let (page, filter) = list_query(session, req, ResourceKind::Group)?;
    let proj = projection(session, req);
    let (total, resources) = search_page(session, filter.as_ref(), &proj, page);
    Ok(json_response(
        StatusCode::OK,
        SCIM_JSON,
        &list::response(total, page, resources),
    ))
}

/// One page of groups, and how many match in all: `GET /Groups`, and the groups of
/// `POST /.search` (`handlers::search`).
pub(crate) fn search_page(
    session: &Session,
    filter: Option<&Filter>,
    proj: &Projection,
    page: list::Page,
) -> (usize, Vec<Value>) {
    let org = session.org.read();
    let view = session.view(&org);
    // Members are built only where they can matter: for a filter that names them, and for
    // the page, when the projection keeps them.
    let filter_needs_members = filter.is_some_and(|f| {
        let mut named = false;
        f.walk(&mut |node| {
            named |= match node {
                Filter::Compare { path, .. }
                | Filter::Present(path)
                | Filter::ValuePath { path, .. } => path.name.eq_ignore_ascii_case("members"),
                _ => false,
            }
        });
        named
    });
    let matched: Vec<&Group> = org
        .groups()
        .filter(|g| g.scim_visible())
        .filter(|g| {
            filter.is_none_or(|f| {
                let json = mapping::group_to_scim_with(g, &view, filter_needs_members);
                filter::matches(f, &json, ResourceKind::Group)
            })
        })
        .collect();
    let members = proj.keeps("members", ResourceKind::Group);
    let resources: Vec<Value> = matched[page.slice(&matched)]
        .iter()
        .map(|g| {
            proj.apply(
                mapping::group_to_scim_with(g, &view, members),
                ResourceKind::Group,
            )
        })
        .collect();
    (matched.len(), resources)
}

/// `GET /Groups/{id}`.
pub(crate) fn get(session: &Session, req: &ApiRequest, id: &str) -> ApiResult<Response<Body>> {
    let org = session.org.read();
    let group = org.scim_group(id)?;
    if let Some(resp) = not_modified(req, group.version) {
        return Ok(resp);
    }
    let view = session.view(&org);
    let proj = projection(session, req);
    let members = proj.keeps("members", ResourceKind::Group);
    let body = proj.apply(
        mapping::group_to_scim_with(group, &view, members),
        ResourceKind::Group,
    );
    Ok(scim_resource(StatusCode::OK, &body, group.version))
}

/// `PUT /Groups/{id}` ([`Org::replace_group`]): replaces the member set (and `externalId`).
pub(crate) fn replace(session: &Session, req: &ApiRequest, id: &str) -> ApiResult<Response<Body>> {
    let body = json_body(req)?;
    write(session, |org| {
        org.replace_group(id, body, session.now, |version| {
            check_if_match(req, session, version)
        })
    })
}

/// `PATCH /Groups/{id}` ([`Org::patch_group`]): membership changes in every form Entra and
/// Okta send.
pub(crate) fn patch(session: &Session, req: &ApiRequest, id: &str) -> ApiResult<Response<Body>> {
    let body = json_body(req)?;
    write(session, |org| {
        org.patch_group(
            id,
            body,
            &session.compat,
            &session.scim_base,
            session.now,
            |version| check_if_match(req, session, version),
        )
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
    Ok(scim_resource(
        StatusCode::OK,
        &mapping::group_to_scim(&group, &view),
        group.version,
    ))
}
