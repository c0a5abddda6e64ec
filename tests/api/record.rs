//! `record`, `parity` and the HAR export, without a real org: the upstream is a second mock on
//! loopback (made to differ on purpose where a test says so), the proxy and the replay the
//! real binary.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::Client;
use serde_json::{Value, json};

use crate::helpers::{
    CLIENT_ID, CLIENT_SECRET, JAMES, MARIA, SALES_TEAM, SCIM, wait_for_port_file,
};

const BIN: &str = env!("CARGO_BIN_EXE_genesys-scim-mock");

/// The passwords the session sends (each must be scrubbed).
const PASSWORD: &str = "Sup3r-Secret-Pw!";
const NEW_PASSWORD: &str = "An0ther-Secret-Pw!";

/// The upstream's scenario: the second users list is throttled, the first group read fails.
const UPSTREAM_SCENARIO: &str = r#"{"name": "upstream-faults", "rules": [
  {"name": "throttle", "when": {"method": "GET", "path": "/api/v2/scim/v2/Users"},
   "trigger": {"nth": {"n": 2}}, "then": {"throttle": {"retryAfter": 2}}},
  {"name": "unavailable", "when": {"method": "GET", "path": "/api/v2/scim/v2/Groups/*"},
   "trigger": {"nth": {"n": 1}}, "then": {"respond": {"status": 503}}},
  {"name": "cut", "when": {"method": "GET", "path": "/api/v2/scim/v2/Groups"},
   "then": "reset"}
]}"#;

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gsm-record-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A process stopped (SIGTERM, then waited for) when dropped.
struct Proc(Child);

impl Proc {
    fn stop(&mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(s) = self.0.try_wait().unwrap() {
                return s;
            }
            assert!(Instant::now() < deadline, "no exit after SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn spawn(dir: &Path, name: &str, args: &[&str]) -> (Proc, String) {
    let port = dir.join(format!("{name}.port"));
    let log = std::fs::File::create(dir.join(format!("{name}.log"))).unwrap();
    let child = Command::new(BIN)
        .args(args)
        .args(["--bind", "127.0.0.1:0", "--port-file"])
        .arg(&port)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let addr = wait_for_port_file(&port);
    (Proc(child), format!("http://{addr}"))
}

/// An upstream mock with the faulty scenario and `compat` switches.
fn upstream(dir: &Path, compat: &[&str]) -> (Proc, String) {
    let scenario = dir.join("upstream-scenario.json");
    std::fs::write(&scenario, UPSTREAM_SCENARIO).unwrap();
    let mut args = vec![
        "serve",
        "--rate-limit",
        "off",
        "--scenario",
        scenario.to_str().unwrap(),
    ];
    for c in compat {
        args.extend(["--compat", c]);
    }
    spawn(dir, "upstream", &args)
}

/// What the session saw that must never reach the bundle.
#[derive(Default)]
struct Secrets {
    tokens: Vec<String>,
    created: String,
}

/// The JSON a request gets.
async fn json_of(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

/// The access token a token request gets.
async fn token(request: reqwest::RequestBuilder) -> String {
    json_of(request).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A client session through `base`: tokens (Basic and form), a filter by email, a throttled
/// list, reads, a create with a password and a manager, a password PATCH, a stale If-Match,
/// a failing then working group read, a membership change, a delete, and a reset.
async fn session(base: &str) -> Secrets {
    let http = Client::new();
    let mut s = Secrets::default();
    let t1 = token(
        http.post(format!("{base}/oauth/token"))
            .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
            .form(&[("grant_type", "client_credentials")]),
    )
    .await;
    s.tokens.push(t1.clone());
    let get = |path: String, t: &str| {
        http.get(format!("{base}{SCIM}{path}"))
            .bearer_auth(t)
            .send()
    };
    let r = get(
        "/Users?filter=userName%20eq%20%22maria.garcia%40example.com%22".into(),
        &t1,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        get("/Users?count=2".into(), &t1).await.unwrap().status(),
        429
    );
    assert_eq!(
        get("/Users?count=2".into(), &t1).await.unwrap().status(),
        200
    );
    assert_eq!(
        get(format!("/Users/{JAMES}"), &t1).await.unwrap().status(),
        200
    );
    let created: Value = http
        .post(format!("{base}{SCIM}/Users"))
        .bearer_auth(&t1)
        .json(&json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "new.person@example.com",
            "displayName": "New Person",
            "password": PASSWORD,
            "phoneNumbers": [{"type": "work", "value": "+13175550199", "primary": true}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"manager": {"value": MARIA}},
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    s.created = created["id"].as_str().expect("created").to_owned();
    let id = s.created.clone();
    let patch = |path: String, ops: Value, t: &str| {
        http.patch(format!("{base}{SCIM}{path}"))
            .bearer_auth(t)
            .json(&json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops}))
    };
    let r = patch(
        format!("/Users/{id}"),
        json!([{"op": "replace", "path": "password", "value": NEW_PASSWORD}]),
        &t1,
    )
    .send()
    .await
    .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let r = patch(
        format!("/Users/{JAMES}"),
        json!([{"op": "replace", "path": "title", "value": "Lead"}]),
        &t1,
    )
    .header("If-Match", "W/\"999\"")
    .send()
    .await
    .unwrap();
    assert!(
        r.status().is_client_error(),
        "a stale If-Match fails: {}",
        r.status()
    );
    assert_eq!(
        get(format!("/Groups/{SALES_TEAM}"), &t1)
            .await
            .unwrap()
            .status(),
        503
    );
    assert_eq!(
        get(format!("/Groups/{SALES_TEAM}"), &t1)
            .await
            .unwrap()
            .status(),
        200
    );
    let r = patch(
        format!("/Groups/{SALES_TEAM}"),
        json!([{"op": "add", "path": "members", "value": [{"value": id}]}]),
        &t1,
    )
    .send()
    .await
    .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(
        get(format!("/Groups/{SALES_TEAM}"), &t1)
            .await
            .unwrap()
            .status(),
        200
    );
    let t2 = token(http.post(format!("{base}/oauth/token")).form(&[
        ("grant_type", "client_credentials"),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
    ]))
    .await;
    s.tokens.push(t2.clone());
    assert_eq!(
        get(format!("/Users/{id}"), &t2).await.unwrap().status(),
        200
    );
    let r = http
        .delete(format!("{base}{SCIM}/Users/{id}"))
        .bearer_auth(&t2)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    // The upstream resets the connection: the client sees no answer.
    assert!(
        get("/Groups".into(), &t2).await.is_err(),
        "the reset reaches the client"
    );
    s
}

/// Records the session through a proxy to `up` with `flags`; answers the bundle's directory
/// and what the client saw.
async fn record(dir: &Path, up: &str, flags: &[&str]) -> (PathBuf, Secrets) {
    let out = dir.join("bundle");
    let mut args = vec!["record", "--upstream", up, "--out", out.to_str().unwrap()];
    args.extend_from_slice(flags);
    let (mut proxy, base) = spawn(dir, "proxy", &args);
    let secrets = session(&base).await;
    // The proxy journals like the server: its admin API shows the session.
    let journal = json_of(Client::new().get(format!("{base}/__admin/requests?format=har"))).await;
    assert_eq!(journal["log"]["entries"].as_array().unwrap().len(), 16);
    har_is_valid(&journal);
    // ... and the client report grades the session.
    let report = json_of(Client::new().get(format!("{base}/__admin/report"))).await;
    assert_eq!(report["scope"]["examined"], 16, "{report:#}");
    let status = proxy.stop();
    let log = std::fs::read_to_string(dir.join("proxy.log")).unwrap();
    assert!(status.success(), "record failed: {log}");
    (out, secrets)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn har_is_valid(doc: &Value) {
    let schema: Value = serde_json::from_str(include_str!("har-1.2.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// Runs `parity` on `bundle` with `flags`; answers its exit code and JSON report.
fn parity(bundle: &Path, flags: &[&str]) -> (i32, Value) {
    let report = bundle.join("parity.json");
    let out = Command::new(BIN)
        .arg("parity")
        .arg(bundle)
        .arg("--report")
        .arg(format!("json:{}", report.display()))
        .args(flags)
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    assert_ne!(
        code,
        2,
        "parity could not run: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, read_json(&report))
}

/// `parity` finds no difference.
fn replays_cleanly(bundle: &Path) {
    let (code, report) = parity(bundle, &["--fail-on-difference", "--no-switch-search"]);
    assert_eq!(
        (code, report["findings"].clone()),
        (0, json!([])),
        "{report:#}"
    );
}

/// Every file of the bundle, as one text.
fn bundle_text(dir: &Path) -> String {
    let mut all = String::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        all.push_str(&std::fs::read_to_string(&p).unwrap());
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_session_replays_without_a_difference_and_keeps_no_secret() {
    let dir = temp("same");
    let (_up, up) = upstream(&dir, &[]);
    let (bundle, secrets) = record(&dir, &up, &[]).await;
    for f in [
        "session.har",
        "fixture.json",
        "scenario.json",
        "expect.json",
        "ignore.json",
        "README.md",
    ] {
        assert!(bundle.join(f).exists(), "{f} is written");
    }
    har_is_valid(&read_json(&bundle.join("session.har")));
    // The fixture loads, and holds what the session saw before it wrote.
    assert_eq!(
        genesys_scim_mock::validate(&bundle.join("fixture.json")).unwrap(),
        1
    );
    let fixture = read_json(&bundle.join("fixture.json"));
    let users = fixture["orgs"][0]["users"].as_array().unwrap();
    assert!(users.iter().any(|u| u["id"] == JAMES));
    assert!(
        !users.iter().any(|u| u["id"] == secrets.created.as_str()),
        "created users are replayed, not seeded"
    );
    // The upstream's 429, 503 and reset are scenario rules at their places.
    let scenario = read_json(&bundle.join("scenario.json"));
    let rules = scenario["rules"].as_array().unwrap();
    let names: Vec<&str> = rules.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["request-3-429", "request-9-503", "request-16-reset"]
    );
    assert_eq!(rules[2]["then"], "reset");
    assert_eq!(rules[0]["then"], json!({"throttle": {"retryAfter": 2}}));
    assert_eq!(rules[1]["then"]["respond"]["status"], 503);
    // No secret, byte for byte.
    let all = bundle_text(&bundle);
    for secret in
        secrets
            .tokens
            .iter()
            .map(String::as_str)
            .chain([CLIENT_SECRET, PASSWORD, NEW_PASSWORD])
    {
        assert!(!all.contains(secret), "{secret:?} reached the bundle");
    }
    assert!(all.contains("recorded-token-1") && all.contains("recorded-token-2"));
    // The replay against an identical mock differs nowhere, and shows the 429 and 503.
    let (code, report) = parity(&bundle, &["--fail-on-difference"]);
    assert_eq!(report["findings"], json!([]), "{report:#}");
    assert_eq!((code, report["requests"].as_u64()), (0, Some(16)));
    // The end state verifies against a mock that ran the session.
    let expect = read_json(&bundle.join("expect.json"));
    let users = expect["orgs"][0]["users"].as_array().unwrap();
    assert!(
        users.contains(&json!({"userName": "new.person@example.com", "deleted": true})),
        "{expect:#}"
    );
    assert!(users.iter().any(|u| u["id"] == JAMES));
    // Replayed into a mock started from the bundle, the session leaves that end state.
    let out = Command::new(BIN)
        .args(["exec", "--rate-limit", "off", "--fixtures"])
        .arg(bundle.join("fixture.json"))
        .arg("--scenario")
        .arg(bundle.join("scenario.json"))
        .arg("--expect")
        .arg(bundle.join("expect.json"))
        .args(["--", "sh", "-c"])
        .arg("\"$0\" parity \"$1\" --url \"$GENESYS_MOCK_URL\" --fail-on-difference --report json:/dev/null")
        .arg(BIN)
        .arg(&bundle)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // An upstream that answers differently is found out: its answers become findings.
    let mut har = read_json(&bundle.join("session.har"));
    har["log"]["entries"][4]["response"]["content"]["text"] = json!(
        har["log"]["entries"][4]["response"]["content"]["text"]
            .as_str()
            .unwrap()
            .replace("\"title\"", "\"tittle\"")
    );
    std::fs::write(bundle.join("session.har"), har.to_string()).unwrap();
    let (code, report) = parity(&bundle, &["--fail-on-difference", "--no-switch-search"]);
    assert_eq!(code, 1);
    let fields: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["body/tittle", "body/title"], "{report:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parity_reports_exactly_the_difference_one_switch_makes_and_names_it() {
    let dir = temp("switch");
    let (_up, up) = upstream(&dir, &["version-mismatch-status=412"]);
    let (bundle, _) = record(&dir, &up, &[]).await;
    let (code, report) = parity(&bundle, &["--fail-on-difference"]);
    assert_eq!(code, 1);
    let findings = report["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    // Only the stale If-Match differs: request 8, its status (and the status in its body).
    for f in findings {
        assert_eq!(f["request"], 8, "{report:#}");
        assert_eq!(f["switch"], "version-mismatch-status=412", "{report:#}");
    }
    let status = findings
        .iter()
        .find(|f| f["field"] == "status")
        .expect("the status differs");
    assert_eq!(
        (status["recorded"].clone(), status["replayed"].clone()),
        (json!(412), json!(400))
    );
    // Set the switch, and the difference is gone.
    let (code, report) = parity(
        &bundle,
        &[
            "--fail-on-difference",
            "--compat",
            "version-mismatch-status=412",
        ],
    );
    assert_eq!((code, report["findings"].clone()), (0, json!([])));
    // Markdown and JUnit name the request too.
    let md = bundle.join("parity.md");
    let xml = bundle.join("parity.xml");
    let out = Command::new(BIN)
        .arg("parity")
        .arg(&bundle)
        .args(["--no-switch-search", "--report"])
        .arg(format!("markdown:{}", md.display()))
        .arg("--report")
        .arg(format!("junit:{}", xml.display()))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "no --fail-on-difference: exit 0"
    );
    assert!(
        std::fs::read_to_string(&md)
            .unwrap()
            .contains("| 8 | `PATCH")
    );
    let xml = std::fs::read_to_string(&xml).unwrap();
    assert!(
        xml.contains("failures=\"1\"") && xml.contains("tests=\"16\""),
        "{xml}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymize_keeps_filters_managers_and_members_consistent() {
    let dir = temp("anon");
    let (_up, up) = upstream(&dir, &[]);
    let (bundle, _) = record(&dir, &up, &["--anonymize"]).await;
    let all = bundle_text(&bundle);
    for original in [
        "maria.garcia@example.com",
        "maria.garcia%40example.com",
        "Maria Garcia",
        "new.person@example.com",
        "New Person",
        "3175550199",
        "emp-0001",
    ] {
        assert!(!all.contains(original), "{original} is in the bundle");
    }
    let har = read_json(&bundle.join("session.har"));
    let entries = har["log"]["entries"].as_array().unwrap();
    // The filter by email names the email the answer's user carries.
    let filter = entries[1]["request"]["queryString"][0]["value"]
        .as_str()
        .unwrap()
        .to_owned();
    let found: Value =
        serde_json::from_str(entries[1]["response"]["content"]["text"].as_str().unwrap()).unwrap();
    let user_name = found["Resources"][0]["userName"].as_str().unwrap();
    assert!(user_name.ends_with("@anonymized.example"));
    assert_eq!(filter, format!("userName eq \"{user_name}\""));
    // The created user's manager is Maria, by id, and her anonymized name is one name.
    let fixture = read_json(&bundle.join("fixture.json"));
    let users = fixture["orgs"][0]["users"].as_array().unwrap();
    let maria = users.iter().find(|u| u["id"] == MARIA).unwrap();
    assert_eq!(maria["userName"], user_name);
    let created: Value =
        serde_json::from_str(entries[5]["response"]["content"]["text"].as_str().unwrap()).unwrap();
    let manager = &created["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["manager"];
    assert_eq!(manager["value"], MARIA);
    if let Some(name) = manager.get("displayName") {
        assert_eq!(name, &maria["displayName"]);
    }
    // The group's members are ids the fixture holds, the created one added by the session.
    let groups = fixture["orgs"][0]["groups"].as_array().unwrap();
    let sales = groups.iter().find(|g| g["id"] == SALES_TEAM).unwrap();
    for m in sales["members"].as_array().unwrap() {
        assert!(users.iter().any(|u| &u["id"] == m), "{m} is a fixture user");
    }
    assert_eq!(
        genesys_scim_mock::validate(&bundle.join("fixture.json")).unwrap(),
        1
    );
    // And the anonymized bundle replays as cleanly as the plain one.
    replays_cleanly(&bundle);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_scrub_keeps_the_secrets_and_says_so() {
    let dir = temp("noscrub");
    let (_up, up) = upstream(&dir, &[]);
    let (bundle, secrets) = record(&dir, &up, &["--no-scrub"]).await;
    let log = std::fs::read_to_string(dir.join("proxy.log")).unwrap();
    assert!(log.contains("warning: --no-scrub"), "{log}");
    let all = bundle_text(&bundle);
    assert!(all.contains(PASSWORD) && all.contains(&secrets.tokens[0]));
    assert!(
        std::fs::read_to_string(bundle.join("README.md"))
            .unwrap()
            .contains("Not scrubbed")
    );
}

#[test]
fn record_refuses_plain_http_to_another_host() {
    let dir = temp("refuse");
    let out = Command::new(BIN)
        .args([
            "record",
            "--upstream",
            "http://api.example.com",
            "--bind",
            "127.0.0.1:0",
            "--out",
        ])
        .arg(dir.join("b"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("plain HTTP is refused"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_writes_the_journal_as_har() {
    let dir = temp("exec-har");
    let har = dir.join("run.har");
    let status = Command::new(BIN)
        .args(["exec", "--har"])
        .arg(&har)
        .args(["--", "sh", "-c", "curl -s -o /dev/null -u mock-client-id:mock-client-secret -d grant_type=client_credentials \"$GENESYS_MOCK_URL/oauth/token\" && curl -s -o /dev/null -H \"Authorization: Bearer $GENESYS_MOCK_TOKEN\" \"$GENESYS_MOCK_SCIM_URL/Users?count=1\""])
        .status()
        .unwrap();
    assert!(status.success());
    let doc = read_json(&har);
    har_is_valid(&doc);
    let entries = doc["log"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1]["_route"], "users.list");
    assert!(
        !doc.to_string().contains(CLIENT_SECRET),
        "the journal's redaction holds in the HAR"
    );
}

#[tokio::test]
async fn the_journal_exports_as_har_and_the_admin_document_says_so() {
    let app = crate::helpers::spawn_app().await;
    let (s, _) = app.get_json(&format!("{SCIM}/Users/{JAMES}")).await;
    assert_eq!(s, 200);
    let doc: Value = app
        .admin(
            reqwest::Method::GET,
            "/__admin/requests?format=har&route=users.get",
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    har_is_valid(&doc);
    let entries = doc["log"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["response"]["status"], 200);
    assert_eq!(entries[0]["_route"], "users.get");
    assert!(
        entries[0]["request"]["url"]
            .as_str()
            .unwrap()
            .ends_with(JAMES)
    );
    let text = entries[0]["response"]["content"]["text"].as_str().unwrap();
    assert_eq!(serde_json::from_str::<Value>(text).unwrap()["id"], JAMES);
    // The token the request carried is redacted as in the JSON form.
    assert!(!doc.to_string().contains(&app.token));
    let openapi: Value = app
        .admin(reqwest::Method::GET, "/__admin/openapi.json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let params = openapi["paths"]["/__admin/requests"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let format = params.iter().find(|p| p["name"] == "format").unwrap();
    assert_eq!(format["schema"]["enum"], json!(["json", "jsonl", "har"]));
}

/// A TLS front on loopback for a plain upstream: what an org's HTTPS API is to the proxy. Its
/// certificate (tests/api/tls/cert.pem, for 127.0.0.1 and localhost) is signed by
/// tests/api/tls/ca.pem; both are test material only.
async fn tls_front(plain: &str) -> String {
    use std::sync::Arc;
    use tokio_rustls::rustls::ServerConfig;
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(include_bytes!("tls/cert.pem"))
            .collect::<Result<_, _>>()
            .unwrap();
    let key = PrivateKeyDer::from_pem_slice(include_bytes!("tls/key.pem")).unwrap();
    #[allow(deprecated, reason = "the build's one provider")]
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let target = plain.trim_start_matches("http://").to_owned();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (acceptor, target) = (acceptor.clone(), target.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let Ok(mut up) = tokio::net::TcpStream::connect(&target).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut up).await;
            });
        }
    });
    format!("https://127.0.0.1:{port}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_speaks_tls_to_an_https_upstream_and_verifies_its_certificate() {
    let dir = temp("tls");
    let (_up, up) = upstream(&dir, &[]);
    let https = tls_front(&up).await;
    // Without the test CA the certificate is not trusted: nothing is forwarded.
    let out = dir.join("untrusted");
    let (mut proxy, base) = spawn(
        &dir,
        "untrusted",
        &[
            "record",
            "--upstream",
            &https,
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let r = Client::new()
        .post(format!("{base}/oauth/token"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 502);
    assert!(proxy.stop().success());
    // With it, the whole session records and replays as over plain HTTP.
    let ca = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/tls/ca.pem");
    let (bundle, secrets) = record(&dir, &https, &["--upstream-ca", ca]).await;
    let har = read_json(&bundle.join("session.har"));
    let url = har["log"]["entries"][0]["request"]["url"].as_str().unwrap();
    assert!(url.starts_with(&https), "{url}");
    let all = bundle_text(&bundle);
    assert!(!all.contains(&secrets.tokens[0]) && !all.contains(CLIENT_SECRET));
    replays_cleanly(&bundle);
}
