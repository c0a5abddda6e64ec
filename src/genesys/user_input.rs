//! Type and size checks on a SCIM user body, before any of it is mapped or stored.
//!
//! Bounds (Genesys publishes none for SCIM; each is named as chosen or sourced):
//! - `userName` at most [`MAX_USER_NAME_BYTES`] bytes: it becomes the user's main email in
//!   Genesys, and RFC 5321 §4.5.3.1.3 limits an address path to 256 octets (254 without the
//!   angle brackets);
//! - every other string at most [`MAX_STRING_BYTES`] bytes (chosen: far above any name,
//!   title or phone number, a quarter of the body limit);
//! - no control characters (U+0000 to U+001F and U+007F, except tab, CR and LF, which a
//!   formatted address may hold) in any string: a NUL is never meant;
//! - the multi-valued complex attributes (`emails`, `phoneNumbers`, ...) hold objects only
//!   (RFC 7643 §2.4: their values are complex).
//!
//! Extensions this mock does not serve are not checked: their contents are dropped unread, as
//! Genesys drops them. Any failure is 400 `invalidValue` naming the attribute.

use serde_json::{Map, Value};

use crate::error::{ApiError, ApiResult};
use crate::scim::schema::is_known_schema_urn;

/// The longest `userName`, in bytes.
pub(crate) const MAX_USER_NAME_BYTES: usize = 254;

/// The longest other string value, in bytes.
pub(crate) const MAX_STRING_BYTES: usize = 128 * 1024;

/// Core attributes whose values are lists of objects.
const COMPLEX_LISTS: &[&str] = &[
    "emails",
    "phoneNumbers",
    "ims",
    "photos",
    "addresses",
    "groups",
    "entitlements",
    "roles",
    "x509Certificates",
];

/// Checks a user body (an object) against the bounds above.
pub(crate) fn check(obj: &Map<String, Value>) -> ApiResult<()> {
    for (key, value) in obj {
        if key.eq_ignore_ascii_case("userName")
            && let Some(name) = value.as_str()
            && name.len() > MAX_USER_NAME_BYTES
        {
            return Err(ApiError::invalid_value(format!(
                "userName is {} bytes; at most {MAX_USER_NAME_BYTES} are accepted (it becomes an email address).",
                name.len()
            )));
        }
        if COMPLEX_LISTS.iter().any(|k| k.eq_ignore_ascii_case(key))
            && let Value::Array(items) = value
            && let Some(i) = items.iter().position(|v| !v.is_object())
        {
            return Err(ApiError::invalid_value(format!(
                "{key}[{i}] must be an object (a complex value), got {}",
                items[i]
            )));
        }
        if key.eq_ignore_ascii_case("userName") && value.is_string() {
            // Its own bound is above; only the characters are checked here.
            if let Some(name) = value.as_str()
                && name.chars().any(|c| c.is_ascii_control())
            {
                return Err(ApiError::invalid_value(
                    "userName contains a control character (NUL, ESC, ...).",
                ));
            }
            continue;
        }
        if key.starts_with("urn:") && !is_known_schema_urn(key) {
            continue;
        }
        strings(key, value)?;
    }
    Ok(())
}

/// Checks every string under `value`, named `path` in errors. Paths below it are built only
/// when something fails: the walk itself allocates nothing.
fn strings(path: &str, value: &Value) -> ApiResult<()> {
    match bad_string(value) {
        None => Ok(()),
        Some((below, problem)) => Err(ApiError::invalid_value(format!("{path}{below} {problem}"))),
    }
}

/// Whether one string value passes the string bounds above.
pub(crate) fn string_ok(value: &Value) -> bool {
    bad_string(value).is_none()
}

/// Whether a string passes the string bounds above (length and control characters).
pub(crate) fn text_ok(s: &str) -> bool {
    // Bytes, not chars: every byte of a non-ASCII character is 0x80 or above, so a control
    // character is exactly a control byte, and the byte loop needs no UTF-8 decoding.
    s.len() <= MAX_STRING_BYTES
        && !s
            .bytes()
            .any(|b| b.is_ascii_control() && !matches!(b, b'\t' | b'\n' | b'\r'))
}

/// Whether a `userName` passes its bounds: at most [`MAX_USER_NAME_BYTES`] bytes, no control
/// character at all.
pub(crate) fn user_name_ok(name: &str) -> bool {
    name.len() <= MAX_USER_NAME_BYTES && !name.bytes().any(|b| b.is_ascii_control())
}

/// The first string under `value` past a bound: where it is (`[0].value`) and what is wrong.
fn bad_string(value: &Value) -> Option<(String, String)> {
    match value {
        Value::String(s) if s.len() > MAX_STRING_BYTES => Some((
            String::new(),
            format!(
                "is {} bytes; at most {MAX_STRING_BYTES} are accepted.",
                s.len()
            ),
        )),
        // Within the length bound (the arm above), so only a control character fails.
        Value::String(s) if !text_ok(s) => Some((
            String::new(),
            "contains a control character (NUL, ESC, ...).".to_owned(),
        )),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| bad_string(v).map(|(below, p)| (format!("[{i}]{below}"), p))),
        Value::Object(map) => map
            .iter()
            .find_map(|(k, v)| bad_string(v).map(|(below, p)| (format!(".{k}{below}"), p))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn checked(v: Value) -> Result<(), String> {
        check(v.as_object().unwrap()).map_err(|e| format!("{e:?}"))
    }

    #[test]
    fn the_reported_inputs_are_refused_and_ordinary_ones_pass() {
        assert!(checked(json!({"userName": "a@b.org", "emails": [1, 2]})).is_err());
        assert!(checked(json!({"userName": format!("{}@b.org", "a".repeat(400_000))})).is_err());
        assert!(checked(json!({"userName": "a\u{0}@b.org"})).is_err());
        assert!(checked(json!({"displayName": "x".repeat(MAX_STRING_BYTES + 1)})).is_err());
        let ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        assert!(checked(json!({ent: {"manager": {"value": "bad\u{7f}"}}})).is_err());
        // An extension this mock does not serve is dropped unread.
        checked(json!({"urn:x:unknown": {"bio": "\u{1}"}})).unwrap();
        checked(json!({
            "userName": "ada@example.com",
            "displayName": "Ada Lovelace",
            "emails": [{"type": "work", "value": "ada@work.example.com"}],
            "active": true,
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"division": "Sales"}
        }))
        .unwrap();
    }
}

#[cfg(test)]
mod byte_tests {
    use super::*;

    /// The byte checks agree with the character rule they replace, for every character up to
    /// U+00FF and a few beyond, alone and inside other text.
    #[test]
    fn byte_checks_match_the_character_rule() {
        let chars = (0u32..=0xff)
            .chain([0x2028, 0x1f600])
            .filter_map(char::from_u32);
        for c in chars {
            for s in [c.to_string(), format!("a{c}é")] {
                let text_rule = !s
                    .chars()
                    .any(|c| c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r'));
                assert_eq!(text_ok(&s), text_rule, "{s:?}");
                assert_eq!(
                    user_name_ok(&s),
                    !s.chars().any(|c| c.is_ascii_control()),
                    "{s:?}"
                );
            }
        }
    }
}
