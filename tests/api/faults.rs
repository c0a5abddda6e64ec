//! Faults below the status line, as real clients see them: reqwest for the error it reports,
//! a raw TCP socket for the bytes that actually arrive.

use std::time::Duration;

use crate::helpers::*;
use crate::scenarios::add_scenario;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Makes every `users.get` answer with `then`.
async fn fault(app: &TestApp, then: Value) {
    add_scenario(
        app,
        &json!({"name": "f", "rules": [{"name": "r", "when": {"route": "users.get"}, "then": then}]}),
    )
    .await;
}

/// Sends a raw GET for a user and reads until the server closes (bounded by 3 s).
async fn raw_get(app: &TestApp) -> std::io::Result<Vec<u8>> {
    let mut s = tokio::net::TcpStream::connect(app.addr).await?;
    let req = format!(
        "GET {SCIM}/Users/{MARIA} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\r\n",
        app.addr, app.token
    );
    s.write_all(req.as_bytes()).await?;
    let mut buf = Vec::new();
    match tokio::time::timeout(Duration::from_secs(3), s.read_to_end(&mut buf)).await {
        Ok(r) => r.map(|_| buf),
        Err(_) => Err(std::io::Error::other("server kept the connection open")),
    }
}

async fn user_get(app: &TestApp) -> reqwest::Result<reqwest::Response> {
    app.get(&format!("{SCIM}/Users/{MARIA}")).send().await
}

/// The journal entries of `users.get`.
async fn journaled(app: &TestApp) -> Vec<Value> {
    let resp = app
        .client
        .get(app.url("/__admin/requests?route=users.get"))
        .send()
        .await
        .unwrap();
    status_json(resp).await.1["requests"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn reset_is_a_connection_reset() {
    let app = spawn_app().await;
    fault(&app, json!("reset")).await;
    assert!(user_get(&app).await.is_err());
    let err = raw_get(&app).await.expect_err("a reset is an error");
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset, "{err}");
    let entries = journaled(&app).await;
    assert_eq!(entries.len(), 2, "each faulted request once");
    assert_eq!(entries[0]["fault"], "reset");
    assert_eq!(entries[0]["status"], 0);
}

#[tokio::test]
async fn empty_closes_without_a_byte() {
    let app = spawn_app().await;
    fault(&app, json!("empty")).await;
    assert!(user_get(&app).await.is_err());
    assert_eq!(raw_get(&app).await.unwrap(), b"");
}

#[tokio::test]
async fn headers_only_sends_a_head_promising_a_body() {
    let app = spawn_app().await;
    fault(&app, json!({"headersOnly": {}})).await;
    let resp = user_get(&app).await.expect("the head arrives");
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.is_err(), "the body never comes");
    let raw = String::from_utf8(raw_get(&app).await.unwrap()).unwrap();
    assert!(raw.starts_with("HTTP/1.1 200 OK\r\n"), "{raw}");
    assert!(raw.contains("content-length: "), "{raw}");
    assert!(raw.ends_with("\r\n\r\n"), "{raw}");
}

#[tokio::test]
async fn truncate_cuts_the_body_after_n_bytes() {
    let app = spawn_app().await;
    fault(&app, json!({"truncate": {"bytes": 10}})).await;
    let resp = user_get(&app).await.expect("the head arrives");
    assert!(resp.text().await.is_err());
    let raw = raw_get(&app).await.unwrap();
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let promised: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(body.len(), 10);
    assert!(promised > 10);
}

#[tokio::test]
async fn garbage_sends_seeded_random_bytes_then_closes() {
    let app = spawn_app().await;
    fault(&app, json!({"garbage": {"bytes": 64}})).await;
    assert!(user_get(&app).await.is_err());
    let raw = raw_get(&app).await.unwrap();
    assert_eq!(raw.len(), 64);
    assert!(!raw.starts_with(b"HTTP/"));
}

#[tokio::test]
async fn dribble_sends_a_valid_body_slowly_in_chunks() {
    let app = spawn_app().await;
    fault(
        &app,
        json!({"dribble": {"chunkBytes": 200, "intervalMs": 20}}),
    )
    .await;
    let t = std::time::Instant::now();
    let resp = user_get(&app).await.unwrap();
    let body: Value = resp.json().await.expect("complete JSON");
    assert_eq!(body["id"], MARIA);
    assert!(t.elapsed() >= Duration::from_millis(20));
    let raw = String::from_utf8(raw_get_keepalive_off(&app).await).unwrap();
    assert!(
        raw.to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "{raw}"
    );
}

/// Like `raw_get` but asks the server to close after the response.
async fn raw_get_keepalive_off(app: &TestApp) -> Vec<u8> {
    let mut s = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let req = format!(
        "GET {SCIM}/Users/{MARIA} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nAuthorization: Bearer {}\r\n\r\n",
        app.addr, app.token
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(3), s.read_to_end(&mut buf))
        .await
        .unwrap()
        .unwrap();
    buf
}

#[tokio::test]
async fn malformed_json_is_a_200_that_does_not_parse() {
    let app = spawn_app().await;
    fault(&app, json!("malformedJson")).await;
    let resp = user_get(&app).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("json")
    );
    let text = resp.text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
}

#[tokio::test]
async fn hang_is_bounded_and_does_not_block_other_clients() {
    let app = spawn_app().await;
    fault(&app, json!({"hang": {"maxMs": 150}})).await;
    // A client that gives up first sees a timeout.
    let quick = app
        .get(&format!("{SCIM}/Users/{MARIA}"))
        .timeout(Duration::from_millis(50))
        .send()
        .await;
    assert!(quick.unwrap_err().is_timeout());
    // Meanwhile one request hangs and others are served.
    let hanging = {
        let req = app.get(&format!("{SCIM}/Users/{MARIA}"));
        tokio::spawn(async move { req.send().await.map(|r| r.status().as_u16()) })
    };
    for _ in 0..5 {
        let resp = app.get(&format!("{SCIM}/Users")).send().await.unwrap();
        assert_eq!(resp.status(), 200);
    }
    // The bound ends the hang with a 504.
    let status = tokio::time::timeout(Duration::from_secs(2), hanging)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(status, 504);
}

#[tokio::test]
async fn no_fault_leaves_the_server_unusable() {
    let app = spawn_app().await;
    let thens = [
        json!("reset"),
        json!("empty"),
        json!({"garbage": {"bytes": 0}}),
        json!({"garbage": {"bytes": 1048576}}),
        json!({"truncate": {"bytes": 0}}),
        json!({"truncate": {"bytes": 99999999}}),
        json!({"dribble": {"chunkBytes": 1, "intervalMs": 0}}),
        json!({"respond": {"status": 599}}),
        json!({"respond": {"status": 204, "body": null}}),
        json!({"throttle": {"retryAfter": 0}}),
        json!({"hang": {"maxMs": 0}}),
        json!({"delay": {"ms": 0}}),
    ];
    // The check after each fault goes over a new connection: a `reset` or `truncate` closes
    // the faulted one, and a pooled client can pick it up again before it sees the close,
    // which would test the client's pool rather than the server.
    let fresh = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    for then in thens {
        fault(&app, then.clone()).await;
        let _ = tokio::time::timeout(Duration::from_secs(5), user_get(&app)).await;
        let resp = fresh
            .get(app.url(&format!("{SCIM}/Users")))
            .bearer_auth(&app.token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "after {then}");
    }
    let resp = app
        .client
        .get(app.url("/__admin/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn a_hang_the_client_abandons_is_journaled_once() {
    let app = spawn_app().await;
    fault(&app, json!("hang")).await;
    let quick = app
        .get(&format!("{SCIM}/Users/{MARIA}"))
        .timeout(Duration::from_millis(50))
        .send()
        .await;
    assert!(quick.unwrap_err().is_timeout());
    let mut entries = Vec::new();
    for _ in 0..40 {
        entries = journaled(&app).await;
        if !entries.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["fault"], "hang");
    assert_eq!(entries[0]["status"], 0);
}

#[tokio::test]
async fn shutdown_ends_hangs_and_delays() {
    let app = spawn_app().await;
    add_scenario(
        &app,
        &json!({"name": "hold", "rules": [
            {"name": "hang", "when": {"route": "users.get"}, "then": "hang"},
            {"name": "delay", "when": {"route": "users.list"}, "then": {"delay": {"ms": 300000}}}
        ]}),
    )
    .await;
    let get = app.get(&format!("{SCIM}/Users/{MARIA}"));
    let list = app.get(&format!("{SCIM}/Users"));
    let hanging = tokio::spawn(async move { get.send().await.map(|r| r.status().as_u16()) });
    let delayed = tokio::spawn(async move { list.send().await.map(|r| r.status().as_u16()) });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let t = std::time::Instant::now();
    drop(app); // stops the server
    let hang_status = tokio::time::timeout(Duration::from_secs(3), hanging)
        .await
        .expect("the hang ended")
        .unwrap();
    let delay_status = tokio::time::timeout(Duration::from_secs(3), delayed)
        .await
        .expect("the delay ended")
        .unwrap();
    assert!(t.elapsed() < Duration::from_secs(3));
    assert_eq!(hang_status.unwrap(), 503);
    // The delayed request is answered by the emulation once the wait is cut short.
    assert_eq!(delay_status.unwrap(), 200);
}
