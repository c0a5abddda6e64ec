//! Reading fixture documents: files and directories, JSON parsing, the format version, and the
//! record-by-record shape checks that make an error name its record and field.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::error::{Error, err};
use super::format::{
    ClientFixture, FORMAT_VERSION, FixtureFile, GroupFixture, OrgFixture, RawUser, SCHEMA_FILE,
};
use crate::genesys::permission::Permission;

/// The fixture files a path names: the file itself, or every `*.json` file of a directory
/// (sorted by name, `schema.json` excepted).
pub(crate) fn fixture_files(path: &Path) -> Result<Vec<PathBuf>, Error> {
    let shown = path.display().to_string();
    if !path.is_dir() {
        return Ok(vec![path.to_owned()]);
    }
    let mut v: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| {
            err(
                &shown,
                "(directory)",
                None,
                format!("cannot read directory: {e}"),
            )
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        // The format's own JSON Schema ships next to the fixtures; it is not a fixture.
        .filter(|p| p.file_name().is_none_or(|n| n != SCHEMA_FILE))
        .collect();
    v.sort();
    if v.is_empty() {
        return Err(err(
            &shown,
            "(directory)",
            None,
            "no *.json fixture files found",
        ));
    }
    Ok(v)
}

/// Reads and parses one fixture file; the name is the path as shown in errors.
pub(crate) fn read_file(f: &Path) -> Result<(String, FixtureFile), Error> {
    let name = f.display().to_string();
    let text = std::fs::read_to_string(f)
        .map_err(|e| err(&name, "(file)", None, format!("cannot read file: {e}")))?;
    parse(&name, &text).map(|doc| (name, doc))
}

/// Parses JSON text; a syntax error is placed by line and column.
pub(crate) fn json_document(file: &str, text: &str) -> Result<Value, Error> {
    located(file, serde_json::from_str(text))
}

/// [`json_document`] refusing a duplicate key in any object, as request bodies do
/// ([`crate::base::strict_json`]): a fixture that says `"userName"` twice says two things.
fn strict_document(file: &str, text: &str) -> Result<Value, Error> {
    located(file, crate::base::strict_json::parse(text.as_bytes()))
}

fn located(file: &str, parsed: serde_json::Result<Value>) -> Result<Value, Error> {
    parsed.map_err(|e| {
        err(
            file,
            format!("line {} column {}", e.line(), e.column()),
            None,
            format!("invalid JSON: {e}"),
        )
    })
}

/// Parses one fixture document. JSON and shape errors name the line and column; a duplicate
/// key anywhere is a JSON error.
pub(crate) fn parse(file: &str, text: &str) -> Result<FixtureFile, Error> {
    let value = strict_document(file, text)?;
    let version = value.get("version").and_then(Value::as_u64);
    if version != Some(u64::from(FORMAT_VERSION)) {
        return Err(err(
            file,
            "(document)",
            Some("version"),
            format!(
                "must be {FORMAT_VERSION}, got {}",
                value
                    .get("version")
                    .map_or("nothing".to_owned(), Value::to_string)
            ),
        ));
    }
    check_shape(file, &value)?;
    serde_json::from_value(value).map_err(|e| {
        let msg = e.to_string();
        err(file, "(document)", serde_field(&msg).as_deref(), msg)
    })
}

/// Parses one fixture document with its user records left as raw text, borrowed from `text`:
/// start-up's path, which never builds the whole document as one JSON tree. The typed parse
/// checks everything [`parse`] does (every record type rejects unknown fields and repeated
/// ones, `compat` repeated keys); when it fails, [`parse`] runs to place the error by record
/// and field. User records are checked for repeated keys as they are read
/// ([`super::format::UserRecord`]).
pub(crate) fn parse_raw<'a>(file: &str, text: &'a str) -> Result<FixtureFile<RawUser<'a>>, Error> {
    let fast = match serde_json::from_str::<FixtureFile<RawUser<'a>>>(text) {
        Ok(doc) if doc.version == FORMAT_VERSION => return Ok(doc),
        Ok(_) => None,
        Err(e) => Some(e.to_string()),
    };
    Err(match parse(file, text) {
        Err(located) => located,
        Ok(_) => {
            let msg = fast.unwrap_or_default();
            err(file, "(document)", serde_field(&msg).as_deref(), msg)
        }
    })
}

/// Keys a record may carry, for reference types defined outside this module (which accept
/// unknown fields when deserialized): a typo in a fixture should fail, not vanish.
const DIVISION_KEYS: &[&str] = &["id", "name", "home"];
const NAMED_KEYS: &[&str] = &["id", "name"];
const ROLE_KEYS: &[&str] = &["id", "name", "permissions"];
const LIMIT_KEYS: &[&str] = &[
    "externalIdsPerUser",
    "skillsPerUser",
    "languagesPerUser",
    "groupsPerUser",
    "membersPerGroup",
    "patchOperations",
    "usersPerOrg",
    "groupsPerOrg",
];

/// Checks the document record by record, so a shape error names the record and the field
/// rather than only the document.
fn check_shape(file: &str, doc: &Value) -> Result<(), Error> {
    let obj = doc
        .as_object()
        .ok_or_else(|| err(file, "(document)", None, "must be a JSON object"))?;
    unknown_keys(file, "(document)", obj, &["$schema", "version", "orgs"])?;
    let orgs = match obj.get("orgs") {
        Some(Value::Array(a)) => a,
        _ => {
            return Err(err(
                file,
                "(document)",
                Some("orgs"),
                "must be an array of orgs",
            ));
        }
    };
    for (i, org) in orgs.iter().enumerate() {
        let place = format!("orgs[{i}]");
        let Some(o) = org.as_object() else {
            return Err(err(file, place, None, "an org must be a JSON object"));
        };
        let items = |key: &str| o.get(key).and_then(Value::as_array).into_iter().flatten();
        let at = |key: &str, j: usize, v: &Value| {
            let id = v.get("id").and_then(Value::as_str).unwrap_or("");
            format!("orgs[{i}].{key}[{j}] (id {id:?})")
        };
        for (key, allowed) in [
            ("divisions", DIVISION_KEYS),
            ("roles", ROLE_KEYS),
            ("skills", NAMED_KEYS),
            ("languages", NAMED_KEYS),
        ] {
            for (j, v) in items(key).enumerate() {
                let rec = v
                    .as_object()
                    .ok_or_else(|| err(file, at(key, j, v), None, "must be a JSON object"))?;
                unknown_keys(file, &at(key, j, v), rec, allowed)?;
                for k in ["id", "name"] {
                    if !rec.get(k).is_some_and(Value::is_string) {
                        return Err(err(file, at(key, j, v), Some(k), "a string is required"));
                    }
                }
                if let Some(perms) = rec.get("permissions") {
                    permissions(file, &at(key, j, v), perms)?;
                }
            }
        }
        if let Some(Value::Object(l)) = o.get("limits") {
            unknown_keys(file, &format!("{place}.limits"), l, LIMIT_KEYS)?;
        }
        for (j, v) in items("oauthClients").enumerate() {
            typed::<ClientFixture>(file, &at("oauthClients", j, v), v)?;
        }
        for (j, v) in items("groups").enumerate() {
            typed::<GroupFixture>(file, &at("groups", j, v), v)?;
        }
        serde_json::from_value::<OrgFixture>(org.clone()).map_err(|e| {
            let msg = e.to_string();
            err(file, place.clone(), serde_field(&msg).as_deref(), msg)
        })?;
    }
    Ok(())
}

/// A role's `permissions`: an array of Genesys permission strings; the error names the element.
fn permissions(file: &str, place: &str, v: &Value) -> Result<(), Error> {
    let list = v.as_array().ok_or_else(|| {
        err(
            file,
            place,
            Some("permissions"),
            "must be an array of permission strings (domain:entity:action)",
        )
    })?;
    for (k, p) in list.iter().enumerate() {
        let field = format!("permissions[{k}]");
        let text = p
            .as_str()
            .ok_or_else(|| err(file, place, Some(&field), "a string is required"))?;
        Permission::parse(text).map_err(|why| err(file, place, Some(&field), why))?;
    }
    Ok(())
}

fn typed<T: serde::de::DeserializeOwned>(file: &str, place: &str, v: &Value) -> Result<T, Error> {
    serde_json::from_value(v.clone()).map_err(|e| {
        let msg = e.to_string();
        err(file, place, serde_field(&msg).as_deref(), msg)
    })
}

/// Rejects a key outside `allowed`, naming it and the keys that are.
pub(crate) fn unknown_keys(
    file: &str,
    place: &str,
    obj: &serde_json::Map<String, Value>,
    allowed: &[&str],
) -> Result<(), Error> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(err(
            file,
            place,
            Some(k),
            format!(
                "unknown field {k:?}; expected one of {}",
                allowed.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

/// The field a serde message is about: the first name in backticks (`unknown field `x``,
/// `missing field `x``).
pub(super) fn serde_field(msg: &str) -> Option<String> {
    let start = ["unknown field `", "missing field `"]
        .iter()
        .find_map(|p| msg.find(p).map(|i| i + p.len()))?;
    let len = msg[start..].find('`')?;
    Some(msg[start..start + len].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_version_and_bad_json_are_reported() {
        assert_eq!(
            parse("f", r#"{"version":2,"orgs":[]}"#)
                .unwrap_err()
                .field
                .as_deref(),
            Some("version")
        );
        assert!(parse("f", "{").unwrap_err().record.contains("line 1"));
    }

    /// The raw-text parse accepts what `parse` accepts and rejects what it rejects, with the
    /// same located error.
    #[test]
    fn the_raw_parse_agrees_with_the_located_parse() {
        let good = r#"{"version":1,"orgs":[{"id":"o","divisions":[{"id":"d","name":"Home"}],
            "users":[{"id":"u","userName":"a@x.org","displayName":"A"}]}]}"#;
        let raw = parse_raw("f", good).unwrap();
        assert_eq!(
            raw.orgs[0].users[0].get(),
            r#"{"id":"u","userName":"a@x.org","displayName":"A"}"#
        );
        assert_eq!(parse("f", good).unwrap().orgs[0].users.len(), 1);
        for bad in [
            r#"{"version":2,"orgs":[]}"#,
            "{",
            r#"{"version":1,"orgs":[{"id":"o","divisions":[{"id":"d","name":"Home","colour":"red"}]}]}"#,
            r#"{"version":1,"orgs":[{"id":"o","limits":{"skillPerUser":3}}]}"#,
            r#"{"version":1,"orgs":[{"id":"o","roles":[{"id":"r","name":"x","extra":1}]}]}"#,
            r#"{"version":1,"orgs":[{"id":"o","groups":[{"id":"g","name":"G","owner":"x"}]}]}"#,
            r#"{"version":1,"orgs":[{"id":"o","nickname":"x"}]}"#,
        ] {
            assert_eq!(
                parse_raw("f", bad).unwrap_err(),
                parse("f", bad).unwrap_err(),
                "{bad}"
            );
        }
    }
}
