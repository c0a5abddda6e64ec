//! The `Host` allow-list (against DNS rebinding) and the URLs built from the request's host.

use serde_json::{Value, json};

use crate::helpers::*;

/// `method path` with this `Host`: status and body.
async fn with_host(app: &TestApp, method: reqwest::Method, path: &str, host: &str) -> (u16, Value) {
    let mut b = app
        .client
        .request(method.clone(), app.url(path))
        .header("host", host);
    if path.starts_with("/api") {
        b = b.bearer_auth(&app.token);
    }
    if path == "/oauth/token" {
        b = b
            .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials");
    }
    status_json(b.send().await.unwrap()).await
}

#[tokio::test]
async fn a_foreign_host_is_refused_on_every_route_in_the_route_s_shape() {
    let app = spawn_app().await;
    let get = reqwest::Method::GET;
    for host in [
        "evil.example",
        "evil.example:8080",
        "127.0.0.1.nip.io",
        "localhost.evil.example",
        "a b",
        "x@y",
    ] {
        let (s, b) = with_host(&app, get.clone(), &format!("{SCIM}/Users"), host).await;
        assert_scim_error(s, &b, 421, None);
        for path in [
            "/api/v2/users",
            "/__admin/health",
            "/__admin/ui",
            "/__admin/orgs",
        ] {
            let (s, b) = with_host(&app, get.clone(), path, host).await;
            assert_platform_error(s, &b, 421, "misdirected.request");
            assert!(
                b["message"].as_str().unwrap().contains("--allowed-host"),
                "{b}"
            );
        }
        let (s, b) = with_host(&app, reqwest::Method::POST, "/oauth/token", host).await;
        assert_platform_error(s, &b, 421, "misdirected.request");
    }
}

#[tokio::test]
async fn loopback_addresses_single_labels_and_listed_names_are_served() {
    let app = spawn_with(with(test_config(), |c| {
        c.allowed_hosts = vec!["mock.test".into(), ".corp.test".into()];
        c.public_url = Some("https://scim.example.test/base".into());
    }))
    .await;
    let port = app.addr.port();
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        "10.1.2.3".into(),
        "gsm:8080".into(),
        "app.localhost".into(),
        "MOCK.test".into(),
        "corp.test".into(),
        "a.b.corp.test:1".into(),
        "scim.example.test".into(),
    ] {
        let (s, b) = with_host(&app, reqwest::Method::GET, &format!("{SCIM}/Users"), &host).await;
        assert_eq!(s, 200, "{host}: {b}");
    }
    for host in ["mock.test.evil", "xcorp.test", "example.test"] {
        let (s, _) = with_host(&app, reqwest::Method::GET, "/__admin/health", host).await;
        assert_eq!(s, 421, "{host}");
    }
    let any = spawn_with(with(test_config(), |c| {
        c.allowed_hosts = vec!["*".into()];
    }))
    .await;
    let (s, _) = with_host(
        &any,
        reqwest::Method::GET,
        "/__admin/health",
        "evil.example",
    )
    .await;
    assert_eq!(s, 200, "* turns the check off");
}

/// Without `--public-url`, `Location`, `meta.location` and `$ref` name the host the request
/// came to (a container reached as `127.0.0.1:18601` or `gsm:8080`), not the bound address.
#[tokio::test]
async fn urls_follow_the_request_s_host() {
    let app = spawn_app().await;
    for host in ["127.0.0.1:18601", "gsm:8080", "[::1]:9"] {
        let resp = app
            .post_json(
                &format!("{SCIM}/Users"),
                &json!({"userName": format!("u{}@example.com", host.len()), "displayName": "U"}),
            )
            .header("host", host)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201, "{host}");
        let location = resp.headers()["location"].to_str().unwrap().to_owned();
        let body: Value = resp.json().await.unwrap();
        let want = format!("http://{host}{SCIM}/Users/{}", body["id"].as_str().unwrap());
        assert_eq!(location, want);
        assert_eq!(body["meta"]["location"], want);
        let (s, group) = with_host(
            &app,
            reqwest::Method::GET,
            &format!("{SCIM}/Groups/{SALES_TEAM}"),
            host,
        )
        .await;
        assert_eq!(s, 200);
        let member = group["members"][0]["$ref"].as_str().unwrap();
        assert!(
            member.starts_with(&format!("http://{host}{SCIM}/Users/")),
            "{member}"
        );
        // And back to the address the client used: no answer keeps another's host.
        let (_, again) = app.get_json(&format!("{SCIM}/Groups/{SALES_TEAM}")).await;
        assert!(
            again["meta"]["location"]
                .as_str()
                .unwrap()
                .starts_with(&format!("http://{}/", app.addr)),
            "{again}"
        );
        app.delete_user(body["id"].as_str().unwrap()).await;
    }
    // --public-url wins over any Host.
    let public = spawn_with(with(test_config(), |c| {
        c.public_url = Some("https://scim.example.test/base".into());
    }))
    .await;
    let (_, g) = with_host(
        &public,
        reqwest::Method::GET,
        &format!("{SCIM}/Groups/{SALES_TEAM}"),
        "gsm:8080",
    )
    .await;
    assert!(
        g["meta"]["location"]
            .as_str()
            .unwrap()
            .starts_with("https://scim.example.test/base/api/v2/scim/v2/Groups/"),
        "{g}"
    );
}
