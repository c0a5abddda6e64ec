//! The journal's byte budget, per-entry cuts, redaction and paging, through the real server.

use genesys_scim_mock::Redaction;
use genesys_scim_mock::bounds::{MAX_HEADER_VALUE, MIN_JOURNAL_BYTES};
use serde_json::{Value, json};

use crate::helpers::*;

async fn journal(app: &TestApp, query: &str) -> Value {
    let resp = app
        .client
        .get(app.url(&format!("/__admin/requests{query}")))
        .send()
        .await
        .unwrap();
    let (s, body) = status_json(resp).await;
    assert_eq!(s, 200, "{body}");
    body
}

/// A PATCH that sets the password carries it under `value`, beside `"path": "password"`; a
/// token request may separate its form fields with `;`. Neither reaches the journal.
#[tokio::test]
async fn patched_passwords_and_semicolon_forms_are_redacted() {
    let app = spawn_app().await;
    let ops = json!([
        {"op": "replace", "path": "password", "value": "patched-secret-1"},
        {"value": "patched-secret-2", "op": "replace", "PATH": "urn:ietf:params:scim:schemas:core:2.0:User:password"},
        {"op": "replace", "path": "title", "value": "kept-title"},
    ]);
    let (s, b) = app.patch_ops(&format!("{SCIM}/Users/{MARIA}"), ops).await;
    assert_eq!(s, 200, "{b}");
    let resp = app
        .client
        .post(app.url("/oauth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials;client_id={CLIENT_ID};client_secret=semicolon-secret"
        ))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_client_error() || resp.status().is_success());
    let text = journal(&app, "").await.to_string();
    for secret in ["patched-secret-1", "patched-secret-2", "semicolon-secret"] {
        assert!(!text.contains(secret), "{secret} is in the journal: {text}");
    }
    assert!(text.contains("kept-title"), "other values are kept");
}

#[tokio::test]
async fn secrets_never_reach_the_journal() {
    let app = spawn_app().await;
    // A form client_secret, and the access_token of the answer.
    let resp = app
        .client
        .post(app.url("/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ])
        .send()
        .await
        .unwrap();
    let issued: Value = resp.json().await.unwrap();
    let access_token = issued["access_token"].as_str().unwrap().to_owned();
    // Credential headers, a SCIM password, and a secret in the query string.
    app.client
        .post(app.url(&format!("{SCIM}/Users?client_secret=in-the-query")))
        .bearer_auth(&app.token)
        .header("content-type", "application/scim+json")
        .header("cookie", "session=cookie-secret")
        .header("proxy-authorization", "Basic proxy-secret")
        .header("x-api-key", "api-key-secret")
        .body(json!({"userName": "pw@example.com", "password": "scim-password-secret"}).to_string())
        .send()
        .await
        .unwrap();
    let text = journal(&app, "").await.to_string();
    for secret in [
        CLIENT_SECRET,
        &access_token,
        &app.token,
        "cookie-secret",
        "proxy-secret",
        "api-key-secret",
        "scim-password-secret",
        "in-the-query",
    ] {
        assert!(!text.contains(secret), "{secret} is in the journal: {text}");
    }
    assert!(text.contains("<redacted>"));
    assert!(
        text.contains("pw@example.com"),
        "the rest of the body is kept"
    );
}

#[tokio::test]
async fn the_redaction_list_is_configurable() {
    let mut config = test_config();
    config.journal_redact = Redaction::new(["x-team-secret"]);
    let app = spawn_with(config).await;
    app.get(&format!("{SCIM}/Users/{MARIA}"))
        .header("x-team-secret", "s3cr3t-value")
        .header("x-api-key", "now-visible")
        .send()
        .await
        .unwrap();
    let text = journal(&app, "?route=users.get").await.to_string();
    assert!(!text.contains("s3cr3t-value"), "{text}");
    assert!(text.contains("now-visible"), "{text}");
}

/// The mock's own user documents skip the body scan only while no key they can hold is on
/// the list: a list naming `userName` still hides it in every rendered answer (a cached
/// document, a list, a write's answer).
#[tokio::test]
async fn own_documents_are_redacted_when_the_list_names_their_keys() {
    let mut config = test_config();
    config.journal_redact = Redaction::new(["userName"]);
    let app = spawn_with(config).await;
    for _ in 0..2 {
        app.get(&format!("{SCIM}/Users/{MARIA}"))
            .send()
            .await
            .unwrap();
        app.get(&format!("{SCIM}/Users?count=2"))
            .send()
            .await
            .unwrap();
    }
    let text = journal(&app, "").await.to_string();
    assert!(!text.contains(r#"\"userName\":\"maria"#), "{text}");
    assert_eq!(
        text.matches(r#"\"userName\":\"<redacted>\""#).count(),
        6,
        "{text}"
    );
    // With the default list, the same answers are stored as sent.
    let app = spawn_app().await;
    app.get(&format!("{SCIM}/Users/{MARIA}"))
        .send()
        .await
        .unwrap();
    let text = journal(&app, "?route=users.get").await.to_string();
    assert!(
        text.contains(r#"\"userName\":\"maria.garcia@example.com\""#),
        "{text}"
    );
}

#[tokio::test]
async fn huge_headers_are_cut_flagged_counted_and_the_byte_budget_holds() {
    let mut config = test_config();
    config.journal_bytes = MIN_JOURNAL_BYTES;
    let app = spawn_with(config).await;
    let big = "h".repeat(200 * 1024);
    let body = "b".repeat(100 * 1024);
    let sent = 12;
    for _ in 0..sent {
        let resp = app
            .client
            .post(app.url(&format!("{SCIM}/Users")))
            .bearer_auth(&app.token)
            .header("x-big", &big)
            .header("content-type", "application/scim+json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "the body is not JSON");
    }
    let page = journal(&app, "?route=users.create").await;
    let stats = &page["journal"];
    assert!(
        stats["bytes"].as_u64().unwrap() <= stats["byteBudget"].as_u64().unwrap(),
        "{stats}"
    );
    assert_eq!(stats["byteBudget"], MIN_JOURNAL_BYTES);
    assert_eq!(stats["truncated"], sent, "{stats}");
    let entries = page["requests"].as_array().unwrap();
    assert!(!entries.is_empty());
    assert!(
        stats["dropped"].as_u64().unwrap() > 0,
        "12 cut entries exceed the budget: {stats}"
    );
    for e in entries {
        assert_eq!(e["headersTruncated"], true);
        assert_eq!(e["bodyTruncated"], true);
        let header = e["headers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h[0] == "x-big")
            .unwrap();
        assert_eq!(header[1].as_str().unwrap().len(), MAX_HEADER_VALUE);
    }
}

#[tokio::test]
async fn pages_follow_the_cursor_and_stream() {
    let app = spawn_app().await;
    for _ in 0..25 {
        app.get(&format!("{SCIM}/Users/{MARIA}"))
            .send()
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut after = 0u64;
    loop {
        let resp = app
            .client
            .get(app.url(&format!(
                "/__admin/requests?route=users.get&limit=10&after={after}"
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.headers()
                .get("transfer-encoding")
                .map(|v| v.as_bytes()),
            Some(&b"chunked"[..]),
            "the page is streamed"
        );
        let header_next = resp
            .headers()
            .get("x-journal-next")
            .map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
        let page: Value = resp.json().await.unwrap();
        let entries = page["requests"].as_array().unwrap();
        assert!(entries.len() <= 10);
        seen.extend(entries.iter().map(|e| e["seq"].as_u64().unwrap()));
        assert_eq!(page["next"].as_u64(), header_next);
        match header_next {
            Some(n) => after = n,
            None => break,
        }
    }
    assert_eq!(seen.len(), 25);
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    // JSON lines carry the cursor in the header.
    let resp = app
        .client
        .get(app.url("/__admin/requests?route=users.get&limit=5&format=jsonl"))
        .send()
        .await
        .unwrap();
    assert!(resp.headers().contains_key("x-journal-next"));
    assert_eq!(resp.text().await.unwrap().lines().count(), 5);
    for bad in ["limit=0", "limit=10001", "after=x"] {
        let resp = app
            .client
            .get(app.url(&format!("/__admin/requests?{bad}")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{bad}");
    }
}
