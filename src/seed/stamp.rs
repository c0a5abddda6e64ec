//! A fixture record's `meta`: the version and times an export wrote, which loading keeps, so a
//! restored org answers the ETags (`meta.version`) and `lastModified` its clients saved.
//!
//! `{"version": "3", "created": "...", "lastModified": "..."}`, every field optional. The
//! version is the ETag's number, written as SCIM writes it (`"3"`), or as a number, or as an
//! ETag (`"\"3\""`, `W/"3"`); the times are RFC 3339. `resourceType` and `location` are
//! accepted and ignored, so a record pasted from a GET answer loads. A record without `meta`
//! loads at version 1, created and modified at load time.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::genesys::org::Stamp;

/// `meta` as a fixture record writes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct RecordMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// Accepted from a pasted GET answer; not kept.
    #[serde(default, skip_serializing)]
    pub resource_type: Option<Value>,
    /// Accepted from a pasted GET answer; not kept (the mock writes its own).
    #[serde(default, skip_serializing)]
    pub location: Option<Value>,
}

impl RecordMeta {
    /// What an export writes for a record at `version`, created and modified at these times.
    pub(crate) fn of(version: u64, created: DateTime<Utc>, modified: DateTime<Utc>) -> Self {
        Self {
            version: Some(Value::String(version.to_string())),
            created: Some(crate::base::clock::format_time(created)),
            last_modified: Some(crate::base::clock::format_time(modified)),
            resource_type: None,
            location: None,
        }
    }

    /// The stamp to restore, or the field at fault (`meta.version`) and why.
    pub(crate) fn stamp(&self) -> Result<Stamp, (&'static str, String)> {
        let version = match &self.version {
            None => None,
            Some(v) => Some(version(v).ok_or_else(|| {
                (
                    "meta.version",
                    format!("expected a version of 1 or more (\"3\", 3 or an ETag), got {v}"),
                )
            })?),
        };
        Ok(Stamp {
            version,
            created: time("meta.created", self.created.as_deref())?,
            modified: time("meta.lastModified", self.last_modified.as_deref())?,
        })
    }
}

/// Takes `meta` out of a SCIM-form user record, read as [`RecordMeta`]: `None` without one.
pub(crate) fn take(body: &mut Value) -> Result<Option<Stamp>, (String, String)> {
    let Some(meta) = body.as_object_mut().and_then(|o| o.remove("meta")) else {
        return Ok(None);
    };
    let meta = RecordMeta::deserialize(&meta).map_err(|e| ("meta".to_owned(), e.to_string()))?;
    meta.stamp()
        .map(Some)
        .map_err(|(field, why)| (field.to_owned(), why))
}

/// A version: a whole number from 1, as a number or as text (`"3"`, `"\"3\""`, `W/"3"`).
fn version(v: &Value) -> Option<u64> {
    let n = match v {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) => {
            let s = s.trim();
            let s = s.strip_prefix("W/").unwrap_or(s);
            s.trim_matches('"').parse().ok()?
        }
        _ => return None,
    };
    (n >= 1).then_some(n)
}

fn time(
    field: &'static str,
    text: Option<&str>,
) -> Result<Option<DateTime<Utc>>, (&'static str, String)> {
    let Some(text) = text else {
        return Ok(None);
    };
    // RFC 3339 writes four-digit years: whatever parses is a time the mock can report.
    crate::base::clock::parse_time(text)
        .map(Some)
        .map_err(|e| (field, e))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn versions_read_in_every_spelling_and_bad_ones_name_the_field() {
        for v in [json!("3"), json!(3), json!("\"3\""), json!("W/\"3\"")] {
            assert_eq!(version(&v), Some(3), "{v}");
        }
        for v in [
            json!("0"),
            json!(-1),
            json!("soon"),
            json!(true),
            json!(1.5),
        ] {
            assert_eq!(version(&v), None, "{v}");
        }
        let mut body = json!({"id": "u", "meta": {"version": "4", "lastModified": "2026-01-02T03:04:05.678Z",
            "resourceType": "User", "location": "http://x/Users/u"}});
        let stamp = take(&mut body).unwrap().unwrap();
        assert_eq!(stamp.version, Some(4));
        assert_eq!(
            stamp
                .modified
                .map(crate::base::clock::format_time)
                .as_deref(),
            Some("2026-01-02T03:04:05.678Z")
        );
        assert!(body.get("meta").is_none());
        let mut bad = json!({"meta": {"created": "yesterday"}});
        assert_eq!(take(&mut bad).unwrap_err().0, "meta.created");
        let mut bad = json!({"meta": {"etag": "1"}});
        assert_eq!(take(&mut bad).unwrap_err().0, "meta");
    }
}
