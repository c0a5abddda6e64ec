//! Fixtures as a product: the shipped files against the JSON Schema, every class of `validate`
//! error naming its file, record and field, the binary's `validate` command, and the large org
//! served for real.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use genesys_scim_mock::validate;
use serde_json::{Value, json};

use crate::helpers::*;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn scratch(name: &str, text: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "gsm-fixtures-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn org(extra: Value) -> Value {
    let mut o = json!({
        "id": "t",
        "divisions": [{"id": "d1", "name": "Home"}],
        "roles": [{"id": "r1", "name": "employee"}],
        "skills": [{"id": "s1", "name": "Billing"}],
        "languages": [{"id": "l1", "name": "English"}],
        "users": [{"id": "u1", "userName": "a@x.org", "displayName": "A"}]
    });
    for (k, v) in extra.as_object().unwrap() {
        o[k] = v.clone();
    }
    json!({"version": 1, "orgs": [o]})
}

fn user(extra: Value) -> Value {
    let mut u = json!({"id": "u2", "userName": "b@x.org", "displayName": "B"});
    for (k, v) in extra.as_object().unwrap() {
        u[k] = v.clone();
    }
    u
}

/// Validates `doc` written to a file and returns the error, asserting record and field.
fn fails(text: &str, record: &str, field: Option<&str>, message: &str) {
    let path = scratch("f.json", text);
    let e = validate(&path).expect_err(text);
    assert_eq!(e.file, path.display().to_string(), "{e}");
    assert!(e.record.contains(record), "record {record:?}: {e}");
    assert_eq!(e.field.as_deref(), field, "{e}");
    assert!(e.message.contains(message), "message {message:?}: {e}");
    let shown = e.to_string();
    assert!(shown.contains(&e.file) && shown.contains(record), "{shown}");
}

#[test]
fn every_class_of_fixture_error_names_file_record_and_field() {
    fails(
        "{\n  \"version\": 1,\n  \"orgs\": [,]\n}",
        "line 3 column",
        None,
        "invalid JSON",
    );
    fails(
        r#"{"version": 2, "orgs": []}"#,
        "(document)",
        Some("version"),
        "must be 1",
    );
    fails(
        r#"{"version": 1, "orgs": [], "extra": 1}"#,
        "(document)",
        Some("extra"),
        "unknown field",
    );
    fails(
        &org(json!({"colour": "red"})).to_string(),
        "orgs[0]",
        Some("colour"),
        "unknown field",
    );
    fails(
        &org(json!({"divisions": [{"id": "d1", "name": "Home", "hme": true}]})).to_string(),
        "orgs[0].divisions[0]",
        Some("hme"),
        "unknown field",
    );
    fails(
        &org(json!({"oauthClients": [{"id": "c", "secret": "s", "ttl": 5}]})).to_string(),
        "orgs[0].oauthClients[0]",
        Some("ttl"),
        "unknown field",
    );
    fails(
        &org(json!({"users": [user(json!({"dispalyName": "typo"}))]})).to_string(),
        "orgs[0].users[0] (id \"u2\")",
        Some("dispalyName"),
        "unknown field",
    );
    fails(
        &org(json!({"users": [{"id": "g", "genesys": {"name": "G", "email": "g@x.org", "mail": 1}}]}))
            .to_string(),
        "orgs[0].users[0]",
        Some("genesys.mail"),
        "unknown field",
    );
    // Duplicates.
    fails(
        &org(json!({"roles": [{"id": "r1", "name": "employee"}, {"id": "r1", "name": "Agent"}]}))
            .to_string(),
        "orgs[0].roles[1]",
        Some("id"),
        "duplicate id",
    );
    fails(
        &org(json!({"skills": [{"id": "s1", "name": "Billing"}, {"id": "s2", "name": "billing"}]}))
            .to_string(),
        "orgs[0].skills[1]",
        Some("name"),
        "duplicate name",
    );
    fails(
        &org(json!({"users": [user(json!({})), user(json!({"userName": "c@x.org"}))]})).to_string(),
        "orgs[0].users[1] (id \"u2\")",
        Some("id"),
        "duplicate user id",
    );
    fails(
        &org(json!({"users": [user(json!({})), user(json!({"id": "u3"}))]})).to_string(),
        "orgs[0].users[1] (id \"u3\")",
        Some("userName"),
        "already in use",
    );
    fails(
        &format!(
            r#"{{"version":1,"orgs":[{o},{o}]}}"#,
            o = org(json!({}))["orgs"][0]
        ),
        "orgs[1]",
        Some("id"),
        "duplicate org id",
    );
    // Unknown references.
    for (u, field, needle) in [
        (user(json!({"roles": [{"value": "Boss"}]})), "roles", "Boss"),
        (
            user(
                json!({"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"division": "Mars"}}),
            ),
            "division",
            "Mars",
        ),
        (
            user(
                json!({"urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User": {"routingSkills": [{"name": "Juggling", "proficiency": 1}]}}),
            ),
            "routingSkills",
            "Juggling",
        ),
        (
            user(
                json!({"urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User": {"routingLanguages": [{"name": "Elvish", "proficiency": 1}]}}),
            ),
            "routingLanguages",
            "Elvish",
        ),
        (
            user(json!({"phoneNumbers": [{"type": "work", "value": "555-1212"}]})),
            "phoneNumbers",
            "555-1212",
        ),
        (
            user(json!({"phoneNumbers": [{"type": "pager", "value": "+15551212"}]})),
            "phoneNumbers",
            "pager",
        ),
        (
            user(
                json!({"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"manager": {"value": "ghost"}}}),
            ),
            "manager",
            "ghost",
        ),
        (
            user(
                json!({"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"manager": {"value": "u2"}}}),
            ),
            "manager",
            "own manager",
        ),
    ] {
        fails(
            &org(json!({"users": [{"id": "u1", "userName": "a@x.org", "displayName": "A"}, u]}))
                .to_string(),
            "orgs[0].users[1] (id \"u2\")",
            Some(field),
            needle,
        );
    }
    // The same rules in Genesys form, with the Genesys field names.
    fails(
        &org(
            json!({"users": [{"id": "g", "genesys": {"name": "G", "email": "g@x.org",
            "phones": [{"type": "work", "number": "12"}]}}]}),
        )
        .to_string(),
        "orgs[0].users[0] (id \"g\")",
        Some("genesys.phones"),
        "E.164",
    );
    fails(
        &org(json!({"users": [{"id": "g", "genesys": {"name": "G", "email": "g@x.org", "managerId": "nobody"}}]})).to_string(),
        "orgs[0].users[0] (id \"g\")",
        Some("genesys.managerId"),
        "nobody",
    );
    fails(
        &org(json!({"users": [{"id": "g", "genesys": {"name": "G", "email": "g@x.org", "divisionName": "Mars"}}]})).to_string(),
        "orgs[0].users[0] (id \"g\")",
        Some("genesys.divisionName"),
        "Mars",
    );
    fails(
        &org(json!({"groups": [{"id": "g1", "name": "G", "members": ["u1", "ghost"]}]}))
            .to_string(),
        "orgs[0].groups[0] (id \"g1\")",
        Some("members"),
        "ghost",
    );
    fails(
        &org(json!({"groups": [{"id": "g1", "name": "G", "visibility": "secret"}]})).to_string(),
        "orgs[0].groups[0] (id \"g1\")",
        None,
        "secret",
    );
    fails(
        &org(json!({"oauthClients": [{"id": "c", "secret": "s", "tokenTtlSecs": 60}]})).to_string(),
        "orgs[0].oauthClients[0]",
        Some("tokenTtlSecs"),
        "300 to 172800",
    );
    fails(
        &org(json!({"oauthClients": [{"id": "c", "secret": "s"}, {"id": "c", "secret": "t"}]}))
            .to_string(),
        "orgs[0].oauthClients[1]",
        Some("id"),
        "duplicate OAuth client id",
    );
    // A directory with no fixtures.
    let dir = scratch("notes.txt", "nothing").parent().unwrap().to_owned();
    let e = validate(&dir).unwrap_err();
    assert_eq!(e.file, dir.display().to_string());
    assert!(e.message.contains("no *.json"), "{e}");
}

async fn post_org(app: &TestApp, org: &Value) -> (u16, Value) {
    status_json(
        app.admin(reqwest::Method::POST, "/__admin/orgs")
            .json(org)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// Roles with permissions and clients with `roleDivisions`: `validate`, the JSON Schema and
/// the admin org API accept them, and refuse a bad permission, an unknown role or an unknown
/// division naming the record and field.
#[tokio::test]
async fn role_permissions_and_role_divisions_are_checked_everywhere() {
    let good = org(json!({
        "divisions": [{"id": "d1", "name": "Home"}, {"id": "d2", "name": "EMEA"}],
        "roles": [{"id": "r1", "name": "employee"},
                  {"id": "r2", "name": "SCIM", "permissions": ["directory:user:*", "directory:*:*"]}],
        "oauthClients": [
            {"id": "c1", "secret": "s", "roleDivisions": [{"role": "scim", "division": "emea"}]},
            {"id": "c2", "secret": "s", "roleDivisions": [{"role": "SCIM", "division": "*"}]},
            {"id": "c3", "secret": "s", "roleDivisions": []},
            {"id": "c4", "secret": "s", "roleDivisions": null}
        ]
    }));
    assert_eq!(validate(&scratch("f.json", &good.to_string())).unwrap(), 1);
    let bad_role = org(json!({
        "oauthClients": [{"id": "c", "secret": "s",
            "roleDivisions": [{"role": "employee", "division": "*"}, {"role": "Boss", "division": "*"}]}]
    }));
    fails(
        &bad_role.to_string(),
        "orgs[0].oauthClients[0] (id \"c\")",
        Some("roleDivisions[1].role"),
        "no role named \"Boss\"",
    );
    let bad_division = org(json!({
        "oauthClients": [{"id": "c", "secret": "s", "roleDivisions": [{"role": "employee", "division": "APAC"}]}]
    }));
    fails(
        &bad_division.to_string(),
        "orgs[0].oauthClients[0] (id \"c\")",
        Some("roleDivisions[0].division"),
        "no division named \"APAC\"",
    );
    let bad_permission = org(json!({
        "roles": [{"id": "r1", "name": "employee", "permissions": ["directory:user:add", "directory.user.add"]}]
    }));
    fails(
        &bad_permission.to_string(),
        "orgs[0].roles[0] (id \"r1\")",
        Some("permissions[1]"),
        "domain:entity:action",
    );

    let schema: Value =
        serde_json::from_str(include_str!("../../fixtures/schema.json")).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    assert!(
        validator.is_valid(&good),
        "{:?}",
        validator
            .iter_errors(&good)
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    );
    assert!(!validator.is_valid(&bad_permission));
    let no_division = org(
        json!({"oauthClients": [{"id": "c", "secret": "s", "roleDivisions": [{"role": "employee"}]}]}),
    );
    assert!(!validator.is_valid(&no_division));

    // The admin org API loads through the same checks and says which record and field.
    let app = spawn_app().await;
    let mut org_doc = bad_division["orgs"][0].clone();
    org_doc["id"] = json!("perm-org");
    let (s, body) = post_org(&app, &org_doc).await;
    assert_eq!(s, 400, "{body}");
    let msg = body["message"].as_str().unwrap();
    assert!(
        msg.contains("oauthClients[0]")
            && msg.contains("roleDivisions[0].division")
            && msg.contains("APAC"),
        "{msg}"
    );
    let mut org_doc = good["orgs"][0].clone();
    org_doc["id"] = json!("perm-org");
    let (s, body) = post_org(&app, &org_doc).await;
    assert_eq!(s, 201, "{body}");
    let (s, export) = status_json(
        app.admin(reqwest::Method::GET, "/__admin/orgs/perm-org/export")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        export["roles"][1]["permissions"],
        json!(["directory:user:*", "directory:*:*"])
    );
    let clients = export["oauthClients"].as_array().unwrap();
    assert_eq!(
        clients[0]["roleDivisions"],
        json!([{"role": "scim", "division": "emea"}])
    );
    assert_eq!(clients[2]["roleDivisions"], json!([]));
    assert!(clients[3].get("roleDivisions").is_none(), "{}", clients[3]);
}

fn shipped() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json") && !p.ends_with("schema.json"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_shipped_fixture_matches_the_json_schema() {
    let schema: Value =
        serde_json::from_str(include_str!("../../fixtures/schema.json")).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema is a valid JSON Schema");
    let files = shipped();
    assert!(files.len() >= 2, "{files:?}");
    for f in files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", f.display());
    }
    // The schema can fail: a bad TTL, a bad visibility and a Genesys user with a typo.
    let bad = org(json!({
        "oauthClients": [{"id": "c", "secret": "s", "tokenTtlSecs": 60}],
        "groups": [{"id": "g", "name": "G", "visibility": "secret"}],
        "users": [{"id": "x", "genesys": {"name": "X", "email": "x@x.org", "mail": 1}}]
    }));
    assert!(validator.iter_errors(&bad).count() >= 3);
}

#[test]
fn the_binary_validates_the_shipped_fixtures_and_reports_errors() {
    let bin = env!("CARGO_BIN_EXE_genesys-scim-mock");
    let out = std::process::Command::new(bin)
        .args(["validate", "fixtures/"])
        .current_dir(ROOT)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("ok (2 org(s))"), "{stdout}");

    let bad = scratch(
        "bad.json",
        &org(json!({"oauthClients": [{"id": "c", "secret": "s", "tokenTtlSecs": 10}]})).to_string(),
    );
    let out = std::process::Command::new(bin)
        .arg("validate")
        .arg(&bad)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("bad.json")
            && stderr.contains("oauthClients[0]")
            && stderr.contains("tokenTtlSecs"),
        "{stderr}"
    );
}

/// A fixture user's state and manager, in either form.
fn state_and_manager(u: &Value) -> (String, Option<String>) {
    match u.get("genesys") {
        Some(g) => (
            g["state"].as_str().unwrap_or("active").to_owned(),
            g["managerId"].as_str().map(str::to_owned),
        ),
        None => {
            let state = match (u["deleted"].as_bool(), u["active"].as_bool()) {
                (Some(true), _) => "deleted",
                (_, Some(false)) => "inactive",
                _ => "active",
            };
            let ent = &u["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"];
            (
                state.to_owned(),
                ent["manager"]["value"].as_str().map(str::to_owned),
            )
        }
    }
}

/// The large org is generated (`generate-fixture --org acme --users 60 --groups 8 --seed 1`);
/// what the server serves is checked against what the file says.
#[tokio::test]
async fn the_large_org_serves_its_own_client_and_data() {
    let path = Path::new(ROOT).join("fixtures/large-org.json");
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let org = &file["orgs"][0];
    let users = org["users"].as_array().unwrap();
    let groups = org["groups"].as_array().unwrap();
    let states: Vec<(String, Option<String>)> = users.iter().map(state_and_manager).collect();
    let count = |s: &str| states.iter().filter(|(st, _)| st == s).count();
    let id_of = |i: usize| users[i]["id"].as_str().unwrap().to_owned();
    assert!(
        count("inactive") > 0 && count("deleted") > 0,
        "the file has every state"
    );

    let mut config = test_config();
    config.fixtures = Some(path.clone());
    let mut app = spawn_with(config).await;
    app.token = app.token_for("acme-client-id", "acme-client-secret").await;
    let get = |url: String| {
        let req = app.get(&url);
        async move { status_json(req.send().await.unwrap()).await }
    };
    let (s, list) = get(format!("{SCIM}/Users?count=100")).await;
    assert_eq!(s, 200);
    assert_eq!(list["totalResults"], count("active"), "active users only");
    let (_, inactive) = get(format!("{SCIM}/Users?filter=active eq false")).await;
    assert_eq!(inactive["totalResults"], count("inactive"));
    let all = get("/api/v2/users?state=any&pageSize=100".to_owned())
        .await
        .1;
    assert_eq!(all["total"], users.len());
    let mut types: Vec<String> = all["entities"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|u| u["addresses"].as_array().unwrap().clone())
        .filter(|a| a["mediaType"] == "PHONE")
        .map(|a| a["type"].as_str().unwrap().to_owned())
        .collect();
    types.sort();
    types.dedup();
    assert_eq!(types.len(), 11, "every phone type: {types:?}");

    // The deepest management chain in the file is the one the platform API walks.
    let index: std::collections::HashMap<String, usize> =
        (0..users.len()).map(|i| (id_of(i), i)).collect();
    let chain_in_file = |mut i: usize| {
        let mut chain = vec![id_of(i)];
        while let Some(m) = &states[i].1 {
            chain.push(m.clone());
            i = index[m];
        }
        chain
    };
    let deepest = (0..users.len())
        .map(chain_in_file)
        .max_by_key(Vec::len)
        .unwrap();
    assert!(deepest.len() >= 3, "a hierarchy: {deepest:?}");
    let mut chain = vec![deepest[0].clone()];
    while let Some(m) = get(format!("/api/v2/users/{}", chain.last().unwrap()))
        .await
        .1["manager"]["id"]
        .as_str()
        .map(str::to_owned)
    {
        chain.push(m);
    }
    assert_eq!(chain, deepest);

    // A member of a membersOnly group: SCIM lists only its public official groups; the
    // platform API lists every group.
    let hidden = groups
        .iter()
        .find(|g| g["visibility"] == "membersOnly" && !g["members"].as_array().unwrap().is_empty())
        .expect("the file has a membersOnly group with members");
    let member = hidden["members"][0].as_str().unwrap();
    let of_member: Vec<&Value> = groups
        .iter()
        .filter(|g| g["members"].as_array().unwrap().iter().any(|m| m == member))
        .collect();
    let mut expected: Vec<&str> = of_member
        .iter()
        .filter(|g| g["visibility"] == "public" && g["type"] == "official")
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    expected.sort();
    let (_, scim_user) = get(format!("{SCIM}/Users/{member}")).await;
    let mut scim_groups: Vec<&str> = scim_user["groups"].as_array().map_or(vec![], |g| {
        g.iter().map(|g| g["value"].as_str().unwrap()).collect()
    });
    scim_groups.sort();
    assert_eq!(scim_groups, expected, "{scim_user}");
    let platform = get(format!("/api/v2/users/{member}?expand=groups")).await.1;
    assert_eq!(
        platform["groups"].as_array().unwrap().len(),
        of_member.len(),
        "{platform}"
    );

    // A deleted fixture user is 404 to SCIM and revived by a create with its userName.
    let gone = id_of(states.iter().position(|(s, _)| s == "deleted").unwrap());
    assert_eq!(get(format!("/api/v2/users/{gone}")).await.0, 404);
    let deleted = get(format!("/api/v2/users/{gone}?state=deleted")).await.1;
    assert_eq!(deleted["state"], "deleted");
    assert_eq!(get(format!("{SCIM}/Users/{gone}")).await.0, 404);
    let revived = app
        .create_user(&json!({"userName": deleted["email"], "displayName": "Back Again"}))
        .await;
    assert_eq!(revived["id"], gone.as_str());

    // The default org's client is not loaded alongside.
    assert!(
        app.try_token(CLIENT_ID, CLIENT_SECRET).await.is_none(),
        "the default org's client gets no token"
    );
}

/// `generate-fixture` writes what `validate` accepts, the same file for the same seed.
#[test]
fn the_binary_generates_a_valid_deterministic_fixture() {
    let bin = env!("CARGO_BIN_EXE_genesys-scim-mock");
    let dir = scratch("placeholder", "");
    let run = |name: &str, seed: &str| {
        let out = dir.with_file_name(name);
        let status = std::process::Command::new(bin)
            .args(["generate-fixture", "--users", "300", "--groups", "12"])
            .args(["--seed", seed, "--org", "gen", "--out"])
            .arg(&out)
            .status()
            .unwrap();
        assert!(status.success());
        out
    };
    let a = run("a.json", "5");
    let b = run("b.json", "5");
    let c = run("c.json", "6");
    let text = std::fs::read_to_string(&a).unwrap();
    assert_eq!(text, std::fs::read_to_string(&b).unwrap());
    assert_ne!(text, std::fs::read_to_string(&c).unwrap());
    assert_eq!(validate(&a).unwrap(), 1);
    let out = std::process::Command::new(bin)
        .args(["generate-fixture", "--users", "0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--users"));
}

#[test]
fn the_example_in_docs_fixtures_md_is_valid() {
    let doc = include_str!("../../docs/fixtures.md");
    let example = doc
        .split("```json\n")
        .last()
        .and_then(|b| b.split("```").next())
        .expect("an example");
    assert!(example.contains("\"orgs\""), "{example}");
    let path = scratch("example.json", example);
    assert_eq!(validate(&path).unwrap(), 1);
}

/// The server keeps where its fixtures came from, not the parsed documents: a reset reads the
/// file again, so an edited fixture takes effect, per org or in full.
#[tokio::test]
async fn a_reset_reads_the_fixture_file_again() {
    let clients = json!({"oauthClients": [{"id": "t-client", "secret": "t-secret"}]});
    let path = scratch("reread.json", &org(clients.clone()).to_string());
    let mut config = test_config();
    config.fixtures = Some(path.clone());
    let mut app = spawn_with(config).await;
    app.token = app.token_for("t-client", "t-secret").await;
    let name = |app: &TestApp| {
        let req = app.get(&format!("{SCIM}/Users/u1"));
        async move { status_json(req.send().await.unwrap()).await.1["displayName"].clone() }
    };
    assert_eq!(name(&app).await, "A");
    let reset = |app: &TestApp, query: &str| {
        let req = app.client.post(app.url(&format!("/__admin/reset{query}")));
        async move { status_json(req.send().await.unwrap()).await }
    };
    let mut edited = org(clients);
    for (query, shown) in [("?org=t", "Edited"), ("", "Again")] {
        edited["orgs"][0]["users"][0]["displayName"] = json!(shown);
        std::fs::write(&path, edited.to_string()).unwrap();
        assert_eq!(reset(&app, query).await.0, 204);
        // A full reset revokes tokens.
        app.token = app.token_for("t-client", "t-secret").await;
        assert_eq!(name(&app).await, shown);
    }
    // A file that no longer parses fails the reset with the located error.
    std::fs::write(&path, "{").unwrap();
    let (s, body) = reset(&app, "?org=t").await;
    assert_eq!(s, 400, "{body}");
    assert!(body.to_string().contains("line 1"), "{body}");
}
