//! Platform reads: users (single, expanded, paged) and the org's reference data.

use serde_json::Value;

use crate::helpers::*;

async fn get(app: &TestApp, path: &str) -> Value {
    let (s, body) = status_json(app.get(path).send().await.unwrap()).await;
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

    let (s, body) = status_json(app.get("/api/v2/users/nobody").send().await.unwrap()).await;
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
    let (s, body) = status_json(app.get("/api/v2/users?pageSize=0").send().await.unwrap()).await;
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
    let (s, body) = status_json(
        app.get(&format!("/api/v2/users/{JAMES}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_platform_error(s, &body, 404, "not.found");
    let (s, body) = status_json(
        app.get(&format!("/api/v2/users/{JAMES}?state=active"))
            .send()
            .await
            .unwrap(),
    )
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
    let (s, _) = status_json(
        app.get(&format!("/api/v2/users/{MARIA}?state=deleted"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 404);
    assert_eq!(
        get(&app, &format!("/api/v2/users/{OLIVIA}")).await["state"],
        "inactive"
    );
    let (s, body) = status_json(
        app.get(&format!("/api/v2/users/{MARIA}?state=gone"))
            .send()
            .await
            .unwrap(),
    )
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
    let (s, body) = status_json(app.get("/api/v2/users?state=gone").send().await.unwrap()).await;
    assert_platform_error(s, &body, 400, "bad.request");
}
