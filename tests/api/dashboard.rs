//! The dashboard's page and the paged views it reads: served by the binary, bounded pages,
//! the admin token asked for by the page and required by the data, `--admin off`.

use crate::helpers::*;
use serde_json::{Value, json};

async fn get(app: &TestApp, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut b = app.client.get(app.url(path));
    if let Some(t) = token {
        b = b.bearer_auth(t);
    }
    b.send().await.unwrap()
}

async fn get_json(app: &TestApp, path: &str) -> (u16, Value) {
    status_json(get(app, path, None).await).await
}

#[tokio::test]
async fn the_page_and_its_assets_are_served_from_the_binary() {
    let app = spawn_app().await;
    for (path, ty, needle) in [
        (
            "/__admin/ui",
            "text/html",
            "<title>genesys-scim-mock</title>",
        ),
        (
            "/__admin/ui/dashboard.js",
            "text/javascript",
            "sessionStorage",
        ),
        ("/__admin/ui/dashboard.css", "text/css", "table.rows"),
    ] {
        let resp = get(&app, path, None).await;
        assert_eq!(resp.status(), 200, "{path}");
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(ty),
            "{path}"
        );
        let csp = resp.headers()["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'none'"), "{csp}");
        assert!(resp.text().await.unwrap().contains(needle), "{path}");
    }
    let (s, _) = get_json(&app, "/__admin/ui/../../etc/passwd").await;
    assert_eq!(s, 404);
    let (s, _) = get_json(&app, "/__admin/ui/other.js").await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn with_an_admin_token_the_page_loads_but_its_data_needs_the_token() {
    let app = spawn_with(with(test_config(), |config| {
        config.admin_token = Some("s3cret".into())
    }))
    .await;
    assert_eq!(get(&app, "/__admin/ui", None).await.status(), 200);
    for path in [
        "/__admin/timeline",
        "/__admin/orgs/default/users",
        "/__admin/orgs/default/groups",
    ] {
        assert_eq!(get(&app, path, None).await.status(), 401, "{path}");
        assert_eq!(
            get(&app, path, Some("s3cret")).await.status(),
            200,
            "{path}"
        );
    }
    let off = spawn_with(with(test_config(), |config| config.admin_enabled = false)).await;
    assert_eq!(get(&off, "/__admin/ui", None).await.status(), 404);
    assert_eq!(get(&off, "/__admin/timeline", None).await.status(), 404);
}

#[tokio::test]
async fn users_come_with_both_forms_searchable_and_paged() {
    let app = spawn_app().await;
    let (s, page) = get_json(&app, "/__admin/orgs/default/users?q=smith").await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(page["total"], 1);
    let james = &page["users"][0];
    assert_eq!(james["id"], JAMES);
    assert_eq!(james["scim"]["userName"], "james.smith@example.com");
    assert_eq!(
        james["scim"]["meta"]["location"],
        format!("{SCIM}/Users/{JAMES}")
    );
    assert_eq!(james["genesys"]["email"], "james.smith@example.com");
    assert_eq!(james["genesys"]["divisionName"], "Sales");
    let (_, page) = get_json(&app, "/__admin/orgs/default/users?offset=1&limit=2").await;
    assert_eq!(page["total"], 5);
    assert_eq!(page["users"].as_array().unwrap().len(), 2);
    assert_eq!(page["users"][0]["id"], JAMES);
    // Deleted users show only when asked for, with no SCIM view.
    let r = app
        .delete(&format!("{SCIM}/Users/{OLIVIA}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let (_, page) = get_json(&app, "/__admin/orgs/default/users?q=olivia").await;
    assert_eq!(page["total"], 0);
    let (_, page) = get_json(&app, "/__admin/orgs/default/users?q=olivia&deleted=true").await;
    assert_eq!(page["users"][0]["state"], "deleted");
    assert_eq!(page["users"][0]["scim"], Value::Null);
    for bad in [
        "limit=0",
        "limit=201",
        "offset=-1",
        "deleted=maybe",
        "sort=name",
    ] {
        let (s, body) = get_json(&app, &format!("/__admin/orgs/default/users?{bad}")).await;
        assert_eq!(s, 400, "{bad}: {body}");
    }
    let (s, _) = get_json(&app, "/__admin/orgs/nowhere/users").await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn groups_come_with_both_forms_and_capped_members() {
    let app = spawn_app().await;
    let (s, page) = get_json(&app, "/__admin/orgs/default/groups?q=sales").await;
    assert_eq!(s, 200);
    let g = &page["groups"][0];
    assert_eq!(g["id"], SALES_TEAM);
    assert_eq!(g["memberCount"], 2);
    assert_eq!(g["scim"]["displayName"], "Sales Team");
    assert_eq!(g["scim"]["members"].as_array().unwrap().len(), 2);
    assert_eq!(g["genesys"]["visibility"], "public");
    assert_eq!(g["genesys"]["members"][0], JAMES);
}

#[tokio::test]
async fn the_timeline_pages_newest_first_without_bodies() {
    let app = spawn_with(with(test_config(), |config| {
        config.rate_limit_per_minute = None
    }))
    .await;
    for _ in 0..7 {
        let r = app
            .get(&format!("{SCIM}/Users/{JAMES}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let r = app
        .get(&format!("{SCIM}/Users/nobody"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // The token request, seven reads and the 404.
    let (s, page) = get_json(&app, "/__admin/timeline?limit=3").await;
    assert_eq!(s, 200, "{page}");
    let seqs: Vec<u64> = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, [9, 8, 7]);
    assert_eq!(page["hasOlder"], true);
    let top = &page["rows"][0];
    assert_eq!(top["status"], 404);
    assert_eq!(top["route"], "users.get");
    assert_eq!(top["method"], "GET");
    assert!(top["durationMs"].is_number());
    assert!(top.get("body").is_none() && top.get("headers").is_none());
    let (_, older) = get_json(&app, "/__admin/timeline?limit=5&before=7").await;
    let seqs: Vec<u64> = older["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, [6, 5, 4, 3, 2]);
    assert_eq!(older["hasOlder"], true);
    let (_, last) = get_json(&app, "/__admin/timeline?limit=5&before=2").await;
    assert_eq!(last["rows"].as_array().unwrap().len(), 1);
    assert_eq!(last["hasOlder"], false);
    let (_, found) = get_json(&app, "/__admin/timeline?q=404").await;
    assert_eq!(found["rows"].as_array().unwrap().len(), 1);
    let (_, found) = get_json(&app, "/__admin/timeline?q=oauth.token").await;
    assert_eq!(found["rows"][0]["seq"], 1);
    // The expanded entry is the journal's own, redacted.
    let (_, full) = get_json(&app, "/__admin/requests?seq=1").await;
    let auth: Vec<&Value> = full["requests"][0]["headers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h[0].as_str().unwrap().eq_ignore_ascii_case("authorization"))
        .collect();
    assert_eq!(auth.len(), 1, "{full}");
    assert_eq!(auth[0][1], json!("<redacted>"));
}

#[tokio::test]
async fn a_full_journal_still_answers_one_small_page() {
    let app = spawn_with(with(test_config(), |config| {
        config.rate_limit_per_minute = None;
        config.journal_size = 300;
    }))
    .await;
    for _ in 0..400 {
        let r = app
            .get("/api/v2/scim/v2/Users?count=1")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let (_, page) = get_json(&app, "/__admin/timeline").await;
    assert_eq!(page["rows"].as_array().unwrap().len(), 25);
    assert_eq!(page["journal"]["held"], 300);
    assert_eq!(page["journal"]["dropped"], 101);
    assert_eq!(page["rows"][0]["seq"], 401);
}
