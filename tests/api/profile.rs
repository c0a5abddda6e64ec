//! `--profile rfc`: every Genesys-vs-RFC switch at its RFC value, and the layering of explicit
//! switches over the preset (docs/compatibility.md, "Compatibility switches and the two profiles").

use genesys_scim_mock::Config;
use genesys_scim_mock::compat::{Compat, Profile};
use serde_json::{Value, json};

use crate::helpers::*;

const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn profile(p: Profile) -> Config {
    with(test_config(), |config| config.compat = Compat::preset(p))
}

async fn create(app: &TestApp, body: Value) -> (u16, Value) {
    app.post_status(&format!("{SCIM}/Users"), &body).await
}

async fn patch(app: &TestApp, id: &str, ops: Value) -> (u16, Value) {
    app.patch_ops(&format!("{SCIM}/Users/{id}"), ops).await
}

#[tokio::test]
async fn rfc_accepts_any_user_name_and_renders_meta_created_genesys_does_neither() {
    let rfc = spawn_with(profile(Profile::Rfc)).await;
    let (s, user) = create(
        &rfc,
        json!({"userName": "bjensen", "displayName": "Barbara"}),
    )
    .await;
    assert_eq!(s, 201, "{user}");
    assert_eq!(user["userName"], "bjensen");
    let created = user["meta"]["created"].as_str().expect("meta.created");
    assert_eq!(created, user["meta"]["lastModified"].as_str().unwrap());
    // A later change moves lastModified, never created.
    rfc.advance_clock(chrono::Duration::seconds(5)).await;
    let (s, after) = patch(
        &rfc,
        user["id"].as_str().unwrap(),
        json!([{"op": "replace", "path": "title", "value": "Engineer"}]),
    )
    .await;
    assert_eq!(s, 200, "{after}");
    assert_eq!(after["meta"]["created"], created);
    assert_ne!(after["meta"]["lastModified"], created);
    let (_, group) = rfc.get_json(&format!("{SCIM}/Groups/{SALES_TEAM}")).await;
    assert!(group["meta"]["created"].is_string(), "{group}");

    let genesys = spawn_with(profile(Profile::Genesys)).await;
    let (s, body) = create(&genesys, json!({"userName": "bjensen", "displayName": "B"})).await;
    assert_scim_error(s, &body, 400, Some("invalidValue"));
    let (_, maria) = genesys.get_json(&format!("{SCIM}/Users/{MARIA}")).await;
    assert!(maria["meta"].get("created").is_none(), "{maria}");
    assert!(maria["meta"]["lastModified"].is_string());
}

#[tokio::test]
async fn rfc_if_match_mismatch_is_412_and_genesys_400() {
    for (p, want) in [(Profile::Rfc, 412), (Profile::Genesys, 400)] {
        let app = spawn_with(profile(p)).await;
        let resp = app
            .put_json(
                &format!("{SCIM}/Users/{JAMES}"),
                &json!({"userName": "james.smith@example.com", "displayName": "J"}),
            )
            .header("if-match", "\"999\"")
            .send()
            .await
            .unwrap();
        let (s, body) = status_json(resp).await;
        assert_scim_error(s, &body, want, Some("invalidVers"));
    }
}

#[tokio::test]
async fn rfc_patch_paths_need_no_urn_and_strings_are_not_booleans() {
    let app = spawn_with(profile(Profile::Rfc)).await;
    let (s, body) = patch(
        &app,
        LUCAS,
        json!([{"op": "replace", "path": "department", "value": "Field"}]),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body[ENT]["department"], "Field");
    let (s, body) = patch(
        &app,
        LUCAS,
        json!([{"op": "replace", "path": "active", "value": "False"}]),
    )
    .await;
    assert_scim_error(s, &body, 400, Some("invalidValue"));
    // RFC 7644 §3.5.2.3: a value filter that matches nothing is noTarget.
    let (s, body) = patch(
        &app,
        LUCAS,
        json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "x@example.com"}]),
    )
    .await;
    assert_scim_error(s, &body, 400, Some("noTarget"));

    let genesys = spawn_with(profile(Profile::Genesys)).await;
    let (s, body) = patch(
        &genesys,
        LUCAS,
        json!([{"op": "replace", "path": "department", "value": "Field"}]),
    )
    .await;
    assert_scim_error(s, &body, 400, Some("invalidPath"));
}

#[tokio::test]
async fn rfc_lists_every_user_and_a_deleted_user_name_makes_a_new_user() {
    let app = spawn_with(profile(Profile::Rfc)).await;
    let (_, list) = app.get_json(&format!("{SCIM}/Users")).await;
    assert_eq!(list["totalResults"], 5, "Olivia (inactive) is listed too");

    let (_, first) = create(&app, json!({"userName": "again", "displayName": "A"})).await;
    let id = first["id"].as_str().unwrap();
    app.delete_user(id).await;
    let (s, second) = create(&app, json!({"userName": "again", "displayName": "A"})).await;
    assert_eq!(s, 201);
    assert_ne!(second["id"], id, "RFC: a new resource, not a revival");
}

#[tokio::test]
async fn named_switches_win_over_the_profile_set_beside_them() {
    // From flags (`--profile rfc --compat version-mismatch-status=400`): a unit test in
    // src/cli/serve_args.rs, `named_switches_win_over_the_profile_flag_beside_them`.
    // From a scenario rule: `meta-created` sorts before `profile` and still wins.
    let app = spawn_app().await;
    let rule = json!({"name": "rfc-for-one", "rules": [{"name": "rfc", "when": {"route": "users.*"},
        "then": {"compat": {"meta-created": "false", "profile": "rfc"}}}]});
    let resp = app
        .client
        .post(app.url("/__admin/scenarios"))
        .header("content-type", "application/json")
        .body(rule.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let (s, user) = create(&app, json!({"userName": "plain-name", "displayName": "P"})).await;
    assert_eq!(s, 201, "the rfc preset applies: {user}");
    assert!(user["meta"].get("created").is_none(), "{user}");
}

const GENESYS_EXT: &str = "urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User";

#[tokio::test]
async fn rfc_offers_no_genesys_additions_genesys_offers_them() {
    let rfc = spawn_with(profile(Profile::Rfc)).await;
    let (_, schemas) = rfc.get_json(&format!("{SCIM}/Schemas")).await;
    let ids: Vec<&str> = schemas["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&GENESYS_EXT), "{ids:?}");
    let (s, _) = rfc.get_json(&format!("{SCIM}/Schemas/{GENESYS_EXT}")).await;
    assert_eq!(s, 404);
    let (_, ent) = rfc.get_json(&format!("{SCIM}/Schemas/{ENT}")).await;
    let names: Vec<&str> = ent["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(
        !names.contains(&"dateHire") && names.contains(&"division"),
        "{names:?}"
    );
    let (_, rt) = rfc.get_json(&format!("{SCIM}/ResourceTypes/User")).await;
    assert_eq!(
        rt["schemaExtensions"],
        json!([{"schema": ENT, "required": false}])
    );
    // A body that sends them has them dropped, like any unsupported attribute.
    let (s, user) = create(
        &rfc,
        json!({"userName": "u1", "displayName": "U",
               ENT: {"dateHire": "2020-01-02", "department": "R&D"},
               GENESYS_EXT: {"routingSkills": [{"name": "Billing", "proficiency": 2.5}]}}),
    )
    .await;
    assert_eq!(s, 201, "{user}");
    assert!(user.get(GENESYS_EXT).is_none(), "{user}");
    assert_eq!(user[ENT], json!({"department": "R&D"}));
    assert_eq!(
        user["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:User", ENT])
    );
    // With unsupported-attributes=reject they are refused, naming the switch.
    let mut strict = Compat::preset(Profile::Rfc);
    strict.set("unsupported-attributes", "reject").unwrap();
    let app = spawn_with(with(test_config(), |config| config.compat = strict)).await;
    let (s, err) = create(
        &app,
        json!({"userName": "u2", "displayName": "U", ENT: {"dateHire": "2020-01-02"}}),
    )
    .await;
    assert_scim_error(s, &err, 400, Some("invalidValue"));
    let detail = err["detail"].as_str().unwrap();
    assert!(
        detail.contains("genesys-attributes=false") && detail.contains("dateHire"),
        "{detail}"
    );

    let genesys = spawn_with(profile(Profile::Genesys)).await;
    let (_, rt) = genesys
        .get_json(&format!("{SCIM}/ResourceTypes/User"))
        .await;
    assert_eq!(rt["schemaExtensions"].as_array().unwrap().len(), 2);
    let (_, maria) = genesys.get_json(&format!("{SCIM}/Users/{MARIA}")).await;
    assert!(maria[GENESYS_EXT]["externalIds"].is_array(), "{maria}");
}

#[tokio::test]
async fn rfc_keeps_unknown_roles_divisions_and_managers_genesys_refuses_them() {
    let body = json!({"userName": "r@x.org", "displayName": "R", "roles": [{"value": "Auditor"}],
                      ENT: {"division": "Atlantis", "manager": {"value": "no-such-user"}}});
    let rfc = spawn_with(profile(Profile::Rfc)).await;
    let (s, user) = create(&rfc, body.clone()).await;
    assert_eq!(s, 201, "{user}");
    assert_eq!(user["roles"], json!([{"value": "Auditor"}]));
    assert_eq!(user[ENT]["division"], "Atlantis");
    // No resource behind the id, so no `$ref`; a real manager keeps its `$ref`.
    assert_eq!(user[ENT]["manager"], json!({"value": "no-such-user"}));
    let id = user["id"].as_str().unwrap();
    let (s, after) = patch(
        &rfc,
        id,
        json!([{"op": "replace", "path": format!("{ENT}:manager"), "value": {"value": MARIA}}]),
    )
    .await;
    assert_eq!(s, 200, "{after}");
    assert!(
        after[ENT]["manager"]["$ref"]
            .as_str()
            .unwrap()
            .ends_with(MARIA)
    );
    // Filters see the kept division as rendered.
    let (_, found) = rfc
        .get_json(&format!("{SCIM}/Users?filter=urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:division%20eq%20%22Atlantis%22"))
        .await;
    assert_eq!(found["totalResults"], 1, "{found}");
    // An export keeps them by name, as they render.
    let (_, export) = rfc.get_json("/__admin/orgs/default/export").await;
    let text = export.to_string();
    assert!(
        text.contains("\"Atlantis\"") && text.contains("\"Auditor\""),
        "{text}"
    );

    let genesys = spawn_with(profile(Profile::Genesys)).await;
    for bad in [
        json!({"userName": "r@x.org", "displayName": "R", "roles": [{"value": "Auditor"}]}),
        json!({"userName": "r@x.org", "displayName": "R", ENT: {"division": "Atlantis"}}),
        json!({"userName": "r@x.org", "displayName": "R", ENT: {"manager": {"value": "nobody"}}}),
    ] {
        let (s, err) = create(&genesys, bad).await;
        assert_scim_error(s, &err, 400, Some("invalidValue"));
    }
}

#[tokio::test]
async fn rfc_keeps_contact_lists_as_sent_genesys_maps_them_to_slots() {
    let emails = json!([{"value": "home@x.org", "type": "home", "primary": false}]);
    let phones = json!([{"value": "555-0100", "type": "work", "primary": false}]);
    let body = json!({"userName": "c@x.org", "displayName": "C",
                      "emails": emails, "phoneNumbers": phones});
    let rfc = spawn_with(profile(Profile::Rfc)).await;
    let (s, user) = create(&rfc, body.clone()).await;
    assert_eq!(s, 201, "{user}");
    assert_eq!(
        user["emails"], emails,
        "no userName mirror, primary false kept"
    );
    assert_eq!(user["phoneNumbers"], phones, "a free-form number is kept");
    let id = user["id"].as_str().unwrap();
    let (_, got) = rfc.get_json(&format!("{SCIM}/Users/{id}")).await;
    assert_eq!(got["emails"], emails);
    // Lists render the same (twice: a second read would come from a render cache).
    for _ in 0..2 {
        let (_, list) = rfc.get_json(&format!("{SCIM}/Users")).await;
        let mine = list["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned();
        assert_eq!(mine.unwrap()["phoneNumbers"], phones, "{list}");
    }
    // `primary: true` at most once (RFC 7643 §2.4); too many elements are refused, not stored.
    let two = json!([{"value": "a@x.org", "primary": true}, {"value": "b@x.org", "primary": true}]);
    let (s, err) = patch(
        &rfc,
        id,
        json!([{"op": "replace", "path": "emails", "value": two}]),
    )
    .await;
    assert_scim_error(s, &err, 400, Some("invalidValue"));
    let many: Vec<Value> = (0..21)
        .map(|i| json!({"value": format!("{i}@x.org")}))
        .collect();
    let (s, err) = patch(
        &rfc,
        id,
        json!([{"op": "add", "path": "emails", "value": many}]),
    )
    .await;
    assert_scim_error(s, &err, 400, Some("invalidValue"));
    let (_, platform) = rfc.get_json(&format!("/api/v2/users/{id}")).await;
    assert_eq!(platform["email"], "c@x.org", "{platform}");
    let (_, shown) = rfc.get_json("/__admin/orgs/default/users?q=c@x.org").await;
    assert_eq!(
        shown["users"][0]["scim"]["emails"], emails,
        "the dashboard: {shown}"
    );
    let (_, export) = rfc.get_json("/__admin/orgs/default/export").await;
    assert!(
        export.to_string().contains("\"555-0100\""),
        "an export keeps the list as sent"
    );

    let genesys = spawn_with(profile(Profile::Genesys)).await;
    let (s, err) = create(&genesys, body).await;
    assert_scim_error(s, &err, 400, Some("invalidValue"));
    let (_, maria) = genesys.get_json(&format!("{SCIM}/Users/{MARIA}")).await;
    assert_eq!(maria["emails"][0]["type"], "other", "{maria}");
    assert_eq!(maria["emails"][0]["value"], maria["userName"]);
}

#[tokio::test]
async fn rfc_fills_no_defaults_genesys_gives_home_and_employee() {
    let body = json!({"userName": "d@x.org", "displayName": "D"});
    let rfc = spawn_with(profile(Profile::Rfc)).await;
    let (_, user) = create(&rfc, body.clone()).await;
    assert!(user.get("roles").is_none(), "{user}");
    assert!(user.get(ENT).is_none(), "{user}");
    let (_, with_div) = create(
        &rfc,
        json!({"userName": "e@x.org", "displayName": "E", ENT: {"division": "Sales"}}),
    )
    .await;
    let id = with_div["id"].as_str().unwrap();
    let (s, after) = patch(
        &rfc,
        id,
        json!([{"op": "remove", "path": format!("{ENT}:division")}]),
    )
    .await;
    assert_eq!(s, 200, "{after}");
    assert!(after.get(ENT).is_none(), "{after}");

    // `active`: absent when left out or removed, `returned: default`, and so not in a
    // projection that does not ask for it; a user that has it keeps the Genesys state.
    assert!(user.get("active").is_none(), "{user}");
    let uid = user["id"].as_str().unwrap();
    let (_, on) = patch(
        &rfc,
        uid,
        json!([{"op": "add", "path": "active", "value": false}]),
    )
    .await;
    assert_eq!(on["active"], false, "{on}");
    let (_, listed) = rfc
        .get_json(&format!(
            "{SCIM}/Users?filter=active%20eq%20false&attributes=userName"
        ))
        .await;
    let hit = &listed["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == uid)
        .cloned();
    assert!(
        hit.as_ref().is_some_and(|h| h.get("active").is_none()),
        "{listed}"
    );
    let (s, off) = patch(&rfc, uid, json!([{"op": "remove", "path": "active"}])).await;
    assert_eq!(s, 200, "{off}");
    assert!(off.get("active").is_none(), "{off}");
    let (_, again) = rfc
        .get_json(&format!("{SCIM}/Users?filter=active%20eq%20false"))
        .await;
    assert!(
        !again["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == uid),
        "{again}"
    );
    let returned = |schema: &Value| {
        schema["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == "active")
            .unwrap()["returned"]
            .clone()
    };
    let core = format!("{SCIM}/Schemas/urn:ietf:params:scim:schemas:core:2.0:User");
    assert_eq!(returned(&rfc.get_json(&core).await.1), "default");

    let genesys = spawn_with(profile(Profile::Genesys)).await;
    let (_, user) = create(&genesys, body).await;
    assert_eq!(user["roles"], json!([{"value": "employee"}]));
    assert_eq!(user[ENT]["division"], "Home");
    assert_eq!(user["active"], true);
    let uid = user["id"].as_str().unwrap();
    let (_, kept) = patch(&genesys, uid, json!([{"op": "remove", "path": "active"}])).await;
    assert_eq!(kept["active"], true, "{kept}");
    let (_, one) = genesys
        .get_json(&format!("{SCIM}/Users/{uid}?attributes=userName"))
        .await;
    assert_eq!(one["active"], true, "always returned: {one}");
    assert_eq!(returned(&genesys.get_json(&core).await.1), "always");
}

async fn search(app: &TestApp, body: Value) -> (u16, Value) {
    let resp = app
        .post_json(&format!("{SCIM}/.search"), &body)
        .send()
        .await
        .unwrap();
    status_json(resp).await
}

const SEARCH: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

#[tokio::test]
async fn dot_search_is_served_under_rfc_501_on_request_and_404_under_genesys() {
    let rfc = spawn_with(profile(Profile::Rfc)).await;
    // Users (5 in the default org), then the 3 public groups, paged over both.
    let (s, all) = search(&rfc, json!({"schemas": [SEARCH]})).await;
    assert_eq!(s, 200, "{all}");
    assert_eq!(all["totalResults"], 8, "{all}");
    let kinds: Vec<&str> = all["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["meta"]["resourceType"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "User", "User", "User", "User", "User", "Group", "Group", "Group"
        ]
    );
    let (_, window) = search(
        &rfc,
        json!({"schemas": [SEARCH], "startIndex": 5, "count": 2}),
    )
    .await;
    let ids: Vec<&str> = window["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [OLIVIA, SALES_TEAM], "{window}");
    assert_eq!(window["startIndex"], 5);
    assert_eq!(window["itemsPerPage"], 2);
    // A filter and a projection, as a list would apply them.
    let (_, found) = search(
        &rfc,
        json!({"schemas": [SEARCH], "filter": "userName eq \"james.smith@example.com\"",
               "attributes": ["displayName"]}),
    )
    .await;
    assert_eq!(found["totalResults"], 1, "{found}");
    let james = &found["Resources"][0];
    assert_eq!(james["id"], JAMES);
    assert!(
        james.get("title").is_none() && james["displayName"].is_string(),
        "{james}"
    );
    // Bad bodies are SCIM errors.
    let (s, err) = search(&rfc, json!({"filter": "userName eq \"x\""})).await;
    assert_scim_error(s, &err, 400, Some("invalidSyntax"));
    let (s, err) = search(&rfc, json!({"schemas": [SEARCH], "filter": "userName eq"})).await;
    assert_scim_error(s, &err, 400, Some("invalidFilter"));
    let (s, err) = search(&rfc, json!({"schemas": [SEARCH], "count": "many"})).await;
    assert_scim_error(s, &err, 400, Some("invalidValue"));

    let mut not_implemented = Compat::preset(Profile::Rfc);
    not_implemented.set("dot-search", "501").unwrap();
    let app = spawn_with(with(test_config(), |config| {
        config.compat = not_implemented
    }))
    .await;
    let (s, err) = search(&app, json!({"schemas": [SEARCH]})).await;
    assert_scim_error(s, &err, 501, None);

    let genesys = spawn_with(profile(Profile::Genesys)).await;
    let (s, err) = search(&genesys, json!({"schemas": [SEARCH]})).await;
    assert_scim_error(s, &err, 404, None);
    // Served under the Genesys filter rules: one that only groups allow finds groups only,
    // one that no type allows is invalidFilter.
    let mut served = Compat::default();
    served.set("dot-search", "serve").unwrap();
    let app = spawn_with(with(test_config(), |config| config.compat = served)).await;
    let (_, groups) = search(
        &app,
        json!({"schemas": [SEARCH], "filter": "displayName eq \"Sales Team\""}),
    )
    .await;
    assert_eq!(groups["totalResults"], 1, "{groups}");
    assert_eq!(groups["Resources"][0]["id"], SALES_TEAM);
    let (s, err) = search(
        &app,
        json!({"schemas": [SEARCH], "filter": "title co \"x\""}),
    )
    .await;
    assert_scim_error(s, &err, 400, Some("invalidFilter"));
}
