//! SCIM Users: list, get, create, replace, patch, delete.

use std::borrow::Cow;

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use serde_json::Value;

use crate::api::{
    Session, check_if_match, json_body, list_query, not_modified, projection, scim_bytes,
    scim_resource,
};
use crate::edge::response::{
    Body, OwnKeys, SCIM_JSON, bytes_response, json_response, status_response,
};
use crate::error::{ApiError, ApiResult};
use crate::genesys::lookup;
use crate::genesys::mapping::{self, UserDocument, View};
use crate::genesys::org::{Org, user_not_found};
use crate::genesys::user::{User, UserState};
use crate::pipeline::context::ApiRequest;
use crate::scim::filter::{self, Filter};
use crate::scim::list;
use crate::scim::projection::Projection;
use crate::scim::schema::ResourceKind;

/// Attributes that name one user: a filter on them finds the user whether active or not
/// (IdPs look users up by userName after disabling them).
const IDENTIFYING: &[&str] = &[
    "id",
    "username",
    "externalid",
    "email",
    "emails",
    "employeenumber",
    "externalids",
];

/// `GET /Users`. With no filter, only active users are listed (Genesys: "no filter = all
/// active users"); `active eq false` lists inactive ones; deleted users never appear.
pub(crate) fn list(session: &Session, req: &ApiRequest) -> ApiResult<Response<Body>> {
    let (page, filter) = list_query(session, req, ResourceKind::User)?;
    let org = session.org.read();
    let view = session.view(&org);
    let found = Matched::of(session, &org, &view, filter.as_ref());
    let matched = &found.positions;
    let proj = projection(session, req);
    let positions = &matched[page.slice(matched)];
    if proj.is_empty() {
        let docs: Vec<Bytes> = positions
            .iter()
            .filter_map(|&p| match found.ghost(p) {
                Some(user) => Some(UserDocument { user, view: &view }.to_bytes()),
                None => org.user_at(p).map(|u| mapping::user_bytes(p, u, &view)),
            })
            .collect();
        let body = Bytes::from(list::envelope_bytes(matched.len(), page, &docs));
        return Ok(own_keys(
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

/// One page of users for `POST /.search` (`handlers::search`): the users `GET /Users` with
/// this filter would list, and how many there are in all.
pub(crate) fn search_page(
    session: &Session,
    filter: Option<&Filter>,
    proj: &Projection,
    page: list::Page,
) -> (usize, Vec<Value>) {
    let org = session.org.read();
    let view = session.view(&org);
    let found = Matched::of(session, &org, &view, filter);
    let positions = &found.positions[page.slice(&found.positions)];
    (
        found.positions.len(),
        found.render(&org, positions, &view, proj),
    )
}

/// The users a list shows, by table position in creation order, with the `read-lag` ghosts
/// (users deleted too recently to be gone, shown as they were before the delete).
struct Matched<'a> {
    positions: Cow<'a, [u32]>,
    ghosts: Vec<(u32, &'a User)>,
}

impl<'a> Matched<'a> {
    fn of(session: &Session, org: &'a Org, view: &View<'_>, filter: Option<&Filter>) -> Self {
        let only_active = session.compat.list_active_only
            && filter
                .as_ref()
                .is_none_or(|f| !mentions_any(f, &["active"]) && !mentions_any(f, IDENTIFYING));
        let index = org.indexes();
        let matched: Cow<'a, [u32]> = match filter {
            None if only_active => Cow::Borrowed(index.in_state(UserState::Active)),
            // `list-active-only=false` (rfc): every live user.
            None => Cow::Owned(lookup::union(
                index.in_state(UserState::Active),
                index.in_state(UserState::Inactive),
            )),
            Some(f) if only_active => lookup::matching_active(org, f, view),
            Some(f) => lookup::matching(org, f, view),
        };
        let lag = Lagging::of(session, org);
        let ghosts: Vec<(u32, &'a User)> = lag
            .deleted
            .iter()
            .filter(|g| org.user(&g.id).is_none())
            .filter(|g| !only_active || g.state == UserState::Active)
            .filter(|g| {
                filter.is_none_or(|f| {
                    filter::matches(f, &mapping::user_to_scim(g, view), ResourceKind::User)
                })
            })
            .filter_map(|g| org.user_position(&g.id).map(|p| (p, *g)))
            .collect();
        let positions: Cow<'a, [u32]> = if lag.created.is_empty() && ghosts.is_empty() {
            matched
        } else {
            let hidden: Vec<u32> = lag
                .created
                .iter()
                .filter_map(|id| org.user_position(id))
                .collect();
            let mut v: Vec<u32> = matched
                .iter()
                .copied()
                .filter(|p| !hidden.contains(p))
                .chain(ghosts.iter().map(|(p, _)| *p))
                .collect();
            v.sort_unstable();
            v.dedup();
            Cow::Owned(v)
        };
        Self { positions, ghosts }
    }

    /// A `read-lag` ghost is the user as it was before its delete, not the stored one.
    fn ghost(&self, p: u32) -> Option<&'a User> {
        self.ghosts.iter().find(|(g, _)| *g == p).map(|(_, u)| *u)
    }

    fn render(
        &self,
        org: &'a Org,
        positions: &[u32],
        view: &View<'_>,
        proj: &Projection,
    ) -> Vec<Value> {
        positions
            .iter()
            .filter_map(|&p| self.ghost(p).or_else(|| org.user_at(p)))
            .map(|u| proj.apply(mapping::user_to_scim(u, view), ResourceKind::User))
            .collect()
    }
}

/// Whether the filter mentions any of these attribute names (lower-case) anywhere.
fn mentions_any(f: &Filter, names: &[&str]) -> bool {
    let hit =
        |p: &crate::scim::schema::AttrPath| names.contains(&p.name.to_ascii_lowercase().as_str());
    match f {
        Filter::Compare { path, .. } | Filter::Present(path) => hit(path),
        Filter::ValuePath { path, .. } => hit(path),
        Filter::And(a, b) | Filter::Or(a, b) => mentions_any(a, names) || mentions_any(b, names),
        Filter::Not(a) => mentions_any(a, names),
    }
}

/// What the `read-lag` switch changes for one read: users created too recently to be seen, and
/// users deleted too recently to be gone from lists (as they were before the delete). Every
/// user read is counted, so a lag in reads counts from the write whatever the switch was then.
struct Lagging<'a> {
    created: Vec<&'a str>,
    deleted: Vec<&'a User>,
}

impl<'a> Lagging<'a> {
    fn of(session: &Session, org: &'a Org) -> Self {
        let read = org.recent.count_read();
        let (lag, now) = (session.compat.read_lag, session.now.timestamp_millis());
        Self {
            created: org.recent.unseen_creates(lag, now, read),
            deleted: org.recent.unseen_deletes(lag, now, read),
        }
    }
}

/// `GET /Users/{id}`. A soft-deleted user is 404.
pub(crate) fn get(session: &Session, req: &ApiRequest, id: &str) -> ApiResult<Response<Body>> {
    let org = session.org.read();
    let lag = Lagging::of(session, &org);
    let user = org
        .user(id)
        .filter(|_| !lag.created.contains(&id))
        .ok_or_else(|| user_not_found(id))?;
    if let Some(resp) = not_modified(req, user.version) {
        return Ok(resp);
    }
    let view = session.view(&org);
    let proj = projection(session, req);
    if proj.is_empty() {
        return Ok(rendered(&org, user, &view, StatusCode::OK));
    }
    let body = proj.apply(mapping::user_to_scim(user, &view), ResourceKind::User);
    Ok(scim_resource(StatusCode::OK, &body, user.version))
}

/// `POST /Users` ([`Org::create_user`]), answered 201 with the user and its `Location`.
pub(crate) fn create(session: &Session, req: &ApiRequest) -> ApiResult<Response<Body>> {
    let body = json_body(req)?;
    let mut org = session.org.write();
    let id = org.create_user(body, &session.compat, session.now)?;
    let stored = Stored::of(session, &org, &id)?;
    drop(org);
    let mut resp = stored.answer(session, StatusCode::CREATED);
    // The same URL as `meta.location`.
    if let Ok(loc) = HeaderValue::from_str(&format!("{}/Users/{id}", session.scim_base)) {
        resp.headers_mut().insert(header::LOCATION, loc);
    }
    Ok(resp)
}

/// `PUT /Users/{id}` ([`Org::replace_user`]).
pub(crate) fn replace(session: &Session, req: &ApiRequest, id: &str) -> ApiResult<Response<Body>> {
    let body = json_body(req)?;
    write(session, id, |org| {
        org.replace_user(id, body, &session.compat, session.now, |version| {
            check_if_match(req, session, version)
        })
    })
}

/// `PATCH /Users/{id}` ([`Org::patch_user`]).
pub(crate) fn patch(session: &Session, req: &ApiRequest, id: &str) -> ApiResult<Response<Body>> {
    let body = json_body(req)?;
    write(session, id, |org| {
        org.patch_user(
            id,
            body,
            &session.compat,
            &session.scim_base,
            session.now,
            |version| check_if_match(req, session, version),
        )
    })
}

/// Shared by PUT and PATCH: the write under the org's write lock, then the answer, rendered
/// once the lock is released.
fn write(
    session: &Session,
    id: &str,
    store: impl FnOnce(&mut Org) -> ApiResult<()>,
) -> ApiResult<Response<Body>> {
    let stored = {
        let mut org = session.org.write();
        store(&mut org)?;
        Stored::of(session, &org, id)?
    };
    Ok(stored.answer(session, StatusCode::OK))
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

    fn answer(self, session: &Session, status: StatusCode) -> Response<Body> {
        let body = match self.kept {
            Kept::Rendered(bytes) => bytes,
            Kept::User(user) => {
                let org = session.org.read();
                let view = session.view(&org);
                mapping::user_bytes_at(self.pos, &user, &view, self.generation)
            }
        };
        own_keys(scim_bytes(status, body.clone(), self.version), body)
    }
}

/// A stored user's document with its ETag, through the org's render cache.
fn rendered(org: &Org, user: &User, view: &View<'_>, status: StatusCode) -> Response<Body> {
    let body = match org.user_position(&user.id) {
        Some(pos) => mapping::user_bytes(pos, user, view),
        None => UserDocument { user, view }.to_bytes(),
    };
    own_keys(scim_bytes(status, body.clone(), user.version), body)
}

/// Marks a response whose body is user documents (`http::OwnKeys`), so the journal decides
/// its redaction from the key list instead of scanning it.
fn own_keys(mut resp: Response<Body>, body: Bytes) -> Response<Body> {
    resp.extensions_mut().insert(OwnKeys {
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
