//! The fixture each org was last loaded from, so one org can be reset to it, and the fixtures
//! the server was started with, so everything can.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::fixtures::{FixtureFile, OrgFixture};

/// Org id → fixture, plus the configured documents. Cloning shares them.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    by_org: Arc<Mutex<HashMap<String, OrgFixture>>>,
    configured: Arc<Vec<(String, FixtureFile)>>,
}

impl Sources {
    /// Keeps the configured fixture documents (already read and loaded by `AppState::new`).
    pub fn configured(docs: Vec<(String, FixtureFile)>) -> Self {
        let s = Self {
            by_org: Arc::default(),
            configured: Arc::new(docs),
        };
        s.restore_configured();
        s
    }

    /// Forgets admin-made orgs and imports: every org maps to its configured fixture again.
    pub fn restore_configured(&self) {
        let mut map = self.by_org.lock();
        map.clear();
        for (_, doc) in self.configured.iter() {
            for o in &doc.orgs {
                map.insert(o.id.clone(), o.clone());
            }
        }
    }

    /// The configured documents, for a full reset.
    pub fn configured_docs(&self) -> &[(String, FixtureFile)] {
        &self.configured
    }

    /// The fixture an org was last loaded from.
    pub fn get(&self, org_id: &str) -> Option<OrgFixture> {
        self.by_org.lock().get(org_id).cloned()
    }

    /// Records the fixture an org was loaded from.
    pub fn set(&self, fixture: OrgFixture) {
        self.by_org.lock().insert(fixture.id.clone(), fixture);
    }

    /// Forgets an org.
    pub fn remove(&self, org_id: &str) {
        self.by_org.lock().remove(org_id);
    }
}
