//! Which users a SCIM filter matches, answered from the org's indexes where Genesys documents
//! the filter, and by evaluating the filter on each user's SCIM view where it does not.
//!
//! Indexed (each an `eq` with a string value, or `true`/`false` for `active`): `id`,
//! `userName`, `externalId`, `email` / `emails` / `emails.value`, `employeeNumber`,
//! `division`, `manager` / `manager.value`, `active`, and the SDK's
//! `externalIds[authority eq "…" and value eq "…"]` with or without the Genesys URN. An `and`
//! uses its indexed side to find candidates and evaluates the whole filter on those only; an
//! `or` of two indexed sides is the union. Everything else is a scan that renders each live
//! user, which is what the index-agreement property test compares against.
//!
//! Each index rule reproduces the evaluator's rule for that attribute (case-insensitive via
//! `to_lowercase` where the schema says `caseExact: false`, exact otherwise), and candidates
//! from hashed keys are checked against the stored value, so the two paths agree.

use std::borrow::Cow;

use serde_json::Value;

use crate::genesys::index::TextKey;
use crate::genesys::mapping::{self, View};
use crate::genesys::org::Org;
use crate::genesys::user::{SCIM_AUTHORITY, User, UserState};
use crate::scim::filter::{self, CompareOp, Filter};
use crate::scim::schema::{self, AttrPath, ResourceKind};

/// Candidates found from the indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidates<'a> {
    /// Positions of live users, in creation order.
    pub positions: Cow<'a, [u32]>,
    /// Whether every candidate matches (no evaluation needed).
    pub exact: bool,
}

impl<'a> Candidates<'a> {
    fn exact(positions: impl Into<Cow<'a, [u32]>>) -> Self {
        Self {
            positions: positions.into(),
            exact: true,
        }
    }
}

/// Positions of the live users matching `filter`, in creation order.
pub(crate) fn matching<'a>(org: &'a Org, filter: &Filter, view: &View<'_>) -> Cow<'a, [u32]> {
    match candidates(org, filter, view) {
        None => Cow::Owned(scan(org, filter, view)),
        Some(found) if found.exact => found.positions,
        Some(found) => Cow::Owned(
            found
                .positions
                .iter()
                .copied()
                .filter(|p| org.user_at(*p).is_some_and(|u| evaluate(filter, u, view)))
                .collect(),
        ),
    }
}

/// Positions of the live users matching `filter`, found by rendering and evaluating each one.
pub(crate) fn scan(org: &Org, filter: &Filter, view: &View<'_>) -> Vec<u32> {
    org.users()
        .enumerate()
        .filter(|(_, u)| u.is_live() && evaluate(filter, u, view))
        .map(|(i, _)| u32::try_from(i).unwrap_or(u32::MAX))
        .collect()
}

fn evaluate(filter: &Filter, user: &User, view: &View<'_>) -> bool {
    filter::matches(
        filter,
        &mapping::user_to_scim(user, view),
        ResourceKind::User,
    )
}

/// The candidates for `filter`, or `None` when no index applies and every user must be
/// evaluated. The indexes hold the Genesys form; where `view` renders something else
/// (`contact-lists=as-sent` emails, `reference-values=any` divisions, the Genesys extension
/// withdrawn), the filter on that attribute is evaluated instead.
pub(crate) fn candidates<'a>(
    org: &'a Org,
    filter: &Filter,
    view: &View<'_>,
) -> Option<Candidates<'a>> {
    match filter {
        Filter::Compare {
            path,
            op: CompareOp::Eq,
            value,
        } => compare_eq(org, path, value, view),
        Filter::ValuePath { path, filter } if view.genesys_attributes => {
            external_ids(org, path, filter)
        }
        Filter::And(a, b) => {
            let found = match (candidates(org, a, view), candidates(org, b, view)) {
                (Some(x), Some(y)) if y.positions.len() < x.positions.len() => y,
                (Some(x), _) | (None, Some(x)) => x,
                (None, None) => return None,
            };
            Some(Candidates {
                positions: found.positions,
                exact: false,
            })
        }
        Filter::Or(a, b) => {
            let (x, y) = (candidates(org, a, view)?, candidates(org, b, view)?);
            Some(Candidates {
                positions: Cow::Owned(union(&x.positions, &y.positions)),
                exact: x.exact && y.exact,
            })
        }
        _ => None,
    }
}

/// Whether a path names `name` in the core schema or in `urn`, without a sub-attribute other
/// than `sub_ok`.
fn names(path: &AttrPath, urn: &str, name: &str, sub_ok: Option<&str>) -> bool {
    let urn_ok = path
        .urn
        .as_deref()
        .is_none_or(|u| u.eq_ignore_ascii_case(urn));
    let sub_fits = match (&path.sub, sub_ok) {
        (None, _) => true,
        (Some(s), Some(ok)) => s.eq_ignore_ascii_case(ok),
        (Some(_), None) => false,
    };
    urn_ok && sub_fits && path.name.eq_ignore_ascii_case(name)
}

fn one(org: &Org, user: Option<&User>) -> Candidates<'static> {
    let positions = user
        .and_then(|u| org.user_position(&u.id))
        .into_iter()
        .collect::<Vec<u32>>();
    Candidates::exact(positions)
}

fn compare_eq<'a>(
    org: &'a Org,
    path: &AttrPath,
    value: &Value,
    view: &View<'_>,
) -> Option<Candidates<'a>> {
    let ix = org.indexes();
    // Under `genesys-defaults=false` a user may render no `active`, which the state index
    // cannot tell: evaluated instead.
    if names(path, schema::USER, "active", None) && view.genesys_defaults {
        let wanted = match value {
            Value::Bool(b) => *b,
            Value::String(s) if s.eq_ignore_ascii_case("true") => true,
            Value::String(s) if s.eq_ignore_ascii_case("false") => false,
            _ => return None,
        };
        let state = if wanted {
            UserState::Active
        } else {
            UserState::Inactive
        };
        return Some(Candidates::exact(ix.in_state(state)));
    }
    let Value::String(v) = value else {
        return None;
    };
    if names(path, schema::USER, "id", None) {
        return Some(one(org, org.user(v)));
    }
    if names(path, schema::USER, "userName", None) {
        return Some(one(org, org.user_by_name(v)));
    }
    if names(path, schema::USER, "externalId", None) {
        return Some(one(org, org.user_by_external(SCIM_AUTHORITY, v)));
    }
    let email =
        (path.urn.is_none() && path.sub.is_none() && path.name.eq_ignore_ascii_case("email"))
            || names(path, schema::USER, "emails", Some("value"));
    if email && !view.contacts_as_sent {
        let lv = v.to_lowercase();
        return Some(verified(org, ix.candidates(TextKey::Email, v), |u| {
            u.email.to_lowercase() == lv
                || u.work_email
                    .as_ref()
                    .is_some_and(|w| w.to_lowercase() == lv)
        }));
    }
    if names(path, schema::ENTERPRISE_USER, "employeeNumber", None) {
        let lv = v.to_lowercase();
        return Some(verified(org, ix.candidates(TextKey::Employee, v), |u| {
            u.employee_id
                .as_ref()
                .is_some_and(|e| e.to_lowercase() == lv)
        }));
    }
    if names(path, schema::ENTERPRISE_USER, "manager", Some("value")) {
        return Some(verified(org, ix.candidates(TextKey::Manager, v), |u| {
            u.manager_id.as_deref() == Some(v.as_str())
        }));
    }
    if names(path, schema::ENTERPRISE_USER, "division", None) && !view.any_references {
        return Some(division(org, v, |id| ix.candidates(TextKey::Division, id)));
    }
    None
}

/// The users in the divisions named `name` (case-insensitive), from `posting` (a division id's
/// entry in one of the division indexes).
fn division<'a>(org: &'a Org, name: &str, posting: impl Fn(&str) -> &'a [u32]) -> Candidates<'a> {
    let ix = org.indexes();
    let lv = name.to_lowercase();
    let ids: Vec<&str> = org
        .divisions
        .iter()
        .filter(|d| d.name.to_lowercase() == lv)
        .map(|d| &*d.id)
        .collect();
    // Users can only hold the org's division ids, so a division's entry is exact unless
    // another division's id shares it: then, and only then, each candidate is checked.
    let exact_entry = |id: &str| {
        let entry = posting(id);
        let shared = org
            .divisions
            .iter()
            .any(|d| *d.id != *id && ix.same_entry(TextKey::Division, &d.id, id));
        if shared {
            verified(org, entry, |u| *u.division_id == *id)
        } else {
            Candidates::exact(entry)
        }
    };
    match ids.as_slice() {
        [one] => exact_entry(one),
        _ => {
            let mut positions: Vec<u32> = Vec::new();
            for id in &ids {
                positions = union(&positions, &exact_entry(id).positions);
            }
            Candidates::exact(positions)
        }
    }
}

/// Positions of the active users matching `filter`, in creation order: what the default list
/// (`list-active-only`) shows. `division eq` reads the active users' division index as it is;
/// any other filter is [`matching`] less the inactive users.
pub(crate) fn matching_active<'a>(
    org: &'a Org,
    filter: &Filter,
    view: &View<'_>,
) -> Cow<'a, [u32]> {
    if let Filter::Compare {
        path,
        op: CompareOp::Eq,
        value: Value::String(v),
    } = filter
        && names(path, schema::ENTERPRISE_USER, "division", None)
        && !view.any_references
    {
        let ix = org.indexes();
        return division(org, v, |id| ix.active_in_division(id)).positions;
    }
    let found = matching(org, filter, view);
    Cow::Owned(difference(
        &found,
        org.indexes().in_state(UserState::Inactive),
    ))
}

/// The candidates that really hold the value (a hashed key may collide).
fn verified<'a>(org: &Org, found: &'a [u32], holds: impl Fn(&User) -> bool) -> Candidates<'a> {
    if found.iter().all(|p| org.user_at(*p).is_some_and(&holds)) {
        return Candidates::exact(found);
    }
    Candidates::exact(
        found
            .iter()
            .copied()
            .filter(|p| org.user_at(*p).is_some_and(&holds))
            .collect::<Vec<u32>>(),
    )
}

/// `externalIds[authority eq "A" and value eq "V"]` (either order), with or without the URN.
fn external_ids<'a>(org: &'a Org, path: &AttrPath, inner: &Filter) -> Option<Candidates<'a>> {
    if path.sub.is_some() || !names(path, schema::GENESYS_USER, "externalIds", None) {
        return None;
    }
    let Filter::And(a, b) = inner else {
        return None;
    };
    let field = |f: &Filter| match f {
        Filter::Compare {
            path,
            op: CompareOp::Eq,
            value: Value::String(v),
        } if path.urn.is_none() && path.sub.is_none() => {
            Some((path.name.to_ascii_lowercase(), v.clone()))
        }
        _ => None,
    };
    let (x, y) = (field(a)?, field(b)?);
    let (authority, key) = match (x.0.as_str(), y.0.as_str()) {
        ("authority", "value") => (x.1, y.1),
        ("value", "authority") => (y.1, x.1),
        _ => return None,
    };
    Some(one(org, org.user_by_external(&authority, &key)))
}

/// The sorted union of two sorted position lists.
pub(crate) fn union(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// The sorted positions of `a` that are not in `b` (both sorted). A few positions against a
/// long list (a `manager eq` answer less every inactive user) are looked up by binary search,
/// O(a log b); otherwise one linear merge, O(a + b).
pub(crate) fn difference(a: &[u32], b: &[u32]) -> Vec<u32> {
    if a.len().saturating_mul(16) < b.len() {
        return a
            .iter()
            .copied()
            .filter(|x| b.binary_search(x).is_err())
            .collect();
    }
    let mut out = Vec::with_capacity(a.len());
    let mut j = 0;
    for &x in a {
        while j < b.len() && b[j] < x {
            j += 1;
        }
        if j >= b.len() || b[j] != x {
            out.push(x);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::compat::Compat;

    const EMAILS: &[&str] = &["a@x.org", "A@X.org", "b@x.org", "Ça@x.org", "ça@x.org"];
    const EMPLOYEE: &[&str] = &["E1", "e1", "E2", "İ3"];
    const DIVISIONS: &[&str] = &["Home", "Sales", "Über"];
    const AUTHORITIES: &[&str] = &["x-pc:scimv2:v1", "okta", "OKTA"];
    const KEYS: &[&str] = &["k1", "K1", "k2"];

    /// One write: create or replace user `slot` (ids `u0` to `u7`) with these values, or
    /// delete it.
    #[derive(Debug, Clone)]
    enum Op {
        Put(Put),
        Delete { slot: usize },
    }

    #[derive(Debug, Clone)]
    struct Put {
        slot: usize,
        name: usize,
        work: Option<usize>,
        employee: Option<usize>,
        division: usize,
        manager: Option<usize>,
        active: bool,
        external: Option<(usize, usize)>,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (
                0..8usize,
                0..EMAILS.len() + 3,
                proptest::option::of(0..EMAILS.len()),
                proptest::option::of(0..EMPLOYEE.len()),
                0..DIVISIONS.len(),
                proptest::option::of(0..8usize),
                any::<bool>(),
                proptest::option::of((0..AUTHORITIES.len(), 0..KEYS.len())),
            )
                .prop_map(
                    |(slot, name, work, employee, division, manager, active, external)| Op::Put(Put {
                        slot,
                        name,
                        work,
                        employee,
                        division,
                        manager,
                        active,
                        external,
                    })
                ),
            1 => (0..8usize).prop_map(|slot| Op::Delete { slot }),
        ]
    }

    fn org() -> Org {
        Org::for_tests(DIVISIONS)
    }

    /// Applies a write through the same mapping and `store_user` the API uses; writes the API
    /// would refuse (a duplicate userName, an unknown manager) are skipped, as it would.
    fn apply(org: &mut Org, op: &Op) {
        let compat = Compat::default();
        match op {
            Op::Put(p) => {
                let id = format!("u{}", p.slot);
                let user_name = EMAILS
                    .get(p.name)
                    .map_or_else(|| format!("only{}@x.org", p.name), |e| (*e).to_owned());
                let mut body = json!({
                    "userName": user_name,
                    "displayName": "D",
                    "active": p.active,
                    schema::ENTERPRISE_USER: {"division": DIVISIONS[p.division]},
                });
                if let Some(w) = p.work {
                    body["emails"] = json!([{"type": "work", "value": EMAILS[w]}]);
                }
                if let Some(e) = p.employee {
                    body[schema::ENTERPRISE_USER]["employeeNumber"] = json!(EMPLOYEE[e]);
                }
                if let Some(m) = p.manager {
                    body[schema::ENTERPRISE_USER]["manager"] = json!({"value": format!("u{m}")});
                }
                match p.external {
                    Some((0, k)) => body["externalId"] = json!(KEYS[k]),
                    Some((a, k)) => {
                        body[schema::GENESYS_USER] = json!({"externalIds": [
                            {"authority": AUTHORITIES[a], "value": KEYS[k]}]});
                    }
                    None => {}
                }
                let _ = org.write_scim_for_tests(&id, &body, &compat);
            }
            Op::Delete { slot } => {
                if let Some(mut u) = org.user(&format!("u{slot}")).cloned() {
                    u.state = UserState::Deleted;
                    let _ = org.store_user(u, Utc::now());
                }
            }
        }
    }

    /// Filters over every indexed form, with values that differ only in case, plus `and`
    /// and `or` combinations.
    fn filters() -> Vec<String> {
        let mut out = Vec::new();
        for e in EMAILS {
            for attr in ["email", "emails", "emails.value", "userName"] {
                out.push(format!("{attr} eq \"{e}\""));
            }
        }
        let ent = schema::ENTERPRISE_USER;
        for e in EMPLOYEE.iter().chain(&["e2"]) {
            out.push(format!("employeeNumber eq \"{e}\""));
            out.push(format!("{ent}:employeeNumber eq \"{e}\""));
        }
        for d in DIVISIONS.iter().chain(&["SALES", "über", "none"]) {
            out.push(format!("division eq \"{d}\""));
        }
        for m in ["u0", "u1", "u3", "U1"] {
            out.push(format!("manager eq \"{m}\""));
            out.push(format!("manager.value eq \"{m}\""));
            out.push(format!("id eq \"{m}\""));
        }
        for b in ["true", "false", "\"True\""] {
            out.push(format!("active eq {b}"));
        }
        for k in KEYS {
            out.push(format!("externalId eq \"{k}\""));
            for a in AUTHORITIES {
                out.push(format!(
                    "externalIds[authority eq \"{a}\" and value eq \"{k}\"]"
                ));
                out.push(format!(
                    "{}:externalIds[value eq \"{k}\" and authority eq \"{a}\"]",
                    schema::GENESYS_USER
                ));
            }
        }
        out.push("email eq \"a@x.org\" and active eq true".to_owned());
        out.push("division eq \"Sales\" or manager eq \"u0\"".to_owned());
        out.push("title eq \"x\" and division eq \"Home\"".to_owned());
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The indexed answer equals a full scan that renders and evaluates every user, for
        /// every indexed filter, after any sequence of creates, replaces and deletes.
        #[test]
        fn indexes_agree_with_a_full_scan_under_random_writes(ops in proptest::collection::vec(op(), 1..40)) {
            let mut org = org();
            for op in &ops {
                apply(&mut org, op);
            }
            let view = View::new(&org, "http://h/api/v2/scim/v2");
            for text in filters() {
                let f = filter::parse(&text).unwrap();
                prop_assert!(candidates(&org, &f, &view).is_some(), "indexed: {}", text);
                let fast = matching(&org, &f, &view);
                let slow = scan(&org, &f, &view);
                prop_assert_eq!(fast.as_ref(), slow.as_slice(), "{}", text);
                // Under the rfc switches some indexes step aside; the answers still agree.
                let rfc = crate::compat::Compat::preset(crate::compat::Profile::Rfc);
                let rfc_view = View::with(&org, "http://h/api/v2/scim/v2", &rfc);
                let fast = matching(&org, &f, &rfc_view);
                let slow = scan(&org, &f, &rfc_view);
                prop_assert_eq!(fast.as_ref(), slow.as_slice(), "rfc: {}", text);
                // The default list's scope: the matching users that are active.
                let active = |v: &View<'_>| -> Vec<u32> {
                    scan(&org, &f, v)
                        .into_iter()
                        .filter(|p| org.user_at(*p).is_some_and(|u| u.state == UserState::Active))
                        .collect()
                };
                for v in [&view, &rfc_view] {
                    let fast = matching_active(&org, &f, v).into_owned();
                    prop_assert_eq!(fast, active(v), "active: {}", text);
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]

        /// A projection that excludes nothing leaves a rendered user as it is, which is why
        /// `Projection::apply` with no parameter returns the resource untouched; and the
        /// streamed `UserDocument` writes the same bytes as the rendered tree.
        #[test]
        fn an_empty_projection_changes_no_rendered_user(ops in proptest::collection::vec(op(), 1..20)) {
            let mut org = org();
            for op in &ops {
                apply(&mut org, op);
            }
            let view = View::new(&org, "http://h/api/v2/scim/v2");
            let nothing = crate::scim::projection::Projection::from_params(&[], &["noSuchAttribute".to_owned()]);
            let with_created = View { meta_created: true, ..view };
            let rfc = crate::compat::Compat::preset(crate::compat::Profile::Rfc);
            let rfc_view = View::with(&org, "http://h/api/v2/scim/v2", &rfc);
            for (pos, u) in org.users().enumerate() {
                let json = mapping::user_to_scim(u, &view);
                prop_assert_eq!(nothing.apply(json.clone(), ResourceKind::User), json.clone());
                // The streamed document is byte for byte the rendered tree, and so are the
                // render cache's bytes, read twice under each view in turn (one org, one
                // cache: a key that left out a switch would serve one view's bytes to another).
                for v in [&view, &with_created, &rfc_view, &view, &rfc_view] {
                    let streamed = serde_json::to_vec(&mapping::UserDocument { user: u, view: v }).unwrap();
                    let tree = serde_json::to_vec(&mapping::user_to_scim(u, v)).unwrap();
                    prop_assert_eq!(&streamed, &tree);
                    if u.is_live() {
                        let pos = u32::try_from(pos).unwrap();
                        for _ in 0..2 {
                            prop_assert_eq!(&mapping::user_bytes(pos, u, v)[..], &streamed[..]);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn union_and_difference_keep_order() {
        assert_eq!(union(&[1, 4, 9], &[2, 4, 10]), [1, 2, 4, 9, 10]);
        assert_eq!(difference(&[1, 2, 4, 9, 10], &[2, 3, 10]), [1, 4, 9]);
        // Few against many: the binary-search path, same answer as the merge.
        let many: Vec<u32> = (0..1000).map(|i| i * 2).collect();
        assert_eq!(difference(&[3, 4, 998, 2001], &many), [3, 2001]);
        assert_eq!(difference(&[], &many), Vec::<u32>::new());
    }
}
