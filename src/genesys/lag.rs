//! Read lag: new and deleted users reach reads late, as Genesys' directory and search index do.
//!
//! Genesys' own Terraform provider retries `GET /users/{id}` on 404 right after creating a user,
//! and after a delete waits up to three minutes for the search index to show it
//! (terraform-provider-genesyscloud, `genesyscloud/user/resource_genesyscloud_user.go`). The
//! `read-lag` switch reproduces both on the SCIM user reads:
//!
//! - for the lag after a user is created (or revived), `GET /Users/{id}` answers 404 and lists
//!   and filters leave the user out;
//! - for the lag after a user is deleted, lists and filters still show it as it was just before
//!   the delete (`GET /Users/{id}` is 404 at once).
//!
//! The lag is counted in user reads of the org (`3reads`: the next three `GET /Users/{id}` or
//! `GET /Users` calls miss the write, the fourth sees it) or in clock time (`30s`, `1500ms`,
//! read from the controllable clock). Writes themselves are never delayed: a create is unique
//! at once, so a client that retries a create after a 404 gets `409 uniqueness`.
//!
//! # Bounded memory
//!
//! An org remembers its last [`MAX_RECENT`] creates and deletes. A write pushed out of the table
//! counts as visible: at worst its lag ends early.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::compat::ReadLag;
use crate::genesys::user::User;

/// The most recent writes an org remembers for the lag.
pub(crate) const MAX_RECENT: usize = 4096;

/// What a remembered write did.
#[derive(Debug)]
enum Kind {
    Created,
    /// The user as it was just before the delete, which a lagging search still shows.
    Deleted(Box<User>),
}

#[derive(Debug)]
struct Write {
    id: String,
    kind: Kind,
    at_ms: i64,
    /// The org's read count when the write happened.
    at_read: u64,
}

/// An org's recent creates and deletes, and its count of user reads.
#[derive(Debug, Default)]
pub(crate) struct RecentWrites {
    writes: VecDeque<Write>,
    reads: AtomicU64,
}

impl RecentWrites {
    /// Remembers that `id` was created (or revived) at clock time `now_ms`.
    pub(crate) fn created(&mut self, id: &str, now_ms: i64) {
        self.push(id, Kind::Created, now_ms);
    }

    /// Remembers that `before` was deleted at clock time `now_ms`.
    pub(crate) fn deleted(&mut self, before: User, now_ms: i64) {
        let id = before.id.clone();
        self.push(&id, Kind::Deleted(Box::new(before)), now_ms);
    }

    fn push(&mut self, id: &str, kind: Kind, now_ms: i64) {
        if self.writes.len() >= MAX_RECENT {
            self.writes.pop_front();
        }
        self.writes.push_back(Write {
            id: id.to_owned(),
            kind,
            at_ms: now_ms,
            at_read: self.reads.load(Ordering::Relaxed),
        });
    }

    /// Forgets every write (fixture loading: what an org starts with is visible at once).
    pub(crate) fn clear(&mut self) {
        self.writes.clear();
    }

    /// Counts one user read and returns its number (1 for the first read).
    pub(crate) fn count_read(&self) -> u64 {
        self.reads.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Ids of users created within the lag of read `read` at `now_ms`.
    pub(crate) fn unseen_creates(&self, lag: ReadLag, now_ms: i64, read: u64) -> Vec<&str> {
        self.within(lag, now_ms, read)
            .filter(|w| matches!(w.kind, Kind::Created))
            .map(|w| w.id.as_str())
            .collect()
    }

    /// Users deleted within the lag, as they were before the delete (the latest delete of
    /// each id).
    pub(crate) fn unseen_deletes(&self, lag: ReadLag, now_ms: i64, read: u64) -> Vec<&User> {
        let mut out: Vec<&User> = Vec::new();
        for w in self
            .within(lag, now_ms, read)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
        {
            if let Kind::Deleted(u) = &w.kind
                && !out.iter().any(|o| o.id == u.id)
            {
                out.push(u);
            }
        }
        out
    }

    fn within(&self, lag: ReadLag, now_ms: i64, read: u64) -> impl Iterator<Item = &Write> {
        self.writes.iter().filter(move |w| match lag {
            ReadLag::Off => false,
            ReadLag::Reads(n) => read.saturating_sub(w.at_read) <= n,
            ReadLag::Millis(ms) => now_ms >= w.at_ms && now_ms - w.at_ms < ms,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str) -> User {
        User::sample(id)
    }

    #[test]
    fn a_create_is_unseen_for_n_reads_or_for_the_lag_in_clock_time() {
        let mut r = RecentWrites::default();
        r.created("a", 1_000);
        let lag = ReadLag::Reads(2);
        let reads: Vec<bool> = (0..3)
            .map(|_| !r.unseen_creates(lag, 1_000, r.count_read()).is_empty())
            .collect();
        assert_eq!(reads, [true, true, false]);
        let clock = ReadLag::Millis(500);
        assert_eq!(r.unseen_creates(clock, 1_499, 99), ["a"]);
        assert!(r.unseen_creates(clock, 1_500, 99).is_empty());
        assert!(r.unseen_creates(ReadLag::Off, 1_000, 0).is_empty());
    }

    #[test]
    fn a_delete_is_shown_as_it_was_and_the_table_is_bounded() {
        let mut r = RecentWrites::default();
        let mut before = user("b");
        before.name = "Before".into();
        r.deleted(before, 0);
        let ghosts = r.unseen_deletes(ReadLag::Millis(10), 5, 0);
        assert_eq!(ghosts.len(), 1);
        assert_eq!(ghosts[0].name, "Before");
        for i in 0..MAX_RECENT {
            r.created(&format!("u{i}"), 0);
        }
        assert_eq!(r.writes.len(), MAX_RECENT);
        assert!(
            r.unseen_deletes(ReadLag::Millis(10), 5, 0).is_empty(),
            "pushed out"
        );
    }
}
