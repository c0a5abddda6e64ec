//! The render cache (`genesys::render_cache`) never serves a document after anything it was
//! rendered from changed: the user, its groups, or another write to the org. Each step reads
//! the user twice (the second read is served from the cache) by id and through a filter.

use crate::helpers::*;
use serde_json::{Value, json};

async fn read_twice(app: &TestApp) -> Value {
    let by_id = format!("{SCIM}/Users/{LUCAS}");
    let by_filter = format!("{SCIM}/Users?filter=id%20eq%20%22{LUCAS}%22");
    let (s, first) = app.get_json(&by_id).await;
    assert_eq!(s, 200, "{first}");
    let (_, second) = app.get_json(&by_id).await;
    let (_, listed) = app.get_json(&by_filter).await;
    let (_, listed_again) = app.get_json(&by_filter).await;
    assert_eq!(first, second);
    assert_eq!(listed, listed_again);
    assert_eq!(
        listed["Resources"][0], first,
        "a list renders the same document"
    );
    first
}

fn group_ids(u: &Value) -> Vec<String> {
    u["groups"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|g| g["value"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn cached_documents_follow_user_and_group_writes() {
    let app = spawn_app().await;
    let before = read_twice(&app).await;
    assert!(!group_ids(&before).contains(&SUPPORT_TEAM.to_owned()));

    // A group write changes the user's `groups` without touching the user.
    let (s, b) = app
        .patch_ops(
            &format!("{SCIM}/Groups/{SUPPORT_TEAM}"),
            json!([{"op": "add", "path": "members", "value": [{"value": LUCAS}]}]),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let joined = read_twice(&app).await;
    assert!(
        group_ids(&joined).contains(&SUPPORT_TEAM.to_owned()),
        "{joined}"
    );
    assert_eq!(joined["meta"]["version"], before["meta"]["version"]);

    // A write to the user itself.
    let (s, b) = app
        .patch_ops(
            &format!("{SCIM}/Users/{LUCAS}"),
            json!([{"op": "replace", "path": "title", "value": "Cache Tester"}]),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let patched = read_twice(&app).await;
    assert_eq!(patched["title"], "Cache Tester");
    assert_eq!(
        patched, b,
        "the write's answer is the document later reads get"
    );

    // Removing the membership again.
    let (s, _) = app
        .patch_ops(
            &format!("{SCIM}/Groups/{SUPPORT_TEAM}"),
            json!([{"op": "remove", "path": format!("members[value eq \"{LUCAS}\"]")}]),
        )
        .await;
    assert_eq!(s, 200);
    let left = read_twice(&app).await;
    assert!(
        !group_ids(&left).contains(&SUPPORT_TEAM.to_owned()),
        "{left}"
    );
}
