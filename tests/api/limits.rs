//! Genesys' limits: the per-token rate limit on the controllable clock, the request size cap,
//! and the per-org entity limits (external ids, skills, languages, groups per user, members per
//! group, PATCH operations).

use crate::helpers::*;
use genesys_scim_mock::{Config, SetupError};
use serde_json::{Value, json};

const FROZEN: &str = "frozen:2026-01-01T00:00:00Z";
const GENESYS_EXT: &str = "urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User";

/// A seeded config with a frozen clock and a small rate limit.
fn limited(per_minute: u32) -> Config {
    with(test_config(), |config| {
        config.clock = FROZEN.to_owned();
        config.rate_limit_per_minute = Some(per_minute);
    })
}

async fn get_users(app: &TestApp, token: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("{SCIM}/Users?count=1")))
        .bearer_auth(token)
        .send()
        .await
        .expect("send")
}

/// Spends `n` requests of `token`'s window, asserting each is admitted.
async fn spend(app: &TestApp, token: &str, n: usize) {
    for i in 0..n {
        let resp = get_users(app, token).await;
        assert_eq!(resp.status(), 200, "request {} of {n}", i + 1);
    }
}

fn retry_after(resp: &reqwest::Response) -> u64 {
    resp.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("whole seconds")
}

#[tokio::test]
async fn a_client_over_the_limit_gets_429_until_exactly_retry_after_has_passed() {
    let app = spawn_with(limited(5)).await;
    let token = app.token.clone();
    spend(&app, &token, 1).await;
    // Part-way into the window, so Retry-After is not simply 60.
    app.advance_clock(chrono::Duration::milliseconds(20_500))
        .await;
    spend(&app, &token, 4).await;

    let resp = get_users(&app, &token).await;
    assert_eq!(resp.status(), 429);
    let n = retry_after(&resp);
    assert_eq!(n, 40, "39.5 s of the window are left, rounded up");

    app.advance_clock(chrono::Duration::seconds(n as i64 - 1))
        .await;
    let resp = get_users(&app, &token).await;
    assert_eq!(resp.status(), 429, "one second short of Retry-After");
    assert_eq!(retry_after(&resp), 1);

    app.advance_clock(chrono::Duration::seconds(1)).await;
    spend(&app, &token, 5).await;
    assert_eq!(
        get_users(&app, &token).await.status(),
        429,
        "a fresh window of 5"
    );
}

#[tokio::test]
async fn the_429_is_the_normalised_genesys_body_even_on_scim_routes() {
    let app = spawn_with(limited(1)).await;
    spend(&app, &app.token, 1).await;
    let resp = get_users(&app, &app.token).await;
    assert_eq!(resp.headers()["retry-after"], "60");
    assert_eq!(resp.headers()["content-type"], "application/json");
    let correlation = resp.headers()["inin-correlation-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        resp.headers().get("inin-ratelimit-allowed").is_none(),
        "Genesys removed the inin-ratelimit-* headers in 2021"
    );
    let (status, body) = status_json(resp).await;
    assert_platform_error(status, &body, 429, "too.many.requests.retry.after");
    assert_eq!(
        body["message"],
        "Rate limit exceeded the maximum. Retry the request in [60] seconds"
    );
    assert_eq!(body["contextId"], correlation.as_str());
    // Platform routes are limited by the same window.
    let (status, body) = status_json(app.get("/api/v2/users").send().await.unwrap()).await;
    assert_platform_error(status, &body, 429, "too.many.requests.retry.after");
}

#[tokio::test]
async fn two_tokens_have_independent_windows() {
    let app = spawn_with(limited(2)).await;
    let other = app.token_for(CLIENT_ID, CLIENT_SECRET).await;
    assert_ne!(other, app.token);
    spend(&app, &app.token, 2).await;
    assert_eq!(get_users(&app, &app.token).await.status(), 429);
    spend(&app, &other, 2).await;
    assert_eq!(get_users(&app, &other).await.status(), 429);
}

#[tokio::test]
async fn rate_limit_off_admits_everything() {
    let app = spawn_with(with(limited(1), |config| {
        config.rate_limit_per_minute = None
    }))
    .await;
    spend(&app, &app.token, 30).await;
}

#[tokio::test]
async fn ratelimit_headers_switch_emits_the_historic_headers() {
    let mut config = limited(3);
    config.compat.ratelimit_headers = true;
    let app = spawn_with(config).await;
    let header = |r: &reqwest::Response, n: &str| r.headers()[n].to_str().unwrap().to_owned();
    let first = get_users(&app, &app.token).await;
    assert_eq!(first.status(), 200);
    assert_eq!(header(&first, "inin-ratelimit-allowed"), "3");
    assert_eq!(header(&first, "inin-ratelimit-count"), "1");
    assert_eq!(header(&first, "inin-ratelimit-reset"), "60");
    app.advance_clock(chrono::Duration::seconds(10)).await;
    spend(&app, &app.token, 2).await;
    let refused = get_users(&app, &app.token).await;
    assert_eq!(refused.status(), 429);
    assert_eq!(header(&refused, "inin-ratelimit-count"), "3");
    assert_eq!(header(&refused, "inin-ratelimit-reset"), "50");
    assert_eq!(header(&refused, "retry-after"), "50");
    // Error answers carry them too.
    let app2 = spawn_with({
        let mut c = limited(3);
        c.compat.ratelimit_headers = true;
        c
    })
    .await;
    let missing = app2
        .get(&format!("{SCIM}/Users/no-such-user"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(header(&missing, "inin-ratelimit-count"), "1");
}

#[tokio::test]
async fn a_client_limit_from_fixtures_overrides_the_server_default() {
    let dir = FixtureDir::new("client-limit");
    let path = dir.write(&org_fixture(json!({}), Some(2)));
    let app = spawn_with(with(test_config(), |config| {
        config.fixtures = Some(path);
        config.clock = FROZEN.to_owned();
    }))
    .await;
    let token = app.token_for("limits-client", "limits-secret").await;
    spend(&app, &token, 2).await;
    assert_eq!(get_users(&app, &token).await.status(), 429);
}

#[tokio::test]
async fn large_count_429_applies_to_groups_lists_when_switched_on() {
    let app = spawn_app().await;
    let (s, _) = status_json(
        app.get(&format!("{SCIM}/Groups?count=26"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "off by default");

    let mut config = test_config();
    config.compat.large_count_429 = true;
    let app = spawn_with(config).await;
    let (s, body) = status_json(
        app.get(&format!("{SCIM}/Groups?count=26"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_platform_error(s, &body, 429, "too.many.requests.retry.after");
    for path in ["Groups?count=25", "Groups"] {
        let (s, _) = status_json(app.get(&format!("{SCIM}/{path}")).send().await.unwrap()).await;
        assert_eq!(s, 200, "{path}");
    }
    let (s, body) = status_json(
        app.get(&format!("{SCIM}/Users?count=100"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_platform_error(s, &body, 429, "too.many.requests.retry.after");
}

// ---- request size ----

/// A valid user body padded with trailing spaces to exactly `len` bytes.
fn padded_user(len: usize) -> String {
    let mut text = json!({"userName": "big@example.com", "displayName": "Big Body"}).to_string();
    assert!(text.len() <= len);
    text.push_str(&" ".repeat(len - text.len()));
    text
}

#[tokio::test]
async fn a_body_at_the_size_limit_is_accepted_and_one_byte_more_is_413() {
    let app = spawn_app().await;
    let send = |body: String| {
        app.client
            .post(app.url(&format!("{SCIM}/Users")))
            .bearer_auth(&app.token)
            .header("content-type", "application/scim+json")
            .body(body)
            .send()
    };
    let (s, body) = status_json(send(padded_user(512_000)).await.unwrap()).await;
    assert_eq!(s, 201, "exactly 512000 bytes is allowed: {body}");

    let (s, body) = status_json(send(padded_user(512_001)).await.unwrap()).await;
    assert_scim_error(s, &body, 413, None);
    assert_eq!(
        body["detail"],
        "The request is over the size limit. Maximum bytes: 512000"
    );

    let (s, body) = status_json(
        app.client
            .post(app.url("/api/v2/users"))
            .bearer_auth(&app.token)
            .body(vec![b'x'; 600_000])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_platform_error(s, &body, 413, "request.entity.too.large");
}

// ---- per-user limits ----

async fn post_user(app: &TestApp, body: &Value) -> (u16, Value) {
    status_json(
        app.post_json(&format!("{SCIM}/Users"), body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn a_user_can_have_100_external_ids_not_101() {
    let app = spawn_app().await;
    let ids = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| json!({"authority": format!("auth-{i}"), "value": format!("k{i}")}))
            .collect()
    };
    let (s, body) = post_user(
        &app,
        &json!({"userName": "ext101@example.com", "displayName": "E", GENESYS_EXT: {"externalIds": ids(101)}}),
    )
    .await;
    assert_scim_error(s, &body, 400, Some("invalidValue"));
    assert!(body["detail"].as_str().unwrap().contains("100"), "{body}");

    let created = app
        .create_user(&json!({"userName": "ext100@example.com", "displayName": "E", GENESYS_EXT: {"externalIds": ids(100)}}))
        .await;
    assert_eq!(
        created[GENESYS_EXT]["externalIds"]
            .as_array()
            .unwrap()
            .len(),
        100
    );

    // A replace that would add one more is refused as well, and the user is unchanged.
    let id = created["id"].as_str().unwrap();
    let (s, body) = status_json(
        app.put_json(
            &format!("{SCIM}/Users/{id}"),
            &json!({"userName": "ext100@example.com", "displayName": "E", GENESYS_EXT: {"externalIds": ids(101)}}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_scim_error(s, &body, 400, Some("invalidValue"));
    let (_, got) = status_json(app.get(&format!("{SCIM}/Users/{id}")).send().await.unwrap()).await;
    assert_eq!(
        got[GENESYS_EXT]["externalIds"].as_array().unwrap().len(),
        100
    );
}

#[tokio::test]
async fn a_user_can_have_50_skills_and_50_languages_not_51() {
    let app = spawn_app().await;
    for (attr, name) in [
        ("routingSkills", "Billing"),
        ("routingLanguages", "English"),
    ] {
        let entries = |n: usize| -> Vec<Value> { vec![json!({"name": name, "proficiency": 3}); n] };
        let (s, body) = post_user(
            &app,
            &json!({"userName": format!("{attr}51@example.com"), "displayName": "S",
                    GENESYS_EXT: {attr: entries(51)}}),
        )
        .await;
        assert_scim_error(s, &body, 400, Some("invalidValue"));
        assert!(body["detail"].as_str().unwrap().contains("50"), "{body}");
        let (s, body) = post_user(
            &app,
            &json!({"userName": format!("{attr}50@example.com"), "displayName": "S",
                    GENESYS_EXT: {attr: entries(50)}}),
        )
        .await;
        assert_eq!(s, 201, "{attr}: 50 entries are allowed: {body}");
    }
}

#[tokio::test]
async fn skill_and_language_limits_from_fixtures_are_enforced() {
    let dir = FixtureDir::new("skill-limits");
    let path = dir.write(&org_fixture(
        json!({"skillsPerUser": 1, "languagesPerUser": 1}),
        None,
    ));
    let app = spawn_with(with(test_config(), |config| config.fixtures = Some(path))).await;
    let token = app.token_for("limits-client", "limits-secret").await;
    for (attr, a, b) in [
        ("routingSkills", "S1", "S2"),
        ("routingLanguages", "L1", "L2"),
    ] {
        let (s, body) = status_json(
            app.client
                .post(app.url(&format!("{SCIM}/Users")))
                .bearer_auth(&token)
                .header("content-type", "application/scim+json")
                .body(
                    json!({"userName": format!("{attr}@example.com"), "displayName": "S",
                           GENESYS_EXT: {attr: [{"name": a}, {"name": b}]}})
                    .to_string(),
                )
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_scim_error(s, &body, 400, Some("invalidValue"));
    }
}

// ---- groups ----

fn add_members(ids: &[&str]) -> Value {
    let members: Vec<Value> = ids.iter().map(|i| json!({"value": i})).collect();
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
           "Operations": [{"op": "add", "path": "members", "value": members}]})
}

/// A group PUT body with exactly these members.
fn with_members(name: &str, ids: &[&str]) -> Value {
    let members: Vec<Value> = ids.iter().map(|i| json!({"value": i})).collect();
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": name, "members": members})
}

async fn put_group(app: &TestApp, token: &str, id: &str, body: &Value) -> (u16, Value) {
    send_group(app, token, reqwest::Method::PUT, id, body).await
}

async fn patch_group(app: &TestApp, token: &str, id: &str, body: &Value) -> (u16, Value) {
    send_group(app, token, reqwest::Method::PATCH, id, body).await
}

async fn send_group(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    id: &str,
    body: &Value,
) -> (u16, Value) {
    status_json(
        app.client
            .request(method, app.url(&format!("{SCIM}/Groups/{id}")))
            .bearer_auth(token)
            .header("content-type", "application/scim+json")
            .body(body.to_string())
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn max_group_members_flag_limits_membership() {
    let app = spawn_with(with(test_config(), |config| {
        config.max_group_members = Some(2)
    }))
    .await;
    // Sales Team already has 2 members.
    let (s, body) = put_group(
        &app,
        &app.token,
        SALES_TEAM,
        &with_members("Sales Team", &[JAMES, LUCAS, MARIA]),
    )
    .await;
    assert_scim_error(s, &body, 400, Some("invalidValue"));
    assert!(
        body["detail"].as_str().unwrap().contains("at most 2"),
        "{body}"
    );
    let (s, got) = status_json(
        app.get(&format!("{SCIM}/Groups/{SALES_TEAM}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(got["members"].as_array().unwrap().len(), 2, "unchanged");
    // Support Team has 1: one more fits.
    let (s, body) = put_group(
        &app,
        &app.token,
        SUPPORT_TEAM,
        &with_members("Support Team", &[AIKO, MARIA]),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["members"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn fixture_limits_win_over_the_flags_and_groups_per_user_is_enforced() {
    let dir = FixtureDir::new("group-limits");
    let path = dir.write(&org_fixture(
        json!({"membersPerGroup": 3, "groupsPerUser": 2}),
        None,
    ));
    let app = spawn_with(with(test_config(), |config| {
        config.fixtures = Some(path);
        config.max_group_members = Some(1);
    }))
    .await;
    let token = app.token_for("limits-client", "limits-secret").await;
    // G1 has u1 and u2: the fixture's 3 wins over --max-group-members 1.
    let (s, body) = put_group(&app, &token, "g1", &with_members("G1", &["u1", "u2", "u3"])).await;
    assert_eq!(s, 200, "{body}");
    let (s, body) = put_group(
        &app,
        &token,
        "g1",
        &with_members("G1", &["u1", "u2", "u3", "u4"]),
    )
    .await;
    assert_scim_error(s, &body, 400, Some("invalidValue"));
    // u1 is in G1 and G2 already: a third group is over groupsPerUser.
    let (s, body) = put_group(&app, &token, "g3", &with_members("G3", &["u1"])).await;
    assert_scim_error(s, &body, 400, Some("invalidValue"));
    assert!(
        body["detail"].as_str().unwrap().contains("limit is 2"),
        "{body}"
    );
}

#[tokio::test]
async fn patch_operation_limit_applies_to_users_and_groups() {
    let app = spawn_with(with(test_config(), |config| {
        config.max_patch_operations = Some(2)
    }))
    .await;
    let ops = |n: usize| -> Value {
        let list: Vec<Value> = (0..n)
            .map(|i| json!({"op": "replace", "path": "title", "value": format!("T{i}")}))
            .collect();
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": list})
    };
    let (s, body) = status_json(
        app.patch_json(&format!("{SCIM}/Users/{MARIA}"), &ops(3))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_scim_error(s, &body, 400, Some("invalidValue"));
    let (s, body) = status_json(
        app.patch_json(&format!("{SCIM}/Users/{MARIA}"), &ops(2))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["title"], "T1");

    let mut three = add_members(&[MARIA]);
    let op = three["Operations"][0].clone();
    three["Operations"] = json!([op.clone(), op.clone(), op]);
    let (s, body) = patch_group(&app, &app.token, SUPPORT_TEAM, &three).await;
    assert_scim_error(s, &body, 400, Some("invalidValue"));
    assert!(
        body["detail"].as_str().unwrap().contains("at most 2"),
        "{body}"
    );
}

#[tokio::test]
async fn zero_limits_in_fixtures_are_refused_at_load() {
    let dir = FixtureDir::new("zero-limit");
    let path = dir.write(&org_fixture(json!({"membersPerGroup": 0}), None));
    let err = genesys_scim_mock::AppState::new(with(test_config(), |config| {
        config.fixtures = Some(path)
    }))
    .unwrap_err();
    assert!(matches!(err, SetupError::Fixtures(_)), "{err}");
    let err = err.to_string();
    assert!(err.contains("limits.membersPerGroup"), "{err}");
    let path = dir.write(&org_fixture(json!({}), Some(0)));
    let err = genesys_scim_mock::AppState::new(with(test_config(), |config| {
        config.fixtures = Some(path)
    }))
    .unwrap_err()
    .to_string();
    assert!(err.contains("rateLimitPerMinute"), "{err}");
    let mut doc = org_fixture(json!({}), None);
    doc["orgs"][0]["oauthClients"][0]["tokenRateLimitPerMinute"] = json!(0);
    let path = dir.write(&doc);
    let err = genesys_scim_mock::AppState::new(with(test_config(), |c| c.fixtures = Some(path)))
        .unwrap_err()
        .to_string();
    assert!(err.contains("tokenRateLimitPerMinute"), "{err}");
}

// ---- fixtures for these tests ----

/// An org `limits-org` with client `limits-client`/`limits-secret`, users u1..u4, groups g1
/// (u1, u2), g2 (u1), g3 (empty), skills S1, S2 and languages L1, L2.
fn org_fixture(limits: Value, client_rate: Option<u32>) -> Value {
    let users: Vec<Value> = (1..=4)
        .map(|i| json!({"id": format!("u{i}"), "userName": format!("u{i}@example.com"), "displayName": format!("U{i}")}))
        .collect();
    let mut client = json!({"id": "limits-client", "secret": "limits-secret"});
    if let Some(r) = client_rate {
        client["rateLimitPerMinute"] = json!(r);
    }
    json!({"version": 1, "orgs": [{
        "id": "limits-org",
        "divisions": [{"id": "d1", "name": "Home", "home": true}],
        "roles": [{"id": "r1", "name": "employee"}],
        "skills": [{"id": "s1", "name": "S1"}, {"id": "s2", "name": "S2"}],
        "languages": [{"id": "l1", "name": "L1"}, {"id": "l2", "name": "L2"}],
        "limits": limits,
        "oauthClients": [client],
        "users": users,
        "groups": [
            {"id": "g1", "name": "G1", "members": ["u1", "u2"]},
            {"id": "g2", "name": "G2", "members": ["u1"]},
            {"id": "g3", "name": "G3", "members": []}
        ]
    }]})
}

/// A temporary directory removed on drop.
struct FixtureDir(std::path::PathBuf);

impl FixtureDir {
    fn new(label: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "genesys-mock-{label}-{}-{}",
            std::process::id(),
            uuid_like()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }

    fn write(&self, doc: &Value) -> std::path::PathBuf {
        let path = self.0.join("org.json");
        std::fs::write(&path, doc.to_string()).expect("write fixture");
        path
    }
}

impl Drop for FixtureDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn uuid_like() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

#[tokio::test]
async fn the_default_limit_is_300_per_minute() {
    let app = spawn_with(with(test_config(), |config| {
        config.clock = FROZEN.to_owned()
    }))
    .await;
    spend(&app, &app.token, 300).await;
    let resp = get_users(&app, &app.token).await;
    assert_eq!(resp.status(), 429);
    assert_eq!(retry_after(&resp), 60);
}

#[tokio::test]
async fn concurrent_requests_never_exceed_the_limit() {
    let app = spawn_with(limited(20)).await;
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let client = app.client.clone();
        let url = app.url(&format!("{SCIM}/Users?count=1"));
        let token = app.token.clone();
        tasks.push(tokio::spawn(async move {
            client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .map(|r| r.status().as_u16())
        }));
    }
    let mut ok = 0;
    let mut limited_count = 0;
    for t in tasks {
        match t.await.expect("task").expect("send") {
            200 => ok += 1,
            429 => limited_count += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!((ok, limited_count), (20, 30));
}

/// Genesys lets only OAuth clients used for SCIM issue tokens beyond 48 hours, up to
/// 38,880,000 s (450 days): Genesys' Terraform provider validates `access_token_validity_seconds`
/// with `IntBetween(300, 38880000)` and says so (`genesyscloud/oauth_client`). A fixture marks
/// such a client with `"scim": true`.
#[tokio::test]
async fn scim_clients_may_issue_tokens_for_450_days_and_others_for_48_hours() {
    let dir = FixtureDir::new("scim-ttl");
    let with_client = |client: Value| {
        let mut doc = org_fixture(json!({}), None);
        doc["orgs"][0]["oauthClients"] = json!([client]);
        doc
    };
    let path = dir.write(&with_client(json!({
        "id": "scim-client", "secret": "scim-secret", "scim": true, "tokenTtlSecs": 38_880_000
    })));
    let mut app = spawn_with(with(test_config(), |c| {
        c.fixtures = Some(path);
        c.clock = "frozen:2026-03-01T09:00:00Z".into();
    }))
    .await;
    let resp = app
        .client
        .post(app.url("/oauth/token"))
        .basic_auth("scim-client", Some("scim-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let (s, body) = status_json(resp).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["expires_in"], 38_880_000);
    app.token = body["access_token"].as_str().unwrap().to_owned();
    app.advance_clock(chrono::Duration::seconds(38_880_000 - 1))
        .await;
    assert_eq!(app.get_status(&format!("{SCIM}/Users")).await, 200);
    app.advance_clock(chrono::Duration::seconds(1)).await;
    assert_eq!(app.get_status(&format!("{SCIM}/Users")).await, 401);
    // The export keeps the mark, so an import gives the same client.
    let (_, org) = status_json(
        app.admin(reqwest::Method::GET, "/__admin/orgs/limits-org/export")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(org["oauthClients"][0]["scim"], true, "{org}");

    for (client, needle) in [
        (
            json!({"id": "c", "secret": "s", "tokenTtlSecs": 172_801}),
            "only a SCIM client",
        ),
        (
            json!({"id": "c", "secret": "s", "scim": true, "tokenTtlSecs": 38_880_001}),
            "38880000",
        ),
        (
            json!({"id": "c", "secret": "s", "scim": true, "tokenTtlSecs": 299}),
            "300",
        ),
    ] {
        let path = dir.write(&with_client(client.clone()));
        let err =
            genesys_scim_mock::AppState::new(with(test_config(), |c| c.fixtures = Some(path)))
                .unwrap_err()
                .to_string();
        assert!(
            err.contains("tokenTtlSecs") && err.contains(needle),
            "{client}: {err}"
        );
    }
    // 48 hours is the most for any client.
    let path = dir.write(&with_client(
        json!({"id": "c", "secret": "s", "tokenTtlSecs": 172_800}),
    ));
    assert!(
        genesys_scim_mock::AppState::new(with(test_config(), |c| c.fixtures = Some(path))).is_ok()
    );
}
