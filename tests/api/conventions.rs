//! The small decisions taken from what the official SDKs send: an empty `filter=`, `Accept:
//! application/json`, and the case of `Location` (docs/compatibility.md, "SDK conventions").

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn an_empty_filter_is_no_filter_on_groups_and_users() {
    let app = spawn_app().await;
    // The JavaScript SDK's getScimV2Groups(filter, opts) requires `filter`: callers pass "".
    for path in ["groups", "Groups", "users"] {
        let (s, all) = app.get_json(&format!("{SCIM}/{path}")).await;
        assert_eq!(s, 200);
        for empty in ["filter=", "filter=%20", "filter=+&count=25"] {
            let (s, body) = app.get_json(&format!("{SCIM}/{path}?{empty}")).await;
            assert_eq!(s, 200, "{path}?{empty}: {body}");
            assert_eq!(body["totalResults"], all["totalResults"], "{path}?{empty}");
        }
    }
    let (_, groups) = app.get_json(&format!("{SCIM}/groups?filter=")).await;
    assert_eq!(groups["totalResults"], 3);
}

#[tokio::test]
async fn accept_application_json_gets_application_json_and_the_rest_scim_json() {
    let app = spawn_app().await;
    let ct = |accept: Option<&'static str>, path: String| {
        let app = &app;
        async move {
            let mut b = app.get(&path);
            if let Some(a) = accept {
                b = b.header("accept", a);
            }
            let resp = b.send().await.unwrap();
            let status = resp.status().as_u16();
            let ct = resp.headers()["content-type"].to_str().unwrap().to_owned();
            // Either way the body is the same JSON.
            let _: serde_json::Value = resp.json().await.unwrap();
            (status, ct)
        }
    };
    let user = format!("{SCIM}/users/{MARIA}");
    let missing = format!("{SCIM}/users/nobody");
    // What both official SDKs send on every call.
    assert_eq!(
        ct(Some("application/json"), user.clone()).await,
        (200, "application/json".into())
    );
    assert_eq!(
        ct(Some("application/json"), missing.clone()).await,
        (404, "application/json".into())
    );
    for accept in [
        None,
        Some("*/*"),
        Some("application/scim+json"),
        Some("application/scim+json, application/json"),
    ] {
        assert_eq!(
            ct(accept, user.clone()).await,
            (200, "application/scim+json".into()),
            "{accept:?}"
        );
        assert_eq!(
            ct(accept, missing.clone()).await.1,
            "application/scim+json",
            "{accept:?}"
        );
    }
    // Platform routes are application/json whatever is asked.
    assert_eq!(
        ct(
            Some("application/scim+json"),
            format!("/api/v2/users/{MARIA}")
        )
        .await,
        (200, "application/json".into())
    );
}

#[tokio::test]
async fn location_is_canonical_whatever_case_the_client_used_and_it_resolves() {
    let app = spawn_app().await;
    for (tree, n) in [("/api/v2/scim/v2", 1), ("/api/v2/scim", 2)] {
        // The SDKs' paths are lowercase (`/api/v2/scim/v2/users`).
        let resp = app
            .post_json(
                &format!("{tree}/users"),
                &json!({"userName": format!("loc{n}@example.com"), "displayName": "Loc"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        let location = resp.headers()["location"].to_str().unwrap().to_owned();
        let body: serde_json::Value = resp.json().await.unwrap();
        let id = body["id"].as_str().unwrap();
        assert_eq!(location, app.url(&format!("{tree}/Users/{id}")));
        assert_eq!(body["meta"]["location"], location.as_str());
        let got = app
            .client
            .get(&location)
            .bearer_auth(&app.token)
            .send()
            .await
            .unwrap();
        assert_eq!(got.status(), 200);
    }
}
