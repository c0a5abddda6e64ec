//! The CI gate: `genesys-scim-mock report --url ...` (and `exec --report/--fail-on`), run as
//! real child processes against a real server, with clients that break and keep the rules.

use std::path::PathBuf;

use crate::helpers::*;
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_genesys-scim-mock");

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gsm-gate-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the binary; returns exit code, stdout, stderr.
async fn run(args: &[&str]) -> (i32, String, String) {
    let out = tokio::process::Command::new(BIN)
        .args(args)
        .env_remove("GENESYS_MOCK_ADMIN_TOKEN")
        .env_remove("GENESYS_MOCK_URL")
        .output()
        .await
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A client that breaks group-create-or-delete (error) and page-size (warning).
async fn sloppy(app: &TestApp) {
    app.get(&format!("{SCIM}/Users?count=100"))
        .send()
        .await
        .unwrap();
    app.post_json(&format!("{SCIM}/Groups"), &json!({"displayName": "New"}))
        .send()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_exits_1_naming_each_broken_rule_and_writes_every_format() {
    let app = spawn_app().await;
    sloppy(&app).await;
    let dir = scratch("broken");
    let junit = dir.join("report.xml");
    let md = dir.join("report.md");
    let (code, stdout, stderr) = run(&[
        "report",
        "--url",
        &app.base,
        "--report",
        &format!("junit:{}", junit.display()),
        "--report",
        &format!("markdown:{}", md.display()),
        "--report",
        "sarif:-",
    ])
    .await;
    assert_eq!(code, 1, "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "only the error-level rule fails by default: {stderr}"
    );
    assert!(
        lines[0]
            .starts_with("genesys-scim-mock: report: error group-create-or-delete: 1 finding: "),
        "{stderr}"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = quick_junit::Report::deserialize_from_str(&xml).unwrap();
    assert_eq!((doc.tests, doc.failures), (22, 1));
    assert!(
        xml.contains(&format!("{}/__admin/requests?seq=", app.base)),
        "links are absolute: {xml}"
    );
    assert!(
        std::fs::read_to_string(&md)
            .unwrap()
            .contains("## SCIM client report")
    );
    assert!(
        stdout.contains("\"version\": \"2.1.0\""),
        "sarif on stdout: {stdout}"
    );

    // --fail-on warning also names the warning; --fail-on never only writes.
    let (code, _, stderr) = run(&["report", "--url", &app.base, "--fail-on", "warning"]).await;
    assert_eq!(code, 1);
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    assert!(
        stderr.contains("warning page-size: 1 finding: count=100"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["report", "--url", &app.base, "--fail-on", "never"]).await;
    assert_eq!(code, 0, "{stderr}");
    // Re-levelling from the command line.
    let (code, _, stderr) = run(&[
        "report",
        "--url",
        &app.base,
        "--rule",
        "group-create-or-delete=warning",
    ])
    .await;
    assert_eq!(code, 0, "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_exits_0_for_a_careful_client() {
    let app = spawn_app().await;
    app.get(&format!("{SCIM}/Users?count=25"))
        .send()
        .await
        .unwrap();
    let dir = scratch("clean");
    let junit = dir.join("report.xml");
    let (code, _, stderr) = run(&[
        "report",
        "--url",
        &app.base,
        "--fail-on",
        "warning",
        "--report",
        &format!("junit:{}", junit.display()),
    ])
    .await;
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    let doc = quick_junit::Report::deserialize_from_str(&std::fs::read_to_string(&junit).unwrap())
        .unwrap();
    assert_eq!(doc.failures, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_exits_2_with_a_clear_error_when_it_cannot_run() {
    let app = spawn_app().await;
    for (args, want) in [
        (
            vec!["--report", "html:x"],
            "--report: unknown format \"html\"",
        ),
        (vec!["--fail-on", "loud"], "--fail-on"),
        (
            vec!["--rule", "nope=off"],
            "--rule: unknown rule \"nope\"; valid rules: retry-after",
        ),
        (vec!["--from", "missing"], "unknown mark \"missing\""),
    ] {
        let mut a = vec!["report", "--url", app.base.as_str()];
        a.extend(args);
        let (code, _, stderr) = run(&a).await;
        assert_eq!(code, 2, "{a:?}: {stderr}");
        assert!(stderr.contains(want), "{a:?}: {stderr}");
    }
    let (code, _, stderr) = run(&[
        "report",
        "--url",
        "http://127.0.0.1:9",
        "--timeout-ms",
        "2000",
    ])
    .await;
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--url http://127.0.0.1:9"), "{stderr}");
}

// ---- exec --report / --fail-on ----

/// A SCIM client as a child process: `sloppy` breaks group-create-or-delete (error) and
/// page-size (warning), `careful` breaks nothing; it exits with the code given.
const CLIENT: &str = r#"
import json, os, sys, urllib.request, urllib.error
base, token = os.environ["GENESYS_MOCK_SCIM_URL"], os.environ["GENESYS_MOCK_TOKEN"]
def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method, headers={
        "Authorization": "Bearer " + token, "Content-Type": "application/scim+json"})
    try:
        urllib.request.urlopen(req).read()
    except urllib.error.HTTPError as e:
        e.read()
if sys.argv[1] == "sloppy":
    call("GET", "/Users?count=100")
    call("POST", "/Groups", {"displayName": "New"})
else:
    call("GET", "/Users?count=25")
open("ran", "w").write("yes")
sys.exit(int(sys.argv[2]))
"#;

/// Runs `exec` with `flags`, then the client in `mode` exiting with `child_code`, in `dir`.
fn exec(dir: &std::path::Path, flags: &[&str], mode: &str, child_code: &str) -> (i32, String) {
    std::fs::write(dir.join("client.py"), CLIENT).unwrap();
    let _ = std::fs::remove_file(dir.join("ran"));
    let out = std::process::Command::new(BIN)
        .arg("exec")
        .args(flags)
        .args(["--", "python3", "client.py", mode, child_code])
        .current_dir(dir)
        .env_remove("GENESYS_MOCK_ADMIN_TOKEN")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn reports(dir: &std::path::Path) -> Vec<String> {
    vec![
        "--report".to_owned(),
        format!("junit:{}", dir.join("r.xml").display()),
        "--report".to_owned(),
        format!("markdown:{}", dir.join("r.md").display()),
    ]
}

#[test]
fn exec_fails_a_passing_child_whose_client_broke_a_rule_and_names_it() {
    let dir = scratch("exec-sloppy");
    let mut flags = reports(&dir);
    flags.extend(["--fail-on".to_owned(), "error".to_owned()]);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let (code, stderr) = exec(&dir, &flags, "sloppy", "0");
    assert_eq!(code, 1, "{stderr}");
    assert!(dir.join("ran").exists(), "the child ran");
    let rule_lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("genesys-scim-mock exec: report: "))
        .collect();
    assert_eq!(rule_lines.len(), 1, "{stderr}");
    assert!(
        rule_lines[0].contains("error group-create-or-delete: 1 finding"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "genesys-scim-mock exec: --fail-on: the client broke 1 rule at or above error"
        ),
        "{stderr}"
    );
    let doc = quick_junit::Report::deserialize_from_str(
        &std::fs::read_to_string(dir.join("r.xml")).unwrap(),
    )
    .unwrap();
    assert_eq!(doc.failures, 1);
    let md = std::fs::read_to_string(dir.join("r.md")).unwrap();
    assert!(
        md.contains("`page-size`") && md.contains("`group-create-or-delete`"),
        "{md}"
    );
    let xml = std::fs::read_to_string(dir.join("r.xml")).unwrap();
    for text in [&md, &xml] {
        assert!(
            !text.contains("http://127.0.0.1"),
            "the server has stopped when the report is read: no link to it\n{text}"
        );
    }
    assert!(md.contains("the server that held them has stopped"), "{md}");

    // --fail-on warning names both; the rule can be re-levelled with --report-rule.
    let (code, stderr) = exec(&dir, &["--fail-on", "warning"], "sloppy", "0");
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        stderr.lines().filter(|l| l.contains(": report: ")).count(),
        2,
        "{stderr}"
    );
    let (code, stderr) = exec(
        &dir,
        &[
            "--fail-on",
            "error",
            "--report-rule",
            "group-create-or-delete=warning",
        ],
        "sloppy",
        "0",
    );
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn exec_reports_name_entries_by_seq_in_the_exported_journal() {
    let dir = scratch("exec-export");
    let export = dir.join("mock");
    let export_flag = export.display().to_string();
    let md_path = dir.join("r.md");
    let md_flag = format!("markdown:{}", md_path.display());
    let flags = [
        "--export-on-exit",
        &export_flag,
        "--report",
        &md_flag,
        "--fail-on",
        "never",
    ];
    let (code, stderr) = exec(&dir, &flags, "sloppy", "0");
    assert_eq!(code, 0, "{stderr}");
    let md = std::fs::read_to_string(&md_path).unwrap();
    let journal = export.join("requests.jsonl");
    assert!(
        md.contains(&format!("one JSON line each in `{}`", journal.display())),
        "{md}"
    );
    // The entry the group-create finding names is the POST in the exported journal.
    let section = md.split("### `group-create-or-delete`").nth(1).unwrap();
    let after = section.split_once(" (#").unwrap().1;
    let seq: u64 = after[..after.find(')').unwrap()].parse().unwrap();
    let entry: serde_json::Value = std::fs::read_to_string(&journal)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|e| e["seq"] == seq)
        .expect("the named seq is in the export");
    assert_eq!(
        (entry["method"].as_str(), entry["route"].as_str()),
        (Some("POST"), Some("groups.create")),
        "{entry}"
    );
}

#[test]
fn exec_passes_a_careful_client_and_keeps_a_failing_childs_code() {
    let dir = scratch("exec-careful");
    let mut flags = reports(&dir);
    flags.extend(["--fail-on".to_owned(), "warning".to_owned()]);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let (code, stderr) = exec(&dir, &flags, "careful", "0");
    assert_eq!(code, 0, "{stderr}");
    let doc = quick_junit::Report::deserialize_from_str(
        &std::fs::read_to_string(dir.join("r.xml")).unwrap(),
    )
    .unwrap();
    assert_eq!((doc.tests, doc.failures), (22, 0));
    // A child that failed keeps its code; the reports are still written.
    std::fs::remove_file(dir.join("r.xml")).unwrap();
    let (code, stderr) = exec(&dir, &flags, "sloppy", "5");
    assert_eq!(code, 5, "{stderr}");
    assert!(dir.join("r.xml").exists());
    // Reports without --fail-on never fail the run.
    let flags = reports(&dir);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let (code, stderr) = exec(&dir, &flags, "sloppy", "0");
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn exec_refuses_bad_report_flags_before_running_the_child() {
    let dir = scratch("exec-bad");
    for (flags, want) in [
        (vec!["--report", "html:x"], "--report: unknown format"),
        (vec!["--fail-on", "loud"], "--fail-on"),
        (
            vec!["--report-rule", "nope=off"],
            "--report-rule: unknown rule",
        ),
    ] {
        let (code, stderr) = exec(&dir, &flags, "careful", "0");
        assert_eq!(code, 2, "{flags:?}: {stderr}");
        assert!(stderr.contains(want), "{flags:?}: {stderr}");
        assert!(
            !dir.join("ran").exists(),
            "{flags:?}: the child must not run"
        );
    }
}
