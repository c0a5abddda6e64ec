//! The platform `User` response, shared by `GET /api/v2/users/{id}`, the external-id lookup and
//! the user search (all answer the same shape, `?expand=` included), and the `state` a platform
//! read asks for.

use http::{Response, StatusCode};

use crate::edge::response::{Body, JSON, json_response};
use crate::error::{ApiError, ApiResult};
use crate::genesys::lag::Unseen;
use crate::genesys::org::Org;
use crate::genesys::platform;
use crate::genesys::user::{User, UserState};
use crate::pipeline::context::ApiRequest;

/// `200` with the platform `User`, expanded as `?expand=` asks (comma-separated or repeated).
pub(crate) fn user_response(req: &ApiRequest, user: &User, org: &Org) -> Response<Body> {
    let expand: Vec<String> = req
        .query_pairs()
        .iter()
        .filter(|(k, _)| k == "expand")
        .flat_map(|(_, v)| {
            v.split(',')
                .map(|s| s.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    json_response(StatusCode::OK, JSON, &expanded(user, org, &expand))
}

/// The platform `User` with the expansions named.
pub(crate) fn expanded(user: &User, org: &Org, expand: &[String]) -> serde_json::Value {
    let mut out = platform::user(user, org);
    platform::expand(&mut out, user, org, expand);
    out
}

/// Every user of the org as a lagging list or search sees them, in table order: without those
/// created too recently, and with those deleted too recently as they were before the delete
/// (`read-lag`, [`crate::genesys::lag`]).
pub(crate) fn listed<'a>(org: &'a Org, lag: &Unseen<'a>) -> impl Iterator<Item = &'a User> {
    org.users()
        .filter(|u| !lag.hides_user(&u.id))
        .map(|u| match u.state {
            UserState::Deleted => lag
                .deleted
                .iter()
                .copied()
                .find(|g| g.id == u.id)
                .unwrap_or(u),
            _ => u,
        })
}

/// The user states a platform read asks for, from its `state` query parameter (or a search
/// criterion on `state`).
///
/// The Genesys SDKs document `state` on `GET /api/v2/users/{userId}` as `active` (the default)
/// or `deleted`, and on `GET /api/v2/users` as `active` (the default), `inactive`, `deleted` or
/// `any`. Genesys' Terraform provider reads a deleted user only with `state=deleted` and takes
/// a plain 404 as "gone" (`restoreDeletedUser` in `genesyscloud/user`), so without it a deleted
/// user is not found. On a read by id `active` means "not deleted": an inactive user is read
/// too (inferred; the platform has no separate `inactive` there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct States {
    active: bool,
    inactive: bool,
    deleted: bool,
}

impl States {
    /// Users that are not deleted.
    pub(crate) const LIVE: Self = Self {
        active: true,
        inactive: true,
        deleted: false,
    };

    /// Whether a user in `state` is asked for.
    pub(crate) fn admits(self, state: UserState) -> bool {
        match state {
            UserState::Active => self.active,
            UserState::Inactive => self.inactive,
            UserState::Deleted => self.deleted,
        }
    }

    /// `state` on `GET /api/v2/users/{userId}`: `active` (default: any user not deleted) or
    /// `deleted`.
    pub(crate) fn for_read(req: &ApiRequest) -> ApiResult<Self> {
        match last_state(req) {
            None => Ok(Self::LIVE),
            Some(word) => Self::named(word, &["active", "deleted"], Self::LIVE),
        }
    }

    /// Active users only.
    pub(crate) const ACTIVE: Self = Self {
        active: true,
        inactive: false,
        deleted: false,
    };

    /// `state` on `GET /api/v2/users`: `active` (default), `inactive`, `deleted` or `any`.
    pub(crate) fn for_list(req: &ApiRequest) -> ApiResult<Self> {
        match last_state(req) {
            None => Ok(Self::ACTIVE),
            Some(word) => Self::named(
                word,
                &["active", "inactive", "deleted", "any"],
                Self::ACTIVE,
            ),
        }
    }

    /// One state word among `allowed`, case-insensitively; `active` means `active_means`
    /// ([`Self::LIVE`] on a read by id, [`Self::ACTIVE`] on a list).
    pub(crate) fn named(word: &str, allowed: &[&str], active_means: Self) -> ApiResult<Self> {
        let lower = word.trim().to_ascii_lowercase();
        if !allowed.contains(&lower.as_str()) {
            return Err(ApiError::bad_request(format!(
                "state must be one of {}, got {word:?}.",
                allowed.join(", ")
            )));
        }
        let only = |s: UserState| Self {
            active: s == UserState::Active,
            inactive: s == UserState::Inactive,
            deleted: s == UserState::Deleted,
        };
        Ok(match lower.as_str() {
            "active" => active_means,
            "inactive" => only(UserState::Inactive),
            "deleted" => only(UserState::Deleted),
            _ => Self {
                active: true,
                inactive: true,
                deleted: true,
            },
        })
    }
}

/// The last `state` query value, if any.
fn last_state(req: &ApiRequest) -> Option<&str> {
    req.query_map()
        .get("state")
        .and_then(|v| v.last())
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_words_name_the_states_they_admit() {
        let deleted = States::named("Deleted", &["active", "deleted"], States::LIVE).unwrap();
        assert!(deleted.admits(UserState::Deleted) && !deleted.admits(UserState::Active));
        assert!(
            States::LIVE.admits(UserState::Inactive) && !States::LIVE.admits(UserState::Deleted)
        );
        let err = States::named("gone", &["active", "deleted"], States::LIVE).unwrap_err();
        assert!(err.detail.contains("active, deleted"), "{}", err.detail);
    }
}
