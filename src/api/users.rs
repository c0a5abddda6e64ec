//! SCIM Users: list, get, create, replace, patch, delete.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};

use crate::api::{
    Session, check_if_match, json_body, list_query, not_modified, permission, projection,
    scim_bytes, scim_resource,
};
use crate::edge::response::{
    Body, OwnKeys, SCIM_JSON, bytes_response, json_response, status_response,
};
use crate::error::{ApiError, ApiResult};
use crate::genesys::listing::UserListing;
use crate::genesys::mapping::{self, UserDocument, View};
use crate::genesys::org::{Org, user_not_found};
use crate::genesys::user::User;
use crate::pipeline::context::ApiRequest;
use crate::scim::list;
use crate::scim::schema::ResourceKind;

/// `GET /Users`. With no filter, only active users are listed (Genesys: "no filter = all
/// active users"); `active eq false` lists inactive ones; deleted users never appear.
pub(crate) fn list(session: &Session, req: &ApiRequest) -> ApiResult<Response<Body>> {
    let (page, filter) = list_query(session, req, ResourceKind::User)?;
    let org = session.org.read();
    let view = session.view(&org);
    let found = UserListing::of(&view, filter.as_ref(), &session.compat, session.now);
    let matched = &found.positions;
    let proj = projection(session, req);
    let positions = &matched[page.slice(matched)];
    if proj.is_empty() {
        let docs = found.documents(&org, positions, &view);
        let body = Bytes::from(list::envelope_bytes(matched.len(), page, &docs));
        return Ok(own_keys(
            req,
            bytes_response(StatusCode::OK, SCIM_JSON, body.clone()),
            body,
        ));
    }
    let resources = found.render(&org, positions, &view, &proj);
    Ok(json_response(
        StatusCode::OK,
        SCIM_JSON,
        &list::response(matched.len(), page, resources),
    ))
}

/// `GET /Users/{id}`. A soft-deleted user is 404.
pub(crate) fn get(session: &Session, req: &ApiRequest, id: &str) -> ApiResult<Response<Body>> {
    let org = session.org.read();
    let lag = session.unseen(&org);
    let user = org
        .user(id)
        .filter(|u| !lag.hides_user(id) && !permission::hides(session, u))
        .ok_or_else(|| user_not_found(id))?;
    if let Some(resp) = not_modified(req, user.version) {
        return Ok(resp);
    }
    let view = session.view(&org);
    let proj = projection(session, req);
    if proj.is_empty() {
        return Ok(rendered(req, &org, user, &view, StatusCode::OK));
    }
    let body = proj.apply(mapping::user_to_scim(user, &view), ResourceKind::User);
    Ok(scim_resource(StatusCode::OK, &body, user.version))
}

/// `POST /Users` ([`Org::prepare_create`], [`Org::commit_create`]), answered 201 with the user and its `Location`. The
/// body is mapped and validated under a read lock ([`Org::prepare_create`]), so creates of
/// one org map in parallel, and only the commit ([`Org::commit_create`], which re-checks what
/// the mapping read) holds the write lock.
pub(crate) fn create(session: &Session, req: &ApiRequest) -> ApiResult<Response<Body>> {
    let body = json_body(req)?;
    let prepared = session.org.read().prepare_create(body, &session.compat)?;
    let mut org = session.org.write();
    let id = org.commit_create(prepared, body, &session.compat, session.now, |org, user| {
        permission::check_user_write(session, org, None, user)
    })?;
    let stored = Stored::of(session, &org, &id)?;
    drop(org);
    let mut resp = stored.answer(session, req, StatusCode::CREATED);
    // The same URL as `meta.location`.
    if let Ok(loc) = HeaderValue::from_str(&format!("{}/Users/{id}", session.scim_base)) {
        resp.headers_mut().insert(header::LOCATION, loc);
    }
    Ok(resp)
}

/// `PUT /Users/{id}` ([`Org::replace_user`]).
pub(crate) fn replace(session: &Session, req: &ApiRequest, id: &str) -> ApiResult<Response<Body>> {
    let body = json_body(req)?;
    write(session, req, id, |org| {
        org.replace_user(id, body, session.scim_write(req), |org, previous, user| {
            permission::check_user_write(session, org, Some(previous), user)
        })
    })
}

/// `PATCH /Users/{id}` ([`Org::patch_user`]).
pub(crate) fn patch(session: &Session, req: &ApiRequest, id: &str) -> ApiResult<Response<Body>> {
    let body = json_body(req)?;
    write(session, req, id, |org| {
        org.patch_user(id, body, session.scim_write(req), |org, previous, user| {
            permission::check_user_write(session, org, Some(previous), user)
        })
    })
}

/// Shared by PUT and PATCH: the write under the org's write lock, then the answer, rendered
/// once the lock is released.
fn write(
    session: &Session,
    req: &ApiRequest,
    id: &str,
    store: impl FnOnce(&mut Org) -> ApiResult<()>,
) -> ApiResult<Response<Body>> {
    let stored = {
        let mut org = session.org.write();
        store(&mut org)?;
        Stored::of(session, &org, id)?
    };
    Ok(stored.answer(session, req, StatusCode::OK))
}

/// A user as a write stored it, taken under the write lock with its table position and the
/// org's generation just after the write. The answer is rendered from it under a read lock
/// taken afterwards, so the next write of the org need not wait for a render (most of a
/// write's work): the answer shows what this write stored (fields, version, ETag), never a
/// later write's user, and it reads or fills the render cache only for that generation
/// (`mapping::user_bytes_at`). Names of divisions, roles and groups come from the org as it
/// is at render time, which differs only if another write ran in between.
struct Stored {
    pos: u32,
    generation: u64,
    version: u64,
    kept: Kept,
}

/// What a [`Stored`] keeps of the user.
enum Kept {
    /// The cached document, when the write changed nothing (an IdP sending the same PATCH
    /// again): no copy of the user at all.
    Rendered(Bytes),
    User(Box<User>),
}

impl Stored {
    fn of(session: &Session, org: &Org, id: &str) -> ApiResult<Self> {
        let user = org.user(id).ok_or_else(|| user_not_found(id))?;
        let pos = org.user_position(id).ok_or_else(ApiError::internal)?;
        let generation = org.renders().generation();
        let view = session.view(org);
        let kept = match org
            .renders()
            .get(pos, generation, view.base, view.switches())
        {
            Some(bytes) => Kept::Rendered(bytes),
            None => Kept::User(Box::new(user.clone())),
        };
        Ok(Self {
            pos,
            generation,
            version: user.version,
            kept,
        })
    }

    fn answer(self, session: &Session, req: &ApiRequest, status: StatusCode) -> Response<Body> {
        let body = match self.kept {
            Kept::Rendered(bytes) => bytes,
            Kept::User(user) => {
                let org = session.org.read();
                let view = session.view(&org);
                mapping::user_bytes_at(self.pos, &user, &view, self.generation)
            }
        };
        own_keys(req, scim_bytes(status, body.clone(), self.version), body)
    }
}

/// A stored user's document with its ETag, through the org's render cache.
fn rendered(
    req: &ApiRequest,
    org: &Org,
    user: &User,
    view: &View<'_>,
    status: StatusCode,
) -> Response<Body> {
    let body = match org.user_position(&user.id) {
        Some(pos) => mapping::user_bytes(pos, user, view),
        None => UserDocument { user, view }.to_bytes(),
    };
    own_keys(req, scim_bytes(status, body.clone(), user.version), body)
}

/// Tells the journal, through the request context, that this answer's body is user documents
/// (`edge::response::OwnKeys`), so it decides redaction from the key list instead of scanning.
fn own_keys(req: &ApiRequest, resp: Response<Body>, body: Bytes) -> Response<Body> {
    // Set once: a handler answers once.
    let _ = req.document.set(OwnKeys {
        keys: mapping::DOCUMENT_KEYS,
        body,
    });
    resp
}

/// `DELETE /Users/{id}` ([`Org::delete_user`]): a soft delete, answered 204.
pub(crate) fn delete(session: &Session, req: &ApiRequest, id: &str) -> ApiResult<Response<Body>> {
    let mut org = session.org.write();
    org.delete_user(id, session.now, |version| {
        check_if_match(req, session, version)
    })?;
    Ok(status_response(StatusCode::NO_CONTENT))
}
