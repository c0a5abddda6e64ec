//! The mock's own tables are bounded: users and groups per org, OAuth clients per org, orgs
//! the admin API may add, scenarios and rules per scenario. Past each bound the answer is a
//! clean 4xx naming it, and nothing already there is touched.

use genesys_scim_mock::bounds::{MAX_CLIENTS_PER_ORG, MAX_ORGS, MAX_RULES, MAX_SCENARIOS};
use serde_json::{Value, json};

use crate::helpers::*;

/// The built-in default org (with its client, so the app's token stays valid on import).
fn default_org() -> Value {
    let doc: Value = serde_json::from_str(genesys_scim_mock::DEFAULT_ORG).unwrap();
    doc["orgs"][0].clone()
}

async fn admin_post(app: &TestApp, path: &str, body: &Value) -> (u16, Value) {
    let resp = app
        .client
        .post(app.url(path))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    status_json(resp).await
}

fn user(n: u32) -> Value {
    json!({"userName": format!("bound-{n}@example.com"), "displayName": format!("Bound {n}")})
}

#[tokio::test]
async fn an_org_holds_at_most_users_per_org_users_deleted_ones_included() {
    let app = spawn_app().await;
    let mut org = default_org();
    let held = org["users"].as_array().unwrap().len() as u32;
    org["limits"] = json!({"usersPerOrg": held + 1});
    let resp = app
        .client
        .put(app.url("/__admin/orgs/default/import"))
        .header("content-type", "application/json")
        .body(org.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204, "{}", resp.text().await.unwrap());

    let made = app.create_user(&user(1)).await;
    let (s, b) = app.post_status(&format!("{SCIM}/Users"), &user(2)).await;
    assert_scim_error(s, &b, 400, Some("invalidValue"));
    assert!(b["detail"].as_str().unwrap().contains("at most"), "{b}");
    // A soft-deleted user keeps its record, so deleting frees no room.
    let id = made["id"].as_str().unwrap();
    app.delete_user(id).await;
    let (s, b) = app.post_status(&format!("{SCIM}/Users"), &user(3)).await;
    assert_scim_error(s, &b, 400, Some("invalidValue"));
    // Changing a user already there still works.
    let (s, b) = app
        .patch_ops(
            &format!("{SCIM}/Users/{MARIA}"),
            json!([{"op": "replace", "path": "title", "value": "Lead"}]),
        )
        .await;
    assert_eq!(s, 200, "{b}");
}

#[tokio::test]
async fn a_fixture_over_its_own_bounds_does_not_load() {
    let app = spawn_app().await;
    // Groups come only from fixtures (SCIM cannot create them in Genesys).
    for (id, limits, needle) in [
        (
            "too-many-users",
            json!({"usersPerOrg": 2}),
            "at most 2 users",
        ),
        (
            "too-many-groups",
            json!({"groupsPerOrg": 2}),
            "at most 2 groups",
        ),
    ] {
        let mut org = default_org();
        org["id"] = json!(id);
        org.as_object_mut().unwrap().remove("oauthClients");
        org["limits"] = limits;
        let (s, b) = admin_post(&app, "/__admin/orgs", &org).await;
        assert_platform_error(s, &b, 400, "bad.request");
        assert!(b["message"].as_str().unwrap().contains(needle), "{b}");
    }

    let mut org = default_org();
    org["id"] = json!("many-clients");
    let clients: Vec<Value> = (0..=MAX_CLIENTS_PER_ORG)
        .map(|i| json!({"id": format!("c-{i}"), "secret": "s"}))
        .collect();
    org["oauthClients"] = json!(clients);
    let (s, b) = admin_post(&app, "/__admin/orgs", &org).await;
    assert_platform_error(s, &b, 400, "bad.request");
    assert!(
        b["message"].as_str().unwrap().contains("oauthClients"),
        "{b}"
    );
    let (_, orgs) = app.get_json("/__admin/orgs").await;
    assert_eq!(orgs["orgs"], json!(["default"]));
}

#[tokio::test]
async fn the_admin_api_adds_orgs_up_to_max_orgs() {
    let app = spawn_app().await;
    let minimal = |id: String| json!({"id": id, "divisions": [{"id": "d", "name": "Home"}]});
    // The default org counts.
    for i in 1..MAX_ORGS {
        let (s, b) = admin_post(&app, "/__admin/orgs", &minimal(format!("o-{i}"))).await;
        assert_eq!(s, 201, "org {i}: {b}");
    }
    let (s, b) = admin_post(&app, "/__admin/orgs", &minimal("one-more".into())).await;
    assert_platform_error(s, &b, 409, "conflict");
    assert!(b["message"].as_str().unwrap().contains("DELETE one"), "{b}");
    let resp = app
        .client
        .put(app.url("/__admin/orgs/one-more/import"))
        .header("content-type", "application/json")
        .body(minimal("one-more".into()).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 409);
    // Importing over an org already there is no new org.
    let resp = app
        .client
        .put(app.url("/__admin/orgs/o-1/import"))
        .header("content-type", "application/json")
        .body(minimal("o-1".into()).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    // A delete makes room.
    let resp = app
        .client
        .delete(app.url("/__admin/orgs/o-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let (s, b) = admin_post(&app, "/__admin/orgs", &minimal("one-more".into())).await;
    assert_eq!(s, 201, "{b}");
    let (_, orgs) = app.get_json("/__admin/orgs").await;
    assert_eq!(orgs["orgs"].as_array().unwrap().len(), MAX_ORGS);
}

#[tokio::test]
async fn the_admin_api_loads_at_most_max_scenarios_of_at_most_max_rules() {
    let app = spawn_app().await;
    let scenario = |name: String, rules: usize| {
        let rules: Vec<Value> = (0..rules)
            .map(|i| json!({"name": format!("r{i}"), "when": {"route": "users.list"}}))
            .collect();
        json!({"name": name, "rules": rules})
    };
    let (s, b) = admin_post(
        &app,
        "/__admin/scenarios",
        &scenario("big".into(), MAX_RULES + 1),
    )
    .await;
    assert_platform_error(s, &b, 400, "bad.request");
    assert!(b["message"].as_str().unwrap().contains("rules"), "{b}");
    let (s, b) = admin_post(
        &app,
        "/__admin/scenarios",
        &scenario("big".into(), MAX_RULES),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    for i in 1..MAX_SCENARIOS {
        let (s, b) = admin_post(&app, "/__admin/scenarios", &scenario(format!("s{i}"), 1)).await;
        assert_eq!(s, 201, "scenario {i}: {b}");
    }
    let (s, b) = admin_post(&app, "/__admin/scenarios", &scenario("extra".into(), 1)).await;
    assert_platform_error(s, &b, 409, "conflict");
    // Replacing one by name is no new scenario.
    let (s, b) = admin_post(&app, "/__admin/scenarios", &scenario("s1".into(), 2)).await;
    assert_eq!(s, 200, "{b}");
    let (_, list) = app.get_json("/__admin/scenarios").await;
    assert_eq!(list["scenarios"].as_array().unwrap().len(), MAX_SCENARIOS);
}
