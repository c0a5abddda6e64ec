//! The request journal: what it records, filters, counts, and how it stays bounded.

use crate::helpers::*;
use serde_json::{Value, json};

async fn admin_get(app: &TestApp, path: &str) -> Value {
    let (s, body) = status_json(app.client.get(app.url(path)).send().await.unwrap()).await;
    assert_eq!(s, 200, "{body}");
    body
}

async fn count(app: &TestApp, matcher: Value) -> Value {
    let resp = app
        .client
        .post(app.url("/__admin/requests/count"))
        .header("content-type", "application/json")
        .body(matcher.to_string())
        .send()
        .await
        .unwrap();
    let (s, body) = status_json(resp).await;
    assert_eq!(s, 200, "{body}");
    body
}

#[tokio::test]
async fn records_route_org_client_status_and_redacts_authorization() {
    let app = spawn_app().await;
    app.create_user(&json!({"userName": "j1@example.com", "displayName": "J1"}))
        .await;
    let body = admin_get(&app, "/__admin/requests?route=users.create").await;
    let entries = body["requests"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{body}");
    let e = &entries[0];
    assert_eq!(e["method"], "POST");
    assert_eq!(e["status"], 201);
    assert_eq!(e["org"], "default");
    assert_eq!(e["client"], CLIENT_ID);
    assert!(e["body"].as_str().unwrap().contains("j1@example.com"));
    assert!(
        e["responseBody"]
            .as_str()
            .unwrap()
            .contains("j1@example.com")
    );
    let auth = e["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h[0] == "authorization")
        .expect("authorization header recorded");
    assert_eq!(auth[1], "<redacted>");
    assert!(!e.to_string().contains(&app.token), "token leaked: {e}");
    assert!(e["correlationId"].as_str().is_some_and(|c| !c.is_empty()));
    // Token requests name the client from HTTP Basic.
    let body = admin_get(&app, "/__admin/requests?route=oauth.token").await;
    assert_eq!(body["requests"][0]["client"], CLIENT_ID, "{body}");
    assert_eq!(body["requests"][0]["org"], "default");
}

#[tokio::test]
async fn filters_by_method_status_org_and_since_and_serves_jsonl() {
    let app = spawn_app().await;
    app.get(&format!("{SCIM}/Users/nope")).send().await.unwrap();
    app.get(&format!("{SCIM}/Users")).send().await.unwrap();
    let body = admin_get(&app, "/__admin/requests?status=404").await;
    assert_eq!(body["requests"].as_array().unwrap().len(), 1, "{body}");
    assert_eq!(body["requests"][0]["route"], "users.get");
    let body = admin_get(&app, "/__admin/requests?method=GET&org=default").await;
    assert_eq!(body["requests"].as_array().unwrap().len(), 2, "{body}");
    let body = admin_get(&app, "/__admin/requests?since=2999-01-01T00:00:00Z").await;
    assert!(body["requests"].as_array().unwrap().is_empty());
    let (s, _) = status_json(
        app.client
            .get(app.url("/__admin/requests?since=yesterday"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 400);

    let resp = app
        .client
        .get(app.url("/__admin/requests?format=jsonl&route=users.list"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-type"], "application/x-ndjson");
    let text = resp.text().await.unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["route"], "users.list");
}

#[tokio::test]
async fn count_answers_and_shows_nearest_on_a_miss() {
    let app = spawn_app().await;
    app.post_json(
        &format!("{SCIM}/Users"),
        &json!({"userName": "bad"}), // no displayName: 400
    )
    .send()
    .await
    .unwrap();
    let c = count(&app, json!({"route": "users.create", "status": 400})).await;
    assert_eq!(c["count"], 1, "{c}");
    assert!(c.get("nearest").is_none());
    let c = count(&app, json!({"route": "users.create", "status": 201})).await;
    assert_eq!(c["count"], 0);
    let nearest = c["nearest"].as_array().unwrap();
    assert_eq!(nearest[0]["route"], "users.create", "{c}");
    assert_eq!(nearest[0]["status"], 400);
    let resp = app
        .client
        .post(app.url("/__admin/requests/count"))
        .header("content-type", "application/json")
        .body(r#"{"verb":"GET"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn journal_size_zero_records_nothing() {
    let app = spawn_with(with(test_config(), |config| config.journal_size = 0)).await;
    let (s, _) = app.get_json(&format!("{SCIM}/Users")).await;
    assert_eq!(s, 200, "the server answers as before");
    let body = admin_get(&app, "/__admin/requests").await;
    assert_eq!(body["requests"].as_array().unwrap().len(), 0, "{body}");
    assert_eq!(body["journal"]["capacity"], 0);
    assert_eq!(body["journal"]["dropped"], 0);
}

#[tokio::test]
async fn journal_is_bounded_and_counts_drops_and_can_be_cleared() {
    let app = spawn_with(with(test_config(), |config| config.journal_size = 3)).await;
    for _ in 0..5 {
        app.get(&format!("{SCIM}/Users")).send().await.unwrap();
    }
    let body = admin_get(&app, "/__admin/requests").await;
    // The token request and five lists: six recorded, three kept.
    assert_eq!(body["requests"].as_array().unwrap().len(), 3, "{body}");
    assert_eq!(body["journal"]["dropped"], 3);
    assert_eq!(body["journal"]["capacity"], 3);
    let resp = app
        .client
        .delete(app.url("/__admin/requests"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let body = admin_get(&app, "/__admin/requests?route=users.list").await;
    assert!(body["requests"].as_array().unwrap().is_empty(), "{body}");
}

#[tokio::test]
async fn marks_name_positions_and_entries_carry_token_fingerprints() {
    let app = spawn_app().await;
    app.get(&format!("{SCIM}/Users")).send().await.unwrap();
    let resp = app
        .client
        .post(app.url("/__admin/marks"))
        .header("content-type", "application/json")
        .body(r#"{"name": "second sync"}"#)
        .send()
        .await
        .unwrap();
    let (s, mark) = status_json(resp).await;
    assert_eq!(s, 201, "{mark}");
    assert_eq!(mark["name"], "second sync");
    // The token request and the list came before the mark.
    assert_eq!(mark["seq"], 3, "{mark}");
    let body = admin_get(&app, "/__admin/marks").await;
    assert_eq!(body["marks"][0]["name"], "second sync", "{body}");
    let body = admin_get(&app, "/__admin/requests?seq=2").await;
    let e = &body["requests"][0];
    assert_eq!(e["route"], "users.list", "{body}");
    let fp = e["token"].as_str().expect("token fingerprint");
    assert!(
        fp.starts_with("tok-") && !app.token.contains(&fp[4..]),
        "{fp}"
    );
    for bad in [r#"{"name": ""}"#, r#"{"nam": "x"}"#, "not json"] {
        let resp = app
            .client
            .post(app.url("/__admin/marks"))
            .header("content-type", "application/json")
            .body(bad)
            .send()
            .await
            .unwrap();
        let (s, body) = status_json(resp).await;
        assert_platform_error(s, &body, 400, "bad.request");
    }
}
