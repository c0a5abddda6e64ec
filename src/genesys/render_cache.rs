//! A small, bounded cache of users' rendered SCIM documents, so that reading the same users
//! again (a client polling a user, paging the same page, looking a user up by a filter) copies
//! bytes instead of rendering some twenty values through `serde_json`.
//!
//! What is cached: only the unprojected document (no `attributes`/`excludedAttributes`), of
//! users in the org's table (not the `read-lag` ghosts of deleted users), as the bytes a
//! response sends. A document depends on the user, on the org (division, role, skill and
//! language names, group memberships) and on the view (the request's SCIM base URL and the
//! switches that change rendering, `View::switches`). The view is part of each entry's key; the org's part is a
//! generation that every write to the org bumps ([`RenderCache::invalidate`], called by every
//! `Org` method that changes a user or a group), so an entry is never served after anything it
//! was rendered from changed. That is coarse on purpose: one rule, no dependency tracking, and
//! a write-heavy org simply misses.
//!
//! Bounds: [`SLOTS`] entries per org (direct-mapped by table position, so a slot holds the
//! latest user rendered there), each at most [`MAX_DOCUMENT`] bytes (larger documents are
//! rendered every time): at most 1 MiB of documents per org, allocated on the first render.
//! The bench's memory figures are taken before any render.

use std::sync::OnceLock;

use bytes::Bytes;
use parking_lot::Mutex;

/// Entries per org.
pub(crate) const SLOTS: usize = 256;

/// The largest document kept, in bytes (a typical user renders to 1 to 3 KB).
pub(crate) const MAX_DOCUMENT: usize = 4 * 1024;

/// What a cached document was rendered for.
#[derive(Debug)]
struct Entry {
    pos: u32,
    generation: u64,
    switches: u8,
    base: Box<str>,
    bytes: Bytes,
}

/// The cache of one org. Readers share the org's read lock, so each slot has its own
/// (uncontended unless two requests read the same user at once, and held for a pointer copy).
#[derive(Debug, Default)]
pub(crate) struct RenderCache {
    /// Bumped by every write to the org; entries of an older generation are stale.
    generation: u64,
    slots: OnceLock<Box<[Mutex<Option<Entry>>]>>,
}

impl RenderCache {
    /// Forgets every entry (they become stale; their memory is reused as slots refill).
    pub(crate) fn invalidate(&mut self) {
        self.generation += 1;
    }

    fn slot(&self, pos: u32) -> &Mutex<Option<Entry>> {
        let slots = self
            .slots
            .get_or_init(|| (0..SLOTS).map(|_| Mutex::new(None)).collect());
        &slots[pos as usize % SLOTS]
    }

    /// The org's current generation: what a write that just stored a user records, so its
    /// answer, rendered after the write lock is released, reads and fills only entries of
    /// the state it wrote.
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// The document of the user at `pos` for this view, as rendered from the org at
    /// `generation` (the current one, for a read under the org's lock), if it is cached.
    pub(crate) fn get(&self, pos: u32, generation: u64, base: &str, switches: u8) -> Option<Bytes> {
        let slot = self.slot(pos).lock();
        slot.as_ref()
            .filter(|e| {
                e.pos == pos
                    && e.generation == generation
                    && e.switches == switches
                    && *e.base == *base
            })
            .map(|e| e.bytes.clone())
    }

    /// Keeps the document of the user at `pos` for this view, rendered from the org at
    /// `generation`: only while that is the current generation (a later write makes it stale
    /// at once), and unless it is too large.
    pub(crate) fn put(&self, pos: u32, generation: u64, base: &str, switches: u8, bytes: &Bytes) {
        if bytes.len() > MAX_DOCUMENT || generation != self.generation {
            return;
        }
        let mut slot = self.slot(pos).lock();
        // The base is the same for every request of a server almost always: keep its copy.
        let base = match slot.take() {
            Some(old) if *old.base == *base => old.base,
            _ => base.into(),
        };
        *slot = Some(Entry {
            pos,
            generation,
            switches,
            base,
            bytes: bytes.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_keyed_by_position_view_and_generation() {
        let mut c = RenderCache::default();
        let doc = Bytes::from_static(b"{\"id\":\"a\"}");
        let g = c.generation();
        assert_eq!(c.get(3, g, "http://h/scim", 0), None);
        c.put(3, g, "http://h/scim", 0, &doc);
        assert_eq!(c.get(3, g, "http://h/scim", 0), Some(doc.clone()));
        assert_eq!(c.get(3, g, "http://other/scim", 0), None, "another base");
        assert_eq!(c.get(3, g, "http://h/scim", 1), None, "other switches");
        assert_eq!(
            c.get(3 + SLOTS as u32, g, "http://h/scim", 0),
            None,
            "same slot"
        );
        c.invalidate();
        let now = c.generation();
        assert_eq!(
            c.get(3, now, "http://h/scim", 0),
            None,
            "a write makes it stale"
        );
        assert_eq!(
            c.get(3, g, "http://h/scim", 0),
            Some(doc.clone()),
            "still the document of the state it was rendered from"
        );
        c.put(4, g, "http://h/scim", 0, &doc);
        assert_eq!(
            c.get(4, g, "http://h/scim", 0),
            None,
            "a render of an older state is not kept"
        );
    }

    #[test]
    fn large_documents_are_not_kept() {
        let c = RenderCache::default();
        let big = Bytes::from(vec![b' '; MAX_DOCUMENT + 1]);
        c.put(1, c.generation(), "b", 0, &big);
        assert_eq!(c.get(1, c.generation(), "b", 0), None);
    }
}
