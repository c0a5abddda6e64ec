//! The user external-id API (`/api/v2/users/externalid/...`, `/api/v2/users/{id}/externalid`),
//! its rules, both encodings of URL-shaped authorities, and the forum report (Genesys community, "User - Generic SSO")
//! replayed against `scenarios/forum-url-authority/fixture.json`.

use std::path::PathBuf;

use genesys_scim_mock::compat::{Compat, ExternalIdRepost, RawSlashAuthority};
use reqwest::RequestBuilder;
use serde_json::{Value, json};

use crate::helpers::*;

const TEAMS: &str = "microsoftteams";
const JAMES_TEAMS_KEY: &str = "3f2a1b0c-1111-4222-8333-444455556666";
const GENESYS_EXT: &str = "urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User";

/// The forum fixture and the thread's values.
const STIJN: &str = "f0a1b2c3-0001-4000-8000-000000000001";
const AN: &str = "f0a1b2c3-0002-4000-8000-000000000002";
const FAS_INT: &str = "https://idp.iamfas.int.belgium.be/fas";
const FAS_INT_ENC: &str = "https%3A%2F%2Fidp.iamfas.int.belgium.be%2Ffas";
/// What the Python SDK sends: `quote(authority)` keeps `/` raw.
const FAS_INT_RAW: &str = "https%3A//idp.iamfas.int.belgium.be/fas";
const FAS: &str = "https://idp.iamfas.belgium.be/fas";
const FAS_ENC: &str = "https%3A%2F%2Fidp.iamfas.belgium.be%2Ffas";
const FAS_RAW: &str = "https%3A//idp.iamfas.belgium.be/fas";
const X_KEY: &str = "xxxxxxxxxxx";
const Y_KEY: &str = "yyyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyy";

fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/forum-url-authority/fixture.json")
}

/// A server on the forum fixture, with a token for its own client.
async fn forum_app(compat: Compat) -> TestApp {
    let mut app = spawn_with(with(test_config(), |config| {
        config.fixtures = Some(fixture_path());
        config.compat = compat;
    }))
    .await;
    app.token = app
        .token_for("forum-client-id", "forum-client-secret")
        .await;
    app
}

fn match_known() -> Compat {
    with(Compat::default(), |compat| {
        compat.raw_slash_authority = RawSlashAuthority::MatchKnown
    })
}

/// POST with `application/json`, as the SDKs send to the platform API.
fn post_ext(app: &TestApp, user: &str, body: &Value) -> RequestBuilder {
    app.client
        .post(app.url(&format!("/api/v2/users/{user}/externalid")))
        .bearer_auth(&app.token)
        .header("content-type", "application/json")
        .body(body.to_string())
}

async fn send(b: RequestBuilder) -> (u16, Value) {
    status_json(b.send().await.expect("send")).await
}

/// The user's ids as (authority, key) pairs, from `GET /api/v2/users/{id}/externalid`.
async fn ids_of(app: &TestApp, user: &str) -> Vec<(String, String)> {
    let (s, list) = send(app.get(&format!("/api/v2/users/{user}/externalid"))).await;
    assert_eq!(s, 200, "{list}");
    list.as_array()
        .expect("array")
        .iter()
        .map(|e| {
            (
                e["authorityName"]
                    .as_str()
                    .expect("authorityName")
                    .to_owned(),
                e["externalKey"].as_str().expect("externalKey").to_owned(),
            )
        })
        .collect()
}

fn pair(a: &str, k: &str) -> (String, String) {
    (a.to_owned(), k.to_owned())
}

async fn scim_user(app: &TestApp, id: &str) -> Value {
    let (s, u) = send(app.get(&format!("{SCIM}/Users/{id}"))).await;
    assert_eq!(s, 200, "{u}");
    u
}

fn scim_version(u: &Value) -> u64 {
    u["meta"]["version"]
        .as_str()
        .and_then(|v| v.parse().ok())
        .expect("meta.version")
}

fn scim_ext_ids(u: &Value) -> Vec<(String, String)> {
    u[GENESYS_EXT]["externalIds"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    pair(
                        e["authority"].as_str().unwrap_or_default(),
                        e["value"].as_str().unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

// ---- lookup ----

#[tokio::test]
async fn lookup_returns_the_platform_user_with_expand() {
    let app = spawn_app().await;
    let (s, u) = send(app.get(&format!(
        "/api/v2/users/externalid/{TEAMS}/{JAMES_TEAMS_KEY}?expand=groups,authorization"
    )))
    .await;
    assert_eq!(s, 200, "{u}");
    assert_eq!(u["id"], JAMES);
    assert_eq!(u["username"], "james.smith@example.com");
    assert_eq!(u["selfUri"], format!("/api/v2/users/{JAMES}"));
    assert_eq!(u["groups"][0]["id"], SALES_TEAM, "{u}");
    assert!(u["authorization"]["roles"].is_array(), "{u}");

    // The SCIM externalId is reachable under its own authority.
    let (s, u) = send(app.get("/api/v2/users/externalid/x-pc%3Ascimv2%3Av1/emp-0002")).await;
    assert_eq!(s, 200, "{u}");
    assert_eq!(u["id"], JAMES);
}

#[tokio::test]
async fn lookup_is_case_sensitive_and_unknown_pairs_are_not_found() {
    let app = spawn_app().await;
    for path in [
        format!("/api/v2/users/externalid/MicrosoftTeams/{JAMES_TEAMS_KEY}"),
        format!(
            "/api/v2/users/externalid/{TEAMS}/{}",
            JAMES_TEAMS_KEY.to_uppercase()
        ),
        "/api/v2/users/externalid/nobody/nothing".to_owned(),
        "/api/v2/users/externalid/microsoftteams".to_owned(),
    ] {
        let (s, body) = send(app.get(&path)).await;
        assert_platform_error(s, &body, 404, "not.found");
    }
}

#[tokio::test]
async fn deleted_users_are_not_found() {
    let app = spawn_app().await;
    let (s, _) = send(app.delete(&format!("{SCIM}/Users/{JAMES}"))).await;
    assert_eq!(s, 204);
    let (s, body) = send(app.get(&format!(
        "/api/v2/users/externalid/{TEAMS}/{JAMES_TEAMS_KEY}"
    )))
    .await;
    assert_platform_error(s, &body, 404, "not.found");
    let (s, body) = send(app.get(&format!("/api/v2/users/{JAMES}/externalid"))).await;
    assert_platform_error(s, &body, 404, "not.found");
    let (s, body) = send(post_ext(
        &app,
        JAMES,
        &json!({"authorityName": "a", "externalKey": "b"}),
    ))
    .await;
    assert_platform_error(s, &body, 404, "not.found");
}

// ---- one user's ids ----

#[tokio::test]
async fn list_and_get_by_authority_include_the_scim_authority() {
    let app = spawn_app().await;
    let (s, list) = send(app.get(&format!("/api/v2/users/{JAMES}/externalid"))).await;
    assert_eq!(s, 200);
    assert_eq!(
        list,
        json!([
            {"authorityName": "x-pc:scimv2:v1", "externalKey": "emp-0002",
             "selfUri": format!("/api/v2/users/{JAMES}/externalid/x-pc%3Ascimv2%3Av1/emp-0002")},
            {"authorityName": TEAMS, "externalKey": JAMES_TEAMS_KEY,
             "selfUri": format!("/api/v2/users/{JAMES}/externalid/{TEAMS}/{JAMES_TEAMS_KEY}")},
        ])
    );
    let (s, one) = send(app.get(&format!("/api/v2/users/{JAMES}/externalid/{TEAMS}"))).await;
    assert_eq!(s, 200, "{one}");
    assert_eq!(one, list[1]);
    let (s, one) = send(app.get(&format!(
        "/api/v2/users/{JAMES}/externalid/x-pc%3Ascimv2%3Av1"
    )))
    .await;
    assert_eq!(s, 200);
    assert_eq!(one["externalKey"], "emp-0002");

    for path in [
        format!("/api/v2/users/{JAMES}/externalid/MICROSOFTTEAMS"),
        format!("/api/v2/users/{MARIA}/externalid/{TEAMS}"),
        "/api/v2/users/no-such-user/externalid".to_owned(),
        format!("/api/v2/users/no-such-user/externalid/{TEAMS}"),
    ] {
        let (s, body) = send(app.get(&path)).await;
        assert_platform_error(s, &body, 404, "not.found");
    }
}

/// `Userexternalidentifier` as Genesys' Terraform provider decodes the answer of `POST
/// /api/v2/users/{userId}/externalid` (`callExternalUserAPI` in
/// `genesyscloud/external_user/genesyscloud_externalusers_identity_proxy.go`): one object,
/// decoded strictly, so an array (or a field of the wrong type) fails.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Userexternalidentifier {
    authority_name: String,
    external_key: String,
    self_uri: String,
}

#[tokio::test]
async fn post_answers_201_with_the_one_created_identifier_then_lookup_finds_it() {
    let app = spawn_app().await;
    let resp = post_ext(
        &app,
        MARIA,
        &json!({"authorityName": "XyzCRM", "externalKey": "05001"}),
    )
    .send()
    .await
    .expect("send");
    assert_eq!(resp.status(), 201);
    let bytes = resp.bytes().await.expect("body");
    let created: Userexternalidentifier = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "not one Userexternalidentifier ({e}): {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    assert_eq!(
        (
            created.authority_name.as_str(),
            created.external_key.as_str()
        ),
        ("XyzCRM", "05001")
    );
    assert_eq!(
        created.self_uri,
        format!("/api/v2/users/{MARIA}/externalid/XyzCRM/05001")
    );
    assert_eq!(
        ids_of(&app, MARIA).await,
        vec![pair("x-pc:scimv2:v1", "emp-0001"), pair("XyzCRM", "05001")]
    );
    let (s, u) = send(app.get("/api/v2/users/externalid/XyzCRM/05001")).await;
    assert_eq!(s, 200);
    assert_eq!(u["id"], MARIA);
    // Case-sensitive: a different case is a different authority, so it is an addition.
    let (s, one) = send(post_ext(
        &app,
        MARIA,
        &json!({"authorityName": "xyzcrm", "externalKey": "05001"}),
    ))
    .await;
    assert_eq!(s, 201);
    assert_eq!(one["authorityName"], "xyzcrm", "{one}");
    assert_eq!(ids_of(&app, MARIA).await.len(), 3);
}

/// The provider's update is a DELETE then a POST of the new pair; each step answers as the
/// provider decodes it.
#[tokio::test]
async fn the_providers_update_deletes_then_posts_the_new_pair() {
    let app = spawn_app().await;
    let (s, _) = send(app.delete(&format!(
        "/api/v2/users/{JAMES}/externalid/{TEAMS}/{JAMES_TEAMS_KEY}"
    )))
    .await;
    assert_eq!(s, 204);
    let resp = post_ext(
        &app,
        JAMES,
        &json!({"authorityName": TEAMS, "externalKey": "new-key"}),
    )
    .send()
    .await
    .expect("send");
    assert_eq!(resp.status(), 201);
    let created: Userexternalidentifier = resp.json().await.expect("one identifier");
    assert_eq!(created.external_key, "new-key");
    assert!(ids_of(&app, JAMES).await.contains(&pair(TEAMS, "new-key")));
}

#[tokio::test]
async fn post_rejects_bad_bodies_with_a_detail() {
    let app = spawn_app().await;
    for (body, needle) in [
        (json!({"externalKey": "k"}), "authorityName is required"),
        (json!({"authorityName": "a"}), "externalKey is required"),
        (
            json!({"authorityName": "a", "externalKey": 5}),
            "externalKey must be a string",
        ),
        (
            json!({"authorityName": "", "externalKey": "k"}),
            "authorityName must not be empty",
        ),
    ] {
        let (s, err) = send(post_ext(&app, MARIA, &body)).await;
        assert_platform_error(s, &err, 400, "bad.request");
        assert!(
            err["message"].as_str().unwrap_or("").contains(needle),
            "{body} → {err}"
        );
    }
    let raw = app
        .client
        .post(app.url(&format!("/api/v2/users/{MARIA}/externalid")))
        .bearer_auth(&app.token)
        .header("content-type", "application/json")
        .body("{not json");
    let (s, err) = send(raw).await;
    assert_platform_error(s, &err, 400, "bad.request");
    assert_eq!(ids_of(&app, MARIA).await.len(), 1, "nothing was added");
}

#[tokio::test]
async fn the_scim_authority_cannot_be_set_or_deleted() {
    let app = spawn_app().await;
    for authority in ["x-pc:scimv2:v1", "x-pc:scimv2:v1:other"] {
        let (s, err) = send(post_ext(
            &app,
            MARIA,
            &json!({"authorityName": authority, "externalKey": "zzz"}),
        ))
        .await;
        assert_platform_error(s, &err, 400, "bad.request");
        assert!(
            err["message"].as_str().unwrap_or("").contains("SCIM"),
            "{err}"
        );
    }
    let (s, err) = send(app.delete(&format!(
        "/api/v2/users/{MARIA}/externalid/x-pc%3Ascimv2%3Av1/emp-0001"
    )))
    .await;
    assert_platform_error(s, &err, 400, "bad.request");
    assert_eq!(
        ids_of(&app, MARIA).await,
        vec![pair("x-pc:scimv2:v1", "emp-0001")]
    );
}

#[tokio::test]
async fn a_pair_maps_to_one_user() {
    let app = spawn_app().await;
    let (s, err) = send(post_ext(
        &app,
        MARIA,
        &json!({"authorityName": TEAMS, "externalKey": JAMES_TEAMS_KEY}),
    ))
    .await;
    assert_platform_error(s, &err, 409, "conflict");
    // Nor can another user take the SCIM externalId through SCIM.
    assert!(!ids_of(&app, MARIA).await.iter().any(|p| p.0 == TEAMS));
    // The same key under another authority is a different pair.
    let (s, _) = send(post_ext(
        &app,
        MARIA,
        &json!({"authorityName": "zoomphone", "externalKey": JAMES_TEAMS_KEY}),
    ))
    .await;
    assert_eq!(s, 201);
}

#[tokio::test]
async fn reposting_an_authority_conflicts_by_default() {
    let app = spawn_app().await;
    let before = scim_version(&scim_user(&app, JAMES).await);
    for key in ["new-key", JAMES_TEAMS_KEY] {
        let (s, err) = send(post_ext(
            &app,
            JAMES,
            &json!({"authorityName": TEAMS, "externalKey": key}),
        ))
        .await;
        assert_platform_error(s, &err, 409, "conflict");
        assert!(
            err["message"]
                .as_str()
                .unwrap_or("")
                .contains("external-id-repost=replace"),
            "{err}"
        );
    }
    assert!(
        ids_of(&app, JAMES)
            .await
            .contains(&pair(TEAMS, JAMES_TEAMS_KEY))
    );
    assert_eq!(scim_version(&scim_user(&app, JAMES).await), before);
}

#[tokio::test]
async fn reposting_an_authority_replaces_the_key_when_switched() {
    let app = spawn_with(with(test_config(), |config| {
        config.compat.external_id_repost = ExternalIdRepost::Replace
    }))
    .await;
    let (s, list) = send(post_ext(
        &app,
        JAMES,
        &json!({"authorityName": TEAMS, "externalKey": "new-key"}),
    ))
    .await;
    assert_eq!(s, 201, "{list}");
    assert_eq!(
        ids_of(&app, JAMES).await,
        vec![pair("x-pc:scimv2:v1", "emp-0002"), pair(TEAMS, "new-key")]
    );
    let (s, _) = send(app.get(&format!(
        "/api/v2/users/externalid/{TEAMS}/{JAMES_TEAMS_KEY}"
    )))
    .await;
    assert_eq!(s, 404, "the old key is gone");
    // Re-posting the same pair changes nothing, so the version stays.
    let v = scim_version(&scim_user(&app, JAMES).await);
    let (s, _) = send(post_ext(
        &app,
        JAMES,
        &json!({"authorityName": TEAMS, "externalKey": "new-key"}),
    ))
    .await;
    assert_eq!(s, 201);
    assert_eq!(scim_version(&scim_user(&app, JAMES).await), v);
}

#[tokio::test]
async fn at_most_one_hundred_ids_per_user() {
    let app = spawn_app().await;
    // Maria starts with one (the SCIM externalId); 99 more reach the limit.
    for i in 0..99 {
        let (s, body) = send(post_ext(
            &app,
            MARIA,
            &json!({"authorityName": format!("auth-{i}"), "externalKey": "k"}),
        ))
        .await;
        assert_eq!(s, 201, "id {i}: {body}");
    }
    let (s, err) = send(post_ext(
        &app,
        MARIA,
        &json!({"authorityName": "one-too-many", "externalKey": "k"}),
    ))
    .await;
    assert_platform_error(s, &err, 400, "bad.request");
    assert!(
        err["message"].as_str().unwrap_or("").contains("100"),
        "{err}"
    );
    assert_eq!(ids_of(&app, MARIA).await.len(), 100);
}

#[tokio::test]
async fn delete_removes_one_pair() {
    let app = spawn_app().await;
    let before = scim_version(&scim_user(&app, JAMES).await);
    let path = format!("/api/v2/users/{JAMES}/externalid/{TEAMS}/{JAMES_TEAMS_KEY}");
    let (s, body) = send(app.delete(&path)).await;
    assert_eq!(s, 204, "{body}");
    assert_eq!(body, Value::Null);
    assert_eq!(
        ids_of(&app, JAMES).await,
        vec![pair("x-pc:scimv2:v1", "emp-0002")]
    );
    assert_eq!(scim_version(&scim_user(&app, JAMES).await), before + 1);
    let (s, err) = send(app.delete(&path)).await;
    assert_platform_error(s, &err, 404, "not.found");
    let (s, err) = send(app.delete(&format!(
        "/api/v2/users/{JAMES}/externalid/{TEAMS}/wrong-key"
    )))
    .await;
    assert_platform_error(s, &err, 404, "not.found");
}

#[tokio::test]
async fn wrong_methods_answer_405_with_allow() {
    let app = spawn_app().await;
    let cases = [
        (
            app.put_json(&format!("/api/v2/users/{JAMES}/externalid"), &json!({})),
            "GET, POST",
        ),
        (
            app.client
                .post(app.url(&format!("/api/v2/users/{JAMES}/externalid/{TEAMS}")))
                .bearer_auth(&app.token),
            "GET",
        ),
        (
            app.get(&format!(
                "/api/v2/users/{JAMES}/externalid/{TEAMS}/{JAMES_TEAMS_KEY}"
            )),
            "DELETE",
        ),
        (
            app.delete(&format!(
                "/api/v2/users/externalid/{TEAMS}/{JAMES_TEAMS_KEY}"
            )),
            "GET",
        ),
    ];
    for (req, allow) in cases {
        let resp = req.send().await.expect("send");
        assert_eq!(resp.status(), 405);
        assert_eq!(
            resp.headers().get("allow").and_then(|v| v.to_str().ok()),
            Some(allow)
        );
        let (s, body) = status_json(resp).await;
        assert_platform_error(s, &body, 405, "method.not.allowed");
    }
}

// ---- URL-shaped authorities: the two encodings ----

#[tokio::test]
async fn encoded_slashes_always_work() {
    for compat in [Compat::default(), match_known()] {
        let app = forum_app(compat).await;
        let (s, u) =
            send(app.get(&format!("/api/v2/users/externalid/{FAS_INT_ENC}/{X_KEY}"))).await;
        assert_eq!(s, 200, "{u}");
        assert_eq!(u["id"], STIJN);
        let (s, one) = send(app.get(&format!("/api/v2/users/{STIJN}/externalid/{FAS_ENC}"))).await;
        assert_eq!(s, 200, "{one}");
        assert_eq!(one["authorityName"], FAS);
        assert_eq!(
            one["selfUri"],
            format!("/api/v2/users/{STIJN}/externalid/{FAS_ENC}/{X_KEY}")
        );
        let (s, _) = send(app.delete(&format!(
            "/api/v2/users/{STIJN}/externalid/{FAS_ENC}/{X_KEY}"
        )))
        .await;
        assert_eq!(s, 204);
        assert!(!ids_of(&app, STIJN).await.contains(&pair(FAS, X_KEY)));
    }
}

#[tokio::test]
async fn raw_slashes_are_not_found_by_default() {
    let app = forum_app(Compat::default()).await;
    for req in [
        app.get(&format!("/api/v2/users/externalid/{FAS_INT_RAW}/{X_KEY}")),
        app.get(&format!("/api/v2/users/{STIJN}/externalid/{FAS_INT_RAW}")),
        app.delete(&format!(
            "/api/v2/users/{STIJN}/externalid/{FAS_INT_RAW}/{X_KEY}"
        )),
    ] {
        let (s, err) = send(req).await;
        assert_platform_error(s, &err, 404, "not.found");
        assert!(
            err["message"].as_str().unwrap_or("").contains("%2F"),
            "the detail says how to send it: {err}"
        );
    }
    assert!(ids_of(&app, STIJN).await.contains(&pair(FAS_INT, X_KEY)));
}

#[tokio::test]
async fn raw_slashes_work_with_match_known() {
    let app = forum_app(match_known()).await;
    let (s, u) = send(app.get(&format!("/api/v2/users/externalid/{FAS_INT_RAW}/{X_KEY}"))).await;
    assert_eq!(s, 200, "{u}");
    assert_eq!(u["id"], STIJN);
    // Two different users under the same URL authority: the key picks the user.
    let (s, u) = send(app.get(&format!(
        "/api/v2/users/externalid/{FAS_INT_RAW}/zzzzzzzzzzz"
    )))
    .await;
    assert_eq!(s, 200, "{u}");
    assert_eq!(u["id"], AN);
    let (s, one) = send(app.get(&format!("/api/v2/users/{STIJN}/externalid/{FAS_RAW}"))).await;
    assert_eq!(s, 200, "{one}");
    assert_eq!(one["authorityName"], FAS);
    let (s, body) = send(app.delete(&format!(
        "/api/v2/users/{STIJN}/externalid/{FAS_RAW}/{X_KEY}"
    )))
    .await;
    assert_eq!(s, 204, "{body}");
    assert!(!ids_of(&app, STIJN).await.contains(&pair(FAS, X_KEY)));
    // An authority nobody has is still not routable.
    let (s, err) = send(app.get(&format!(
        "/api/v2/users/externalid/https%3A//unknown.example/fas/{X_KEY}"
    )))
    .await;
    assert_platform_error(s, &err, 404, "not.found");
}

// ---- the forum thread, call by call ----

#[tokio::test]
async fn forum_thread_rest_calls_behave_as_reported() {
    let app = forum_app(Compat::default()).await;
    // GET by external id: works for microsoftteams...
    let (s, u) = send(app.get(&format!("/api/v2/users/externalid/{TEAMS}/{Y_KEY}"))).await;
    assert_eq!(s, 200, "{u}");
    assert_eq!(u["id"], STIJN);
    // ...not for the URL authority as the SDK sends it, but does once the slashes are encoded.
    let (s, _) = send(app.get(&format!("/api/v2/users/externalid/{FAS_INT_RAW}/{X_KEY}"))).await;
    assert_eq!(s, 404);
    let (s, u) = send(app.get(&format!("/api/v2/users/externalid/{FAS_INT_ENC}/{X_KEY}"))).await;
    assert_eq!(s, 200);
    assert_eq!(u["id"], STIJN);

    // POST can add...
    let (s, list) = send(post_ext(
        &app,
        STIJN,
        &json!({"authorityName": "https://idp.example.org/fas", "externalKey": "added"}),
    ))
    .await;
    assert_eq!(s, 201, "{list}");
    assert_eq!(list["externalKey"], "added", "the one created identifier");
    assert_eq!(ids_of(&app, STIJN).await.len(), 5);
    // ...but not update, microsoftteams included.
    for (authority, key) in [(FAS_INT, "abcdefghijk"), (TEAMS, "new-teams-id")] {
        let (s, err) = send(post_ext(
            &app,
            STIJN,
            &json!({"authorityName": authority, "externalKey": key}),
        ))
        .await;
        assert_platform_error(s, &err, 409, "conflict");
    }

    // DELETE with the URL authority: 404 when sent raw, 204 when encoded.
    let (s, _) = send(app.delete(&format!(
        "/api/v2/users/{STIJN}/externalid/{FAS_INT_RAW}/{X_KEY}"
    )))
    .await;
    assert_eq!(s, 404);
    let (s, _) = send(app.delete(&format!(
        "/api/v2/users/{STIJN}/externalid/{FAS_INT_ENC}/{X_KEY}"
    )))
    .await;
    assert_eq!(s, 204);
    // The "update" the thread wanted: delete, then add.
    let (s, _) = send(post_ext(
        &app,
        STIJN,
        &json!({"authorityName": FAS_INT, "externalKey": "abcdefghijk"}),
    ))
    .await;
    assert_eq!(s, 201);
    let (s, u) = send(app.get(&format!(
        "/api/v2/users/externalid/{FAS_INT_ENC}/abcdefghijk"
    )))
    .await;
    assert_eq!(s, 200);
    assert_eq!(u["id"], STIJN);
}

#[tokio::test]
async fn forum_thread_extension_only_put_replaces_the_external_ids_on_both_trees() {
    let app = forum_app(Compat::default()).await;
    for (tree, key) in [
        ("/api/v2/scim", "abcdefghijk"),
        ("/api/v2/scim/v2", "v2-key"),
    ] {
        let before = scim_version(&scim_user(&app, STIJN).await);
        let body = json!({
            GENESYS_EXT: {
                "externalIds": [
                    {"authority": FAS_INT, "value": key},
                    {"authority": TEAMS, "value": Y_KEY},
                    {"authority": FAS, "value": key}
                ]
            }
        });
        let (s, u) = send(app.put_json(&format!("{tree}/users/{STIJN}"), &body)).await;
        assert_eq!(s, 200, "PUT on {tree}: {u}");
        assert_eq!(u["userName"], "stijn.serry@example.be", "userName kept");
        assert_eq!(scim_version(&u), before + 1);
        let ids = ids_of(&app, STIJN).await;
        let others: Vec<_> = ids
            .iter()
            .filter(|p| p.0 != "x-pc:scimv2:v1")
            .cloned()
            .collect();
        assert_eq!(
            others,
            vec![pair(FAS_INT, key), pair(TEAMS, Y_KEY), pair(FAS, key)],
            "after PUT on {tree}"
        );
        let (s, u) = send(app.get(&format!("/api/v2/users/externalid/{FAS_INT_ENC}/{key}"))).await;
        assert_eq!(s, 200);
        assert_eq!(u["id"], STIJN);
    }
    // The old key is gone from the index.
    let (s, _) = send(app.get(&format!("/api/v2/users/externalid/{FAS_INT_ENC}/{X_KEY}"))).await;
    assert_eq!(s, 404);
}

// ---- one store ----

#[tokio::test]
async fn changes_show_across_scim_and_the_external_id_api() {
    let app = spawn_app().await;
    let v0 = scim_version(&scim_user(&app, MARIA).await);

    // External-id API → SCIM.
    let (s, _) = send(post_ext(
        &app,
        MARIA,
        &json!({"authorityName": FAS_INT, "externalKey": "maria-fas"}),
    ))
    .await;
    assert_eq!(s, 201);
    let u = scim_user(&app, MARIA).await;
    assert_eq!(scim_version(&u), v0 + 1);
    assert!(
        scim_ext_ids(&u).contains(&pair(FAS_INT, "maria-fas")),
        "{u}"
    );

    // SCIM → external-id API: the SCIM externalId is the x-pc entry.
    let mut body = u.clone();
    body["externalId"] = json!("emp-0001-renamed");
    let (s, u2) = send(app.put_json(&format!("{SCIM}/Users/{MARIA}"), &body)).await;
    assert_eq!(s, 200, "{u2}");
    assert_eq!(scim_version(&u2), v0 + 2);
    let ids = ids_of(&app, MARIA).await;
    assert!(
        ids.contains(&pair("x-pc:scimv2:v1", "emp-0001-renamed")),
        "{ids:?}"
    );
    assert!(ids.contains(&pair(FAS_INT, "maria-fas")), "{ids:?}");

    // Delete through the API → gone from SCIM, version bumped again.
    let (s, _) = send(app.delete(&format!(
        "/api/v2/users/{MARIA}/externalid/{FAS_INT_ENC}/maria-fas"
    )))
    .await;
    assert_eq!(s, 204);
    let u3 = scim_user(&app, MARIA).await;
    assert_eq!(scim_version(&u3), v0 + 3);
    assert!(!scim_ext_ids(&u3).contains(&pair(FAS_INT, "maria-fas")));
}

#[test]
fn the_forum_fixture_loads() {
    let orgs = genesys_scim_mock::validate(&fixture_path())
        .unwrap_or_else(|e| panic!("fixture does not load: {e}"));
    assert_eq!(orgs, 1);
}

#[tokio::test]
async fn the_switch_can_be_set_per_org_in_the_fixture() {
    let text = std::fs::read_to_string(fixture_path()).expect("fixture");
    let mut doc: Value = serde_json::from_str(&text).expect("fixture json");
    doc["orgs"][0]["compat"] = json!({"raw-slash-authority": "match-known"});
    let path = std::env::temp_dir().join(format!(
        "forum-url-authority-match-known-{}.json",
        std::process::id()
    ));
    std::fs::write(&path, doc.to_string()).expect("write fixture");
    let mut app = spawn_with(with(test_config(), |config| {
        config.fixtures = Some(path.clone())
    }))
    .await;
    let _ = std::fs::remove_file(&path);
    app.token = app
        .token_for("forum-client-id", "forum-client-secret")
        .await;
    let (s, u) = send(app.get(&format!("/api/v2/users/externalid/{FAS_INT_RAW}/{X_KEY}"))).await;
    assert_eq!(s, 200, "{u}");
    assert_eq!(u["id"], STIJN);
}
