//! The request pipeline without a socket: requests are built in memory and handed to
//! `genesys_scim_mock::handle`, so the router, authentication, the rate limiter, the journal,
//! the scenario engine and the switch layering are tested in-process and fast. (The other
//! modules prove the same paths through a real socket.)

use bytes::Bytes;
use genesys_scim_mock::{AppState, Config};
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};

use crate::helpers::{CLIENT_ID, CLIENT_SECRET, JAMES, SCIM, with};

/// A server state and a way to send it requests, without a listener.
struct Local {
    state: AppState,
}

/// What came back.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Local {
    fn new(config: Config) -> Self {
        Self {
            state: AppState::new(config).expect("valid config"),
        }
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Answer {
        let mut b = Request::builder().method(method).uri(path);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let req = b.body(Bytes::from(body.to_owned())).expect("request");
        let resp = genesys_scim_mock::handle(&self.state, req).await;
        let (parts, body) = resp.into_parts();
        let bytes = body.collect().await.expect("body").to_bytes();
        Answer {
            status: parts.status,
            headers: parts.headers,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }

    /// The journal through `GET /__admin/requests?{query}`, as a client reads it.
    async fn journal(&self, query: &str) -> Vec<Value> {
        let a = self
            .send(Method::GET, &format!("/__admin/requests?{query}"), &[], "")
            .await;
        assert_eq!(a.status, 200, "{}", a.body);
        a.body["requests"].as_array().expect("requests").clone()
    }

    /// Loads a scenario through `POST /__admin/scenarios`.
    async fn add_scenario(&self, text: &str) {
        let a = self
            .send(
                Method::POST,
                "/__admin/scenarios",
                &[("content-type", "application/json")],
                text,
            )
            .await;
        assert_eq!(a.status, 201, "{}", a.body);
    }

    /// Moves the clock on through `POST /__admin/clock`.
    async fn advance_clock(&self, by: chrono::TimeDelta) {
        let body = json!({"advance": format!("{}ms", by.num_milliseconds())}).to_string();
        let a = self
            .send(
                Method::POST,
                "/__admin/clock",
                &[("content-type", "application/json")],
                &body,
            )
            .await;
        assert_eq!(a.status, 200, "{}", a.body);
    }

    async fn token(&self, id: &str, secret: &str) -> String {
        use base64::Engine;
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
        let a = self
            .send(
                Method::POST,
                "/oauth/token",
                &[
                    ("authorization", &format!("Basic {basic}")),
                    ("content-type", "application/x-www-form-urlencoded"),
                ],
                "grant_type=client_credentials",
            )
            .await;
        assert_eq!(a.status, 200, "{}", a.body);
        a.body["access_token"].as_str().expect("token").to_owned()
    }

    async fn get(&self, path: &str, token: &str) -> Answer {
        let auth = format!("Bearer {token}");
        self.send(Method::GET, path, &[("authorization", &auth)], "")
            .await
    }

    /// A PATCH of James whose `If-Match` never matches: the answer shows the
    /// `version-mismatch-status` switch.
    async fn stale_patch(&self, token: &str, user: &str) -> Answer {
        let auth = format!("Bearer {token}");
        let body = json!({"Operations": [{"op": "replace", "path": "title", "value": "x"}]});
        self.send(
            Method::PATCH,
            &format!("{SCIM}/Users/{user}"),
            &[
                ("authorization", &auth),
                ("content-type", "application/scim+json"),
                ("if-match", "\"99\""),
            ],
            &body.to_string(),
        )
        .await
    }
}

fn config() -> Config {
    with(Config::default(), |config| config.seed = Some(3))
}

/// The `Authorization` header is parsed once, with the request; the token endpoint and the
/// admin token check answer from that parse, each scheme as before.
#[tokio::test]
async fn every_reader_of_the_authorization_header_sees_the_same_parse() {
    let form = [("content-type", "application/x-www-form-urlencoded")];
    let token_with = |auth: &'static str| {
        let mut headers = form.to_vec();
        headers.push(("authorization", auth));
        headers
    };
    let app = Local::new(with(config(), |config| {
        config.admin_token = Some("s3cret".into())
    }));
    for (auth, why) in [
        ("Bearer abc", "must use the Basic scheme"),
        ("Digest x", "must use the Basic scheme"),
        ("Basic !!!", "not valid base64"),
    ] {
        let a = app
            .send(
                Method::POST,
                "/oauth/token",
                &token_with(auth),
                "grant_type=client_credentials",
            )
            .await;
        assert_eq!(
            (a.status.as_u16(), &a.body["error"]),
            (401, &json!("invalid_client"))
        );
        let said = a.body["error_description"].as_str().unwrap_or_default();
        assert!(said.contains(why), "{auth}: {}", a.body);
        assert_eq!(
            a.body["description"], a.body["error_description"],
            "both spellings"
        );
        assert_eq!(a.headers["www-authenticate"], "Basic realm=\"oauth\"");
        assert_eq!(a.headers["content-type"], "application/json");
    }
    // A lower-case scheme and padding are the same bearer token; Basic is not a bearer.
    for (auth, status) in [
        ("bearer   s3cret ", 200),
        ("Bearer s3cret", 200),
        ("Basic czNjcmV0", 401),
        ("Bearer nope", 401),
    ] {
        let a = app
            .send(Method::GET, "/__admin/orgs", &[("authorization", auth)], "")
            .await;
        assert_eq!(a.status.as_u16(), status, "{auth}");
    }
}

#[tokio::test]
async fn errors_have_the_surface_shape_and_one_correlation_id() {
    let app = Local::new(config());
    let platform = app.send(Method::GET, "/nowhere", &[], "").await;
    assert_eq!(platform.status, 404);
    let cid = platform.headers["inin-correlation-id"].to_str().unwrap();
    assert_eq!(platform.body["contextId"], cid);
    assert_eq!(
        platform
            .headers
            .get_all("inin-correlation-id")
            .iter()
            .count(),
        1
    );

    let scim = app
        .send(Method::GET, &format!("{SCIM}/Bulk"), &[], "")
        .await;
    assert_eq!(scim.status, 404);
    assert_eq!(
        scim.body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );

    let bad = app
        .send(Method::GET, &format!("{SCIM}/Users/%FF"), &[], "")
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.body["code"], "bad.request",
        "an unroutable path has no SCIM surface"
    );
}

#[tokio::test]
async fn authentication_needs_a_known_unexpired_bearer_token() {
    let app = Local::new(config());
    let none = app
        .send(Method::GET, &format!("{SCIM}/Users"), &[], "")
        .await;
    assert_eq!(none.status, 401);
    assert!(
        none.body.to_string().contains("No authentication"),
        "{}",
        none.body
    );
    let unknown = app.get(&format!("{SCIM}/Users"), "nope").await;
    assert_eq!(unknown.status, 401);
    let token = app.token(CLIENT_ID, CLIENT_SECRET).await;
    assert_eq!(app.get(&format!("{SCIM}/Users"), &token).await.status, 200);
    app.advance_clock(chrono::TimeDelta::seconds(86_401)).await;
    let expired = app.get(&format!("{SCIM}/Users"), &token).await;
    assert_eq!(expired.status, 401);
    assert!(
        expired.body.to_string().contains("expired"),
        "{}",
        expired.body
    );
}

#[tokio::test]
async fn the_rate_limit_counts_per_token_and_answers_429_with_retry_after() {
    let mut c = config();
    c.rate_limit_per_minute = Some(2);
    c.compat.ratelimit_headers = true;
    let app = Local::new(c);
    let token = app.token(CLIENT_ID, CLIENT_SECRET).await;
    let path = format!("{SCIM}/Users");
    let first = app.get(&path, &token).await;
    assert_eq!(first.headers["inin-ratelimit-count"], "1");
    assert_eq!(app.get(&path, &token).await.status, 200);
    let refused = app.get(&path, &token).await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.headers["retry-after"], "60");
    assert_eq!(refused.headers["inin-ratelimit-allowed"], "2");
    let other = app.token(CLIENT_ID, CLIENT_SECRET).await;
    assert_eq!(
        app.get(&path, &other).await.status,
        200,
        "tokens are counted apart"
    );
}

#[tokio::test]
async fn the_journal_records_each_exchange_once_and_leaves_out_the_control_plane() {
    let app = Local::new(config());
    let token = app.token(CLIENT_ID, CLIENT_SECRET).await;
    app.get(&format!("{SCIM}/Users?filter=userName+eq+%22x%22"), &token)
        .await;
    app.send(Method::GET, "/__admin/requests", &[], "").await;
    let all = app.journal("").await;
    let routes: Vec<&str> = all.iter().map(|e| e["route"].as_str().unwrap()).collect();
    assert_eq!(
        routes,
        ["oauth.token", "users.list"],
        "the second GET /__admin/requests is not journalled either"
    );
    let list = &all[1];
    assert_eq!(list["query"], "filter=userName+eq+%22x%22");
    assert_eq!(list["org"], "default");
    assert_eq!(list["client"], CLIENT_ID);
    assert!(list["token"].as_str().unwrap().starts_with("tok-"));
    let auth = list["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|kv| kv[0] == "authorization")
        .map(|kv| kv[1].clone());
    assert_eq!(auth, Some(json!("<redacted>")));
    assert_eq!(all[0]["client"], CLIENT_ID, "Basic names the client");
}

#[tokio::test]
async fn a_scenario_rule_answers_and_is_journalled_with_its_name() {
    let app = Local::new(config());
    app.add_scenario(
        r#"{"name": "s", "rules": [{"name": "boom", "when": {"route": "users.get",
            "body": {"/x": {"equals": 1}}},
            "then": {"respond": {"status": 503, "headers": {"x-why": "rule"}}}}]}"#,
    )
    .await;
    let token = app.token(CLIENT_ID, CLIENT_SECRET).await;
    let auth = format!("Bearer {token}");
    let path = format!("{SCIM}/Users/{JAMES}");
    let hit = app
        .send(
            Method::GET,
            &path,
            &[("authorization", &auth)],
            r#"{"x": 1}"#,
        )
        .await;
    assert_eq!(hit.status, 503);
    assert_eq!(hit.headers["x-why"], "rule");
    assert_eq!(
        hit.headers.get_all("inin-correlation-id").iter().count(),
        1,
        "a scenario's answer is stamped like any other"
    );
    assert_eq!(hit.body["status"], "503", "rendered in the SCIM shape");
    let miss = app
        .send(
            Method::GET,
            &path,
            &[("authorization", &auth)],
            r#"{"x": 2}"#,
        )
        .await;
    assert_eq!(miss.status, 200);
    let fired = app.journal("rule=s/boom").await;
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0]["status"], 503);
}

/// An org whose fixture sets one switch, with its own client and one user.
async fn layered_org(app: &Local, compat: Value) -> String {
    let org = json!({
        "id": "layered",
        "divisions": [{"id": "d1", "name": "Home", "home": true}],
        "compat": compat,
        "oauthClients": [{"id": "layered-client", "secret": "layered-secret"}],
        "users": [{"id": "lu1", "userName": "l@x.org", "displayName": "L"}]
    });
    let a = app
        .send(
            Method::POST,
            "/__admin/orgs",
            &[("content-type", "application/json")],
            &org.to_string(),
        )
        .await;
    assert!(a.status.is_success(), "{}", a.body);
    app.token("layered-client", "layered-secret").await
}

#[tokio::test]
async fn switch_layer_default() {
    let app = Local::new(config());
    let token = app.token(CLIENT_ID, CLIENT_SECRET).await;
    let a = app.stale_patch(&token, JAMES).await;
    assert_eq!(a.status, 400, "version-mismatch-status defaults to 400");
    assert!(!a.headers.contains_key("inin-ratelimit-count"));
}

#[tokio::test]
async fn switch_layer_flag_overrides_the_default() {
    let mut c = config();
    c.compat.set("version-mismatch-status", "409").unwrap();
    let app = Local::new(c);
    let token = app.token(CLIENT_ID, CLIENT_SECRET).await;
    assert_eq!(app.stale_patch(&token, JAMES).await.status, 409);
}

#[tokio::test]
async fn switch_layer_org_fixture_overrides_only_its_keys() {
    let mut c = config();
    c.compat.set("version-mismatch-status", "409").unwrap();
    c.compat.ratelimit_headers = true;
    let app = Local::new(c);
    let token = layered_org(&app, json!({"version-mismatch-status": "412"})).await;
    let a = app.stale_patch(&token, "lu1").await;
    assert_eq!(a.status, 412, "the org's key wins over the flag");
    assert!(
        a.headers.contains_key("inin-ratelimit-count"),
        "the flag's other keys survive the org's layer"
    );
    // The default org has no layer of its own: the flags apply as given.
    let default = app.token(CLIENT_ID, CLIENT_SECRET).await;
    assert_eq!(app.stale_patch(&default, JAMES).await.status, 409);
}

#[tokio::test]
async fn switch_layer_org_profile_keeps_the_flags() {
    // The reported defect: `{"profile": "rfc"}` on an org used to drop every `--compat` flag.
    let mut c = config();
    c.compat.ratelimit_headers = true;
    let app = Local::new(c);
    let token = layered_org(&app, json!({"profile": "rfc"})).await;
    let a = app
        .get(
            &format!("{SCIM}/Users?filter=userName+co+%22l%40%22"),
            &token,
        )
        .await;
    assert_eq!(a.status, 200, "profile=rfc accepts co: {}", a.body);
    assert!(a.headers.contains_key("inin-ratelimit-count"));
}

#[tokio::test]
async fn switch_layer_scenario_rule_overrides_the_org() {
    let mut c = config();
    c.compat.ratelimit_headers = true;
    let app = Local::new(c);
    let token = layered_org(&app, json!({"version-mismatch-status": "412"})).await;
    app.add_scenario(
        r#"{"name": "s", "rules": [{"name": "r", "when": {"route": "users.patch"},
            "then": {"compat": {"version-mismatch-status": 409}}}]}"#,
    )
    .await;
    let a = app.stale_patch(&token, "lu1").await;
    assert_eq!(a.status, 409, "the rule's key wins over the org's");
    assert!(a.headers.contains_key("inin-ratelimit-count"));
}

#[tokio::test]
async fn a_body_over_the_cap_is_413_and_journalled() {
    let mut c = config();
    c.max_body_bytes = 8;
    let app = Local::new(c);
    let a = app
        .send(Method::POST, &format!("{SCIM}/Users"), &[], "0123456789")
        .await;
    assert_eq!(a.status, 413);
    let all = app.journal("").await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["status"], 413);
}

#[tokio::test]
async fn a_delay_runs_in_real_time_under_a_frozen_clock() {
    let mut c = config();
    c.clock = "frozen:2026-01-01T00:00:00Z".into();
    let app = Local::new(c);
    app.add_scenario(
        r#"{"name": "s", "rules": [{"name": "slow", "when": {"route": "users.list"},
            "then": {"delay": {"ms": 20}}}]}"#,
    )
    .await;
    let token = app.token(CLIENT_ID, CLIENT_SECRET).await;
    let answered = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        app.get(&format!("{SCIM}/Users"), &token),
    )
    .await
    .expect("a delay must not wait for the frozen clock");
    assert_eq!(answered.status, 200);
}

#[tokio::test]
async fn service_provider_config_reports_the_page_cap_it_enforces() {
    let app = Local::new(config());
    let token = app.token(CLIENT_ID, CLIENT_SECRET).await;
    let spc = app
        .get(&format!("{SCIM}/ServiceProviderConfig"), &token)
        .await;
    let cap = genesys_scim_mock::bounds::MAX_COUNT;
    assert_eq!(spc.body["filter"]["maxResults"], cap);
    let page = app
        .get(&format!("{SCIM}/Users?count={}", cap + 5), &token)
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body["itemsPerPage"].as_u64().unwrap() <= cap as u64);
}

#[tokio::test]
async fn a_full_reset_that_cannot_reload_changes_nothing() {
    let dir = std::env::temp_dir().join(format!("pipeline-reset-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("org.json");
    std::fs::write(&file, genesys_scim_mock::DEFAULT_ORG).unwrap();
    let mut c = config();
    c.fixtures = Some(file.clone());
    let app = Local::new(c);
    let token = app.token(CLIENT_ID, CLIENT_SECRET).await;
    std::fs::write(&file, "{ not json").unwrap();
    let reset = app.send(Method::POST, "/__admin/reset", &[], "").await;
    assert_eq!(reset.status, 400, "{}", reset.body);
    let still = app.get(&format!("{SCIM}/Users/{JAMES}"), &token).await;
    assert_eq!(
        still.status, 200,
        "the orgs and the token survive a failed reset"
    );
    std::fs::write(&file, genesys_scim_mock::DEFAULT_ORG).unwrap();
    let ok = app.send(Method::POST, "/__admin/reset", &[], "").await;
    assert_eq!(ok.status, 204);
    assert_eq!(
        app.get(&format!("{SCIM}/Users/{JAMES}"), &token)
            .await
            .status,
        401,
        "a reset that succeeds drops the tokens"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
