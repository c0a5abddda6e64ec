//! Which `Host` names the server answers for, as development servers decide it: against DNS
//! rebinding, where a page on an attacker's name that resolves to 127.0.0.1 is, to the
//! browser, same-origin with the mock, and may read any answer (the admin API's exports with
//! their client secrets among them).
//!
//! Answered: `localhost` and `*.localhost` (browsers resolve them to loopback themselves), any
//! IP address, a single-label name (a compose or Kubernetes service name, `gsm`), the host of
//! `--public-url`, and every `--allowed-host NAME` (`.example.test` allows that domain and its
//! subdomains; `*` turns the check off). A rebinding attack needs a name of the attacker's,
//! which has dots and is none of these. The router answers any other `Host` 421.

use std::net::{IpAddr, Ipv6Addr};

/// The allow-list, built once from the configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AllowedHosts {
    /// `*` was given: every host is answered.
    any: bool,
    /// Exact names, lower case.
    names: Vec<String>,
    /// Domains (`.example.test` given): the name and every name under it, lower case,
    /// without the leading dot.
    domains: Vec<String>,
}

/// A `Host` header's value, checked, borrowed from it: the host (an IPv6 address without its
/// brackets) and the port, if any. Nothing is copied: every request's `Host` is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Authority<'a> {
    pub host: &'a str,
    pub port: Option<u16>,
}

impl<'a> Authority<'a> {
    /// Parses `host[:port]` or `[v6]:port`. `None` for anything else: a host with characters
    /// a DNS name or address does not have, user info, a path, an empty host or port. What
    /// parses is safe to put in a URL as it was sent.
    pub(crate) fn parse(value: &'a str) -> Option<Self> {
        if let Some(rest) = value.strip_prefix('[') {
            let (inner, after) = rest.split_once(']')?;
            inner.parse::<Ipv6Addr>().ok()?;
            let port = match after {
                "" => None,
                p => Some(port(p.strip_prefix(':')?)?),
            };
            return Some(Self { host: inner, port });
        }
        let (host, port) = match value.split_once(':') {
            Some((h, p)) => (h, Some(port(p)?)),
            None => (value, None),
        };
        let valid = !host.is_empty()
            && host.len() <= 253
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            });
        valid.then_some(Self { host, port })
    }
}

fn port(text: &str) -> Option<u16> {
    (!text.is_empty() && text.len() <= 5 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

impl AllowedHosts {
    /// The list from `--allowed-host` entries and the host of `--public-url`. An entry is `*`,
    /// a host name, or `.` and a domain; the error names the entry that is none of these.
    pub(crate) fn new(entries: &[String], public_url: Option<&str>) -> Result<Self, String> {
        let mut list = Self::default();
        for entry in entries.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
            if entry == "*" {
                list.any = true;
                continue;
            }
            let (domain, name) = match entry.strip_prefix('.') {
                Some(d) => (true, d),
                None => (false, entry),
            };
            match Authority::parse(name) {
                Some(a) if a.port.is_none() => {
                    let host = a.host.to_ascii_lowercase();
                    if domain {
                        list.domains.push(host);
                    } else {
                        list.names.push(host);
                    }
                }
                _ => {
                    return Err(format!(
                        "{entry:?} is not a host name (NAME, .DOMAIN for a domain and its subdomains, or * for any)"
                    ));
                }
            }
        }
        if let Some(host) = public_url
            .and_then(|u| u.parse::<http::Uri>().ok())
            .and_then(|u| {
                u.host()
                    .map(|h| h.trim_matches(['[', ']']).to_ascii_lowercase())
            })
        {
            list.names.push(host);
        }
        Ok(list)
    }

    /// Whether the check is off (`*`).
    pub(crate) fn any(&self) -> bool {
        self.any
    }

    /// Whether a request for `host` is answered. Names compare without regard to case.
    pub(crate) fn allows(&self, host: &Authority<'_>) -> bool {
        let name = host.host;
        let under = |domain: &str| {
            name.len() > domain.len() + 1
                && name.as_bytes()[name.len() - domain.len() - 1] == b'.'
                && name[name.len() - domain.len()..].eq_ignore_ascii_case(domain)
        };
        self.any
            || name.parse::<IpAddr>().is_ok()
            || name.eq_ignore_ascii_case("localhost")
            || under("localhost")
            || !name.contains('.')
            || self.names.iter().any(|n| n.eq_ignore_ascii_case(name))
            || self
                .domains
                .iter()
                .any(|d| d.eq_ignore_ascii_case(name) || under(d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allows(list: &AllowedHosts, host: &str) -> bool {
        Authority::parse(host).is_some_and(|a| list.allows(&a))
    }

    #[test]
    fn authorities_parse_and_bad_ones_do_not() {
        assert_eq!(
            Authority::parse("LocalHost:8080"),
            Some(Authority {
                host: "LocalHost",
                port: Some(8080)
            })
        );
        let v6 = Authority::parse("[::1]:9").unwrap();
        assert_eq!((v6.host, v6.port), ("::1", Some(9)));
        for bad in [
            "",
            ":80",
            "a b",
            "x@y",
            "h:",
            "h:99999",
            "h:8a",
            "[::1",
            "[nope]:1",
            "::1",
            "a..b",
            "h/x",
            "h:80:81",
            "javascript:alert(1)",
        ] {
            assert_eq!(Authority::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn loopback_addresses_single_labels_and_listed_names_pass() {
        let list = AllowedHosts::new(
            &["Mock.Test".into(), ".corp.test".into()],
            Some("https://scim.example.test:8443/base"),
        )
        .unwrap();
        for ok in [
            "localhost",
            "LOCALHOST:1",
            "app.localhost",
            "A.Corp.Test",
            "127.0.0.1",
            "10.0.0.7:80",
            "[::1]",
            "gsm",
            "gsm:8080",
            "mock.test",
            "corp.test",
            "a.corp.test",
            "scim.example.test",
        ] {
            assert!(allows(&list, ok), "{ok}");
        }
        for refused in [
            "evil.example",
            "mock.test.evil",
            "xcorp.test",
            "localhost.evil",
            "example.test",
            ".localhost",
        ] {
            assert!(!allows(&list, refused), "{refused}");
        }
        let any = AllowedHosts::new(&["*".into()], None).unwrap();
        assert!(any.any() && allows(&any, "evil.example"));
        for bad in ["a b", "h:80", "..x", "http://x"] {
            let e = AllowedHosts::new(&[bad.into()], None).unwrap_err();
            assert!(e.contains(bad), "{e}");
        }
    }
}
