//! Comparing secrets (client secrets, the admin token) in constant time.
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

#[cfg(test)]
mod tests {
    #[test]
    fn equal_only_when_every_byte_is() {
        assert!(super::matches("s3cret", "s3cret"));
        assert!(!super::matches("s3cret", "s3creT"));
        assert!(!super::matches("s3cre", "s3cret"));
        assert!(!super::matches("", "x"));
    }
}
