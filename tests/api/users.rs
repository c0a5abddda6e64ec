//! SCIM Users over real HTTP: CRUD, lists, filters, versions, errors.

use crate::helpers::*;
use serde_json::{Value, json};

fn new_user(name: &str) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name, "displayName": "New Person"})
}

#[tokio::test]
async fn create_answers_201_with_location_etag_and_meta() {
    let app = spawn_app().await;
    let resp = app
        .post_json(&format!("{SCIM}/Users"), &new_user("new@example.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    assert_eq!(resp.headers()["content-type"], "application/scim+json");
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    let body: Value = resp.json().await.unwrap();
    let id = body["id"].as_str().unwrap();
    assert_eq!(location, app.url(&format!("{SCIM}/Users/{id}")));
    assert_eq!(body["meta"]["location"], location);
    assert_eq!(body["meta"]["resourceType"], "User");
    assert_eq!(
        etag,
        format!("\"{}\"", body["meta"]["version"].as_str().unwrap())
    );
    assert!(
        body["meta"]["lastModified"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    assert_eq!(body["active"], true);
}

#[tokio::test]
async fn duplicate_user_name_is_409_uniqueness_case_insensitively() {
    let app = spawn_app().await;
    let resp = app
        .post_json(
            &format!("{SCIM}/Users"),
            &new_user("JAMES.SMITH@example.com"),
        )
        .send()
        .await
        .unwrap();
    let (s, b) = status_json(resp).await;
    assert_scim_error(s, &b, 409, Some("uniqueness"));
}

#[tokio::test]
async fn get_by_id_and_unknown_id() {
    let app = spawn_app().await;
    let (s, b) = status_json(
        app.get(&format!("{SCIM}/Users/{JAMES}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(b["userName"], "james.smith@example.com");
    let (s, b) = status_json(app.get(&format!("{SCIM}/Users/nope")).send().await.unwrap()).await;
    assert_scim_error(s, &b, 404, None);
}

#[tokio::test]
async fn legacy_tree_capitalisation_and_trailing_slash_all_route() {
    let app = spawn_app().await;
    for path in [
        format!("/api/v2/scim/users/{JAMES}"),
        format!("/api/v2/scim/v2/users/{JAMES}/"),
        format!("/api/v2/scim/v2/USERS/{JAMES}"),
        format!("/api/v2/scim/Users/{JAMES}"),
    ] {
        let (s, b) = status_json(app.get(&path).send().await.unwrap()).await;
        assert_eq!(s, 200, "{path}");
        assert_eq!(b["id"], JAMES);
    }
    let (_, b) = status_json(
        app.get(&format!("/api/v2/scim/users/{JAMES}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        b["meta"]["location"]
            .as_str()
            .unwrap()
            .contains("/api/v2/scim/Users/")
    );
}

#[tokio::test]
async fn list_pages_are_one_based_with_correct_totals() {
    let app = spawn_app().await;
    let get = |q: &'static str| app.get(&format!("{SCIM}/Users?{q}")).send();
    let (_, b) = status_json(get("startIndex=2&count=2").await.unwrap()).await;
    assert_eq!(
        (
            b["totalResults"].as_u64(),
            b["itemsPerPage"].as_u64(),
            b["startIndex"].as_u64()
        ),
        (Some(4), Some(2), Some(2))
    );
    assert_eq!(b["Resources"][0]["id"], JAMES);
    let (_, b) = status_json(get("count=0").await.unwrap()).await;
    assert_eq!(b["totalResults"], 4);
    assert_eq!(b["Resources"].as_array().unwrap().len(), 0);
    let (_, b) = status_json(get("startIndex=50").await.unwrap()).await;
    assert_eq!(b["totalResults"], 4);
    assert_eq!(b["Resources"].as_array().unwrap().len(), 0);
    let (s, b) = status_json(get("count=abc").await.unwrap()).await;
    assert_scim_error(s, &b, 400, Some("invalidValue"));
}

#[tokio::test]
async fn default_count_is_25() {
    let app = spawn_app().await;
    for i in 0..30 {
        app.create_user(&new_user(&format!("bulk{i}@example.com")))
            .await;
    }
    let (_, b) = status_json(app.get(&format!("{SCIM}/Users")).send().await.unwrap()).await;
    assert_eq!(b["totalResults"], 34);
    assert_eq!(b["itemsPerPage"], 25);
}

#[tokio::test]
async fn no_filter_lists_only_active_and_active_eq_false_lists_inactive() {
    let app = spawn_app().await;
    let ids = |b: &Value| -> Vec<String> {
        b["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, b) = status_json(app.get(&format!("{SCIM}/Users")).send().await.unwrap()).await;
    assert!(!ids(&b).contains(&OLIVIA.to_owned()));
    let (_, b) = status_json(
        app.get(&format!("{SCIM}/Users?filter=active+eq+false"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(ids(&b), vec![OLIVIA.to_owned()]);
    // A filter that names a user finds it even when inactive.
    let (_, b) = status_json(
        app.get(&format!(
            "{SCIM}/Users?filter=userName%20eq%20%22olivia.brown@example.com%22"
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(ids(&b), vec![OLIVIA.to_owned()]);
}

#[tokio::test]
async fn eq_filters_on_user_name_id_external_id_quoted_unquoted_plus_and_percent20() {
    let app = spawn_app().await;
    for q in [
        "filter=userName+eq+%22james.smith@example.com%22",
        "filter=userName%20eq%20%22JAMES.SMITH@example.com%22",
        "filter=userName+eq+james.smith@example.com",
        "filter=username+EQ+james.smith%40example.com",
        &format!("filter=id+eq+{JAMES}"),
        "filter=externalId+eq+%22emp-0002%22",
        "filter=externalId+eq+emp-0002",
    ] {
        let (s, b) = status_json(app.get(&format!("{SCIM}/Users?{q}")).send().await.unwrap()).await;
        assert_eq!(s, 200, "{q}: {b}");
        assert_eq!(b["totalResults"], 1, "{q}: {b}");
        assert_eq!(b["Resources"][0]["id"], JAMES, "{q}");
    }
    // externalId is case-exact.
    let (_, b) = status_json(
        app.get(&format!("{SCIM}/Users?filter=externalId+eq+EMP-0002"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(b["totalResults"], 0);
}

#[tokio::test]
async fn malformed_and_unsupported_filters_are_400_invalid_filter() {
    let app = spawn_app().await;
    for q in [
        "userName+eq",
        "userName+zz+%22x%22",
        "(userName+eq+%22x%22",
        "title+co+%22Agent%22",
    ] {
        let (s, b) = status_json(
            app.get(&format!("{SCIM}/Users?filter={q}"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_scim_error(s, &b, 400, Some("invalidFilter"));
    }
}

#[tokio::test]
async fn put_replaces_and_bumps_the_version() {
    let app = spawn_app().await;
    let body = json!({"userName": "lucas.martin@example.com", "displayName": "Lucas M.", "title": "Lead", "active": true});
    let (s, b) = status_json(
        app.put_json(&format!("{SCIM}/Users/{LUCAS}"), &body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["displayName"], "Lucas M.");
    assert_eq!(b["title"], "Lead");
    assert_eq!(b["meta"]["version"], "2");
    // Omitted read-write attributes are cleared by a replace.
    assert!(
        b["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]
            .get("department")
            .is_none()
    );
}

#[tokio::test]
async fn patch_simple_paths_with_any_op_case() {
    let app = spawn_app().await;
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
        {"op": "Replace", "path": "title", "value": "Senior Agent"},
        {"op": "add", "path": "displayName", "value": "Jim Smith"},
        {"op": "REMOVE", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"},
        {"op": "Replace", "path": "active", "value": "False"}
    ]});
    let (s, b) = status_json(
        app.patch_json(&format!("{SCIM}/Users/{JAMES}"), &body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["title"], "Senior Agent");
    assert_eq!(b["displayName"], "Jim Smith");
    assert_eq!(b["active"], false);
    assert!(
        b["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]
            .get("department")
            .is_none()
    );
}

#[tokio::test]
async fn delete_is_soft_gets_404_and_leaves_lists() {
    let app = spawn_app().await;
    let resp = app
        .delete(&format!("{SCIM}/Users/{AIKO}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let (s, b) = status_json(
        app.get(&format!("{SCIM}/Users/{AIKO}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_scim_error(s, &b, 404, None);
    let (_, b) = status_json(
        app.get(&format!(
            "{SCIM}/Users?filter=userName+eq+%22aiko.tanaka@example.com%22"
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(b["totalResults"], 0);
    let (_, b) = status_json(app.get(&format!("{SCIM}/Users")).send().await.unwrap()).await;
    assert_eq!(b["totalResults"], 3);
    // The platform still has the record, as deleted: read with `state=deleted`.
    let (_, b) = status_json(
        app.get(&format!("/api/v2/users/{AIKO}?state=deleted"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(b["state"], "deleted");
    let resp = app
        .delete(&format!("{SCIM}/Users/{AIKO}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn if_none_match_gives_304_and_if_match_mismatch_gives_400_invalid_vers() {
    let app = spawn_app().await;
    let url = format!("{SCIM}/Users/{JAMES}");
    let resp = app
        .get(&url)
        .header("if-none-match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 304);
    assert_eq!(resp.headers()["etag"], "\"1\"");
    let resp = app
        .get(&url)
        .header("if-none-match", "\"7\"")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body = json!({"Operations": [{"op": "replace", "path": "title", "value": "x"}]});
    let (s, b) = status_json(
        app.patch_json(&url, &body)
            .header("if-match", "\"9\"")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_scim_error(s, &b, 400, Some("invalidVers"));
    let (s, _) = status_json(
        app.patch_json(&url, &body)
            .header("if-match", "W/\"1\"")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    let resp = app
        .delete(&url)
        .header("if-match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400, "version is 2 now");
}

#[tokio::test]
async fn version_mismatch_status_is_a_switch() {
    let mut config = test_config();
    config.compat.set("version-mismatch-status", "412").unwrap();
    let app = spawn_with(config).await;
    let body = json!({"Operations": [{"op": "replace", "path": "title", "value": "x"}]});
    let (s, b) = status_json(
        app.patch_json(&format!("{SCIM}/Users/{JAMES}"), &body)
            .header("if-match", "\"9\"")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_scim_error(s, &b, 412, Some("invalidVers"));
}

#[tokio::test]
async fn version_bumps_only_on_real_change() {
    let app = spawn_app().await;
    let url = format!("{SCIM}/Users/{JAMES}");
    let same =
        json!({"Operations": [{"op": "replace", "path": "title", "value": "Billing Agent"}]});
    let (_, b) = status_json(app.patch_json(&url, &same).send().await.unwrap()).await;
    assert_eq!(b["meta"]["version"], "1");
    let diff = json!({"Operations": [{"op": "replace", "path": "title", "value": "Other"}]});
    let (_, b) = status_json(app.patch_json(&url, &diff).send().await.unwrap()).await;
    assert_eq!(b["meta"]["version"], "2");
}

#[tokio::test]
async fn bad_bodies_get_clear_400s_413_and_415() {
    let app = spawn_app().await;
    let url = app.url(&format!("{SCIM}/Users"));
    let send = |body: &'static str, ct: &'static str| {
        app.client
            .post(&url)
            .bearer_auth(&app.token)
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let (s, b) = status_json(send("{\"userName\": ", "application/json").await.unwrap()).await;
    assert_scim_error(s, &b, 400, Some("invalidSyntax"));
    assert!(b["detail"].as_str().unwrap().contains("line"));
    let (s, b) = status_json(send("[1,2]", "application/json").await.unwrap()).await;
    assert_scim_error(s, &b, 400, Some("invalidSyntax"));
    let (s, b) = status_json(
        send(
            "{\"userName\": 5, \"displayName\": \"x\"}",
            "application/scim+json",
        )
        .await
        .unwrap(),
    )
    .await;
    assert_scim_error(s, &b, 400, Some("invalidValue"));
    assert!(b["detail"].as_str().unwrap().contains("userName"));
    let (s, b) = status_json(
        send("{\"displayName\": \"x\"}", "application/json")
            .await
            .unwrap(),
    )
    .await;
    assert_scim_error(s, &b, 400, Some("invalidValue"));
    let (s, b) = status_json(send("userName=x", "text/plain").await.unwrap()).await;
    assert_eq!(s, 415, "{b}");
    let big = format!("{{\"userName\": \"{}\"}}", "a".repeat(600_000));
    let resp = app
        .client
        .post(&url)
        .bearer_auth(&app.token)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    let (s, b) = status_json(resp).await;
    assert_eq!(s, 413, "{b}");
    assert!(b["detail"].as_str().unwrap().contains("512000"));
}

#[tokio::test]
async fn unknown_paths_and_wrong_methods_are_distinct() {
    let app = spawn_app().await;
    let (s, b) = status_json(app.get(&format!("{SCIM}/Bulk")).send().await.unwrap()).await;
    assert_scim_error(s, &b, 404, None);
    let resp = app
        .put_json(&format!("{SCIM}/Users"), &json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    assert_eq!(resp.headers()["allow"], "GET, POST");
}

#[tokio::test]
async fn a_claimed_external_id_is_409_uniqueness_on_scim() {
    let app = spawn_app().await;
    let body =
        json!({"userName": "dup@example.com", "displayName": "Dup", "externalId": "emp-0002"});
    let (s, b) = status_json(
        app.post_json(&format!("{SCIM}/Users"), &body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_scim_error(s, &b, 409, Some("uniqueness"));
}
