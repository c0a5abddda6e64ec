//! `--profile rfc`: every Genesys-vs-RFC switch at its RFC value, and the layering of explicit
//! switches over the preset (README, "Compatibility switches and the two profiles").

use genesys_scim_mock::Config;
use genesys_scim_mock::compat::{Compat, Profile};
use serde_json::{Value, json};

use crate::helpers::*;

const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn profile(p: Profile) -> Config {
    Config {
        compat: Compat::preset(p),
        ..test_config()
    }
}

async fn create(app: &TestApp, body: Value) -> (u16, Value) {
    app.post_status(&format!("{SCIM}/Users"), &body).await
}

async fn patch(app: &TestApp, id: &str, ops: Value) -> (u16, Value) {
    app.patch_ops(&format!("{SCIM}/Users/{id}"), ops).await
}

#[tokio::test]
async fn rfc_accepts_any_user_name_and_renders_meta_created_genesys_does_neither() {
    let rfc = spawn_with(profile(Profile::Rfc)).await;
    let (s, user) = create(
        &rfc,
        json!({"userName": "bjensen", "displayName": "Barbara"}),
    )
    .await;
    assert_eq!(s, 201, "{user}");
    assert_eq!(user["userName"], "bjensen");
    let created = user["meta"]["created"].as_str().expect("meta.created");
    assert_eq!(created, user["meta"]["lastModified"].as_str().unwrap());
    // A later change moves lastModified, never created.
    rfc.advance_clock(chrono::Duration::seconds(5)).await;
    let (s, after) = patch(
        &rfc,
        user["id"].as_str().unwrap(),
        json!([{"op": "replace", "path": "title", "value": "Engineer"}]),
    )
    .await;
    assert_eq!(s, 200, "{after}");
    assert_eq!(after["meta"]["created"], created);
    assert_ne!(after["meta"]["lastModified"], created);
    let (_, group) = rfc.get_json(&format!("{SCIM}/Groups/{SALES_TEAM}")).await;
    assert!(group["meta"]["created"].is_string(), "{group}");

    let genesys = spawn_with(profile(Profile::Genesys)).await;
    let (s, body) = create(&genesys, json!({"userName": "bjensen", "displayName": "B"})).await;
    assert_scim_error(s, &body, 400, Some("invalidValue"));
    let (_, maria) = genesys.get_json(&format!("{SCIM}/Users/{MARIA}")).await;
    assert!(maria["meta"].get("created").is_none(), "{maria}");
    assert!(maria["meta"]["lastModified"].is_string());
}

#[tokio::test]
async fn rfc_if_match_mismatch_is_412_and_genesys_400() {
    for (p, want) in [(Profile::Rfc, 412), (Profile::Genesys, 400)] {
        let app = spawn_with(profile(p)).await;
        let resp = app
            .put_json(
                &format!("{SCIM}/Users/{JAMES}"),
                &json!({"userName": "james.smith@example.com", "displayName": "J"}),
            )
            .header("if-match", "\"999\"")
            .send()
            .await
            .unwrap();
        let (s, body) = status_json(resp).await;
        assert_scim_error(s, &body, want, Some("invalidVers"));
    }
}

#[tokio::test]
async fn rfc_patch_paths_need_no_urn_and_strings_are_not_booleans() {
    let app = spawn_with(profile(Profile::Rfc)).await;
    let (s, body) = patch(
        &app,
        LUCAS,
        json!([{"op": "replace", "path": "department", "value": "Field"}]),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body[ENT]["department"], "Field");
    let (s, body) = patch(
        &app,
        LUCAS,
        json!([{"op": "replace", "path": "active", "value": "False"}]),
    )
    .await;
    assert_scim_error(s, &body, 400, Some("invalidValue"));
    // RFC 7644 §3.5.2.3: a value filter that matches nothing is noTarget.
    let (s, body) = patch(
        &app,
        LUCAS,
        json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "x@example.com"}]),
    )
    .await;
    assert_scim_error(s, &body, 400, Some("noTarget"));

    let genesys = spawn_with(profile(Profile::Genesys)).await;
    let (s, body) = patch(
        &genesys,
        LUCAS,
        json!([{"op": "replace", "path": "department", "value": "Field"}]),
    )
    .await;
    assert_scim_error(s, &body, 400, Some("invalidPath"));
}

#[tokio::test]
async fn rfc_lists_every_user_and_a_deleted_user_name_makes_a_new_user() {
    let app = spawn_with(profile(Profile::Rfc)).await;
    let (_, list) = app.get_json(&format!("{SCIM}/Users")).await;
    assert_eq!(list["totalResults"], 5, "Olivia (inactive) is listed too");

    let (_, first) = create(&app, json!({"userName": "again", "displayName": "A"})).await;
    let id = first["id"].as_str().unwrap();
    let resp = app
        .delete(&format!("{SCIM}/Users/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let (s, second) = create(&app, json!({"userName": "again", "displayName": "A"})).await;
    assert_eq!(s, 201);
    assert_ne!(second["id"], id, "RFC: a new resource, not a revival");
}

#[tokio::test]
async fn named_switches_win_over_the_profile_set_beside_them() {
    // From flags (`--profile rfc --compat version-mismatch-status=400`): a unit test in
    // src/config.rs, `named_switches_win_over_the_profile_flag_beside_them`.
    // From a scenario rule: `meta-created` sorts before `profile` and still wins.
    let app = spawn_app().await;
    let rule = json!({"name": "rfc-for-one", "rules": [{"name": "rfc", "when": {"route": "users.*"},
        "then": {"compat": {"meta-created": "false", "profile": "rfc"}}}]});
    let resp = app
        .client
        .post(app.url("/__admin/scenarios"))
        .header("content-type", "application/json")
        .body(rule.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let (s, user) = create(&app, json!({"userName": "plain-name", "displayName": "P"})).await;
    assert_eq!(s, 201, "the rfc preset applies: {user}");
    assert!(user["meta"].get("created").is_none(), "{user}");
}
