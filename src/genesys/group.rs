//! A Genesys group. Groups come only from fixtures: SCIM can read them and change their
//! membership, never create or delete them (Microsoft's Genesys Cloud provisioning tutorial:
//! groups must already exist in Genesys under the same name).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Genesys group type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub(crate) enum GroupType {
    #[default]
    Official,
    Social,
}

/// Genesys group visibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) enum Visibility {
    #[default]
    Public,
    MembersOnly,
    OwnersOnly,
}

impl Visibility {
    /// The name Genesys uses in platform JSON.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::MembersOnly => "members",
            Self::OwnersOnly => "owners",
        }
    }
}

/// A group as Genesys stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Group {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub kind: GroupType,
    pub visibility: Visibility,
    pub external_id: Option<String>,
    /// Member user ids, in the order they were added, without duplicates.
    pub members: Vec<String>,
    pub version: u64,
    pub date_modified: DateTime<Utc>,
    /// When the record was first stored (SCIM `meta.created`, behind the `meta-created` switch).
    #[serde(default)]
    pub date_created: DateTime<Utc>,
}

impl Group {
    /// A public official group with no members, for tests.
    #[cfg(test)]
    pub(crate) fn sample(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            name: id.to_owned(),
            description: None,
            kind: GroupType::Official,
            visibility: Visibility::Public,
            external_id: None,
            members: Vec::new(),
            version: 1,
            date_modified: DateTime::UNIX_EPOCH,
            date_created: DateTime::UNIX_EPOCH,
        }
    }

    /// Whether SCIM can see this group. Genesys syncs membership only for public groups
    /// (Genesys help, "Configure Microsoft Entra ID for Genesys Cloud SCIM (Identity
    /// Management)": "Groups must be set to public").
    pub(crate) fn scim_visible(&self) -> bool {
        self.visibility == Visibility::Public
    }
}
