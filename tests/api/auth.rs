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

/// What Genesys' login service says for an unknown client and for a wrong secret, each in
/// `description` and `error_description`: reported by `gildas/go-gcloudcx`, a Go client
/// whose tests run against login.mypurecloud.com.
#[tokio::test]
async fn the_token_endpoint_says_client_not_found_or_authentication_failed() {
    let app = spawn_app().await;
    for (id, secret, said) in [
        ("nobody", "x", "client not found"),
        (CLIENT_ID, "wrong", "authentication failed"),
    ] {
        let (s, _, body) = token_request(&app, id, secret).await;
        assert_eq!(s, 401, "{body}");
        let err: AuthErrorResponse =
            serde_json::from_value(body.clone()).expect("AuthErrorResponse");
        assert_eq!(
            (
                err.error.as_str(),
                err.description.as_str(),
                err.error_description.as_str()
            ),
            ("invalid_client", said, said),
            "{id}"
        );
    }
}

/// The three 401s of the platform API, with the codes and messages of Genesys' error-code
/// catalogue (as `gildas/go-gcloudcx` lists them): no token, a token it does not know, an
/// expired token.
#[tokio::test]
async fn missing_unknown_and_expired_tokens_get_the_three_genesys_401s() {
    let app = spawn_app().await;
    let url = app.url(&format!("{SCIM}/Users"));
    let (s, b) = status_json(app.client.get(&url).send().await.unwrap()).await;
    assert_platform_error(s, &b, 401, "authentication.required");
    assert_eq!(
        b["message"],
        "No authentication bearer token specified in authorization header."
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
    assert_eq!(b["message"], "Invalid login credentials.");
    // Expiry follows the controllable clock.
    app.advance_clock(chrono::Duration::seconds(86_401)).await;
    let (s, b) = status_json(app.get(&format!("{SCIM}/Users")).send().await.unwrap()).await;
    assert_platform_error(s, &b, 401, "credentials.expired");
    assert_eq!(
        b["message"],
        "The supplied credentials are expired and cannot be used."
    );
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

/// `auth-errors=uniform`: one 401 code whose message says what was wrong, and one token
/// error that does not tell which client ids exist.
#[tokio::test]
async fn auth_errors_uniform_answers_one_code_and_one_token_error() {
    let app = spawn_with(with(test_config(), |c| {
        c.compat.auth_errors = genesys_scim_mock::compat::AuthErrors::Uniform;
    }))
    .await;
    let url = app.url(&format!("{SCIM}/Users"));
    let (s, b) = status_json(app.client.get(&url).send().await.unwrap()).await;
    assert_platform_error(s, &b, 401, "bad.credentials");
    assert!(
        b["message"]
            .as_str()
            .unwrap()
            .contains("No authentication bearer token")
    );
    app.advance_clock(chrono::Duration::seconds(86_401)).await;
    let (s, b) = status_json(app.get(&format!("{SCIM}/Users")).send().await.unwrap()).await;
    assert_platform_error(s, &b, 401, "bad.credentials");
    assert!(b["message"].as_str().unwrap().contains("expired"), "{b}");
    let unknown = token_request(&app, "nobody", "x").await.2;
    let wrong = token_request(&app, CLIENT_ID, "wrong").await.2;
    assert_eq!(unknown, wrong);
    assert_eq!(unknown["error"], "invalid_client");
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

/// The token endpoint's refusal as Genesys' Go SDK reads it (`AuthErrorResponse`), decoded
/// strictly.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthErrorResponse {
    error: String,
    description: String,
    error_description: String,
}

/// `POST /oauth/token` with HTTP Basic: the status, the `Retry-After` header and the body.
async fn token_request(app: &TestApp, id: &str, secret: &str) -> (u16, Option<String>, Value) {
    let resp = app.token_response(id, secret).await;
    let retry = resp
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let (s, body) = status_json(resp).await;
    (s, retry, body)
}

/// Creates an org through the admin API with two clients: `fast` may fetch two tokens a
/// minute, `plain` takes the server's figure.
async fn org_with_token_limits(app: &TestApp) {
    let resp = app
        .admin(reqwest::Method::POST, "/__admin/orgs")
        .json(&serde_json::json!({
            "id": "token-limits",
            "divisions": [{"id": "d1", "name": "Home", "home": true}],
            "roles": [{"id": "r1", "name": "employee"}],
            "oauthClients": [
                {"id": "fast", "secret": "fast-secret", "tokenRateLimitPerMinute": 2},
                {"id": "plain", "secret": "plain-secret"}
            ]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
}

/// Genesys limits token requests per OAuth client (`token.rate.per.minute` = 300, its Limits
/// page); its Terraform provider retries client-credentials auth only on the Go SDK's
/// `Auth Error: 400 - invalid_request (rate limit exceeded; ...)` (provider.go, PR #1004).
#[tokio::test]
async fn the_token_endpoint_refuses_a_client_past_its_token_rate_with_the_400_the_provider_retries()
{
    let app = spawn_with(with(test_config(), |c| {
        c.clock = "frozen:2026-03-01T09:00:00Z".into();
    }))
    .await;
    org_with_token_limits(&app).await;
    for _ in 0..2 {
        assert_eq!(token_request(&app, "fast", "fast-secret").await.0, 200);
    }
    let (s, retry, body) = token_request(&app, "fast", "fast-secret").await;
    assert_eq!(s, 400, "{body}");
    let err: AuthErrorResponse = serde_json::from_value(body.clone()).expect("AuthErrorResponse");
    assert_eq!(err.error, "invalid_request");
    // What the Go SDK makes of it, and what the provider looks for.
    let sdk = format!(
        "Auth Error: {s} - {} ({})",
        err.error, err.error_description
    );
    assert!(
        sdk.contains("Auth Error: 400 - invalid_request (rate limit exceeded;"),
        "{sdk}"
    );
    assert_eq!(err.description, err.error_description);
    assert_eq!(retry.as_deref(), Some("60"));
    // Other clients have their own window; the server's default is 300.
    for _ in 0..3 {
        assert_eq!(token_request(&app, "plain", "plain-secret").await.0, 200);
    }
    // A wrong secret is refused as such, not counted and not throttled.
    assert_eq!(token_request(&app, "fast", "wrong").await.0, 401);
    // Tokens already issued keep working; the window ends after a minute.
    assert_eq!(app.get_status(&format!("{SCIM}/Users")).await, 200);
    app.advance_clock(chrono::Duration::seconds(60)).await;
    assert_eq!(token_request(&app, "fast", "fast-secret").await.0, 200);
}

#[tokio::test]
async fn the_token_rate_defaults_to_300_per_client_takes_a_flag_and_rate_limit_off_lifts_it() {
    let app = spawn_with(with(test_config(), |c| {
        c.clock = "frozen:2026-03-01T09:00:00Z".into();
    }))
    .await;
    // The helper already fetched one token for the default client.
    for i in 1..300 {
        let (s, _, body) = token_request(&app, CLIENT_ID, CLIENT_SECRET).await;
        assert_eq!(s, 200, "token {i}: {body}");
    }
    let (s, _, body) = token_request(&app, CLIENT_ID, CLIENT_SECRET).await;
    assert_eq!((s, body["error"].as_str()), (400, Some("invalid_request")));

    let app = spawn_with(with(test_config(), |c| {
        c.token_rate_limit_per_minute = Some(1)
    }))
    .await;
    assert_eq!(token_request(&app, CLIENT_ID, CLIENT_SECRET).await.0, 400);

    let app = spawn_with(with(test_config(), |c| {
        c.token_rate_limit_per_minute = Some(1);
        c.rate_limit_per_minute = None;
    }))
    .await;
    for _ in 0..5 {
        assert_eq!(token_request(&app, CLIENT_ID, CLIENT_SECRET).await.0, 200);
    }
    org_with_token_limits(&app).await;
    for _ in 0..5 {
        assert_eq!(token_request(&app, "fast", "fast-secret").await.0, 200);
    }
}
