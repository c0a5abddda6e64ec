//! The conversions between fixture records and the domain's, in one place: loading a fixture
//! converts one way ([`crate::seed::build`]), exporting an org (`GET /__admin/orgs/{id}/export`)
//! the other, so a field added to one side is added to both here. What loading checks beyond
//! the conversion (ranges, duplicates, members that exist) stays with loading, where an error
//! can name its file, record and field.

use std::sync::Arc;

use chrono::DateTime;

use crate::genesys::group::Group;
use crate::seed::format::{ClientFixture, GroupFixture};
use crate::seed::stamp::RecordMeta;
use crate::store::OAuthClient;

/// A fixture group as the domain stores it. The version and the dates are the store's to set
/// ([`crate::genesys::org::Org::store_group`] sets them as it stores the group), so they start
/// at 0 and the epoch.
impl From<&GroupFixture> for Group {
    fn from(g: &GroupFixture) -> Self {
        Self {
            id: g.id.clone(),
            name: g.name.clone(),
            description: g.description.clone(),
            kind: g.kind,
            visibility: g.visibility,
            external_id: g.external_id.clone(),
            members: g.members.clone(),
            version: 0,
            date_modified: DateTime::UNIX_EPOCH,
            date_created: DateTime::UNIX_EPOCH,
        }
    }
}

/// A stored group as a fixture holds it, with its version and times in `meta`, which a load
/// keeps (`seed::stamp`), so a restored group answers the ETag its clients saved.
impl From<&Group> for GroupFixture {
    fn from(g: &Group) -> Self {
        Self {
            id: g.id.clone(),
            name: g.name.clone(),
            description: g.description.clone(),
            kind: g.kind,
            visibility: g.visibility,
            external_id: g.external_id.clone(),
            members: g.members.clone(),
            meta: Some(RecordMeta::of(g.version, g.date_created, g.date_modified)),
        }
    }
}

/// A fixture client, bound to the org whose fixture declares it: `(org id, client)`.
impl From<(&str, &ClientFixture)> for OAuthClient {
    fn from((org_id, c): (&str, &ClientFixture)) -> Self {
        Self {
            id: c.id.clone(),
            secret: c.secret.clone(),
            org_id: org_id.to_owned(),
            name: c.name.clone(),
            token_ttl_secs: c.token_ttl_secs,
            scim: c.scim,
            rate_limit_per_minute: c.rate_limit_per_minute,
            token_rate_limit_per_minute: c.token_rate_limit_per_minute,
            role_divisions: c.role_divisions.as_deref().map(Arc::from),
        }
    }
}

/// A stored client as a fixture holds it: its org is the org the fixture is exported from.
impl From<OAuthClient> for ClientFixture {
    fn from(c: OAuthClient) -> Self {
        Self {
            id: c.id,
            secret: c.secret,
            name: c.name,
            token_ttl_secs: c.token_ttl_secs,
            scim: c.scim,
            rate_limit_per_minute: c.rate_limit_per_minute,
            token_rate_limit_per_minute: c.token_rate_limit_per_minute,
            role_divisions: c.role_divisions.map(|p| p.to_vec()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::genesys::group::{GroupType, Visibility};

    /// Every field of a fixture survives the trip into the domain and back.
    #[test]
    fn fixtures_survive_the_trip_to_the_domain_and_back() {
        let group = GroupFixture {
            id: "g1".into(),
            name: "Sales".into(),
            description: Some("d".into()),
            kind: GroupType::Social,
            visibility: Visibility::MembersOnly,
            external_id: Some("e".into()),
            members: vec!["u1".into(), "u2".into()],
            meta: Some(RecordMeta::of(
                0,
                DateTime::UNIX_EPOCH,
                DateTime::UNIX_EPOCH,
            )),
        };
        let back = GroupFixture::from(&Group::from(&group));
        assert_eq!(
            serde_json::to_value(&back).unwrap(),
            serde_json::to_value(&group).unwrap()
        );

        let client = ClientFixture {
            id: "c1".into(),
            secret: "s".into(),
            name: Some("n".into()),
            token_ttl_secs: 38_880_000,
            scim: true,
            rate_limit_per_minute: Some(7),
            token_rate_limit_per_minute: Some(9),
            role_divisions: Some(vec![crate::genesys::permission::RoleDivision {
                role: "SCIM".into(),
                division: "*".into(),
            }]),
        };
        let stored = OAuthClient::from(("o1", &client));
        assert_eq!(stored.org_id, "o1");
        let back = ClientFixture::from(stored);
        assert_eq!(
            serde_json::to_value(&back).unwrap(),
            serde_json::to_value(&client).unwrap()
        );
    }
}
