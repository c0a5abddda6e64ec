//! The request journal (`control::journal`): a bounded record of every request answered.
//! Imports the request context and route, `edge::response` and below; the pipeline records.
//!
//! Tests ask it what their client actually sent (`GET /__admin/requests`) and how often
//! (`POST /__admin/requests/count`). Memory stays flat however long a suite runs: the oldest
//! entries are dropped first once `--journal-size` entries or `--journal-bytes` bytes are
//! held, and the number dropped is reported so a test can tell a missing request from an
//! evicted one. Each entry is redacted and cut before it is stored ([`truncation`]),
//! and a cut is flagged on the entry and counted.
//!
//! Marks (`POST /__admin/marks`) are named positions between entries, so a report can cover one
//! phase of a test ("first sync", "second sync"). At most [`ring::MAX_MARKS`] are kept, oldest
//! dropped.
//!
//! - [`recorder`]: one request's [`Recording`], from the request context to its entry;
//! - [`ring`]: the [`Journal`], the bounded ring of entries and marks, and its reads;
//! - [`query`]: the [`Matcher`] that selects entries;
//! - [`entry`], [`headers`], [`text`]: an entry and its packed parts;
//! - [`har`]: entries as HAR 1.2, the archive format other tools read;
//! - [`redaction`] and [`truncation`]: what an entry never holds in clear, and how it is cut.

pub(crate) mod entry;
pub(crate) mod har;
pub(crate) mod headers;
pub(crate) mod query;
pub(crate) mod recorder;
pub(crate) mod redaction;
pub(crate) mod ring;
#[cfg(test)]
mod tests_json;
pub(crate) mod text;
pub(crate) mod truncation;

pub(crate) use entry::Entry;
#[cfg(test)]
pub(crate) use headers::Headers;
pub(crate) use query::Matcher;
pub(crate) use recorder::{Recording, ScenarioEffect};
pub(crate) use ring::{Journal, MAX_MARK_NAME, Mark};
#[cfg(test)]
pub(crate) use text::Text;
pub(crate) use truncation::Capacity;
#[cfg(test)]
pub(crate) use truncation::MAX_BODY_TEXT;
