//! A request's headers as the journal stores them: every name and value in one buffer.
//!
//! An entry used to hold a `String` for each name and each value, some fifteen allocations
//! per request that were made, and later freed, by every request the journal recorded. Packed,
//! the headers are one allocation (the text), their offsets kept inline up to
//! [`INLINE`] headers. They are bounded before they get here (`truncation::MAX_HEADERS_TEXT` in
//! all), so the offsets fit in `u32`.

use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer};
use smallvec::SmallVec;

/// Headers whose offsets an entry holds without an allocation: more than most clients send.
pub(crate) const INLINE: usize = 8;

/// Header names and values in arrival order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct Headers {
    /// Each name followed by its value, back to back.
    text: String,
    /// Where each header's name and value end in `text`.
    ends: SmallVec<[(u32, u32); INLINE]>,
}

impl Headers {
    /// Room for `count` headers of `bytes` bytes of names and values in all.
    pub(crate) fn with_capacity(count: usize, bytes: usize) -> Self {
        Self {
            text: String::with_capacity(bytes),
            ends: SmallVec::with_capacity(count),
        }
    }

    /// Appends one header.
    pub(crate) fn push(&mut self, name: &str, value: &str) {
        self.text.push_str(name);
        let name_end = offset(self.text.len());
        self.text.push_str(value);
        self.ends.push((name_end, offset(self.text.len())));
    }

    /// Names and values, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        let mut start = 0;
        self.ends.iter().map(move |&(name_end, value_end)| {
            let (n, v) = (name_end as usize, value_end as usize);
            let pair = (&self.text[start..n], &self.text[n..v]);
            start = v;
            pair
        })
    }

    /// Bytes of names and values together (what `--journal-bytes` counts).
    pub(crate) fn text_len(&self) -> usize {
        self.text.len()
    }
}

/// A buffer offset; the headers' bound keeps it far below `u32::MAX`.
fn offset(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

impl<'a> FromIterator<(&'a str, &'a str)> for Headers {
    fn from_iter<I: IntoIterator<Item = (&'a str, &'a str)>>(iter: I) -> Self {
        let mut h = Self::default();
        for (n, v) in iter {
            h.push(n, v);
        }
        h
    }
}

/// As a list of `[name, value]` pairs, as the journal has always shown them.
impl Serialize for Headers {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.ends.len()))?;
        for pair in self.iter() {
            seq.serialize_element(&pair)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_come_back_in_order_and_serialize_as_pairs() {
        let h: Headers = [("host", "h"), ("x-empty", ""), ("accept", "*/*")]
            .into_iter()
            .collect();
        assert_eq!(
            h.iter().collect::<Vec<_>>(),
            [("host", "h"), ("x-empty", ""), ("accept", "*/*")]
        );
        assert_eq!(h.text_len(), 4 + 1 + 7 + 6 + 3);
        let old: Vec<(String, String)> = h
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(
            serde_json::to_string(&h).unwrap(),
            serde_json::to_string(&old).unwrap()
        );
        assert_eq!(serde_json::to_string(&Headers::default()).unwrap(), "[]");
    }

    #[test]
    fn more_headers_than_fit_inline_keep_their_order() {
        let names: Vec<String> = (0..INLINE * 2 + 1).map(|i| format!("x-{i}")).collect();
        let h: Headers = names.iter().map(|n| (n.as_str(), n.as_str())).collect();
        let back: Vec<&str> = h
            .iter()
            .map(|(n, v)| {
                assert_eq!(n, v);
                n
            })
            .collect();
        assert_eq!(back, names);
    }
}
