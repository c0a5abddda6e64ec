//! A web page on another origin cannot drive the admin API: a write needs a JSON body (which a
//! page can only send after a CORS preflight the mock never grants) and is refused when the
//! browser says it comes from elsewhere (`Origin`, `Sec-Fetch-Site`). Clients that are not
//! browsers (curl, SDKs, the mock's own subcommands) send neither header and are unaffected.

use reqwest::Method;
use serde_json::Value;

use crate::helpers::*;

const T0: &str = "2026-01-01T00:00:00.000Z";

async fn frozen() -> TestApp {
    spawn_with(with(test_config(), |c| {
        c.clock = format!("frozen:{T0}");
    }))
    .await
}

/// `POST /__admin/clock {"advance": "1d"}` with these headers: status and body.
async fn advance(app: &TestApp, headers: &[(&str, &str)], body: Option<&str>) -> (u16, Value) {
    let mut b = app.client.post(app.url("/__admin/clock"));
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let b = b.body(body.unwrap_or(r#"{"advance": "1d"}"#).to_owned());
    status_json(b.send().await.unwrap()).await
}

#[tokio::test]
async fn admin_writes_a_page_could_send_without_a_preflight_are_refused() {
    let app = frozen().await;
    let here = format!("http://{}", app.addr);
    for (headers, body, status) in [
        (
            vec![("content-type", "text/plain;charset=UTF-8")],
            None,
            415,
        ),
        (
            vec![("content-type", "application/x-www-form-urlencoded")],
            Some(r#"{"advance": "1d"}="#),
            415,
        ),
        (
            vec![("content-type", "multipart/form-data; boundary=x")],
            None,
            415,
        ),
        // A Blob without a type: no content type at all.
        (vec![], None, 415),
        (
            vec![
                ("content-type", "application/json"),
                ("origin", "http://evil.example"),
            ],
            None,
            403,
        ),
        (
            vec![("content-type", "application/json"), ("origin", "null")],
            None,
            403,
        ),
        (
            vec![
                ("content-type", "application/json"),
                ("sec-fetch-site", "cross-site"),
            ],
            None,
            403,
        ),
        // Another port of the same host is the same site, and another origin.
        (
            vec![
                ("content-type", "application/json"),
                ("sec-fetch-site", "same-site"),
            ],
            None,
            403,
        ),
    ] {
        let (s, b) = advance(&app, &headers, body).await;
        assert_eq!(s, status, "{headers:?}: {b}");
        assert_platform_error(s, &b, status, b["code"].as_str().unwrap_or("?"));
    }
    let (_, clock) = status_json(
        app.client
            .get(app.url("/__admin/clock"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(clock["now"], T0, "the clock did not move");
    // A write without a body (reset) from another origin, and a DELETE.
    let other = format!("http://127.0.0.1:{}", app.addr.port() + 1);
    let resp = app
        .client
        .post(app.url("/__admin/reset"))
        .header("origin", &other)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let resp = app
        .client
        .delete(app.url("/__admin/requests"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    // The mock's own page (same origin), and clients that are not browsers, still write.
    for headers in [
        vec![("content-type", "application/json")],
        vec![
            ("content-type", "application/json; charset=utf-8"),
            ("origin", here.as_str()),
        ],
        vec![
            ("content-type", "application/json"),
            ("sec-fetch-site", "same-origin"),
            ("origin", here.as_str()),
        ],
        vec![
            ("content-type", "application/json"),
            ("sec-fetch-site", "none"),
        ],
    ] {
        let (s, b) = advance(&app, &headers, None).await;
        assert_eq!(s, 200, "{headers:?}: {b}");
    }
    let resp = app
        .client
        .post(app.url("/__admin/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        204,
        "a write without a body needs no content type"
    );
}

/// A preflight is never granted, and no answer carries CORS headers: a page elsewhere can
/// neither send a JSON write nor read an answer.
#[tokio::test]
async fn no_preflight_is_granted_and_no_answer_is_shared() {
    let app = spawn_app().await;
    for path in [
        "/__admin/clock",
        "/__admin/scenarios",
        "/__admin/orgs/default/export",
        "/oauth/token",
    ] {
        let resp = app
            .client
            .request(Method::OPTIONS, app.url(path))
            .header("origin", "http://evil.example")
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
            .await
            .unwrap();
        assert!(!resp.status().is_success(), "{path}: {}", resp.status());
        assert!(
            resp.headers().get("access-control-allow-origin").is_none(),
            "{path}"
        );
        let resp = app
            .client
            .get(app.url(path))
            .header("origin", "http://evil.example")
            .send()
            .await
            .unwrap();
        assert!(
            resp.headers().get("access-control-allow-origin").is_none(),
            "{path}"
        );
    }
}
