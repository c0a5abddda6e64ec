//! End-state assertions: `POST /__admin/expect` after real SCIM traffic, and the `verify`
//! subcommand against the real binary, with passing, failing and invalid expectations.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::*;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_genesys-scim-mock");
const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// What a client run leaves behind: Ada created in Sales and added to the Support Team, James
/// deactivated, Olivia deleted.
async fn provision(app: &TestApp) -> String {
    let ada = app
        .create_user(&json!({
            "userName": "ada@example.com", "displayName": "Ada Lovelace",
            "emails": [{"type": "work", "value": "ada@work.example.com"}],
            ENT: {"division": "Sales", "department": "R&D"}
        }))
        .await;
    let id = ada["id"].as_str().unwrap().to_owned();
    let patch = |path: String, body: Value| async move {
        let r = app.patch_json(&path, &body).send().await.unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
    };
    patch(
        format!("{SCIM}/Groups/{SUPPORT_TEAM}"),
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
               "Operations": [{"op": "add", "path": "members", "value": [{"value": id}]}]}),
    )
    .await;
    patch(
        format!("{SCIM}/Users/{JAMES}"),
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
               "Operations": [{"op": "replace", "path": "active", "value": false}]}),
    )
    .await;
    let r = app
        .delete(&format!("{SCIM}/Users/{OLIVIA}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    id
}

fn passing() -> Value {
    json!({"version": 1, "orgs": [{"id": "default", "exactUsers": true, "users": [
        {"userName": "ada@example.com", "displayName": "Ada Lovelace", "active": true,
         "emails": [{"type": "other", "value": "ada@example.com"},
                    {"type": "work", "value": "ada@work.example.com"}],
         ENT: {"division": "Sales"}, "groups": ["Support Team"],
         "genesys": {"divisionName": "Sales", "department": "R&D", "workEmail": "ada@work.example.com",
                     "state": "active", "roles": ["employee"]}},
        {"id": JAMES, "active": false, "genesys": {"state": "inactive"}},
        {"id": MARIA}, {"id": AIKO}, {"id": LUCAS},
        {"userName": "olivia.brown@example.com", "deleted": true}],
      "groups": [{"id": SUPPORT_TEAM, "members": ["ada@example.com", AIKO], "exactMembers": true}]}]})
}

fn failing() -> Value {
    json!({"version": 1, "orgs": [{"id": "default", "exactUsers": true, "users": [
        {"userName": "ada@example.com", "displayName": "Ada King",
         "genesys": {"divisionName": "Home"}},
        {"userName": "grace@example.com"},
        {"id": JAMES, "active": true}],
      "groups": [{"name": "Support Team", "members": [AIKO], "exactMembers": true}]}]})
}

async fn expect(app: &TestApp, query: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/__admin/expect{query}")))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_state_a_client_left_passes_its_expectation() {
    let app = spawn_app().await;
    provision(&app).await;
    let (s, diff) = status_json(expect(&app, "", &passing()).await).await;
    assert_eq!(s, 200, "{diff}");
    assert_eq!(diff["ok"], true, "{diff:#}");
    assert_eq!(diff["summary"]["checks"], 8);
    assert_eq!(diff["summary"]["failed"], 0);
}

#[tokio::test]
async fn a_wrong_state_gets_a_structured_diff_in_both_forms() {
    let app = spawn_app().await;
    let ada = provision(&app).await;
    let (s, diff) = status_json(expect(&app, "", &failing()).await).await;
    assert_eq!(s, 200);
    assert_eq!(diff["ok"], false);
    let differing: Vec<(String, String, Value, Value)> = diff["differing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["form"].as_str().unwrap().to_owned(),
                d["field"].as_str().unwrap().to_owned(),
                d["expected"].clone(),
                d["actual"].clone(),
            )
        })
        .collect();
    assert_eq!(
        differing,
        [
            (
                "scim".into(),
                "displayName".into(),
                json!("Ada King"),
                json!("Ada Lovelace")
            ),
            (
                "genesys".into(),
                "divisionName".into(),
                json!("Home"),
                json!("Sales")
            ),
            ("scim".into(), "active".into(), json!(true), json!(false)),
        ]
    );
    assert_eq!(diff["missing"][0]["kind"], "user");
    assert_eq!(diff["missing"][0]["key"], "grace@example.com");
    assert_eq!(
        diff["missing"][0]["record"],
        "orgs[0].users[1] (userName \"grace@example.com\")"
    );
    // exactUsers: Maria, Aiko and Lucas are not named (Olivia is deleted, so not counted);
    // exactMembers: Ada joined the Support Team.
    let unexpected: Vec<(&str, &str)> = diff["unexpected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["kind"].as_str().unwrap(), u["id"].as_str().unwrap()))
        .collect();
    assert_eq!(
        unexpected,
        [
            ("user", MARIA),
            ("user", AIKO),
            ("user", LUCAS),
            ("member", ada.as_str())
        ]
    );
}

#[tokio::test]
async fn the_diff_renders_as_junit() {
    let app = spawn_app().await;
    provision(&app).await;
    let resp = expect(&app, "?format=junit", &failing()).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/xml");
    let xml = resp.text().await.unwrap();
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert_eq!(xml.matches("<testcase").count(), 5, "{xml}");
    assert_eq!(xml.matches("<failure").count(), 5, "{xml}");
    assert!(
        xml.contains("scim displayName: expected &quot;Ada King&quot;"),
        "{xml}"
    );
    let resp = expect(&app, "?format=junit", &passing()).await;
    let xml = resp.text().await.unwrap();
    assert!(!xml.contains("<failure"), "{xml}");
}

#[tokio::test]
async fn a_bad_expectation_is_400_naming_record_and_field() {
    let app = spawn_app().await;
    for (body, needles) in [
        (
            json!({"version": 1, "orgs": [{"id": "default", "users": [{"userName": "a@x.org", "titel": "x"}]}]}),
            ["orgs[0].users[0] (userName \"a@x.org\")", "field titel"],
        ),
        (
            json!({"version": 1, "orgs": [{"id": "default", "groups": [{"name": "G", "members": "all"}]}]}),
            ["orgs[0].groups[0] (name \"G\")", "field members"],
        ),
    ] {
        let (s, err) = status_json(expect(&app, "", &body).await).await;
        assert_platform_error(s, &err, 400, "bad.request");
        let msg = err["message"].as_str().unwrap();
        for n in needles {
            assert!(msg.contains(n), "{n:?} not in {msg}");
        }
    }
    let (s, err) = status_json(
        app.client
            .post(app.url("/__admin/expect"))
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 400);
    assert!(err["message"].as_str().unwrap().contains("line 1"), "{err}");
    let (s, _) = status_json(expect(&app, "?format=xml", &passing()).await).await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn expect_honours_the_admin_token_and_admin_off() {
    let app = spawn_with(with(test_config(), |config| {
        config.admin_token = Some("s3cret".into())
    }))
    .await;
    let (s, _) = status_json(expect(&app, "", &passing()).await).await;
    assert_eq!(s, 401);
    let resp = app
        .client
        .post(app.url("/__admin/expect"))
        .bearer_auth("s3cret")
        .header("content-type", "application/json")
        .body(json!({"version": 1, "orgs": [{"id": "default"}]}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let off = spawn_with(with(test_config(), |config| config.admin_enabled = false)).await;
    let (s, _) = status_json(expect(&off, "", &passing()).await).await;
    assert_eq!(s, 404);
}

// ---- the `verify` subcommand, against the real binary ----

/// The real binary serving on a free port, killed on drop.
struct Served {
    child: std::process::Child,
    url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("gsm-expect-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn serve(dir: &std::path::Path, extra: &[&str]) -> Served {
    let port_file = dir.join("port");
    let _ = std::fs::remove_file(&port_file);
    let child = Command::new(BIN)
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--seed",
            "5",
            "--port-file",
        ])
        .arg(&port_file)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let addr = wait_for_port_file(&port_file);
    Served {
        child,
        url: format!("http://{addr}"),
    }
}

fn verify(url: &str, file: &std::path::Path, extra: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(["verify", "--url", url, "--expect"])
        .arg(file)
        .args(extra)
        .env_remove("GENESYS_MOCK_ADMIN_TOKEN")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(dir: &std::path::Path, name: &str, v: &Value) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p
}

#[test]
fn verify_exits_0_when_met_1_with_the_differences_and_writes_junit() {
    let dir = scratch("verify");
    let server = serve(&dir, &[]);
    let met = write(
        &dir,
        "met.json",
        &json!({"version": 1, "orgs": [{"id": "default", "users": [
            {"id": JAMES, "displayName": "James Smith", "genesys": {"divisionName": "Sales"}}]}]}),
    );
    let junit = dir.join("junit.xml");
    let (code, out, err) = verify(&server.url, &met, &["--junit", junit.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("ok: 1 of 1 checks passed"), "{out}");
    assert!(
        std::fs::read_to_string(&junit)
            .unwrap()
            .contains("<testcase")
    );

    let unmet = write(
        &dir,
        "unmet.json",
        &json!({"version": 1, "orgs": [{"id": "default", "users": [
            {"id": JAMES, "displayName": "Jim"}, {"userName": "grace@example.com"}]}]}),
    );
    let (code, out, _) = verify(&server.url, &unmet, &["--junit", junit.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("scim displayName: expected \"Jim\", actual \"James Smith\""),
        "{out}"
    );
    assert!(out.contains("missing user \"grace@example.com\""), "{out}");
    assert!(out.contains("FAILED: 0 of 2 checks passed"), "{out}");
    assert_eq!(
        std::fs::read_to_string(&junit)
            .unwrap()
            .matches("<failure")
            .count(),
        2
    );
    let (code, out, _) = verify(&server.url, &unmet, &["--format", "json"]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["failed"], 2);
}

#[test]
fn verify_exits_2_when_the_check_cannot_run() {
    let dir = scratch("verify-errors");
    let bad = write(
        &dir,
        "bad.json",
        &json!({"version": 1, "orgs": [{"id": "default", "users": [{"id": JAMES, "genesys": {"dept": "x"}}]}]}),
    );
    // The file is checked before any server is asked: the error names file, record and field.
    let (code, _, err) = verify("http://127.0.0.1:9", &bad, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("bad.json"), "{err}");
    assert!(
        err.contains(&format!("orgs[0].users[0] (id \"{JAMES}\")")),
        "{err}"
    );
    assert!(err.contains("field genesys.dept"), "{err}");

    let good = write(
        &dir,
        "good.json",
        &json!({"version": 1, "orgs": [{"id": "default"}]}),
    );
    let (code, _, err) = verify("http://127.0.0.1:9", &good, &["--timeout-ms", "2000"]);
    assert_eq!(code, 2);
    assert!(err.contains("--url"), "{err}");
    let (code, _, err) = verify("https://127.0.0.1:9", &good, &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--url") && err.contains("only http://"),
        "{err}"
    );
    let (code, _, err) = verify("http://127.0.0.1:9", &dir.join("absent.json"), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("--expect"), "{err}");

    let server = serve(&dir, &["--admin-token", "tok"]);
    let (code, _, err) = verify(&server.url, &good, &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("401") && err.contains("--admin-token"),
        "{err}"
    );
    let (code, out, err) = verify(&server.url, &good, &["--admin-token", "tok"]);
    assert_eq!(code, 0, "{out}{err}");
}

// ---- `exec --expect`, around real child processes ----

/// Runs `exec --seed 3 [extra] -- sh -c SCRIPT` in `dir`; the child writes the SCIM URL and
/// token to `info` and waits for `go`, so the test acts as the client in between.
fn exec_child(dir: &std::path::Path, extra: &[&str], script: &str) -> std::process::Child {
    Command::new(BIN)
        .args(["exec", "--seed", "3"])
        .args(extra)
        .args(["--", "sh", "-c", script])
        .current_dir(dir)
        .env_remove("GENESYS_MOCK_BIND")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

const WAIT_SCRIPT: &str = "echo \"$GENESYS_MOCK_SCIM_URL $GENESYS_MOCK_TOKEN\" > info; \
                           while [ ! -e go ]; do sleep 0.02; done; exit \"$(cat go)\"";

async fn drive(dir: &std::path::Path, child: std::process::Child, exit: &str) -> (i32, String) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let info = loop {
        if let Ok(s) = std::fs::read_to_string(dir.join("info"))
            && s.ends_with('\n')
        {
            break s;
        }
        assert!(Instant::now() < deadline, "the child never started");
        std::thread::sleep(Duration::from_millis(20));
    };
    let (scim, token) = info.trim().split_once(' ').unwrap();
    let resp = reqwest::Client::new()
        .post(format!("{scim}/Users"))
        .bearer_auth(token)
        .header("content-type", "application/scim+json")
        .body(json!({"userName": "grace@example.com", "displayName": "Grace Hopper"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    std::fs::write(dir.join("go"), exit).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn exec_expect_passes_when_the_child_left_the_expected_state() {
    let dir = scratch("exec-met");
    let exp = write(
        &dir,
        "met.json",
        &json!({"version": 1, "orgs": [{"id": "default", "users": [
            {"userName": "grace@example.com", "displayName": "Grace Hopper",
             "genesys": {"state": "active", "divisionName": "Home"}}]}]}),
    );
    let junit = dir.join("expect.xml");
    let child = exec_child(
        &dir,
        &[
            "--expect",
            exp.to_str().unwrap(),
            "--expect-junit",
            junit.to_str().unwrap(),
        ],
        WAIT_SCRIPT,
    );
    let (code, err) = drive(&dir, child, "0").await;
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("ok: 1 of 1 checks passed"), "{err}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("<testcase") && !xml.contains("<failure"),
        "{xml}"
    );
}

#[tokio::test]
async fn exec_expect_fails_a_successful_child_when_the_state_is_wrong() {
    let dir = scratch("exec-unmet");
    let exp = write(
        &dir,
        "unmet.json",
        &json!({"version": 1, "orgs": [{"id": "default", "users": [
            {"userName": "grace@example.com", "displayName": "Rear Admiral Hopper"},
            {"userName": "ada@example.com"}]}]}),
    );
    let child = exec_child(&dir, &["--expect", exp.to_str().unwrap()], WAIT_SCRIPT);
    let (code, err) = drive(&dir, child, "0").await;
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("scim displayName: expected \"Rear Admiral Hopper\", actual \"Grace Hopper\""),
        "{err}"
    );
    assert!(err.contains("missing user \"ada@example.com\""), "{err}");
    // A failed child keeps its own code; the differences are still printed.
    let dir = scratch("exec-unmet-failed");
    let child = exec_child(&dir, &["--expect", exp.to_str().unwrap()], WAIT_SCRIPT);
    let (code, err) = drive(&dir, child, "5").await;
    assert_eq!(code, 5, "{err}");
    assert!(err.contains("missing user \"ada@example.com\""), "{err}");
}

#[test]
fn exec_expect_rejects_a_bad_file_before_the_child_runs() {
    let dir = scratch("exec-bad");
    let bad = write(
        &dir,
        "bad.json",
        &json!({"version": 1, "orgs": [{"id": "default", "users": [{"userName": "a@x.org", "activ": true}]}]}),
    );
    let out = Command::new(BIN)
        .args(["exec", "--expect"])
        .arg(&bad)
        .args(["--", "sh", "-c", "touch ran"])
        .current_dir(&dir)
        .env_remove("GENESYS_MOCK_BIND")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("bad.json") && err.contains("field activ"),
        "{err}"
    );
    assert!(!dir.join("ran").exists(), "the child must not run");
    let out = Command::new(BIN)
        .args([
            "exec",
            "--expect-junit",
            "x.xml",
            "--",
            "sh",
            "-c",
            "touch ran",
        ])
        .current_dir(&dir)
        .env_remove("GENESYS_MOCK_BIND")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--expect-junit needs --expect"), "{err}");
    assert!(!dir.join("ran").exists(), "the child must not run");
}
