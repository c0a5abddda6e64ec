//! Layered rate limits: named limits that apply at once, each counting per token, per OAuth
//! client, per org or per route.
//!
//! Genesys enforces more than one limit on the same request. For a client-credentials token
//! its Limits page names the token's own 300 per minute
//! (`client.credentials.token.rate.per.minute`) and resource-specific limits (e.g. 100 per
//! minute) that every caller of the org spends together; `org.app.user.rate.per.minute` and
//! `org.user.rate.per.minute` count per user of auth-code and implicit clients (user tokens,
//! which the mock does not issue), and a Genesys engineer said there is no org-wide limit
//! (Genesys community, "Rate limits for Data Actions", 2025-04). A customer got 429s after
//! three parallel requests, and again after honouring `Retry-After` (Genesys community,
//! 2025-03-27, "I am getting error 429 rate limit exceeded even after 3 requests"): a shared
//! limit was spent. The mock models each limit as a [`RateLayer`]; a request must fit every
//! layer that applies to it, and counts in all of them only when it does (see
//! [`crate::ratelimit::RateLimiter::check_all`]). The `client` and `org` scopes are tools for
//! other models; Genesys documents no such limit for client credentials.
//!
//! Layers come from `--rate-limit-layer NAME=SCOPE:N[:ROUTES]` (every org) and from an org's
//! fixture `rateLimits` (that org; a layer there replaces the server's layer of the same name).
//! The token limit of `--rate-limit` (default 300, or the client's `rateLimitPerMinute`) is
//! always the first layer, [`TOKEN_LAYER`]; `--rate-limit off` turns every layer off.

use serde::{Deserialize, Serialize};

/// The name of the always-present per-token layer (Genesys' limit key).
pub(crate) const TOKEN_LAYER: &str = "client.credentials.token.rate.per.minute";

/// The most layers one org (or the server) may define.
pub(crate) const MAX_LAYERS: usize = 32;

/// What one window counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Scope {
    /// Each bearer token has its own window.
    Token,
    /// Each OAuth client, all its tokens together.
    Client,
    /// The whole org, every client together.
    Org,
    /// Each route name (`users.list`, `users.get`, ...) of the org, every client together:
    /// Genesys' per-resource limits.
    Route,
}

/// One named limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct RateLayer {
    /// The limit's name, e.g. `scim.users.rate.per.minute`; it keys the windows.
    pub name: String,
    pub scope: Scope,
    /// Requests per 60-second window.
    pub per_minute: u32,
    /// Route names the layer applies to, `*` matching any characters (`users.*`). Absent:
    /// every authenticated `/api/v2` route.
    #[serde(default)]
    pub routes: Option<String>,
}

/// Who made a request and where it went: what the layers are keyed by.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Subject<'a> {
    pub token: &'a str,
    pub client_id: &'a str,
    pub org_id: &'a str,
    pub route_name: &'a str,
}

impl RateLayer {
    /// Parses the flag form `NAME=SCOPE:N[:ROUTES]`, e.g. `scim.users=route:100:users.*`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let usage = "expected NAME=SCOPE:N[:ROUTES] (SCOPE token, client, org or route), e.g. scim.users=route:100:users.*";
        let (name, rest) = text
            .split_once('=')
            .ok_or_else(|| format!("{usage}; got {text:?}"))?;
        let mut parts = rest.splitn(3, ':');
        let scope = match parts
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
            .as_str()
        {
            "token" => Scope::Token,
            "client" => Scope::Client,
            "org" => Scope::Org,
            "route" => Scope::Route,
            other => return Err(format!("unknown scope {other:?}; {usage}")),
        };
        let per_minute = match parts.next().map(str::trim).map(str::parse::<u32>) {
            Some(Ok(n)) => n,
            _ => {
                return Err(format!(
                    "the limit must be a number of requests per minute; {usage}; got {text:?}"
                ));
            }
        };
        let layer = Self {
            name: name.trim().to_owned(),
            scope,
            per_minute,
            routes: parts
                .next()
                .map(|r| r.trim().to_owned())
                .filter(|r| !r.is_empty()),
        };
        layer.validate()?;
        Ok(layer)
    }

    /// Checks a layer from either source: a name, a positive limit.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() || self.name.contains('|') {
            return Err(format!(
                "a limit needs a name without '|', got {:?}",
                self.name
            ));
        }
        if self.per_minute == 0 {
            return Err(format!(
                "{}: the limit must be at least 1 per minute",
                self.name
            ));
        }
        Ok(())
    }

    /// Whether the layer counts requests to `route_name`.
    pub(crate) fn applies_to(&self, route_name: &str) -> bool {
        self.routes
            .as_deref()
            .is_none_or(|p| star_match(p, route_name))
    }

    /// The window this request counts in: the layer's name and the scope's key.
    pub(crate) fn window_key(&self, s: &Subject<'_>) -> String {
        let key = match self.scope {
            Scope::Token => format!("token:{}", s.token),
            Scope::Client => format!("client:{}", s.client_id),
            Scope::Org => format!("org:{}", s.org_id),
            Scope::Route => format!("route:{}:{}", s.org_id, s.route_name),
        };
        format!("{}|{key}", self.name)
    }
}

/// One window a request is counted in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Check {
    /// The window's key in the limiter: the layer's name and what it counts
    /// ([`RateLayer::window_key`]).
    pub key: String,
    /// Requests the window admits per minute.
    pub per_minute: u32,
    /// The layer's name, as the `inin-ratelimit-*` headers and the docs call it.
    pub layer: String,
}

/// The checks for one request: the token layer (limit `token_limit`), then every server layer
/// not replaced by an org layer of the same name, then the org's layers, each only where its
/// `routes` apply.
pub(crate) fn checks(
    token_limit: u32,
    server: &[RateLayer],
    org: &[RateLayer],
    s: &Subject<'_>,
) -> Vec<Check> {
    let token = RateLayer {
        name: TOKEN_LAYER.to_owned(),
        scope: Scope::Token,
        per_minute: token_limit,
        routes: None,
    };
    std::iter::once(&token)
        .chain(
            server
                .iter()
                .filter(|l| !org.iter().any(|o| o.name == l.name)),
        )
        .chain(org.iter())
        .filter(|l| l.applies_to(s.route_name))
        .map(|l| Check {
            key: l.window_key(s),
            per_minute: l.per_minute,
            layer: l.name.clone(),
        })
        .collect()
}

/// `*` matches any run of characters; the rest is literal.
fn star_match(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Subject<'static> = Subject {
        token: "t1",
        client_id: "c1",
        org_id: "o1",
        route_name: "users.list",
    };

    #[test]
    fn flags_parse_and_bad_ones_say_why() {
        let l = RateLayer::parse("scim.users=route:100:users.*").unwrap();
        assert_eq!(
            (l.scope, l.per_minute, l.routes.as_deref()),
            (Scope::Route, 100, Some("users.*"))
        );
        assert_eq!(
            RateLayer::parse("shared.org=org:3000").unwrap().routes,
            None
        );
        for bad in [
            "nameless",
            "x=planet:3",
            "x=org:lots",
            "x=org:0",
            "=org:3",
            "a|b=org:1",
        ] {
            assert!(RateLayer::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn routes_globs_match_route_names() {
        assert!(star_match("users.*", "users.list"));
        assert!(star_match("*.list", "groups.list"));
        assert!(star_match("users.get", "users.get"));
        assert!(star_match("*", "anything"));
        assert!(!star_match("users.*", "groups.list"));
        assert!(!star_match("users.get", "users.getx"));
        assert!(star_match("u*s.*t", "users.list"));
    }

    #[test]
    fn each_scope_has_its_own_window_and_org_layers_replace_server_ones() {
        let server = vec![
            RateLayer::parse("shared.budget=org:300").unwrap(),
            RateLayer::parse("groups=route:100:groups.*").unwrap(),
        ];
        let org = vec![RateLayer::parse("shared.budget=client:5").unwrap()];
        let c = checks(300, &server, &org, &S);
        let keys: Vec<&str> = c.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "client.credentials.token.rate.per.minute|token:t1",
                "shared.budget|client:c1",
            ],
            "groups.* does not apply to users.list; the org's layer replaced the server's"
        );
        let route = RateLayer::parse("r=route:1").unwrap();
        assert_eq!(route.window_key(&S), "r|route:o1:users.list");
    }
}
