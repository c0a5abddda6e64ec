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

/// Shows an optional secret as `Some("<redacted>")` or `None`: whether one is set is worth
/// seeing in a log, its value never is. A `Debug` of a config or client lands in logs and
/// panic messages, which a CI system keeps and shows to anyone who can read the build.
pub(crate) struct Hidden<'a>(pub &'a Option<String>);

impl std::fmt::Debug for Hidden<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.as_ref().map(|_| REDACTED).fmt(f)
    }
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
    fn equal_only_when_every_byte_is() {
        assert!(super::matches("s3cret", "s3cret"));
        assert!(!super::matches("s3cret", "s3creT"));
        assert!(!super::matches("s3cre", "s3cret"));
        assert!(!super::matches("", "x"));
    }
}
