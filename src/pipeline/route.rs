//! Where a path leads: [`route`] is a pure function from a raw path to a [`Route`].
//!
//! Method dispatch happens afterwards (in the router) so that an unknown path (404) and a wrong
//! method (405) are different answers. Path segments are split on the raw `/` first and
//! percent-decoded afterwards, as Genesys does: that is why an authority sent as
//! `https%3A//idp/fas` splits into several segments while `https%3A%2F%2Fidp%2Ffas` stays one
//! (Genesys community, "User - Generic SSO", 2025-08-13).

use std::borrow::Cow;

use http::Method;

use crate::error::Surface;

/// Which SCIM tree a request came through. Both behave the same; the base differs in URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScimTree {
    /// `/api/v2/scim/v2`
    V2,
    /// `/api/v2/scim` (legacy)
    Legacy,
}

impl ScimTree {
    /// The path prefix of this tree.
    pub(crate) fn prefix(self) -> &'static str {
        match self {
            Self::V2 => "/api/v2/scim/v2",
            Self::Legacy => "/api/v2/scim",
        }
    }
}

/// A SCIM resource endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ScimRoute {
    Users,
    User(String),
    Groups,
    Group(String),
    ServiceProviderConfig,
    ResourceTypes,
    ResourceType(String),
    Schemas,
    Schema(String),
    /// `/.search` at the root (RFC 7644 §3.4.3), which Genesys does not serve.
    Search,
}

/// A platform (non-SCIM) endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PlatformRoute {
    Users,
    User(String),
    /// `POST /api/v2/users/search`.
    UserSearch,
    /// `GET /api/v2/organizations/me`.
    OrganizationMe,
    /// `/api/v2/users/externalid/...`: the decoded segments after `externalid`.
    ExternalIdLookup(Vec<String>),
    /// `/api/v2/users/{id}/externalid/...`: the user id and the decoded segments after
    /// `externalid`.
    UserExternalIds(String, Vec<String>),
    Divisions,
    Roles,
    Skills,
    Languages,
    Groups,
}

/// Where a path leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// `/__admin/health`
    Health,
    /// `/__admin/...`: the decoded segments after `__admin`.
    Admin(Vec<String>),
    /// `POST /oauth/token`
    Token,
    Scim(ScimTree, ScimRoute),
    Platform(PlatformRoute),
    /// A path under `/api/v2/scim` that names no resource.
    ScimUnknown,
    Unknown,
}

impl Route {
    /// The error shape for this route.
    pub(crate) fn surface(&self) -> Surface {
        match self {
            Self::Scim(..) | Self::ScimUnknown => Surface::Scim,
            _ => Surface::Platform,
        }
    }

    /// A stable name for scenarios and the journal, e.g. `users.patch`.
    pub(crate) fn name(&self, method: &Method) -> &'static str {
        match self {
            Self::Health => "admin.health",
            Self::Admin(_) => "admin",
            Self::Token => "oauth.token",
            Self::Scim(_, r) => match r {
                ScimRoute::Users => Family::Users.name(Verb::on_collection(method)),
                ScimRoute::User(_) => Family::Users.name(Verb::on_resource(method)),
                ScimRoute::Groups => Family::Groups.name(Verb::on_collection(method)),
                ScimRoute::Group(_) => Family::Groups.name(Verb::on_resource(method)),
                ScimRoute::ServiceProviderConfig => "serviceproviderconfig.get",
                ScimRoute::ResourceTypes | ScimRoute::ResourceType(_) => "resourcetypes.get",
                ScimRoute::Schemas | ScimRoute::Schema(_) => "schemas.get",
                ScimRoute::Search => "search",
            },
            Self::Platform(p) => match p {
                PlatformRoute::Users => "platform.users.list",
                PlatformRoute::User(_) if *method == Method::PATCH => "platform.users.patch",
                PlatformRoute::User(_) => "platform.users.get",
                PlatformRoute::UserSearch => "platform.users.search",
                PlatformRoute::OrganizationMe => "platform.organizations.me",
                PlatformRoute::ExternalIdLookup(_) => "externalid.lookup",
                PlatformRoute::UserExternalIds(..) => {
                    Family::ExternalIds.name(Verb::on_resource(method))
                }
                PlatformRoute::Divisions => "platform.divisions.list",
                PlatformRoute::Roles => "platform.roles.list",
                PlatformRoute::Skills => "platform.skills.list",
                PlatformRoute::Languages => "platform.languages.list",
                PlatformRoute::Groups => "platform.groups.list",
            },
            Self::ScimUnknown | Self::Unknown => "unknown",
        }
    }

    /// Whether this is the control plane (`/__admin`), which the journal leaves out: it is
    /// not part of what the client under test did.
    pub(crate) fn is_control_plane(&self) -> bool {
        matches!(self, Self::Health | Self::Admin(_))
    }
}

/// Every name [`Route::name`] gives, for scenario files to be checked against.
pub(crate) const ROUTE_NAMES: &[&str] = &[
    "users.list",
    "users.get",
    "users.create",
    "users.replace",
    "users.patch",
    "users.delete",
    "users.other",
    "groups.list",
    "groups.get",
    "groups.create",
    "groups.replace",
    "groups.patch",
    "groups.delete",
    "groups.other",
    "externalid.get",
    "externalid.create",
    "externalid.replace",
    "externalid.patch",
    "externalid.delete",
    "externalid.other",
    "externalid.lookup",
    "serviceproviderconfig.get",
    "resourcetypes.get",
    "schemas.get",
    "search",
    "platform.users.list",
    "platform.users.get",
    "platform.users.patch",
    "platform.users.search",
    "platform.organizations.me",
    "platform.divisions.list",
    "platform.roles.list",
    "platform.skills.list",
    "platform.languages.list",
    "platform.groups.list",
    "oauth.token",
    "admin.health",
    "admin",
    "unknown",
];

/// The resources whose route names follow the verb of the method (`users.patch`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Users,
    Groups,
    ExternalIds,
}

/// What a method does to a collection or to one resource, as route names say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    List,
    Get,
    Create,
    Replace,
    Patch,
    Delete,
    Other,
}

impl Verb {
    /// The verb of `method` on a collection: GET lists.
    fn on_collection(method: &Method) -> Self {
        if *method == Method::GET {
            Self::List
        } else {
            Self::on_resource(method)
        }
    }

    /// The verb of `method` on one resource.
    fn on_resource(method: &Method) -> Self {
        match *method {
            Method::GET => Self::Get,
            Method::POST => Self::Create,
            Method::PUT => Self::Replace,
            Method::PATCH => Self::Patch,
            Method::DELETE => Self::Delete,
            _ => Self::Other,
        }
    }
}

impl Family {
    fn name(self, verb: Verb) -> &'static str {
        match (self, verb) {
            (Self::Users, Verb::List) => "users.list",
            (Self::Users, Verb::Get) => "users.get",
            (Self::Users, Verb::Create) => "users.create",
            (Self::Users, Verb::Replace) => "users.replace",
            (Self::Users, Verb::Patch) => "users.patch",
            (Self::Users, Verb::Delete) => "users.delete",
            (Self::Users, Verb::Other) => "users.other",
            (Self::Groups, Verb::List) => "groups.list",
            (Self::Groups, Verb::Get) => "groups.get",
            (Self::Groups, Verb::Create) => "groups.create",
            (Self::Groups, Verb::Replace) => "groups.replace",
            (Self::Groups, Verb::Patch) => "groups.patch",
            (Self::Groups, Verb::Delete) => "groups.delete",
            (Self::Groups, Verb::Other) => "groups.other",
            (Self::ExternalIds, Verb::List) => "externalid.list",
            (Self::ExternalIds, Verb::Get) => "externalid.get",
            (Self::ExternalIds, Verb::Create) => "externalid.create",
            (Self::ExternalIds, Verb::Replace) => "externalid.replace",
            (Self::ExternalIds, Verb::Patch) => "externalid.patch",
            (Self::ExternalIds, Verb::Delete) => "externalid.delete",
            (Self::ExternalIds, Verb::Other) => "externalid.other",
        }
    }
}

/// Splits a raw path on `/` and percent-decodes each segment. A trailing slash is tolerated.
pub(crate) fn segments(path: &str) -> Result<Vec<String>, String> {
    Ok(decoded(path)?.into_iter().map(Cow::into_owned).collect())
}

/// [`segments`], borrowing every segment that holds no percent escape (nearly all): routing
/// runs on every request, and copying each segment twice (decoded, then lower-cased) was a
/// dozen allocations per request.
fn decoded(path: &str) -> Result<Vec<Cow<'_, str>>, String> {
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
    if trimmed.is_empty() {
        return Ok(Vec::new());
    }
    trimmed
        .split('/')
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map_err(|_| format!("path segment {s:?} is not valid percent-encoded UTF-8"))
        })
        .collect()
}

/// Owned copies of some segments, for the routes that keep them.
fn owned(segs: &[Cow<'_, str>]) -> Vec<String> {
    segs.iter().map(|s| s.as_ref().to_owned()).collect()
}

/// Routes a raw path.
pub(crate) fn route(path: &str) -> Result<Route, String> {
    let segs = decoded(path)?;
    let s: Vec<&str> = segs.iter().map(AsRef::as_ref).collect();
    // Lower-cased copies only of the segments that have an upper-case letter.
    let lower: Vec<Cow<'_, str>> = s
        .iter()
        .map(|x| {
            if x.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(x.to_ascii_lowercase())
            } else {
                Cow::Borrowed(*x)
            }
        })
        .collect();
    let l: Vec<&str> = lower.iter().map(AsRef::as_ref).collect();
    Ok(match l.as_slice() {
        ["__admin", "health"] => Route::Health,
        ["__admin", ..] => Route::Admin(owned(&segs[1..])),
        ["oauth", "token"] => Route::Token,
        ["api", "v2", "scim", "v2", ..] => scim(ScimTree::V2, &s[4..], &l[4..]),
        ["api", "v2", "scim", ..] => scim(ScimTree::Legacy, &s[3..], &l[3..]),
        ["api", "v2", "users"] => Route::Platform(PlatformRoute::Users),
        ["api", "v2", "users", "search"] => Route::Platform(PlatformRoute::UserSearch),
        ["api", "v2", "organizations", "me"] => Route::Platform(PlatformRoute::OrganizationMe),
        ["api", "v2", "users", "externalid", ..] => {
            Route::Platform(PlatformRoute::ExternalIdLookup(owned(&segs[4..])))
        }
        ["api", "v2", "users", _] => Route::Platform(PlatformRoute::User(s[3].to_owned())),
        ["api", "v2", "users", _, "externalid", ..] => Route::Platform(
            PlatformRoute::UserExternalIds(s[3].to_owned(), owned(&segs[5..])),
        ),
        ["api", "v2", "authorization", "divisions"] => Route::Platform(PlatformRoute::Divisions),
        ["api", "v2", "authorization", "roles"] => Route::Platform(PlatformRoute::Roles),
        ["api", "v2", "routing", "skills"] => Route::Platform(PlatformRoute::Skills),
        ["api", "v2", "routing", "languages"] => Route::Platform(PlatformRoute::Languages),
        ["api", "v2", "groups"] => Route::Platform(PlatformRoute::Groups),
        _ => Route::Unknown,
    })
}

/// SCIM resource segments are matched case-insensitively: the SDKs send `users`, IdPs `Users`.
/// `lower` is `rest` lower-cased; ids are taken from `rest` as sent.
fn scim(tree: ScimTree, rest: &[&str], lower: &[&str]) -> Route {
    let r = match (lower.first().copied(), rest.get(1), rest.len()) {
        (Some("users"), _, 1) => ScimRoute::Users,
        (Some("users"), Some(id), 2) => ScimRoute::User((*id).to_owned()),
        (Some("groups"), _, 1) => ScimRoute::Groups,
        (Some("groups"), Some(id), 2) => ScimRoute::Group((*id).to_owned()),
        (Some("serviceproviderconfig" | "serviceproviderconfigs"), _, 1) => {
            ScimRoute::ServiceProviderConfig
        }
        (Some("resourcetypes"), _, 1) => ScimRoute::ResourceTypes,
        (Some("resourcetypes"), Some(id), 2) => ScimRoute::ResourceType((*id).to_owned()),
        (Some("schemas"), _, 1) => ScimRoute::Schemas,
        (Some("schemas"), Some(id), 2) => ScimRoute::Schema((*id).to_owned()),
        (Some(".search"), _, 1) => ScimRoute::Search,
        _ => return Route::ScimUnknown,
    };
    Route::Scim(tree, r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scim_segments_are_case_insensitive_and_trailing_slash_is_fine() {
        assert_eq!(
            route("/api/v2/scim/v2/Users/").unwrap(),
            Route::Scim(ScimTree::V2, ScimRoute::Users)
        );
        assert_eq!(
            route("/api/v2/scim/users/abc").unwrap(),
            Route::Scim(ScimTree::Legacy, ScimRoute::User("abc".into()))
        );
        assert_eq!(
            route("/api/v2/scim/v2/ServiceProviderConfig").unwrap(),
            Route::Scim(ScimTree::V2, ScimRoute::ServiceProviderConfig)
        );
        assert_eq!(route("/api/v2/scim/v2/Bulk").unwrap(), Route::ScimUnknown);
        assert_eq!(route("/nope").unwrap(), Route::Unknown);
    }

    #[test]
    fn segments_split_before_decoding() {
        assert_eq!(
            route("/api/v2/users/externalid/https%3A%2F%2Fidp%2Ffas/K1").unwrap(),
            Route::Platform(PlatformRoute::ExternalIdLookup(vec![
                "https://idp/fas".into(),
                "K1".into()
            ]))
        );
        assert_eq!(
            route("/api/v2/users/externalid/https%3A//idp/fas/K1").unwrap(),
            Route::Platform(PlatformRoute::ExternalIdLookup(vec![
                "https:".into(),
                "".into(),
                "idp".into(),
                "fas".into(),
                "K1".into()
            ]))
        );
        assert!(route("/api/v2/scim/v2/users/%FF").is_err());
    }

    #[test]
    fn route_names_lists_every_name_a_route_gives() {
        let paths = [
            "/api/v2/scim/v2/Users",
            "/api/v2/scim/v2/Users/x",
            "/api/v2/scim/Groups",
            "/api/v2/scim/v2/Groups/g",
            "/api/v2/scim/v2/ServiceProviderConfig",
            "/api/v2/scim/v2/ResourceTypes",
            "/api/v2/scim/v2/ResourceTypes/User",
            "/api/v2/scim/v2/Schemas",
            "/api/v2/scim/v2/Schemas/x",
            "/api/v2/scim/v2/.search",
            "/api/v2/scim/v2/Bulk",
            "/api/v2/users",
            "/api/v2/users/u",
            "/api/v2/users/search",
            "/api/v2/organizations/me",
            "/api/v2/users/externalid/a/b",
            "/api/v2/users/u/externalid/a/b",
            "/api/v2/authorization/divisions",
            "/api/v2/authorization/roles",
            "/api/v2/routing/skills",
            "/api/v2/routing/languages",
            "/api/v2/groups",
            "/oauth/token",
            "/__admin/health",
            "/__admin/requests",
            "/nowhere",
        ];
        let methods = [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::HEAD,
        ];
        let mut given = std::collections::BTreeSet::new();
        for p in paths {
            for m in &methods {
                given.insert(route(p).unwrap().name(m));
            }
        }
        let listed: std::collections::BTreeSet<&str> = ROUTE_NAMES.iter().copied().collect();
        assert_eq!(given, listed);
    }

    #[test]
    fn route_names_are_stable() {
        let r = route("/api/v2/scim/v2/Users/x").unwrap();
        assert_eq!(r.name(&Method::PATCH), "users.patch");
        assert_eq!(
            route("/api/v2/scim/v2/Users").unwrap().name(&Method::GET),
            "users.list"
        );
        assert_eq!(
            route("/api/v2/users/u/externalid/a/b")
                .unwrap()
                .name(&Method::DELETE),
            "externalid.delete"
        );
        assert_eq!(
            route("/api/v2/scim/v2/Groups/g")
                .unwrap()
                .name(&Method::HEAD),
            "groups.other"
        );
        assert_eq!(
            route("/api/v2/users/search").unwrap().name(&Method::POST),
            "platform.users.search"
        );
        assert_eq!(
            route("/api/v2/users/u1").unwrap().name(&Method::PATCH),
            "platform.users.patch"
        );
        assert_eq!(
            route("/api/v2/organizations/me").unwrap(),
            Route::Platform(PlatformRoute::OrganizationMe)
        );
        assert!(route("/__admin/requests").unwrap().is_control_plane());
        assert!(!route("/oauth/token").unwrap().is_control_plane());
    }
}
