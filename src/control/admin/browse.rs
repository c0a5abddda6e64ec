//! Read-only, paged views for the dashboard (`/__admin/ui`), usable by any client:
//!
//! - `GET /__admin/orgs/{id}/users?q=&offset=&limit=&deleted=` — users with their SCIM view and
//!   Genesys form side by side;
//! - `GET /__admin/orgs/{id}/groups?q=&offset=&limit=` — groups, both forms, members capped;
//! - `GET /__admin/timeline?org=&q=&before=&limit=` — journal summaries, newest first, without
//!   bodies (the full entry is `GET /__admin/requests?seq=N`).
//!
//! Every answer is one bounded page ([`MAX_LIMIT`] rows, [`MAX_MEMBERS_SHOWN`] members per
//! group), so a full journal or a 100 000-user org never turns into one huge response or a huge
//! DOM. Each page is one linear pass under the org or journal lock, copying only what it shows.

use std::collections::VecDeque;

use http::{Response, StatusCode};
use serde_json::{Value, json};

use super::json;
use crate::control::journal::Entry;
use crate::edge::response::Body;
use crate::error::{ApiError, ApiResult};
use crate::genesys::group::Group;
use crate::genesys::mapping::{View, group_to_scim, user_to_scim};
use crate::genesys::org::Org;
use crate::pipeline::context::ApiRequest;
use crate::seed::GenesysUser;
use crate::state::AppState;

/// Rows per page when `limit` is not given.
pub(crate) const DEFAULT_LIMIT: usize = 25;
/// The most rows one page holds.
pub(crate) const MAX_LIMIT: usize = 200;
/// Members listed per group in both forms; `memberCount` gives the total.
pub(crate) const MAX_MEMBERS_SHOWN: usize = 100;
/// The longest search text, in bytes.
pub(crate) const MAX_QUERY: usize = 200;

/// The SCIM base the views render `meta.location` and `$ref` against.
const SCIM_BASE: &str = "/api/v2/scim/v2";

/// Query parameters shared by the views; each view says which it takes.
#[derive(Debug, Default)]
struct Params {
    q: Option<String>,
    offset: usize,
    limit: usize,
    before: Option<u64>,
    org: Option<String>,
    deleted: bool,
}

fn params(req: &ApiRequest, allowed: &[&str]) -> ApiResult<Params> {
    let mut p = Params {
        limit: DEFAULT_LIMIT,
        ..Params::default()
    };
    let number = |k: &str, v: &str| {
        v.parse::<u64>()
            .map_err(|_| ApiError::bad_request(format!("{k}: expected a whole number, got {v:?}")))
    };
    for (k, v) in req.query_pairs().iter().cloned() {
        if !allowed.contains(&k.as_str()) {
            return Err(ApiError::bad_request(format!(
                "unknown parameter {k:?}; use {}",
                allowed.join(", ")
            )));
        }
        match k.as_str() {
            "q" if v.len() > MAX_QUERY => {
                return Err(ApiError::bad_request(format!(
                    "q: at most {MAX_QUERY} bytes"
                )));
            }
            "q" => p.q = Some(v.to_lowercase()).filter(|s| !s.trim().is_empty()),
            "offset" => p.offset = usize::try_from(number(&k, &v)?).unwrap_or(usize::MAX),
            "limit" => {
                let n = number(&k, &v)?;
                if n == 0 || n > MAX_LIMIT as u64 {
                    return Err(ApiError::bad_request(format!(
                        "limit: from 1 to {MAX_LIMIT}, got {n}"
                    )));
                }
                p.limit = usize::try_from(n).unwrap_or(MAX_LIMIT);
            }
            "before" => p.before = Some(number(&k, &v)?),
            "org" => p.org = Some(v),
            "deleted" => {
                p.deleted = match v.as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(ApiError::bad_request(format!(
                            "deleted: expected true or false, got {v:?}"
                        )));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(p)
}

fn contains(q: &str, fields: &[Option<&str>]) -> bool {
    fields
        .iter()
        .flatten()
        .any(|f| f.to_lowercase().contains(q))
}

fn org_or_404(state: &AppState, id: &str) -> ApiResult<crate::store::OrgHandle> {
    state
        .store
        .org(id)
        .ok_or_else(|| ApiError::not_found(format!("No org {id:?}.")))
}

/// `GET /__admin/orgs/{id}/users`: `{total, offset, users: [{id, userName, displayName, state,
/// scim, genesys}]}`. `q` searches userName, displayName, id and externalId; deleted users are
/// listed only with `deleted=true`.
pub(crate) fn users(state: &AppState, req: &ApiRequest, org_id: &str) -> ApiResult<Response<Body>> {
    let p = params(req, &["q", "offset", "limit", "deleted"])?;
    let handle = org_or_404(state, org_id)?;
    let org = handle.read();
    // The SCIM form as this org's clients see it.
    let view = View::with(&org, SCIM_BASE, &state.compat_for(&org));
    let mut total = 0;
    let mut rows = Vec::new();
    for u in org.users() {
        let shown = (p.deleted || u.is_live())
            && p.q.as_deref().is_none_or(|q| {
                contains(
                    q,
                    &[
                        Some(&u.email),
                        Some(&u.name),
                        Some(&u.id),
                        u.scim_external_id(),
                    ],
                )
            });
        if !shown {
            continue;
        }
        if total >= p.offset && rows.len() < p.limit {
            rows.push(json!({
                "id": u.id,
                "userName": u.email,
                "displayName": u.name,
                "state": u.state.as_str(),
                "scim": u.is_live().then(|| user_to_scim(u, &view)),
                "genesys": GenesysUser::from_user(u, &org),
            }));
        }
        total += 1;
    }
    Ok(json(
        StatusCode::OK,
        &json!({"org": org.id, "total": total, "offset": p.offset, "users": rows}),
    ))
}

/// `GET /__admin/orgs/{id}/groups`: `{total, offset, groups: [{id, name, visibility,
/// memberCount, scim, genesys}]}`; `scim` is null for groups SCIM cannot see.
pub(crate) fn groups(
    state: &AppState,
    req: &ApiRequest,
    org_id: &str,
) -> ApiResult<Response<Body>> {
    let p = params(req, &["q", "offset", "limit"])?;
    let handle = org_or_404(state, org_id)?;
    let org = handle.read();
    let mut total = 0;
    let mut rows = Vec::new();
    for g in org.groups() {
        let shown =
            p.q.as_deref()
                .is_none_or(|q| contains(q, &[Some(&g.name), Some(&g.id)]));
        if !shown {
            continue;
        }
        if total >= p.offset && rows.len() < p.limit {
            rows.push(group_row(&org, g));
        }
        total += 1;
    }
    Ok(json(
        StatusCode::OK,
        &json!({"org": org.id, "total": total, "offset": p.offset, "groups": rows}),
    ))
}

fn group_row(org: &Org, g: &Group) -> Value {
    // Both forms show at most MAX_MEMBERS_SHOWN members: render from a capped copy.
    let mut capped = g.clone();
    capped.members.truncate(MAX_MEMBERS_SHOWN);
    let scim = g
        .scim_visible()
        .then(|| group_to_scim(&capped, &View::new(org, SCIM_BASE)));
    json!({
        "id": g.id,
        "name": g.name,
        "visibility": g.visibility.as_str(),
        "memberCount": g.members.len(),
        "membersShown": capped.members.len(),
        "scim": scim,
        "genesys": {
            "id": g.id,
            "name": g.name,
            "description": g.description,
            "type": g.kind,
            "visibility": g.visibility,
            "externalId": g.external_id,
            "members": capped.members,
        },
    })
}

/// `GET /__admin/timeline`: `{rows, hasOlder, journal}` with rows newest first, each `{seq,
/// timestamp, method, path, route, status, durationMs, org, client, scenario, rule, fault,
/// missingPermissions}`.
/// `before` pages back (rows with a smaller `seq`); `q` searches method, path, route, status,
/// scenario and rule.
pub(crate) fn timeline(state: &AppState, req: &ApiRequest) -> ApiResult<Response<Body>> {
    let p = params(req, &["q", "limit", "before", "org"])?;
    let keep = p.limit + 1;
    let ((mut page, newest), _) = state.journal.scan(0, p.before.unwrap_or(u64::MAX), |it| {
        let mut page: VecDeque<Value> = VecDeque::with_capacity(keep);
        let mut newest = 0;
        for e in it {
            newest = e.seq;
            if row_matches(e, &p) {
                if page.len() == keep {
                    page.pop_front();
                }
                page.push_back(row(e));
            }
        }
        (page, newest)
    });
    let has_older = page.len() == keep;
    if has_older {
        page.pop_front();
    }
    let rows: Vec<Value> = page.into_iter().rev().collect();
    Ok(json(
        StatusCode::OK,
        &json!({
            "rows": rows,
            "hasOlder": has_older,
            "newestSeq": newest,
            "journal": state.journal.stats(),
        }),
    ))
}

fn row_matches(e: &Entry, p: &Params) -> bool {
    p.org.as_ref().is_none_or(|o| e.org.as_ref() == Some(o))
        && p.q.as_deref().is_none_or(|q| {
            let status = e.status.to_string();
            contains(
                q,
                &[
                    Some(e.method.as_str()),
                    Some(&e.path),
                    Some(e.route),
                    Some(&status),
                    e.scenario.as_deref(),
                    e.rule.as_deref(),
                ],
            )
        })
}

fn row(e: &Entry) -> Value {
    json!({
        "seq": e.seq,
        "timestamp": e.timestamp,
        "method": e.method.as_str(),
        "path": e.path,
        "query": e.query,
        "route": e.route,
        "status": e.status,
        "durationMs": e.duration_ms,
        "org": e.org,
        "client": e.client,
        "scenario": e.scenario,
        "rule": e.rule,
        "fault": e.fault,
        "missingPermissions": e.missing_permissions,
    })
}
