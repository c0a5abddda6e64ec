//! SCIM Groups: list, get, PUT and PATCH membership in every client's dialect; no create/delete.

use crate::helpers::*;
use serde_json::{Value, json};

fn member_ids(b: &Value) -> Vec<String> {
    b["members"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|m| m["value"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn list_get_and_display_name_filter_case_insensitive() {
    let app = spawn_app().await;
    let (s, b) = status_json(app.get(&format!("{SCIM}/Groups")).send().await.unwrap()).await;
    assert_eq!(s, 200);
    assert_eq!(b["totalResults"], 3);
    for q in [
        "displayName+eq+%22sales+team%22",
        "displayname+eq+%22SALES%20TEAM%22",
    ] {
        let (_, b) = status_json(
            app.get(&format!("{SCIM}/Groups?filter={q}"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(b["totalResults"], 1, "{q}");
        assert_eq!(b["Resources"][0]["id"], SALES_TEAM);
    }
    let (s, b) = status_json(
        app.get(&format!("{SCIM}/Groups/{SALES_TEAM}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(b["displayName"], "Sales Team");
    assert_eq!(member_ids(&b), vec![JAMES.to_owned(), LUCAS.to_owned()]);
    assert_eq!(b["members"][0]["type"], "User");
    let (s, b) = status_json(
        app.get(&format!("{SCIM}/Groups/nope"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_scim_error(s, &b, 404, None);
}

#[tokio::test]
async fn post_and_delete_are_405_with_allow() {
    let app = spawn_app().await;
    let resp = app
        .post_json(&format!("{SCIM}/Groups"), &json!({"displayName": "New"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    assert_eq!(resp.headers()["allow"], "GET");
    let (_, b) = status_json(resp).await;
    assert_eq!(b["status"], "405");
    let resp = app
        .delete(&format!("{SCIM}/Groups/{SALES_TEAM}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    assert_eq!(resp.headers()["allow"], "GET, PUT, PATCH");
}

async fn patch_group(app: &TestApp, body: Value) -> (u16, Value) {
    status_json(
        app.patch_json(&format!("{SCIM}/Groups/{SUPPORT_TEAM}"), &body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn patch_add_members_in_each_form() {
    let app = spawn_app().await;
    // RFC form with path.
    let (s, b) = patch_group(&app, json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "add", "path": "members", "value": [{"value": JAMES}]}]})).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(member_ids(&b), vec![AIKO.to_owned(), JAMES.to_owned()]);
    // A vendor's example: capitalised op, no path, value object with display.
    let (s, b) = patch_group(&app, json!({"Operations": [{"op": "Add", "value": {"members": [{"value": LUCAS, "display": "Lucas"}]}}]})).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(member_ids(&b).len(), 3);
    // Adding an existing member de-duplicates.
    let (_, b) = patch_group(
        &app,
        json!({"Operations": [{"op": "add", "path": "members", "value": [{"value": LUCAS}]}]}),
    )
    .await;
    assert_eq!(member_ids(&b).len(), 3);
    // The user side reflects membership (read-only groups attribute).
    let (_, u) = status_json(
        app.get(&format!("{SCIM}/Users/{LUCAS}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let groups: Vec<&str> = u["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["value"].as_str().unwrap())
        .collect();
    assert!(groups.contains(&SUPPORT_TEAM));
}

#[tokio::test]
async fn patch_remove_members_by_filter_by_value_array_and_all() {
    let app = spawn_app().await;
    patch_group(&app, json!({"Operations": [{"op": "add", "path": "members", "value": [{"value": JAMES}, {"value": LUCAS}, {"value": MARIA}]}]})).await;
    let (s, b) = patch_group(
        &app,
        json!({"Operations": [{"op": "remove", "path": format!("members[value eq \"{JAMES}\"]")}]}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert!(!member_ids(&b).contains(&JAMES.to_owned()));
    // Entra: Remove with a value array.
    let (s, b) = patch_group(
        &app,
        json!({"Operations": [{"op": "Remove", "path": "members", "value": [{"value": LUCAS}]}]}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(member_ids(&b), vec![AIKO.to_owned(), MARIA.to_owned()]);
    let (s, b) = patch_group(
        &app,
        json!({"Operations": [{"op": "remove", "path": "members"}]}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert!(member_ids(&b).is_empty());
}

#[tokio::test]
async fn patch_unknown_member_is_400_and_changes_nothing() {
    let app = spawn_app().await;
    let (s, b) = patch_group(
        &app,
        json!({"Operations": [
            {"op": "add", "path": "members", "value": [{"value": JAMES}]},
            {"op": "add", "path": "members", "value": [{"value": "no-such-user"}]}
        ]}),
    )
    .await;
    assert_scim_error(s, &b, 400, Some("invalidValue"));
    let (_, g) = status_json(
        app.get(&format!("{SCIM}/Groups/{SUPPORT_TEAM}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(member_ids(&g), vec![AIKO.to_owned()]);
    assert_eq!(g["meta"]["version"], "1");
}

#[tokio::test]
async fn patch_remove_with_filter_matching_nothing_is_no_target() {
    let app = spawn_app().await;
    let (s, b) = patch_group(
        &app,
        json!({"Operations": [{"op": "remove", "path": "members[value eq \"nobody\"]"}]}),
    )
    .await;
    assert_scim_error(s, &b, 400, Some("noTarget"));
}

#[tokio::test]
async fn okta_rename_with_same_name_is_a_no_op_but_a_rename_is_mutability() {
    let app = spawn_app().await;
    let (s, b) = patch_group(&app, json!({"Operations": [{"op": "replace", "value": {"id": SUPPORT_TEAM, "displayName": "Support Team"}}]})).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["meta"]["version"], "1");
    let (s, b) = patch_group(
        &app,
        json!({"Operations": [{"op": "replace", "path": "displayName", "value": "Renamed"}]}),
    )
    .await;
    assert_scim_error(s, &b, 400, Some("mutability"));
}

#[tokio::test]
async fn put_replaces_the_member_set() {
    let app = spawn_app().await;
    let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Support Team", "members": [{"value": MARIA}, {"value": LUCAS}]});
    let (s, b) = status_json(
        app.put_json(&format!("{SCIM}/Groups/{SUPPORT_TEAM}"), &body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(member_ids(&b), vec![MARIA.to_owned(), LUCAS.to_owned()]);
    assert_eq!(b["meta"]["version"], "2");
    let bad = json!({"displayName": "Support Team", "members": [{"value": "ghost"}]});
    let (s, b) = status_json(
        app.put_json(&format!("{SCIM}/Groups/{SUPPORT_TEAM}"), &bad)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_scim_error(s, &b, 400, Some("invalidValue"));
}

#[tokio::test]
async fn deleting_a_user_removes_its_memberships() {
    let app = spawn_app().await;
    app.delete(&format!("{SCIM}/Users/{JAMES}"))
        .send()
        .await
        .unwrap();
    let (_, g) = status_json(
        app.get(&format!("{SCIM}/Groups/{SALES_TEAM}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(member_ids(&g), vec![LUCAS.to_owned()]);
}

/// Members are left out when excluded, and a list pages before it renders them; both give the
/// same answers as before for everything else.
#[tokio::test]
async fn excluded_members_are_absent_and_lists_page_with_correct_totals() {
    let app = spawn_app().await;
    let get = |path: String| {
        let req = app.get(&path);
        async move { status_json(req.send().await.unwrap()).await }
    };
    let (s, full) = get(format!("{SCIM}/Groups/{SALES_TEAM}")).await;
    assert_eq!(s, 200);
    assert!(!member_ids(&full).is_empty(), "{full}");
    let (_, slim) = get(format!(
        "{SCIM}/Groups/{SALES_TEAM}?excludedAttributes=members"
    ))
    .await;
    assert!(slim.get("members").is_none(), "{slim}");
    assert_eq!(slim["displayName"], full["displayName"]);
    assert_eq!(slim["meta"], full["meta"]);
    let (_, only) = get(format!(
        "{SCIM}/Groups/{SALES_TEAM}?attributes=members.value"
    ))
    .await;
    assert_eq!(member_ids(&only), member_ids(&full));

    let (_, all) = get(format!("{SCIM}/Groups")).await;
    let total = all["totalResults"].as_u64().unwrap();
    assert!(total >= 2);
    let (_, page) = get(format!(
        "{SCIM}/Groups?startIndex=2&count=1&excludedAttributes=members"
    ))
    .await;
    assert_eq!(page["totalResults"], total);
    assert_eq!(page["Resources"].as_array().unwrap().len(), 1);
    assert_eq!(page["Resources"][0]["id"], all["Resources"][1]["id"]);
    assert!(page["Resources"][0].get("members").is_none(), "{page}");
    let (_, filtered) = get(format!(
        "{SCIM}/Groups?filter=displayName eq \"sales team\""
    ))
    .await;
    assert_eq!(filtered["totalResults"], 1);
    assert_eq!(member_ids(&filtered["Resources"][0]), member_ids(&full));
}
