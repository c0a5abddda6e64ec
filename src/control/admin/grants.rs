//! `/__admin/orgs/{id}/clients/{clientId}/roleDivisions`: an OAuth client's grants, read and
//! changed while the server runs, so a test can take a permission away in the middle of a
//! sync (`docs/permissions.md`).
//!
//! `GET` reads them, `PUT` replaces them (`null` lifts every restriction), `POST` adds pairs,
//! `DELETE ?role=&division=` takes pairs away. Every pair is checked against the org as a
//! fixture's is (`seed::build::role_divisions_problem`), and the change applies to the next
//! request of every token of the client. A reset of the org brings back its fixture's grants.

use std::sync::Arc;

use http::{Method, Response, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::json;
use crate::edge::response::Body;
use crate::error::{ApiError, ApiResult};
use crate::genesys::permission::RoleDivision;
use crate::pipeline::context::ApiRequest;
use crate::seed::build::role_divisions_problem;
use crate::state::AppState;
use crate::store::OAuthClient;

/// The body of `PUT` and `POST`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Grants {
    /// `null` (PUT only) is "may do everything", which a missing key must not mean by
    /// accident: [`body`] requires the key.
    role_divisions: Option<Vec<RoleDivision>>,
}

/// Serves the four methods (the admin endpoint table sends only these).
pub(crate) fn endpoint(
    state: &AppState,
    req: &ApiRequest,
    org_id: &str,
    client_id: &str,
) -> ApiResult<Response<Body>> {
    let client = client_of(state, org_id, client_id)?;
    let current: Option<Vec<RoleDivision>> = client.role_divisions.as_deref().map(<[_]>::to_vec);
    let next = match req.method {
        Method::GET => {
            super::document::known_params(req, &[])?;
            return Ok(answer(&client, current.as_deref()));
        }
        Method::PUT => {
            super::document::known_params(req, &[])?;
            body(req)?.role_divisions
        }
        Method::POST => {
            super::document::known_params(req, &[])?;
            let add = body(req)?.role_divisions.ok_or_else(|| {
                ApiError::bad_request("roleDivisions: POST adds pairs, so it takes a list")
            })?;
            // Checked as sent, so an error's index is the body's.
            check(state, org_id, &add)?;
            let mut pairs = restricted(&client, current)?;
            for p in add {
                if !pairs.iter().any(|q| same(q, &p)) {
                    pairs.push(p);
                }
            }
            Some(pairs)
        }
        Method::DELETE => {
            super::document::known_params(req, &["role", "division"])?;
            super::document::none(req, "DELETE .../roleDivisions")?;
            let param = |k: &str| {
                req.query_pairs()
                    .iter()
                    .find(|(name, _)| name == k)
                    .map(|(_, v)| v.clone())
            };
            let role = param("role").ok_or_else(|| {
                ApiError::bad_request(
                    "role is required: DELETE .../roleDivisions?role=NAME[&division=NAME]",
                )
            })?;
            let division = param("division");
            let mut pairs = restricted(&client, current)?;
            let before = pairs.len();
            pairs.retain(|p| {
                !(p.role.eq_ignore_ascii_case(&role)
                    && division
                        .as_ref()
                        .is_none_or(|d| p.division.eq_ignore_ascii_case(d)))
            });
            if pairs.len() == before {
                return Err(ApiError::not_found(format!(
                    "Client {client_id:?} holds no pair with role {role:?}{}.",
                    division
                        .as_ref()
                        .map_or(String::new(), |d| format!(" in division {d:?}"))
                )));
            }
            Some(pairs)
        }
        // The admin endpoint table answers 405 for every other method.
        _ => return Err(ApiError::internal()),
    };
    if let Some(pairs) = &next {
        check(state, org_id, pairs)?;
    }
    let stored: Option<Arc<[RoleDivision]>> = next.map(Arc::from);
    if !state.store.set_role_divisions(client_id, stored.clone()) {
        return Err(ApiError::not_found(format!(
            "No OAuth client {client_id:?}."
        )));
    }
    Ok(answer(&client, stored.as_deref()))
}

/// 400 naming the field, for pairs the org cannot hold (or too many of them).
fn check(state: &AppState, org_id: &str, pairs: &[RoleDivision]) -> ApiResult<()> {
    let org = state
        .store
        .org(org_id)
        .ok_or_else(|| ApiError::not_found(format!("No org {org_id:?}.")))?;
    match role_divisions_problem(&org.read(), pairs) {
        Some((field, why)) => Err(ApiError::bad_request(format!("{field}: {why}"))),
        None => Ok(()),
    }
}

/// The client, if it belongs to the org.
fn client_of(state: &AppState, org_id: &str, client_id: &str) -> ApiResult<OAuthClient> {
    if state.store.org(org_id).is_none() {
        return Err(ApiError::not_found(format!("No org {org_id:?}.")));
    }
    state
        .store
        .client(client_id)
        .filter(|c| c.org_id == org_id)
        .ok_or_else(|| {
            ApiError::not_found(format!("No OAuth client {client_id:?} in org {org_id:?}."))
        })
}

fn body(req: &ApiRequest) -> ApiResult<Grants> {
    let what = "roleDivisions document ({\"roleDivisions\": [{\"role\": ..., \"division\": ...}]})";
    if !super::document::object(req, what)?.contains_key("roleDivisions") {
        return Err(ApiError::bad_request(
            "roleDivisions is required: a list of {role, division}, or null (PUT only) to let the client do everything",
        ));
    }
    super::document::parse(req, what)
}

/// The pairs of a client that has some: adding to or taking from "everything" means nothing.
fn restricted(
    client: &OAuthClient,
    current: Option<Vec<RoleDivision>>,
) -> ApiResult<Vec<RoleDivision>> {
    current.ok_or_else(|| {
        ApiError::conflict(format!(
            "Client {:?} has no roleDivisions, so it may do everything; PUT a list to restrict it first.",
            client.id
        ))
    })
}

/// Pairs name the same grant (names compare without regard to case, as they resolve).
fn same(a: &RoleDivision, b: &RoleDivision) -> bool {
    a.role.eq_ignore_ascii_case(&b.role) && a.division.eq_ignore_ascii_case(&b.division)
}

fn answer(client: &OAuthClient, pairs: Option<&[RoleDivision]>) -> Response<Body> {
    let value: Value = match pairs {
        Some(p) => json!(p),
        None => Value::Null,
    };
    json(
        StatusCode::OK,
        &json!({"orgId": client.org_id, "clientId": client.id, "roleDivisions": value}),
    )
}
