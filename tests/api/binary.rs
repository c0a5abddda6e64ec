//! The binary itself: flags, environment, port file, health check, graceful shutdown.

use crate::helpers::wait_for_port_file;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_genesys-scim-mock");

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
    let addr = wait_for_port_file(&port_file);
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
    assert_eq!(
        out.status.code(),
        Some(1),
        "Docker reserves 2; unhealthy is 1"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("unhealthy"));
    let out = Command::new(BIN)
        .args(["healthcheck", "--no-such-flag"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "even a usage error exits 1");
    let out = Command::new(BIN)
        .args(["healthcheck", "--bind", "no-port"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--bind"));
}

#[test]
fn top_level_flags_serve_and_healthcheck_finds_the_address_on_the_server_command_line() {
    let dir = std::env::temp_dir().join(format!("gsm-top-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port_file = dir.join("port");
    let _ = std::fs::remove_file(&port_file);
    // No `serve`: the flags alone, as `docker run IMAGE --rate-limit off` passes them.
    let mut child = Command::new(BIN)
        .args([
            "--bind",
            "127.0.0.1:0",
            "--rate-limit",
            "off",
            "--port-file",
        ])
        .arg(&port_file)
        .env_remove("GENESYS_MOCK_BIND")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let addr = wait_for_port_file(&port_file);
    // The probe's own environment points elsewhere; the server's command line wins.
    let probe = Command::new(BIN)
        .args(["healthcheck", "--pid", &child.id().to_string()])
        .env("GENESYS_MOCK_BIND", "127.0.0.1:1")
        .output()
        .unwrap();
    assert!(
        probe.status.success(),
        "{}",
        String::from_utf8_lossy(&probe.stderr)
    );
    // A host name, as a compose neighbour is probed.
    let port = addr.rsplit(':').next().unwrap();
    let status = Command::new(BIN)
        .args(["healthcheck", "--bind", &format!("localhost:{port}")])
        .status()
        .unwrap();
    assert!(status.success(), "host names resolve");
    // Without --pid pointing at the server, the environment decides (and is wrong here). The
    // pid names no process: the default, PID 1, may have other servers of this machine among
    // its children (orphans of other test runs), and the probe would rightly find them.
    let probe = Command::new(BIN)
        .args([
            "healthcheck",
            "--timeout-ms",
            "300",
            "--pid",
            &u32::MAX.to_string(),
        ])
        .env("GENESYS_MOCK_BIND", "127.0.0.1:1")
        .output()
        .unwrap();
    assert_eq!(probe.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&probe.stderr).contains("GENESYS_MOCK_BIND"));
    child.kill().unwrap();
    child.wait().unwrap();
    let mut log = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut log).unwrap();
    assert!(log.contains("rate_limit=off"), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "no colour codes off a terminal: {log:?}"
    );
}

/// Runs `exec -- true` on a pseudo-terminal (util-linux `script`) and returns what it printed.
fn on_a_terminal(no_color: Option<&str>) -> String {
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &format!("{BIN} exec -- true"), "/dev/null"])
        .env_remove("GENESYS_MOCK_BIND")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null());
    if let Some(v) = no_color {
        cmd.env("NO_COLOR", v);
    }
    let out = cmd.output().expect("util-linux `script` runs");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn colour_on_a_terminal_unless_no_color() {
    let plain = on_a_terminal(None);
    assert!(plain.contains("shutting down"), "{plain:?}");
    assert!(
        plain.contains("\u{1b}["),
        "a terminal gets colour: {plain:?}"
    );
    let no_color = on_a_terminal(Some("1"));
    assert!(no_color.contains("shutting down"), "{no_color:?}");
    assert!(
        !no_color.contains('\u{1b}'),
        "NO_COLOR is honoured: {no_color:?}"
    );
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

/// docs/configuration.md documents every serve flag, docs/compatibility.md every switch (the
/// README links to both).
#[test]
fn docs_document_every_flag_and_switch() {
    let configuration = include_str!("../../docs/configuration.md");
    let compatibility = include_str!("../../docs/compatibility.md");
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
            configuration.contains(&format!("`{flag}")),
            "docs/configuration.md does not document {flag}"
        );
    }
    for sw in genesys_scim_mock::compat::SWITCHES {
        assert!(
            compatibility.contains(&format!(
                "| `{}` | `{}` | `{}` | `{}` |",
                sw.name,
                sw.values.replace('|', "\\|"),
                sw.genesys,
                sw.rfc
            )),
            "docs/compatibility.md's switch row for {} is missing or stale",
            sw.name
        );
    }
}

#[test]
fn healthcheck_finds_the_server_behind_an_init_process() {
    let dir = std::env::temp_dir().join(format!("gsm-init-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port_file = dir.join("port");
    let _ = std::fs::remove_file(&port_file);
    // `sh` stands in for `docker run --init`'s init: the server is its child, not the process
    // the probe is pointed at.
    let mut init = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{BIN} serve --bind 127.0.0.1:0 --port-file {} 2>/dev/null; true",
            port_file.display()
        ))
        .env_remove("GENESYS_MOCK_BIND")
        .spawn()
        .unwrap();
    wait_for_port_file(&port_file);
    let probe = Command::new(BIN)
        .args(["healthcheck", "--pid", &init.id().to_string()])
        .env("GENESYS_MOCK_BIND", "127.0.0.1:1")
        .output()
        .unwrap();
    let children = std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", init.id()))
        .unwrap_or_default();
    let _ = Command::new("kill").arg(children.trim()).status();
    init.wait().unwrap();
    assert!(
        probe.status.success(),
        "{}",
        String::from_utf8_lossy(&probe.stderr)
    );
}
