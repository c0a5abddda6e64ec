//! A stored body: bytes that read as text.
//!
//! Most answers are stored without a copy: the journal keeps the response's own `Bytes` (the
//! ones just sent, reference-counted) whenever redaction changes nothing and nothing is cut,
//! which is every document the mock renders itself. The text is made only when the entry is
//! read (`GET /__admin/requests`, the report, verify, export), and it is the text the journal
//! has always shown: invalid UTF-8 reads as `String::from_utf8_lossy` renders it. Bodies that
//! redaction or a cut changed are stored as that text.

use std::borrow::Cow;

use bytes::Bytes;
use serde::{Serialize, Serializer};

/// A body as the journal holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct Text(Bytes);

impl Text {
    /// Bytes shared as they are: they read as their lossy text.
    pub(crate) fn shared(bytes: Bytes) -> Self {
        Self(bytes)
    }

    /// The text, borrowed unless the bytes are not UTF-8.
    pub(crate) fn as_str(&self) -> Cow<'_, str> {
        lossy(&self.0)
    }

    /// Bytes held (what `--journal-bytes` counts).
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// The raw bytes.
    #[cfg(test)]
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// Bytes as text, invalid UTF-8 replaced. Checked with `str::from_utf8` first, which is many
/// times faster than the lossy decoder on the valid text nearly every body is.
pub(crate) fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(String::from_utf8_lossy(bytes).into_owned()),
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Self(Bytes::from(s))
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Self(Bytes::copy_from_slice(s.as_bytes()))
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_reads_as_the_lossy_text() {
        let t = Text::shared(Bytes::from_static(b"caf\xe9!"));
        assert_eq!(t.as_str(), "caf\u{fffd}!");
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"caf\u{fffd}!\"");
        assert_eq!(t.len(), 5, "what is held, not what is shown");
        assert!(matches!(Text::from("ok").as_str(), Cow::Borrowed("ok")));
    }
}
