//! The user external-id API (the Genesys SDKs' `UsersApi`): look a user up by (authority, key), and
//! list, read, add and delete one user's external ids.
//!
//! It reads and writes the same `User::external_ids` store that SCIM `externalId` and the
//! Genesys extension's `externalIds` use, and every write goes through `Org::store_user`, so a
//! change here shows at once through SCIM (with `meta.version` bumped) and the other way round.
//!
//! Path segments arrive split on the raw `/` and then decoded (see `pipeline::route`). An
//! authority such as `https://idp.example.org/fas` therefore only fits the route shape when its
//! slashes are sent as `%2F`; the Python SDK sends them raw, the path gets extra segments and
//! the real service answers 404 (Genesys community, "User - Generic SSO", 2025-08-13: "ensure
//! the authorityName is URL encoded"). `Compat::raw_slash_authority = match-known` re-joins
//! such segments when the joined prefix is an authority the org knows.

use http::{Method, Response, StatusCode};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

use crate::api::{Session, json_body, permission};
use crate::compat::{ExternalIdRepost, RawSlashAuthority};
use crate::edge::response::{Body, JSON, json_response, status_response};
use crate::error::{ApiError, ApiResult};
use crate::genesys::org::{Org, user_not_found};
use crate::genesys::user::{ExternalId, SCIM_AUTHORITY, User};
use crate::pipeline::context::ApiRequest;

/// Characters left as they are in a `selfUri` path segment (RFC 3986 unreserved).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// What the segments after `/api/v2/users/{id}/externalid` name.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// No segments: the user's whole list.
    List,
    /// One authority.
    Authority(String),
    /// One (authority, key) pair.
    Entry(String, String),
}

/// `GET /api/v2/users/externalid/{authorityName}/{externalKey}`: the platform user holding
/// that pair, with `?expand=`.
pub(crate) fn lookup(
    session: &Session,
    req: &ApiRequest,
    segs: &[String],
) -> ApiResult<Response<Body>> {
    if req.method != Method::GET {
        return Err(ApiError::method_not_allowed(
            "GET",
            format!(
                "{} is not allowed on /api/v2/users/externalid/{{authorityName}}/{{externalKey}}.",
                req.method
            ),
        ));
    }
    let org = session.org.read();
    let (authority, key) = match segs {
        [a, k] => (a.clone(), k.clone()),
        _ => match_known_entry(segs, session, &org).ok_or_else(|| shape_not_found(req, segs))?,
    };
    // Under `read-lag` a pair added too recently is not found yet, and one removed too
    // recently still finds its user.
    let lag = session.unseen(&org);
    let holder = if lag.pair_added(&authority, &key) {
        None
    } else {
        org.user_by_external(&authority, &key)
    };
    let user = holder
        .or_else(|| {
            lag.pair_removed_from(&authority, &key)
                .and_then(|id| org.user(id))
        })
        .filter(|u| !lag.hides_user(&u.id) && !permission::hides(session, u))
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "No user has the external id (authority {authority:?}, key {key:?}). Authority \
             names and keys are case-sensitive."
            ))
        })?;
    Ok(super::platform_user::user_response(req, user, &org))
}

/// `/api/v2/users/{userId}/externalid[/{authorityName}[/{externalKey}]]`.
pub(crate) fn for_user(
    session: &Session,
    req: &ApiRequest,
    user_id: &str,
    segs: &[String],
) -> ApiResult<Response<Body>> {
    let target = {
        let org = session.org.read();
        target(req, segs, session, &org)?
    };
    let m = &req.method;
    match (&target, m) {
        (Target::List, &Method::GET) => list(session, user_id),
        (Target::List, &Method::POST) => add(session, req, user_id),
        (Target::List, _) => Err(ApiError::method_not_allowed(
            "GET, POST",
            format!("{m} is not allowed on /api/v2/users/{{userId}}/externalid."),
        )),
        (Target::Authority(a), &Method::GET) => get_one(session, user_id, a),
        (Target::Authority(_), _) => Err(ApiError::method_not_allowed(
            "GET",
            format!(
                "{m} is not allowed on /api/v2/users/{{userId}}/externalid/{{authorityName}}; \
                 DELETE needs the key too: .../externalid/{{authorityName}}/{{externalKey}}."
            ),
        )),
        (Target::Entry(a, k), &Method::DELETE) => delete(session, user_id, a, k),
        (Target::Entry(..), _) => Err(ApiError::method_not_allowed(
            "DELETE",
            format!(
                "{m} is not allowed on /api/v2/users/{{userId}}/externalid/{{authorityName}}/{{externalKey}}."
            ),
        )),
    }
}

/// Works out what the segments name. Two segments are an (authority, key) pair unless, under
/// `match-known`, a GET names a known authority that contains one raw `/`.
fn target(req: &ApiRequest, segs: &[String], session: &Session, org: &Org) -> ApiResult<Target> {
    let match_known = session.compat.raw_slash_authority == RawSlashAuthority::MatchKnown;
    let whole = || {
        let joined = segs.join("/");
        (match_known && org.knows_authority(&joined)).then_some(Target::Authority(joined))
    };
    let entry = || match_known_entry(segs, session, org).map(|(a, k)| Target::Entry(a, k));
    match segs {
        [] => Ok(Target::List),
        [a] => Ok(Target::Authority(a.clone())),
        [a, k] => Ok(if req.method == Method::DELETE {
            Target::Entry(a.clone(), k.clone())
        } else {
            whole().unwrap_or_else(|| Target::Entry(a.clone(), k.clone()))
        }),
        _ => {
            let found = if req.method == Method::DELETE {
                entry().or_else(whole)
            } else {
                whole().or_else(entry)
            };
            found.ok_or_else(|| shape_not_found(req, segs))
        }
    }
}

/// Under `match-known`: the longest run of leading segments that, joined with `/`, is an
/// authority the org knows, and the rest (joined the same way) as the key.
fn match_known_entry(segs: &[String], session: &Session, org: &Org) -> Option<(String, String)> {
    if session.compat.raw_slash_authority != RawSlashAuthority::MatchKnown {
        return None;
    }
    (1..segs.len()).rev().find_map(|n| {
        let authority = segs[..n].join("/");
        let key = segs[n..].join("/");
        (!key.is_empty() && org.knows_authority(&authority)).then_some((authority, key))
    })
}

/// The 404 for a path whose segments do not fit the route: what the real service answers
/// when an authority's `/` is sent raw. The detail says how to send it instead.
fn shape_not_found(req: &ApiRequest, segs: &[String]) -> ApiError {
    ApiError::not_found(format!(
        "No resource at {} {}: the path has {} segments after 'externalid'. An authority or key \
         that contains '/' must be sent with '/' encoded as %2F (a raw '/' splits the path); \
         the mock re-joins known authorities with --compat raw-slash-authority=match-known.",
        req.method,
        req.path,
        segs.len()
    ))
}

/// A user the caller may read (`division-reads`), or 404.
fn readable<'o>(session: &Session, org: &'o Org, user_id: &str) -> ApiResult<&'o User> {
    org.user(user_id)
        .filter(|u| !permission::hides(session, u))
        .ok_or_else(|| user_not_found(user_id))
}

fn scim_authority_refused(authority: &str) -> ApiError {
    ApiError::bad_request(format!(
        "Authority {authority:?} is reserved: the {SCIM_AUTHORITY} external id mirrors the SCIM \
         externalId and can only be changed through SCIM."
    ))
}

/// A `UserExternalIdentifier`.
fn identifier(user_id: &str, e: &ExternalId) -> Value {
    json!({
        "authorityName": e.authority_name,
        "externalKey": e.external_key,
        "selfUri": format!(
            "/api/v2/users/{user_id}/externalid/{}/{}",
            utf8_percent_encode(&e.authority_name, SEGMENT),
            utf8_percent_encode(&e.external_key, SEGMENT)
        ),
    })
}

/// A live user as a read sees it (not one created too recently, under `read-lag`), and its
/// external ids as that read sees them.
fn read_ids<'a>(
    session: &Session,
    org: &'a Org,
    user_id: &str,
) -> ApiResult<std::borrow::Cow<'a, [ExternalId]>> {
    let lag = session.unseen(org);
    let user = readable(session, org, user_id)?;
    if lag.hides_user(&user.id) {
        return Err(user_not_found(user_id));
    }
    Ok(lag.external_ids(user))
}

/// `GET .../externalid`: every id of the user, the `x-pc:scimv2:v1` one included.
fn list(session: &Session, user_id: &str) -> ApiResult<Response<Body>> {
    let org = session.org.read();
    let ids = read_ids(session, &org, user_id)?;
    let list = Value::Array(ids.iter().map(|e| identifier(user_id, e)).collect());
    Ok(json_response(StatusCode::OK, JSON, &list))
}

/// `GET .../externalid/{authorityName}`: the user's id under that authority.
fn get_one(session: &Session, user_id: &str, authority: &str) -> ApiResult<Response<Body>> {
    let org = session.org.read();
    let ids = read_ids(session, &org, user_id)?;
    let e = ids
        .iter()
        .find(|e| e.authority_name == authority)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "User {user_id} has no external id under authority {authority:?} (authority \
                 names are case-sensitive)."
            ))
        })?;
    Ok(json_response(StatusCode::OK, JSON, &identifier(user_id, e)))
}

/// A required, non-empty string field of the POST body.
fn required(body: &Value, field: &str) -> ApiResult<String> {
    match body.get(field) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Value::String(_)) => Err(ApiError::bad_request(format!("{field} must not be empty."))),
        None | Some(Value::Null) => Err(ApiError::bad_request(format!(
            "{field} is required: the body is {{\"authorityName\": \"...\", \"externalKey\": \"...\"}}."
        ))),
        Some(other) => Err(ApiError::bad_request(format!(
            "{field} must be a string, got {other}."
        ))),
    }
}

/// `POST .../externalid`: adds one id and answers 201 with that one `UserExternalIdentifier`.
///
/// The swagger types the answer as a list, but Genesys answers the one created object:
/// Genesys' Terraform provider bypasses the SDK method and decodes the answer strictly as a
/// single `Userexternalidentifier` (`callExternalUserAPI` in
/// `genesyscloud/external_user/genesyscloud_externalusers_identity_proxy.go`, since v1.59.0),
/// and its acceptance tests run against real orgs.
///
/// Re-POSTing an authority the user already has follows `Compat::external_id_repost`:
/// `conflict` (default) answers 409, as the forum report found ("I can add all … but not update
/// them"); `replace` swaps the key (and re-POSTing the same pair is then a no-op).
fn add(session: &Session, req: &ApiRequest, user_id: &str) -> ApiResult<Response<Body>> {
    let mut org = session.org.write();
    let mut user = org
        .user(user_id)
        .cloned()
        .ok_or_else(|| user_not_found(user_id))?;
    let body = json_body(req)?;
    let authority = required(body, "authorityName")?;
    let key = required(body, "externalKey")?;
    if authority.starts_with(SCIM_AUTHORITY) {
        return Err(scim_authority_refused(&authority));
    }
    let pair = ExternalId {
        authority_name: authority.clone(),
        external_key: key.clone(),
    };
    if let Some(holder) = org.user_by_external(&authority, &key)
        && holder.id != user.id
    {
        return Err(ApiError::conflict(format!(
            "External id (authority {authority:?}, key {key:?}) is already mapped to another \
             user; a pair maps to exactly one user."
        )));
    }
    match user
        .external_ids
        .iter()
        .position(|e| e.authority_name == authority)
    {
        Some(i) => match session.compat.external_id_repost {
            ExternalIdRepost::Conflict => {
                return Err(ApiError::conflict(format!(
                    "User {user_id} already has an external id under authority {authority:?} \
                     (key {:?}). Delete it first, or update it through SCIM; the mock replaces \
                     it instead with --compat external-id-repost=replace.",
                    user.external_ids[i].external_key
                )));
            }
            ExternalIdRepost::Replace => {
                // `i` is the first entry under this authority, so every entry before it stays
                // where it is and the new pair takes the old one's place.
                user.external_ids.retain(|e| e.authority_name != authority);
                let at = i.min(user.external_ids.len());
                user.external_ids.insert(at, pair);
            }
        },
        None => {
            let limit = org.limits.external_ids_per_user;
            if user.external_ids.len() >= limit {
                return Err(ApiError::bad_request(format!(
                    "User {user_id} already has {} external ids; the limit is {limit} per user.",
                    user.external_ids.len()
                )));
            }
            user.external_ids.push(pair);
        }
    }
    let created = ExternalId {
        authority_name: authority,
        external_key: key,
    };
    org.store_user(user, session.now)?;
    Ok(json_response(
        StatusCode::CREATED,
        JSON,
        &identifier(user_id, &created),
    ))
}

/// `DELETE .../externalid/{authorityName}/{externalKey}`: 204, or 404 when the user has no
/// such pair.
fn delete(
    session: &Session,
    user_id: &str,
    authority: &str,
    key: &str,
) -> ApiResult<Response<Body>> {
    let mut org = session.org.write();
    let mut user = org
        .user(user_id)
        .cloned()
        .ok_or_else(|| user_not_found(user_id))?;
    if authority.starts_with(SCIM_AUTHORITY) {
        return Err(scim_authority_refused(authority));
    }
    let before = user.external_ids.len();
    user.external_ids
        .retain(|e| !(e.authority_name == authority && e.external_key == key));
    if user.external_ids.len() == before {
        return Err(ApiError::not_found(format!(
            "User {user_id} has no external id (authority {authority:?}, key {key:?}); authority \
             names and keys are case-sensitive."
        )));
    }
    org.store_user(user, session.now)?;
    Ok(status_response(StatusCode::NO_CONTENT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_uris_encode_slashes_and_colons() {
        let e = ExternalId {
            authority_name: "https://idp.example.org/fas".into(),
            external_key: "a b".into(),
        };
        assert_eq!(
            identifier("u1", &e)["selfUri"],
            "/api/v2/users/u1/externalid/https%3A%2F%2Fidp.example.org%2Ffas/a%20b"
        );
    }
}
