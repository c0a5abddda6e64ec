//! The binary itself: flags, environment, port file, health check, graceful shutdown.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_genesys-scim-mock");

fn wait_for_file(path: &std::path::Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(s) = std::fs::read_to_string(path)
            && !s.is_empty()
        {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "the server never wrote its port file"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn serve_writes_its_port_answers_healthcheck_and_stops_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("gsm-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port_file = dir.join("port");
    let _ = std::fs::remove_file(&port_file);
    // Flags through the environment, as a container would set them.
    let mut child = Command::new(BIN)
        .arg("serve")
        .env("GENESYS_MOCK_BIND", "127.0.0.1:0")
        .env("GENESYS_MOCK_PORT_FILE", &port_file)
        .env("GENESYS_MOCK_SEED", "3")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let addr = wait_for_file(&port_file);
    assert!(
        addr.starts_with("127.0.0.1:") && !addr.ends_with(":0"),
        "{addr}"
    );
    let status = Command::new(BIN)
        .args(["healthcheck", "--bind", &addr])
        .status()
        .unwrap();
    assert!(status.success());
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "no graceful exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "exit status {exit:?}");
    let mut log = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut log).unwrap();
    assert!(
        log.contains(&format!("listening on http://{addr}")),
        "{log}"
    );
    assert!(
        log.contains("300 requests/minute"),
        "the rate limit is announced: {log}"
    );
}

#[test]
fn healthcheck_fails_when_nothing_listens() {
    let out = Command::new(BIN)
        .args([
            "healthcheck",
            "--bind",
            "127.0.0.1:1",
            "--timeout-ms",
            "500",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unhealthy"));
}

#[test]
fn bad_flags_fail_at_startup_naming_the_flag() {
    for (flag, value) in [
        ("--rate-limit", "0"),
        ("--clock", "sometimes"),
        ("--compat", "nope=1"),
        ("--profile", "loose"),
    ] {
        let out = Command::new(BIN)
            .args(["serve", "--bind", "127.0.0.1:0", flag, value])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(flag),
            "{flag}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn help_explains_every_flag_and_the_switches() {
    let out = Command::new(BIN)
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--bind",
        "--fixtures",
        "--seed",
        "--log-format",
        "--port-file",
        "--profile",
        "--compat",
        "--clock",
        "--rate-limit",
        "--max-body-bytes",
        "--admin",
        "--admin-token",
        "--scenario",
        "--journal-size",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
    for genesys_scim_mock::compat::Switch { name, .. } in genesys_scim_mock::compat::SWITCHES {
        assert!(help.contains(name), "switch {name} missing from --help");
    }
    assert!(help.contains("GENESYS_MOCK_BIND"));
}

#[test]
fn readme_documents_every_flag_and_switch() {
    let readme = include_str!("../../README.md");
    let out = Command::new(BIN)
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for word in help
        .split_whitespace()
        .filter(|w| w.starts_with("--") && w.len() > 2)
    {
        let flag = word
            .trim_end_matches([',', '.', '=', ')'])
            .split('=')
            .next()
            .unwrap_or(word)
            .split('<')
            .next()
            .unwrap_or(word);
        if flag == "--help" || flag == "--version" || flag.len() < 4 {
            continue;
        }
        assert!(
            readme.contains(&format!("`{flag}")),
            "README does not document {flag}"
        );
    }
    for sw in genesys_scim_mock::compat::SWITCHES {
        assert!(
            readme.contains(&format!(
                "| `{}` | `{}` | `{}` | `{}` |",
                sw.name,
                sw.values.replace('|', "\\|"),
                sw.genesys,
                sw.rfc
            )),
            "README switch row for {} is missing or stale",
            sw.name
        );
    }
}
