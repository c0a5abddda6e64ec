//! `MockServer`, used as a client crate's tests use it: started, configured, driven through
//! its admin helpers, many at once, stopped by drop.

use std::time::Duration;

use genesys_scim_mock::MockServer;
use serde_json::{Value, json};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

async fn create_user(server: &MockServer, token: &str, user_name: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/Users", server.scim_url()))
        .bearer_auth(token)
        .json(&json!({"userName": user_name, "displayName": "Handle Test"}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_started_server_takes_its_own_credentials_and_token() {
    let server = MockServer::start();
    let creds = server.credentials();
    assert_eq!(
        (creds.client_id.as_str(), creds.client_secret.as_str()),
        ("mock-client-id", "mock-client-secret")
    );
    // A token the client gets itself, as an SDK would.
    let got: Value = reqwest::Client::new()
        .post(format!("{}/oauth/token", server.base_url()))
        .basic_auth(&creds.client_id, Some(&creds.client_secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(got["access_token"].is_string());
    // And the ready one.
    assert_eq!(
        create_user(&server, &server.token(), "a@example.com")
            .await
            .status(),
        201
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journal_count_reset_and_export_see_what_the_client_did() {
    let server = MockServer::builder().seed(11).start().unwrap();
    let token = server.token();
    assert_eq!(server.journal_count(&json!({"route": "users.create"})), 0);
    assert_eq!(
        create_user(&server, &token, "j@example.com").await.status(),
        201
    );
    assert_eq!(
        create_user(&server, &token, "j@example.com").await.status(),
        409
    );
    assert_eq!(server.journal_count(&json!({"route": "users.create"})), 2);
    assert_eq!(server.journal_count(&json!({"status": 409})), 1);
    let org = server.export("default").to_string();
    assert!(org.contains("j@example.com"), "export has the user");
    server.reset();
    assert_eq!(
        server.journal_count(&json!({})),
        0,
        "reset empties the journal"
    );
    assert!(
        !server
            .export("default")
            .to_string()
            .contains("j@example.com")
    );
    // A full reset re-issues the world (tokens included): a fresh token works.
    assert_eq!(
        create_user(&server, &server.token(), "j@example.com")
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn scenarios_load_from_the_builder_and_at_run_time() {
    let server = MockServer::builder()
        .scenario(format!("{ROOT}/scenarios/flaky-5xx/scenario.json"))
        .start()
        .unwrap();
    let token = server.token();
    assert_eq!(
        create_user(&server, &token, "s1@example.com")
            .await
            .status(),
        503
    );
    assert_eq!(
        create_user(&server, &token, "s1@example.com")
            .await
            .status(),
        500
    );
    assert_eq!(
        create_user(&server, &token, "s1@example.com")
            .await
            .status(),
        201
    );
    server.load_scenario(&json!({
        "name": "teapot",
        "rules": [{"name": "all", "when": {"path": "/api/v2/scim/**"}, "then": {"respond": {"status": 418}}}]
    }));
    assert_eq!(
        create_user(&server, &token, "s2@example.com")
            .await
            .status(),
        418
    );
}

#[test]
fn the_clock_is_frozen_and_advanced_and_tokens_expire_on_it() {
    let server = MockServer::builder()
        .frozen_clock("2026-03-01T12:00:00Z")
        .start()
        .unwrap();
    assert_eq!(server.clock_now(), "2026-03-01T12:00:00Z");
    let token = server.token();
    server.advance_clock(Duration::from_millis(1500));
    assert_eq!(server.clock_now(), "2026-03-01T12:00:01.500Z");
    // The default client's tokens live 86400 s: a day later this one is refused.
    server.advance_clock(Duration::from_secs(86_400));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let status = rt.block_on(async {
        reqwest::Client::new()
            .get(format!("{}/Users", server.scim_url()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 401);
}

#[test]
fn fixtures_come_from_the_builder_and_bad_ones_are_a_start_error() {
    let server = MockServer::builder()
        .fixtures(format!("{ROOT}/fixtures/default-org.json"))
        .start()
        .unwrap();
    assert_eq!(server.credentials().client_id, "mock-client-id");
    let err = MockServer::builder()
        .fixtures("/nonexistent/org.json")
        .start()
        .unwrap_err();
    assert!(
        matches!(
            err,
            genesys_scim_mock::StartError::Setup(genesys_scim_mock::SetupError::Fixtures(_))
        ),
        "a refused configuration, not the machine: {err}"
    );
    assert!(err.to_string().contains("/nonexistent/org.json"), "{err}");
}

#[test]
fn many_servers_run_in_parallel_and_drop_frees_each_port() {
    let servers: Vec<MockServer> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8).map(|_| s.spawn(MockServer::start)).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut ports: Vec<u16> = servers.iter().map(|s| s.addr().port()).collect();
    ports.sort_unstable();
    ports.dedup();
    assert_eq!(ports.len(), 8, "each has its own port");
    // Each has its own state.
    servers[0].load_scenario(&json!({"name": "only-here", "rules": []}));
    let addrs: Vec<_> = servers.iter().map(MockServer::addr).collect();
    drop(servers);
    for addr in addrs {
        assert!(
            std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err(),
            "{addr} still accepts after drop"
        );
    }
}

/// Built with `default-features = false` (.ci/steps/15-features.sh), the handle leaves out the
/// dashboard, end-state expectations and the report's non-JSON formats, and says so when one
/// is asked for; the report itself still answers as JSON.
#[cfg(not(any(feature = "dashboard", feature = "expect", feature = "report-formats")))]
#[tokio::test]
async fn the_minimal_build_names_the_feature_a_missing_extra_needs() {
    let server = MockServer::start();
    let client = reqwest::Client::new();
    let admin = format!("{}/__admin", server.base_url());
    let ui = client.get(format!("{admin}/ui")).send().await.unwrap();
    assert_eq!(ui.status(), 404);
    assert!(ui.text().await.unwrap().contains("`dashboard` feature"));
    let expect = client
        .post(format!("{admin}/expect"))
        .json(&json!({"orgs": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(expect.status(), 404);
    assert!(expect.text().await.unwrap().contains("`expect` feature"));
    let junit = client
        .get(format!("{admin}/report?format=junit"))
        .send()
        .await
        .unwrap();
    assert_eq!(junit.status(), 400);
    assert!(
        junit
            .text()
            .await
            .unwrap()
            .contains("`report-formats` feature")
    );
    let json = client.get(format!("{admin}/report")).send().await.unwrap();
    assert_eq!(json.status(), 200);
    let report: Value = json.json().await.unwrap();
    assert!(report.is_object(), "{report}");
}
