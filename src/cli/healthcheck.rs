//! The `healthcheck` subcommand: find the server's address, ask `/__admin/health`, exit 0 or 1.
//!
//! A container HEALTHCHECK runs in the container's environment (image `ENV` plus `-e`), but not
//! with the server's command line, so `docker run IMAGE --bind 0.0.0.0:9090` would leave a probe
//! that only reads `GENESYS_MOCK_BIND` knocking on the wrong port. In a container the server is
//! PID 1, and `/proc/1/cmdline` is readable by every user, even with `--read-only` and an
//! arbitrary uid, so the probe re-reads the server's own arguments with the same parser the
//! server used (the environment it sees is the server's). That needs no file written by the
//! server, which a read-only root file system would forbid. Order:
//!
//! 1. `healthcheck --bind HOST:PORT` (host names allowed, for a compose neighbour);
//! 2. the command line of `--pid` (default 1) when that process is this program, or else of
//!    its first child that is (`docker run --init` puts an init in front of the server);
//! 3. this process's `GENESYS_MOCK_BIND` / `GENESYS_MOCK_PORT_FILE`, else the default.
//!
//! A server bound to port 0 is found through its `--port-file`. Exit codes are 0 and 1 only:
//! Docker reserves 2.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use clap::Parser;

use crate::base::http_client::{BaseUrl, Client};
use crate::cli::args::{Cli, Command, EXEC_BIND, HealthcheckArgs};
use crate::cli::serve_args::ServeArgs;
use crate::config::default_bind;

/// Where to probe, and how that was decided (for the error message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    /// `host:port` to connect to.
    pub authority: String,
    /// Where the address came from.
    pub source: String,
}

/// Decides the address to probe (see the module documentation for the order).
pub(crate) fn target(args: &HealthcheckArgs) -> Result<Target, String> {
    if let Some(bind) = &args.bind {
        return Ok(Target {
            authority: probe_authority(bind)?,
            source: "--bind".to_owned(),
        });
    }
    for pid in candidates(args.pid) {
        let Some(argv) = read_cmdline(&Path::new("/proc").join(pid.to_string()).join("cmdline"))
        else {
            continue;
        };
        if !is_this_program(&argv) {
            continue;
        }
        let served = served_args(argv)
            .map_err(|e| format!("cannot read the server's arguments from process {pid}: {e}"))?;
        if let Some((serve, default)) = served {
            return Ok(Target {
                authority: serve_authority(&serve, default)?,
                source: format!("the command line of process {pid}"),
            });
        }
    }
    let own = Cli::try_parse_from(["genesys-scim-mock"]).map_err(|e| e.to_string())?;
    Ok(Target {
        authority: serve_authority(&own.serve, default_bind())?,
        source: "GENESYS_MOCK_BIND or the default".to_owned(),
    })
}

/// Probes `target` within `timeout`; `Err` says why it is unhealthy.
pub(crate) async fn probe(target: &Target, timeout: Duration) -> Result<(), String> {
    let base = BaseUrl::parse(&format!("http://{}", target.authority))?;
    let client = Client::new(base, None);
    match tokio::time::timeout(timeout, client.health()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("unhealthy: {e} (address from {})", target.source)),
        Err(_) => Err(format!(
            "unhealthy: no answer from {} within {} ms (address from {})",
            target.authority,
            timeout.as_millis(),
            target.source
        )),
    }
}

/// `pid`, then its children: with `docker run --init` PID 1 is the init and the server its child.
fn candidates(pid: u32) -> Vec<u32> {
    let children =
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
    std::iter::once(pid)
        .chain(children.split_whitespace().filter_map(|c| c.parse().ok()))
        .collect()
}

/// The arguments in `/proc/PID/cmdline` (Linux; elsewhere there is none, and the probe falls
/// back to its own environment).
fn read_cmdline(path: &Path) -> Option<Vec<OsString>> {
    let raw = std::fs::read(path).ok()?;
    let argv: Vec<OsString> = raw
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(os_string)
        .collect();
    (!argv.is_empty()).then_some(argv)
}

#[cfg(unix)]
fn os_string(bytes: &[u8]) -> OsString {
    use std::os::unix::ffi::OsStringExt;
    OsString::from_vec(bytes.to_vec())
}

#[cfg(not(unix))]
fn os_string(bytes: &[u8]) -> OsString {
    OsString::from(String::from_utf8_lossy(bytes).into_owned())
}

/// Whether `argv[0]` names this program (same file name as the running executable).
fn is_this_program(argv: &[OsString]) -> bool {
    let name = |p: &Path| p.file_name().map(std::ffi::OsStr::to_os_string);
    let ours = std::env::current_exe().ok().and_then(|p| name(&p));
    let theirs = argv.first().and_then(|a| name(Path::new(a)));
    ours.is_some() && ours == theirs
}

/// The serve flags of a server command line and the bind default that applies to them, or
/// `None` when that command line does not serve (e.g. it is itself a healthcheck).
pub(crate) fn served_args(argv: Vec<OsString>) -> Result<Option<(ServeArgs, SocketAddr)>, String> {
    let cli = Cli::try_parse_from(argv).map_err(|e| e.kind().to_string())?;
    Ok(match cli.into_command() {
        Command::Serve(a) => Some((*a, default_bind())),
        Command::Exec(a) => Some((a.serve, EXEC_BIND.parse().expect("EXEC_BIND is an address"))),
        // Every other subcommand runs no server.
        _ => None,
    })
}

/// The address a server with these flags listens on, as a probe connects to it.
pub(crate) fn serve_authority(serve: &ServeArgs, default: SocketAddr) -> Result<String, String> {
    let bind = serve.bind.unwrap_or(default);
    if bind.port() != 0 {
        return probe_authority(&bind.to_string());
    }
    let Some(port_file) = &serve.port_file else {
        return Err(format!(
            "the server binds {bind} (a free port) without --port-file, so its port is unknown: \
             give healthcheck --bind HOST:PORT"
        ));
    };
    let written = std::fs::read_to_string(port_file)
        .map_err(|e| format!("--port-file {}: {e}", port_file.display()))?;
    probe_authority(written.trim())
}

/// Checks `host:port` and turns an unspecified host into loopback.
pub(crate) fn probe_authority(bind: &str) -> Result<String, String> {
    if let Ok(addr) = bind.parse::<SocketAddr>() {
        return Ok(crate::base::http_client::loopback(addr).to_string());
    }
    match bind.rsplit_once(':') {
        Some((host, port))
            if !host.is_empty()
                && !host.contains(['/', ' ', '[', ']'])
                && port.parse::<u16>().is_ok_and(|p| p != 0) =>
        {
            Ok(bind.to_owned())
        }
        _ => Err(format!(
            "--bind: expected HOST:PORT (e.g. 127.0.0.1:8080 or gsm:8080), got {bind:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    fn authority_of(args: &[&str]) -> Result<Option<String>, String> {
        Ok(match served_args(argv(args))? {
            Some((serve, default)) => Some(serve_authority(&serve, default)?),
            None => None,
        })
    }

    #[test]
    fn unspecified_hosts_are_probed_on_loopback_and_host_names_pass() {
        assert_eq!(probe_authority("0.0.0.0:9090").unwrap(), "127.0.0.1:9090");
        assert_eq!(probe_authority("[::]:9090").unwrap(), "[::1]:9090");
        assert_eq!(probe_authority("gsm:8080").unwrap(), "gsm:8080");
        assert_eq!(probe_authority("10.1.2.3:80").unwrap(), "10.1.2.3:80");
        for bad in [
            "gsm",
            "gsm:",
            ":80",
            "gsm:http",
            "gsm:0",
            "a b:1",
            "gsm:70000",
        ] {
            let e = probe_authority(bad).unwrap_err();
            assert!(e.contains("--bind"), "{bad}: {e}");
        }
    }

    #[test]
    fn the_server_command_line_gives_the_address_in_every_form() {
        let bin = "/usr/local/bin/genesys-scim-mock";
        assert_eq!(
            authority_of(&[bin, "serve", "--bind", "0.0.0.0:9090"]).unwrap(),
            Some("127.0.0.1:9090".to_owned())
        );
        assert_eq!(
            authority_of(&[bin, "--bind=0.0.0.0:9191", "--rate-limit", "off"]).unwrap(),
            Some("127.0.0.1:9191".to_owned()),
            "top-level serve flags"
        );
        assert_eq!(authority_of(&[bin, "healthcheck"]).unwrap(), None);
    }

    #[test]
    fn port_zero_is_found_through_the_port_file() {
        let dir = std::env::temp_dir().join(format!("gsm-hc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("port");
        std::fs::write(&file, "127.0.0.1:45678\n").unwrap();
        let f = file.to_str().unwrap();
        assert_eq!(
            authority_of(&["gsm", "exec", "--port-file", f, "--", "true"]).unwrap(),
            Some("127.0.0.1:45678".to_owned()),
            "exec binds a free port by default"
        );
        let e = authority_of(&["gsm", "serve", "--bind", "127.0.0.1:0"]).unwrap_err();
        assert!(e.contains("--port-file"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_process_falls_back_to_the_environment_default() {
        let args = HealthcheckArgs {
            bind: None,
            pid: u32::MAX,
            timeout_ms: 10,
        };
        let t = target(&args).unwrap();
        assert!(t.source.contains("GENESYS_MOCK_BIND"), "{t:?}");
    }
}
