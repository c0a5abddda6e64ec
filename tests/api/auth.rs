//! OAuth client credentials and bearer-token checks.

use crate::helpers::*;
use serde_json::Value;

#[tokio::test]
async fn token_with_basic_auth_is_bearer_with_client_ttl() {
    let app = spawn_app().await;
    let resp = app
        .client
        .post(app.url("/oauth/token"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let (s, body) = status_json(resp).await;
    assert_eq!(s, 200);
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 86400);
    assert!(body["access_token"].as_str().is_some_and(|t| t.len() > 20));
}

#[tokio::test]
async fn token_with_form_credentials_works_and_is_usable() {
    let app = spawn_app().await;
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
    let (s, body) = status_json(resp).await;
    assert_eq!(s, 200);
    let token = body["access_token"].as_str().unwrap();
    let resp = app
        .client
        .get(app.url(&format!("{SCIM}/Users")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn bad_secret_unknown_client_and_bad_grant_are_oauth_errors() {
    let app = spawn_app().await;
    let send = |id: &'static str, secret: &'static str, grant: &'static str| {
        app.client
            .post(app.url("/oauth/token"))
            .basic_auth(id, Some(secret))
            .form(&[("grant_type", grant)])
            .send()
    };
    let (s, b) = status_json(
        send(CLIENT_ID, "wrong", "client_credentials")
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((s, b["error"].as_str()), (401, Some("invalid_client")));
    let (s, b) = status_json(send("nobody", "x", "client_credentials").await.unwrap()).await;
    assert_eq!((s, b["error"].as_str()), (401, Some("invalid_client")));
    let (s, b) = status_json(send(CLIENT_ID, CLIENT_SECRET, "password").await.unwrap()).await;
    assert_eq!(
        (s, b["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
}

#[tokio::test]
async fn missing_unknown_and_expired_tokens_get_platform_401() {
    let app = spawn_app().await;
    let url = app.url(&format!("{SCIM}/Users"));
    let (s, b) = status_json(app.client.get(&url).send().await.unwrap()).await;
    assert_platform_error(s, &b, 401, "bad.credentials");
    assert!(
        b["message"]
            .as_str()
            .unwrap()
            .contains("No authentication bearer token")
    );
    let (s, b) = status_json(
        app.client
            .get(&url)
            .bearer_auth("made-up")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_platform_error(s, &b, 401, "bad.credentials");
    // Expiry follows the controllable clock.
    app.advance_clock(chrono::Duration::seconds(86_401)).await;
    let (s, b) = status_json(app.get(&format!("{SCIM}/Users")).send().await.unwrap()).await;
    assert_platform_error(s, &b, 401, "bad.credentials");
    assert!(b["message"].as_str().unwrap().contains("expired"));
    let fresh = app.token_for(CLIENT_ID, CLIENT_SECRET).await;
    let resp = app
        .client
        .get(&url)
        .bearer_auth(fresh)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn every_response_carries_a_correlation_id_echoed_in_errors() {
    let app = spawn_app().await;
    let resp = app
        .client
        .get(app.url("/api/v2/users/x"))
        .send()
        .await
        .unwrap();
    let cid = resp.headers()["inin-correlation-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["contextId"], cid);
    let resp = app.get(&format!("{SCIM}/Users")).send().await.unwrap();
    assert!(resp.headers().contains_key("inin-correlation-id"));
}
