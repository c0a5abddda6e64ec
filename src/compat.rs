//! Named compatibility switches: every place where this mock had to choose between what
//! Genesys does, what the RFC says, or what nobody has documented.
//!
//! Each field says what Genesys does (or is believed to do), what RFC 7643/7644 says, and where
//! the default comes from. Switches are set with `--compat NAME=VALUE` (repeatable), per org in
//! fixtures, or per request by a scenario rule, so a test can pin the behaviour it relies on.

use http::StatusCode;
use serde::{Deserialize, Serialize};

/// Filter strictness: what Genesys documents, or the whole RFC grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Only the filters Genesys documents are accepted; anything else is `invalidFilter`.
    #[default]
    Genesys,
    /// The full RFC 7644 §3.4.2.2 filter grammar on every attribute.
    Rfc,
}

/// What to do with user attributes Genesys does not support (`name`, `addresses`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Unsupported {
    /// Accept and drop them, never return them (Genesys, seed 004).
    #[default]
    Drop,
    /// Answer 400 `invalidValue` naming the attribute.
    Reject,
}

/// How a URL-shaped authority sent with raw slashes is routed on the external-id API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum RawSlashAuthority {
    /// The slashes split the path and the call gets 404, as reported in seed 000.
    #[default]
    Reject,
    /// Re-join the segments by matching the authorities the org knows.
    MatchKnown,
}

/// The switches. `Default` is the Genesys behaviour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Compat {
    /// `profile`: filter strictness. Default `genesys`.
    pub profile: Profile,
    /// `version-mismatch-status`: the status of a failed `If-Match`. Genesys' parameter docs
    /// say 400 `invalidVers`; its swagger declares 409; RFC 7644 §3.14 says 412. Default 400.
    pub version_mismatch_status: u16,
    /// `patch-replace-creates`: a `replace` whose filtered path matches nothing creates the
    /// element (what Genesys does for Entra's `emails[type eq "work"].value` and phone paths).
    /// RFC 7644 §3.5.2.3 says `noTarget`. Default true.
    pub patch_replace_creates: bool,
    /// `patch-extension-needs-urn`: PATCH paths into extension attributes must be
    /// URN-qualified; a bare `externalIds` is `invalidPath` (seed 000). RFC 7644 only says
    /// SHOULD. Default true.
    pub patch_extension_needs_urn: bool,
    /// `coerce-string-booleans`: accept Entra's `"True"`/`"False"` strings for boolean
    /// attributes. RFC 7643 requires JSON booleans. Default true.
    pub coerce_string_booleans: bool,
    /// `unsupported-attributes`: `drop` (Genesys, seed 004) or `reject`.
    pub unsupported_attributes: Unsupported,
    /// `revive-deleted`: creating a user with a deleted user's userName revives that user under
    /// the same id, active, with roles reset (Genesys help on Okta re-enable). When false, a new
    /// user is created. Default true.
    pub revive_deleted: bool,
    /// `raw-slash-authority`: see [`RawSlashAuthority`]. Default `reject`.
    pub raw_slash_authority: RawSlashAuthority,
    /// `external-id-repost`: re-POSTing an authority the user already has on
    /// `/api/v2/users/{id}/externalid`. `conflict` answers 409 (the forum report: ids can be
    /// added but not updated); `replace` swaps the key. Default `conflict`.
    pub external_id_repost: ExternalIdRepost,
    /// `ratelimit-headers`: emit the `inin-ratelimit-*` headers Genesys removed in 2021.
    /// Default false.
    pub ratelimit_headers: bool,
    /// `large-count-429`: a list with `count` over 25 answers 429, as the SDK docs warn it
    /// "may". Default false.
    pub large_count_429: bool,
}

/// See [`Compat::external_id_repost`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ExternalIdRepost {
    #[default]
    Conflict,
    Replace,
}

impl Default for Compat {
    fn default() -> Self {
        Self {
            profile: Profile::Genesys,
            version_mismatch_status: 400,
            patch_replace_creates: true,
            patch_extension_needs_urn: true,
            coerce_string_booleans: true,
            unsupported_attributes: Unsupported::Drop,
            revive_deleted: true,
            raw_slash_authority: RawSlashAuthority::Reject,
            external_id_repost: ExternalIdRepost::Conflict,
            ratelimit_headers: false,
            large_count_429: false,
        }
    }
}

/// One row of the switch table: name, allowed values, default, meaning. `--help` and the README
/// are generated from, or checked against, this list.
pub const SWITCHES: &[(&str, &str, &str, &str)] = &[
    (
        "profile",
        "genesys|rfc",
        "genesys",
        "filter strictness: Genesys-documented filters only, or the full RFC grammar",
    ),
    (
        "version-mismatch-status",
        "400|409|412",
        "400",
        "status of a failed If-Match (scimType invalidVers)",
    ),
    (
        "patch-replace-creates",
        "true|false",
        "true",
        "PATCH replace on a filtered path with no match creates the element",
    ),
    (
        "patch-extension-needs-urn",
        "true|false",
        "true",
        "PATCH paths into extension attributes must carry the schema URN",
    ),
    (
        "coerce-string-booleans",
        "true|false",
        "true",
        "accept \"True\"/\"False\" strings for boolean attributes",
    ),
    (
        "unsupported-attributes",
        "drop|reject",
        "drop",
        "what happens to user attributes Genesys does not support",
    ),
    (
        "revive-deleted",
        "true|false",
        "true",
        "creating a deleted user's userName revives that user under the same id",
    ),
    (
        "raw-slash-authority",
        "reject|match-known",
        "reject",
        "external-id routes: raw '/' inside an authority splits the path (404) or is re-joined",
    ),
    (
        "external-id-repost",
        "conflict|replace",
        "conflict",
        "POSTing an authority the user already has",
    ),
    (
        "ratelimit-headers",
        "true|false",
        "false",
        "emit the inin-ratelimit-* headers Genesys removed in 2021",
    ),
    (
        "large-count-429",
        "true|false",
        "false",
        "list requests with count over 25 answer 429",
    ),
];

impl Compat {
    /// Sets one switch from its `--compat` name and text value.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        fn boolean(name: &str, value: &str) -> Result<bool, String> {
            match value.to_ascii_lowercase().as_str() {
                "true" | "on" | "yes" | "1" => Ok(true),
                "false" | "off" | "no" | "0" => Ok(false),
                _ => Err(format!("{name}: expected true or false, got {value:?}")),
            }
        }
        fn choice<T: serde::de::DeserializeOwned>(name: &str, value: &str) -> Result<T, String> {
            serde_json::from_value(serde_json::Value::String(value.to_ascii_lowercase())).map_err(
                |_| {
                    let allowed = SWITCHES.iter().find(|s| s.0 == name).map_or("", |s| s.1);
                    format!("{name}: expected one of {allowed}, got {value:?}")
                },
            )
        }
        match name {
            "profile" => self.profile = choice(name, value)?,
            "version-mismatch-status" => {
                self.version_mismatch_status = match value {
                    "400" => 400,
                    "409" => 409,
                    "412" => 412,
                    _ => return Err(format!("{name}: expected 400, 409 or 412, got {value:?}")),
                }
            }
            "patch-replace-creates" => self.patch_replace_creates = boolean(name, value)?,
            "patch-extension-needs-urn" => self.patch_extension_needs_urn = boolean(name, value)?,
            "coerce-string-booleans" => self.coerce_string_booleans = boolean(name, value)?,
            "unsupported-attributes" => self.unsupported_attributes = choice(name, value)?,
            "revive-deleted" => self.revive_deleted = boolean(name, value)?,
            "raw-slash-authority" => self.raw_slash_authority = choice(name, value)?,
            "external-id-repost" => self.external_id_repost = choice(name, value)?,
            "ratelimit-headers" => self.ratelimit_headers = boolean(name, value)?,
            "large-count-429" => self.large_count_429 = boolean(name, value)?,
            _ => {
                let names: Vec<&str> = SWITCHES.iter().map(|s| s.0).collect();
                return Err(format!(
                    "unknown compatibility switch {name:?}; known: {}",
                    names.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// Parses `NAME=VALUE` and applies it.
    pub fn apply_assignment(&mut self, assignment: &str) -> Result<(), String> {
        let (name, value) = assignment
            .split_once('=')
            .ok_or_else(|| format!("expected NAME=VALUE, got {assignment:?}"))?;
        self.set(name.trim(), value.trim())
    }

    /// The status for a failed `If-Match`.
    pub fn version_mismatch(&self) -> StatusCode {
        StatusCode::from_u16(self.version_mismatch_status).unwrap_or(StatusCode::BAD_REQUEST)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_switch_can_be_set_to_its_default() {
        for (name, _, default, _) in SWITCHES {
            let mut c = Compat::default();
            c.set(name, default).unwrap();
            assert_eq!(c, Compat::default(), "{name}={default} is not the default");
        }
    }

    #[test]
    fn assignments_change_switches_and_report_bad_input() {
        let mut c = Compat::default();
        c.apply_assignment("version-mismatch-status=412").unwrap();
        assert_eq!(c.version_mismatch(), StatusCode::PRECONDITION_FAILED);
        c.apply_assignment("raw-slash-authority=match-known")
            .unwrap();
        assert_eq!(c.raw_slash_authority, RawSlashAuthority::MatchKnown);
        assert!(
            c.apply_assignment("profile=strict")
                .unwrap_err()
                .contains("genesys|rfc")
        );
        assert!(
            c.apply_assignment("nope=1")
                .unwrap_err()
                .contains("unknown")
        );
        assert!(c.apply_assignment("revive-deleted").is_err());
    }
}
