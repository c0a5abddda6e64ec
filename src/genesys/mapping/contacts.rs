//! The contact lists, `emails` and `phoneNumbers`: Genesys keeps them in fixed slots
//! (`contactInfo.email_main`, `email_work`, `phone_work` … `phone_other`), or, under
//! `contact-lists=as-sent`, as the last write sent them beside the slots they fit.

use serde_json::Value;

use super::value::{array, boolean, get_ci, opt_string};
use super::{Mode, View, WriteCtx};
use crate::compat::ContactLists;
use crate::error::{ApiError, ApiResult};
use crate::genesys::doc_value::DocValue;
use crate::genesys::user::{
    Phone, PhoneKind, PhoneNumber, SENT_CONTACTS_MAX, SentContact, SentContacts, User,
};
use crate::scim::schema::PHONE_TYPES;

pub(super) fn read_emails<'a>(u: &'a User, view: &View<'a>) -> Option<DocValue<'a>> {
    if let Some(sent) = sent_contacts(u, view) {
        return render_sent(&sent.emails);
    }
    let mut list = vec![DocValue::Object(vec![
        ("value", DocValue::Str(&u.email)),
        ("type", DocValue::Str("other")),
        ("primary", DocValue::Bool(true)),
    ])];
    if let Some(w) = &u.work_email {
        list.push(DocValue::Object(vec![
            ("value", DocValue::Str(w)),
            ("type", DocValue::Str("work")),
        ]));
    }
    Some(DocValue::Array(list))
}

pub(super) fn write_emails(u: &mut User, v: Option<&Value>, ctx: &WriteCtx<'_>) -> ApiResult<()> {
    let items = array("emails", v)?;
    if ctx.compat.contact_lists == ContactLists::AsSent {
        let sent = write_sent("emails", items, ctx)?;
        // The Genesys form keeps what it has a slot for: the first work email.
        u.work_email = sent
            .iter()
            .find(|e| {
                e.kind
                    .as_deref()
                    .is_some_and(|k| k.eq_ignore_ascii_case("work"))
            })
            .map(|e| e.value.clone());
        u.sent_contacts.get_or_insert_default().emails = sent;
        return Ok(());
    }
    let mut work = None;
    for item in items {
        let kind = item.get("type").and_then(Value::as_str).unwrap_or("");
        let value = opt_string("emails.value", item.get("value"))?;
        if kind.eq_ignore_ascii_case("work") {
            work = value;
        } else if kind.eq_ignore_ascii_case("other") {
            // Read-only mirror of userName. A PATCH that changes it is a mutability error;
            // POST and PUT ignore read-only values (RFC 7644 §3.5.1).
            let previous = ctx.previous.map(|p| p.email.as_str());
            let changed = value.as_deref().is_some_and(|val| {
                !val.eq_ignore_ascii_case(&u.email)
                    && previous.is_none_or(|p| !val.eq_ignore_ascii_case(p))
            });
            if ctx.mode == Mode::Patch && changed {
                return Err(ApiError::mutability(
                    "emails[type eq \"other\"].value is read-only: it mirrors userName.",
                ));
            }
        }
    }
    u.work_email = work;
    Ok(())
}

pub(super) fn read_phones<'a>(u: &'a User, view: &View<'a>) -> Option<DocValue<'a>> {
    if let Some(sent) = sent_contacts(u, view) {
        return render_sent(&sent.phone_numbers);
    }
    (!u.phones.is_empty()).then(|| {
        DocValue::Array(
            u.phones
                .iter()
                .map(|p| {
                    let mut o = vec![
                        ("value", DocValue::String(p.value.to_scim())),
                        ("type", DocValue::Str(p.kind.as_str())),
                    ];
                    if u.primary_phone == Some(p.kind) {
                        o.push(("primary", DocValue::Bool(true)));
                    }
                    DocValue::Object(o)
                })
                .collect(),
        )
    })
}

pub(super) fn write_phones(u: &mut User, v: Option<&Value>, ctx: &WriteCtx<'_>) -> ApiResult<()> {
    let items = array("phoneNumbers", v)?;
    if ctx.compat.contact_lists == ContactLists::AsSent {
        let sent = write_sent("phoneNumbers", items, ctx)?;
        // The Genesys form keeps the numbers it can hold: a known type, E.164 or a tel URI.
        u.phones.clear();
        u.primary_phone = None;
        for p in &sent {
            let kind = p.kind.as_deref().and_then(PhoneKind::parse);
            let (Some(kind), Ok(number)) = (kind, PhoneNumber::parse(p.value.trim())) else {
                continue;
            };
            if u.phones.iter().any(|q| q.kind == kind) {
                continue;
            }
            if p.primary == Some(true) {
                u.primary_phone = Some(kind);
            }
            u.phones.push(Phone {
                kind,
                value: number,
            });
        }
        u.sent_contacts.get_or_insert_default().phone_numbers = sent;
        return Ok(());
    }
    let mut phones: Vec<Phone> = Vec::new();
    let mut primary = None;
    for item in items {
        let kind = item.get("type").and_then(Value::as_str).ok_or_else(|| {
            ApiError::invalid_value(format!(
                "phoneNumbers: each element needs a type; got {item}"
            ))
        })?;
        let kind = PhoneKind::parse(kind).ok_or_else(|| {
            ApiError::invalid_value(format!(
                "phoneNumbers: unknown type {kind:?} in {item}; allowed: {}",
                PHONE_TYPES.join(", ")
            ))
        })?;
        let Some(text) = opt_string("phoneNumbers.value", item.get("value"))? else {
            // Empty values are ignored, as Entra's sync ignores them.
            continue;
        };
        let number = PhoneNumber::parse(text.trim())
            .map_err(|e| ApiError::invalid_value(format!("phoneNumbers: {e} in {item}")))?;
        if let Some(p) = item.get("primary")
            && boolean("phoneNumbers.primary", p, ctx.compat)?
        {
            primary = Some(kind);
        }
        phones.retain(|p| p.kind != kind);
        phones.push(Phone {
            kind,
            value: number,
        });
    }
    u.primary_phone = primary.or_else(|| {
        u.primary_phone
            .filter(|k| phones.iter().any(|p| p.kind == *k))
    });
    u.phones = phones;
    Ok(())
}

/// The lists as sent, when this view renders them and the user has them.
fn sent_contacts<'u>(u: &'u User, view: &View<'_>) -> Option<&'u SentContacts> {
    u.sent_contacts.as_deref().filter(|_| view.contacts_as_sent)
}

fn render_sent(list: &[SentContact]) -> Option<DocValue<'_>> {
    (!list.is_empty()).then(|| {
        DocValue::Array(
            list.iter()
                .map(|c| {
                    let mut o = vec![("value", DocValue::Str(&c.value))];
                    if let Some(k) = &c.kind {
                        o.push(("type", DocValue::Str(k)));
                    }
                    if let Some(p) = c.primary {
                        o.push(("primary", DocValue::Bool(p)));
                    }
                    DocValue::Object(o)
                })
                .collect(),
        )
    })
}

/// `contact-lists=as-sent`: an `emails` or `phoneNumbers` list kept as sent. Each element
/// needs a string `value` (an empty one is skipped, as in the slots); `type` is any string and
/// `primary` a boolean; RFC 7643 §2.4 allows `primary: true` once per list. At most
/// [`SENT_CONTACTS_MAX`] elements.
fn write_sent(name: &str, items: &[Value], ctx: &WriteCtx<'_>) -> ApiResult<Vec<SentContact>> {
    if items.len() > SENT_CONTACTS_MAX {
        return Err(ApiError::invalid_value(format!(
            "{name}: at most {SENT_CONTACTS_MAX} elements are kept, got {}",
            items.len()
        )));
    }
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let Some(obj) = item.as_object() else {
            return Err(ApiError::invalid_value(format!(
                "{name}: each element must be an object, got {item}"
            )));
        };
        let Some(value) = opt_string(&format!("{name}.value"), get_ci(obj, "value"))? else {
            continue;
        };
        let kind = opt_string(&format!("{name}.type"), get_ci(obj, "type"))?;
        let primary = get_ci(obj, "primary")
            .filter(|p| !p.is_null())
            .map(|p| boolean(&format!("{name}.primary"), p, ctx.compat))
            .transpose()?;
        out.push(SentContact {
            value,
            kind,
            primary,
        });
    }
    if out.iter().filter(|c| c.primary == Some(true)).count() > 1 {
        return Err(ApiError::invalid_value(format!(
            "{name}: \"primary\": true may appear once (RFC 7643 §2.4)"
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::base::rng::Seeded;
    use crate::compat::{Compat, Profile};
    use crate::genesys::mapping::write::user_from_scim;
    use crate::genesys::org::Org;

    fn write(body: Value, compat: &Compat) -> ApiResult<User> {
        let org = Org::new("o", "O", Seeded::new(Some(1)));
        let ctx = WriteCtx {
            org: &org,
            compat,
            mode: Mode::Create,
            previous: None,
        };
        user_from_scim(&body, "u1", &ctx)
    }

    #[test]
    fn as_sent_lists_keep_what_came_and_feed_the_slots_they_fit() {
        let rfc = Compat::preset(Profile::Rfc);
        let u = write(
            json!({"userName": "a", "displayName": "A",
                   "emails": [{"value": "w@x.org", "type": "WORK"}, {"value": ""}],
                   "phoneNumbers": [{"value": "+13175550100", "type": "mobile", "primary": "true"},
                                    {"value": "ext 7", "type": "desk"}]}),
            &Compat {
                coerce_string_booleans: true,
                ..rfc
            },
        )
        .unwrap();
        let sent = u.sent_contacts.as_deref().unwrap();
        assert_eq!(sent.emails.len(), 1, "an empty value is skipped");
        assert_eq!(u.work_email.as_deref(), Some("w@x.org"));
        assert_eq!(sent.phone_numbers[1].value, "ext 7");
        assert_eq!(sent.phone_numbers[0].primary, Some(true));
        // Only the phone Genesys can hold reaches its slots.
        assert_eq!(u.phones.len(), 1);
        assert_eq!(u.primary_phone, Some(PhoneKind::Mobile));
        for bad in [
            json!({"userName": "a", "displayName": "A", "emails": ["w@x.org"]}),
            json!({"userName": "a", "displayName": "A", "emails": [{"value": 5}]}),
            json!({"userName": "a", "displayName": "A", "emails": [{"value": "a", "primary": 1}]}),
        ] {
            let err = write(bad.clone(), &rfc).unwrap_err();
            assert_eq!(err.scim_type, Some("invalidValue"), "{bad}");
        }
        // Written under the Genesys switches, the slots are the truth again.
        let genesys = write(
            json!({"userName": "a@x.org", "displayName": "A", "emails": [{"value": "w@x.org", "type": "work"}]}),
            &Compat::default(),
        )
        .unwrap();
        assert!(genesys.sent_contacts.is_none());
    }
}
