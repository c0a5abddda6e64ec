//! The readers and writers of the rows that hold plain values: the SCIM `externalId` and
//! the Genesys extension's `externalIds`, `userName`, `displayName`, `active` and `dateHire`.

use serde_json::Value;

use super::value::{array, boolean, opt_string};
use super::{Mode, View, WriteCtx};
use crate::compat::Compat;
use crate::error::{ApiError, ApiResult};
use crate::genesys::doc_value::DocValue;
use crate::genesys::user::{ExternalId, SCIM_AUTHORITY, User, UserState};

/// A required string: absent is an error, except on a replace, which keeps the stored value.
fn required(name: &str, v: Option<&Value>, ctx: &WriteCtx<'_>) -> ApiResult<Option<String>> {
    match opt_string(name, v)? {
        Some(s) => Ok(Some(s)),
        None => match ctx.mode {
            Mode::Replace if ctx.previous.is_some() => Ok(None),
            _ => Err(ApiError::invalid_value(format!("{name} is required."))),
        },
    }
}

/// `externalId` is the immutable `x-pc:scimv2:v1` external id, so a PUT that leaves it out
/// (one that carries only the Genesys extension) keeps it rather than clearing it.
pub(super) fn write_external_id(
    u: &mut User,
    v: Option<&Value>,
    ctx: &WriteCtx<'_>,
) -> ApiResult<()> {
    let value = opt_string("externalId", v)?;
    if value.is_none() && ctx.mode == Mode::Replace {
        return Ok(());
    }
    u.set_scim_external_id(value);
    Ok(())
}

pub(super) fn write_user_name(
    u: &mut User,
    v: Option<&Value>,
    ctx: &WriteCtx<'_>,
) -> ApiResult<()> {
    if let Some(name) = required("userName", v, ctx)? {
        let name = name.trim().to_owned();
        if name.is_empty() {
            return Err(ApiError::invalid_value("userName must not be empty."));
        }
        if !user_name_valid(&name, ctx.compat) {
            return Err(ApiError::invalid_value(format!(
                "userName must be an email address (it becomes the main email in Genesys Cloud; username-must-be-email=false lifts this), got {name:?}"
            )));
        }
        u.email = name;
    }
    Ok(())
}

/// Whether a trimmed, non-empty `userName` is acceptable: under `username-must-be-email`, an
/// address (one `@` with text on both sides, no whitespace).
pub(crate) fn user_name_valid(name: &str, compat: &Compat) -> bool {
    !compat.username_must_be_email
        || name
            .split_once('@')
            .is_some_and(|(a, d)| !a.is_empty() && !d.is_empty() && !d.contains('@'))
            && !name.contains(char::is_whitespace)
}

pub(super) fn write_display_name(
    u: &mut User,
    v: Option<&Value>,
    ctx: &WriteCtx<'_>,
) -> ApiResult<()> {
    if let Some(name) = required("displayName", v, ctx)? {
        u.name = name;
    }
    Ok(())
}

pub(super) fn write_active(u: &mut User, v: Option<&Value>, ctx: &WriteCtx<'_>) -> ApiResult<()> {
    // `genesys-defaults=false`: left out on create or removed by a PATCH, `active` is absent
    // from the SCIM view (RFC 7644 §3.5.2.2: "unassigned"); a PUT that omits it keeps it, as
    // in the Genesys profile. The Genesys state stays as it was (active on create).
    if !ctx.compat.genesys_defaults && ctx.mode != Mode::Replace {
        u.active_unset = v.is_none();
    } else if v.is_some() {
        u.active_unset = false;
    }
    if let Some(v) = v {
        let active = boolean("active", v, ctx.compat)?;
        u.state = if active {
            UserState::Active
        } else {
            UserState::Inactive
        };
    }
    Ok(())
}

pub(super) fn write_date_hire(u: &mut User, v: Option<&Value>, _: &WriteCtx<'_>) -> ApiResult<()> {
    u.date_hire = match opt_string("dateHire", v)? {
        None => None,
        Some(text) => Some(hire_date(&text).ok_or_else(|| {
            ApiError::invalid_value(format!(
                "dateHire must be YYYY-MM-DD (or an ISO-8601 date-time), got {text:?}"
            ))
        })?),
    };
    Ok(())
}

/// The stored `hr.dateHire` of a SCIM `dateHire`: `YYYY-MM-DD`, or the date part of an RFC 3339
/// date-time; `None` for anything else.
pub(crate) fn hire_date(text: &str) -> Option<String> {
    // `YYYY-MM-DD`, the form every generated user has, is read digit by digit: chrono's
    // format-string parser costs some 3,000 instructions a date. A valid one is its own
    // canonical form.
    if let [y @ .., b'-', m1, m2, b'-', d1, d2] = text.as_bytes()
        && y.len() == 4
        && y.iter().chain([m1, m2, d1, d2]).all(u8::is_ascii_digit)
    {
        let n = |ds: &[u8]| ds.iter().fold(0, |a, d| a * 10 + u32::from(d - b'0'));
        let year = i32::try_from(n(y)).ok()?;
        return chrono::NaiveDate::from_ymd_opt(year, n(&[*m1, *m2]), n(&[*d1, *d2]))
            .map(|_| text.to_owned());
    }
    hire_date_parsed(text)
}

/// [`hire_date`] through chrono's parser: every other form.
fn hire_date_parsed(text: &str) -> Option<String> {
    let date_part = text.get(..10).unwrap_or(text);
    let parsed = chrono::NaiveDate::parse_from_str(date_part, "%Y-%m-%d").ok()?;
    let tail_ok = text.len() == 10 || chrono::DateTime::parse_from_rfc3339(text).is_ok();
    tail_ok.then(|| parsed.format("%Y-%m-%d").to_string())
}

/// The Genesys extension's `externalIds`, the `x-pc:scimv2:v1` entry among them.
pub(super) fn read_external_ids<'a>(u: &'a User, _: &View<'a>) -> Option<DocValue<'a>> {
    (!u.external_ids.is_empty()).then(|| {
        DocValue::Array(
            u.external_ids
                .iter()
                .map(|e| {
                    DocValue::Object(vec![
                        ("authority", DocValue::Str(&e.authority_name)),
                        ("value", DocValue::Str(&e.external_key)),
                    ])
                })
                .collect(),
        )
    })
}

pub(super) fn write_external_ids(
    u: &mut User,
    v: Option<&Value>,
    ctx: &WriteCtx<'_>,
) -> ApiResult<()> {
    let items = array("externalIds", v)?;
    let mut list: Vec<ExternalId> = u
        .external_ids
        .iter()
        .filter(|e| e.authority_name == SCIM_AUTHORITY)
        .cloned()
        .collect();
    for item in items {
        let authority = opt_string("externalIds.authority", item.get("authority"))?;
        let value = opt_string("externalIds.value", item.get("value"))?;
        let (Some(authority), Some(value)) = (authority, value) else {
            return Err(ApiError::invalid_value(format!(
                "externalIds: each entry needs an authority and a value; got {item}"
            )));
        };
        if authority.starts_with(SCIM_AUTHORITY) {
            // Immutable: it always mirrors externalId.
            continue;
        }
        let id = ExternalId {
            authority_name: authority,
            external_key: value,
        };
        if !list.contains(&id) {
            list.push(id);
        }
    }
    if list.len() > ctx.org.limits.external_ids_per_user {
        return Err(ApiError::invalid_value(format!(
            "externalIds: at most {} external ids per user, got {}",
            ctx.org.limits.external_ids_per_user,
            list.len()
        )));
    }
    u.external_ids = list;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The digit-by-digit reading of `YYYY-MM-DD` answers what chrono's parser answers, for
    /// every day of leap and common years, impossible days, and other forms.
    #[test]
    fn plain_dates_read_as_chrono_reads_them() {
        for year in ["0000", "1900", "1999", "2000", "2023", "2024", "9999"] {
            for month in 0..=13 {
                for day in 0..=32 {
                    let text = format!("{year}-{month:02}-{day:02}");
                    assert_eq!(hire_date(&text), hire_date_parsed(&text), "{text}");
                }
            }
        }
        for text in [
            "2020-1-02",
            "2020-01-2x",
            "+2020-01-0",
            "2020-01-02T10:00:00Z",
            "",
            "2020/01/02",
        ] {
            assert_eq!(hire_date(text), hire_date_parsed(text), "{text}");
        }
        assert_eq!(hire_date("2024-02-29").as_deref(), Some("2024-02-29"));
        assert_eq!(hire_date("2023-02-29"), None);
    }
}
