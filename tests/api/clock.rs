//! The controllable clock: `/__admin/clock`, and the behaviours that read it (token expiry,
//! rate windows, `meta.lastModified`).

use crate::helpers::*;
use genesys_scim_mock::Config;
use serde_json::{Value, json};

const T0: &str = "2026-01-01T00:00:00.000Z";

fn frozen() -> Config {
    with(test_config(), |config| {
        config.clock = format!("frozen:{T0}")
    })
}

async fn clock_get(app: &TestApp) -> (u16, Value) {
    status_json(
        app.client
            .get(app.url("/__admin/clock"))
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn clock_post(app: &TestApp, body: &str) -> (u16, Value) {
    status_json(
        app.client
            .post(app.url("/__admin/clock"))
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn the_admin_api_reads_advances_sets_freezes_and_resumes_the_clock() {
    let app = spawn_with(frozen()).await;
    let (s, body) = clock_get(&app).await;
    assert_eq!(s, 200);
    assert_eq!(body, json!({"now": T0, "frozen": true}));

    let (s, body) = clock_post(&app, r#"{"advance": "61s"}"#).await;
    assert_eq!(s, 200);
    assert_eq!(
        body,
        json!({"now": "2026-01-01T00:01:01.000Z", "frozen": true})
    );
    assert_eq!(
        app.clock_now().await,
        "2026-01-01T00:01:01.000Z",
        "the server's clock moved, not a copy"
    );

    let (_, body) = clock_post(&app, r#"{"set": "2030-06-01T12:00:00+02:00"}"#).await;
    assert_eq!(
        body,
        json!({"now": "2030-06-01T10:00:00.000Z", "frozen": true})
    );

    let (_, body) = clock_post(&app, r#"{"resume": true}"#).await;
    assert_eq!(body["frozen"], false);
    assert!(
        body["now"]
            .as_str()
            .unwrap()
            .starts_with("2030-06-01T10:00"),
        "resumes from where it stood: {body}"
    );

    let (_, body) = clock_post(&app, r#"{"freeze": true}"#).await;
    assert_eq!(body["frozen"], true);
    let (_, again) = clock_get(&app).await;
    assert_eq!(again, body, "a frozen clock does not move");
}

#[tokio::test]
async fn bad_clock_commands_get_400_and_leave_the_clock_alone() {
    let app = spawn_with(frozen()).await;
    for bad in [
        "",
        "not json",
        "[1]",
        "{}",
        r#"{"advance": "61 fortnights"}"#,
        r#"{"advance": "61s", "freeze": true}"#,
        r#"{"set": "next tuesday"}"#,
        r#"{"freeze": false}"#,
        r#"{"rewind": "5s"}"#,
    ] {
        let (s, body) = clock_post(&app, bad).await;
        assert_platform_error(s, &body, 400, "bad.request");
        assert!(
            body["message"].as_str().unwrap().contains("advance"),
            "{bad:?}: the message shows what is accepted: {body}"
        );
    }
    let (_, body) = clock_get(&app).await;
    assert_eq!(body["now"], T0);

    let (s, _) = status_json(
        app.client
            .delete(app.url("/__admin/clock"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 405);
}

#[tokio::test]
async fn the_clock_api_honours_admin_off_and_the_admin_token() {
    let off = spawn_with(with(frozen(), |config| config.admin_enabled = false)).await;
    assert_eq!(clock_get(&off).await.0, 404);

    let guarded = spawn_with(with(frozen(), |config| {
        config.admin_token = Some("sesame".to_owned())
    }))
    .await;
    assert_eq!(clock_get(&guarded).await.0, 401);
    let resp = guarded
        .client
        .post(guarded.url("/__admin/clock"))
        .bearer_auth("sesame")
        .header("content-type", "application/json")
        .body(r#"{"advance": "1s"}"#)
        .send()
        .await
        .unwrap();
    let (s, body) = status_json(resp).await;
    assert_eq!(s, 200);
    assert_eq!(body["now"], "2026-01-01T00:00:01.000Z");
}

#[tokio::test]
async fn tokens_expire_when_the_clock_passes_their_ttl_and_a_new_token_works() {
    let app = spawn_with(frozen()).await;
    let users = format!("{SCIM}/Users");
    assert_eq!(app.get(&users).send().await.unwrap().status(), 200);

    // The default client's tokens live 86400 s: still valid one second before.
    clock_post(&app, r#"{"advance": "86399s"}"#).await;
    assert_eq!(app.get(&users).send().await.unwrap().status(), 200);

    clock_post(&app, r#"{"advance": "2s"}"#).await;
    let (s, body) = status_json(app.get(&users).send().await.unwrap()).await;
    assert_platform_error(s, &body, 401, "credentials.expired");
    assert!(
        body["message"].as_str().unwrap().contains("expired"),
        "{body}"
    );

    let fresh = app.token_for(CLIENT_ID, CLIENT_SECRET).await;
    let resp = app
        .client
        .get(app.url(&users))
        .bearer_auth(&fresh)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn advancing_by_retry_after_through_the_admin_api_reopens_the_window() {
    let app = spawn_with(with(frozen(), |config| {
        config.rate_limit_per_minute = Some(2)
    }))
    .await;
    let users = format!("{SCIM}/Users");
    for _ in 0..2 {
        assert_eq!(app.get(&users).send().await.unwrap().status(), 200);
    }
    let refused = app.get(&users).send().await.unwrap();
    assert_eq!(refused.status(), 429);
    let n: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    clock_post(&app, &json!({"advance": format!("{}s", n - 1)}).to_string()).await;
    assert_eq!(app.get(&users).send().await.unwrap().status(), 429);
    clock_post(&app, r#"{"advance": 1}"#).await;
    assert_eq!(app.get(&users).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn last_modified_follows_the_clock() {
    let app = spawn_with(frozen()).await;
    // Within the token's 24 h lifetime.
    clock_post(&app, r#"{"set": "2026-01-01T05:06:07Z"}"#).await;
    let user = app
        .create_user(&json!({"userName": "clocked@example.com", "displayName": "C"}))
        .await;
    assert_eq!(user["meta"]["lastModified"], "2026-01-01T05:06:07.000Z");
}

/// RFC 3339 writes four-digit years: a running clock set near the end of year 9999 stops at
/// its last millisecond instead of reaching year 10000.
#[tokio::test]
async fn a_running_clock_stops_at_the_end_of_year_9999() {
    let app = spawn_app().await;
    let (s, b) = clock_post(&app, r#"{"set": "9999-12-31T23:59:59.990Z"}"#).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["frozen"], false);
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    let (_, b) = clock_get(&app).await;
    assert_eq!(b["now"], "9999-12-31T23:59:59.999Z");
    // What reads the clock writes four-digit years too.
    let (s, user) = app.get_json(&format!("{SCIM}/Users/{MARIA}")).await;
    assert_eq!(
        s, 401,
        "the default client's tokens expired long before: {user}"
    );
    let token = app.token_for(CLIENT_ID, CLIENT_SECRET).await;
    let resp = app
        .client
        .get(app.url(&format!("{SCIM}/Users/{MARIA}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        200,
        "a token issued at the end of time still works"
    );
}

/// Moving the clock back does not bring an expired token back: once expired, always expired.
#[tokio::test]
async fn moving_the_clock_back_does_not_revive_expired_tokens() {
    let app = spawn_with(frozen()).await;
    let users = format!("{SCIM}/Users/{MARIA}");
    assert_eq!(app.get_json(&users).await.0, 200);
    for (forward, back) in [
        (r#"{"advance": "2d"}"#, r#"{"advance": "-2d"}"#),
        (
            r#"{"set": "2026-01-03T00:00:00Z"}"#,
            r#"{"set": "2026-01-01T00:00:00Z"}"#,
        ),
    ] {
        let (s, b) = clock_post(&app, forward).await;
        assert_eq!(s, 200, "{b}");
        let (s, b) = app.get_json(&users).await;
        assert_eq!(s, 401, "{b}");
        let (s, b) = clock_post(&app, back).await;
        assert_eq!(s, 200, "{b}");
        let (s, b) = app.get_json(&users).await;
        assert_eq!(s, 401, "{forward} then {back}: {b}");
        assert!(
            b["message"].as_str().unwrap_or("").contains("expired"),
            "{b}"
        );
    }
    // A token issued now works, and expires in its own time.
    let fresh = app.token_for(CLIENT_ID, CLIENT_SECRET).await;
    let resp = app
        .client
        .get(app.url(&users))
        .bearer_auth(&fresh)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}
