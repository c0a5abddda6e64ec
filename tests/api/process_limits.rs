//! The binary under hostile conditions: out of file descriptors, and stopped mid-upload.

use crate::helpers::wait_for_port_file;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_genesys-scim-mock");

/// Starts `serve` on 127.0.0.1:0 through `sh`, with `ulimit -n` set when given.
fn serve(name: &str, fd_limit: Option<u32>) -> (Child, String) {
    let dir = std::env::temp_dir().join(format!("gsm-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port_file = dir.join("port");
    let _ = std::fs::remove_file(&port_file);
    let ulimit = fd_limit.map_or(String::new(), |n| format!("ulimit -n {n} && "));
    let child = Command::new("sh")
        .arg("-c")
        .arg(format!("{ulimit}exec \"$0\" \"$@\""))
        .arg(BIN)
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--seed",
            "1",
            "--port-file",
        ])
        .arg(&port_file)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let addr = wait_for_port_file(&port_file);
    (child, addr)
}

fn healthy(addr: &str) -> bool {
    Command::new(BIN)
        .args(["healthcheck", "--bind", addr])
        .status()
        .is_ok_and(|s| s.success())
}

/// Sends SIGTERM and waits (at most 10 s) for the exit; returns how long it took, and stderr.
fn stop(mut child: Child) -> (Duration, String) {
    let asked = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        assert!(
            asked.elapsed() < Duration::from_secs(10),
            "no exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = asked.elapsed();
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    (took, log)
}

#[test]
fn out_of_descriptors_the_server_backs_off_logs_sparingly_and_recovers() {
    let (child, addr) = serve("emfile", Some(64));
    // Far more connections than descriptors: accept fails with EMFILE while they stay open.
    let held: Vec<TcpStream> = (0..120)
        .filter_map(|_| TcpStream::connect(&addr).ok())
        .collect();
    assert!(held.len() > 64, "only {} connections", held.len());
    std::thread::sleep(Duration::from_secs(3));
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !healthy(&addr) {
        assert!(Instant::now() < deadline, "the server never recovered");
        std::thread::sleep(Duration::from_millis(100));
    }
    let (_, log) = stop(child);
    let lines = log
        .lines()
        .filter(|l| l.contains("failed to accept"))
        .count();
    assert!(lines >= 1, "EMFILE was never hit: {log}");
    // About four seconds of failures: once a second at most, plus the first.
    assert!(lines <= 6, "{lines} accept-failure lines: {log}");
}

#[test]
fn a_slow_upload_does_not_hold_up_shutdown() {
    let (child, addr) = serve("slow-upload", None);
    let mut upload = TcpStream::connect(&addr).unwrap();
    // `Expect: 100-continue`: the server says "100 Continue" when it starts reading the body,
    // so the stop below is sent while the upload is being read, not before.
    upload
        .write_all(
            b"POST /api/v2/scim/v2/Users HTTP/1.1\r\nHost: t\r\nContent-Type: application/scim+json\r\n\
              Content-Length: 1000\r\nExpect: 100-continue\r\n\r\n",
        )
        .unwrap();
    upload
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut interim = [0u8; 64];
    let n = upload
        .read(&mut interim)
        .expect("the server answers 100 Continue");
    assert!(
        interim[..n].starts_with(b"HTTP/1.1 100 Continue"),
        "{:?}",
        String::from_utf8_lossy(&interim[..n])
    );
    upload.write_all(b"{\"userName\"").unwrap();
    let (took, _) = stop(child);
    // The drain allows 5 s; an abandoned upload ends it at once.
    assert!(
        took < Duration::from_millis(2_500),
        "shutdown took {took:?}"
    );
}
