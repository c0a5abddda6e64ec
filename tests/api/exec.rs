//! `exec`: a real server around a real child process.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_genesys-scim-mock");

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gsm-exec-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn exec(args: &[&str], dir: &Path) -> Output {
    Command::new(BIN)
        .arg("exec")
        .args(args)
        .current_dir(dir)
        .env_remove("GENESYS_MOCK_BIND")
        .output()
        .unwrap()
}

fn wait_for(path: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(s) = std::fs::read_to_string(path)
            && s.ends_with('\n')
        {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        assert!(Instant::now() < deadline, "exec did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_child_gets_the_coordinates_of_a_live_server_and_its_exit_code_is_kept() {
    let dir = scratch("env");
    // The child checks the server is up (with this same binary's healthcheck) and records
    // what it was given.
    let script = format!(
        "{BIN} healthcheck --bind \"${{GENESYS_MOCK_URL#http://}}\" || exit 90; \
         env | grep '^GENESYS_MOCK_' | sort > env.txt; exit 7"
    );
    let out = exec(&["--seed", "1", "--", "sh", "-c", &script], &dir);
    assert_eq!(
        out.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let env = std::fs::read_to_string(dir.join("env.txt")).unwrap();
    let var = |name: &str| {
        env.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("{name} missing: {env}"))
            .to_owned()
    };
    let url = var("GENESYS_MOCK_URL");
    assert!(
        url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"),
        "{url}"
    );
    assert_ne!(url, "http://127.0.0.1:8080", "exec picks a free port");
    assert_eq!(var("GENESYS_MOCK_ADMIN_URL"), format!("{url}/__admin"));
    assert_eq!(
        var("GENESYS_MOCK_SCIM_URL"),
        format!("{url}/api/v2/scim/v2")
    );
    assert_eq!(var("GENESYS_MOCK_CLIENT_ID"), "mock-client-id");
    assert_eq!(var("GENESYS_MOCK_CLIENT_SECRET"), "mock-client-secret");
    assert!(var("GENESYS_MOCK_TOKEN").len() > 20);
    // The server is gone once exec returns.
    let hc = Command::new(BIN)
        .args(["healthcheck", "--timeout-ms", "300", "--bind"])
        .arg(url.trim_start_matches("http://"))
        .output()
        .unwrap();
    assert_eq!(hc.status.code(), Some(1));
}

#[tokio::test]
async fn the_token_works_and_export_on_exit_writes_state_and_journal() {
    let dir = scratch("export");
    let export = dir.join("artifacts");
    let script = "echo \"$GENESYS_MOCK_SCIM_URL $GENESYS_MOCK_TOKEN\" > info; \
                  while [ ! -e go ]; do sleep 0.02; done";
    let mut child = Command::new(BIN)
        .args(["exec", "--seed", "2", "--export-on-exit"])
        .arg(&export)
        .args(["--", "sh", "-c", script])
        .current_dir(&dir)
        .env_remove("GENESYS_MOCK_BIND")
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let info = wait_for(&dir.join("info"));
    let (scim, token) = info.trim().split_once(' ').unwrap();
    let resp = reqwest::Client::new()
        .post(format!("{scim}/Users"))
        .bearer_auth(token)
        .json(&serde_json::json!({"userName": "exported@example.com", "displayName": "Ex Port"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201, "the exec token is accepted");
    std::fs::write(dir.join("go"), "").unwrap();
    assert!(wait_exit(&mut child).success());
    let org = std::fs::read_to_string(export.join("orgs/default.json")).unwrap();
    let org: serde_json::Value = serde_json::from_str(&org).unwrap();
    assert!(
        org.to_string().contains("exported@example.com"),
        "the final state has the created user"
    );
    let journal = std::fs::read_to_string(export.join("requests.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = journal
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "only the child's request, not exec's own: {journal}"
    );
    assert_eq!(lines[0]["method"], "POST");
}

#[test]
fn a_command_that_cannot_start_exits_127_with_a_clear_error() {
    let dir = scratch("missing");
    let out = exec(&["--", "/nonexistent/runner", "x"], &dir);
    assert_eq!(out.status.code(), Some(127));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot run /nonexistent/runner"), "{err}");
}

#[test]
fn a_child_killed_by_a_signal_exits_128_plus_n() {
    let dir = scratch("killed");
    let out = exec(&["--", "sh", "-c", "kill -KILL $$"], &dir);
    assert_eq!(out.status.code(), Some(137));
}

#[test]
fn sigterm_is_forwarded_to_the_child() {
    let dir = scratch("signal");
    let script = "trap 'echo forwarded > got; exit 5' TERM; echo > ready; \
                  while :; do sleep 0.05; done";
    let mut child = Command::new(BIN)
        .args(["exec", "--", "sh", "-c", script])
        .current_dir(&dir)
        .env_remove("GENESYS_MOCK_BIND")
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for(&dir.join("ready"));
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(wait_exit(&mut child).code(), Some(5));
    assert_eq!(
        std::fs::read_to_string(dir.join("got")).unwrap().trim(),
        "forwarded"
    );
}

#[test]
fn bad_exec_flags_fail_before_the_command_runs() {
    let dir = scratch("flags");
    let out = exec(&["--rate-limit", "0", "--", "sh", "-c", "echo > ran"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--rate-limit"));
    let out = exec(
        &[
            "--admin",
            "off",
            "--export-on-exit",
            "x",
            "--",
            "sh",
            "-c",
            "echo > ran",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--export-on-exit needs the admin API"));
    assert!(!dir.join("ran").exists(), "the command never ran");
    let out = exec(&["--seed", "1"], &dir);
    assert_eq!(out.status.code(), Some(2), "a command is required");
}

/// Whether process `pid` is gone (or a zombie nobody has reaped yet: it runs no more).
fn gone(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // `pid (comm) S ...`: the state follows the last `)`.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with(['Z', 'X'])),
    }
}

/// `kill -9` of exec cannot be forwarded: the child is started with a parent-death signal,
/// so it ends with exec instead of running on against a server that is gone.
#[cfg(target_os = "linux")]
#[test]
fn the_command_dies_with_exec_even_under_kill_9() {
    let dir = scratch("kill9");
    let mut child = Command::new(BIN)
        .args(["exec", "--", "sh", "-c", "echo $$ > pid; exec sleep 300"])
        .current_dir(&dir)
        .env_remove("GENESYS_MOCK_BIND")
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = wait_for(&dir.join("pid")).trim().to_owned();
    assert!(!gone(&pid), "the command runs");
    let status = Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let _ = wait_exit(&mut child);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !gone(&pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let orphaned = !gone(&pid);
    if orphaned {
        let _ = Command::new("kill").args(["-KILL", &pid]).status();
    }
    assert!(!orphaned, "the command outlived exec");
}

/// Starts `exec --export-on-exit <dir>/artifacts` around a command that waits for a `go` file;
/// returns the process and the server's URL and token.
fn exec_waiting(dir: &Path, extra: &[&str]) -> (Child, String, String) {
    let script = "echo \"$GENESYS_MOCK_URL $GENESYS_MOCK_TOKEN\" > info; \
                  while [ ! -e go ]; do sleep 0.02; done";
    let child = Command::new(BIN)
        .args([
            "exec",
            "--seed",
            "3",
            "--rate-limit",
            "off",
            "--export-on-exit",
        ])
        .arg(dir.join("artifacts"))
        .args(extra)
        .args(["--", "sh", "-c", script])
        .current_dir(dir)
        .env_remove("GENESYS_MOCK_BIND")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let info = wait_for(&dir.join("info"));
    let (url, token) = info.trim().split_once(' ').unwrap();
    (child, url.to_owned(), token.to_owned())
}

/// The whole journal (paged, past the 1,000 one call gives), every org in a file of its own
/// even when ids clean to the same name, each file a fixture document `validate` and
/// `--fixtures` load, and an index naming them.
#[tokio::test]
async fn export_on_exit_loses_nothing() {
    let dir = scratch("export-all");
    let export = dir.join("artifacts");
    std::fs::create_dir_all(export.join("orgs")).unwrap();
    std::fs::write(export.join("orgs/stale.json"), "{}").unwrap();
    let (mut child, url, token) = exec_waiting(&dir, &[]);
    let client = reqwest::Client::new();
    let ids = ["a/b", "a b", "a_b", "A_B", "a_b-2"];
    for id in ids {
        let resp = client
            .post(format!("{url}/__admin/orgs"))
            .header("content-type", "application/json")
            .body(
                serde_json::json!({"id": id, "divisions": [{"id": "d", "name": "Home"}]})
                    .to_string(),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201, "{id}");
    }
    const REQUESTS: usize = 1_200;
    for chunk in 0..REQUESTS / 100 {
        let calls = (0..100).map(|i| {
            client
                .get(format!(
                    "{url}/api/v2/scim/v2/Users?count=1&startIndex={}",
                    chunk * 100 + i + 1
                ))
                .bearer_auth(&token)
                .send()
        });
        for resp in futures_util::future::join_all(calls).await {
            assert!(resp.unwrap().status().is_success());
        }
    }
    std::fs::write(dir.join("go"), "").unwrap();
    let status = wait_exit(&mut child);
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "{stderr}");

    let index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(export.join("index.json")).unwrap()).unwrap();
    let orgs = index["orgs"].as_array().unwrap();
    assert_eq!(orgs.len(), ids.len() + 1, "{index}");
    let mut files = std::collections::HashSet::new();
    for org in orgs {
        let file = org["file"].as_str().unwrap();
        assert!(
            files.insert(file.to_ascii_lowercase()),
            "{file} is written twice: {index}"
        );
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(export.join(file)).unwrap()).unwrap();
        assert_eq!(doc["version"], 1, "{file}");
        assert_eq!(doc["orgs"][0]["id"], org["id"], "{file}");
    }
    assert!(
        !export.join("orgs/stale.json").exists(),
        "orgs/ holds this export only"
    );
    let journal = std::fs::read_to_string(export.join("requests.jsonl")).unwrap();
    assert_eq!(journal.lines().count(), REQUESTS);
    for line in journal.lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap();
    }
    assert_eq!(index["requests"]["entries"], REQUESTS, "{index}");
    assert_eq!(index["requests"]["dropped"], 0, "{index}");
    // Every file loads, together, as fixtures.
    let out = Command::new(BIN)
        .arg("validate")
        .arg(export.join("orgs"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{} {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("(6 org(s))"));
}

/// A file the export cannot write fails exec (exit 1, the file named), after everything else
/// was written.
#[test]
fn an_export_that_cannot_be_written_completely_fails_exec() {
    let dir = scratch("export-fails");
    let export = dir.join("artifacts");
    // A directory where the journal's file goes.
    std::fs::create_dir_all(export.join("requests.jsonl")).unwrap();
    let out = Command::new(BIN)
        .args(["exec", "--export-on-exit"])
        .arg(&export)
        .args(["--", "true"])
        .current_dir(&dir)
        .env_remove("GENESYS_MOCK_BIND")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("requests.jsonl"), "{stderr}");
    assert!(
        export.join("orgs/default.json").exists(),
        "the orgs were still written"
    );
    assert!(export.join("index.json").exists(), "and the index");
}
