//! The reported-behaviour scenarios under `scenarios/`: each test loads the shipped files and
//! checks what the scenario's README promises, and what a correct client does against it.

use std::path::PathBuf;

use genesys_scim_mock::Config;
use serde_json::{Value, json};

use crate::helpers::*;

const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn load(name: &str, file: &str) -> Value {
    let path = dir(name).join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

fn with_scenario(name: &str) -> Config {
    with(test_config(), |config| {
        config.scenarios = vec![dir(name).join("scenario.json")]
    })
}

async fn frozen_clock(app: &TestApp, body: &str) {
    let resp = app
        .client
        .post(app.url("/__admin/clock"))
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

// --- count-over-25 -----------------------------------------------------------------------------

#[tokio::test]
async fn count_over_25_answers_429_and_a_client_paging_by_25_reads_everything() {
    let app = spawn_with(with_scenario("count-over-25")).await;
    for path in ["Users", "Groups"] {
        let resp = app
            .get(&format!("{SCIM}/{path}?count=26"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.headers()["retry-after"], "1", "{path}");
        let (s, body) = status_json(resp).await;
        assert_platform_error(s, &body, 429, "too.many.requests.retry.after");
        let (s, _) = app.get_json(&format!("{SCIM}/{path}?count=25")).await;
        assert_eq!(s, 200, "{path} count=25");
    }
    // 30 new users plus the 4 active fixture users: a client paging by 25 needs two pages.
    for i in 0..30 {
        app.create_user(&json!({"userName": format!("p{i}@example.com"), "displayName": "P"}))
            .await;
    }
    let mut seen = Vec::new();
    let mut start = 1;
    loop {
        let (s, page) = app
            .get_json(&format!("{SCIM}/Users?startIndex={start}&count=25"))
            .await;
        assert_eq!(s, 200);
        let items = page["Resources"].as_array().unwrap().clone();
        if items.is_empty() {
            break;
        }
        start += items.len();
        seen.extend(items.into_iter().map(|u| u["id"].clone()));
    }
    assert_eq!(seen.len(), 34);
}

// --- version-error-on-delete -------------------------------------------------------------------

#[tokio::test]
async fn version_errors_on_delete_leave_the_user_and_a_retrying_client_deletes_it() {
    let app = spawn_with(with_scenario("version-error-on-delete")).await;
    let user = app
        .create_user(&json!({"userName": "vd@example.com", "displayName": "VD"}))
        .await;
    let path = format!("{SCIM}/Users/{}", user["id"].as_str().unwrap());

    let (s, body) = status_json(app.delete(&path).send().await.unwrap()).await;
    assert_scim_error(s, &body, 409, Some("invalidVers"));
    assert_eq!(app.get(&path).send().await.unwrap().status(), 200);

    let (s, body) = status_json(app.delete(&path).send().await.unwrap()).await;
    assert_scim_error(s, &body, 400, Some("invalidVers"));
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("does not match the current version"),
        "the provider's retry test looks for this text: {body}"
    );
    assert_eq!(app.get(&path).send().await.unwrap().status(), 200);

    // What the Terraform provider does: retry on 409, and on a 400 that names the version.
    let mut attempts = 0;
    let status = loop {
        attempts += 1;
        let (s, body) = status_json(app.delete(&path).send().await.unwrap()).await;
        let version_error =
            s == 409 || (s == 400 && body["scimType"] == "invalidVers" && attempts < 5);
        if !version_error {
            break s;
        }
    };
    assert_eq!((status, attempts), (204, 1));
    assert_eq!(app.get(&path).send().await.unwrap().status(), 404);
}

// --- token-expiry ------------------------------------------------------------------------------

#[tokio::test]
async fn an_expired_pasted_token_gets_401_and_a_renewing_client_carries_on() {
    let app = spawn_with(with(test_config(), |config| {
        config.fixtures = Some(dir("token-expiry").join("fixture.json"));
        config.clock = "frozen:2026-03-01T09:00:00Z".to_owned();
    }))
    .await;
    let pasted = app
        .token_for("entra-client-id", "entra-client-secret")
        .await;
    let create = |token: String, n: u32| {
        let app = &app;
        async move {
            let resp = app
                .client
                .post(app.url(&format!("{SCIM}/Users")))
                .bearer_auth(token)
                .header("content-type", "application/scim+json")
                .body(
                    json!({"userName": format!("sync{n}@example.com"), "displayName": "S"})
                        .to_string(),
                )
                .send()
                .await
                .unwrap();
            status_json(resp).await
        }
    };
    assert_eq!(create(pasted.clone(), 1).await.0, 201);
    // tokenTtlSecs is 300: valid one second before, refused at the end of its life.
    frozen_clock(&app, r#"{"advance": "299s"}"#).await;
    assert_eq!(create(pasted.clone(), 2).await.0, 201);
    frozen_clock(&app, r#"{"advance": "1s"}"#).await;
    let (s, body) = create(pasted.clone(), 3).await;
    assert_platform_error(s, &body, 401, "credentials.expired");
    assert_eq!(
        body["message"],
        "The supplied credentials are expired and cannot be used."
    );
    // Every later call with the pasted token fails the same way: nothing else signals it.
    assert_eq!(create(pasted, 3).await.0, 401);

    // A client holding the client credentials renews on 401 and retries the same call.
    let renewed = app
        .token_for("entra-client-id", "entra-client-secret")
        .await;
    assert_eq!(create(renewed, 3).await.0, 201);
}

// --- entra-dialects ----------------------------------------------------------------------------

async fn patch_file(app: &TestApp, path: &str, file: &str) -> (u16, Value) {
    let body = load("entra-dialects", file);
    status_json(app.patch_json(path, &body).send().await.unwrap()).await
}

fn role_names(user: &Value) -> Vec<String> {
    user["roles"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|x| x["value"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn both_entra_dialects_change_users_and_groups_the_same_way() {
    for flag in ["without-flag", "with-flag"] {
        let app = spawn_app().await;
        let (s, user) = patch_file(
            &app,
            &format!("{SCIM}/Users/{LUCAS}"),
            &format!("{flag}/user-patch.json"),
        )
        .await;
        assert_eq!(s, 200, "{flag}: {user}");
        assert_eq!(user["displayName"], "Lucas Martin-Dupont", "{flag}");
        assert_eq!(user["active"], false, "{flag}");
        assert_eq!(user[ENT]["employeeNumber"], "4004", "{flag}");
        let work = user["emails"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["type"] == "work")
            .unwrap()["value"]
            .clone();
        assert_eq!(work, "lucas.md@work.example.com", "{flag}");
        assert!(
            role_names(&user).contains(&"Agent".to_owned()),
            "{flag}: {user}"
        );
        assert!(user.get("name").is_none(), "{flag}: name is dropped");

        let (s, group) = patch_file(
            &app,
            &format!("{SCIM}/Groups/{SALES_TEAM}"),
            &format!("{flag}/group-patch.json"),
        )
        .await;
        assert_eq!(s, 200, "{flag}: {group}");
        let (_, group) = app.get_json(&format!("{SCIM}/Groups/{SALES_TEAM}")).await;
        let mut members: Vec<&str> = group["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["value"].as_str().unwrap())
            .collect();
        members.sort_unstable();
        assert_eq!(members, [JAMES, AIKO], "{flag}");
    }
}

#[tokio::test]
async fn the_rfc_profile_refuses_the_string_booleans_of_the_old_dialect() {
    // Maria has a work email, so the filtered replace finds its target under rfc too.
    let app = spawn_with(with(test_config(), |config| {
        config.compat =
            genesys_scim_mock::compat::Compat::preset(genesys_scim_mock::compat::Profile::Rfc)
    }))
    .await;
    let (s, body) = patch_file(
        &app,
        &format!("{SCIM}/Users/{MARIA}"),
        "without-flag/user-patch.json",
    )
    .await;
    assert_scim_error(s, &body, 400, Some("invalidValue"));
    let (s, _) = patch_file(
        &app,
        &format!("{SCIM}/Users/{MARIA}"),
        "with-flag/user-patch.json",
    )
    .await;
    assert_eq!(s, 400, "the role's \"primary\": \"True\" is a string too");
}

// --- eventual-consistency ----------------------------------------------------------------------

async fn total(app: &TestApp, query: &str) -> u64 {
    let (s, body) = app.get_json(&format!("{SCIM}/Users{query}")).await;
    assert_eq!(s, 200, "{body}");
    body["totalResults"].as_u64().unwrap()
}

#[tokio::test]
async fn read_lag_in_reads_hides_new_users_and_keeps_deleted_ones() {
    let app = spawn_with(with_scenario("eventual-consistency")).await;
    let base = total(&app, "").await;
    let user = app
        .create_user(&json!({"userName": "lag@example.com", "displayName": "Lag"}))
        .await;
    let path = format!("{SCIM}/Users/{}", user["id"].as_str().unwrap());
    let by_name = "?filter=userName%20eq%20%22lag@example.com%22";

    // Reads 1 and 2 after the create miss it, whichever read they are; read 3 sees it.
    assert_eq!(app.get_json(&path).await.0, 404);
    assert_eq!(total(&app, by_name).await, 0);
    assert_eq!(total(&app, "").await, base + 1);
    assert_eq!(app.get_json(&path).await.0, 200);
    // The write itself was not delayed: a retried create conflicts.
    let (s, body) = app
        .post_status(
            &format!("{SCIM}/Users"),
            &json!({"userName": "lag@example.com", "displayName": "Lag"}),
        )
        .await;
    assert_scim_error(s, &body, 409, Some("uniqueness"));

    let resp = app.delete(&path).send().await.unwrap();
    assert_eq!(resp.status(), 204);
    // GET by id is 404 at once; the next two searches still show the user as it was.
    assert_eq!(app.get_json(&path).await.0, 404);
    let (_, found) = app.get_json(&format!("{SCIM}/Users{by_name}")).await;
    assert_eq!(found["totalResults"], 1);
    assert_eq!(found["Resources"][0]["displayName"], "Lag");
    assert_eq!(found["Resources"][0]["active"], true);
    assert_eq!(total(&app, by_name).await, 0);
    assert_eq!(total(&app, "").await, base);
}

#[tokio::test]
async fn read_lag_in_clock_time_ends_when_the_clock_passes_it() {
    let app = spawn_with(with(test_config(), |config| {
        config.scenarios = vec![dir("eventual-consistency").join("scenario-clock.json")];
        config.clock = "frozen:2026-03-01T09:00:00Z".to_owned();
    }))
    .await;
    let user = app
        .create_user(&json!({"userName": "tick@example.com", "displayName": "Tick"}))
        .await;
    let path = format!("{SCIM}/Users/{}", user["id"].as_str().unwrap());
    let by_name = "?filter=userName%20eq%20%22tick@example.com%22";
    for _ in 0..5 {
        assert_eq!(
            app.get_json(&path).await.0,
            404,
            "reads do not end a clock lag"
        );
    }
    frozen_clock(&app, r#"{"advance": "29s"}"#).await;
    assert_eq!(total(&app, by_name).await, 0);
    frozen_clock(&app, r#"{"advance": "1s"}"#).await;
    assert_eq!(app.get_json(&path).await.0, 200);
    assert_eq!(total(&app, by_name).await, 1);

    assert_eq!(app.delete(&path).send().await.unwrap().status(), 204);
    frozen_clock(&app, r#"{"advance": "29s"}"#).await;
    assert_eq!(total(&app, by_name).await, 1, "the index still shows it");
    frozen_clock(&app, r#"{"advance": "1s"}"#).await;
    assert_eq!(total(&app, by_name).await, 0);
}

/// A server whose every read lags 30 s of a frozen clock behind the writes, as the shipped
/// `scenario-clock.json` sets it.
async fn lagging_app() -> TestApp {
    spawn_with(with(test_config(), |c| {
        c.scenarios = vec![dir("eventual-consistency").join("scenario-clock.json")];
        c.clock = "frozen:2026-03-01T09:00:00Z".to_owned();
    }))
    .await
}

/// Genesys' Terraform provider retries platform user reads on 404 after a create, and polls
/// the user search after a delete (`genesyscloud/user`); the lag reaches those reads too.
#[tokio::test]
async fn read_lag_covers_platform_user_reads_and_lists() {
    let app = lagging_app().await;
    let user = app
        .create_user(&json!({"userName": "plat@example.com", "displayName": "Plat"}))
        .await;
    let id = user["id"].as_str().unwrap().to_owned();
    let platform = format!("/api/v2/users/{id}");
    async fn listed(app: &TestApp) -> bool {
        let (_, list) = app.get_json("/api/v2/users?pageSize=100").await;
        list["entities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["email"] == "plat@example.com")
    }
    assert_eq!(app.get_json(&platform).await.0, 404, "not yet readable");
    assert!(!listed(&app).await);
    frozen_clock(&app, r#"{"advance": "30s"}"#).await;
    assert_eq!(app.get_json(&platform).await.0, 200);
    assert!(listed(&app).await);
    app.delete_user(&id).await;
    assert!(listed(&app).await, "the list still shows the deleted user");
    frozen_clock(&app, r#"{"advance": "30s"}"#).await;
    assert!(!listed(&app).await);
}

/// The provider reads an external id back with retries after adding it, and after deleting
/// one polls `GET /api/v2/users/{id}/externalid` for up to 180 s until it is gone
/// (`genesyscloud/external_user`).
#[tokio::test]
async fn read_lag_covers_external_id_reads() {
    let app = lagging_app().await;
    async fn ids(app: &TestApp) -> Vec<String> {
        let (s, list) = app
            .get_json(&format!("/api/v2/users/{MARIA}/externalid"))
            .await;
        assert_eq!(s, 200, "{list}");
        list.as_array()
            .unwrap()
            .iter()
            .map(|e| e["authorityName"].as_str().unwrap().to_owned())
            .collect()
    }
    let (s, _) = app
        .post_status(
            &format!("/api/v2/users/{MARIA}/externalid"),
            &json!({"authorityName": "crm", "externalKey": "k1"}),
        )
        .await;
    assert_eq!(s, 201);
    assert!(
        !ids(&app).await.contains(&"crm".to_owned()),
        "not yet listed"
    );
    assert_eq!(app.get_json("/api/v2/users/externalid/crm/k1").await.0, 404);
    assert_eq!(
        app.get_json(&format!("/api/v2/users/{MARIA}/externalid/crm"))
            .await
            .0,
        404
    );
    frozen_clock(&app, r#"{"advance": "30s"}"#).await;
    assert!(ids(&app).await.contains(&"crm".to_owned()));
    assert_eq!(app.get_json("/api/v2/users/externalid/crm/k1").await.0, 200);

    let resp = app
        .delete(&format!("/api/v2/users/{MARIA}/externalid/crm/k1"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert!(ids(&app).await.contains(&"crm".to_owned()), "still listed");
    let (s, u) = app.get_json("/api/v2/users/externalid/crm/k1").await;
    assert_eq!((s, u["id"].as_str()), (200, Some(MARIA)));
    frozen_clock(&app, r#"{"advance": "30s"}"#).await;
    assert!(!ids(&app).await.contains(&"crm".to_owned()));
    assert_eq!(app.get_json("/api/v2/users/externalid/crm/k1").await.0, 404);
}

/// The provider retries group reads on 404 after a write (`genesyscloud/group`, `readGroup`);
/// here a membership change reaches group reads late.
#[tokio::test]
async fn read_lag_covers_group_reads() {
    let app = lagging_app().await;
    async fn members(app: &TestApp) -> (usize, usize, u64) {
        let (_, g) = app.get_json(&format!("{SCIM}/Groups/{SALES_TEAM}")).await;
        let (_, list) = app
            .get_json(&format!(
                "{SCIM}/Groups?filter=displayName%20eq%20%22Sales%20Team%22"
            ))
            .await;
        let (_, platform) = app.get_json("/api/v2/groups").await;
        (
            g["members"].as_array().map_or(0, Vec::len),
            list["Resources"][0]["members"]
                .as_array()
                .map_or(0, Vec::len),
            platform["entities"][0]["memberCount"].as_u64().unwrap(),
        )
    }
    assert_eq!(members(&app).await, (2, 2, 2));
    let (s, body) = app
        .patch_ops(
            &format!("{SCIM}/Groups/{SALES_TEAM}"),
            json!([{"op": "add", "path": "members", "value": [{"value": AIKO}]}]),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(
        members(&app).await,
        (2, 2, 2),
        "reads still show the group as it was"
    );
    frozen_clock(&app, r#"{"advance": "30s"}"#).await;
    assert_eq!(members(&app).await, (3, 3, 3));
}

// --- re-create-deleted-user --------------------------------------------------------------------

#[tokio::test]
async fn re_creating_a_deleted_user_follows_each_revive_value() {
    use genesys_scim_mock::compat::Revive;
    let sales_agent = json!({
        "userName": "back@example.com", "displayName": "Back",
        "roles": [{"value": "Agent"}, {"value": "Supervisor"}],
        ENT: {"division": "Sales"}
    });
    let again = json!({"userName": "back@example.com", "displayName": "Back Again"});
    let deleted_then_created = |revive: Option<Revive>, scenario: bool, body: Value| {
        let (sales_agent, again) = (sales_agent.clone(), again.clone());
        async move {
            let mut config = if scenario {
                with_scenario("re-create-deleted-user")
            } else {
                test_config()
            };
            if let Some(r) = revive {
                config.compat.revive_deleted = r;
            }
            let app = spawn_with(config).await;
            let first = app.create_user(&sales_agent).await;
            let id = first["id"].as_str().unwrap().to_owned();
            app.delete_user(&id).await;
            let body = if body.is_null() { again } else { body };
            let (s, user) = app.post_status(&format!("{SCIM}/Users"), &body).await;
            (s, user, id)
        }
    };

    // Default, no-roles: same id, active, Home division, no roles at all.
    let (s, user, id) = deleted_then_created(None, false, Value::Null).await;
    assert_eq!((s, user["id"].as_str()), (201, Some(id.as_str())), "{user}");
    assert_eq!(user["active"], true);
    assert_eq!(user[ENT]["division"], "Home");
    assert!(role_names(&user).is_empty(), "not even employee: {user}");
    assert_eq!(user["meta"]["version"], "3", "create, delete, revive");
    // Roles the body names are kept; the old ones are not.
    let named =
        json!({"userName": "back@example.com", "displayName": "B", "roles": [{"value": "Agent"}]});
    let (_, user, _) = deleted_then_created(None, false, named).await;
    assert_eq!(role_names(&user), ["Agent"]);

    // true: same id, as if newly created: the employee default.
    let (_, user, id) = deleted_then_created(Some(Revive::AsCreated), false, Value::Null).await;
    assert_eq!(user["id"], id.as_str());
    assert_eq!(role_names(&user), ["employee"]);

    // conflict (the shipped scenario): 409, the deleted user stays deleted.
    let (s, body, _) = deleted_then_created(None, true, Value::Null).await;
    assert_scim_error(s, &body, 409, Some("uniqueness"));
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("general.conflict")
    );

    // false: a new id.
    let (s, user, id) = deleted_then_created(Some(Revive::New), false, Value::Null).await;
    assert_eq!(s, 201);
    assert_ne!(user["id"], id.as_str());
    assert_eq!(
        role_names(&user),
        ["employee"],
        "a new user gets the default role"
    );
}

/// The scenario end to end, both ways back: the SCIM create revives the user (the default), or,
/// under the shipped scenario, answers `general.conflict` and the client restores the user the
/// way Genesys' Terraform provider does (`restoreDeletedUser`): read the org, search the deleted
/// user by email and state, read it with `state=deleted`, `PATCH` its state with its version,
/// read it back.
#[tokio::test]
async fn a_deleted_user_comes_back_by_a_scim_create_or_by_the_providers_restore() {
    let body = json!({"userName": "back@example.com", "displayName": "Back",
                      "roles": [{"value": "Agent"}], ENT: {"division": "Sales"}});

    // 1. SCIM: the create revives the same id.
    let app = spawn_app().await;
    let id = app.create_user(&body).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.delete_user(&id).await;
    let revived = app
        .create_user(&json!({"userName": "back@example.com", "displayName": "Back"}))
        .await;
    assert_eq!(revived["id"], id.as_str());

    // 2. Platform: the create conflicts; search, read, restore, read.
    let app = spawn_with(with_scenario("re-create-deleted-user")).await;
    let (s, org) = app.get_json("/api/v2/organizations/me").await;
    assert_eq!(
        (s, org["defaultCountryCode"].as_str()),
        (200, Some("US")),
        "{org}"
    );
    let id = app.create_user(&body).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.delete_user(&id).await;
    let (s, err) = app.post_status(&format!("{SCIM}/Users"), &body).await;
    assert_scim_error(s, &err, 409, Some("uniqueness"));
    let search = json!({"query": [
        {"fields": ["email"], "value": "back@example.com", "type": "EXACT"},
        {"fields": ["state"], "values": ["deleted"], "type": "EXACT"}
    ]});
    let resp = app
        .client
        .post(app.url("/api/v2/users/search"))
        .bearer_auth(&app.token)
        .json(&search)
        .send()
        .await
        .unwrap();
    let (s, found) = status_json(resp).await;
    assert_eq!((s, found["total"].as_u64()), (200, Some(1)), "{found}");
    assert_eq!(found["results"][0]["id"], id.as_str());
    assert_eq!(app.get_json(&format!("/api/v2/users/{id}")).await.0, 404);
    let (_, deleted) = app
        .get_json(&format!("/api/v2/users/{id}?state=deleted"))
        .await;
    let resp = app
        .client
        .patch(app.url(&format!("/api/v2/users/{id}")))
        .bearer_auth(&app.token)
        .json(&json!({"state": "active", "version": deleted["version"]}))
        .send()
        .await
        .unwrap();
    let (s, restored) = status_json(resp).await;
    assert_eq!(
        (s, restored["state"].as_str()),
        (200, Some("active")),
        "{restored}"
    );
    let (s, user) = app.get_json(&format!("{SCIM}/Users/{id}")).await;
    assert_eq!((s, user["active"].as_bool()), (200, Some(true)), "{user}");
    assert_eq!(user[ENT]["division"], "Home");
    assert!(
        role_names(&user).is_empty(),
        "restored without roles: {user}"
    );
}

// --- layered-rate-limits -----------------------------------------------------------------------

/// The layers the scenario models are the ones that apply to client-credentials tokens: the
/// per-token limit and per-resource limits. `org.app.user.rate.per.minute` and
/// `org.user.rate.per.minute` count per user of auth-code and implicit clients (user tokens,
/// which the mock does not issue), and a Genesys engineer said there is no org-wide limit.
#[test]
fn the_layered_rate_limits_fixture_models_only_client_credentials_limits() {
    let fixture = load("layered-rate-limits", "fixture.json");
    let layers = fixture["orgs"][0]["rateLimits"].as_array().unwrap();
    assert!(!layers.is_empty());
    for layer in layers {
        let name = layer["name"].as_str().unwrap();
        assert!(
            !name.starts_with("org.app.user.") && !name.starts_with("org.user."),
            "{name} applies to user tokens only"
        );
        assert!(
            matches!(layer["scope"].as_str(), Some("token" | "route")),
            "{layer}: client credentials have per-token and per-resource limits only"
        );
    }
    let readme = std::fs::read_to_string(dir("layered-rate-limits").join("README.md")).unwrap();
    assert!(
        readme.contains("user tokens") && readme.contains("no org-wide limit"),
        "the README says which limits apply to client credentials"
    );
}

#[tokio::test]
async fn a_shared_route_limit_refuses_a_fresh_token_after_three_requests_and_again_after_retry_after()
 {
    let app = spawn_with(with(test_config(), |config| {
        config.fixtures = Some(dir("layered-rate-limits").join("fixture.json"));
        config.clock = "frozen:2026-03-27T10:00:00Z".to_owned();
    }))
    .await;
    let sync = app.token_for("sync-client-id", "sync-client-secret").await;
    let other = app
        .token_for("report-client-id", "report-client-secret")
        .await;
    let list = |token: String| {
        let app = &app;
        async move {
            let resp = app
                .client
                .get(app.url(&format!("{SCIM}/Users")))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            let retry = resp
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
            let (s, body) = status_json(resp).await;
            (s, retry, body)
        }
    };
    // The other integration has used 98 of the org's 100 users.list calls this minute.
    frozen_clock(&app, r#"{"advance": "0s"}"#).await;
    for _ in 0..98 {
        assert_eq!(list(other.clone()).await.0, 200);
    }
    frozen_clock(&app, r#"{"advance": "20s"}"#).await;
    // The sync's token is fresh (300 per minute), yet its third request is refused.
    assert_eq!(list(sync.clone()).await.0, 200);
    assert_eq!(list(sync.clone()).await.0, 200);
    let (s, retry, body) = list(sync.clone()).await;
    assert_platform_error(s, &body, 429, "too.many.requests.retry.after");
    assert_eq!(retry, Some(40), "the route window opened 20 s ago");
    // Other routes and the token's own window are untouched.
    assert_eq!(
        app.client
            .get(app.url(&format!("{SCIM}/Groups")))
            .bearer_auth(&sync)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // It honours Retry-After; the other integration, polling too, spends the new window first.
    frozen_clock(&app, r#"{"advance": "40s"}"#).await;
    for _ in 0..100 {
        assert_eq!(list(other.clone()).await.0, 200);
    }
    let (s, retry, _) = list(sync.clone()).await;
    assert_eq!(
        (s, retry),
        (429, Some(60)),
        "429 again after honouring Retry-After"
    );

    // A refused request counts nowhere: after the window, the sync gets its calls.
    frozen_clock(&app, r#"{"advance": "60s"}"#).await;
    assert_eq!(list(sync).await.0, 200);
}

#[tokio::test]
async fn layers_from_flags_apply_to_every_org_and_the_default_stays_300_per_token() {
    let config = with(test_config(), |config| {
        config.clock = "frozen:2026-03-27T10:00:00Z".to_owned();
        config.rate_layers =
            vec![genesys_scim_mock::RateLayer::parse("shared.org.budget=org:5").unwrap()];
    });
    let app = spawn_with(config).await;
    let second = app.token_for(CLIENT_ID, CLIENT_SECRET).await;
    let statuses = |token: String, n: usize| {
        let app = &app;
        async move {
            let mut out = Vec::new();
            for _ in 0..n {
                let resp = app
                    .client
                    .get(app.url(&format!("{SCIM}/Groups")))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
                out.push(resp.status().as_u16());
            }
            out
        }
    };
    // Two tokens of one org share the org's 5.
    assert_eq!(statuses(app.token.clone(), 3).await, [200, 200, 200]);
    assert_eq!(statuses(second, 3).await, [200, 200, 429]);

    // Without layers the documented default holds: 300 per token per minute.
    let plain = with(test_config(), |config| {
        config.clock = "frozen:2026-03-27T10:00:00Z".to_owned()
    });
    assert_eq!(plain.rate_limit_per_minute, Some(300));
    assert!(plain.rate_layers.is_empty());
}

// --- scim-client-without-role ------------------------------------------------------------------

#[tokio::test]
async fn a_scim_client_without_the_right_role_gets_403_until_an_admin_grants_it() {
    let app = spawn_with(with(test_config(), |config| {
        config.fixtures = Some(dir("scim-client-without-role").join("fixture.json"));
    }))
    .await;
    let call = |token: String, method: reqwest::Method, path: String, body: Option<Value>| {
        let app = &app;
        async move {
            let mut b = app
                .client
                .request(method, app.url(&path))
                .bearer_auth(token);
            if let Some(body) = body {
                b = b
                    .header("content-type", "application/scim+json")
                    .body(body.to_string());
            }
            status_json(b.send().await.unwrap()).await
        }
    };
    let users = format!("{SCIM}/Users");
    let hire = |n: &str| json!({"userName": format!("{n}@example.org"), "displayName": n});
    let sentence = |list: &str| {
        format!(
            "Unable to perform the requested action. You must have at least one of the \
             following permissions assigned: [{list}]"
        )
    };

    // The viewer role: reads work, the create and the group lookup do not.
    let entra = app
        .token_for("entra-client-id", "entra-client-secret")
        .await;
    let (s, list) = call(entra.clone(), reqwest::Method::GET, users.clone(), None).await;
    assert_eq!((s, list["totalResults"].as_u64()), (200, Some(2)));
    let (s, body) = call(
        entra.clone(),
        reqwest::Method::POST,
        users.clone(),
        Some(hire("new.hire")),
    )
    .await;
    assert_scim_error(s, &body, 403, None);
    assert_eq!(body["detail"], sentence("directory:user:add"));
    let (s, body) = call(
        entra.clone(),
        reqwest::Method::GET,
        format!("{SCIM}/Groups?filter=displayName%20eq%20%22Sales%22"),
        None,
    )
    .await;
    assert_scim_error(s, &body, 403, None);
    assert_eq!(body["detail"], sentence("directory:group:edit"));

    // The admin gives the client the provisioning role: the same token works at once.
    let resp = app
        .admin(
            reqwest::Method::PUT,
            "/__admin/orgs/scim-client-without-role/clients/entra-client-id/roleDivisions",
        )
        .json(&json!({"roleDivisions": [{"role": "SCIM provisioning", "division": "*"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (s, body) = call(
        entra,
        reqwest::Method::POST,
        users.clone(),
        Some(hire("new.hire")),
    )
    .await;
    assert_eq!(s, 201, "{body}");

    // The role granted in EMEA only: EMEA users yes, Home users no.
    let emea = app.token_for("emea-client-id", "emea-client-secret").await;
    let mut in_emea = hire("emea.hire");
    in_emea[ENT] = json!({"division": "EMEA"});
    let (s, body) = call(
        emea.clone(),
        reqwest::Method::POST,
        users.clone(),
        Some(in_emea),
    )
    .await;
    assert_eq!(s, 201, "{body}");
    let (s, body) = call(
        emea.clone(),
        reqwest::Method::POST,
        users.clone(),
        Some(hire("home.hire")),
    )
    .await;
    assert_scim_error(s, &body, 403, None);
    assert!(
        body["detail"].as_str().unwrap().contains("\"Home\""),
        "{body}"
    );
    let ines = format!("{users}/5d0c1a2b-0001-4000-8000-000000000001");
    let title = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "title", "value": "Lead"}]});
    let (s, _) = call(
        emea.clone(),
        reqwest::Method::PATCH,
        ines,
        Some(title.clone()),
    )
    .await;
    assert_eq!(s, 403);
    let emil = format!("{users}/5d0c1a2b-0002-4000-8000-000000000002");
    let (s, body) = call(emea, reqwest::Method::PATCH, emil, Some(title)).await;
    assert_eq!(s, 200, "{body}");
}
