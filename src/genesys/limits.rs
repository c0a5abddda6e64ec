//! The per-org [`Limits`] (Genesys' published ones: the developer center's Limits page, the
//! SDKs' model docs, the groups overview article): their defaults, the checks that must hold on
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

use crate::error::{ApiError, ApiResult};
use crate::genesys::user::User;

/// Per-org limits (Genesys defaults; fixtures and flags may change them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub(crate) struct Limits {
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
    /// Users an org holds, soft-deleted ones included (they keep their record). Genesys
    /// publishes no such limit; a chosen bound so that a create loop cannot grow the mock
    /// without end (about 2.7 KB per user: 1,000,000 users is about 2.7 GB).
    pub users_per_org: usize,
    /// Groups an org holds. Genesys recommends at most 500 (help, "Groups overview") but enforces none
    /// it documents; a chosen bound well above the recommendation.
    pub groups_per_org: usize,
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
            users_per_org: 1_000_000,
            groups_per_org: 10_000,
        }
    }
}

impl Limits {
    /// The per-user limits: external ids, routing skills, routing languages. Checked by
    /// `Org::store_user`, so every write path (not only SCIM mapping) honours them.
    pub(crate) fn check_user(&self, user: &User) -> ApiResult<()> {
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
    pub(crate) fn check_patch_operations(&self, body: &Value) -> ApiResult<()> {
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

    /// The limits in force: for each, the fixture's setting, else the server's flag (for the
    /// two limits that have one), else the built-in default. A fixture that sets a limit wins
    /// over the flag even when it sets it to the default value.
    pub(crate) fn resolve(settings: &LimitSettings, flags: LimitFlags) -> Self {
        let d = Self::default();
        Self {
            external_ids_per_user: settings
                .external_ids_per_user
                .unwrap_or(d.external_ids_per_user),
            skills_per_user: settings.skills_per_user.unwrap_or(d.skills_per_user),
            languages_per_user: settings.languages_per_user.unwrap_or(d.languages_per_user),
            groups_per_user: settings.groups_per_user.unwrap_or(d.groups_per_user),
            members_per_group: settings
                .members_per_group
                .or(flags.members_per_group)
                .unwrap_or(d.members_per_group),
            patch_operations: settings
                .patch_operations
                .or(flags.patch_operations)
                .unwrap_or(d.patch_operations),
            users_per_org: settings.users_per_org.unwrap_or(d.users_per_org),
            groups_per_org: settings.groups_per_org.unwrap_or(d.groups_per_org),
        }
    }
}

/// The limits a fixture's `limits` sets. A limit left out (`None`) falls to the server's flag
/// or to the built-in default (see [`Limits::resolve`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub(crate) struct LimitSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_ids_per_user: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skills_per_user: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub languages_per_user: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups_per_user: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members_per_group: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patch_operations: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users_per_org: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups_per_org: Option<usize>,
}

impl LimitSettings {
    /// The first limit set to zero (which would refuse every write), by its fixture name.
    pub(crate) fn first_zero(&self) -> Option<&'static str> {
        [
            ("externalIdsPerUser", self.external_ids_per_user),
            ("skillsPerUser", self.skills_per_user),
            ("languagesPerUser", self.languages_per_user),
            ("groupsPerUser", self.groups_per_user),
            ("membersPerGroup", self.members_per_group),
            ("patchOperations", self.patch_operations),
            ("usersPerOrg", self.users_per_org),
            ("groupsPerOrg", self.groups_per_org),
        ]
        .into_iter()
        .find(|(_, v)| *v == Some(0))
        .map(|(name, _)| name)
    }
}

/// The limits the server's flags set (`--max-group-members`, `--max-patch-operations`);
/// `None` when the flag is not given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct LimitFlags {
    pub members_per_group: Option<usize>,
    pub patch_operations: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_fixture_setting_wins_over_the_flag_even_at_the_default_value() {
        let flags = LimitFlags {
            members_per_group: Some(3),
            patch_operations: Some(4),
        };
        let l = Limits::resolve(&LimitSettings::default(), flags);
        assert_eq!((l.members_per_group, l.patch_operations), (3, 4));
        let fixture = LimitSettings {
            members_per_group: Some(Limits::default().members_per_group),
            skills_per_user: Some(7),
            ..LimitSettings::default()
        };
        let l = Limits::resolve(&fixture, flags);
        assert_eq!(
            (l.members_per_group, l.patch_operations, l.skills_per_user),
            (10_000, 4, 7),
            "the fixture said 10000 (the default) on purpose; the flag fills only the gap"
        );
        assert_eq!(
            Limits::resolve(&LimitSettings::default(), LimitFlags::default()),
            Limits::default()
        );
    }

    #[test]
    fn a_zero_setting_is_named() {
        let s = LimitSettings {
            patch_operations: Some(0),
            ..LimitSettings::default()
        };
        assert_eq!(s.first_zero(), Some("patchOperations"));
        assert_eq!(LimitSettings::default().first_zero(), None);
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
