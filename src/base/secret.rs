//! Comparing secrets (client secrets, the admin token) in constant time, and keeping them out
//! of `Debug` output.
//!
//! `==` stops at the first differing byte, so its timing tells an attacker how much of a
//! guess is right. [`subtle`] is the standard crate for the alternative: its comparison
//! always reads every byte. Only the length can still show, which reveals nothing useful
//! about a random secret.

use subtle::ConstantTimeEq;

/// Whether `given` equals `expected`, in time that depends only on their lengths.
pub(crate) fn matches(given: &str, expected: &str) -> bool {
    given.as_bytes().ct_eq(expected.as_bytes()).into()
}

/// What a `Debug` impl prints in place of a secret.
pub(crate) const REDACTED: &str = "<redacted>";

/// A client secret: it reads, compares and (de)serializes as its text, and its `Debug` is
/// [`REDACTED`], so a type holding one can derive `Debug` without leaking it.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub(crate) struct Secret(String);

impl Secret {
    /// The text, for the places that hand it on on purpose (exec's environment, the test
    /// handle's credentials, the admin API's org creation answer).
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        REDACTED.fmt(f)
    }
}

/// Shows an optional secret as `Some("<redacted>")` or `None`: whether one is set is worth
/// seeing in a log, its value never is. A `Debug` of a config or client lands in logs and
/// panic messages, which a CI system keeps and shows to anyone who can read the build.
pub(crate) struct Hidden<'a>(pub &'a Option<String>);

impl std::fmt::Debug for Hidden<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.as_ref().map(|_| REDACTED).fmt(f)
    }
}

/// Asserts that a record's `Debug` text (`shown`) hides `secret` behind the `<redacted>`
/// marker and still names the record by `id`: what every type holding a [`Secret`] promises.
#[cfg(test)]
pub(crate) fn assert_hidden(shown: &str, secret: &str, id: &str) {
    assert!(!shown.contains(secret), "{shown}");
    assert!(shown.contains("secret: \"<redacted>\""), "{shown}");
    assert!(shown.contains(&format!("id: \"{id}\"")), "{shown}");
}

#[cfg(test)]
mod tests {
    #[test]
    fn hidden_shows_only_whether_a_secret_is_set() {
        assert_eq!(
            format!("{:?}", super::Hidden(&Some("s3cret".into()))),
            "Some(\"<redacted>\")"
        );
        assert_eq!(format!("{:?}", super::Hidden(&None)), "None");
    }

    #[test]
    fn a_secret_debugs_as_redacted_and_serializes_as_its_text() {
        let s = super::Secret::from("s3cret");
        assert_eq!(format!("{s:?}"), "\"<redacted>\"");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"s3cret\"");
        let back: super::Secret = serde_json::from_str("\"s3cret\"").unwrap();
        assert_eq!(back.expose(), "s3cret");
    }

    #[test]
    fn equal_only_when_every_byte_is() {
        assert!(super::matches("s3cret", "s3cret"));
        assert!(!super::matches("s3cret", "s3creT"));
        assert!(!super::matches("s3cre", "s3cret"));
        assert!(!super::matches("", "x"));
    }
}
