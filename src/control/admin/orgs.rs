//! `/__admin/orgs` and `/__admin/reset`: isolated orgs for parallel suites, reset to fixtures,
//! export and import in the fixture format.
//!
//! Every load goes through `seed::load`/`seed::build_org`, the same path as start-up,
//! so the admin API cannot build an org the fixture format could not.

use http::{Response, StatusCode};
use serde_json::{Value, json};

use super::json;
use crate::edge::response::{Body, status_response};
use crate::error::{ApiError, ApiResult};
use crate::genesys::limits::Limits;
use crate::genesys::mapping::{View, user_to_scim};
use crate::genesys::user::UserState;
use crate::pipeline::context::ApiRequest;
use crate::scim::schema::ENTERPRISE_USER;
use crate::seed::stamp::RecordMeta;
use crate::seed::{self, ClientFixture, FORMAT_VERSION, FixtureFile, GroupFixture, OrgFixture};
use crate::state::AppState;
use crate::store::{MAX_ORGS, Store};

/// `GET /__admin/orgs`.
pub(crate) fn list(state: &AppState) -> Response<Body> {
    json(StatusCode::OK, &json!({"orgs": state.store.org_ids()}))
}

/// `POST /__admin/orgs`: a fixture org; a missing `id` or OAuth client is generated.
pub(crate) fn create(state: &AppState, req: &ApiRequest) -> ApiResult<Response<Body>> {
    let mut obj = super::document::object(req, "org")?.clone();
    if !obj.contains_key("id") {
        obj.insert("id".into(), json!(format!("org-{}", state.rng.uuid())));
    }
    // Only an absent, null or empty list is filled in: any other value is left for the
    // fixture loader to refuse.
    let no_clients = match obj.get("oauthClients") {
        None | Some(Value::Null) => true,
        Some(Value::Array(list)) => list.is_empty(),
        Some(_) => false,
    };
    if no_clients {
        obj.insert(
            "oauthClients".into(),
            json!([{"id": state.rng.uuid().to_string(), "secret": state.rng.token()}]),
        );
    }
    let fixture: OrgFixture = serde_json::from_value(Value::Object(obj))
        .map_err(|e| ApiError::bad_request(format!("invalid org fixture: {e}")))?;
    if state.store.org(&fixture.id).is_some() {
        return Err(ApiError::conflict(format!(
            "Org {:?} exists; DELETE it or import over it.",
            fixture.id
        )));
    }
    room_for(state, &fixture.id)?;
    load_one(state, &fixture)?;
    let clients: Vec<Value> = fixture
        .oauth_clients
        .iter()
        .map(|c| json!({"clientId": c.id, "clientSecret": c.secret}))
        .collect();
    Ok(json(
        StatusCode::CREATED,
        &json!({"orgId": fixture.id, "clients": clients}),
    ))
}

/// `DELETE /__admin/orgs/{id}`: the org, its clients and their tokens.
pub(crate) fn delete(state: &AppState, id: &str) -> ApiResult<Response<Body>> {
    if state.store.remove_org(id) {
        state.sources.remove(id);
        Ok(status_response(StatusCode::NO_CONTENT))
    } else {
        Err(ApiError::not_found(format!("No org {id:?}.")))
    }
}

/// `POST /__admin/reset`: everything back to the configured fixtures, journal cleared,
/// scenario counters and states reset. `?org=ID`: only that org, back to the fixture it was
/// last loaded from; nothing else is touched.
pub(crate) fn reset(state: &AppState, req: &ApiRequest) -> ApiResult<Response<Body>> {
    super::document::known_params(req, &["org"])?;
    super::document::none(req, "POST /__admin/reset")?;
    let org = req
        .query_pairs()
        .iter()
        .find(|(k, _)| k == "org")
        .map(|(_, v)| v);
    match org {
        Some(id) => {
            let fixture = state
                .sources
                .get(id)
                .ok_or_else(|| ApiError::not_found(format!("No org {id:?} to reset.")))?
                .map_err(|e| ApiError::bad_request(format!("reloading fixtures failed: {e}")))?;
            load_one(state, &fixture)?;
        }
        None => {
            // Loaded on the side first: a fixture that no longer loads changes nothing, and
            // requests during the reset see the old orgs or the new ones, never an empty store.
            let scratch = Store::new();
            seed::defaults::load_origins(
                &scratch,
                &state.sources.origins(),
                state.config.seed,
                state.clock.now(),
            )
            .map_err(|e| ApiError::bad_request(format!("reloading fixtures failed: {e}")))?;
            crate::state::apply_limit_flags(&scratch, &state.config);
            state.store.replace_with(&scratch);
            state.sources.restore_configured();
            state.journal.clear();
            state.scenarios.reset(None);
            state.limiter.clear();
        }
    }
    Ok(status_response(StatusCode::NO_CONTENT))
}

/// `GET /__admin/orgs/{id}/export`: the org as one fixture org.
pub(crate) fn export(state: &AppState, id: &str) -> ApiResult<Response<Body>> {
    let fixture = export_fixture(state, id)?;
    let value = serde_json::to_value(&fixture).map_err(|_| ApiError::internal())?;
    Ok(json(StatusCode::OK, &value))
}

/// `POST|PUT /__admin/orgs/{id}/import`: replaces (or creates) the org from a fixture org.
pub(crate) fn import(state: &AppState, req: &ApiRequest, id: &str) -> ApiResult<Response<Body>> {
    let mut obj = super::document::object(req, "org")?.clone();
    match obj.get("id") {
        Some(Value::String(given)) if given != id => {
            return Err(ApiError::bad_request(format!(
                "the body's id {given:?} differs from the path's {id:?}"
            )));
        }
        Some(Value::String(_)) => {}
        None => {
            obj.insert("id".into(), json!(id));
        }
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "id: expected the org id (a string), got {other}"
            )));
        }
    }
    let fixture: OrgFixture = serde_json::from_value(Value::Object(obj))
        .map_err(|e| ApiError::bad_request(format!("invalid org fixture: {e}")))?;
    room_for(state, &fixture.id)?;
    load_one(state, &fixture)?;
    Ok(status_response(StatusCode::NO_CONTENT))
}

/// 409 when `id` would be a new org and the store already holds [`MAX_ORGS`].
fn room_for(state: &AppState, id: &str) -> ApiResult<()> {
    if state.store.org(id).is_none() && state.store.org_count() >= MAX_ORGS {
        return Err(ApiError::conflict(format!(
            "The mock holds {MAX_ORGS} orgs, its bound; DELETE one before adding another."
        )));
    }
    Ok(())
}

/// Loads (or replaces) one org. It is first loaded into a scratch store, so a bad fixture
/// leaves the live org untouched. Tokens survive when the org keeps the same clients.
fn load_one(state: &AppState, fixture: &OrgFixture) -> ApiResult<()> {
    for c in &fixture.oauth_clients {
        if let Some(other) = state.store.client(&c.id)
            && other.org_id != fixture.id
        {
            return Err(ApiError::conflict(format!(
                "OAuth client {:?} belongs to org {:?}.",
                c.id, other.org_id
            )));
        }
    }
    let doc = vec![(
        "(admin)".to_owned(),
        FixtureFile {
            schema: None,
            version: FORMAT_VERSION,
            orgs: vec![fixture.clone()],
        },
    )];
    let now = state.clock.now();
    let scratch = Store::new();
    seed::load(&scratch, &doc, state.config.seed, now)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let (Some(org), clients) = (scratch.org(&fixture.id), scratch.clients_of(&fixture.id)) else {
        return Err(ApiError::internal());
    };
    let same_clients = {
        let mut old: Vec<String> = state
            .store
            .clients_of(&fixture.id)
            .into_iter()
            .map(|c| c.id)
            .collect();
        let mut new: Vec<String> = clients.iter().map(|c| c.id.clone()).collect();
        old.sort();
        new.sort();
        old == new
    };
    if !same_clients {
        state.store.remove_org(&fixture.id);
    }
    // The scratch store's map holds the other reference to the org.
    scratch.clear();
    let mut org = std::sync::Arc::try_unwrap(org)
        .map(parking_lot::RwLock::into_inner)
        .map_err(|_| ApiError::internal())?;
    org.limits = Limits::resolve(&org.limit_settings, state.config.limit_flags());
    state.store.insert_org(org);
    for c in clients {
        state.store.insert_client(c);
    }
    state.sources.set(fixture.clone());
    Ok(())
}

/// The fixture form of a live org: users as SCIM bodies (without `groups` or rendered URLs;
/// `meta` holds only the version and times), managers by id, deleted users flagged, groups
/// with their version and times.
pub(crate) fn export_fixture(state: &AppState, id: &str) -> ApiResult<OrgFixture> {
    let handle = state
        .store
        .org(id)
        .ok_or_else(|| ApiError::not_found(format!("No org {id:?}.")))?;
    let org = handle.read();
    // Rendered under the org's switches, so what a client stored (an as-sent contact list, a
    // role kept by name) is what the fixture holds; the Genesys extension always, since it is
    // stored whatever `genesys-attributes` shows.
    let view = View {
        genesys_attributes: true,
        ..View::with(&org, "", &state.compat_for(&org))
    };
    let users = org
        .users()
        .map(|u| {
            let mut v = user_to_scim(u, &view);
            if let Some(obj) = v.as_object_mut() {
                // The version and times, for a restore to keep (`fixtures::stamp`).
                let meta = RecordMeta::of(u.version, u.date_created, u.date_modified);
                obj.insert("meta".into(), json!(meta));
                obj.remove("groups");
                obj.remove("schemas");
                if u.state == UserState::Deleted {
                    obj.insert("deleted".into(), json!(true));
                }
                if let Some(ext) = obj.get_mut(ENTERPRISE_USER).and_then(Value::as_object_mut)
                    && let Some(m) = ext.get("manager").and_then(|m| m.get("value")).cloned()
                {
                    ext.insert("manager".into(), m);
                }
            }
            v
        })
        .collect();
    let groups = org.groups().map(GroupFixture::from).collect();
    let compat = (!org.compat.is_empty()).then(|| org.compat.to_map());
    Ok(OrgFixture {
        id: org.id.clone(),
        name: Some(org.name.clone()),
        default_country_code: (org.default_country_code
            != crate::genesys::org::DEFAULT_COUNTRY_CODE)
            .then(|| org.default_country_code.clone()),
        divisions: org.divisions.clone(),
        roles: org.roles.clone(),
        skills: org.skills.clone(),
        languages: org.languages.clone(),
        limits: Some(org.limit_settings.clone()),
        compat,
        rate_limits: org.rate_layers.clone(),
        oauth_clients: state
            .store
            .clients_of(id)
            .into_iter()
            .map(ClientFixture::from)
            .collect(),
        users,
        groups,
    })
}
