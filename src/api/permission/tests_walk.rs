//! The permission table against the running pipeline: every row walked with a client that
//! lacks its permissions and with one client per permission it lists, and every operation the
//! router serves checked to have a row.

use std::collections::BTreeSet;

use bytes::Bytes;
use http::{Method, Request};
use http_body_util::BodyExt;
use serde_json::{Value, json};

use super::{ROWS, Row, row_of};
use crate::compat::DotSearch;
use crate::config::Config;
use crate::pipeline::route::{PlatformRoute, Route, ScimRoute, route};
use crate::state::AppState;

const ORG: &str = "walk";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

async fn send(
    state: &AppState,
    method: &Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut req = Request::builder().method(method.clone()).uri(path);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    if body.is_some() {
        req = req.header("content-type", "application/scim+json");
    }
    let bytes = body.map_or_else(Bytes::new, |b| Bytes::from(b.to_string()));
    let resp = crate::pipeline::dispatch::handle(state, req.body(bytes).unwrap()).await;
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// A server with `.search` served and no rate limit (the walk sends many requests).
fn state() -> AppState {
    let mut config = Config {
        seed: Some(7),
        rate_limit_per_minute: None,
        ..Config::default()
    };
    config.compat.dot_search = DotSearch::Serve;
    AppState::new(config).unwrap()
}

async fn token(state: &AppState, id: &str, secret: &str) -> String {
    let form = format!("grant_type=client_credentials&client_id={id}&client_secret={secret}");
    let req = Request::post("/oauth/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Bytes::from(form))
        .unwrap();
    let resp = crate::pipeline::dispatch::handle(state, req).await;
    assert_eq!(resp.status(), 200, "token for {id}");
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

/// Every permission the table names.
fn permissions() -> Vec<&'static str> {
    let set: BTreeSet<&str> = ROWS.iter().flat_map(|r| r.any.iter().copied()).collect();
    set.into_iter().collect()
}

/// A server (`.search` served, no rate limit) with an org holding one user, one group, a
/// client whose role grants nothing and, per permission of the table, a client whose only
/// role grants exactly it, everywhere.
async fn server() -> (AppState, String, Vec<(&'static str, String)>) {
    let state = state();
    let perms = permissions();
    let mut roles = vec![
        json!({"id": "r-emp", "name": "employee"}),
        json!({"id": "r-none", "name": "nothing"}),
    ];
    let mut clients = vec![json!({"id": "c-none", "secret": "s",
        "roleDivisions": [{"role": "nothing", "division": "*"}]})];
    for (i, p) in perms.iter().enumerate() {
        roles.push(json!({"id": format!("r{i}"), "name": p, "permissions": [p]}));
        clients.push(json!({"id": format!("c{i}"), "secret": "s",
            "roleDivisions": [{"role": p, "division": "*"}]}));
    }
    let org = json!({
        "id": ORG,
        "divisions": [{"id": "d-home", "name": "Home", "home": true}],
        "roles": roles,
        "oauthClients": clients,
        "users": [{"id": "u1", "userName": "u1@example.org", "displayName": "U1", "title": "T",
            "externalId": "ext-1",
            "urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User": {
                "externalIds": [{"authority": "crm", "value": "k1"}]}}],
        "groups": [{"id": "g1", "name": "G1", "members": ["u1"]}]
    });
    let (s, body) = send(&state, &Method::POST, "/__admin/orgs", None, Some(&org)).await;
    assert_eq!(s, 201, "{body}");
    let none = token(&state, "c-none", "s").await;
    let mut each = Vec::new();
    for (i, p) in perms.iter().enumerate() {
        each.push((*p, token(&state, &format!("c{i}"), "s").await));
    }
    (state, none, each)
}

/// The org back to its fixture (tokens survive: the clients are the same).
async fn reset(state: &AppState) {
    let (s, _) = send(
        state,
        &Method::POST,
        &format!("/__admin/reset?org={ORG}"),
        None,
        None,
    )
    .await;
    assert_eq!(s, 204);
}

/// A row's path with its parameters filled in: the org's user and group, and their ids.
fn concrete(template: &str) -> String {
    template
        .replace("{userId}", "u1")
        .replace("{groupId}", "g1")
        .replace("{resourceType}", "User")
        .replace("{schemaId}", "urn:ietf:params:scim:schemas:core:2.0:User")
        .replace("{authorityName}", "crm")
        .replace("{externalKey}", "k1")
}

/// Both SCIM trees for a SCIM path; the path alone otherwise.
fn trees(path: &str) -> Vec<String> {
    match path.strip_prefix("/api/v2/scim/v2/") {
        Some(rest) => vec![path.to_owned(), format!("/api/v2/scim/{rest}")],
        None => vec![path.to_owned()],
    }
}

/// A body that does its operation while changing nothing a row's permission does not cover:
/// writes of the user put back what it holds, so every permission the row lists suffices.
async fn body_for(state: &AppState, token: &str, row: &Row, path: &str) -> Option<Value> {
    Some(match (row.method, row.route) {
        ("POST", "users.create") => json!({"userName": "new@example.org", "displayName": "New"}),
        ("PUT", "users.replace" | "groups.replace") => {
            // A client that may not read the resource gets no further than the gate anyway.
            let (s, current) = send(state, &Method::GET, path, Some(token), None).await;
            if s == 200 { current } else { json!({}) }
        }
        ("PATCH", "users.patch") => json!({"schemas": [PATCH_OP],
            "Operations": [{"op": "replace", "path": "title", "value": "T"}]}),
        ("PATCH", "groups.patch") => json!({"schemas": [PATCH_OP],
            "Operations": [{"op": "add", "path": "members", "value": [{"value": "u1"}]}]}),
        ("POST", "externalid.create") => json!({"authorityName": "hr", "externalKey": "h1"}),
        ("POST", "platform.users.search") => {
            json!({"query": [{"fields": ["email"], "value": "u1@example.org", "type": "EXACT"}]})
        }
        ("PATCH", "platform.users.patch") => {
            // The state it has, with the version it has: a write that changes nothing.
            let (_, current) = send(state, &Method::GET, path, Some(token), None).await;
            json!({"state": "active", "version": current["version"].as_u64().unwrap_or(1)})
        }
        ("POST", "search") => {
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": "userName eq \"u1@example.org\""})
        }
        _ => return None,
    })
}

/// One test walks the whole table: for every row, on every path (both SCIM trees), a client
/// whose role grants nothing gets 403 `missing.any.permissions` naming exactly the row's
/// permissions (or is let through when the row lists none), and a client holding any one of
/// them is let through, and served.
#[tokio::test]
async fn every_row_refuses_a_client_without_its_permissions_and_admits_any_one_of_them() {
    let (state, none, each) = server().await;
    let mut checked = 0;
    for row in ROWS {
        let method = Method::from_bytes(row.method.as_bytes()).unwrap();
        for template in row.paths {
            for path in trees(&concrete(template)) {
                reset(&state).await;
                let body = body_for(&state, &none, row, &path).await;
                let (s, answer) = send(&state, &method, &path, Some(&none), body.as_ref()).await;
                let what = format!("{} {path} ({})", row.method, row.route);
                if row.any.is_empty() {
                    assert!(s < 400, "{what} needs nothing, got {s}: {answer}");
                } else {
                    assert_eq!(s, 403, "{what} without its permissions: {answer}");
                    let listed = format!("[{}]", row.any.join(", "));
                    let text = if path.starts_with("/api/v2/scim/") {
                        assert_eq!(answer["status"], "403", "{what}: SCIM shape");
                        &answer["detail"]
                    } else {
                        assert_eq!(answer["code"], "missing.any.permissions", "{what}");
                        &answer["message"]
                    };
                    assert!(
                        text.as_str().is_some_and(|t| t.ends_with(&listed)),
                        "{what}: {answer}"
                    );
                }
                for (p, token) in &each {
                    if !row.any.contains(p) {
                        continue;
                    }
                    reset(&state).await;
                    let body = body_for(&state, token, row, &path).await;
                    let (s, answer) =
                        send(&state, &method, &path, Some(token), body.as_ref()).await;
                    assert!(s < 400, "{what} with only {p}: {s} {answer}");
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= ROWS.len(), "{checked} paths walked");
}

/// The route variants, each by the name [`variant`] gives it. A new variant does not compile
/// until `variant` names it, and this test fails until it is listed here and reached by a
/// path in [`PATHS`].
const VARIANTS: &[&str] = &[
    "scim.users",
    "scim.user",
    "scim.groups",
    "scim.group",
    "scim.serviceproviderconfig",
    "scim.resourcetypes",
    "scim.resourcetype",
    "scim.schemas",
    "scim.schema",
    "scim.search",
    "platform.users",
    "platform.user",
    "platform.users.search",
    "platform.organizations.me",
    "platform.externalid.lookup",
    "platform.user.externalids",
    "platform.divisions",
    "platform.roles",
    "platform.skills",
    "platform.languages",
    "platform.groups",
];

/// The variant of an API route (`None` for the rest: admin, token, unknown paths).
fn variant(r: &Route) -> Option<&'static str> {
    Some(match r {
        Route::Health | Route::Admin(_) | Route::Token | Route::ScimUnknown | Route::Unknown => {
            return None;
        }
        Route::Scim(_, s) => match s {
            ScimRoute::Users => "scim.users",
            ScimRoute::User(_) => "scim.user",
            ScimRoute::Groups => "scim.groups",
            ScimRoute::Group(_) => "scim.group",
            ScimRoute::ServiceProviderConfig => "scim.serviceproviderconfig",
            ScimRoute::ResourceTypes => "scim.resourcetypes",
            ScimRoute::ResourceType(_) => "scim.resourcetype",
            ScimRoute::Schemas => "scim.schemas",
            ScimRoute::Schema(_) => "scim.schema",
            ScimRoute::Search => "scim.search",
        },
        Route::Platform(p) => match p {
            PlatformRoute::Users => "platform.users",
            PlatformRoute::User(_) => "platform.user",
            PlatformRoute::UserSearch => "platform.users.search",
            PlatformRoute::OrganizationMe => "platform.organizations.me",
            PlatformRoute::ExternalIdLookup(_) => "platform.externalid.lookup",
            PlatformRoute::UserExternalIds(..) => "platform.user.externalids",
            PlatformRoute::Divisions => "platform.divisions",
            PlatformRoute::Roles => "platform.roles",
            PlatformRoute::Skills => "platform.skills",
            PlatformRoute::Languages => "platform.languages",
            PlatformRoute::Groups => "platform.groups",
        },
    })
}

/// A path to every API route variant of the default org (every shape of the external-id
/// routes included), on both SCIM trees.
const PATHS: &[&str] = &[
    "/api/v2/scim/v2/Users",
    "/api/v2/scim/v2/Users/a1b2c3d4-0001-4000-8000-000000000001",
    "/api/v2/scim/v2/Groups",
    "/api/v2/scim/v2/Groups/b2c3d4e5-0001-4000-8000-000000000001",
    "/api/v2/scim/v2/ServiceProviderConfig",
    "/api/v2/scim/v2/ResourceTypes",
    "/api/v2/scim/v2/ResourceTypes/User",
    "/api/v2/scim/v2/Schemas",
    "/api/v2/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
    "/api/v2/scim/v2/.search",
    "/api/v2/scim/users",
    "/api/v2/scim/users/a1b2c3d4-0002-4000-8000-000000000002",
    "/api/v2/scim/groups",
    "/api/v2/scim/groups/b2c3d4e5-0002-4000-8000-000000000002",
    "/api/v2/users",
    "/api/v2/users/a1b2c3d4-0001-4000-8000-000000000001",
    "/api/v2/users/search",
    "/api/v2/organizations/me",
    "/api/v2/users/externalid/x-pc:scimv2:v1/emp-0001",
    "/api/v2/users/a1b2c3d4-0001-4000-8000-000000000001/externalid",
    "/api/v2/users/a1b2c3d4-0001-4000-8000-000000000001/externalid/x-pc:scimv2:v1",
    "/api/v2/users/a1b2c3d4-0001-4000-8000-000000000001/externalid/crm/k1",
    "/api/v2/authorization/divisions",
    "/api/v2/authorization/roles",
    "/api/v2/routing/skills",
    "/api/v2/routing/languages",
    "/api/v2/groups",
];

/// Every operation the router serves (any answer but 405 or 501, for every method on every
/// route variant) has a row, and every row is an operation it serves: a route added without
/// a row fails here.
#[tokio::test]
async fn every_operation_the_router_serves_has_a_row() {
    let reached: BTreeSet<&str> = PATHS
        .iter()
        .filter_map(|p| variant(&route(p).unwrap()))
        .collect();
    for v in VARIANTS {
        assert!(reached.contains(v), "no path in PATHS reaches {v}");
    }
    for v in &reached {
        assert!(VARIANTS.contains(v), "{v} is not listed in VARIANTS");
    }

    let state = state();
    let token = token(&state, "mock-client-id", "mock-client-secret").await;
    let mut served = BTreeSet::new();
    for path in PATHS {
        let name_of = |m: &Method| route(path).unwrap().name(m);
        for method in [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ] {
            let body = (method != Method::GET && method != Method::DELETE).then(|| json!({}));
            let (s, answer) = send(&state, &method, path, Some(&token), body.as_ref()).await;
            // 405 and 501 are answers for a method the route does not serve; so is a 404
            // for the path itself (`No resource at ...`), unlike a 404 for a missing record.
            let detail = answer["detail"].as_str().or(answer["message"].as_str());
            if s == 405 || s == 501 || detail.is_some_and(|d| d.starts_with("No resource at")) {
                continue;
            }
            let name = name_of(&method);
            assert!(
                row_of(&method, name).is_some(),
                "{method} {path} ({name}) is served ({s} {answer}) but has no permission row"
            );
            served.insert((method.to_string(), name));
        }
    }
    for r in ROWS {
        assert!(
            served.contains(&(r.method.to_owned(), r.route)),
            "the row {} {} is not an operation the router serves",
            r.method,
            r.route
        );
    }
}
