//! Which permissions each operation needs, and the checks that enforce them.
//!
//! [`ROWS`] is the one table of what every SCIM, external-id and platform operation needs: the
//! permissions of which the caller must hold any one, as Genesys' SDK docs list them per
//! operation ("Requires ANY permissions"), each row naming its source. [`ATTRIBUTES`] is what a
//! user write needs beyond that, for what it changes. `docs/permissions.md` carries both tables
//! and a test keeps it equal to them.
//!
//! Three checks use them, each only for an OAuth client with `roleDivisions` and only while the
//! `permissions` switch is on (a client without `roleDivisions` may do everything):
//!
//! - [`admit`], the pipeline stage before every handler: one of the row's permissions in any
//!   division; and for an operation on one existing user (`PUT`, `PATCH`, `DELETE`, external-id
//!   writes), in that user's division.
//! - [`check_user_write`], from the SCIM user writes once the new user is built: a create needs
//!   `directory:user:add` in the new user's division, and every attribute the write changes
//!   needs its own permission, in the division the user leaves and the one it lands in.
//! - [`read_scope`] and [`hides`]: under `division-reads=granted`, users outside the client's
//!   divisions are not read at all (lists leave them out through the request's view).
//!
//! Every refusal is 403 `missing.any.permissions` listing the permissions that would have
//! sufficed ([`ApiError::missing_any_permissions`]).

use std::collections::BTreeSet;

use http::Method;

use crate::api::Session;
use crate::compat::DivisionReads;
use crate::error::{ApiError, ApiResult};
use crate::genesys::org::Org;
use crate::genesys::permission::Grants;
use crate::genesys::user::User;
use crate::pipeline::context::ApiRequest;
use crate::pipeline::route::{PlatformRoute, Route, ScimRoute};

/// One operation: the route name the journal and scenarios use, its method and paths, and the
/// permissions of which the caller needs any one (none: any valid token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Row {
    pub method: &'static str,
    /// `Route::name` (SCIM rows cover the legacy `/api/v2/scim` tree too).
    pub route: &'static str,
    /// The paths as Genesys documents them (SCIM segments are matched in any case).
    pub paths: &'static [&'static str],
    pub any: &'static [&'static str],
    /// Whether the operation changes one existing user, so the grant must cover the user's
    /// division.
    pub user_division: bool,
    /// Where the permissions come from.
    pub source: &'static str,
}

/// What a SCIM user write needs beyond its row, for what it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Attribute {
    /// What the write does.
    pub what: &'static str,
    pub any: &'static [&'static str],
    pub source: &'static str,
}

const USER_WRITE: &[&str] = &[
    "directory:user:edit",
    "directory:user:setPassword",
    "authorization:grant:add",
    "authorization:grant:delete",
    "routing:skill:assign",
    "routing:language:assign",
    "telephony:extension:assign",
];
const GROUP_EDIT: &[&str] = &["directory:group:edit"];
const NONE: &[&str] = &[];

const fn row(
    method: &'static str,
    route: &'static str,
    paths: &'static [&'static str],
    any: &'static [&'static str],
    source: &'static str,
) -> Row {
    Row {
        method,
        route,
        paths,
        any,
        user_division: false,
        source,
    }
}

/// The same row, for an operation on one existing user.
const fn on_user(r: Row) -> Row {
    Row {
        user_division: true,
        ..r
    }
}

/// Every operation the mock serves on `/api/v2`, and what it needs.
pub(crate) const ROWS: &[Row] = &[
    row(
        "GET",
        "users.list",
        &["/api/v2/scim/v2/users"],
        NONE,
        "SCIMApi `get_scim_v2_users`: Requires NO permissions",
    ),
    row(
        "POST",
        "users.create",
        &["/api/v2/scim/v2/users"],
        &["directory:user:add"],
        "SCIMApi `post_scim_v2_users`; the five other permissions it lists are each an attribute's (below)",
    ),
    row(
        "GET",
        "users.get",
        &["/api/v2/scim/v2/users/{userId}"],
        NONE,
        "SCIMApi `get_scim_v2_user`: Requires NO permissions",
    ),
    on_user(row(
        "PUT",
        "users.replace",
        &["/api/v2/scim/v2/users/{userId}"],
        USER_WRITE,
        "SCIMApi `put_scim_v2_user`",
    )),
    on_user(row(
        "PATCH",
        "users.patch",
        &["/api/v2/scim/v2/users/{userId}"],
        USER_WRITE,
        "SCIMApi `patch_scim_v2_user`",
    )),
    on_user(row(
        "DELETE",
        "users.delete",
        &["/api/v2/scim/v2/users/{userId}"],
        &["directory:user:delete"],
        "SCIMApi `delete_scim_v2_user`",
    )),
    row(
        "GET",
        "groups.list",
        &["/api/v2/scim/v2/groups"],
        GROUP_EDIT,
        "SCIMApi `get_scim_v2_groups` (a read, and still `edit`)",
    ),
    row(
        "GET",
        "groups.get",
        &["/api/v2/scim/v2/groups/{groupId}"],
        GROUP_EDIT,
        "SCIMApi `get_scim_v2_group`",
    ),
    row(
        "PUT",
        "groups.replace",
        &["/api/v2/scim/v2/groups/{groupId}"],
        GROUP_EDIT,
        "SCIMApi `put_scim_v2_group`",
    ),
    row(
        "PATCH",
        "groups.patch",
        &["/api/v2/scim/v2/groups/{groupId}"],
        GROUP_EDIT,
        "SCIMApi `patch_scim_v2_group`",
    ),
    row(
        "GET",
        "serviceproviderconfig.get",
        &["/api/v2/scim/v2/serviceproviderconfig"],
        NONE,
        "SCIMApi `get_scim_v2_serviceproviderconfig`: Requires NO permissions",
    ),
    row(
        "GET",
        "resourcetypes.get",
        &[
            "/api/v2/scim/v2/resourcetypes",
            "/api/v2/scim/v2/resourcetypes/{resourceType}",
        ],
        NONE,
        "SCIMApi `get_scim_v2_resourcetypes`, `get_scim_v2_resourcetype`: Requires NO permissions",
    ),
    row(
        "GET",
        "schemas.get",
        &[
            "/api/v2/scim/v2/schemas",
            "/api/v2/scim/v2/schemas/{schemaId}",
        ],
        NONE,
        "SCIMApi `get_scim_v2_schemas`, `get_scim_v2_schema`: Requires NO permissions",
    ),
    row(
        "POST",
        "search",
        &["/api/v2/scim/v2/.search"],
        NONE,
        "not a Genesys operation (served under `dot-search=serve` only); it reads what `GET /Users` reads",
    ),
    row(
        "GET",
        "platform.users.list",
        &["/api/v2/users"],
        NONE,
        "UsersApi `get_users`: Requires NO permissions",
    ),
    row(
        "GET",
        "platform.users.get",
        &["/api/v2/users/{userId}"],
        NONE,
        "UsersApi `get_user`: Requires NO permissions",
    ),
    row(
        "POST",
        "platform.users.search",
        &["/api/v2/users/search"],
        &["directory:user:view"],
        "UsersApi `post_users_search`",
    ),
    on_user(row(
        "PATCH",
        "platform.users.patch",
        &["/api/v2/users/{userId}"],
        &["directory:user:edit", "directory:organization:admin"],
        "UsersApi `patch_user` (it also lists the legacy `admin`, which has no domain:entity:action form and is not modelled)",
    )),
    row(
        "GET",
        "platform.organizations.me",
        &["/api/v2/organizations/me"],
        NONE,
        "OrganizationApi `get_organizations_me`: Requires no permissions",
    ),
    row(
        "GET",
        "externalid.lookup",
        &["/api/v2/users/externalid/{authorityName}/{externalKey}"],
        NONE,
        "UsersApi `get_users_externalid_authority_name_external_key`: Requires NO permissions",
    ),
    row(
        "GET",
        "externalid.get",
        &[
            "/api/v2/users/{userId}/externalid",
            "/api/v2/users/{userId}/externalid/{authorityName}",
        ],
        NONE,
        "UsersApi `get_user_externalid`, `get_user_externalid_authority_name`: no permissions listed",
    ),
    on_user(row(
        "POST",
        "externalid.create",
        &["/api/v2/users/{userId}/externalid"],
        &["directory:user:edit"],
        "UsersApi `post_user_externalid`",
    )),
    on_user(row(
        "DELETE",
        "externalid.delete",
        &["/api/v2/users/{userId}/externalid/{authorityName}/{externalKey}"],
        &["directory:user:edit"],
        "UsersApi `delete_user_externalid_authority_name_external_key`",
    )),
    row(
        "GET",
        "platform.divisions.list",
        &["/api/v2/authorization/divisions"],
        NONE,
        "AuthorizationApi `get_authorization_divisions`: Requires NO permissions",
    ),
    row(
        "GET",
        "platform.roles.list",
        &["/api/v2/authorization/roles"],
        &["authorization:role:view"],
        "AuthorizationApi `get_authorization_roles`",
    ),
    row(
        "GET",
        "platform.skills.list",
        &["/api/v2/routing/skills"],
        NONE,
        "RoutingApi `get_routing_skills`: Requires NO permissions",
    ),
    row(
        "GET",
        "platform.languages.list",
        &["/api/v2/routing/languages"],
        NONE,
        "RoutingApi `get_routing_languages`: Requires NO permissions",
    ),
    row(
        "GET",
        "platform.groups.list",
        &["/api/v2/groups"],
        NONE,
        "GroupsApi `get_groups`: Requires NO permissions",
    ),
];

const ATTRIBUTE_SOURCE: &str = "SCIMApi `post_scim_v2_users`, `put_scim_v2_user`, `patch_scim_v2_user` list it; the attribute it covers is read from its name";

const fn attribute(
    what: &'static str,
    any: &'static [&'static str],
    source: &'static str,
) -> Attribute {
    Attribute { what, any, source }
}

const CREATE: Attribute = attribute(
    "create a user (in the new user's division)",
    &["directory:user:add"],
    "SCIMApi `post_scim_v2_users`",
);
const EDIT: Attribute = attribute(
    "change any other attribute (userName, displayName, title, active, division, manager, emails, phone numbers, external ids, ...)",
    &["directory:user:edit"],
    "SCIMApi `put_scim_v2_user`, `patch_scim_v2_user`",
);
const PASSWORD: Attribute = attribute(
    "set a different password",
    &["directory:user:setPassword"],
    "SCIMApi `put_scim_v2_user`, `patch_scim_v2_user` list it; the attribute it covers is read from its name",
);
const ROLE_ADD: Attribute = attribute(
    "give a role (on a create: any role but the default employee)",
    &["authorization:grant:add"],
    ATTRIBUTE_SOURCE,
);
const ROLE_DELETE: Attribute = attribute(
    "take a role away",
    &["authorization:grant:delete"],
    ATTRIBUTE_SOURCE,
);
const SKILLS: Attribute = attribute(
    "set or change routing skills",
    &["routing:skill:assign"],
    ATTRIBUTE_SOURCE,
);
const LANGUAGES: Attribute = attribute(
    "set or change routing languages",
    &["routing:language:assign"],
    ATTRIBUTE_SOURCE,
);
const EXTENSION: Attribute = attribute(
    "set or change a phone extension (tel:...;ext=...)",
    &["telephony:extension:assign"],
    ATTRIBUTE_SOURCE,
);

/// What a user write needs for what it does, in check order.
#[cfg_attr(
    not(test),
    expect(
        dead_code,
        reason = "documentation: read by the test that checks docs/permissions.md"
    )
)]
pub(crate) const ATTRIBUTES: &[Attribute] = &[
    CREATE,
    EDIT,
    PASSWORD,
    ROLE_ADD,
    ROLE_DELETE,
    SKILLS,
    LANGUAGES,
    EXTENSION,
];

/// The row of an operation, by method and route name.
pub(crate) fn row_of(method: &Method, route: &str) -> Option<&'static Row> {
    ROWS.iter()
        .find(|r| r.route == route && r.method == method.as_str())
}

/// The user an operation on one user addresses, from its path.
fn target_user(route: &Route) -> Option<&str> {
    match route {
        Route::Scim(_, ScimRoute::User(id))
        | Route::Platform(PlatformRoute::User(id) | PlatformRoute::UserExternalIds(id, _)) => {
            Some(id)
        }
        _ => None,
    }
}

/// The pipeline stage before every SCIM and platform handler. An operation with no row (a
/// method the route does not serve) passes, to be answered 405 by its handler as before.
pub(crate) fn admit(session: &Session, req: &ApiRequest, route: &Route) -> ApiResult<()> {
    let Some(grants) = session.enforced() else {
        return Ok(());
    };
    let Some(row) = row_of(&req.method, req.route_name) else {
        return Ok(());
    };
    if row.any.is_empty() {
        return Ok(());
    }
    if !grants.any_anywhere(row.any) {
        return Err(ApiError::missing_any_permissions(&row.any, None));
    }
    if !row.user_division {
        return Ok(());
    }
    let org = session.org.read();
    match target_user(route).and_then(|id| org.user(id)) {
        Some(user) if !grants.any_in(row.any, &user.division_id) => Err(
            ApiError::missing_any_permissions(&row.any, Some(division_name(&org, user))),
        ),
        // A user that does not exist is the handler's 404.
        _ => Ok(()),
    }
}

fn division_name<'a>(org: &'a Org, user: &'a User) -> &'a str {
    org.division(&user.division_id)
        .map_or(&*user.division_id, |d| d.name.as_str())
}

/// What a SCIM user write needs beyond its row: `previous` is the stored user (none for a
/// create), `user` the one about to be stored. Each need must be met in the division the
/// user is in and, when it moves, in the one it moves to.
pub(crate) fn check_user_write(
    session: &Session,
    org: &Org,
    previous: Option<&User>,
    user: &User,
) -> ApiResult<()> {
    let Some(grants) = session.enforced() else {
        return Ok(());
    };
    let places: Vec<&User> = previous.into_iter().chain([user]).collect();
    for need in needs(org, previous, user) {
        for u in &places {
            if !grants.any_in(need.any, &u.division_id) {
                let division = grants.any_anywhere(need.any).then(|| division_name(org, u));
                return Err(ApiError::missing_any_permissions(&need.any, division));
            }
        }
    }
    Ok(())
}

/// The attributes a write touches ([`ATTRIBUTES`] order).
fn needs(org: &Org, previous: Option<&User>, user: &User) -> Vec<&'static Attribute> {
    let mut out = Vec::new();
    let ids = |u: &User| -> BTreeSet<String> { u.role_ids.iter().map(|r| r.to_string()).collect() };
    let extensions = |u: &User| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = u
            .phones
            .iter()
            .filter_map(|p| {
                p.value
                    .extension
                    .clone()
                    .map(|e| (format!("{:?}", p.kind), e))
            })
            .collect();
        v.sort();
        v
    };
    match previous {
        None => {
            out.push(&CREATE);
            let default: BTreeSet<String> = org
                .default_role()
                .map(|r| r.id.to_string())
                .into_iter()
                .collect();
            if !ids(user).is_subset(&default) {
                out.push(&ROLE_ADD);
            }
            if !user.skills.is_empty() {
                out.push(&SKILLS);
            }
            if !user.languages.is_empty() {
                out.push(&LANGUAGES);
            }
            if !extensions(user).is_empty() {
                out.push(&EXTENSION);
            }
        }
        Some(old) => {
            if !without_attributes(user, old).same_content(old) {
                out.push(&EDIT);
            }
            if user.password.is_some() && user.password != old.password {
                out.push(&PASSWORD);
            }
            let (before, after) = (ids(old), ids(user));
            if !after.is_subset(&before) {
                out.push(&ROLE_ADD);
            }
            if !before.is_subset(&after) {
                out.push(&ROLE_DELETE);
            }
            if user.skills != old.skills {
                out.push(&SKILLS);
            }
            if user.languages != old.languages {
                out.push(&LANGUAGES);
            }
            if extensions(user) != extensions(old) {
                out.push(&EXTENSION);
            }
        }
    }
    out
}

/// `user` with what its own permissions cover (password, roles, skills, languages, phone
/// extensions) taken from `old`, so that what is left to compare needs `directory:user:edit`.
fn without_attributes(user: &User, old: &User) -> User {
    let mut rest = user.clone();
    rest.password.clone_from(&old.password);
    rest.role_ids.clone_from(&old.role_ids);
    rest.skills.clone_from(&old.skills);
    rest.languages.clone_from(&old.languages);
    for p in &mut rest.phones {
        p.value.extension = old
            .phones
            .iter()
            .find(|o| o.kind == p.kind)
            .and_then(|o| o.value.extension.clone());
    }
    rest
}

/// The grants that limit what the client reads: its own under `division-reads=granted`
/// (and enforcement on), else none.
pub(crate) fn read_scope(session: &Session) -> Option<&Grants> {
    session
        .enforced()
        .filter(|_| session.compat.division_reads == DivisionReads::Granted)
}

/// Under `division-reads=granted`, whether `user` is outside every division the client holds
/// a role in, so a read of it answers 404 (lists leave it out through
/// `View::divisions`).
pub(crate) fn hides(session: &Session, user: &User) -> bool {
    read_scope(session).is_some_and(|g| !g.covers_division(&user.division_id))
}

#[cfg(test)]
mod tests_walk;

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::genesys::user::{Phone, PhoneKind, PhoneNumber, Proficiency};

    fn list(any: &[&str]) -> String {
        if any.is_empty() {
            return "none".to_owned();
        }
        any.iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The line `docs/permissions.md` carries for a row.
    fn row_line(r: &Row) -> String {
        let paths: Vec<String> = r.paths.iter().map(|p| format!("`{p}`")).collect();
        format!(
            "| {} | {} | `{}` | {} | {} | {} |",
            r.method,
            paths.join(", "),
            r.route,
            list(r.any),
            if r.user_division { "the user's" } else { "–" },
            r.source
        )
    }

    fn attribute_line(a: &Attribute) -> String {
        format!("| {} | {} | {} |", a.what, list(a.any), a.source)
    }

    /// docs/permissions.md is the user-facing copy of both tables: every row appears there
    /// verbatim, and the doc has no row the code lacks.
    #[test]
    fn docs_permissions_md_carries_both_tables() {
        let doc = include_str!("../../docs/permissions.md");
        let want: Vec<String> = ROWS
            .iter()
            .map(row_line)
            .chain(ATTRIBUTES.iter().map(attribute_line))
            .collect();
        let missing: Vec<&String> = want
            .iter()
            .filter(|line| !doc.lines().any(|l| l.trim() == line.as_str()))
            .collect();
        assert!(
            missing.is_empty(),
            "docs/permissions.md is missing or has a stale copy of these rows:\n{}",
            missing
                .iter()
                .map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
        let table_rows = doc
            .lines()
            .filter(|l| {
                l.starts_with("| ") && !l.starts_with("| method") && !l.starts_with("| what")
            })
            .filter(|l| !l.starts_with("| ---"))
            .count();
        assert_eq!(
            table_rows,
            want.len(),
            "docs/permissions.md has rows the code lacks"
        );
    }

    #[test]
    fn rows_are_unique_and_name_real_permissions() {
        let mut seen = BTreeSet::new();
        for r in ROWS {
            assert!(
                seen.insert((r.method, r.route)),
                "{} {} twice",
                r.method,
                r.route
            );
            assert!(!r.source.is_empty() && !r.paths.is_empty());
            for p in r.any {
                crate::genesys::permission::Permission::parse(p).unwrap();
            }
        }
        for a in ATTRIBUTES {
            for p in a.any {
                crate::genesys::permission::Permission::parse(p).unwrap();
            }
        }
    }

    fn org() -> Org {
        let mut org = Org::for_tests(&["Home", "EMEA"]);
        org.roles
            .push(crate::genesys::permission::Role::named("a", "Agent"));
        org
    }

    fn user(org: &Org) -> User {
        let mut u = User::sample("u");
        u.division_id = org.divisions[0].id.clone();
        u.role_ids = vec![Arc::from("r")];
        u
    }

    fn needed(org: &Org, previous: Option<&User>, user: &User) -> Vec<&'static str> {
        needs(org, previous, user)
            .iter()
            .flat_map(|a| a.any.iter().copied())
            .collect()
    }

    #[test]
    fn a_create_needs_add_and_what_it_sets_beyond_the_defaults() {
        let org = org();
        let plain = user(&org);
        assert_eq!(needed(&org, None, &plain), ["directory:user:add"]);
        let mut rich = plain;
        rich.role_ids.push(Arc::from("a"));
        rich.skills.push(Proficiency {
            id: "s".into(),
            proficiency: 1.0,
        });
        rich.languages.push(Proficiency {
            id: "l".into(),
            proficiency: 1.0,
        });
        rich.phones.push(Phone {
            kind: PhoneKind::Work,
            value: PhoneNumber {
                number: None,
                extension: Some("12".into()),
            },
        });
        rich.password = Some("pw".into());
        assert_eq!(
            needed(&org, None, &rich),
            [
                "directory:user:add",
                "authorization:grant:add",
                "routing:skill:assign",
                "routing:language:assign",
                "telephony:extension:assign"
            ]
        );
    }

    #[test]
    fn an_edit_needs_only_what_it_changes() {
        let org = org();
        let old = user(&org);
        assert!(
            needed(&org, Some(&old), &old.clone()).is_empty(),
            "no change"
        );
        let mut titled = old.clone();
        titled.title = Some("Lead".into());
        assert_eq!(needed(&org, Some(&old), &titled), ["directory:user:edit"]);
        let mut moved = old.clone();
        moved.division_id = org.divisions[1].id.clone();
        assert_eq!(needed(&org, Some(&old), &moved), ["directory:user:edit"]);
        let mut swapped = old.clone();
        swapped.role_ids = vec![Arc::from("a")];
        assert_eq!(
            needed(&org, Some(&old), &swapped),
            ["authorization:grant:add", "authorization:grant:delete"]
        );
        let mut password = old.clone();
        password.password = Some("new".into());
        assert_eq!(
            needed(&org, Some(&old), &password),
            ["directory:user:setPassword"]
        );
        // The same password again changes nothing.
        assert!(needed(&org, Some(&password), &password.clone()).is_empty());
        let mut ext = old.clone();
        ext.phones.push(Phone {
            kind: PhoneKind::Work,
            value: PhoneNumber {
                number: Some("+3225550123".into()),
                extension: Some("12".into()),
            },
        });
        // A new phone is an edit; its extension needs its own permission.
        assert_eq!(
            needed(&org, Some(&old), &ext),
            ["directory:user:edit", "telephony:extension:assign"]
        );
        let mut ext_only = ext.clone();
        ext_only.phones[0].value.extension = Some("13".into());
        assert_eq!(
            needed(&org, Some(&ext), &ext_only),
            ["telephony:extension:assign"]
        );
    }
}
