//! Roles, the permissions they grant, and the grants an OAuth client holds.
//!
//! Genesys writes a permission as `domain:entity:action` (`directory:user:add`), and a role
//! may grant a whole entity or domain with `*` in a part (`directory:user:*`,
//! `directory:*:*`). An OAuth client holds `roleDivisions`: pairs of a role and a division
//! (Genesys' `OAuthClient.roleDivisions`), so what it may do depends on where the record is. A
//! client with no `roleDivisions` at all is the mock's default: it may do everything, as before
//! permissions were modelled (see `docs/permissions.md`).
//!
//! This file holds the data and the matching only; which operation needs which permission is
//! the route table in `crate::api::permission`.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// The division part of a grant that covers every division.
pub(crate) const EVERY_DIVISION: &str = "*";

/// Permissions one role may list. Genesys' broadest built-in roles list a few hundred
/// (wildcards keep a fixture far shorter); chosen.
pub(crate) const MAX_PERMISSIONS_PER_ROLE: usize = 1000;

/// `roleDivisions` pairs one OAuth client may hold; chosen (Genesys publishes no figure).
pub(crate) const MAX_ROLE_DIVISIONS: usize = 100;

/// The longest permission string accepted, in bytes; chosen.
const MAX_PERMISSION_LEN: usize = 200;

/// One permission as a role grants it: three parts, each a name or `*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub(crate) struct Permission {
    domain: Box<str>,
    entity: Box<str>,
    action: Box<str>,
}

impl Permission {
    /// Parses `domain:entity:action`. Each part is a name (letters, digits, `_`, `-`, `.`) or
    /// `*`; the error says what is wrong, for fixture errors and admin answers.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        if text.len() > MAX_PERMISSION_LEN {
            return Err(format!(
                "a permission is at most {MAX_PERMISSION_LEN} bytes, got {}",
                text.len()
            ));
        }
        let parts: Vec<&str> = text.split(':').collect();
        let [domain, entity, action] = parts.as_slice() else {
            return Err(format!(
                "{text:?} is not a Genesys permission: expected domain:entity:action, such as \
                 directory:user:add or directory:user:*"
            ));
        };
        for part in [domain, entity, action] {
            let name = part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
            if part.is_empty() || !(*part == "*" || name) {
                return Err(format!(
                    "{text:?} is not a Genesys permission: {part:?} must be a name (letters, \
                     digits, _ - .) or *"
                ));
            }
        }
        Ok(Self {
            domain: (*domain).into(),
            entity: (*entity).into(),
            action: (*action).into(),
        })
    }

    /// Whether this grant covers `needed`, a permission without wildcards. Parts are compared
    /// without regard to case: a fixture that writes `setpassword` means `setPassword`.
    pub(crate) fn grants(&self, needed: &str) -> bool {
        let mut want = needed.split(':');
        [&self.domain, &self.entity, &self.action]
            .into_iter()
            .all(|have| {
                want.next()
                    .is_some_and(|w| &**have == "*" || have.eq_ignore_ascii_case(w))
            })
            && want.next().is_none()
    }
}

impl TryFrom<String> for Permission {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        Self::parse(&text)
    }
}

impl From<Permission> for String {
    fn from(p: Permission) -> Self {
        p.to_string()
    }
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.domain, self.entity, self.action)
    }
}

/// A role of the org: a name users are given, and the permissions it grants an OAuth client
/// that holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Role {
    /// Shared by every user that holds it.
    pub id: Arc<str>,
    pub name: String,
    /// Shared with every request of a client holding the role (one reference count, no copy).
    #[serde(default, skip_serializing_if = "<[Permission]>::is_empty")]
    pub permissions: Arc<[Permission]>,
}

impl Role {
    /// A role that grants nothing (the fixture form without `permissions`).
    #[cfg(test)]
    pub(crate) fn named(id: &str, name: &str) -> Self {
        Self {
            id: id.into(),
            name: name.to_owned(),
            permissions: Arc::from([]),
        }
    }
}

/// One of an OAuth client's grants: a role (by name) in a division (by name, or `*` for every
/// division).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoleDivision {
    pub role: String,
    pub division: String,
}

/// Where one grant applies.
#[derive(Debug, Clone)]
enum Scope {
    Every,
    /// A division id.
    One(Arc<str>),
}

/// A client's `roleDivisions` resolved against its org for one request
/// (`Org::grants`): each role's permissions with the division they apply in.
#[derive(Debug, Clone, Default)]
pub(crate) struct Grants {
    grants: Vec<(Arc<[Permission]>, Scope)>,
}

impl Grants {
    /// Adds a role's permissions, granted in one division (an id) or in every one (`None`).
    pub(crate) fn add(&mut self, permissions: Arc<[Permission]>, division: Option<Arc<str>>) {
        let scope = division.map_or(Scope::Every, Scope::One);
        self.grants.push((permissions, scope));
    }

    /// Whether some role grants one of `any`, in any division.
    pub(crate) fn any_anywhere(&self, any: &[&str]) -> bool {
        self.grants.iter().any(|(perms, _)| grants_one(perms, any))
    }

    /// Whether some role granted in `division` (an id) grants one of `any`.
    pub(crate) fn any_in(&self, any: &[&str], division: &str) -> bool {
        self.grants
            .iter()
            .any(|(perms, scope)| covers(scope, division) && grants_one(perms, any))
    }

    /// Whether any grant at all covers `division` (an id): what `division-reads=granted` shows.
    pub(crate) fn covers_division(&self, division: &str) -> bool {
        self.grants.iter().any(|(_, scope)| covers(scope, division))
    }
}

fn covers(scope: &Scope, division: &str) -> bool {
    match scope {
        Scope::Every => true,
        Scope::One(id) => **id == *division,
    }
}

fn grants_one(perms: &[Permission], any: &[&str]) -> bool {
    any.iter()
        .any(|needed| perms.iter().any(|p| p.grants(needed)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::genesys::org::Org;

    fn perm(text: &str) -> Permission {
        Permission::parse(text).unwrap()
    }

    #[test]
    fn permissions_parse_as_three_parts_with_wildcards() {
        assert_eq!(perm("directory:user:add").to_string(), "directory:user:add");
        assert_eq!(perm("directory:*:*").to_string(), "directory:*:*");
        for bad in [
            "",
            "directory",
            "directory:user",
            "directory:user:add:extra",
            "directory::add",
            "directory:us er:add",
            "directory:user*:add",
        ] {
            let e = Permission::parse(bad).unwrap_err();
            assert!(e.contains("not a Genesys permission"), "{bad}: {e}");
        }
        let long = format!("a:b:{}", "c".repeat(MAX_PERMISSION_LEN));
        assert!(Permission::parse(&long).unwrap_err().contains("at most"));
    }

    #[test]
    fn a_grant_covers_what_its_parts_or_wildcards_name() {
        assert!(perm("directory:user:add").grants("directory:user:add"));
        assert!(perm("directory:user:*").grants("directory:user:setPassword"));
        assert!(perm("directory:*:*").grants("directory:group:edit"));
        assert!(perm("*:*:*").grants("routing:skill:assign"));
        assert!(perm("directory:user:SETPASSWORD").grants("directory:user:setPassword"));
        assert!(!perm("directory:user:view").grants("directory:user:add"));
        assert!(!perm("directory:user:*").grants("directory:group:edit"));
        assert!(!perm("directory:*:add").grants("routing:skill:add"));
        // A needed permission with too few or too many parts is never granted.
        assert!(!perm("*:*:*").grants("directory:user"));
        assert!(!perm("*:*:*").grants("directory:user:add:x"));
    }

    #[test]
    fn roles_serialize_their_permissions_as_strings_and_omit_none() {
        let role: Role = serde_json::from_value(serde_json::json!({
            "id": "r", "name": "SCIM", "permissions": ["directory:user:*", "directory:group:edit"]
        }))
        .unwrap();
        assert_eq!(role.permissions.len(), 2);
        assert_eq!(
            serde_json::to_value(&role).unwrap()["permissions"][0],
            "directory:user:*"
        );
        let plain = serde_json::to_value(Role::named("e", "employee")).unwrap();
        assert!(plain.get("permissions").is_none(), "{plain}");
        let bad = serde_json::from_value::<Role>(
            serde_json::json!({"id": "r", "name": "x", "permissions": ["nope"]}),
        )
        .unwrap_err();
        assert!(
            bad.to_string().contains("not a Genesys permission"),
            "{bad}"
        );
    }

    fn org() -> Org {
        let mut org = Org::for_tests(&["Home", "EMEA"]);
        org.roles.push(Role {
            id: "v".into(),
            name: "Viewer".into(),
            permissions: Arc::from([perm("directory:user:view")]),
        });
        org.roles.push(Role {
            id: "a".into(),
            name: "Admin".into(),
            permissions: Arc::from([perm("directory:user:*")]),
        });
        org
    }

    fn pair(role: &str, division: &str) -> RoleDivision {
        RoleDivision {
            role: role.into(),
            division: division.into(),
        }
    }

    #[test]
    fn grants_apply_in_their_division_only() {
        let org = org();
        let (home, emea) = (org.divisions[0].id.clone(), org.divisions[1].id.clone());
        let g = org.grants(&[pair("admin", "emea"), pair("Viewer", "*")]);
        assert!(g.any_anywhere(&["directory:user:add"]));
        assert!(g.any_in(&["directory:user:add"], &emea));
        assert!(!g.any_in(&["directory:user:add"], &home));
        assert!(g.any_in(&["directory:user:view"], &home));
        assert!(!g.any_anywhere(&["directory:group:edit"]));
        assert!(g.covers_division(&home) && g.covers_division(&emea));
        let only_emea = org.grants(&[pair("Admin", "EMEA")]);
        assert!(!only_emea.covers_division(&home));
        // Nothing granted at all: no pairs, or pairs naming what the org lacks.
        assert!(!Grants::default().any_anywhere(&["directory:user:view"]));
        let gone = org.grants(&[pair("Gone", "*"), pair("Admin", "APAC")]);
        assert!(!gone.any_anywhere(&["directory:user:add"]));
    }

    #[test]
    fn a_pair_naming_nothing_says_which_field_is_wrong() {
        let org = org();
        assert_eq!(org.role_division_problem(&pair("admin", "*")), None);
        assert_eq!(org.role_division_problem(&pair("Admin", "emea")), None);
        let (field, why) = org.role_division_problem(&pair("Nope", "*")).unwrap();
        assert_eq!(field, "role");
        assert!(why.contains("\"Nope\"") && why.contains("Viewer"), "{why}");
        let (field, why) = org.role_division_problem(&pair("Admin", "APAC")).unwrap();
        assert_eq!(field, "division");
        assert!(why.contains("EMEA") && why.contains('*'), "{why}");
    }
}
