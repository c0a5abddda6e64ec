//! The per-org [`Limits`] (`genesys-api.md` §8): their defaults, the checks that must hold on
//! every write path (SCIM, the external-id API, fixtures), the PATCH operation count shared by
//! users and groups, and how the server flags that set the limits Genesys does not publish
//! (`--max-group-members`, `--max-patch-operations`) apply.
//!
//! Every limit answers 400 `invalidValue` (platform code `invalid.value`), naming the limit and
//! the count. Genesys documents the limits but not the error it sends when one is exceeded;
//! 400 `invalidValue` is what RFC 7644 §3.12 offers for "a value incompatible with the
//! operation", while `tooMany` is reserved there for filters that yield too many results and 413
//! for Bulk `maxOperations`, neither of which is this case.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::genesys::user::User;

/// Per-org limits (Genesys defaults; fixtures and flags may change them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Limits {
    /// External ids per user ("Limit 100 per entity").
    pub external_ids_per_user: usize,
    /// Routing skills per user (SCIM model: max 50).
    pub skills_per_user: usize,
    /// Routing languages per user (SCIM model: max 50).
    pub languages_per_user: usize,
    /// Groups per user (Genesys help: 100 official).
    pub groups_per_user: usize,
    /// Members per group. Genesys' SCIM limit keys are undocumented; this is a chosen default.
    pub members_per_group: usize,
    /// Operations per PATCH request. Undocumented in Genesys; a chosen default.
    pub patch_operations: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            external_ids_per_user: 100,
            skills_per_user: 50,
            languages_per_user: 50,
            groups_per_user: 100,
            members_per_group: 10_000,
            patch_operations: 1_000,
        }
    }
}

impl Limits {
    /// The per-user limits: external ids, routing skills, routing languages. Checked by
    /// `Org::put_user`, so every write path (not only SCIM mapping) honours them.
    pub fn check_user(&self, user: &User) -> ApiResult<()> {
        for (what, count, max) in [
            (
                "external ids",
                user.external_ids.len(),
                self.external_ids_per_user,
            ),
            ("routing skills", user.skills.len(), self.skills_per_user),
            (
                "routing languages",
                user.languages.len(),
                self.languages_per_user,
            ),
        ] {
            if count > max {
                return Err(ApiError::invalid_value(format!(
                    "A user can have at most {max} {what}; this change would give it {count}."
                )));
            }
        }
        Ok(())
    }

    /// The number of operations in a SCIM PATCH body, checked against `patchOperations`.
    pub fn check_patch_operations(&self, body: &Value) -> ApiResult<()> {
        let ops = body
            .get("Operations")
            .or_else(|| body.get("operations"))
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if ops > self.patch_operations {
            return Err(ApiError::invalid_value(format!(
                "A PATCH may carry at most {} operations; this one has {ops}.",
                self.patch_operations
            )));
        }
        Ok(())
    }

    /// The first limit set to zero (which would refuse every write), by its fixture name.
    pub fn first_zero(&self) -> Option<&'static str> {
        [
            ("externalIdsPerUser", self.external_ids_per_user),
            ("skillsPerUser", self.skills_per_user),
            ("languagesPerUser", self.languages_per_user),
            ("groupsPerUser", self.groups_per_user),
            ("membersPerGroup", self.members_per_group),
            ("patchOperations", self.patch_operations),
        ]
        .into_iter()
        .find(|(_, v)| *v == 0)
        .map(|(name, _)| name)
    }

    /// Applies `--max-group-members` / `--max-patch-operations` to a limit still at its
    /// built-in default. A fixture that sets a limit to another value wins over the flag.
    pub fn apply_flags(&mut self, config: &Config) {
        let builtin = Limits::default();
        if let Some(n) = config.max_group_members
            && self.members_per_group == builtin.members_per_group
        {
            self.members_per_group = n;
        }
        if let Some(n) = config.max_patch_operations
            && self.patch_operations == builtin.patch_operations
        {
            self.patch_operations = n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flags_fill_defaults_but_fixture_values_win() {
        let config = Config {
            max_group_members: Some(3),
            max_patch_operations: Some(4),
            ..Config::default()
        };
        let mut l = Limits::default();
        l.apply_flags(&config);
        assert_eq!((l.members_per_group, l.patch_operations), (3, 4));
        let mut fixture = Limits {
            members_per_group: 20,
            ..Limits::default()
        };
        fixture.apply_flags(&config);
        assert_eq!(
            (fixture.members_per_group, fixture.patch_operations),
            (20, 4)
        );
    }

    #[test]
    fn patch_operations_are_counted() {
        let l = Limits {
            patch_operations: 1,
            ..Limits::default()
        };
        assert!(
            l.check_patch_operations(&json!({"Operations": [{}]}))
                .is_ok()
        );
        let e = l
            .check_patch_operations(&json!({"Operations": [{}, {}]}))
            .unwrap_err();
        assert_eq!(e.scim_type, Some("invalidValue"));
    }
}
