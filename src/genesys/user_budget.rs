//! The users of every org of a store, counted together: each org is bounded on its own
//! (`limits.usersPerOrg`) and so is the number of admin-created orgs, but their product is
//! not a memory bound anyone would choose. One shared count, reserved by every user created
//! at run time, is.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Users summed over every org of one store, soft-deleted ones included (they keep their
/// record). Chosen: at about 1.7 KB per loaded user, 2,000,000 users stay near 3.4 GB, twice
/// the largest single org (`usersPerOrg` defaults to 1,000,000).
pub const MAX_USERS: usize = 2_000_000;

/// A shared count of users against a bound. Orgs of a store hold the store's budget; an org
/// built on its own (a fixture being loaded, a test) holds a fresh one until the store adopts
/// it.
#[derive(Debug)]
pub(crate) struct UserBudget {
    held: AtomicUsize,
    max: usize,
}

impl Default for UserBudget {
    fn default() -> Self {
        Self::with_max(MAX_USERS)
    }
}

impl UserBudget {
    /// A budget of `max` users, none held.
    pub(crate) fn with_max(max: usize) -> Self {
        Self {
            held: AtomicUsize::new(0),
            max,
        }
    }

    /// A fresh, unshared budget with the default bound.
    pub(crate) fn standalone() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// The bound.
    pub(crate) fn max(&self) -> usize {
        self.max
    }

    /// Users held.
    #[cfg(test)]
    pub(crate) fn held(&self) -> usize {
        self.held.load(Ordering::Relaxed)
    }

    /// Takes one slot, or says there is none. Never passes the bound, however many writers
    /// race for the last slot.
    pub(crate) fn reserve(&self) -> bool {
        self.held
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max).then_some(n + 1)
            })
            .is_ok()
    }

    /// Counts `n` users reserved elsewhere (an org loaded on its own budget joining the
    /// store). Configured fixtures load whatever they hold, as with the org bound, so this may
    /// pass the bound; creates are then refused until users leave.
    pub(crate) fn add(&self, n: usize) {
        self.held.fetch_add(n, Ordering::AcqRel);
    }

    /// Gives back `n` users (an org left the store).
    pub(crate) fn release(&self, n: usize) {
        let _ = self
            .held
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |h| {
                Some(h.saturating_sub(n))
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_stop_at_the_bound_and_releases_make_room() {
        let b = UserBudget::with_max(2);
        assert!(b.reserve() && b.reserve());
        assert!(!b.reserve(), "the third user passes the bound");
        assert_eq!(b.held(), 2);
        b.release(1);
        assert!(b.reserve());
        b.release(10);
        assert_eq!(b.held(), 0, "a release never wraps below zero");
        b.add(5);
        assert!(
            !b.reserve(),
            "a fixture may load past the bound; creates then wait"
        );
        b.release(4);
        assert!(b.reserve());
    }

    #[test]
    fn racing_writers_never_pass_the_bound() {
        let b = Arc::new(UserBudget::with_max(1000));
        let won: usize = std::thread::scope(|s| {
            let hands: Vec<_> = (0..8)
                .map(|_| {
                    let b = &b;
                    s.spawn(move || (0..500).filter(|_| b.reserve()).count())
                })
                .collect();
            hands.into_iter().map(|h| h.join().unwrap()).sum()
        });
        assert_eq!((won, b.held()), (1000, 1000));
    }
}
