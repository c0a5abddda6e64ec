//! The fixture document types, as serde reads them. Shape checks that name the record and the
//! field at fault live in [`super::read`]; building orgs from these in [`super::build`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::base::secret::Secret;
use crate::genesys::group::{GroupType, Visibility};
use crate::genesys::limits::LimitSettings;
use crate::genesys::org::{Division, Named};
use crate::genesys::permission::{Role, RoleDivision};

/// The fixture format version this build reads.
pub(crate) const FORMAT_VERSION: u32 = 1;

/// The JSON Schema of the format, skipped when a directory is read.
pub(crate) const SCHEMA_FILE: &str = "schema.json";

/// A fixture document: one or more orgs. `U` is how user records are held: parsed
/// ([`Value`], the default) or as their raw text ([`RawUser`]), which start-up uses so a
/// 100,000-user file is never one JSON tree in memory.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    bound(deserialize = "U: Deserialize<'de>")
)]
pub(crate) struct FixtureFile<U = Value> {
    /// Optional pointer to `fixtures/schema.json`, for editors that validate as you type.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Format version; must be 1.
    pub version: u32,
    pub orgs: Vec<OrgFixture<U>>,
}

/// One org.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    bound(deserialize = "U: Deserialize<'de>")
)]
pub(crate) struct OrgFixture<U = Value> {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// `GET /api/v2/organizations/me`'s `defaultCountryCode` (two upper-case letters); absent:
    /// `US`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_country_code: Option<String>,
    #[serde(default)]
    pub divisions: Vec<Division>,
    /// Roles, each with the permissions it grants an OAuth client that holds it.
    #[serde(default)]
    pub roles: Vec<Role>,
    #[serde(default)]
    pub skills: Vec<Named>,
    #[serde(default)]
    pub languages: Vec<Named>,
    #[serde(default)]
    pub limits: Option<LimitSettings>,
    /// Compatibility switches for this org, as `NAME: VALUE` (e.g. `"profile": "rfc"`). A
    /// switch named twice is refused (serde's own maps keep the last).
    #[serde(default, deserialize_with = "strict_object")]
    pub compat: Option<serde_json::Map<String, Value>>,
    #[serde(default)]
    pub oauth_clients: Vec<ClientFixture>,
    /// Named rate limits for this org, on top of the token limit and `--rate-limit-layer`
    /// (see [`crate::ratelimit::layer`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rate_limits: Vec<crate::ratelimit::layer::RateLayer>,
    /// Users in SCIM form (a POST body plus a fixed `id`, and `deleted: true` for soft-deleted),
    /// or in Genesys form (`{"id": ..., "genesys": {...}}`, see [`super::GenesysUser`]).
    #[serde(default)]
    pub users: Vec<U>,
    #[serde(default)]
    pub groups: Vec<GroupFixture>,
}

/// `compat`: an object read by [`crate::base::strict_json`], or `null`.
fn strict_object<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<serde_json::Map<String, Value>>, D::Error> {
    match crate::base::strict_json::value(d)? {
        Value::Object(map) => Ok(Some(map)),
        Value::Null => Ok(None),
        other => Err(serde::de::Error::invalid_type(
            serde::de::Unexpected::Other(&other.to_string()),
            &"an object of compatibility switches",
        )),
    }
}

/// A user record as its JSON text, borrowed from the document and parsed only when the user
/// is built.
pub(crate) type RawUser<'a> = &'a serde_json::value::RawValue;

/// A fixture user record, parsed or raw.
pub(crate) trait UserRecord {
    /// The record as JSON, parsing it if it is raw text (refusing a repeated key, as the
    /// whole-document parse does).
    fn json(&self) -> Result<std::borrow::Cow<'_, Value>, serde_json::Error>;

    /// The record's JSON text, when it is held as text (not yet parsed).
    fn text(&self) -> Option<&str> {
        None
    }
}

impl UserRecord for Value {
    fn json(&self) -> Result<std::borrow::Cow<'_, Value>, serde_json::Error> {
        Ok(std::borrow::Cow::Borrowed(self))
    }
}

impl UserRecord for RawUser<'_> {
    fn json(&self) -> Result<std::borrow::Cow<'_, Value>, serde_json::Error> {
        crate::base::strict_json::parse(self.get().as_bytes()).map(std::borrow::Cow::Owned)
    }

    fn text(&self) -> Option<&str> {
        Some(self.get())
    }
}

/// An OAuth client.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ClientFixture {
    pub id: String,
    pub secret: Secret,
    #[serde(default)]
    pub name: Option<String>,
    /// Token lifetime in seconds: 300 to 172800, or to 38,880,000 for a SCIM client
    /// ([`ClientFixture::ttl_range`]). Default 86400.
    #[serde(default = "default_ttl")]
    pub token_ttl_secs: u64,
    /// The client is used for Genesys Cloud SCIM, so its tokens may last up to 450 days.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub scim: bool,
    #[serde(default)]
    pub rate_limit_per_minute: Option<u32>,
    /// Token requests per minute at `POST /oauth/token` (Genesys' `token.rate.per.minute`);
    /// absent: `--token-rate-limit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_rate_limit_per_minute: Option<u32>,
    /// The client's grants: roles (by name) in divisions (by name, or `*`). Absent (or
    /// `null`): the client may do everything, as before permissions were modelled; a list,
    /// even an empty one: only what its roles grant (see `docs/permissions.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_divisions: Option<Vec<RoleDivision>>,
}

/// The longest token lifetime of any OAuth client: 48 hours (Genesys' OAuth client settings).
pub(crate) const MAX_TTL_SECS: u64 = 172_800;

/// The longest token lifetime of a client used for SCIM: 450 days. Genesys' Terraform provider
/// validates `access_token_validity_seconds` with `IntBetween(300, 38880000)`: "Only clients
/// using Genesys Cloud SCIM (Identity Management) can have a maximum duration of
/// 38880000secs/450 days" (`genesyscloud/oauth_client`).
pub(crate) const MAX_SCIM_TTL_SECS: u64 = 38_880_000;

impl ClientFixture {
    /// The token lifetimes this client may have. Genesys does not say how it knows a client
    /// is used for SCIM; a fixture says so with `scim: true` (the mock's choice).
    pub(crate) fn ttl_range(&self) -> std::ops::RangeInclusive<u64> {
        300..=if self.scim {
            MAX_SCIM_TTL_SECS
        } else {
            MAX_TTL_SECS
        }
    }
}

fn default_ttl() -> u64 {
    86_400
}

/// A group.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct GroupFixture {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: GroupType,
    #[serde(default)]
    pub visibility: Visibility,
    #[serde(default)]
    pub external_id: Option<String>,
    /// Member user ids.
    #[serde(default)]
    pub members: Vec<String>,
    /// The version and times to restore (an export writes them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<super::stamp::RecordMeta>,
}

#[cfg(test)]
mod debug_tests {
    use super::*;

    #[test]
    fn debug_hides_the_client_secret() {
        let shown = format!(
            "{:?}",
            ClientFixture {
                id: "c1".into(),
                secret: "s3cret-client".into(),
                name: None,
                token_ttl_secs: 300,
                scim: false,
                rate_limit_per_minute: None,
                token_rate_limit_per_minute: None,
                role_divisions: None,
            }
        );
        crate::base::secret::assert_hidden(&shown, "s3cret-client", "c1");
    }
}
