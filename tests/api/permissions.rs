//! Roles, divisions and 403s (`docs/permissions.md`): what an OAuth client with `roleDivisions`
//! may do, the answers when it may not, the switches, and grants changed at run time.

use genesys_scim_mock::Config;
use genesys_scim_mock::compat::DivisionReads;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

const ORG: &str = "perm";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const GENESYS: &str = "urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const HOME_USER: &str = "p-0001";
const EMEA_USER: &str = "p-0002";

/// Genesys' sentence for a missing permission, with the list it names.
fn missing(list: &str) -> String {
    format!(
        "Unable to perform the requested action. You must have at least one of the following \
         permissions assigned: [{list}]"
    )
}

/// An org with two divisions, one user in each, roles from "views users" to "provisions
/// everything", and one OAuth client per role (`<name>` / `s`).
fn org() -> Value {
    let client = |id: &str, role: &str, division: &str| json!({"id": id, "secret": "s", "roleDivisions": [{"role": role, "division": division}]});
    json!({
        "id": ORG,
        "divisions": [{"id": "d-home", "name": "Home", "home": true}, {"id": "d-emea", "name": "EMEA"}],
        "roles": [
            {"id": "r-emp", "name": "employee"},
            {"id": "r-agent", "name": "Agent"},
            {"id": "r-view", "name": "Viewer", "permissions": ["directory:user:view"]},
            {"id": "r-prov", "name": "Provisioning", "permissions": ["directory:user:*"]},
            {"id": "r-add", "name": "Adder", "permissions": ["directory:user:add"]},
            {"id": "r-full", "name": "Full", "permissions": ["directory:*:*", "authorization:grant:*",
                "routing:*:assign", "telephony:extension:assign"]}
        ],
        "skills": [{"id": "s-bill", "name": "Billing"}],
        "languages": [{"id": "l-en", "name": "English"}],
        "oauthClients": [
            client("viewer", "Viewer", "*"),
            client("prov", "Provisioning", "*"),
            client("emea", "Provisioning", "EMEA"),
            client("adder", "Adder", "*"),
            client("full", "Full", "*"),
            {"id": "open", "secret": "s"}
        ],
        "users": [
            {"id": HOME_USER, "userName": "home@example.org", "displayName": "Home User", "title": "A"},
            {"id": EMEA_USER, "userName": "emea@example.org", "displayName": "EMEA User", "title": "A",
             ENTERPRISE: {"division": "EMEA"}}
        ]
    })
}

async fn with_org(config: Config) -> TestApp {
    let app = spawn_with(config).await;
    let resp = app
        .admin(Method::POST, "/__admin/orgs")
        .json(&org())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    app
}

/// A token for one of the org's clients.
async fn token(app: &TestApp, client: &str) -> String {
    app.token_for(client, "s").await
}

async fn call(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut b = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        b = b
            .header("content-type", "application/scim+json")
            .body(body.to_string());
    }
    status_json(b.send().await.unwrap()).await
}

async fn create(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    call(
        app,
        token,
        Method::POST,
        &format!("{SCIM}/Users"),
        Some(body),
    )
    .await
}

fn new_user(name: &str) -> Value {
    json!({"userName": format!("{name}@example.org"), "displayName": name})
}

fn in_division(name: &str, division: &str) -> Value {
    let mut u = new_user(name);
    u[ENTERPRISE] = json!({"division": division});
    u
}

async fn patch(app: &TestApp, token: &str, id: &str, ops: Value) -> (u16, Value) {
    let body = json!({"schemas": [PATCH_OP], "Operations": ops});
    call(
        app,
        token,
        Method::PATCH,
        &format!("{SCIM}/Users/{id}"),
        Some(body),
    )
    .await
}

/// The SCIM 403: status as a string, Genesys' sentence as `detail`.
fn assert_scim_403(status: u16, body: &Value, list: &str) {
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error",
        "{body}"
    );
    assert_eq!(body["status"], "403", "{body}");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(detail.starts_with(&missing(list)), "{body}");
}

/// The platform 403: `missing.any.permissions` with Genesys' sentence as `message`.
fn assert_platform_403(status: u16, body: &Value, list: &str) {
    assert_platform_error(status, body, 403, "missing.any.permissions");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.starts_with(&missing(list)), "{body}");
}

#[tokio::test]
async fn a_client_that_may_only_view_users_gets_403_on_create_and_one_with_directory_user_all_gets_201()
 {
    let app = with_org(test_config()).await;
    let viewer = token(&app, "viewer").await;
    let (s, body) = create(&app, &viewer, new_user("v1")).await;
    assert_scim_403(s, &body, "directory:user:add");
    assert_eq!(body["detail"], missing("directory:user:add"), "exact text");
    // The viewer still reads users: reads need no permission.
    let (s, list) = call(&app, &viewer, Method::GET, &format!("{SCIM}/Users"), None).await;
    assert_eq!((s, list["totalResults"].as_u64()), (200, Some(2)), "{list}");
    // A group read needs directory:group:edit, even though it is a read.
    let (s, body) = call(&app, &viewer, Method::GET, &format!("{SCIM}/Groups"), None).await;
    assert_scim_403(s, &body, "directory:group:edit");
    // Platform and external-id routes answer in Genesys' shape.
    let (s, body) = call(
        &app,
        &viewer,
        Method::POST,
        &format!("/api/v2/users/{HOME_USER}/externalid"),
        Some(json!({"authorityName": "hr", "externalKey": "k"})),
    )
    .await;
    assert_platform_403(s, &body, "directory:user:edit");

    let prov = token(&app, "prov").await;
    let (s, body) = create(&app, &prov, new_user("p1")).await;
    assert_eq!(s, 201, "{body}");

    // The journal and the timeline name what was missing.
    let (s, page) = status_json(
        app.admin(Method::GET, "/__admin/requests?route=users.create")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    let entries = page["requests"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{page}");
    assert_eq!(entries[0]["status"], 403);
    assert_eq!(
        entries[0]["missingPermissions"],
        json!(["directory:user:add"])
    );
    assert!(
        entries[1].get("missingPermissions").is_none(),
        "{}",
        entries[1]
    );
    let (_, timeline) = status_json(
        app.admin(Method::GET, "/__admin/timeline?q=users.create")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let refused = &timeline["rows"].as_array().unwrap()[1];
    assert_eq!(refused["missingPermissions"], json!(["directory:user:add"]));
}

#[tokio::test]
async fn a_client_granted_one_division_cannot_create_edit_or_move_users_in_another() {
    let app = with_org(test_config()).await;
    let emea = token(&app, "emea").await;
    let (s, body) = create(&app, &emea, in_division("e1", "EMEA")).await;
    assert_eq!(s, 201, "{body}");
    let created = body["id"].as_str().unwrap().to_owned();
    // No division means Home, which the grant does not reach.
    for body in [new_user("h1"), in_division("h2", "Home")] {
        let (s, answer) = create(&app, &emea, body).await;
        assert_scim_403(s, &answer, "directory:user:add");
        assert!(
            answer["detail"]
                .as_str()
                .unwrap()
                .contains("division \"Home\""),
            "{answer}"
        );
    }
    let title = json!([{"op": "replace", "path": "title", "value": "B"}]);
    let (s, body) = patch(&app, &emea, HOME_USER, title.clone()).await;
    assert_scim_403(
        s,
        &body,
        "directory:user:edit, directory:user:setPassword, authorization:grant:add, \
         authorization:grant:delete, routing:skill:assign, routing:language:assign, \
         telephony:extension:assign",
    );
    let (s, body) = patch(&app, &emea, EMEA_USER, title).await;
    assert_eq!(s, 200, "{body}");
    // Moving an EMEA user to Home needs the edit permission in Home too.
    let (s, body) = patch(
        &app,
        &emea,
        &created,
        json!([{"op": "replace", "path": format!("{ENTERPRISE}:division"), "value": "Home"}]),
    )
    .await;
    assert_scim_403(s, &body, "directory:user:edit");
    assert!(
        body["detail"].as_str().unwrap().contains("\"Home\""),
        "{body}"
    );
    let (s, _) = call(
        &app,
        &emea,
        Method::DELETE,
        &format!("{SCIM}/Users/{HOME_USER}"),
        None,
    )
    .await;
    assert_eq!(s, 403);
    for (user, want) in [(HOME_USER, 403), (EMEA_USER, 201)] {
        let (s, body) = call(
            &app,
            &emea,
            Method::POST,
            &format!("/api/v2/users/{user}/externalid"),
            Some(json!({"authorityName": "hr", "externalKey": user})),
        )
        .await;
        assert_eq!(s, want, "{user}: {body}");
    }
    // Reads are not scoped by default (division-reads=all): the Home user is still listed.
    let (s, list) = call(&app, &emea, Method::GET, &format!("{SCIM}/Users"), None).await;
    assert_eq!((s, list["totalResults"].as_u64()), (200, Some(3)), "{list}");
}

#[tokio::test]
async fn attributes_that_need_their_own_permission_are_refused_by_name() {
    let app = with_org(test_config()).await;
    let adder = token(&app, "adder").await;
    let mut roles = new_user("a1");
    roles["roles"] = json!([{"value": "employee"}, {"value": "Agent"}]);
    let mut skills = new_user("a2");
    skills[GENESYS] = json!({"routingSkills": [{"name": "Billing", "proficiency": 3}]});
    let mut languages = new_user("a3");
    languages[GENESYS] = json!({"routingLanguages": [{"name": "English", "proficiency": 3}]});
    let mut extension = new_user("a4");
    extension["phoneNumbers"] = json!([{"type": "work", "value": "tel:+3225550100;ext=42"}]);
    for (body, perm) in [
        (roles, "authorization:grant:add"),
        (skills, "routing:skill:assign"),
        (languages, "routing:language:assign"),
        (extension, "telephony:extension:assign"),
    ] {
        let (s, answer) = create(&app, &adder, body.clone()).await;
        assert_scim_403(s, &answer, perm);
        let full = token(&app, "full").await;
        let (s, answer) = create(&app, &full, body).await;
        assert_eq!(s, 201, "{perm}: {answer}");
    }
    let (s, answer) = create(&app, &adder, new_user("a5")).await;
    assert_eq!(s, 201, "the default role needs no grant: {answer}");

    // An edit: directory:user:* covers the user, not the roles it is given or loses.
    let prov = token(&app, "prov").await;
    let add_role = json!([{"op": "add", "path": "roles", "value": [{"value": "Agent"}]}]);
    let (s, body) = patch(&app, &prov, HOME_USER, add_role.clone()).await;
    assert_scim_403(s, &body, "authorization:grant:add");
    let full = token(&app, "full").await;
    let (s, body) = patch(&app, &full, HOME_USER, add_role).await;
    assert_eq!(s, 200, "{body}");
    let (s, body) = patch(
        &app,
        &prov,
        HOME_USER,
        json!([{"op": "remove", "path": "roles[value eq \"Agent\"]"}]),
    )
    .await;
    assert_scim_403(s, &body, "authorization:grant:delete");
    // A PATCH that changes only what the client may change goes through.
    let (s, body) = patch(
        &app,
        &prov,
        HOME_USER,
        json!([{"op": "replace", "path": "title", "value": "Lead"}]),
    )
    .await;
    assert_eq!(s, 200, "{body}");
}

#[tokio::test]
async fn permissions_off_and_clients_without_role_divisions_may_do_everything() {
    let app = with_org(with(test_config(), |config| {
        config.compat.permissions = false;
    }))
    .await;
    let viewer = token(&app, "viewer").await;
    let (s, body) = create(&app, &viewer, new_user("off1")).await;
    assert_eq!(s, 201, "{body}");
    let (s, _) = call(&app, &viewer, Method::GET, &format!("{SCIM}/Groups"), None).await;
    assert_eq!(s, 200);

    let app = with_org(test_config()).await;
    let open = token(&app, "open").await;
    let (s, body) = create(&app, &open, new_user("open1")).await;
    assert_eq!(s, 201, "a client without roleDivisions: {body}");
    // The default org's client is one of those.
    let (s, body) = app
        .post_status(&format!("{SCIM}/Users"), &new_user("d1"))
        .await;
    assert_eq!(s, 201, "{body}");
    // A scenario rule can turn enforcement off for one request, like any switch.
    let scenario = json!({"name": "no-perms", "rules": [{"name": "off",
        "when": {"route": "users.create"}, "then": {"compat": {"permissions": "off"}}}]});
    let resp = app
        .admin(Method::POST, "/__admin/scenarios")
        .json(&scenario)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{:?}", resp.text().await);
    let viewer = token(&app, "viewer").await;
    let (s, body) = create(&app, &viewer, new_user("sc1")).await;
    assert_eq!(s, 201, "{body}");
}

#[tokio::test]
async fn division_reads_granted_leaves_out_users_outside_the_clients_divisions() {
    let app = with_org(with(test_config(), |config| {
        config.compat.division_reads = DivisionReads::Granted;
        config.compat.dot_search = genesys_scim_mock::compat::DotSearch::Serve;
    }))
    .await;
    let emea = token(&app, "emea").await;
    let (s, list) = call(&app, &emea, Method::GET, &format!("{SCIM}/Users"), None).await;
    assert_eq!(s, 200);
    assert_eq!(list["totalResults"], 1, "{list}");
    assert_eq!(list["Resources"][0]["id"], EMEA_USER);
    for path in [
        format!("{SCIM}/Users/{HOME_USER}"),
        format!("/api/v2/users/{HOME_USER}"),
        format!("/api/v2/users/{HOME_USER}/externalid"),
    ] {
        let (s, body) = call(&app, &emea, Method::GET, &path, None).await;
        assert_eq!(s, 404, "{path}: {body}");
    }
    let (s, _) = call(
        &app,
        &emea,
        Method::GET,
        &format!("{SCIM}/Users/{EMEA_USER}"),
        None,
    )
    .await;
    assert_eq!(s, 200);
    let (_, platform) = call(&app, &emea, Method::GET, "/api/v2/users", None).await;
    assert_eq!(platform["total"], 1, "{platform}");
    let search = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": "active eq true"});
    let (s, found) = call(
        &app,
        &emea,
        Method::POST,
        &format!("{SCIM}/.search"),
        Some(search),
    )
    .await;
    assert_eq!(s, 200, "{found}");
    let ids: Vec<&Value> = found["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["id"])
        .collect();
    assert!(
        ids.contains(&&json!(EMEA_USER)) && !ids.contains(&&json!(HOME_USER)),
        "{found}"
    );
    // A client granted everywhere, and one without roleDivisions, still read everyone.
    for client in ["prov", "open"] {
        let t = token(&app, client).await;
        let (_, list) = call(&app, &t, Method::GET, &format!("{SCIM}/Users"), None).await;
        assert_eq!(list["totalResults"], 2, "{client}: {list}");
    }
}

/// `method /__admin/orgs/perm/clients/{client}/roleDivisions`; `client` may carry a query
/// (`prov?role=Viewer`).
async fn grants(app: &TestApp, method: Method, client: &str, body: Option<Value>) -> (u16, Value) {
    let (client, query) = client.split_once('?').unwrap_or((client, ""));
    let path = format!("/__admin/orgs/{ORG}/clients/{client}/roleDivisions");
    let path = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    grants_at(app, method, &path, body).await
}

async fn grants_at(app: &TestApp, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut b = app.admin(method, path);
    if let Some(body) = body {
        b = b.json(&body);
    }
    status_json(b.send().await.unwrap()).await
}

#[tokio::test]
async fn grants_are_taken_away_and_given_back_at_run_time() {
    let app = with_org(test_config()).await;
    let prov = token(&app, "prov").await;
    assert_eq!(create(&app, &prov, new_user("g1")).await.0, 201);

    let (s, body) = grants(&app, Method::GET, "prov", None).await;
    assert_eq!(s, 200);
    assert_eq!(
        body,
        json!({"orgId": ORG, "clientId": "prov",
            "roleDivisions": [{"role": "Provisioning", "division": "*"}]})
    );
    // Mid-sync, the client loses the role: the same token is refused at once.
    let (s, body) = grants(
        &app,
        Method::PUT,
        "prov",
        Some(json!({"roleDivisions": [{"role": "Viewer", "division": "*"}]})),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let (s, body) = create(&app, &prov, new_user("g2")).await;
    assert_scim_403(s, &body, "directory:user:add");
    // Granted back, in EMEA only.
    let (s, body) = grants(
        &app,
        Method::POST,
        "prov",
        Some(json!({"roleDivisions": [{"role": "provisioning", "division": "emea"}]})),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["roleDivisions"].as_array().unwrap().len(), 2);
    assert_eq!(create(&app, &prov, in_division("g3", "EMEA")).await.0, 201);
    assert_eq!(create(&app, &prov, new_user("g4")).await.0, 403);
    // Revoked again.
    let (s, body) = grants(
        &app,
        Method::DELETE,
        "prov?role=Provisioning&division=EMEA",
        None,
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(
        body["roleDivisions"],
        json!([{"role": "Viewer", "division": "*"}])
    );
    assert_eq!(create(&app, &prov, in_division("g5", "EMEA")).await.0, 403);
    // null: no restriction at all.
    let (s, body) = grants(
        &app,
        Method::PUT,
        "prov",
        Some(json!({"roleDivisions": null})),
    )
    .await;
    assert_eq!((s, &body["roleDivisions"]), (200, &Value::Null), "{body}");
    assert_eq!(create(&app, &prov, new_user("g6")).await.0, 201);
    // The export shows the grants as they are now; a reset brings back the fixture's.
    let (s, body) = grants(
        &app,
        Method::PUT,
        "prov",
        Some(json!({"roleDivisions": []})),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let (_, export) = grants_at(
        &app,
        Method::GET,
        &format!("/__admin/orgs/{ORG}/export"),
        None,
    )
    .await;
    let exported = export["oauthClients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "prov")
        .unwrap()
        .clone();
    assert_eq!(exported["roleDivisions"], json!([]));
    let (s, _) = grants_at(
        &app,
        Method::POST,
        &format!("/__admin/reset?org={ORG}"),
        None,
    )
    .await;
    assert_eq!(s, 204);
    let (_, body) = grants(&app, Method::GET, "prov", None).await;
    assert_eq!(
        body["roleDivisions"],
        json!([{"role": "Provisioning", "division": "*"}])
    );
}

#[tokio::test]
async fn the_grant_routes_refuse_what_the_org_lacks_and_say_why() {
    let app = with_org(test_config()).await;
    let (s, body) = grants(
        &app,
        Method::PUT,
        "prov",
        Some(json!({"roleDivisions": [{"role": "Viewer", "division": "*"}, {"role": "Boss", "division": "*"}]})),
    )
    .await;
    assert_platform_error(s, &body, 400, "bad.request");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("roleDivisions[1].role: no role named \"Boss\""),
        "{body}"
    );
    let (s, body) = grants(
        &app,
        Method::POST,
        "prov",
        Some(json!({"roleDivisions": [{"role": "Viewer", "division": "APAC"}]})),
    )
    .await;
    assert_eq!(s, 400);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("roleDivisions[0].division"),
        "{body}"
    );
    for bad in [
        json!({}),
        json!({"roleDivisions": "x"}),
        json!({"roleDivisions": [], "x": 1}),
    ] {
        let (s, body) = grants(&app, Method::PUT, "prov", Some(bad.clone())).await;
        assert_eq!(s, 400, "{bad}: {body}");
    }
    let (s, _) = grants(
        &app,
        Method::POST,
        "prov",
        Some(json!({"roleDivisions": null})),
    )
    .await;
    assert_eq!(s, 400);
    // Adding to or taking from a client that may do everything is a conflict.
    let (s, _) = grants(
        &app,
        Method::POST,
        "open",
        Some(json!({"roleDivisions": [{"role": "Viewer", "division": "*"}]})),
    )
    .await;
    assert_eq!(s, 409);
    let (s, _) = grants(&app, Method::DELETE, "open?role=Viewer", None).await;
    assert_eq!(s, 409);
    let (s, _) = grants(&app, Method::DELETE, "prov?role=Viewer", None).await;
    assert_eq!(s, 404, "no such pair");
    let (s, _) = grants(&app, Method::DELETE, "prov", None).await;
    assert_eq!(s, 400, "role is required");
    // Unknown clients, and clients of another org, are 404.
    let (s, _) = grants(&app, Method::GET, "nobody", None).await;
    assert_eq!(s, 404);
    let (s, _) = grants_at(
        &app,
        Method::GET,
        &format!("/__admin/orgs/{ORG}/clients/{CLIENT_ID}/roleDivisions"),
        None,
    )
    .await;
    assert_eq!(s, 404);
    let (s, _) = grants_at(
        &app,
        Method::GET,
        "/__admin/orgs/nope/clients/prov/roleDivisions",
        None,
    )
    .await;
    assert_eq!(s, 404);
}
