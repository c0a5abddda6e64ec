//! Correctness under concurrency: racing writes to one record, racing creates of one
//! userName, and lists read while writes run. Each test is bounded in requests (at most a few
//! hundred) and runs on loopback.

use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::helpers::*;

async fn app_without_rate_limit() -> TestApp {
    let mut config = test_config();
    config.rate_limit_per_minute = None;
    spawn_with(config).await
}

/// A user document's `meta.version` as a number.
fn version(user: &Value) -> u64 {
    user["meta"]["version"].as_str().unwrap().parse().unwrap()
}

fn replace_title(title: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "title", "value": title}]
    })
}

#[tokio::test]
async fn of_64_patches_with_the_same_if_match_exactly_one_succeeds_and_is_kept() {
    let app = app_without_rate_limit().await;
    let (_, before) = status_json(
        app.get(&format!("{SCIM}/Users/{JAMES}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let etag = format!("\"{}\"", before["meta"]["version"].as_str().unwrap());
    let sends = (0..64).map(|i| {
        app.patch_json(
            &format!("{SCIM}/Users/{JAMES}"),
            &replace_title(&format!("Title {i}")),
        )
        .header("if-match", &etag)
        .send()
    });
    let mut winners = Vec::new();
    for (i, resp) in join_all(sends).await.into_iter().enumerate() {
        let (status, body) = status_json(resp.unwrap()).await;
        match status {
            200 => winners.push((i, body)),
            _ => assert_scim_error(status, &body, 400, Some("invalidVers")),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one PATCH wins");
    let (i, won) = &winners[0];
    let (_, after) = status_json(
        app.get(&format!("{SCIM}/Users/{JAMES}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        after["title"],
        format!("Title {i}"),
        "the winner's value is stored"
    );
    assert_eq!(after["meta"]["version"], won["meta"]["version"]);
    assert_eq!(
        version(&after),
        version(&before) + 1,
        "one write, one version"
    );
}

/// Writes render their answer after the org's write lock is released: each answer must
/// still be the user its own write stored (its title, its version, an ETag naming that
/// version), never a later write's, and what a read sends afterwards is the last write's.
#[tokio::test]
async fn of_64_unconditional_patches_each_answer_shows_its_own_write() {
    let app = app_without_rate_limit().await;
    let url = format!("{SCIM}/Users/{JAMES}");
    let (_, before) = status_json(app.get(&url).send().await.unwrap()).await;
    let sends = (0..64).map(|i| {
        app.patch_json(&url, &replace_title(&format!("Title {i}")))
            .send()
    });
    let mut versions = Vec::new();
    let mut last = None;
    for (i, resp) in join_all(sends).await.into_iter().enumerate() {
        let resp = resp.unwrap();
        let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
        let (status, body) = status_json(resp).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["title"], format!("Title {i}"), "answer {i}: {body}");
        let v = version(&body);
        assert_eq!(etag, format!("\"{v}\""), "answer {i}");
        if last.as_ref().is_none_or(|(lv, _)| v > *lv) {
            last = Some((v, body["title"].clone()));
        }
        versions.push(v);
    }
    versions.sort_unstable();
    let want: Vec<u64> = (1..=64).map(|n| version(&before) + n).collect();
    assert_eq!(versions, want, "one version per write, none shared");
    let (_, after) = status_json(app.get(&url).send().await.unwrap()).await;
    let (v, title) = last.unwrap();
    assert_eq!(version(&after), v);
    assert_eq!(after["title"], title, "a read sends the last write's user");
}

/// The same for creates: each 201 is the user its own POST created.
#[tokio::test]
async fn of_32_concurrent_creates_each_answer_is_its_own_user() {
    let app = app_without_rate_limit().await;
    let sends = (0..32).map(|i| {
        app.post_json(
            &format!("{SCIM}/Users"),
            &json!({"userName": format!("own{i}@example.com"), "displayName": format!("Own {i}")}),
        )
        .send()
    });
    let mut ids = std::collections::HashSet::new();
    for (i, resp) in join_all(sends).await.into_iter().enumerate() {
        let resp = resp.unwrap();
        let location = resp.headers()["location"].to_str().unwrap().to_owned();
        let (status, body) = status_json(resp).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["userName"], format!("own{i}@example.com"));
        assert_eq!(body["displayName"], format!("Own {i}"));
        assert_eq!(body["meta"]["version"], "1");
        assert_eq!(body["meta"]["location"], location.as_str());
        assert!(ids.insert(body["id"].as_str().unwrap().to_owned()));
    }
}

#[tokio::test]
async fn of_64_unconditional_patches_adding_external_ids_none_is_lost() {
    let app = app_without_rate_limit().await;
    let path = "urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User:externalIds";
    let sends = (0..64).map(|i| {
        let body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "add", "path": path,
                            "value": [{"authority": "race", "value": format!("key-{i}")}]}]
        });
        app.patch_json(&format!("{SCIM}/Users/{AIKO}"), &body)
            .send()
    });
    for resp in join_all(sends).await {
        let (status, body) = status_json(resp.unwrap()).await;
        assert_eq!(status, 200, "{body}");
    }
    let (_, after) = status_json(
        app.get(&format!("/api/v2/users/{AIKO}/externalid"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let mut keys: Vec<String> = after
        .as_array()
        .or_else(|| after["entities"].as_array())
        .unwrap_or_else(|| panic!("a list: {after}"))
        .iter()
        .filter(|e| e["authorityName"] == "race")
        .map(|e| e["externalKey"].as_str().unwrap().to_owned())
        .collect();
    keys.sort();
    let mut want: Vec<String> = (0..64).map(|i| format!("key-{i}")).collect();
    want.sort();
    assert_eq!(keys, want, "every concurrent add is kept");
}

#[tokio::test]
async fn of_32_concurrent_creates_of_one_user_name_exactly_one_is_created() {
    let app = app_without_rate_limit().await;
    let sends = (0..32).map(|i| {
        app.post_json(
            &format!("{SCIM}/Users"),
            &json!({"userName": "race@example.com", "displayName": format!("Racer {i}")}),
        )
        .send()
    });
    let mut created = 0;
    for resp in join_all(sends).await {
        let (status, body) = status_json(resp.unwrap()).await;
        match status {
            201 => created += 1,
            _ => assert_scim_error(status, &body, 409, Some("uniqueness")),
        }
    }
    assert_eq!(created, 1);
    let (_, found) = status_json(
        app.get(&format!(
            "{SCIM}/Users?filter=userName eq \"race@example.com\""
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(found["totalResults"], 1, "{found}");
}

/// While 150 users are created (and every third one deleted again), readers page through
/// the list. Each page must be internally consistent with its own total, and totals stay
/// within what the writer can have done.
#[tokio::test]
async fn pages_and_totals_stay_consistent_while_writes_run() {
    let app = app_without_rate_limit().await;
    let total = |app: &TestApp| {
        let req = app.get(&format!("{SCIM}/Users?count=0"));
        async move {
            status_json(req.send().await.unwrap()).await.1["totalResults"]
                .as_u64()
                .unwrap()
        }
    };
    let base = total(&app).await;
    const CREATES: u64 = 150;
    let writer = async {
        for i in 0..CREATES {
            let u = app
                .create_user(&json!({"userName": format!("w{i}@example.com"), "displayName": "W"}))
                .await;
            if i % 3 == 0 {
                let id = u["id"].as_str().unwrap();
                app.delete_user(id).await;
            }
        }
    };
    let reader = async {
        let mut pages = 0;
        for round in 0..40u64 {
            let start = 1 + (round * 7) % (base + 20);
            let (status, page) = status_json(
                app.get(&format!("{SCIM}/Users?startIndex={start}&count=10"))
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!(status, 200);
            let t = page["totalResults"].as_u64().unwrap();
            assert!(
                (base..=base + CREATES).contains(&t),
                "total {t} out of range"
            );
            let resources = page["Resources"].as_array().map_or(0, Vec::len) as u64;
            assert_eq!(page["itemsPerPage"].as_u64(), Some(resources), "{page}");
            assert_eq!(page["startIndex"].as_u64(), Some(start));
            let expected = t.saturating_sub(start - 1).min(10);
            assert_eq!(resources, expected, "page at {start} of {t}");
            let ids: std::collections::HashSet<&str> = page["Resources"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|u| u["id"].as_str().unwrap())
                .collect();
            assert_eq!(ids.len() as u64, resources, "no duplicates in a page");
            pages += 1;
            tokio::task::yield_now().await;
        }
        pages
    };
    let ((), pages) = tokio::join!(writer, reader);
    assert_eq!(pages, 40);
    let deleted = CREATES.div_ceil(3);
    assert_eq!(total(&app).await, base + CREATES - deleted);
}
