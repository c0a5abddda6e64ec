//! The request context: one [`ApiRequest`] per request, built once at the edge by
//! [`ApiRequest::new`] and borrowed by everything downstream (scenarios, authentication, the
//! rate limiter, handlers), then handed to the journal, which takes it over instead of copying.
//!
//! What several stages need is worked out here once: the route and its name, who is calling
//! ([`Caller`]: the bearer token, looked up in the store once), and, only when someone asks,
//! the decoded query and the body parsed as JSON (each at most once per request).

use std::collections::HashMap;
use std::sync::OnceLock;

use bytes::Bytes;
use http::{HeaderMap, Method, header};
use serde_json::Value;

use crate::edge::response::{JSON, OwnKeys, SCIM_JSON};
use crate::pipeline::route::{Route, route};
use crate::store::{OrgHandle, Store};

/// What the `Authorization` header carries, parsed once per request: authentication, the
/// rate limiter, the token endpoint, the admin token check and the journal all read this.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) enum Presented {
    /// No header, or one that is not visible ASCII.
    #[default]
    None,
    /// `Bearer <token>`: the token, trimmed, never empty.
    Bearer(String),
    /// `Basic <base64 of id:secret>` (the secret is checked only by the token endpoint).
    Basic { id: String, secret: String },
    /// `Basic` with a value that is not base64 of `id:secret`.
    BadBasic,
    /// Another scheme, or a scheme without a value.
    Other,
}

impl Presented {
    /// Parses the `Authorization` header (scheme names are case-insensitive).
    pub(crate) fn parse(headers: &HeaderMap) -> Self {
        let Some(h) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        else {
            return Self::None;
        };
        let Some((scheme, value)) = h.trim().split_once(' ') else {
            return Self::Other;
        };
        let value = value.trim();
        if scheme.eq_ignore_ascii_case("bearer") && !value.is_empty() {
            return Self::Bearer(value.to_owned());
        }
        if scheme.eq_ignore_ascii_case("basic") {
            use base64::Engine;
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(value)
                .ok()
                .and_then(|b| String::from_utf8(b).ok());
            return match decoded.as_deref().and_then(|d| d.split_once(':')) {
                Some((id, secret)) => Self::Basic {
                    id: id.to_owned(),
                    secret: secret.to_owned(),
                },
                None => Self::BadBasic,
            };
        }
        Self::Other
    }
}

/// Never prints a Basic secret (requests are logged at debug level).
impl std::fmt::Debug for Presented {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::None => f.write_str("None"),
            Self::Bearer(_) => f.write_str("Bearer(<redacted>)"),
            Self::Basic { id, .. } => write!(f, "Basic {{ id: {id:?}, secret: <redacted> }}"),
            Self::BadBasic => f.write_str("BadBasic"),
            Self::Other => f.write_str("Other"),
        }
    }
}

/// Who is calling: the [`Presented`] sent and what the store knows about them. Resolved
/// once per request, with one store call; everything downstream reads this instead of the
/// header or the store.
#[derive(Debug, Clone, Default)]
pub(crate) struct Caller {
    /// What the `Authorization` header carries.
    pub credentials: Presented,
    /// The org behind the token, or behind a token request's HTTP Basic client id. Expired
    /// tokens still name their org: the journal records who tried, not who was let in.
    pub org: Option<String>,
    /// The OAuth client id, found the same way.
    pub client: Option<String>,
    /// When the bearer token expires (clock milliseconds), for a token the store issued.
    pub expires_at_ms: Option<i64>,
    /// The org's handle, for a token the store issued whose org still exists.
    pub org_handle: Option<OrgHandle>,
    /// The client's own rate limit, for a token the store issued.
    pub client_rate_limit: Option<u32>,
    /// The client's `roleDivisions`, for a token the store issued (`None`: everything
    /// allowed).
    pub role_divisions: Option<std::sync::Arc<[crate::genesys::permission::RoleDivision]>>,
}

impl Caller {
    /// Parses the `Authorization` header once: a bearer token is looked up in the store's
    /// token table (once), a Basic client id names a client. Anything else is anonymous.
    pub(crate) fn resolve(store: &Store, headers: &HeaderMap) -> Self {
        let credentials = Presented::parse(headers);
        let mut caller = Self::default();
        match &credentials {
            Presented::Bearer(token) => {
                if let Some(grant) = store.bearer(token) {
                    caller.org = Some(grant.token.org_id);
                    caller.client = Some(grant.token.client_id);
                    caller.expires_at_ms = Some(grant.token.expires_at_ms);
                    caller.org_handle = grant.org;
                    caller.client_rate_limit = grant.client_rate_limit;
                    caller.role_divisions = grant.role_divisions;
                }
            }
            Presented::Basic { id, .. } => {
                if let Some(c) = store.client(id) {
                    caller.org = Some(c.org_id);
                    caller.client = Some(c.id);
                }
            }
            _ => {}
        }
        caller.credentials = credentials;
        caller
    }

    /// The bearer token sent, known to the server or not.
    pub(crate) fn bearer(&self) -> Option<&str> {
        match &self.credentials {
            Presented::Bearer(token) => Some(token),
            _ => None,
        }
    }
}

/// One request as the pipeline sees it: everything a handler needs, owned, worked out once.
#[derive(Debug)]
pub(crate) struct ApiRequest {
    pub method: Method,
    /// The raw (still percent-encoded) path.
    pub path: String,
    /// The raw query string, without `?`.
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The `ININ-Correlation-Id` stamped on the response and echoed in error bodies.
    pub correlation_id: String,
    /// Where the path leads, or why it leads nowhere (a segment that is not percent-encoded
    /// UTF-8, answered 400).
    pub route: Result<Route, String>,
    /// The route's stable name for scenarios and the journal (`users.patch`, `unknown`).
    pub route_name: &'static str,
    pub caller: Caller,
    /// The query decoded once, on first use.
    pairs: OnceLock<Vec<(String, String)>>,
    /// The query by lower-cased name, built once, on first use.
    params: OnceLock<HashMap<String, Vec<String>>>,
    /// The body parsed as JSON once, on first use; the error is the parser's message.
    json: OnceLock<Result<Value, String>>,
    /// Set by a handler whose answer is the mock's own documents: their bytes and the keys
    /// they can hold, so the journal keeps the bytes without reading the body back and
    /// decides redaction from the keys (see `control::journal::recorder`).
    pub document: OnceLock<OwnKeys>,
    /// Set where a 403 `missing.any.permissions` becomes the response
    /// (`pipeline::dispatch::render_error`): the permissions of which any one would have let
    /// the request through, for its journal entry.
    pub refused: OnceLock<&'static [&'static str]>,
}

impl Default for ApiRequest {
    fn default() -> Self {
        Self {
            method: Method::GET,
            path: String::new(),
            query: None,
            headers: HeaderMap::new(),
            body: Bytes::new(),
            correlation_id: String::new(),
            route: Ok(Route::Unknown),
            route_name: "unknown",
            caller: Caller::default(),
            pairs: OnceLock::new(),
            params: OnceLock::new(),
            json: OnceLock::new(),
            document: OnceLock::new(),
            refused: OnceLock::new(),
        }
    }
}

impl ApiRequest {
    /// Builds the context of one request: routes its path and resolves its caller.
    pub(crate) fn new(
        parts: http::request::Parts,
        body: Bytes,
        correlation_id: String,
        store: &Store,
    ) -> Self {
        let path = parts.uri.path().to_owned();
        let routed = route(&path);
        let route_name = routed
            .as_ref()
            .map_or("unknown", |r: &Route| r.name(&parts.method));
        Self {
            caller: Caller::resolve(store, &parts.headers),
            query: parts.uri.query().map(str::to_owned),
            method: parts.method,
            path,
            headers: parts.headers,
            body,
            correlation_id,
            route: routed,
            route_name,
            ..Self::default()
        }
    }

    /// The value of a header as text, if present and valid UTF-8.
    pub(crate) fn header(&self, name: impl header::AsHeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The query string decoded as `application/x-www-form-urlencoded` (so `+` is a space, as
    /// the Python SDK sends it), keeping repeated keys in order.
    pub(crate) fn query_pairs(&self) -> &[(String, String)] {
        self.pairs.get_or_init(|| match &self.query {
            Some(q) => form_urlencoded::parse(q.as_bytes()).into_owned().collect(),
            None => Vec::new(),
        })
    }

    /// Query parameters by lower-cased name, each with all of its values in order.
    pub(crate) fn query_map(&self) -> &HashMap<String, Vec<String>> {
        self.params.get_or_init(|| {
            let mut map: HashMap<String, Vec<String>> = HashMap::new();
            for (k, v) in self.query_pairs() {
                map.entry(k.to_ascii_lowercase())
                    .or_default()
                    .push(v.clone());
            }
            map
        })
    }

    /// The body parsed as JSON (any JSON value), parsed on first use and kept. The error is
    /// the parser's message with its line and column. A duplicate key in any object is an
    /// error ([`crate::base::strict_json`]).
    pub(crate) fn json(&self) -> Result<&Value, &str> {
        self.json
            .get_or_init(|| {
                crate::base::strict_json::parse(&self.body)
                    .map_err(|e| format!("{e} (line {}, column {})", e.line(), e.column()))
            })
            .as_ref()
            .map_err(String::as_str)
    }

    /// Whether the request declares a JSON-compatible content type (or none at all).
    pub(crate) fn has_json_body_type(&self) -> bool {
        match self.header(header::CONTENT_TYPE) {
            None => true,
            Some(ct) => {
                let essence = ct.split(';').next().unwrap_or("").trim();
                essence.eq_ignore_ascii_case(JSON)
                    || essence.eq_ignore_ascii_case(SCIM_JSON)
                    || essence.is_empty()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{OAuthClient, Token};

    fn parts(uri: &str, auth: Option<&str>) -> http::request::Parts {
        let mut b = http::Request::builder().method(Method::GET).uri(uri);
        if let Some(a) = auth {
            b = b.header(header::AUTHORIZATION, a);
        }
        b.body(()).unwrap().into_parts().0
    }

    fn store_with_token() -> Store {
        let store = Store::new();
        store
            .insert_token(
                "t1".into(),
                Token {
                    org_id: "o".into(),
                    client_id: "c".into(),
                    expires_at_ms: 99,
                },
                0,
            )
            .expect("room for one token");
        store.insert_client(OAuthClient {
            id: "c".into(),
            secret: "s".into(),
            org_id: "o".into(),
            name: None,
            token_ttl_secs: 300,
            scim: false,
            rate_limit_per_minute: None,
            token_rate_limit_per_minute: None,
            role_divisions: None,
        });
        store
    }

    #[test]
    fn the_caller_is_resolved_from_bearer_basic_or_nothing() {
        let store = store_with_token();
        let known = Caller::resolve(&store, &parts("/", Some("Bearer  t1 ")).headers);
        assert_eq!(known.bearer(), Some("t1"));
        assert_eq!(known.org.as_deref(), Some("o"));
        assert_eq!(known.expires_at_ms, Some(99));
        let unknown = Caller::resolve(&store, &parts("/", Some("bearer zz")).headers);
        assert_eq!(unknown.bearer(), Some("zz"));
        assert_eq!(unknown.org, None);
        // c:s
        let basic = Caller::resolve(&store, &parts("/", Some("Basic Yzpz")).headers);
        assert_eq!((basic.client.as_deref(), basic.bearer()), (Some("c"), None));
        assert_eq!(
            basic.credentials,
            Presented::Basic {
                id: "c".into(),
                secret: "s".into()
            }
        );
        assert!(
            !format!("{basic:?}").contains("\"s\""),
            "Debug hides the secret"
        );
        let empty = Caller::resolve(&store, &parts("/", Some("Bearer ")).headers);
        assert_eq!((empty.credentials, empty.org), (Presented::Other, None));
        let bad = Caller::resolve(&store, &parts("/", Some("Basic !!")).headers);
        assert_eq!((bad.credentials, bad.client), (Presented::BadBasic, None));
        let none = Caller::resolve(&store, &parts("/", None).headers);
        assert_eq!(
            (none.credentials, none.org, none.client, none.expires_at_ms),
            (Presented::None, None, None, None)
        );
        assert!(none.org_handle.is_none() && none.client_rate_limit.is_none());
    }

    #[test]
    fn route_query_and_json_are_worked_out_once() {
        let store = Store::new();
        let req = ApiRequest::new(
            parts("/api/v2/scim/v2/Users?Filter=a+b&count=1&count=2", None),
            Bytes::from_static(br#"{"x": 1}"#),
            "cid".into(),
            &store,
        );
        assert_eq!(req.route_name, "users.list");
        assert_eq!(req.query_map()["filter"], ["a b"]);
        assert_eq!(req.query_map()["count"], ["1", "2"]);
        let first: *const Value = req.json().unwrap();
        let again: *const Value = req.json().unwrap();
        assert_eq!(first, again, "the body is parsed once and kept");
        let bad = ApiRequest {
            body: Bytes::from_static(b"{"),
            ..ApiRequest::default()
        };
        assert!(bad.json().unwrap_err().contains("line 1"));
    }

    #[test]
    fn an_unroutable_path_is_kept_with_its_reason() {
        let req = ApiRequest::new(
            parts("/api/v2/scim/v2/Users/%FF", None),
            Bytes::new(),
            String::new(),
            &Store::new(),
        );
        assert!(req.route.is_err());
        assert_eq!(req.route_name, "unknown");
    }
}
