//! The admin API: protection, orgs (create, delete, reset, export/import), isolation between
//! orgs driven in parallel, and the OpenAPI document.

use crate::helpers::*;
use reqwest::Client;
use serde_json::{Value, json};

/// One fixture org copied from the built-in default org, under a new id and without clients.
fn org_fixture(id: Option<&str>) -> Value {
    let doc: Value = serde_json::from_str(genesys_scim_mock::DEFAULT_ORG).unwrap();
    let mut org = doc["orgs"][0].clone();
    let obj = org.as_object_mut().unwrap();
    obj.remove("oauthClients");
    match id {
        Some(id) => {
            obj.insert("id".into(), json!(id));
        }
        None => {
            obj.remove("id");
        }
    }
    org
}

async fn admin(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut b = app.client.request(method, app.url(path));
    if let Some(body) = body {
        b = b
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    status_json(b.send().await.unwrap()).await
}

/// Creates an org and returns (org id, client id, client secret).
async fn create_org(app: &TestApp, body: &Value) -> (String, String, String) {
    let (s, created) = admin(app, reqwest::Method::POST, "/__admin/orgs", Some(body)).await;
    assert_eq!(s, 201, "{created}");
    (
        created["orgId"].as_str().unwrap().to_owned(),
        created["clients"][0]["clientId"]
            .as_str()
            .unwrap()
            .to_owned(),
        created["clients"][0]["clientSecret"]
            .as_str()
            .unwrap()
            .to_owned(),
    )
}

#[tokio::test]
async fn admin_token_is_required_when_configured() {
    let app = spawn_with(with(test_config(), |config| {
        config.admin_token = Some("s3cret".into())
    }))
    .await;
    let resp = app
        .client
        .get(app.url("/__admin/orgs"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let resp = app
        .client
        .get(app.url("/__admin/orgs"))
        .bearer_auth("s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = app
        .client
        .get(app.url("/__admin/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn admin_off_hides_everything_but_health() {
    let app = spawn_with(with(test_config(), |config| config.admin_enabled = false)).await;
    for path in ["/__admin/requests", "/__admin/orgs", "/__admin/scenarios"] {
        let resp = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{path}");
    }
    let resp = app
        .client
        .post(app.url("/__admin/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let resp = app
        .client
        .get(app.url("/__admin/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn orgs_are_created_listed_and_deleted_with_their_tokens() {
    let app = spawn_app().await;
    let (org, id, secret) = create_org(&app, &org_fixture(None)).await;
    assert!(org.starts_with("org-"), "{org}");
    let (_, list) = admin(&app, reqwest::Method::GET, "/__admin/orgs", None).await;
    assert!(list["orgs"].as_array().unwrap().contains(&json!(org)));
    let token = app.token_for(&id, &secret).await;
    let resp = app
        .client
        .get(app.url(&format!("{SCIM}/Users")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // Same id again: conflict.
    let mut again = org_fixture(Some(&org));
    again["oauthClients"] = json!([]);
    let (s, _) = admin(&app, reqwest::Method::POST, "/__admin/orgs", Some(&again)).await;
    assert_eq!(s, 409);
    // A bad fixture names what is wrong.
    let (s, body) = admin(
        &app,
        reqwest::Method::POST,
        "/__admin/orgs",
        Some(&json!({"id": "empty"})),
    )
    .await;
    assert_eq!(s, 400);
    assert!(body.to_string().contains("division"), "{body}");

    let (s, _) = admin(
        &app,
        reqwest::Method::DELETE,
        &format!("/__admin/orgs/{org}"),
        None,
    )
    .await;
    assert_eq!(s, 204);
    let resp = app
        .client
        .get(app.url(&format!("{SCIM}/Users")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let (s, _) = admin(
        &app,
        reqwest::Method::DELETE,
        &format!("/__admin/orgs/{org}"),
        None,
    )
    .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn reset_of_one_org_leaves_the_others_alone() {
    let app = spawn_app().await;
    let (org, id, secret) = create_org(&app, &org_fixture(Some("team-b"))).await;
    let token_b = app.token_for(&id, &secret).await;
    app.create_user(&json!({"userName": "a-only@example.com", "displayName": "A"}))
        .await;
    let resp = app
        .client
        .post(app.url(&format!("{SCIM}/Users")))
        .bearer_auth(&token_b)
        .header("content-type", "application/scim+json")
        .body(json!({"userName": "b-only@example.com", "displayName": "B"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);

    let (s, _) = admin(
        &app,
        reqwest::Method::POST,
        &format!("/__admin/reset?org={org}"),
        None,
    )
    .await;
    assert_eq!(s, 204);
    let filter = |name: &str| format!("{SCIM}/Users?filter=userName%20eq%20%22{name}%22");
    // Org B is back to its fixture, and its token still works.
    let resp = app
        .client
        .get(app.url(&filter("b-only@example.com")))
        .bearer_auth(&token_b)
        .send()
        .await
        .unwrap();
    let (s, body) = status_json(resp).await;
    assert_eq!(s, 200);
    assert_eq!(body["totalResults"], 0, "{body}");
    // The default org is untouched.
    let (_, body) = status_json(app.get(&filter("a-only@example.com")).send().await.unwrap()).await;
    assert_eq!(body["totalResults"], 1, "{body}");

    // A full reset: fixtures reloaded, admin orgs gone, journal empty.
    let (s, _) = admin(&app, reqwest::Method::POST, "/__admin/reset", None).await;
    assert_eq!(s, 204);
    let (_, list) = admin(&app, reqwest::Method::GET, "/__admin/orgs", None).await;
    assert_eq!(list["orgs"], json!(["default"]));
    let (_, journal) = admin(&app, reqwest::Method::GET, "/__admin/requests", None).await;
    assert!(
        journal["requests"].as_array().unwrap().is_empty(),
        "{journal}"
    );
    let token = app.token_for(CLIENT_ID, CLIENT_SECRET).await;
    let resp = app
        .client
        .get(app.url(&filter("a-only@example.com")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let (_, body) = status_json(resp).await;
    assert_eq!(body["totalResults"], 0, "{body}");
    let (s, _) = admin(&app, reqwest::Method::POST, "/__admin/reset?org=nope", None).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn export_import_export_is_identical() {
    let app = spawn_app().await;
    // Some run-time state on top of the fixture: a new user and a deleted one.
    let u = app
        .create_user(
            &json!({"userName": "rt@example.com", "displayName": "Run Time", "title": "QA"}),
        )
        .await;
    let id = u["id"].as_str().unwrap();
    let resp = app
        .delete(&format!("{SCIM}/Users/{OLIVIA}"))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    let (s, first) = admin(
        &app,
        reqwest::Method::GET,
        "/__admin/orgs/default/export",
        None,
    )
    .await;
    assert_eq!(s, 200, "{first}");
    assert!(first.to_string().contains(id));
    let (s, body) = admin(
        &app,
        reqwest::Method::PUT,
        "/__admin/orgs/default/import",
        Some(&first),
    )
    .await;
    assert_eq!(s, 204, "{body}");
    let (_, second) = admin(
        &app,
        reqwest::Method::GET,
        "/__admin/orgs/default/export",
        None,
    )
    .await;
    assert_eq!(first, second);
    // The same clients were kept, so the existing token still works.
    let resp = app.get(&format!("{SCIM}/Users/{id}")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    // Import under a different id is refused.
    let (s, _) = admin(
        &app,
        reqwest::Method::POST,
        "/__admin/orgs/other/import",
        Some(&first),
    )
    .await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn two_orgs_driven_in_parallel_do_not_interfere() {
    let app = spawn_app().await;
    let mut tasks = Vec::new();
    for name in ["par-a", "par-b"] {
        let (_, id, secret) = create_org(&app, &org_fixture(Some(name))).await;
        let token = app.token_for(&id, &secret).await;
        let base = app.base.clone();
        tasks.push(tokio::spawn(async move {
            let client = Client::new();
            let mut ids = Vec::new();
            for i in 0..10 {
                let resp = client
                    .post(format!("{base}{SCIM}/Users"))
                    .bearer_auth(&token)
                    .header("content-type", "application/scim+json")
                    .body(
                        json!({"userName": format!("same{i}@example.com"), "displayName": name})
                            .to_string(),
                    )
                    .send()
                    .await
                    .unwrap();
                let (s, body) = status_json(resp).await;
                assert_eq!(s, 201, "{name}: {body}");
                let uid = body["id"].as_str().unwrap().to_owned();
                let resp = client
                    .patch(format!("{base}{SCIM}/Users/{uid}"))
                    .bearer_auth(&token)
                    .header("content-type", "application/scim+json")
                    .body(
                        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                        "Operations": [{"op": "replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "value": name}]})
                        .to_string(),
                    )
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), 200, "{name}");
                ids.push(uid);
            }
            let resp = client
                .get(format!(
                    "{base}{SCIM}/Users?count=100&filter=employeeNumber%20eq%20%22{name}%22"
                ))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            let (s, body) = status_json(resp).await;
            (name, s, body, ids)
        }));
    }
    for t in tasks {
        let (name, s, body, ids) = t.await.unwrap();
        assert_eq!(s, 200, "{body}");
        let res = body["Resources"].as_array().unwrap();
        let got: Vec<&str> = res.iter().map(|r| r["id"].as_str().unwrap()).collect();
        let mut want: Vec<&str> = ids.iter().map(String::as_str).collect();
        let mut got_sorted = got.clone();
        want.sort();
        got_sorted.sort();
        assert_eq!(got_sorted, want, "{name}: exactly its own ten users");
        assert!(
            res.iter().all(|r| r["displayName"] == name),
            "{name}: {body}"
        );
    }
}

#[tokio::test]
async fn openapi_document_lists_every_admin_route() {
    let app = spawn_app().await;
    let (s, doc) = admin(&app, reqwest::Method::GET, "/__admin/openapi.json", None).await;
    assert_eq!(s, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/__admin/health", "get"),
        ("/__admin/requests", "get"),
        ("/__admin/requests", "delete"),
        ("/__admin/requests/count", "post"),
        ("/__admin/marks", "get"),
        ("/__admin/marks", "post"),
        ("/__admin/report", "get"),
        ("/__admin/reset", "post"),
        ("/__admin/orgs", "get"),
        ("/__admin/orgs", "post"),
        ("/__admin/orgs/{id}", "delete"),
        ("/__admin/orgs/{id}/export", "get"),
        ("/__admin/orgs/{id}/import", "post"),
        ("/__admin/orgs/{id}/import", "put"),
        ("/__admin/scenarios", "get"),
        ("/__admin/scenarios", "post"),
        ("/__admin/scenarios/reset", "post"),
        ("/__admin/scenarios/{name}", "delete"),
        ("/__admin/openapi.json", "get"),
        ("/__admin/expect", "post"),
        ("/__admin/ui", "get"),
        ("/__admin/ui/{file}", "get"),
        ("/__admin/timeline", "get"),
        ("/__admin/orgs/{id}/users", "get"),
        ("/__admin/orgs/{id}/groups", "get"),
        ("/__admin/orgs/{id}/clients/{clientId}/roleDivisions", "get"),
        ("/__admin/orgs/{id}/clients/{clientId}/roleDivisions", "put"),
        (
            "/__admin/orgs/{id}/clients/{clientId}/roleDivisions",
            "post",
        ),
        (
            "/__admin/orgs/{id}/clients/{clientId}/roleDivisions",
            "delete",
        ),
        ("/__admin/clock", "get"),
        ("/__admin/clock", "post"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing"
        );
    }
}

#[tokio::test]
async fn unsupported_admin_methods_answer_405_with_allow() {
    let app = spawn_app().await;
    for (method, path, allow) in [
        ("TRACE", "/__admin/orgs", "GET, POST"),
        ("PUT", "/__admin/orgs", "GET, POST"),
        ("PATCH", "/__admin/requests", "GET, DELETE"),
        ("GET", "/__admin/reset", "POST"),
        ("POST", "/__admin/orgs/x/export", "GET"),
        ("GET", "/__admin/orgs/x/import", "POST, PUT"),
        ("GET", "/__admin/scenarios/x", "DELETE"),
        ("TRACE", "/__admin/openapi.json", "GET"),
        ("POST", "/__admin/health", "GET"),
        (
            "PATCH",
            "/__admin/orgs/default/clients/mock-client-id/roleDivisions",
            "GET, PUT, POST, DELETE",
        ),
    ] {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let resp = app.client.request(m, app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 405, "{method} {path}");
        assert_eq!(
            resp.headers().get("allow").and_then(|v| v.to_str().ok()),
            Some(allow),
            "{method} {path}"
        );
    }
    let resp = app
        .client
        .get(app.url("/__admin/nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
}

/// An export restored (imported, or created anew from it) keeps each user's and group's
/// `meta.version`, `created` and `lastModified`, so the ETags a client saved still match.
#[tokio::test]
async fn a_restored_export_keeps_versions_and_times() {
    let app = spawn_with(with(test_config(), |c| {
        c.clock = "frozen:2026-03-01T10:00:00Z".into();
    }))
    .await;
    let user = format!("{SCIM}/Users/{JAMES}");
    let group = format!("{SCIM}/Groups/{SALES_TEAM}");
    for title in ["One", "Two"] {
        app.advance_clock(chrono::Duration::minutes(5)).await;
        let (s, b) = app
            .patch_ops(
                &user,
                json!([{"op": "replace", "path": "title", "value": title}]),
            )
            .await;
        assert_eq!(s, 200, "{b}");
    }
    let (s, b) = app
        .patch_ops(
            &group,
            json!([{"op": "add", "path": "members", "value": [{"value": MARIA}]}]),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let etag = |r: &reqwest::Response| {
        assert_eq!(r.status(), 200);
        r.headers()["etag"].to_str().unwrap().to_owned()
    };
    let before_user = app.get(&user).send().await.unwrap();
    let user_etag = etag(&before_user);
    let before_user: Value = before_user.json().await.unwrap();
    let before_group: Value = app.get_json(&group).await.1;
    assert_eq!(before_user["meta"]["version"], "3");
    let (s, exported) = admin(
        &app,
        reqwest::Method::GET,
        "/__admin/orgs/default/export",
        None,
    )
    .await;
    assert_eq!(s, 200);
    app.advance_clock(chrono::Duration::hours(1)).await;
    let (s, b) = admin(
        &app,
        reqwest::Method::PUT,
        "/__admin/orgs/default/import",
        Some(&exported),
    )
    .await;
    assert_eq!(s, 204, "{b}");
    let after_user = app.get(&user).send().await.unwrap();
    assert_eq!(etag(&after_user), user_etag);
    let after_user: Value = after_user.json().await.unwrap();
    let after_group = app.get_json(&group).await.1;
    for (before, after) in [(&before_user, &after_user), (&before_group, &after_group)] {
        assert_eq!(
            before["meta"]["version"], after["meta"]["version"],
            "{after}"
        );
        assert_eq!(
            before["meta"]["lastModified"], after["meta"]["lastModified"],
            "{after}"
        );
    }
    // A conditional write with the saved ETag goes through; the version moves on from there.
    let resp = app
        .patch_json(
            &user,
            &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "path": "title", "value": "Three"}]}),
        )
        .header("if-match", &user_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["etag"], "\"4\"");
    // A bad meta is refused with the record and field.
    let mut bad = exported.clone();
    bad["users"][0]["meta"]["version"] = json!("soon");
    let (s, b) = admin(
        &app,
        reqwest::Method::PUT,
        "/__admin/orgs/default/import",
        Some(&bad),
    )
    .await;
    assert_eq!(s, 400);
    assert!(
        b["message"].as_str().unwrap().contains("meta.version"),
        "{b}"
    );
}
