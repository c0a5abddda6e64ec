//! The in-memory store: orgs, OAuth clients and issued tokens ([`crate::tokens`]).
//!
//! Each org sits behind its own lock, so suites working in different orgs never wait on each
//! other, and every operation inside one org (which may touch several records: a userName
//! index, group memberships, external ids) is atomic. The locks are `parking_lot` ones: they do
//! not poison, so a handler that panics while holding one cannot wedge the org for everyone
//! after it. No guard is ever held across an `.await`.

use std::collections::HashMap;
use std::sync::Arc;

use dashmap::DashMap;
use parking_lot::RwLock;
use serde::{Deserialize, Serialize};

use crate::genesys::org::Org;
use crate::secret::Secret;
use crate::tokens::TokenTable;

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
    /// Token lifetime in seconds (Genesys allows 300 to 172800; default 86400).
    pub token_ttl_secs: u64,
    /// Requests per minute per token, overriding the server default.
    #[serde(default)]
    pub rate_limit_per_minute: Option<u32>,
}

pub(crate) use crate::tokens::{TableFull, Token};

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
}

impl Store {
    /// An empty store.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces an org.
    pub(crate) fn insert_org(&self, org: Org) -> OrgHandle {
        let id = org.id.clone();
        let handle = Arc::new(RwLock::new(org));
        self.orgs.write().insert(id, handle.clone());
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
        let existed = self.orgs.write().remove(id).is_some();
        self.clients.retain(|_, c| c.org_id != id);
        self.tokens.remove_org(id);
        existed
    }

    /// Replaces every org and client with those of `other` (a store loaded on the side) and
    /// drops every token. The org table is swapped under its lock, so a request sees either
    /// the old orgs or the new ones, never none; a load that fails on the side changes nothing.
    pub(crate) fn replace_with(&self, other: &Store) {
        let fresh = other.orgs.read().clone();
        let mut orgs = self.orgs.write();
        *orgs = fresh;
        self.clients.clear();
        for c in other.clients.iter() {
            self.clients.insert(c.key().clone(), c.value().clone());
        }
        self.tokens.clear();
    }

    /// Removes everything.
    pub(crate) fn clear(&self) {
        self.orgs.write().clear();
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

    /// A client's own rate limit (`rateLimitPerMinute` in fixtures), without copying the
    /// client.
    pub(crate) fn client_rate_limit(&self, id: &str) -> Option<u32> {
        self.clients.get(id).and_then(|c| c.rate_limit_per_minute)
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

    /// Records an issued token (see [`TokenTable::insert`] for the bounds).
    pub(crate) fn insert_token(
        &self,
        value: String,
        token: Token,
        now_ms: i64,
    ) -> Result<(), TableFull> {
        self.tokens.insert(value, token, now_ms)
    }

    /// A token by value.
    pub(crate) fn token(&self, value: &str) -> Option<Token> {
        self.tokens.get(value)
    }

    /// Tokens held, expired ones included (tests check the table's bound).
    #[cfg(test)]
    pub(crate) fn token_count(&self) -> usize {
        self.tokens.len()
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
                rate_limit_per_minute: None,
            }
        );
        assert!(!shown.contains("s3cret-client"), "{shown}");
        assert!(shown.contains("secret: \"<redacted>\""), "{shown}");
        assert!(shown.contains("id: \"c1\""), "{shown}");
    }
}
