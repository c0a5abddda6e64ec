//! How requests are put on the wire: `raw-slash-authority`, `wrong-content-type` and
//! `undocumented-filter`.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::{Check, Groups, requests};
use crate::compat::Profile;
use crate::control::report::seen::Seen;
use crate::control::report::sink::Sink;
use crate::scim::filter;
use crate::scim::schema::ResourceKind;

/// What `encodeURIComponent` leaves alone.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// `raw-slash-authority`.
#[derive(Debug, Default)]
pub(crate) struct RawSlashAuthority {
    paths: Groups<(String, String)>,
}

/// For `/api/v2/users/.../externalid/<authority>/<key>` with raw slashes in a URL-shaped
/// authority, the path as sent and the path to send instead.
fn fix(path: &str) -> Option<String> {
    let lower = path.to_ascii_lowercase();
    let at = lower.find("/externalid/")? + "/externalid/".len();
    let rest = &path[at..];
    let (authority, key) = rest.rsplit_once('/')?;
    let decoded_scheme = authority.to_ascii_lowercase().replace("%3a", ":");
    if !authority.contains('/') || !decoded_scheme.contains("://") {
        return None;
    }
    let authority = percent_encoding::percent_decode_str(authority).decode_utf8_lossy();
    Some(format!(
        "{}{}/{key}",
        &path[..at],
        utf8_percent_encode(&authority, COMPONENT)
    ))
}

impl Check for RawSlashAuthority {
    fn observe(&mut self, s: &Seen<'_>, _out: &mut Sink) {
        if !s.route().starts_with("externalid.") {
            return;
        }
        if let Some(f) = fix(&s.e.path) {
            self.paths.add((s.e.path.clone(), f), s);
        }
    }

    fn finish(&mut self, out: &mut Sink) {
        self.paths
            .report("raw-slash-authority", out, |(sent, fixed), n| {
                format!(
                    "{sent} ({}) splits the authority on its slashes; send {fixed}",
                    requests(n)
                )
            });
    }
}

/// `wrong-content-type`.
#[derive(Debug, Default)]
pub(crate) struct ContentType {
    sent: Groups<(String, String)>,
}

impl Check for ContentType {
    fn observe(&mut self, s: &Seen<'_>, _out: &mut Sink) {
        if s.e.body.as_str().trim().is_empty() {
            return;
        }
        let is_token = s.route() == "oauth.token";
        if !(is_token || s.is_write()) {
            return;
        }
        let ct = s.header("content-type").unwrap_or("");
        let media = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let ok = if is_token {
            media == "application/x-www-form-urlencoded"
        } else {
            media == "application/json" || media == "application/scim+json"
        };
        if !ok {
            let shown = if ct.is_empty() { "no Content-Type" } else { ct };
            self.sent.add((s.route().to_owned(), shown.to_owned()), s);
        }
    }

    fn finish(&mut self, out: &mut Sink) {
        self.sent
            .report("wrong-content-type", out, |(route, ct), n| {
                let want = if route == "oauth.token" {
                    "application/x-www-form-urlencoded"
                } else {
                    "application/scim+json or application/json"
                };
                format!("{} to {route} with {ct} (want {want})", requests(n))
            });
    }
}

/// `undocumented-filter`.
#[derive(Debug, Default)]
pub(crate) struct Filters {
    parts: Groups<String>,
}

impl Check for Filters {
    fn observe(&mut self, s: &Seen<'_>, _out: &mut Sink) {
        let kind = match s.route() {
            "users.list" => ResourceKind::User,
            "groups.list" => ResourceKind::Group,
            _ => return,
        };
        let Some(text) = s.param("filter").filter(|f| !f.trim().is_empty()) else {
            return;
        };
        let problem = match filter::parse(text) {
            Err(e) => format!("\"{text}\" is not a valid SCIM filter ({e})"),
            Ok(f) => match filter::check_profile(&f, kind, Profile::Genesys) {
                Ok(()) => return,
                Err(e) => {
                    // The profile's message names the part; drop its advice about the switch.
                    let detail = e
                        .detail
                        .split_once(": the genesys filter profile")
                        .map_or(e.detail.as_str(), |(part, _)| part);
                    format!("{detail} (in \"{text}\")")
                }
            },
        };
        self.parts.add(problem, s);
    }

    fn finish(&mut self, out: &mut Sink) {
        self.parts.report("undocumented-filter", out, |p, n| {
            format!("{p} on {}", requests(n))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_slash_authorities_get_their_encoded_form() {
        assert_eq!(
            fix("/api/v2/users/externalid/https%3A//idp.example/fas/K1").as_deref(),
            Some("/api/v2/users/externalid/https%3A%2F%2Fidp.example%2Ffas/K1")
        );
        assert_eq!(
            fix("/api/v2/users/u1/externalid/https://idp/fas/K1").as_deref(),
            Some("/api/v2/users/u1/externalid/https%3A%2F%2Fidp%2Ffas/K1")
        );
        assert_eq!(
            fix("/api/v2/users/externalid/https%3A%2F%2Fidp%2Ffas/K1"),
            None
        );
        assert_eq!(fix("/api/v2/users/externalid/microsoftteams/K1"), None);
    }
}
