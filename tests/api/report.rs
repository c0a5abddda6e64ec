//! The client report: every rule broken by a scripted client and kept by a well-behaved one,
//! the formats, marks, settings layers and bad input.

use crate::helpers::*;
use crate::scenarios::add_scenario;
use genesys_scim_mock::Config;
use serde_json::{Value, json};

const T0: &str = "2026-01-01T00:00:00.000Z";

/// A seeded server on a frozen clock, so timed rules read exact gaps.
pub fn frozen() -> Config {
    with(test_config(), |config| {
        config.clock = format!("frozen:{T0}")
    })
}

/// A server with the rfc filter profile, which accepts filters Genesys refuses.
fn rfc() -> Config {
    with(test_config(), |config| {
        // Only the filter profile: the other switches stay at their Genesys values.
        config.compat.profile = genesys_scim_mock::compat::Profile::Rfc
    })
}

/// `GET /__admin/report?{query}` as JSON, asserting 200.
pub async fn report(app: &TestApp, query: &str) -> Value {
    let (s, body) = report_raw(app, query).await;
    assert_eq!(s, 200, "{body}");
    body
}

async fn report_raw(app: &TestApp, query: &str) -> (u16, Value) {
    let resp = app
        .client
        .get(app.url(&format!("/__admin/report?{query}")))
        .send()
        .await
        .unwrap();
    status_json(resp).await
}

async fn report_text(app: &TestApp, query: &str) -> (u16, String, String) {
    let resp = app
        .client
        .get(app.url(&format!("/__admin/report?{query}")))
        .send()
        .await
        .unwrap();
    let s = resp.status().as_u16();
    let ct = resp.headers()["content-type"].to_str().unwrap().to_owned();
    (s, ct, resp.text().await.unwrap())
}

/// The result of one rule.
pub fn rule<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == id)
        .unwrap_or_else(|| panic!("no rule {id} in {r}"))
}

/// Asserts `id` failed, and returns its findings.
async fn broken(app: &TestApp, id: &str) -> Vec<Value> {
    broken_in(app, id, "").await
}

async fn broken_in(app: &TestApp, id: &str, query: &str) -> Vec<Value> {
    let r = report(app, query).await;
    let res = rule(&r, id);
    assert_eq!(res["status"], "failed", "{id} should fail: {res}");
    let f = res["findings"].as_array().unwrap().clone();
    assert!(!f.is_empty());
    for finding in &f {
        assert!(
            !finding["entries"].as_array().unwrap().is_empty(),
            "findings link entries: {finding}"
        );
    }
    f
}

/// Asserts `id` passed.
async fn kept(app: &TestApp, id: &str) {
    kept_in(app, id, "").await;
}

async fn kept_in(app: &TestApp, id: &str, query: &str) {
    let r = report(app, query).await;
    let res = rule(&r, id);
    assert_eq!(res["status"], "passed", "{id} should pass: {res}");
}

fn users() -> String {
    format!("{SCIM}/Users")
}

fn maria() -> String {
    format!("{SCIM}/Users/{MARIA}")
}

/// Asserts the first finding's message contains `text`.
fn says(findings: &[Value], text: &str) {
    let m = findings[0]["message"].as_str().unwrap();
    assert!(m.contains(text), "{text:?} not in {findings:?}");
}

async fn get(app: &TestApp, path: &str) -> u16 {
    app.get(path).send().await.unwrap().status().as_u16()
}

async fn advance(app: &TestApp, secs: u64) {
    app.advance_clock(chrono::Duration::seconds(secs as i64))
        .await;
}

async fn with_token(app: &TestApp, token: &str, path: &str) -> u16 {
    app.client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn user(name: &str) -> Value {
    json!({"userName": name, "displayName": name})
}

async fn patch(app: &TestApp, path: &str, ops: Value) -> u16 {
    let body =
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops});
    app.patch_json(path, &body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn mark(app: &TestApp, name: &str) {
    let resp = app
        .client
        .post(app.url("/__admin/marks"))
        .header("content-type", "application/json")
        .body(json!({"name": name}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
}

/// A server and a scripted client that breaks rule `id` (the scripts behind every
/// "is broken" test and every example finding in docs/report.md), and the report query the
/// rule needs.
pub async fn break_rule(id: &str) -> (TestApp, &'static str) {
    match id {
        "retry-after" => {
            let app = spawn_with(throttled()).await;
            for _ in 0..3 {
                get(&app, &users()).await;
            }
            advance(&app, 10).await;
            assert_eq!(get(&app, &users()).await, 429);
            (app, "")
        }
        "lost-write" => {
            let app = spawn_with(frozen()).await;
            fail_creates(&app, 1).await;
            let (s, _) = status_json(
                app.post_json(&users(), &user("lost@example.com"))
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!(s, 503);
            get(&app, &format!("{SCIM}/Groups")).await;
            (app, "")
        }
        "retry-storm" => {
            let app = spawn_with(frozen()).await;
            fail_creates(&app, 100).await;
            for _ in 0..5 {
                app.post_json(&users(), &user("storm@example.com"))
                    .send()
                    .await
                    .unwrap();
            }
            (app, "")
        }
        "token-churn" => {
            let app = spawn_with(frozen()).await;
            for _ in 0..4 {
                let t = app.token_for(CLIENT_ID, CLIENT_SECRET).await;
                assert_eq!(with_token(&app, &t, &users()).await, 200);
                advance(&app, 30).await;
            }
            (app, "")
        }
        "expired-token-reuse" => {
            let app = spawn_with(frozen()).await;
            advance(&app, 86_401).await;
            assert_eq!(get(&app, &users()).await, 401);
            assert_eq!(get(&app, &users()).await, 401);
            (app, "")
        }
        "page-size" => {
            let app = spawn_app().await;
            get(&app, &format!("{}?count=100", users())).await;
            (app, "")
        }
        "incomplete-page-walk" => {
            let app = spawn_app().await;
            ten_active_users(&app).await;
            get(&app, &format!("{}?count=3", users())).await;
            (app, "")
        }
        "undocumented-filter" => {
            let app = spawn_with(rfc()).await;
            // Accepted by the rfc profile, refused by Genesys.
            assert_eq!(
                get(
                    &app,
                    &format!("{}?filter=title%20eq%20%22Agent%22", users())
                )
                .await,
                200
            );
            (app, "")
        }
        "extension-path-without-urn" => {
            let app = spawn_app().await;
            patch(
                &app,
                &maria(),
                json!([{"op": "replace", "path": "department", "value": "Ops"}]),
            )
            .await;
            (app, "")
        }
        "patch-without-patchop-schema" => {
            let app = spawn_app().await;
            let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "Operations": [{"op": "replace", "path": "title", "value": "Lead"}]});
            app.patch_json(&maria(), &body).send().await.unwrap();
            (app, "")
        }
        "group-create-or-delete" => {
            let app = spawn_app().await;
            let s = app
                .post_json(&format!("{SCIM}/Groups"), &json!({"displayName": "New"}))
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(s, 405);
            app.delete(&format!("{SCIM}/Groups/{SALES_TEAM}"))
                .send()
                .await
                .unwrap();
            (app, "")
        }
        "dropped-attributes" => {
            let app = spawn_app().await;
            for i in 0..2 {
                app.create_user(
                    &json!({"userName": format!("d{i}@example.com"), "displayName": "D",
                "name": {"givenName": "D"}, "locale": "fr-BE"}),
                )
                .await;
            }
            (app, "")
        }
        "read-only-write" => {
            let app = spawn_app().await;
            app.create_user(&json!({"userName": "ro@example.com", "displayName": "Ro",
            "groups": [{"value": SALES_TEAM}]}))
                .await;
            patch(
                &app,
                &format!("{SCIM}/Groups/{SALES_TEAM}"),
                json!([{"op": "replace", "path": "displayName", "value": "X"}]),
            )
            .await;
            (app, "")
        }
        "create-without-lookup" => {
            let app = spawn_app().await;
            app.create_user(&user("dup@example.com")).await;
            let s = app
                .post_json(&users(), &user("dup@example.com"))
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(s, 409);
            (app, "")
        }
        "groups-before-users" => {
            let app = spawn_app().await;
            let u = app.create_user(&user("early@example.com")).await;
            let id = u["id"].as_str().unwrap().to_owned();
            app.delete(&format!("{}/{id}", users()))
                .send()
                .await
                .unwrap();
            patch(
                &app,
                &format!("{SCIM}/Groups/{SALES_TEAM}"),
                json!([{"op": "add", "path": "members", "value": [{"value": id}]}]),
            )
            .await;
            // Creating the deleted userName again revives the same id (revive-deleted).
            let again = app.create_user(&user("early@example.com")).await;
            assert_eq!(again["id"], id.as_str());
            (app, "")
        }
        "version-conflict-blind-retry" => {
            let app = spawn_app().await;
            let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "title", "value": "Lead"}]});
            for _ in 0..2 {
                let s = app
                    .patch_json(&maria(), &body)
                    .header("if-match", "\"999\"")
                    .send()
                    .await
                    .unwrap()
                    .status();
                assert_eq!(s, 400);
            }
            (app, "")
        }
        "repeated-after-403" => {
            let app = spawn_app().await;
            let token = viewer(&app).await;
            for _ in 0..3 {
                assert_eq!(create_as(&app, &token, "r403@example.com").await, 403);
            }
            (app, "")
        }
        "raw-slash-authority" => {
            let app = spawn_app().await;
            get(
                &app,
                "/api/v2/users/externalid/https%3A//idp.example/fas/K1",
            )
            .await;
            (app, "")
        }
        "phone-not-e164" => {
            let app = spawn_app().await;
            app.post_json(
                &users(),
                &json!({"userName": "ph@example.com", "displayName": "Ph",
            "phoneNumbers": [{"type": "work", "value": "(317) 555-0199"}]}),
            )
            .send()
            .await
            .unwrap();
            (app, "")
        }
        "unauthenticated" => {
            let app = spawn_app().await;
            let resp = app.client.get(app.url(&users())).send().await.unwrap();
            assert_eq!(resp.status(), 401);
            (app, "")
        }
        "wrong-content-type" => {
            let app = spawn_app().await;
            app.client
                .post(app.url(&users()))
                .bearer_auth(&app.token)
                .header("content-type", "text/plain")
                .body(user("ct@example.com").to_string())
                .send()
                .await
                .unwrap();
            (app, "")
        }
        "not-idempotent" => {
            let app = spawn_app().await;
            mark(&app, "first sync").await;
            let u = app
                .create_user(
                    &json!({"userName": "idem@example.com", "displayName": "Idem", "title": "A"}),
                )
                .await;
            let path = format!("{}/{}", users(), u["id"].as_str().unwrap());
            mark(&app, "second sync").await;
            patch(
                &app,
                &path,
                json!([{"op": "replace", "path": "title", "value": "B"}]),
            )
            .await;
            app.post_json(&users(), &user("idem2@example.com"))
                .send()
                .await
                .unwrap();
            (app, "from=first%20sync&idempotent=second%20sync")
        }
        other => panic!("no script breaks {other}"),
    }
}

// ---- retry-after ----

fn throttled() -> Config {
    with(frozen(), |config| config.rate_limit_per_minute = Some(2))
}

#[tokio::test]
async fn retry_after_is_broken_by_a_client_that_comes_back_early() {
    let (app, query) = break_rule("retry-after").await;
    let f = broken_in(&app, "retry-after", query).await;
    says(&f, "Retry-After: 60");
    assert_eq!(f[0]["entries"][0]["status"], 429);
    assert_eq!(f[0]["entries"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn retry_after_is_kept_by_a_client_that_waits() {
    let app = spawn_with(throttled()).await;
    for _ in 0..3 {
        get(&app, &users()).await;
    }
    advance(&app, 60).await;
    assert_eq!(get(&app, &users()).await, 200);
    kept(&app, "retry-after").await;
}

// ---- lost-write, retry-storm ----

async fn fail_creates(app: &TestApp, first_n: u64) {
    add_scenario(
        app,
        &json!({"name": "outage", "rules": [{"name": "down", "when": {"route": "users.create"},
            "trigger": {"firstN": {"n": first_n}}, "then": {"respond": {"status": 503}}}]}),
    )
    .await;
}

#[tokio::test]
async fn lost_write_is_broken_by_a_client_that_moves_on_after_a_503() {
    let (app, query) = break_rule("lost-write").await;
    let f = broken_in(&app, "lost-write", query).await;
    says(&f, "lost@example.com");
}

#[tokio::test]
async fn lost_write_is_kept_by_a_client_that_retries_or_looks_up() {
    let app = spawn_with(frozen()).await;
    fail_creates(&app, 1).await;
    let failed = app
        .post_json(&users(), &user("retry@example.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status(), 503, "the scenario fails the first create");
    app.create_user(&user("retry@example.com")).await;
    fail_creates(&app, 1).await;
    let failed = app
        .post_json(&users(), &user("look@example.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status(), 503, "the scenario fails the second create");
    get(
        &app,
        &format!("{}?filter=userName%20eq%20%22look@example.com%22", users()),
    )
    .await;
    kept(&app, "lost-write").await;
}

#[tokio::test]
async fn retry_storm_is_broken_by_immediate_retries() {
    let (app, query) = break_rule("retry-storm").await;
    let f = broken_in(&app, "retry-storm", query).await;
    says(&f, "retried 4 times");
    // A higher threshold (query layer) accepts four retries.
    kept_in(&app, "retry-storm", "threshold=retry-storm:4").await;
}

#[tokio::test]
async fn retry_storm_is_kept_by_exponential_backoff() {
    let app = spawn_with(frozen()).await;
    fail_creates(&app, 100).await;
    for wait in [0, 1, 2, 4, 8, 16] {
        advance(&app, wait).await;
        app.post_json(&users(), &user("backoff@example.com"))
            .send()
            .await
            .unwrap();
    }
    kept(&app, "retry-storm").await;
}

// ---- tokens ----

#[tokio::test]
async fn token_churn_is_broken_by_a_token_per_request() {
    let (app, query) = break_rule("token-churn").await;
    let f = broken_in(&app, "token-churn", query).await;
    says(&f, "every request");
}

#[tokio::test]
async fn token_churn_is_broken_by_many_tokens_in_a_minute() {
    let app = spawn_with(frozen()).await;
    for _ in 0..12 {
        app.token_for(CLIENT_ID, CLIENT_SECRET).await;
    }
    let f = broken(&app, "token-churn").await;
    says(&f, "within one minute");
}

#[tokio::test]
async fn token_churn_is_kept_by_reusing_one_token() {
    let app = spawn_with(frozen()).await;
    for _ in 0..6 {
        get(&app, &users()).await;
        advance(&app, 30).await;
    }
    kept(&app, "token-churn").await;
}

#[tokio::test]
async fn expired_token_reuse_is_broken_by_resending_an_expired_token() {
    let (app, query) = break_rule("expired-token-reuse").await;
    let f = broken_in(&app, "expired-token-reuse", query).await;
    says(&f, "once");
}

#[tokio::test]
async fn expired_token_reuse_is_kept_by_renewing() {
    let app = spawn_with(frozen()).await;
    advance(&app, 86_401).await;
    assert_eq!(get(&app, &users()).await, 401);
    let t = app.token_for(CLIENT_ID, CLIENT_SECRET).await;
    assert_eq!(with_token(&app, &t, &users()).await, 200);
    kept(&app, "expired-token-reuse").await;
}

#[tokio::test]
async fn unauthenticated_is_broken_by_a_request_without_a_token() {
    let (app, query) = break_rule("unauthenticated").await;
    let f = broken_in(&app, "unauthenticated", query).await;
    says(&f, "users.list");
}

#[tokio::test]
async fn unauthenticated_is_kept_with_a_token() {
    let app = spawn_app().await;
    get(&app, &users()).await;
    kept(&app, "unauthenticated").await;
}

// ---- lists ----

#[tokio::test]
async fn page_size_is_broken_by_count_over_25() {
    let (app, query) = break_rule("page-size").await;
    let f = broken_in(&app, "page-size", query).await;
    says(&f, "count=100");
}

#[tokio::test]
async fn page_size_is_kept_at_25() {
    let app = spawn_app().await;
    get(&app, &format!("{}?count=25", users())).await;
    kept(&app, "page-size").await;
}

async fn ten_active_users(app: &TestApp) {
    for i in 0..6 {
        app.create_user(&user(&format!("walker{i}@example.com")))
            .await;
    }
}

#[tokio::test]
async fn incomplete_page_walk_is_broken_by_stopping_at_page_one() {
    let (app, query) = break_rule("incomplete-page-walk").await;
    let f = broken_in(&app, "incomplete-page-walk", query).await;
    says(&f, "never asked for startIndex=4");
}

#[tokio::test]
async fn incomplete_page_walk_is_broken_by_start_zero_skips_and_overlaps() {
    let app = spawn_app().await;
    ten_active_users(&app).await;
    for start in [0, 4, 3, 9, 10] {
        get(&app, &format!("{}?count=3&startIndex={start}", users())).await;
    }
    let f = broken(&app, "incomplete-page-walk").await;
    let all: Vec<&str> = f.iter().map(|x| x["message"].as_str().unwrap()).collect();
    assert!(all.iter().any(|m| m.contains("startIndex=0")), "{all:?}");
    assert!(all.iter().any(|m| m.contains("overlap")), "{all:?}");
    assert!(
        all.iter().any(|m| m.contains("skipped items 7 to 8")),
        "{all:?}"
    );
}

#[tokio::test]
async fn incomplete_page_walk_is_kept_by_walking_every_page() {
    let app = spawn_app().await;
    ten_active_users(&app).await;
    let mut start = 1;
    loop {
        let (_, page) = status_json(
            app.get(&format!("{}?count=3&startIndex={start}", users()))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let n = page["Resources"].as_array().unwrap().len() as u64;
        start += n;
        if n == 0 || start > page["totalResults"].as_u64().unwrap() {
            break;
        }
    }
    kept(&app, "incomplete-page-walk").await;
}

#[tokio::test]
async fn undocumented_filter_is_broken_and_names_the_part() {
    let (app, query) = break_rule("undocumented-filter").await;
    let f = broken_in(&app, "undocumented-filter", query).await;
    says(&f, "'title'");
}

#[tokio::test]
async fn undocumented_filter_is_kept_by_documented_filters() {
    let app = spawn_app().await;
    get(
        &app,
        &format!(
            "{}?filter=userName%20eq%20maria.garcia@example.com",
            users()
        ),
    )
    .await;
    get(
        &app,
        &format!("{SCIM}/Groups?filter=displayName%20eq%20%22Sales%20Team%22"),
    )
    .await;
    kept(&app, "undocumented-filter").await;
}

// ---- PATCH shape ----

#[tokio::test]
async fn extension_path_without_urn_is_broken_by_a_bare_extension_path() {
    let (app, query) = break_rule("extension-path-without-urn").await;
    let f = broken_in(&app, "extension-path-without-urn", query).await;
    says(
        &f,
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
    );
}

#[tokio::test]
async fn extension_path_without_urn_is_kept_with_the_urn() {
    let app = spawn_app().await;
    let s = patch(
        &app,
        &maria(),
        json!([{"op": "replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Ops"}]),
    )
    .await;
    assert_eq!(s, 200);
    kept(&app, "extension-path-without-urn").await;
}

#[tokio::test]
async fn patch_without_patchop_schema_is_broken_by_a_core_schema_patch() {
    let (app, query) = break_rule("patch-without-patchop-schema").await;
    broken_in(&app, "patch-without-patchop-schema", query).await;
}

#[tokio::test]
async fn patch_without_patchop_schema_is_kept_with_patchop() {
    let app = spawn_app().await;
    patch(
        &app,
        &maria(),
        json!([{"op": "replace", "path": "title", "value": "Lead"}]),
    )
    .await;
    kept(&app, "patch-without-patchop-schema").await;
}

// ---- groups ----

#[tokio::test]
async fn group_create_or_delete_is_broken_by_posting_a_group() {
    let (app, query) = break_rule("group-create-or-delete").await;
    let f = broken_in(&app, "group-create-or-delete", query).await;
    assert_eq!(f.len(), 2, "{f:?}");
}

#[tokio::test]
async fn group_create_or_delete_is_kept_by_membership_patches() {
    let app = spawn_app().await;
    let s = patch(
        &app,
        &format!("{SCIM}/Groups/{SALES_TEAM}"),
        json!([{"op": "add", "path": "members", "value": [{"value": JAMES}]}]),
    )
    .await;
    assert_eq!(s, 200);
    kept(&app, "group-create-or-delete").await;
}

#[tokio::test]
async fn groups_before_users_is_broken_by_a_membership_before_its_user() {
    let (app, query) = break_rule("groups-before-users").await;
    let f = broken_in(&app, "groups-before-users", query).await;
    says(&f, "early@example.com");
}

#[tokio::test]
async fn groups_before_users_is_kept_by_users_first() {
    let app = spawn_app().await;
    let u = app.create_user(&user("first@example.com")).await;
    let s = patch(
        &app,
        &format!("{SCIM}/Groups/{SALES_TEAM}"),
        json!([{"op": "add", "path": "members", "value": [{"value": u["id"]}]}]),
    )
    .await;
    assert_eq!(s, 200);
    kept(&app, "groups-before-users").await;
}

// ---- attributes ----

#[tokio::test]
async fn dropped_attributes_are_listed_with_how_often() {
    let (app, query) = break_rule("dropped-attributes").await;
    let f = broken_in(&app, "dropped-attributes", query).await;
    let msgs: Vec<&str> = f.iter().map(|x| x["message"].as_str().unwrap()).collect();
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("name: sent on 2 requests")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("locale: sent on 2 requests")),
        "{msgs:?}"
    );
}

#[tokio::test]
async fn dropped_attributes_are_kept_by_supported_attributes_only() {
    let app = spawn_app().await;
    app.create_user(&json!({"userName": "ok@example.com", "displayName": "Ok", "title": "Agent"}))
        .await;
    kept(&app, "dropped-attributes").await;
}

#[tokio::test]
async fn read_only_write_is_broken_by_user_groups_and_group_display_names() {
    let (app, query) = break_rule("read-only-write").await;
    let f = broken_in(&app, "read-only-write", query).await;
    let msgs: Vec<&str> = f.iter().map(|x| x["message"].as_str().unwrap()).collect();
    assert!(
        msgs.iter().any(|m| m.starts_with("groups is read-only")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("displayName is read-only")),
        "{msgs:?}"
    );
}

#[tokio::test]
async fn read_only_write_is_kept_by_writable_attributes() {
    let app = spawn_app().await;
    let u = app.create_user(&user("rw@example.com")).await;
    // Echoing id and meta back on PUT is harmless.
    let mut put = u.clone();
    put["title"] = json!("Agent");
    app.put_json(&format!("{}/{}", users(), u["id"].as_str().unwrap()), &put)
        .send()
        .await
        .unwrap();
    kept(&app, "read-only-write").await;
}

#[tokio::test]
async fn phone_not_e164_is_broken_by_a_local_format_number() {
    let (app, query) = break_rule("phone-not-e164").await;
    let f = broken_in(&app, "phone-not-e164", query).await;
    says(&f, "(317) 555-0199");
}

#[tokio::test]
async fn phone_not_e164_is_kept_by_e164_and_tel_uris() {
    let app = spawn_app().await;
    app.create_user(&json!({"userName": "ph@example.com", "displayName": "Ph",
        "phoneNumbers": [{"type": "work", "value": "+13175550199"}, {"type": "work2", "value": "tel:+13175550100;ext=42"}]}))
        .await;
    kept(&app, "phone-not-e164").await;
}

// ---- workflow ----

#[tokio::test]
async fn create_without_lookup_is_broken_by_a_blind_create() {
    let (app, query) = break_rule("create-without-lookup").await;
    let f = broken_in(&app, "create-without-lookup", query).await;
    says(&f, "never looked dup@example.com up");
}

#[tokio::test]
async fn create_without_lookup_is_kept_by_lookup_then_patch() {
    let app = spawn_app().await;
    app.create_user(&user("dup@example.com")).await;
    let (_, found) = status_json(
        app.get(&format!(
            "{}?filter=userName%20eq%20%22dup@example.com%22",
            users()
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    let id = found["Resources"][0]["id"].as_str().unwrap().to_owned();
    patch(
        &app,
        &format!("{}/{id}", users()),
        json!([{"op": "replace", "path": "title", "value": "Lead"}]),
    )
    .await;
    kept(&app, "create-without-lookup").await;
}

#[tokio::test]
async fn version_conflict_blind_retry_is_broken_by_resending_a_stale_if_match() {
    let (app, query) = break_rule("version-conflict-blind-retry").await;
    let f = broken_in(&app, "version-conflict-blind-retry", query).await;
    says(&f, "If-Match 999");
}

#[tokio::test]
async fn version_conflict_blind_retry_is_kept_by_reading_first() {
    let app = spawn_app().await;
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "title", "value": "Lead"}]});
    let path = format!("{}/{MARIA}", users());
    app.patch_json(&path, &body)
        .header("if-match", "\"999\"")
        .send()
        .await
        .unwrap();
    let resp = app.get(&path).send().await.unwrap();
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    let s = app
        .patch_json(&path, &body)
        .header("if-match", etag)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(s, 200);
    kept(&app, "version-conflict-blind-retry").await;
}

/// An org whose one OAuth client may only view users (`directory:user:view`), and a token
/// for that client.
pub async fn viewer(app: &TestApp) -> String {
    let org = json!({
        "id": "viewer-org",
        "divisions": [{"id": "d-home", "name": "Home"}],
        "roles": [{"id": "r-emp", "name": "employee"},
                  {"id": "r-view", "name": "Viewer", "permissions": ["directory:user:view"]},
                  {"id": "r-prov", "name": "Provisioning", "permissions": ["directory:user:*"]}],
        "oauthClients": [{"id": "viewer", "secret": "viewer-secret",
            "roleDivisions": [{"role": "Viewer", "division": "*"}]}]
    });
    let resp = app
        .admin(reqwest::Method::POST, "/__admin/orgs")
        .json(&org)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    app.token_for("viewer", "viewer-secret").await
}

/// `POST /Users` of a minimal user with `token`; the status.
pub async fn create_as(app: &TestApp, token: &str, user_name: &str) -> u16 {
    app.client
        .post(app.url(&users()))
        .bearer_auth(token)
        .json(&user(user_name))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn repeated_after_403_is_broken_by_resending_a_refused_create() {
    let (app, query) = break_rule("repeated-after-403").await;
    let f = broken_in(&app, "repeated-after-403", query).await;
    assert_eq!(f.len(), 1, "{f:?}");
    says(&f, "missing any of: directory:user:add");
    says(&f, "2 more times unchanged");
    assert_eq!(f[0]["entries"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn repeated_after_403_is_kept_by_a_client_that_changes_the_request_or_stops() {
    let app = spawn_app().await;
    let token = viewer(&app).await;
    assert_eq!(create_as(&app, &token, "a403@example.com").await, 403);
    // A different request is not a repeat, and reads stay allowed.
    assert_eq!(create_as(&app, &token, "b403@example.com").await, 403);
    let s = app
        .client
        .get(app.url(&users()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(s, 200);
    kept(&app, "repeated-after-403").await;
    // The same request again once an admin granted the role is not a blind repeat.
    let resp = app
        .admin(
            reqwest::Method::PUT,
            "/__admin/orgs/viewer-org/clients/viewer/roleDivisions",
        )
        .json(&json!({"roleDivisions": [{"role": "Provisioning", "division": "*"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(create_as(&app, &token, "b403@example.com").await, 201);
    kept(&app, "repeated-after-403").await;
}

#[tokio::test]
async fn not_idempotent_is_broken_by_a_second_run_that_writes() {
    let (app, query) = break_rule("not-idempotent").await;
    let f = broken_in(&app, "not-idempotent", query).await;
    assert_eq!(f.len(), 2, "{f:?}");
    says(&f, "version 1 → 2");
}

#[tokio::test]
async fn not_idempotent_is_kept_by_a_second_run_that_changes_nothing() {
    let app = spawn_app().await;
    mark(&app, "first sync").await;
    let u = app
        .create_user(&json!({"userName": "idem@example.com", "displayName": "Idem", "title": "A"}))
        .await;
    let path = format!("{}/{}", users(), u["id"].as_str().unwrap());
    mark(&app, "second sync").await;
    get(
        &app,
        &format!("{}?filter=userName%20eq%20idem@example.com", users()),
    )
    .await;
    let s = patch(
        &app,
        &path,
        json!([{"op": "replace", "path": "title", "value": "A"}]),
    )
    .await;
    assert_eq!(s, 200);
    kept_in(
        &app,
        "not-idempotent",
        "from=first%20sync&idempotent=second%20sync",
    )
    .await;
    // Without the mark the rule cannot run, and says so.
    let r = report(&app, "").await;
    assert_eq!(rule(&r, "not-idempotent")["status"], "notApplicable");
}

// ---- wire ----

#[tokio::test]
async fn raw_slash_authority_is_broken_and_names_the_encoded_form() {
    let (app, query) = break_rule("raw-slash-authority").await;
    let f = broken_in(&app, "raw-slash-authority", query).await;
    says(
        &f,
        "/api/v2/users/externalid/https%3A%2F%2Fidp.example%2Ffas/K1",
    );
}

#[tokio::test]
async fn raw_slash_authority_is_kept_by_encoding() {
    let app = spawn_app().await;
    get(
        &app,
        "/api/v2/users/externalid/https%3A%2F%2Fidp.example%2Ffas/K1",
    )
    .await;
    kept(&app, "raw-slash-authority").await;
}

#[tokio::test]
async fn wrong_content_type_is_broken_by_text_plain() {
    let (app, query) = break_rule("wrong-content-type").await;
    let f = broken_in(&app, "wrong-content-type", query).await;
    says(&f, "text/plain");
}

#[tokio::test]
async fn wrong_content_type_is_kept_by_scim_json() {
    let app = spawn_app().await;
    app.create_user(&user("ct@example.com")).await;
    kept(&app, "wrong-content-type").await;
}

// ---- formats, scope, settings, bad input ----

/// A client that breaks a few rules at once.
async fn sloppy_client(app: &TestApp) {
    get(app, &format!("{}?count=100", users())).await;
    app.post_json(
        &format!("{SCIM}/Groups"),
        &json!({"displayName": "New <&> \"x\""}),
    )
    .send()
    .await
    .unwrap();
}

#[tokio::test]
async fn one_model_renders_as_json_junit_markdown_and_sarif() {
    let app = spawn_app().await;
    sloppy_client(&app).await;
    let (s, ct, xml) = report_text(&app, "format=junit").await;
    assert_eq!((s, ct.as_str()), (200, "application/xml"));
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
        "{xml}"
    );
    // One case per rule; only the error-level rule fails at the default fail-on=error.
    let doc = quick_junit::Report::deserialize_from_str(&xml).expect("well-formed JUnit");
    assert_eq!((doc.tests, doc.failures, doc.errors), (22, 1, 0), "{xml}");
    let cases = &doc.test_suites[0].test_cases;
    let failed: Vec<&str> = cases
        .iter()
        .filter(|c| matches!(c.status, quick_junit::TestCaseStatus::NonSuccess { .. }))
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(failed, ["group-create-or-delete"], "{xml}");
    assert!(
        xml.contains(r#"<failure message="A group create or delete through SCIM"#),
        "{xml}"
    );
    assert!(
        xml.contains("/__admin/requests?seq="),
        "findings link entries: {xml}"
    );
    let (_, _, xml) = report_text(&app, "format=junit&fail-on=warning").await;
    let doc = quick_junit::Report::deserialize_from_str(&xml).unwrap();
    assert_eq!(doc.failures, 2, "{xml}");

    let (_, ct, md) = report_text(&app, "format=markdown").await;
    assert!(ct.starts_with("text/markdown"));
    assert!(
        md.contains("| 🔴 error | `group-create-or-delete` | 1 |"),
        "{md}"
    );
    assert!(md.contains("| 🟠 warning | `page-size` | 1 |"), "{md}");
    assert!(
        md.contains("### `group-create-or-delete` (fails the build)"),
        "{md}"
    );

    let (_, ct, sarif) = report_text(&app, "format=sarif").await;
    assert_eq!(ct, "application/sarif+json");
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let ids: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["page-size", "group-create-or-delete"]);
    assert_eq!(
        sarif["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .len(),
        22
    );

    let j = report(&app, "").await;
    assert_eq!(j["summary"]["failed"], 2, "{j}");
    assert_eq!(j["summary"]["errors"], 1);
    assert_eq!(j["summary"]["warnings"], 1);
    assert_eq!(j["scope"]["complete"], true);
    let seq = rule(&j, "page-size")["findings"][0]["entries"][0]["seq"]
        .as_u64()
        .unwrap();
    let (s, e) = status_json(
        app.client
            .get(app.url(&format!("/__admin/requests?seq={seq}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        e["requests"][0]["query"], "count=100",
        "the link leads to the entry: {e}"
    );
}

#[tokio::test]
async fn rules_can_be_selected_and_relevelled_by_query() {
    let app = spawn_app().await;
    sloppy_client(&app).await;
    let r = report(&app, "rules=page-size").await;
    assert_eq!(rule(&r, "group-create-or-delete")["status"], "off");
    assert_eq!(rule(&r, "page-size")["status"], "failed");
    let r = report(&app, "level=page-size:error,group-create-or-delete:off").await;
    assert_eq!(rule(&r, "page-size")["severity"], "error");
    assert_eq!(rule(&r, "group-create-or-delete")["status"], "off");
    assert_eq!(r["summary"]["errors"], 1);
}

#[tokio::test]
async fn unknown_rules_formats_parameters_and_marks_get_400_naming_the_valid_ones() {
    let app = spawn_app().await;
    for (q, want) in [
        ("rules=retry-afterr", "valid rules: retry-after, lost-write"),
        ("level=page-size:loud", "error, warning, info or off"),
        ("level=nope:off", "valid rules: retry-after"),
        ("format=html", "use json, junit, markdown, sarif"),
        ("colour=red", "use format, org, from, to"),
        ("threshold=storm:1", "retry-storm, token-churn, page-size"),
        ("from=nowhere", "no marks are set"),
        ("fail-on=fatal", "error, warning or info"),
    ] {
        let (s, body) = report_raw(&app, q).await;
        assert_platform_error(s, &body, 400, "bad.request");
        assert!(
            body["message"].as_str().unwrap().contains(want),
            "{q}: {body}"
        );
    }
    mark(&app, "a").await;
    let (_, body) = report_raw(&app, "from=b").await;
    assert!(
        body["message"].as_str().unwrap().contains("marks: a"),
        "{body}"
    );
}

#[tokio::test]
async fn a_report_between_marks_covers_only_that_phase() {
    let app = spawn_app().await;
    get(&app, &format!("{}?count=100", users())).await;
    mark(&app, "clean").await;
    get(&app, &format!("{}?count=10", users())).await;
    mark(&app, "end").await;
    get(&app, &format!("{}?count=200", users())).await;
    kept_in(&app, "page-size", "from=clean&to=end").await;
    let r = report(&app, "from=clean").await;
    let f = &rule(&r, "page-size")["findings"];
    assert_eq!(f.as_array().unwrap().len(), 1, "{f}");
    assert!(f[0]["message"].as_str().unwrap().contains("count=200"));
    assert_eq!(r["scope"]["from"]["mark"], "clean");
    let (s, body) = report_raw(&app, "from=end&to=clean").await;
    assert_eq!(s, 400, "{body}");
}

#[tokio::test]
async fn a_report_over_a_journal_that_dropped_entries_says_which_rules_may_be_incomplete() {
    let app = spawn_with(with(test_config(), |config| config.journal_size = 3)).await;
    for _ in 0..5 {
        get(&app, &users()).await;
    }
    let r = report(&app, "").await;
    assert_eq!(r["scope"]["complete"], false, "{r}");
    assert_eq!(r["scope"]["dropped"], 3, "{r}");
    assert_eq!(r["scope"]["examined"], 3);
    let incomplete = r["scope"]["incompleteRules"].as_array().unwrap();
    assert!(incomplete.contains(&json!("incomplete-page-walk")), "{r}");
    let walk = rule(&r, "incomplete-page-walk");
    assert_eq!(walk["complete"], false);
    assert!(
        walk["note"].as_str().unwrap().contains("some may be wrong"),
        "{walk}"
    );
    assert!(
        rule(&r, "page-size")["note"]
            .as_str()
            .unwrap()
            .contains("findings in them are missing")
    );
    let (_, _, md) = report_text(&app, "format=markdown").await;
    assert!(
        md.contains("**Incomplete:** the journal dropped 3 entries"),
        "{md}"
    );
    // A phase that starts after the drops is complete.
    mark(&app, "later").await;
    get(&app, &users()).await;
    assert_eq!(report(&app, "from=later").await["scope"]["complete"], true);
}

#[tokio::test]
async fn a_truncated_body_is_reported_as_unchecked_not_as_a_finding() {
    let app = spawn_app().await;
    let big = "x".repeat(genesys_scim_mock::bounds::MAX_BODY_TEXT + 10);
    app.create_user(
        &json!({"userName": "big@example.com", "displayName": big, "name": {"givenName": "B"}}),
    )
    .await;
    let r = report(&app, "").await;
    let d = rule(&r, "dropped-attributes");
    assert_eq!(d["status"], "passed", "{d}");
    assert_eq!(d["unchecked"]["count"], 1, "{d}");
    assert!(
        d["unchecked"]["reason"].as_str().unwrap().contains("cut"),
        "{d}"
    );
}

#[tokio::test]
async fn settings_layer_flag_then_scenario_then_query() {
    let mut config = test_config();
    config.report.assign_rule("page-size=error").unwrap();
    config
        .report
        .assign_rule("group-create-or-delete=info")
        .unwrap();
    let app = spawn_with(config).await;
    sloppy_client(&app).await;
    let r = report(&app, "").await;
    assert_eq!(rule(&r, "page-size")["severity"], "error");
    assert_eq!(rule(&r, "group-create-or-delete")["severity"], "info");
    add_scenario(
        &app,
        &json!({"name": "quiet", "rules": [], "report": {"rules": {"page-size": "off"}}}),
    )
    .await;
    let r = report(&app, "").await;
    assert_eq!(rule(&r, "page-size")["status"], "off");
    assert_eq!(rule(&r, "group-create-or-delete")["severity"], "info");
    let r = report(&app, "level=page-size:warning").await;
    assert_eq!(rule(&r, "page-size")["severity"], "warning");
    // A scenario naming an unknown rule is refused when loaded.
    let resp = app
        .client
        .post(app.url("/__admin/scenarios"))
        .header("content-type", "application/json")
        .body(
            json!({"name": "bad", "rules": [], "report": {"rules": {"page-sise": "off"}}})
                .to_string(),
        )
        .send()
        .await
        .unwrap();
    let (s, body) = status_json(resp).await;
    assert_eq!(s, 400, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("valid rules"),
        "{body}"
    );
}

// ---- docs/report.md ----

const DOC: &str = "docs/report.md";
const BEGIN: &str = "<!-- rules:begin (generated by tests/api/report.rs: UPDATE_DOCS=1 cargo test --test api report_docs) -->\n";
const END: &str = "<!-- rules:end -->\n";

/// The generated part of docs/report.md: every rule with a real finding from its script.
async fn rules_section() -> String {
    use std::fmt::Write as _;
    // Every rule, in catalogue order, with its default severity: a fresh server's report.
    let fresh = report(&spawn_app().await, "").await;
    let mut out = String::new();
    for r in fresh["rules"].as_array().expect("rules") {
        let text = |k: &str| r[k].as_str().unwrap_or_else(|| panic!("rule {k}: {r}"));
        let (id, severity, title, why) = (text("id"), text("severity"), text("title"), text("why"));
        let (source, hint) = (text("source"), text("hint"));
        let (app, query) = break_rule(id).await;
        let report = report(&app, query).await;
        let finding = &rule(&report, id)["findings"][0];
        let _ = write!(
            out,
            "### `{}` ({})\n\n**{}.**\n\n{}\n\n- **Source:** {}\n- **Fix:** {}\n",
            id,
            severity,
            title,
            why.split_whitespace().collect::<Vec<_>>().join(" "),
            source,
            hint
        );
        if !query.is_empty() {
            let _ = writeln!(out, "- **Needs:** `?{query}`");
        }
        let _ = write!(
            out,
            "\nExample finding (`break_rule(\"{}\")` in tests/api/report.rs):\n\n```text\n{}\n",
            id,
            finding["message"].as_str().unwrap()
        );
        for e in finding["entries"].as_array().unwrap() {
            let _ = writeln!(
                out,
                "  #{} {} {} -> {}",
                e["seq"],
                e["method"].as_str().unwrap(),
                e["target"].as_str().unwrap(),
                e["status"]
            );
        }
        out.push_str("```\n\n");
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_docs_show_a_real_finding_per_rule() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(DOC);
    let doc = std::fs::read_to_string(&path).unwrap();
    let (head, rest) = doc
        .split_once(BEGIN)
        .expect("docs/report.md has the begin marker");
    let (_, tail) = rest
        .split_once(END)
        .expect("docs/report.md has the end marker");
    let want = format!("{head}{BEGIN}{}{END}{tail}", rules_section().await);
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
        return;
    }
    assert!(
        doc == want,
        "docs/report.md is out of date with the rules; run UPDATE_DOCS=1 cargo test --test api report_docs"
    );
}
