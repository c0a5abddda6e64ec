//! Platform reads: users (single, expanded, paged) and the org's reference data.

use serde_json::Value;

use crate::helpers::*;

async fn get(app: &TestApp, path: &str) -> Value {
    let (s, body) = app.get_json(path).await;
    assert_eq!(s, 200, "{path}: {body}");
    body
}

fn names(list: &Value) -> Vec<String> {
    list["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_user_reads_in_genesys_form() {
    let app = spawn_app().await;
    let u = get(&app, &format!("/api/v2/users/{JAMES}")).await;
    assert_eq!(u["id"], JAMES);
    assert_eq!(u["name"], "James Smith");
    assert_eq!(u["email"], "james.smith@example.com");
    assert_eq!(u["state"], "active");
    assert_eq!(u["title"], "Billing Agent");
    assert_eq!(u["department"], "Billing");
    assert_eq!(u["division"]["name"], "Sales");
    assert_eq!(u["manager"]["id"], MARIA);
    assert_eq!(u["employerInfo"]["employeeId"], "0002");
    assert!(u["version"].as_u64().is_some_and(|v| v >= 1));
    assert_eq!(u["selfUri"], format!("/api/v2/users/{JAMES}"));
    assert!(u.get("skills").is_none() && u.get("authorization").is_none());
    let work = u["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["type"] == "WORK" && a["mediaType"] == "PHONE")
        .unwrap();
    assert_eq!(work["address"], "+13175550102");
    assert_eq!(work["extension"], "2102");

    let (s, body) = app.get_json("/api/v2/users/nobody").await;
    assert_platform_error(s, &body, 404, "not.found");
}

#[tokio::test]
async fn expansions_add_skills_languages_groups_and_roles_and_unknown_ones_are_ignored() {
    let app = spawn_app().await;
    let u = get(
        &app,
        &format!("/api/v2/users/{JAMES}?expand=skills,languages,groups,authorization,bogus"),
    )
    .await;
    assert_eq!(u["skills"][0]["name"], "Billing");
    assert_eq!(u["skills"][0]["proficiency"], 4.0);
    assert_eq!(u["languages"][0]["name"], "English");
    assert_eq!(u["groups"][0]["id"], SALES_TEAM);
    let roles: Vec<&str> = u["authorization"]["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["employee", "Agent"]);
    assert!(u.get("bogus").is_none());
    // Repeated expand parameters work too.
    let u = get(
        &app,
        &format!("/api/v2/users/{JAMES}?expand=skills&expand=groups"),
    )
    .await;
    assert!(u["skills"].is_array() && u["groups"].is_array(), "{u}");
}

#[tokio::test]
async fn the_user_list_is_paged() {
    let app = spawn_app().await;
    let all = get(&app, "/api/v2/users").await;
    assert_eq!(all["total"], 4, "active users by default: {all}");
    assert_eq!(all["pageNumber"], 1);
    assert_eq!(all["pageSize"], 25);
    let p1 = get(&app, "/api/v2/users?pageSize=3&pageNumber=1").await;
    let p2 = get(&app, "/api/v2/users?pageSize=3&pageNumber=2").await;
    assert_eq!(p1["entities"].as_array().unwrap().len(), 3);
    assert_eq!(p2["entities"].as_array().unwrap().len(), 1);
    assert_eq!(p1["total"], 4);
    assert_eq!(p1["pageCount"], 2);
    assert_ne!(p1["entities"][0]["id"], p2["entities"][0]["id"]);
    let past = get(&app, "/api/v2/users?pageSize=3&pageNumber=9").await;
    assert_eq!(past["entities"].as_array().unwrap().len(), 0);
    let inactive = get(&app, "/api/v2/users?state=inactive").await;
    assert_eq!(inactive["total"], 1);
    assert_eq!(inactive["entities"][0]["id"], OLIVIA);
    let (s, body) = app.get_json("/api/v2/users?pageSize=0").await;
    assert_platform_error(s, &body, 400, "bad.request");
}

#[tokio::test]
async fn reference_data_lists() {
    let app = spawn_app().await;
    let divs = get(&app, "/api/v2/authorization/divisions").await;
    assert_eq!(names(&divs), ["Home", "Sales", "Support"]);
    assert_eq!(divs["entities"][0]["homeDivision"], true);
    assert_eq!(divs["entities"][1]["homeDivision"], false);
    let roles = get(&app, "/api/v2/authorization/roles").await;
    assert_eq!(names(&roles), ["employee", "Agent", "Supervisor", "Admin"]);
    let skills = get(&app, "/api/v2/routing/skills").await;
    assert_eq!(names(&skills), ["Billing", "Technical Support", "Sales"]);
    let langs = get(&app, "/api/v2/routing/languages?pageSize=2").await;
    assert_eq!(names(&langs), ["English", "French"]);
    assert_eq!(langs["total"], 3);
    let groups = get(&app, "/api/v2/groups").await;
    assert_eq!(
        names(&groups),
        ["Sales Team", "Support Team", "Supervisors"]
    );
    assert_eq!(groups["entities"][0]["memberCount"], 2);
    assert_eq!(groups["entities"][0]["type"], "official");
    assert_eq!(groups["entities"][0]["visibility"], "public");
}

#[tokio::test]
async fn platform_reads_need_a_token_and_are_read_only() {
    let app = spawn_app().await;
    let resp = app
        .client
        .get(app.url("/api/v2/routing/skills"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let resp = app
        .client
        .delete(app.url("/api/v2/routing/skills"))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
}

/// `state` on platform user reads, as the Genesys SDKs document it and Genesys' Terraform
/// provider relies on (`getUserById(..., "deleted")` in `restoreDeletedUser`): a deleted user
/// is a plain 404 unless `state=deleted` asks for it; a strict client decodes the answer as a
/// `User` with `state: deleted`.
#[tokio::test]
async fn a_deleted_user_is_404_unless_state_deleted_asks_for_it() {
    #[derive(serde::Deserialize)]
    struct User {
        id: String,
        state: String,
        version: u64,
    }
    let app = spawn_app().await;
    app.delete_user(JAMES).await;
    let (s, body) = app.get_json(&format!("/api/v2/users/{JAMES}")).await;
    assert_platform_error(s, &body, 404, "not.found");
    let (s, body) = app
        .get_json(&format!("/api/v2/users/{JAMES}?state=active"))
        .await;
    assert_platform_error(s, &body, 404, "not.found");
    let resp = app
        .get(&format!("/api/v2/users/{JAMES}?state=deleted"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let u: User = resp.json().await.expect("a User");
    assert_eq!((u.id.as_str(), u.state.as_str()), (JAMES, "deleted"));
    assert!(u.version > 1);
    // `state=deleted` finds deleted users only; an inactive user is read by default.
    let (s, _) = app
        .get_json(&format!("/api/v2/users/{MARIA}?state=deleted"))
        .await;
    assert_eq!(s, 404);
    assert_eq!(
        get(&app, &format!("/api/v2/users/{OLIVIA}")).await["state"],
        "inactive"
    );
    let (s, body) = app
        .get_json(&format!("/api/v2/users/{MARIA}?state=gone"))
        .await;
    assert_platform_error(s, &body, 400, "bad.request");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("active, deleted"),
        "{body}"
    );
}

#[tokio::test]
async fn the_user_list_takes_each_documented_state_and_refuses_others() {
    let app = spawn_app().await;
    app.delete_user(JAMES).await;
    let ids = |list: &Value| -> Vec<String> {
        list["entities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(get(&app, "/api/v2/users").await["total"], 3);
    assert_eq!(
        ids(&get(&app, "/api/v2/users?state=deleted").await),
        [JAMES]
    );
    assert_eq!(
        ids(&get(&app, "/api/v2/users?state=inactive").await),
        [OLIVIA]
    );
    assert_eq!(get(&app, "/api/v2/users?state=any").await["total"], 5);
    let (s, body) = app.get_json("/api/v2/users?state=gone").await;
    assert_platform_error(s, &body, 400, "bad.request");
}

/// `Userssearchresponse` and `User` as Genesys' Go SDK models them (the fields the provider
/// reads), decoded strictly where the shape matters.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchResponse {
    total: u64,
    page_count: u64,
    page_size: u64,
    page_number: u64,
    types: Vec<String>,
    #[serde(default)]
    results: Vec<PlatformUser>,
}

#[derive(Debug, serde::Deserialize)]
struct PlatformUser {
    id: String,
    email: String,
    state: String,
    version: u64,
}

/// The query Genesys' Terraform provider sends to find a deleted user (`getDeletedUserId` in
/// `genesyscloud/user/resource_genesyscloud_user_utils.go`): EXACT on `email`, EXACT on `state`
/// with `values: ["deleted"]`.
fn deleted_user_query(email: &str) -> Value {
    serde_json::json!({
        "query": [
            {"fields": ["email"], "value": email, "type": "EXACT"},
            {"fields": ["state"], "values": ["deleted"], "type": "EXACT"}
        ]
    })
}

async fn search(app: &TestApp, body: &Value) -> (u16, Value) {
    app.platform_json(reqwest::Method::POST, "/api/v2/users/search", body)
        .await
}

/// The version of a deleted user, read as the provider reads it (`?state=deleted`).
async fn deleted_version(app: &TestApp, id: &str) -> u64 {
    let (s, user) = app
        .get_json(&format!("/api/v2/users/{id}?state=deleted"))
        .await;
    assert_eq!(s, 200, "{user}");
    user["version"].as_u64().unwrap()
}

async fn patch_user(app: &TestApp, id: &str, body: &Value) -> (u16, Value) {
    app.platform_json(reqwest::Method::PATCH, &format!("/api/v2/users/{id}"), body)
        .await
}

#[tokio::test]
async fn the_user_search_finds_by_email_and_state_in_genesys_shape() {
    let app = spawn_app().await;
    // A live user by email, case-insensitively; deleted users are left out without a state.
    let (s, body) = search(
        &app,
        &serde_json::json!({"query": [{"fields": ["email"], "value": "James.Smith@example.com", "type": "EXACT"}]}),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let found: SearchResponse = serde_json::from_value(body.clone()).expect("Userssearchresponse");
    assert_eq!(
        (found.total, found.page_count, found.page_number),
        (1, 1, 1)
    );
    assert_eq!(found.page_size, 25);
    assert_eq!(found.types, ["users"]);
    assert_eq!(found.results[0].id, JAMES);
    assert_eq!(found.results[0].state, "active");
    // Not deleted: the provider's query finds nothing, and answers in the same shape.
    let (s, body) = search(&app, &deleted_user_query("james.smith@example.com")).await;
    assert_eq!(s, 200);
    let none: SearchResponse = serde_json::from_value(body).unwrap();
    assert_eq!((none.total, none.results.len()), (0, 0));
    app.delete_user(JAMES).await;
    let (_, body) = search(&app, &deleted_user_query("james.smith@example.com")).await;
    let deleted: SearchResponse = serde_json::from_value(body).unwrap();
    assert_eq!(deleted.total, 1);
    assert_eq!(
        (
            deleted.results[0].id.as_str(),
            deleted.results[0].state.as_str()
        ),
        (JAMES, "deleted")
    );
    assert_eq!(deleted.results[0].email, "james.smith@example.com");
    // Without a state criterion the deleted user is not found.
    let (_, body) = search(
        &app,
        &serde_json::json!({"query": [{"fields": ["email"], "value": "james.smith@example.com", "type": "EXACT"}]}),
    )
    .await;
    assert_eq!(body["total"], 0, "{body}");
    // Paging, several values, expand.
    let (_, body) = search(
        &app,
        &serde_json::json!({"pageSize": 2, "pageNumber": 2, "expand": ["groups"],
            "query": [{"fields": ["state"], "values": ["active", "inactive"], "type": "EXACT"}]}),
    )
    .await;
    assert_eq!(
        (body["total"].as_u64(), body["pageCount"].as_u64()),
        (Some(4), Some(2)),
        "{body}"
    );
    assert_eq!(body["results"].as_array().unwrap().len(), 2);
    assert!(body["results"][0]["groups"].is_array(), "{body}");
}

#[tokio::test]
async fn the_user_search_refuses_what_it_does_not_serve_saying_what_it_does() {
    let app = spawn_app().await;
    for (body, needle) in [
        (
            serde_json::json!({"query": [{"fields": ["email"], "value": "x", "type": "QUERY_STRING"}]}),
            "EXACT",
        ),
        (
            serde_json::json!({"query": [{"fields": ["profileSkills"], "value": "x", "type": "EXACT"}]}),
            "email",
        ),
        (
            serde_json::json!({"query": [{"fields": ["email"], "type": "EXACT"}]}),
            "value",
        ),
        (serde_json::json!({"query": "email"}), "query"),
        (
            serde_json::json!({"query": [{"fields": ["state"], "values": ["gone"], "type": "EXACT"}]}),
            "state",
        ),
        (serde_json::json!({"pageSize": 0}), "pageSize"),
    ] {
        let (s, err) = search(&app, &body).await;
        assert_platform_error(s, &err, 400, "bad.request");
        assert!(
            err["message"].as_str().unwrap().contains(needle),
            "{body} → {err}"
        );
    }
}

/// The provider's restore (`restoreDeletedUser` in `genesyscloud/user`): read the deleted user
/// with `state=deleted`, then `PATCH /api/v2/users/{id}` with `state` and that `version`;
/// a stale version is a version mismatch the provider retries (`util.IsVersionMismatch`).
#[tokio::test]
async fn a_deleted_user_is_restored_by_a_patch_of_state_with_its_version() {
    let app = spawn_app().await;
    app.delete_user(JAMES).await;
    let version = deleted_version(&app, JAMES).await;
    // A stale version: 409, with the message the provider's IsVersionMismatch also accepts.
    let (s, err) = patch_user(
        &app,
        JAMES,
        &serde_json::json!({"state": "active", "version": version - 1}),
    )
    .await;
    assert_platform_error(s, &err, 409, "version.mismatch");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("does not match the current version"),
        "{err}"
    );
    // No version: 400.
    let (s, err) = patch_user(&app, JAMES, &serde_json::json!({"state": "active"})).await;
    assert_platform_error(s, &err, 400, "bad.request");
    assert!(
        err["message"].as_str().unwrap().contains("version"),
        "{err}"
    );
    // A field the mock does not serve: 400 naming it.
    let (s, err) = patch_user(
        &app,
        JAMES,
        &serde_json::json!({"state": "active", "version": version, "title": "x"}),
    )
    .await;
    assert_platform_error(s, &err, 400, "bad.request");
    assert!(err["message"].as_str().unwrap().contains("title"), "{err}");

    let (s, restored) = patch_user(
        &app,
        JAMES,
        &serde_json::json!({"state": "active", "version": version}),
    )
    .await;
    assert_eq!(s, 200, "{restored}");
    let u: PlatformUser = serde_json::from_value(restored.clone()).unwrap();
    assert_eq!((u.id.as_str(), u.state.as_str()), (JAMES, "active"));
    assert_eq!(u.version, version + 1);
    // Restored as Genesys documents it: in the Home division, without roles.
    let (_, read) = app
        .get_json(&format!("/api/v2/users/{JAMES}?expand=authorization"))
        .await;
    assert_eq!(read["state"], "active");
    assert_eq!(read["division"]["name"], "Home");
    assert_eq!(read["authorization"]["roles"], serde_json::json!([]));
    let (s, scim) = app.get_json(&format!("{SCIM}/Users/{JAMES}")).await;
    assert_eq!((s, scim["active"].as_bool()), (200, Some(true)));

    // The same PATCH turns a live user inactive and back.
    let (s, u) = patch_user(
        &app,
        MARIA,
        &serde_json::json!({"state": "inactive", "version": 1}),
    )
    .await;
    assert_eq!((s, u["state"].as_str()), (200, Some("inactive")), "{u}");
    let (s, err) = patch_user(
        &app,
        MARIA,
        &serde_json::json!({"state": "deleted", "version": 2}),
    )
    .await;
    assert_platform_error(s, &err, 400, "bad.request");
    let (s, _) = patch_user(
        &app,
        "nobody",
        &serde_json::json!({"state": "active", "version": 1}),
    )
    .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn a_restore_whose_email_is_taken_conflicts() {
    // A SCIM create with the deleted user's userName makes a new user (not a revival).
    let app = spawn_with(with(test_config(), |c| {
        c.compat.revive_deleted = genesys_scim_mock::compat::Revive::New;
    }))
    .await;
    app.delete_user(JAMES).await;
    app.create_user(
        &serde_json::json!({"userName": "james.smith@example.com", "displayName": "New James"}),
    )
    .await;
    let version = deleted_version(&app, JAMES).await;
    let (s, err) = patch_user(
        &app,
        JAMES,
        &serde_json::json!({"state": "active", "version": version}),
    )
    .await;
    assert_eq!(s, 409, "{err}");
    assert_eq!(
        app.get_json(&format!("/api/v2/users/{JAMES}?state=deleted"))
            .await
            .1["state"],
        "deleted"
    );
}

/// `GET /api/v2/organizations/me`, which nearly every Genesys client calls first; the
/// provider dereferences `defaultCountryCode` (`provider.go`).
#[tokio::test]
async fn the_org_answers_organizations_me() {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Organization {
        id: String,
        name: String,
        default_country_code: String,
        default_language: String,
        third_party_org_name: String,
        state: String,
        version: u64,
        self_uri: String,
    }
    let app = spawn_app().await;
    let resp = app.get("/api/v2/organizations/me").send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let org: Organization = resp.json().await.expect("Organization");
    assert_eq!(org.id, "default");
    assert!(!org.name.is_empty());
    assert_eq!(org.default_country_code, "US");
    assert_eq!(org.default_language, "en-us");
    assert_eq!(org.third_party_org_name, "default");
    assert_eq!((org.state.as_str(), org.version), ("active", 1));
    assert_eq!(org.self_uri, "/api/v2/organizations/default");
    let resp = app
        .client
        .get(app.url("/api/v2/organizations/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn an_orgs_country_comes_from_its_fixture_and_survives_export() {
    let app = spawn_app().await;
    let org = serde_json::json!({
        "id": "uk-org", "name": "UK", "defaultCountryCode": "GB",
        "divisions": [{"id": "d1", "name": "Home", "home": true}],
        "oauthClients": [{"id": "uk", "secret": "uk-secret"}]
    });
    let resp = app
        .admin(reqwest::Method::POST, "/__admin/orgs")
        .json(&org)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let token = app.token_for("uk", "uk-secret").await;
    let resp = app
        .client
        .get(app.url("/api/v2/organizations/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let (_, me) = status_json(resp).await;
    assert_eq!(
        (me["id"].as_str(), me["defaultCountryCode"].as_str()),
        (Some("uk-org"), Some("GB"))
    );
    let (_, exported) = status_json(
        app.admin(reqwest::Method::GET, "/__admin/orgs/uk-org/export")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(exported["defaultCountryCode"], "GB", "{exported}");
    let mut bad = org.clone();
    bad["id"] = "bad-org".into();
    bad["defaultCountryCode"] = "gb".into();
    bad["oauthClients"] = serde_json::json!([]);
    let (s, err) = status_json(
        app.admin(reqwest::Method::POST, "/__admin/orgs")
            .json(&bad)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 400, "{err}");
    assert!(err.to_string().contains("defaultCountryCode"), "{err}");
}
