//! Secondary indexes over an org's live users, for the filters Genesys documents (`email`,
//! `employeeNumber`, `division`, `manager`, `active`) and for the default list (active users).
//!
//! A user is named by its position in the org's creation-ordered table, which never changes
//! (soft deletes keep the record), so every posting list is a sorted `Vec<u32>`: in list
//! order already, cheap to page (`startIndex=50001` is an index, not a walk), and 4 bytes per
//! entry. Text keys are stored as 64-bit hashes of their normalised form, not as strings, to
//! keep the index small; a hash only proposes candidates, and the caller checks each
//! candidate's stored value (see `genesys::lookup`), so a collision can cost time but never
//! change an answer.
//!
//! Bounds: one posting entry per live user per key kind (state, up to two emails, employee
//! number, division, manager) and one more per active user (its division among active users),
//! so the indexes grow with the user table and nothing else.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

use crate::genesys::user::{User, UserState};

/// Positions of users in creation order, without duplicates. Most keys (an email, an
/// employee number, a userName hash) name one user, which is kept inline without a heap
/// allocation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum Posting {
    #[default]
    Empty,
    One(u32),
    Many(Vec<u32>),
}

impl Posting {
    /// Adds a position, keeping the order. New users append, which is O(1).
    pub(crate) fn insert(&mut self, pos: u32) {
        match self {
            Self::Empty => *self = Self::One(pos),
            Self::One(p) if *p == pos => {}
            Self::One(p) => {
                let p = *p;
                *self = Self::Many(if p < pos { vec![p, pos] } else { vec![pos, p] });
            }
            Self::Many(v) => match v.last() {
                Some(last) if *last < pos => v.push(pos),
                _ => {
                    if let Err(at) = v.binary_search(&pos) {
                        v.insert(at, pos);
                    }
                }
            },
        }
    }

    /// Removes a position if present.
    pub(crate) fn remove(&mut self, pos: u32) {
        match self {
            Self::One(p) if *p == pos => *self = Self::Empty,
            Self::Many(v) => {
                if let Ok(at) = v.binary_search(&pos) {
                    v.remove(at);
                }
                if v.is_empty() {
                    *self = Self::Empty;
                }
            }
            _ => {}
        }
    }

    /// The positions, in creation order.
    pub(crate) fn as_slice(&self) -> &[u32] {
        match self {
            Self::Empty => &[],
            Self::One(p) => std::slice::from_ref(p),
            Self::Many(v) => v,
        }
    }

    /// Whether no user is listed.
    pub(crate) fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }
}

/// What a user is indexed under. Computed from the stored form only.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Keys {
    state: Option<UserState>,
    emails: [Option<u64>; 2],
    employee: Option<u64>,
    division: Option<u64>,
    manager: Option<u64>,
}

/// The indexes of one org.
#[derive(Debug, Clone, Default)]
pub(crate) struct UserIndexes {
    hasher: RandomState,
    active: Posting,
    inactive: Posting,
    /// Lower-cased `userName` (`contactInfo.email_main`) and work email.
    email: HashMap<u64, Posting>,
    /// Lower-cased `employeeNumber` (not case-exact in the schema).
    employee: HashMap<u64, Posting>,
    /// Division id.
    division: HashMap<u64, Posting>,
    /// Division id, active users only: the default list shows active users, so `division eq`
    /// there is this posting as it is (its total a length) rather than the division's users
    /// minus the inactive ones.
    active_division: HashMap<u64, Posting>,
    /// Manager id (case-exact).
    manager: HashMap<u64, Posting>,
}

/// Which text index a lookup reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextKey {
    /// `email` / `emails.value`: lower-cased.
    Email,
    /// `employeeNumber`: lower-cased.
    Employee,
    /// A division id, as stored.
    Division,
    /// A manager id, as stored.
    Manager,
}

impl TextKey {
    fn normalise(self, text: &str) -> std::borrow::Cow<'_, str> {
        match self {
            Self::Email | Self::Employee => std::borrow::Cow::Owned(text.to_lowercase()),
            Self::Division | Self::Manager => std::borrow::Cow::Borrowed(text),
        }
    }
}

impl UserIndexes {
    fn hash(&self, key: TextKey, text: &str) -> u64 {
        self.hasher.hash_one(key.normalise(text).as_ref())
    }

    /// The fields read here are the ones `org::same_index_keys` compares before a write
    /// skips the index update: a field added here must be added there.
    fn keys(&self, user: &User) -> Keys {
        if !user.is_live() {
            return Keys {
                state: None,
                emails: [None, None],
                employee: None,
                division: None,
                manager: None,
            };
        }
        let main = self.hash(TextKey::Email, &user.email);
        let work = user
            .work_email
            .as_deref()
            .map(|w| self.hash(TextKey::Email, w))
            .filter(|w| *w != main);
        Keys {
            state: Some(user.state),
            emails: [Some(main), work],
            employee: user
                .employee_id
                .as_deref()
                .map(|e| self.hash(TextKey::Employee, e)),
            division: Some(self.hash(TextKey::Division, &user.division_id)),
            manager: user
                .manager_id
                .as_deref()
                .map(|m| self.hash(TextKey::Manager, m)),
        }
    }

    /// Moves the user at `pos` from what `before` was indexed under to what `after` is.
    /// Either may be `None` (a new user; a user leaving the table does not happen).
    pub(crate) fn update(&mut self, pos: u32, before: Option<&User>, after: &User) {
        let old = before.map(|u| self.keys(u));
        let new = self.keys(after);
        if old.as_ref() == Some(&new) {
            return;
        }
        let old = old.unwrap_or(Keys {
            state: None,
            emails: [None, None],
            employee: None,
            division: None,
            manager: None,
        });
        if old.state != new.state {
            if let Some(p) = self.state_posting(old.state) {
                p.remove(pos);
            }
            if let Some(p) = self.state_posting(new.state) {
                p.insert(pos);
            }
        }
        if old.emails != new.emails {
            for h in old.emails.into_iter().flatten() {
                unlist(&mut self.email, h, pos);
            }
            for h in new.emails.into_iter().flatten() {
                self.email.entry(h).or_default().insert(pos);
            }
        }
        let active = |k: &Keys| k.division.filter(|_| k.state == Some(UserState::Active));
        for (map, o, n) in [
            (&mut self.active_division, active(&old), active(&new)),
            (&mut self.employee, old.employee, new.employee),
            (&mut self.division, old.division, new.division),
            (&mut self.manager, old.manager, new.manager),
        ] {
            if o != n {
                if let Some(h) = o {
                    unlist(map, h, pos);
                }
                if let Some(h) = n {
                    map.entry(h).or_default().insert(pos);
                }
            }
        }
    }

    fn state_posting(&mut self, state: Option<UserState>) -> Option<&mut Posting> {
        match state? {
            UserState::Active => Some(&mut self.active),
            UserState::Inactive => Some(&mut self.inactive),
            UserState::Deleted => None,
        }
    }

    /// Live users in a state (`Active` or `Inactive`; `Deleted` lists nobody).
    pub(crate) fn in_state(&self, state: UserState) -> &[u32] {
        match state {
            UserState::Active => self.active.as_slice(),
            UserState::Inactive => self.inactive.as_slice(),
            UserState::Deleted => &[],
        }
    }

    /// Whether two texts share an index entry (equal, or a hash collision).
    pub(crate) fn same_entry(&self, key: TextKey, a: &str, b: &str) -> bool {
        self.hash(key, a) == self.hash(key, b)
    }

    /// Candidates for a text key: every live user indexed under it, and possibly a few
    /// others (hash collisions), which the caller filters out.
    pub(crate) fn candidates(&self, key: TextKey, text: &str) -> &[u32] {
        let map = match key {
            TextKey::Email => &self.email,
            TextKey::Employee => &self.employee,
            TextKey::Division => &self.division,
            TextKey::Manager => &self.manager,
        };
        map.get(&self.hash(key, text)).map_or(&[], |p| p.as_slice())
    }

    /// [`UserIndexes::candidates`] for a division id, active users only.
    pub(crate) fn active_in_division(&self, id: &str) -> &[u32] {
        self.active_division
            .get(&self.hash(TextKey::Division, id))
            .map_or(&[], |p| p.as_slice())
    }
}

fn unlist(map: &mut HashMap<u64, Posting>, h: u64, pos: u32) {
    if let Some(p) = map.get_mut(&h) {
        p.remove(pos);
        if p.is_empty() {
            map.remove(&h);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postings_stay_sorted_and_unique() {
        let mut p = Posting::default();
        for pos in [5, 1, 9, 5, 3, 12] {
            p.insert(pos);
        }
        assert_eq!(p.as_slice(), [1, 3, 5, 9, 12]);
        p.remove(5);
        p.remove(7);
        assert_eq!(p.as_slice(), [1, 3, 9, 12]);
        let mut one = Posting::default();
        one.insert(4);
        one.insert(4);
        assert_eq!(one, Posting::One(4));
        one.remove(4);
        assert!(one.is_empty());
    }
}
