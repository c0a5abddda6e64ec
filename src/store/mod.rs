//! The in-memory store (part `store`): orgs, OAuth clients and issued tokens ([`tokens`]).
//! Imports `genesys` and the parts below it; `seed` and everything above import the store.
//!
//! Each org sits behind its own lock, so suites working in different orgs never wait on each
//! other, and every operation inside one org (which may touch several records: a userName
//! index, group memberships, external ids) is atomic. The locks are `parking_lot` ones: they do
//! not poison, so a handler that panics while holding one cannot wedge the org for everyone
//! after it. No guard is ever held across an `.await`.

pub(crate) mod tokens;

use std::collections::HashMap;
use std::sync::Arc;

use dashmap::DashMap;
use parking_lot::RwLock;
use serde::{Deserialize, Serialize};

use crate::base::rng::Seeded;
use crate::base::secret::Secret;
use crate::genesys::org::Org;
use crate::genesys::permission::RoleDivision;
use crate::genesys::user_budget::UserBudget;
use crate::store::tokens::TokenTable;

/// A shared handle to one org.
pub(crate) type OrgHandle = Arc<RwLock<Org>>;

/// An OAuth client (client-credentials grant), bound to one org.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OAuthClient {
    pub id: String,
    pub secret: Secret,
    pub org_id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// Token lifetime in seconds: 300 to 172800 (48 hours), or to 38,880,000 (450 days) for a
    /// SCIM client; default 86400 (see `seed::format::ClientFixture::ttl_range`).
    pub token_ttl_secs: u64,
    /// Used for SCIM (fixture `scim: true`), which lets its tokens last beyond 48 hours.
    #[serde(default)]
    pub scim: bool,
    /// Requests per minute per token, overriding the server default.
    #[serde(default)]
    pub rate_limit_per_minute: Option<u32>,
    /// Token requests per minute at `POST /oauth/token`, overriding `--token-rate-limit`.
    #[serde(default)]
    pub token_rate_limit_per_minute: Option<u32>,
    /// The client's grants (`None`: everything allowed). Shared, not copied, with every
    /// request's caller; changed at run time by the admin API ([`Store::set_role_divisions`]).
    #[serde(default)]
    pub role_divisions: Option<Arc<[RoleDivision]>>,
}

pub(crate) use crate::store::tokens::{TableFull, Token};

/// What [`Store::bearer`] finds for a token the store issued.
#[derive(Debug, Clone)]
pub(crate) struct BearerGrant {
    pub token: Token,
    /// The token's org, unless it has been deleted since.
    pub org: Option<OrgHandle>,
    /// The client's `rateLimitPerMinute`, overriding the server's `--rate-limit`.
    pub client_rate_limit: Option<u32>,
    /// The client's `roleDivisions` as they are now (`None`: everything allowed).
    pub role_divisions: Option<Arc<[RoleDivision]>>,
}

/// Orgs the admin API may bring the store to (`POST /__admin/orgs`, an import of a new id).
/// Configured fixtures load whatever they hold; an admin create past this bound is 409 until
/// an org is deleted. Chosen: an admin org is at most one 512 KB body, measured at about
/// 13 MB resident for 5,330 minimal users (with the fixture kept for its reset), so 100 of
/// them stay near 1.3 GB, while parallel suites rarely hold more than a few dozen at once.
pub const MAX_ORGS: usize = 100;

/// Every org, client and token.
#[derive(Debug, Clone, Default)]
pub(crate) struct Store {
    orgs: Arc<RwLock<HashMap<String, OrgHandle>>>,
    clients: Arc<DashMap<String, OAuthClient>>,
    tokens: Arc<TokenTable>,
    /// Users summed over every org ([`crate::genesys::user_budget`]).
    users: Arc<UserBudget>,
}

impl Store {
    /// An empty store.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// A store holding at most `max` users across its orgs (tests of the bound).
    #[cfg(test)]
    pub(crate) fn with_user_bound(max: usize) -> Self {
        Self {
            users: Arc::new(UserBudget::with_max(max)),
            ..Self::default()
        }
    }

    /// Users held across every org, and the bound.
    #[cfg(test)]
    pub(crate) fn user_budget(&self) -> (usize, usize) {
        (self.users.held(), self.users.max())
    }

    /// Adds or replaces an org. Its users count in the store's user budget from now on; a
    /// replaced org's stop counting.
    pub(crate) fn insert_org(&self, mut org: Org) -> OrgHandle {
        let id = org.id.clone();
        self.users.add(org.join_budget(&self.users));
        let handle = Arc::new(RwLock::new(org));
        let old = self.orgs.write().insert(id, handle.clone());
        if let Some(old) = old {
            self.users.release(old.write().leave_budget());
        }
        handle
    }

    /// An org by id.
    pub(crate) fn org(&self, id: &str) -> Option<OrgHandle> {
        self.orgs.read().get(id).cloned()
    }

    /// How many orgs the store holds.
    pub(crate) fn org_count(&self) -> usize {
        self.orgs.read().len()
    }

    /// Every org id, sorted.
    pub(crate) fn org_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.orgs.read().keys().cloned().collect();
        ids.sort();
        ids
    }

    /// Removes an org with its clients and tokens. Returns whether it existed.
    pub(crate) fn remove_org(&self, id: &str) -> bool {
        let removed = self.orgs.write().remove(id);
        let existed = removed.is_some();
        if let Some(old) = removed {
            self.users.release(old.write().leave_budget());
        }
        self.clients.retain(|_, c| c.org_id != id);
        self.tokens.remove_org(id);
        existed
    }

    /// Replaces every org and client with those of `other` (a store loaded on the side) and
    /// drops every token. The org table is swapped under its lock, so a request sees either
    /// the old orgs or the new ones, never none; a load that fails on the side changes nothing.
    pub(crate) fn replace_with(&self, other: &Store) {
        let fresh = other.orgs.read().clone();
        for o in fresh.values() {
            self.users.add(o.write().join_budget(&self.users));
        }
        let old = std::mem::replace(&mut *self.orgs.write(), fresh);
        // Each under its own lock, after the table's is released: what an org gives back is
        // exactly what it holds, however many writes were in flight.
        for o in old.values() {
            self.users.release(o.write().leave_budget());
        }
        self.clients.clear();
        for c in other.clients.iter() {
            self.clients.insert(c.key().clone(), c.value().clone());
        }
        self.tokens.clear();
    }

    /// Removes everything.
    pub(crate) fn clear(&self) {
        let old = std::mem::take(&mut *self.orgs.write());
        for o in old.values() {
            self.users.release(o.write().leave_budget());
        }
        self.clients.clear();
        self.tokens.clear();
    }

    /// Adds or replaces an OAuth client.
    pub(crate) fn insert_client(&self, client: OAuthClient) {
        self.clients.insert(client.id.clone(), client);
    }

    /// A client by id.
    pub(crate) fn client(&self, id: &str) -> Option<OAuthClient> {
        self.clients.get(id).map(|c| c.clone())
    }

    /// Replaces a client's `roleDivisions` (`None`: everything allowed again). The next
    /// request of any of its tokens runs under them; tokens are not touched. Returns whether
    /// the client exists.
    pub(crate) fn set_role_divisions(
        &self,
        id: &str,
        role_divisions: Option<Arc<[RoleDivision]>>,
    ) -> bool {
        match self.clients.get_mut(id) {
            Some(mut c) => {
                c.role_divisions = role_divisions;
                true
            }
            None => false,
        }
    }

    /// The clients of an org.
    pub(crate) fn clients_of(&self, org_id: &str) -> Vec<OAuthClient> {
        let mut v: Vec<OAuthClient> = self
            .clients
            .iter()
            .filter(|c| c.org_id == org_id)
            .map(|c| c.clone())
            .collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }

    /// Records a token made by a test (see [`TokenTable::insert`] for the bounds).
    #[cfg(test)]
    pub(crate) fn insert_token(
        &self,
        value: String,
        token: Token,
        now_ms: i64,
    ) -> Result<(), TableFull> {
        self.tokens.insert(value, token, now_ms)
    }

    /// Marks every token expired by `now_ms` as expired for good (see
    /// `TokenTable::expire_through`): the clock is about to move, maybe back.
    pub(crate) fn expire_tokens_through(&self, now_ms: i64) {
        self.tokens.expire_through(now_ms);
    }

    /// Issues a bearer token to `client`, valid for the client's lifetime from `now_ms` (clock
    /// milliseconds), its value drawn from `rng`. A successful `POST /oauth/token` calls it, and
    /// so do `exec` and the test handle for their own token, which is then neither a request in
    /// the journal nor one a scenario counts. Fails when the token table is full of unexpired
    /// tokens ([`TokenTable::insert`]).
    pub(crate) fn issue_token(
        &self,
        client: &OAuthClient,
        rng: &Seeded,
        now_ms: i64,
    ) -> Result<String, TableFull> {
        let value = rng.token();
        let lifetime_ms = i64::try_from(client.token_ttl_secs)
            .unwrap_or(i64::MAX / 2_000)
            .saturating_mul(1000);
        let token = Token {
            org_id: client.org_id.clone(),
            client_id: client.id.clone(),
            expires_at_ms: now_ms.saturating_add(lifetime_ms),
        };
        self.tokens.insert(value.clone(), token, now_ms)?;
        Ok(value)
    }

    /// Everything the pipeline needs of a bearer token's caller, found in one call when the
    /// request context is built: the token, its org's handle (none once the org is deleted)
    /// and its client's own rate limit and grants. Nothing downstream asks the store about the
    /// caller again.
    pub(crate) fn bearer(&self, value: &str) -> Option<BearerGrant> {
        let token = self.tokens.get(value)?;
        let (client_rate_limit, role_divisions) = self
            .clients
            .get(&token.client_id)
            .map(|c| (c.rate_limit_per_minute, c.role_divisions.clone()))
            .unwrap_or_default();
        Some(BearerGrant {
            org: self.org(&token.org_id),
            client_rate_limit,
            role_divisions,
            token,
        })
    }

    /// Tokens held, expired ones included (tests check the table's bound).
    #[cfg(test)]
    pub(crate) fn token_count(&self) -> usize {
        self.tokens.len()
    }
}

#[cfg(test)]
mod budget_tests {
    use chrono::Utc;

    use super::*;
    use crate::base::rng::Seeded;
    use crate::genesys::user::User;

    fn org_with(id: &str, users: usize) -> Org {
        let mut org = Org::new(id, id, Seeded::new(Some(1)));
        for i in 0..users {
            org.store_user(User::sample(&format!("{id}-{i}")), Utc::now())
                .unwrap();
        }
        org
    }

    fn create(store: &Store, org: &str, user: &str) -> bool {
        let handle = store.org(org).unwrap();
        handle
            .write()
            .store_user(User::sample(user), Utc::now())
            .is_ok()
    }

    #[test]
    fn users_across_orgs_are_bounded_and_leaving_orgs_make_room() {
        let store = Store::with_user_bound(4);
        store.insert_org(org_with("a", 2));
        store.insert_org(org_with("b", 1));
        assert_eq!(store.user_budget(), (3, 4));
        assert!(create(&store, "b", "b-new"));
        assert!(
            !create(&store, "a", "a-new"),
            "the fifth user in all is refused"
        );
        // A change to a user already there still works at the bound.
        let a = store.org("a").unwrap();
        let mut changed = a.read().user("a-0").unwrap().clone();
        changed.title = Some("Lead".into());
        assert!(a.write().store_user(changed, Utc::now()).unwrap());

        assert!(store.remove_org("b"));
        assert_eq!(store.user_budget().0, 2);
        assert!(create(&store, "a", "a-new"));
        // A request still holding the removed org counts against nothing of the store's.
        drop(a);

        // Replacing an org counts the new one instead of the old.
        store.insert_org(org_with("a", 1));
        assert_eq!(store.user_budget().0, 1);

        // A reload swaps every org and the count with it.
        let side = Store::new();
        side.insert_org(org_with("c", 3));
        store.replace_with(&side);
        assert_eq!(store.user_budget().0, 3);
        assert!(create(&store, "c", "c-new"));
        assert!(!create(&store, "c", "c-more"));
        store.clear();
        assert_eq!(store.user_budget().0, 0);
    }

    #[test]
    fn the_refusal_names_the_bound() {
        let store = Store::with_user_bound(0);
        store.insert_org(org_with("a", 0));
        let handle = store.org("a").unwrap();
        let err = handle
            .write()
            .store_user(User::sample("x"), Utc::now())
            .unwrap_err();
        let shown = format!("{err:?}");
        assert!(
            shown.contains("at most 0 users across all its orgs"),
            "{shown}"
        );
        assert!(handle.read().user("x").is_none(), "nothing stored");
    }
}

#[cfg(test)]
mod debug_tests {
    use super::*;

    #[test]
    fn debug_hides_the_client_secret() {
        let shown = format!(
            "{:?}",
            OAuthClient {
                id: "c1".into(),
                secret: "s3cret-client".into(),
                org_id: "o1".into(),
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
