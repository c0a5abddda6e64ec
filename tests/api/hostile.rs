//! Hostile requests against the real server: each gets a clean 4xx or a bounded cost, and the
//! server keeps answering afterwards.

use genesys_scim_mock::compat::Profile;
use serde_json::{Value, json};

use crate::helpers::*;

const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// The reported crash: a value-path filter of 20,000 `or` terms (about 200 KB).
fn long_chain_path(attr: &str, term: &str, joiner: &str) -> String {
    format!("{attr}[{}].value", vec![term; 20_000].join(joiner))
}

async fn still_serving(app: &TestApp) {
    let resp = app.get(&format!("{SCIM}/Users/{MARIA}")).send().await;
    assert_eq!(resp.expect("server still up").status(), 200);
}

#[tokio::test]
async fn flat_chains_in_patch_paths_are_invalid_filter_in_both_profiles() {
    for profile in [Profile::Genesys, Profile::Rfc] {
        let mut config = test_config();
        config.compat.profile = profile;
        let app = spawn_with(config).await;
        for (resource, id, attr, term) in [
            ("Users", MARIA, "emails", "type pr"),
            ("Groups", SALES_TEAM, "members", "value pr"),
        ] {
            for joiner in [" or ", " and "] {
                let body = json!({"schemas": [PATCH_OP], "Operations": [{
                    "op": "replace",
                    "path": long_chain_path(attr, term, joiner),
                    "value": "x@y.com"
                }]});
                let resp = app
                    .patch_json(&format!("{SCIM}/{resource}/{id}"), &body)
                    .send()
                    .await
                    .expect("an answer, not a dropped connection");
                let (status, body) = status_json(resp).await;
                assert_scim_error(status, &body, 400, Some("invalidFilter"));
                let detail = body["detail"].as_str().unwrap();
                assert!(detail.contains("more than 256"), "{detail}");
                assert!(detail.len() < 1_000, "the detail echoes the whole path");
            }
        }
        still_serving(&app).await;
    }
}

#[tokio::test]
async fn flat_chains_and_deep_nesting_in_list_filters_are_invalid_filter() {
    let mut config = test_config();
    config.compat.profile = Profile::Rfc;
    let app = spawn_with(config).await;
    let chain = vec!["userName eq x"; 2_000].join(" or ");
    let deep = format!("{}userName pr{}", "(".repeat(5_000), ")".repeat(5_000));
    for filter in [chain, deep] {
        let resp = app
            .get(&format!("{SCIM}/Users"))
            .query(&[("filter", filter.as_str())])
            .send()
            .await
            .expect("an answer");
        let (status, body): (u16, Value) = status_json(resp).await;
        assert_scim_error(status, &body, 400, Some("invalidFilter"));
    }
    still_serving(&app).await;
}

async fn token_answer(app: &TestApp, id: &str, secret: &str) -> (u16, Value) {
    status_json(app.token_response(id, secret).await).await
}

/// Under `auth-errors=uniform` (the rfc profile's value) the token endpoint does not tell
/// which client ids exist. Genesys' own answers differ (`auth-errors=genesys`, the default).
#[tokio::test]
async fn unknown_clients_and_wrong_secrets_get_the_same_answer_when_uniform() {
    let app = spawn_with(with(test_config(), |c| {
        c.compat = genesys_scim_mock::compat::Compat::preset(Profile::Rfc);
    }))
    .await;
    let unknown = token_answer(&app, "no-such-client", CLIENT_SECRET).await;
    let wrong = token_answer(&app, CLIENT_ID, "not-the-secret").await;
    assert_eq!(unknown.0, 401);
    assert_eq!(unknown.1["error"], "invalid_client");
    assert_eq!(unknown, wrong, "the answers tell the two apart");
}

#[tokio::test]
async fn a_huge_count_is_clamped_to_the_largest_page() {
    use genesys_scim_mock::bounds::MAX_COUNT;
    let dir = std::env::temp_dir().join(format!("gsm-count-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.json");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_genesys-scim-mock"))
        .args(["generate-fixture", "--users", "1300", "--groups", "1"])
        .args(["--seed", "1", "--org", "big", "--out"])
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success());
    let mut config = test_config();
    config.fixtures = Some(path);
    let mut app = spawn_with(config).await;
    app.token = app.token_for("big-client-id", "big-client-secret").await;
    let resp = app
        .get(&format!("{SCIM}/Users?count=1000000&attributes=userName"))
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(resp).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["itemsPerPage"], MAX_COUNT);
    assert_eq!(body["Resources"].as_array().unwrap().len(), MAX_COUNT);
    assert!(body["totalResults"].as_u64().unwrap() > MAX_COUNT as u64);
}

/// Creates a user with this `Host` and hostile `X-Forwarded-*` headers.
async fn create_with_headers(
    app: &TestApp,
    user: &str,
    host: &str,
) -> (u16, Option<String>, Value) {
    let resp = app
        .post_json(
            &format!("{SCIM}/Users"),
            &json!({"userName": user, "displayName": "Loc"}),
        )
        .header("host", host)
        .header("x-forwarded-proto", "javascript")
        .header("x-forwarded-host", "evil.example")
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, location, resp.json().await.unwrap())
}

/// A name the server does not answer for gets nothing but 421; a `Host` it answers for is
/// what URLs are built on, and `X-Forwarded-*` never is.
#[tokio::test]
async fn locations_come_from_an_answered_host_never_from_forwarded_headers() {
    let app = spawn_app().await;
    let (status, location, body) =
        create_with_headers(&app, "evil@example.com", "evil.example").await;
    assert_eq!((status, location), (421, None), "{body}");
    let host = app.addr.to_string();
    let (status, location, body) = create_with_headers(&app, "loc@example.com", &host).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().unwrap();
    let want = format!("{}{SCIM}/Users/{id}", app.base);
    assert_eq!(location.as_deref(), Some(want.as_str()));
    assert_eq!(body["meta"]["location"], want);
}

#[tokio::test]
async fn locations_come_from_the_public_url_when_set() {
    let mut config = test_config();
    config.public_url = Some("https://scim.example.test/mock".into());
    let app = spawn_with(config).await;
    let (status, location, body) = create_with_headers(&app, "pub@example.com", "gsm:8080").await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().unwrap();
    let want = format!("https://scim.example.test/mock{SCIM}/Users/{id}");
    assert_eq!(location.as_deref(), Some(want.as_str()));
    assert_eq!(body["meta"]["location"], want);
}

#[tokio::test]
async fn lax_user_bodies_are_refused() {
    let app = spawn_app().await;
    let long = format!("{}@example.com", "a".repeat(400_000));
    for body in [
        json!({"userName": "e@example.com", "displayName": "E", "emails": [1, 2]}).to_string(),
        json!({"userName": long, "displayName": "L"}).to_string(),
        json!({"userName": "nul\u{0}@example.com", "displayName": "N"}).to_string(),
        r#"{"userName": "d1@example.com", "userName": "d2@example.com", "displayName": "D"}"#
            .to_owned(),
    ] {
        let resp = app
            .client
            .post(app.url(&format!("{SCIM}/Users")))
            .bearer_auth(&app.token)
            .header("content-type", "application/scim+json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let (status, answer) = status_json(resp).await;
        assert_eq!(status, 400, "{}: {answer}", &body[..body.len().min(80)]);
    }
}
