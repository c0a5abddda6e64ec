//! SCIM PATCH on users over HTTP: every client dialect, the seed vectors, and each error.

use crate::helpers::*;
use serde_json::{Value, json};

const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const GEN: &str = "urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User";

async fn patch(app: &TestApp, id: &str, ops: Value) -> (u16, Value) {
    let body =
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops});
    status_json(
        app.patch_json(&format!("{SCIM}/Users/{id}"), &body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

fn emails(b: &Value, kind: &str) -> Option<String> {
    b["emails"]
        .as_array()?
        .iter()
        .find(|e| e["type"] == kind)
        .and_then(|e| e["value"].as_str())
        .map(str::to_owned)
}

#[tokio::test]
async fn entra_non_compliant_dialect_is_understood() {
    let app = spawn_app().await;
    let (s, b) = patch(&app, LUCAS, json!([
        {"op": "Replace", "path": "displayName", "value": "Lucas Martin Jr"},
        {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "lucas@work.example.com"},
        {"op": "Replace", "path": "name.givenName", "value": "Lucas"},
        {"op": "Replace", "path": "externalId", "value": "entra-42"},
        {"op": "Replace", "path": format!("{ENT}:employeeNumber"), "value": "9999"},
        {"op": "Replace", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+33612345678"}
    ])).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["displayName"], "Lucas Martin Jr");
    assert_eq!(
        emails(&b, "work").as_deref(),
        Some("lucas@work.example.com")
    );
    assert_eq!(b["externalId"], "entra-42");
    assert_eq!(b[ENT]["employeeNumber"], "9999");
    assert!(b.get("name").is_none(), "name is unsupported and dropped");
    assert_eq!(b["phoneNumbers"][0]["value"], "+33612345678");
    // The SCIM externalId is the x-pc:scimv2:v1 external id.
    let ext = b[GEN]["externalIds"].as_array().unwrap();
    assert!(
        ext.iter()
            .any(|e| e["authority"] == "x-pc:scimv2:v1" && e["value"] == "entra-42")
    );
    // Disable with the string "False".
    let (s, b) = patch(
        &app,
        LUCAS,
        json!([{"op": "Replace", "path": "active", "value": "False"}]),
    )
    .await;
    assert_eq!((s, &b["active"]), (200, &json!(false)));
}

#[tokio::test]
async fn entra_compliant_dialect_path_less_replace() {
    let app = spawn_app().await;
    let (s, b) = patch(
        &app,
        LUCAS,
        json!([{"op": "replace", "value": {
            "active": false,
            "displayName": "L. Martin",
            "emails[type eq \"work\"].value": "lm@work.example.com",
            ENT: {"department": "Field Sales"}
        }}]),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["active"], false);
    assert_eq!(b["displayName"], "L. Martin");
    assert_eq!(emails(&b, "work").as_deref(), Some("lm@work.example.com"));
    assert_eq!(b[ENT]["department"], "Field Sales");
}

#[tokio::test]
async fn vendor_examples_complex_patch_is_accepted_with_unsupported_parts_dropped() {
    let app = spawn_app().await;
    let (s, b) = patch(&app, LUCAS, json!([
        {"op": "Replace", "path": format!("{ENT}:manager"), "value": MARIA},
        {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "eric@work.example.com"},
        {"op": "Add", "path": "addresses[type eq \"work\"].formatted", "value": "Toonsberry, OH"},
        {"op": "Add", "path": "phoneNumbers[type eq \"work\"].value", "value": "+14405551212"},
        {"op": "Add", "path": "externalId", "value": "Eric.Smith"},
        {"op": "Add", "path": format!("{ENT}:employeeNumber"), "value": "1234"},
        {"op": "Replace", "path": format!("{ENT}:organization"), "value": "JustRocks LLC."},
        {"op": "Replace", "path": format!("{ENT}:department"), "value": "Marketing"},
        {"op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:interactsoftware:2.0:User:location", "value": "Sunnyville"},
        {"op": "Replace", "path": "locale", "value": "en-US"},
        {"op": "Add", "path": "userType", "value": "Intranet User"}
    ])).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b[ENT]["manager"]["value"], MARIA);
    assert_eq!(b[ENT]["department"], "Marketing");
    assert_eq!(b[ENT]["employeeNumber"], "1234");
    assert!(b[ENT].get("organization").is_none());
    assert!(
        b.get("addresses").is_none() && b.get("locale").is_none() && b.get("userType").is_none()
    );
    assert!(
        b.get("urn:ietf:params:scim:schemas:extension:interactsoftware:2.0:User")
            .is_none()
    );
    // The vendor's example sends "440-555-1212", which Genesys would not parse: invalidValue.
    let (s, b) = patch(&app, LUCAS, json!([{"op": "Add", "path": "phoneNumbers[type eq \"work\"].value", "value": "440-555-1212"}])).await;
    assert_scim_error(s, &b, 400, Some("invalidValue"));
    assert!(b["detail"].as_str().unwrap().contains("440-555-1212"));
}

#[tokio::test]
async fn forum_thread_external_ids_patches_behave_as_the_thread_reports() {
    let app = spawn_app().await;
    let url = "https://idp.iamfas.int.belgium.be/fas";
    // Bare `externalIds` (not a core attribute): fails, with either op.
    let body = json!({"schemas": [GEN], "Operations": [{"op": "replace", "path": "externalIds", "value": [{"authority": url, "value": "abcdefghijk"}]}]});
    let (s, b) = status_json(
        app.patch_json(&format!("{SCIM}/Users/{JAMES}"), &body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_scim_error(s, &b, 400, Some("invalidPath"));
    let body = json!({"schemas": [GEN], "Operations": [{"op": "remove", "path": "externalIds"}]});
    let (s, b) = status_json(
        app.patch_json(&format!("{SCIM}/Users/{JAMES}"), &body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_scim_error(s, &b, 400, Some("invalidPath"));
    // The moderator's version: full URN path, both schema URNs.
    let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", GEN], "Operations": [{"op": "replace", "path": format!("{GEN}:externalIds"), "value": [{"authority": url, "value": "abcdefghijk"}]}]});
    let (s, b) = status_json(
        app.patch_json(&format!("{SCIM}/Users/{JAMES}"), &body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let ext = b[GEN]["externalIds"].as_array().unwrap();
    assert!(
        ext.iter()
            .any(|e| e["authority"] == url && e["value"] == "abcdefghijk")
    );
    assert!(
        ext.iter().any(|e| e["authority"] == "x-pc:scimv2:v1"),
        "the SCIM authority stays: {b}"
    );
    assert!(
        !ext.iter().any(|e| e["authority"] == "microsoftteams"),
        "replace replaced the others"
    );
    // Removing the whole attribute by its URN keeps x-pc:scimv2:v1.
    let body = json!({"schemas": [GEN], "Operations": [{"op": "remove", "path": format!("{GEN}:externalIds")}]});
    let (s, b) = status_json(
        app.patch_json(&format!("{SCIM}/Users/{JAMES}"), &body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let ext = b[GEN]["externalIds"].as_array().unwrap();
    assert_eq!(ext.len(), 1);
    assert_eq!(ext[0]["authority"], "x-pc:scimv2:v1");
}

#[tokio::test]
async fn replace_on_a_filtered_path_with_no_match_creates_unless_switched_off() {
    let app = spawn_app().await;
    let op = json!([{"op": "replace", "path": "phoneNumbers[type eq \"home\"].value", "value": "+15551230000"}]);
    let (s, b) = patch(&app, MARIA, op.clone()).await;
    assert_eq!(s, 200, "{b}");
    assert!(
        b["phoneNumbers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["type"] == "home")
    );
    let mut config = test_config();
    config.compat.set("patch-replace-creates", "false").unwrap();
    let app = spawn_with(config).await;
    let (s, b) = patch(&app, MARIA, op).await;
    assert_scim_error(s, &b, 400, Some("noTarget"));
}

#[tokio::test]
async fn each_error_has_its_scim_type_and_nothing_changes() {
    let app = spawn_app().await;
    let cases = [
        (
            json!([{"op": "replace", "path": "id", "value": "x"}]),
            "mutability",
        ),
        (
            json!([{"op": "add", "path": "groups", "value": [{"value": SALES_TEAM}]}]),
            "mutability",
        ),
        (
            json!([{"op": "replace", "path": "emails[type eq \"other\"].value", "value": "else@example.com"}]),
            "mutability",
        ),
        (
            json!([{"op": "replace", "path": "fooBar", "value": "x"}]),
            "invalidPath",
        ),
        (
            json!([{"op": "replace", "path": "emails[type eq", "value": "x"}]),
            "invalidPath",
        ),
        (
            json!([{"op": "remove", "path": "phoneNumbers[type eq \"home\"]"}]),
            "noTarget",
        ),
        (
            json!([{"op": "replace", "path": "active", "value": "maybe"}]),
            "invalidValue",
        ),
        (
            json!([{"op": "replace", "path": "roles", "value": [{"value": "Emperor"}]}]),
            "invalidValue",
        ),
        (
            json!([{"op": "replace", "path": format!("{ENT}:division"), "value": "Atlantis"}]),
            "invalidValue",
        ),
        (json!([]), "invalidSyntax"),
        (json!([{"path": "title", "value": "x"}]), "invalidSyntax"),
        (
            json!([{"op": "merge", "path": "title", "value": "x"}]),
            "invalidSyntax",
        ),
    ];
    for (ops, want) in cases {
        // A valid change goes first, so the failure must roll it back.
        let mut all = vec![json!({"op": "replace", "path": "title", "value": "Changed"})];
        all.extend(ops.as_array().unwrap().iter().cloned());
        if ops.as_array().unwrap().is_empty() {
            all.clear();
        }
        let (s, b) = patch(&app, MARIA, Value::Array(all)).await;
        assert_scim_error(s, &b, 400, Some(want));
        let (_, u) = status_json(
            app.get(&format!("{SCIM}/Users/{MARIA}"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            u["title"], "Contact Center Manager",
            "all or nothing for {ops}"
        );
        assert_eq!(u["meta"]["version"], "1");
    }
}

#[tokio::test]
async fn projection_with_attributes_and_excluded_attributes() {
    let app = spawn_app().await;
    let (_, b) = status_json(
        app.get(&format!(
            "{SCIM}/Users/{JAMES}?attributes=displayName,{ENT}:department"
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(b["displayName"], "James Smith");
    assert_eq!(b[ENT]["department"], "Billing");
    assert!(b.get("title").is_none());
    assert!(
        b.get("userName").is_some() && b.get("id").is_some() && b.get("meta").is_some(),
        "always returned: {b}"
    );
    let (_, b) = status_json(
        app.get(&format!(
            "{SCIM}/Users?attributes=id&attributes=title&count=1"
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    let r = &b["Resources"][0];
    assert!(
        r.get("title").is_some() && r.get("displayName").is_none(),
        "{r}"
    );
    let (_, b) = status_json(
        app.get(&format!(
            "{SCIM}/Users/{JAMES}?excludedAttributes=roles,externalId,{ENT}:division"
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert!(b.get("roles").is_none() && b.get("externalId").is_none());
    assert!(b[ENT].get("division").is_none() && b[ENT].get("department").is_some());
    let (_, b) = status_json(
        app.get(&format!(
            "{SCIM}/Users/{JAMES}?excludedAttributes=userName,password"
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert!(b.get("userName").is_some() && b.get("password").is_none());
}

#[tokio::test]
async fn rfc_profile_accepts_the_whole_grammar_genesys_does_not() {
    let q = "filter=title+co+%22Agent%22+and+not+(active+eq+false)";
    let app = spawn_app().await;
    let (s, b) = status_json(app.get(&format!("{SCIM}/Users?{q}")).send().await.unwrap()).await;
    assert_scim_error(s, &b, 400, Some("invalidFilter"));
    let mut config = test_config();
    config.compat.set("profile", "rfc").unwrap();
    let app = spawn_with(config).await;
    let (s, b) = status_json(app.get(&format!("{SCIM}/Users?{q}")).send().await.unwrap()).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["totalResults"], 2, "James and Aiko are agents: {b}");
    let (_, b) = status_json(
        app.get(&format!(
            "{SCIM}/Users?filter=emails%5Btype+eq+%22work%22+and+value+co+%22@work.%22%5D"
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(b["totalResults"], 1);
    assert_eq!(b["Resources"][0]["id"], MARIA);
}

#[tokio::test]
async fn genesys_profile_accepts_documented_filters() {
    let app = spawn_app().await;
    for (q, want) in [
        (format!("manager+eq+{MARIA}"), 2),
        ("email+eq+maria.garcia@work.example.com".to_owned(), 1),
        ("division+eq+Sales".to_owned(), 2),
        ("employeeNumber+eq+0003".to_owned(), 1),
        (
            format!(
                "{GEN}:externalIds%5Bauthority+eq+%22microsoftteams%22+and+value+eq+%223f2a1b0c-1111-4222-8333-444455556666%22%5D"
            ),
            1,
        ),
    ] {
        let (s, b) = status_json(
            app.get(&format!("{SCIM}/Users?filter={q}"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 200, "{q}: {b}");
        assert_eq!(b["totalResults"], want, "{q}: {b}");
    }
}

#[tokio::test]
async fn external_ids_patched_through_scim_show_in_the_external_id_api() {
    let app = spawn_app().await;
    let url = "https://idp.iamfas.int.belgium.be/fas";
    let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", GEN], "Operations": [{"op": "add", "path": format!("{GEN}:externalIds"), "value": [{"authority": url, "value": "k-1"}]}]});
    let (s, b) = status_json(
        app.patch_json(&format!("{SCIM}/Users/{JAMES}"), &body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let encoded = "https%3A%2F%2Fidp.iamfas.int.belgium.be%2Ffas";
    let (s, u) = status_json(
        app.get(&format!("/api/v2/users/externalid/{encoded}/k-1"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{u}");
    assert_eq!(u["id"], JAMES);
    // The extension-only PUT of the thread keeps the immutable SCIM external id.
    let put = json!({GEN: {"externalIds": [{"authority": "microsoftteams", "value": "t-1"}]}});
    let (s, b) = status_json(
        app.put_json(&format!("/api/v2/scim/users/{JAMES}"), &put)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["externalId"], "emp-0002");
    let (_, list) = status_json(
        app.get(&format!("/api/v2/users/{JAMES}/externalid"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let auths: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["authorityName"].as_str().unwrap())
        .collect();
    assert_eq!(auths, vec!["x-pc:scimv2:v1", "microsoftteams"]);
}

/// Microsoft's gallery mapping for Genesys targets
/// `urn:...:genesys:purecloud:2.0:User:externalIds[authority eq 'microsoftteams'].value`
/// (Microsoft Learn, "Configure Genesys Cloud for Azure for automatic user provisioning"),
/// single-quoted. The quotes delimit the value: the authority stored is `microsoftteams`.
#[tokio::test]
async fn single_quoted_values_are_strings_and_the_quotes_are_never_stored() {
    let app = spawn_app().await;
    let (s, u) = patch(
        &app,
        MARIA,
        json!([{"op": "replace",
                "path": format!("{GEN}:externalIds[authority eq 'microsoftteams'].value"),
                "value": "teams-key-1"}]),
    )
    .await;
    assert_eq!(s, 200, "{u}");
    let authorities: Vec<&str> = u[GEN]["externalIds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["authority"].as_str().unwrap())
        .collect();
    assert!(authorities.contains(&"microsoftteams"), "{u}");
    assert!(!authorities.iter().any(|a| a.contains('\'')), "{u}");
    let (s, found) = app
        .get_json("/api/v2/users/externalid/microsoftteams/teams-key-1")
        .await;
    assert_eq!((s, found["id"].as_str()), (200, Some(MARIA)));
    // The same value replaced again finds the element the quotes name.
    let (s, u) = patch(
        &app,
        MARIA,
        json!([{"op": "replace",
                "path": format!("{GEN}:externalIds[authority eq 'microsoftteams'].value"),
                "value": "teams-key-2"}]),
    )
    .await;
    assert_eq!(s, 200, "{u}");
    let teams: Vec<&Value> = u[GEN]["externalIds"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["authority"] == "microsoftteams")
        .collect();
    assert_eq!(teams.len(), 1, "{u}");
    assert_eq!(teams[0]["value"], "teams-key-2");
    // In a list filter too, spaces included; a doubled quote is a quote.
    let (s, list) = app
        .get_json(&format!(
            "{SCIM}/Groups?filter=displayName%20eq%20'Sales%20Team'"
        ))
        .await;
    assert_eq!((s, list["totalResults"].as_u64()), (200, Some(1)), "{list}");
    let (s, list) = app
        .get_json(&format!(
            "{SCIM}/Users?filter=userName%20eq%20'maria.garcia@example.com'"
        ))
        .await;
    assert_eq!((s, list["totalResults"].as_u64()), (200, Some(1)), "{list}");
    // An unterminated one is refused, saying so.
    let (s, err) = app
        .get_json(&format!("{SCIM}/Users?filter=userName%20eq%20'maria"))
        .await;
    assert_scim_error(s, &err, 400, Some("invalidFilter"));
    assert!(
        err["detail"].as_str().unwrap().contains("single-quoted"),
        "{err}"
    );
}

/// Empty values do not overwrite existing data (a Genesys community moderator, 2026-04-15,
/// "MS Entra ID SCIM integration – fields mapping"): `empty-values=ignore`, the default. A
/// `remove` still clears.
#[tokio::test]
async fn empty_values_leave_existing_data_by_default_and_remove_clears() {
    let app = spawn_app().await;
    let (s, u) = patch(
        &app,
        MARIA,
        json!([
            {"op": "replace", "path": "title", "value": ""},
            {"op": "replace", "path": "emails[type eq \"work\"].value", "value": ""},
            {"op": "replace", "value": {"displayName": "", format!("{ENT}:department"): ""}},
            {"op": "replace", "path": format!("{ENT}:employeeNumber"), "value": ""}
        ]),
    )
    .await;
    assert_eq!(s, 200, "{u}");
    assert_eq!(u["title"], "Contact Center Manager", "{u}");
    assert_eq!(u["displayName"], "Maria Garcia");
    assert_eq!(u[ENT]["department"], "Operations");
    assert_eq!(u[ENT]["employeeNumber"], "0001");
    assert_eq!(
        emails(&u, "work").as_deref(),
        Some("maria.garcia@work.example.com"),
        "{u}"
    );
    // A lone replace takes the same way.
    let (_, u) = patch(
        &app,
        MARIA,
        json!([{"op": "replace", "path": "title", "value": ""}]),
    )
    .await;
    assert_eq!(u["title"], "Contact Center Manager");
    // PUT too: an empty value keeps what is there.
    let (_, before) = app.get_json(&format!("{SCIM}/Users/{MARIA}")).await;
    let mut put = before.clone();
    put["title"] = json!("");
    put[ENT]["department"] = json!("");
    let (s, u) = status_json(
        app.put_json(&format!("{SCIM}/Users/{MARIA}"), &put)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{u}");
    assert_eq!(
        (u["title"].as_str(), u[ENT]["department"].as_str()),
        (Some("Contact Center Manager"), Some("Operations"))
    );
    // remove clears.
    let (_, u) = patch(&app, MARIA, json!([{"op": "remove", "path": "title"}])).await;
    assert!(u.get("title").is_none(), "{u}");
}

#[tokio::test]
async fn empty_values_clear_when_switched() {
    let app = spawn_with(with(test_config(), |c| {
        c.compat.empty_values = genesys_scim_mock::compat::EmptyValues::Clear;
    }))
    .await;
    let (s, u) = patch(
        &app,
        JAMES,
        json!([{"op": "replace", "path": "title", "value": ""}]),
    )
    .await;
    assert_eq!(s, 200, "{u}");
    assert!(u.get("title").is_none(), "{u}");
    let (_, u) = patch(
        &app,
        JAMES,
        json!([{"op": "replace", "path": format!("{ENT}:department"), "value": ""}]),
    )
    .await;
    assert!(u[ENT].get("department").is_none(), "{u}");
}

/// A path as long as `<enterprise URN>:department` whose byte at the URN's length falls inside
/// a two-byte character: the in-place shortcut compared it by slicing at that byte and
/// panicked (a 500). It names no attribute the mock serves, and is answered as the same path
/// with an ASCII letter there is: nothing changes.
#[tokio::test]
async fn a_path_cut_inside_a_character_at_the_urn_length_is_answered_like_any_other() {
    let app = spawn_app().await;
    let cut = format!("{}é:departmen", &ENT[..ENT.len() - 1]);
    assert_eq!(cut.len(), ENT.len() + ":department".len());
    assert!(!cut.is_char_boundary(ENT.len()));
    let ascii = format!("{}e:departmen", &ENT[..ENT.len() - 1]);
    let mut answers = Vec::new();
    for path in [ascii, cut] {
        let (s, b) = patch(
            &app,
            LUCAS,
            json!([{"op": "replace", "path": path, "value": "x"}]),
        )
        .await;
        assert!(s < 500, "{path}: {s} {b}");
        answers.push((s, b["meta"]["version"].clone()));
    }
    assert_eq!(answers[0], answers[1]);
    let (s, b) = app.get_json(&format!("{SCIM}/Users/{LUCAS}")).await;
    assert_eq!((s, b["meta"]["version"].as_str()), (200, Some("1")), "{b}");
}
