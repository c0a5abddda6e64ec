//! Every admin document is one JSON object with known fields: an array, a repeated key, an
//! unknown field (at any level the route reads) or whitespace alone is a 400 platform error
//! that changes nothing.

use crate::helpers::*;
use serde_json::{Value, json};

/// A fixture org copied from the built-in default org under `id`, without clients.
fn org(id: &str) -> Value {
    let doc: Value = serde_json::from_str(genesys_scim_mock::DEFAULT_ORG).unwrap();
    let mut org = doc["orgs"][0].clone();
    org.as_object_mut().unwrap().remove("oauthClients");
    org["id"] = json!(id);
    org
}

fn with(mut doc: Value, pointer: &str, key: &str, value: Value) -> Value {
    doc.pointer_mut(pointer)
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("{pointer} is no object"))
        .insert(key.to_owned(), value);
    doc
}

/// Sends `body` as raw text and returns the status and JSON answer.
async fn send(app: &TestApp, method: reqwest::Method, path: &str, body: &str) -> (u16, Value) {
    let resp = app
        .client
        .request(method, app.url(path))
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    status_json(resp).await
}

async fn refused(app: &TestApp, method: reqwest::Method, path: &str, body: &str, needle: &str) {
    let (s, b) = send(app, method.clone(), path, body).await;
    assert_platform_error(s, &b, 400, "bad.request");
    let msg = b["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains(needle),
        "{method} {path} {body}: {needle:?} not in {msg:?}"
    );
}

/// The same document with one key written twice, as raw JSON text.
fn repeated(doc: &Value, key: &str) -> String {
    let text = doc.to_string();
    let value = doc[key].to_string();
    format!("{{\"{key}\":{value},{}", &text[1..])
}

#[tokio::test]
async fn arrays_repeated_keys_and_unknown_fields_are_refused_on_every_admin_body() {
    use reqwest::Method;
    let app = spawn_app().await;
    let scenario = json!({"name": "t", "rules": [{"name": "r", "when": {"route": "users.list"},
        "then": {"respond": {"status": 500}}}]});
    let expectation = json!({"version": 1, "orgs": [{"id": "default"}]});
    let bodies: Vec<(Method, &str, Value, &str)> = vec![
        (
            Method::POST,
            "/__admin/requests/count",
            json!({"method": "GET"}),
            "method",
        ),
        (
            Method::POST,
            "/__admin/marks",
            json!({"name": "phase"}),
            "name",
        ),
        (Method::POST, "/__admin/orgs", org("o-new"), "id"),
        (
            Method::PUT,
            "/__admin/orgs/o-new/import",
            org("o-new"),
            "id",
        ),
        (
            Method::POST,
            "/__admin/orgs/o-new/import",
            org("o-new"),
            "id",
        ),
        (Method::POST, "/__admin/scenarios", scenario.clone(), "name"),
        (
            Method::POST,
            "/__admin/clock",
            json!({"advance": "1s"}),
            "advance",
        ),
        (
            Method::POST,
            "/__admin/expect",
            expectation.clone(),
            "version",
        ),
    ];
    for (method, path, good, key) in &bodies {
        for array in ["[]", "[null, null]", "[\"x\"]"] {
            refused(&app, method.clone(), path, array, "JSON object").await;
        }
        refused(&app, method.clone(), path, "42", "JSON object").await;
        refused(
            &app,
            method.clone(),
            path,
            &repeated(good, key),
            "duplicate key",
        )
        .await;
        let extra = with(good.clone(), "", "bogusField", json!(1)).to_string();
        let (s, b) = send(&app, method.clone(), path, &extra).await;
        assert_platform_error(s, &b, 400, "bad.request");
        assert!(
            b["message"].as_str().unwrap().contains("bogusField"),
            "{path}: {b}"
        );
    }
    // Nested documents the org routes read refuse unknown fields too.
    for (pointer, key, value) in [
        ("/limits", "bogusLimit", json!(1)),
        ("/groups/0", "bogusGroupField", json!(1)),
        ("/users/0", "bogusUserField", json!(1)),
        ("/divisions/0", "bogusDivisionField", json!(1)),
        ("/roles/0", "bogusRoleField", json!(1)),
        (
            "",
            "oauthClients",
            json!([{"id": "c", "secret": "s", "bogusClientField": 1}]),
        ),
        (
            "",
            "rateLimits",
            json!([{"name": "n", "scope": "org", "perMinute": 5, "bogusLayerField": 1}]),
        ),
    ] {
        let mut doc = org("o-new");
        if pointer == "/limits" && doc.get("limits").is_none() {
            doc["limits"] = json!({});
        }
        let doc = with(doc, pointer, key, value.clone());
        let name = match key {
            "oauthClients" => "bogusClientField",
            "rateLimits" => "bogusLayerField",
            other => other,
        };
        refused(&app, Method::POST, "/__admin/orgs", &doc.to_string(), name).await;
    }
    // Fields of the wrong type that a route reads itself.
    let mut bad_id = org("o-new");
    bad_id["id"] = json!({});
    refused(
        &app,
        Method::PUT,
        "/__admin/orgs/o-new/import",
        &bad_id.to_string(),
        "id",
    )
    .await;
    let bad_schema = with(expectation.clone(), "", "$schema", json!({}));
    refused(
        &app,
        Method::POST,
        "/__admin/expect",
        &bad_schema.to_string(),
        "$schema",
    )
    .await;
    // Nested scenario and expectation fields.
    let bad_rule = with(scenario.clone(), "/rules/0", "bogusRuleField", json!(1));
    refused(
        &app,
        Method::POST,
        "/__admin/scenarios",
        &bad_rule.to_string(),
        "bogusRuleField",
    )
    .await;
    let bad_org = with(expectation.clone(), "/orgs/0", "bogusOrgField", json!(1));
    refused(
        &app,
        Method::POST,
        "/__admin/expect",
        &bad_org.to_string(),
        "bogusOrgField",
    )
    .await;

    // Routes without a body take blank or `{}`, nothing else; and no unknown parameter.
    for (method, path) in [
        (Method::POST, "/__admin/reset"),
        (Method::POST, "/__admin/scenarios/reset"),
        (Method::DELETE, "/__admin/requests"),
    ] {
        refused(
            &app,
            method.clone(),
            path,
            r#"{"org": "default"}"#,
            "no body fields",
        )
        .await;
        refused(&app, method.clone(), path, "[]", "JSON object").await;
        refused(
            &app,
            method.clone(),
            &format!("{path}?bogusParam=1"),
            "",
            "bogusParam",
        )
        .await;
        refused(&app, method.clone(), path, " \n", "JSON").await;
        for ok in ["", "{}"] {
            let (s, b) = send(&app, method.clone(), path, ok).await;
            assert_eq!(s, 204, "{method} {path} {ok:?}: {b}");
        }
    }
    refused(
        &app,
        Method::POST,
        "/__admin/requests/count?bogusParam=1",
        "",
        "bogusParam",
    )
    .await;

    // Nothing above changed anything: no org, scenario or mark was made, the clock stood.
    let (_, orgs) = app.get_json("/__admin/orgs").await;
    assert_eq!(orgs["orgs"], json!(["default"]));
    let (_, scenarios) = app.get_json("/__admin/scenarios").await;
    assert_eq!(scenarios["scenarios"], json!([]));
    let (_, marks) = app.get_json("/__admin/marks").await;
    assert_eq!(marks["marks"], json!([]));
}

#[tokio::test]
async fn a_blank_count_body_still_counts_everything() {
    let app = spawn_app().await;
    app.get("/__admin/orgs").send().await.unwrap();
    let (s, b) = send(&app, reqwest::Method::POST, "/__admin/requests/count", "").await;
    assert_eq!(s, 200, "{b}");
    assert!(b["count"].as_u64().unwrap() >= 1, "{b}");
}
