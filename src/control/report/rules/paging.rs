//! How the client reads lists: `page-size` (count over 25) and `incomplete-page-walk`
//! (stopped early, started at 0, overlapping or skipped pages).

use std::collections::HashMap;

use super::{Check, Groups, requests};
use crate::control::report::model::EntryRef;
use crate::control::report::seen::{Body, Seen};
use crate::control::report::sink::Sink;

fn is_list(s: &Seen<'_>) -> bool {
    matches!(s.route(), "users.list" | "groups.list")
}

/// `page-size`.
#[derive(Debug)]
pub(crate) struct PageSize {
    limit: u32,
    counts: Groups<(String, u64)>,
}

impl PageSize {
    pub(crate) fn new(limit: u32) -> Self {
        Self {
            limit,
            counts: Groups::default(),
        }
    }
}

impl Check for PageSize {
    fn observe(&mut self, s: &Seen<'_>, _out: &mut Sink) {
        if !is_list(s) {
            return;
        }
        if let Some(n) = s.param("count").and_then(|c| c.trim().parse::<u64>().ok())
            && n > u64::from(self.limit)
        {
            self.counts.add((s.route().to_owned(), n), s);
        }
    }

    fn finish(&mut self, out: &mut Sink) {
        let limit = self.limit;
        self.counts.report("page-size", out, |(route, n), k| {
            format!("count={n} (over {limit}) on {} to {route}", requests(k))
        });
    }
}

/// One walk through a list: the same route and filter, from a first page on.
#[derive(Debug)]
struct Walk {
    /// One past the highest index read so far.
    next: u64,
    total: u64,
    last_start: u64,
    pages: Vec<EntryRef>,
}

/// `incomplete-page-walk`.
#[derive(Debug, Default)]
pub(crate) struct PageWalk {
    walks: HashMap<(Option<String>, String, String), Walk>,
    order: Vec<(Option<String>, String, String)>,
}

const WALK: &str = "incomplete-page-walk";

impl PageWalk {
    fn close(w: Walk, route: &str, out: &mut Sink) {
        if w.next <= w.total {
            let read = w.next - 1;
            out.finding(
                WALK,
                format!(
                    "{route} has totalResults {} but the client read items 1 to {read} and never asked for startIndex={}",
                    w.total, w.next
                ),
                w.pages,
            );
        }
    }
}

impl Check for PageWalk {
    fn observe(&mut self, s: &Seen<'_>, out: &mut Sink) {
        if !is_list(s) || s.e.status != 200 {
            return;
        }
        let asked = s.param("startIndex").map(|v| v.trim().parse::<i64>());
        if s.param("count").is_some_and(|c| c.trim() == "0") {
            return; // totals only
        }
        let start = match asked {
            None => 1,
            Some(Ok(n)) if n >= 1 => n as u64,
            Some(Ok(_)) => {
                out.finding(
                    WALK,
                    format!(
                        "{} with startIndex={}: SCIM indexes from 1 (a value below 1 is read as 1, so page arithmetic from 0 is off by one)",
                        s.route(),
                        s.param("startIndex").unwrap_or_default()
                    ),
                    vec![EntryRef::of(s.e)],
                );
                1
            }
            Some(Err(_)) => return,
        };
        let v = match s.response() {
            Body::Json(v) => v,
            _ => {
                out.unchecked(WALK, s.e, "the list's response body cannot be read");
                return;
            }
        };
        let (Some(total), Some(returned)) = (
            v["totalResults"].as_u64(),
            v["Resources"].as_array().map(Vec::len),
        ) else {
            return;
        };
        let key = (
            s.e.org.clone(),
            s.route().to_owned(),
            s.param("filter").unwrap_or_default().to_owned(),
        );
        let end = start + returned as u64;
        let walk = match self.walks.remove(&key) {
            Some(w) if start <= 1 => {
                Self::close(w, s.route(), out);
                None
            }
            w => w,
        };
        let mut w = match walk {
            Some(mut w) => {
                if start > w.next {
                    out.finding(
                        WALK,
                        format!(
                            "{} skipped items {} to {}: the page before started at {} and the next asked for startIndex={start}",
                            s.route(),
                            w.next,
                            start - 1,
                            w.last_start
                        ),
                        vec![w.pages.last().cloned().unwrap_or_else(|| EntryRef::of(s.e)), EntryRef::of(s.e)],
                    );
                } else if start < w.next && start != w.last_start {
                    out.finding(
                        WALK,
                        format!(
                            "{} pages overlap: startIndex={start} re-reads items up to {} already read",
                            s.route(),
                            w.next - 1
                        ),
                        vec![w.pages.last().cloned().unwrap_or_else(|| EntryRef::of(s.e)), EntryRef::of(s.e)],
                    );
                }
                w.next = w.next.max(end);
                w.total = total;
                w.last_start = start;
                w
            }
            None => {
                if start > 1 {
                    out.finding(
                        WALK,
                        format!(
                            "{} started at startIndex={start}: items 1 to {} were never read",
                            s.route(),
                            start - 1
                        ),
                        vec![EntryRef::of(s.e)],
                    );
                }
                self.order.push(key.clone());
                Walk {
                    next: end.max(1),
                    total,
                    last_start: start,
                    pages: Vec::new(),
                }
            }
        };
        if w.pages.len() < crate::control::report::model::MAX_ENTRIES_PER_FINDING {
            w.pages.push(EntryRef::of(s.e));
        }
        self.walks.insert(key, w);
    }

    fn finish(&mut self, out: &mut Sink) {
        for key in std::mem::take(&mut self.order) {
            if let Some(w) = self.walks.remove(&key) {
                Self::close(w, &key.1, out);
            }
        }
    }
}
