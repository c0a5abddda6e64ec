//! Read lag: writes reach reads late, as Genesys' directory and search index do.
//!
//! Genesys' own Terraform provider codes around this (`MyPureCloud/terraform-provider-genesyscloud`):
//! it retries `GET /api/v2/users/{id}` on 404 right after creating a user and, after a delete,
//! polls the user search for up to three minutes until it shows the deleted state
//! (`genesyscloud/user/resource_genesyscloud_user.go`); it retries external-id and group reads
//! on 404 after a write (`WithRetriesForRead` in `genesyscloud/external_user` and
//! `genesyscloud/group`), and after deleting an external id polls the user's list for up to
//! 180 s until the pair is gone. The `read-lag` switch reproduces these on every read of the
//! org:
//!
//! - for the lag after a user is created (or revived), reads by id answer 404 (SCIM
//!   `GET /Users/{id}`, platform `GET /api/v2/users/{id}`, the user's external ids) and lists,
//!   filters and searches leave the user out;
//! - for the lag after a user is deleted, lists, filters and searches still show it as it was
//!   just before the delete (a read by id is 404 at once);
//! - for the lag after an external id is added, the user's list, the read by authority and the
//!   lookup by (authority, key) do not show it yet; after one is removed, they still do;
//! - for the lag after a group changes (a membership `PATCH` or `PUT`), group reads (SCIM
//!   `GET /Groups[/{id}]`, platform `GET /api/v2/groups`) show the group as it was before.
//!
//! The lag is counted in reads of the org (`3reads`: the next three reads miss the write, the
//! fourth sees it) or in clock time (`30s`, `1500ms`, read from the controllable clock). Writes
//! themselves are never delayed: a create is unique at once, so a client that retries a create
//! after a 404 gets `409 uniqueness`.
//!
//! # Bounded memory
//!
//! An org remembers its last [`MAX_RECENT`] writes, and group snapshots holding at most
//! [`MAX_GROUP_MEMBERS_HELD`] member ids in all; group snapshots are taken only while the
//! writing request runs under `read-lag`. A write pushed out counts as visible: at worst its
//! lag ends early.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::compat::ReadLag;
use crate::genesys::group::Group;
use crate::genesys::user::{ExternalId, User};

/// The most recent writes an org remembers for the lag.
pub(crate) const MAX_RECENT: usize = 4096;

/// The most member ids the remembered group snapshots hold together (about 4 MB).
pub(crate) const MAX_GROUP_MEMBERS_HELD: usize = 100_000;

/// What a remembered write did.
#[derive(Debug)]
enum Kind {
    Created,
    /// The user as it was just before the delete, which a lagging search still shows.
    Deleted(Box<User>),
    /// An external id the user gained: a lagging read does not show it yet.
    IdAdded(ExternalId),
    /// An external id the user lost: a lagging read still shows it.
    IdRemoved(ExternalId),
    /// The group as it was before a write, which a lagging read shows.
    GroupBefore(Box<Group>),
}

#[derive(Debug)]
struct Write {
    /// The user's id, or the group's for [`Kind::GroupBefore`].
    id: String,
    kind: Kind,
    at_ms: i64,
    /// The org's read count when the write happened.
    at_read: u64,
}

/// An org's recent writes, and its count of reads.
#[derive(Debug, Default)]
pub(crate) struct RecentWrites {
    writes: VecDeque<Write>,
    reads: AtomicU64,
    /// Member ids held by the group snapshots in `writes`.
    members_held: usize,
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

    /// Remembers how a live user's external ids changed from `before` to `after`.
    pub(crate) fn external_ids_changed(
        &mut self,
        user_id: &str,
        before: &[ExternalId],
        after: &[ExternalId],
        now_ms: i64,
    ) {
        for e in after.iter().filter(|e| !before.contains(e)) {
            self.push(user_id, Kind::IdAdded(e.clone()), now_ms);
        }
        for e in before.iter().filter(|e| !after.contains(e)) {
            self.push(user_id, Kind::IdRemoved(e.clone()), now_ms);
        }
    }

    /// Remembers `before`, a group as it was before a write at clock time `now_ms`.
    pub(crate) fn group_changed(&mut self, before: Group, now_ms: i64) {
        let id = before.id.clone();
        self.members_held += before.members.len();
        self.push(&id, Kind::GroupBefore(Box::new(before)), now_ms);
        while self.members_held > MAX_GROUP_MEMBERS_HELD {
            let Some(at) = self
                .writes
                .iter()
                .position(|w| matches!(w.kind, Kind::GroupBefore(_)))
            else {
                break;
            };
            if let Some(w) = self.writes.remove(at) {
                self.forget(&w);
            }
        }
    }

    fn push(&mut self, id: &str, kind: Kind, now_ms: i64) {
        if self.writes.len() >= MAX_RECENT
            && let Some(oldest) = self.writes.pop_front()
        {
            self.forget(&oldest);
        }
        self.writes.push_back(Write {
            id: id.to_owned(),
            kind,
            at_ms: now_ms,
            at_read: self.reads.load(Ordering::Relaxed),
        });
    }

    /// Updates the member count for a write leaving the table.
    fn forget(&mut self, w: &Write) {
        if let Kind::GroupBefore(g) = &w.kind {
            self.members_held = self.members_held.saturating_sub(g.members.len());
        }
    }

    /// Forgets every write (fixture loading: what an org starts with is visible at once).
    pub(crate) fn clear(&mut self) {
        self.writes.clear();
        self.members_held = 0;
    }

    /// Counts one read and returns its number (1 for the first read).
    fn count_read(&self) -> u64 {
        self.reads.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Counts one read at clock time `now_ms` and returns what it does not see yet under `lag`.
    pub(crate) fn unseen(&self, lag: ReadLag, now_ms: i64) -> Unseen<'_> {
        let read = self.count_read();
        let mut out = Unseen::default();
        if lag == ReadLag::Off {
            return out;
        }
        let within = self.writes.iter().filter(|w| match lag {
            ReadLag::Off => false,
            ReadLag::Reads(n) => read.saturating_sub(w.at_read) <= n,
            ReadLag::Millis(ms) => now_ms >= w.at_ms && now_ms - w.at_ms < ms,
        });
        for w in within {
            match &w.kind {
                Kind::Created => out.created.push(&w.id),
                // The latest delete of each id wins.
                Kind::Deleted(u) => {
                    out.deleted.retain(|d| d.id != u.id);
                    out.deleted.push(u);
                }
                Kind::IdAdded(e) => out.ids_added.push((&w.id, e)),
                Kind::IdRemoved(e) => out.ids_removed.push((&w.id, e)),
                // The oldest snapshot within the lag is the group before every lagging write.
                Kind::GroupBefore(g) => {
                    if !out.groups.iter().any(|o| o.id == g.id) {
                        out.groups.push(g);
                    }
                }
            }
        }
        out
    }
}

/// What one read does not see yet (see [`RecentWrites::unseen`]); empty when the lag is off.
#[derive(Debug, Default)]
pub(crate) struct Unseen<'a> {
    /// Users created too recently to be read.
    pub created: Vec<&'a str>,
    /// Users deleted too recently to be gone from lists, as they were before the delete.
    pub deleted: Vec<&'a User>,
    ids_added: Vec<(&'a str, &'a ExternalId)>,
    ids_removed: Vec<(&'a str, &'a ExternalId)>,
    groups: Vec<&'a Group>,
}

impl<'a> Unseen<'a> {
    /// Whether the user was created too recently to be read.
    pub(crate) fn hides_user(&self, id: &str) -> bool {
        self.created.contains(&id)
    }

    /// A user's external ids as this read sees them: without those added too recently, with
    /// those removed too recently (after the others).
    pub(crate) fn external_ids<'u>(&self, user: &'u User) -> Cow<'u, [ExternalId]> {
        let added = |e: &ExternalId| self.ids_added.iter().any(|(u, a)| *u == user.id && *a == e);
        let removed: Vec<&ExternalId> = self
            .ids_removed
            .iter()
            .filter(|(u, e)| *u == user.id && !user.external_ids.contains(e))
            .map(|(_, e)| *e)
            .collect();
        if removed.is_empty() && !user.external_ids.iter().any(added) {
            return Cow::Borrowed(&user.external_ids);
        }
        let mut out: Vec<ExternalId> = user
            .external_ids
            .iter()
            .filter(|e| !added(e))
            .cloned()
            .collect();
        for e in removed {
            if !out.contains(e) {
                out.push(e.clone());
            }
        }
        Cow::Owned(out)
    }

    /// Whether the pair was added too recently to be found.
    pub(crate) fn pair_added(&self, authority: &str, key: &str) -> bool {
        self.ids_added
            .iter()
            .any(|(_, e)| e.authority_name == authority && e.external_key == key)
    }

    /// The id of the user that lost the pair too recently for a read to notice.
    pub(crate) fn pair_removed_from(&self, authority: &str, key: &str) -> Option<&'a str> {
        self.ids_removed
            .iter()
            .rev()
            .find(|(_, e)| e.authority_name == authority && e.external_key == key)
            .map(|(u, _)| *u)
    }

    /// The group as this read sees it: as it was before its lagging writes, or as stored.
    pub(crate) fn group<'g>(&self, stored: &'g Group) -> &'g Group
    where
        'a: 'g,
    {
        self.groups
            .iter()
            .find(|g| g.id == stored.id)
            .copied()
            .unwrap_or(stored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str) -> User {
        User::sample(id)
    }

    fn pair(a: &str, k: &str) -> ExternalId {
        ExternalId {
            authority_name: a.into(),
            external_key: k.into(),
        }
    }

    #[test]
    fn a_create_is_unseen_for_n_reads_or_for_the_lag_in_clock_time() {
        let mut r = RecentWrites::default();
        r.created("a", 1_000);
        let lag = ReadLag::Reads(2);
        let reads: Vec<bool> = (0..3)
            .map(|_| r.unseen(lag, 1_000).hides_user("a"))
            .collect();
        assert_eq!(reads, [true, true, false]);
        let clock = ReadLag::Millis(500);
        assert!(r.unseen(clock, 1_499).hides_user("a"));
        assert!(!r.unseen(clock, 1_500).hides_user("a"));
        assert!(!r.unseen(ReadLag::Off, 1_000).hides_user("a"));
    }

    #[test]
    fn a_delete_is_shown_as_it_was_and_the_table_is_bounded() {
        let mut r = RecentWrites::default();
        let mut before = user("b");
        before.name = "Before".into();
        r.deleted(before, 0);
        let ghosts = r.unseen(ReadLag::Millis(10), 5).deleted;
        assert_eq!(ghosts.len(), 1);
        assert_eq!(ghosts[0].name, "Before");
        for i in 0..MAX_RECENT {
            r.created(&format!("u{i}"), 0);
        }
        assert_eq!(r.writes.len(), MAX_RECENT);
        assert!(
            r.unseen(ReadLag::Millis(10), 5).deleted.is_empty(),
            "pushed out"
        );
    }

    #[test]
    fn external_ids_added_are_hidden_and_removed_ones_kept() {
        let mut r = RecentWrites::default();
        let mut u = user("u");
        u.external_ids = vec![pair("a", "1"), pair("new", "2")];
        r.external_ids_changed("u", &[pair("a", "1"), pair("old", "3")], &u.external_ids, 0);
        let lag = ReadLag::Millis(10);
        let seen = r.unseen(lag, 5);
        assert_eq!(
            seen.external_ids(&u).into_owned(),
            [pair("a", "1"), pair("old", "3")]
        );
        assert!(seen.pair_added("new", "2") && !seen.pair_added("a", "1"));
        assert_eq!(seen.pair_removed_from("old", "3"), Some("u"));
        let later = r.unseen(lag, 10);
        assert!(matches!(later.external_ids(&u), Cow::Borrowed(_)));
    }

    #[test]
    fn a_group_reads_as_before_its_first_lagging_write_and_snapshots_are_bounded() {
        let mut r = RecentWrites::default();
        let mut g = Group::sample("g");
        g.members = vec!["a".into()];
        r.group_changed(g.clone(), 0);
        g.members.push("b".into());
        r.group_changed(g.clone(), 1);
        g.members.push("c".into());
        let seen = r.unseen(ReadLag::Millis(10), 5);
        assert_eq!(seen.group(&g).members, ["a"]);
        assert_eq!(r.unseen(ReadLag::Millis(10), 11).group(&g).members.len(), 3);
        // Big snapshots push the oldest ones out.
        let mut big = Group::sample("big");
        big.members = (0..MAX_GROUP_MEMBERS_HELD).map(|i| i.to_string()).collect();
        r.group_changed(big, 2);
        assert!(r.members_held <= MAX_GROUP_MEMBERS_HELD);
        assert_eq!(
            r.unseen(ReadLag::Millis(10), 5).group(&g).members.len(),
            3,
            "pushed out"
        );
    }
}
