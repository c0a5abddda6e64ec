//! The SCIM writes of a user: an org's `create_user`, `replace_user` and `patch_user`, each
//! a body written into a user through the [`ROWS`] ([`user_from_scim`]) and stored with
//! [`Org::store_user`], all or nothing; and the PATCH shortcut that writes one plain string in
//! place ([`patch_in_place`]).
//!
//! The three are methods of [`Org`] defined here, beside the mapping they drive, so that the
//! org (storage and the rules across records) never imports the mapping that reads it.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::render::user_to_scim;
use super::unsupported::check_unsupported;
use super::value::get_ci;
use super::{Mode, ROWS, Row, ScimWrite, View, WriteCtx};
use crate::compat::{Compat, ContactLists, EmptyValues, Revive};
use crate::error::{ApiError, ApiResult};
use crate::genesys::org::{Org, user_not_found};
use crate::genesys::user::{User, UserState};
use crate::scim::empty_values;
use crate::scim::patch;
use crate::scim::schema::{self, ENTERPRISE_USER, ResourceKind};

/// Writes a SCIM user body into a user: a copy of `ctx.previous`, or a blank user with `id`.
pub(crate) fn user_from_scim(input: &Value, id: &str, ctx: &WriteCtx<'_>) -> ApiResult<User> {
    let obj = input
        .as_object()
        .ok_or_else(|| ApiError::invalid_syntax("The request body must be a JSON object."))?;
    crate::genesys::user_input::check(obj)?;
    check_unsupported(obj, ctx.compat)?;
    let mut user = match ctx.previous {
        Some(p) => p.clone(),
        None => User::blank(id),
    };
    // Withdrawn rows (`genesys-attributes=false`) are neither written nor cleared: the body's
    // values for them were unsupported attributes, dropped or rejected above.
    let offered = |row: &&Row| {
        ctx.compat.genesys_attributes || !schema::is_genesys_addition(row.schema, row.attr)
    };
    for row in ROWS.iter().filter(offered) {
        let container = if row.schema == schema::USER {
            Some(obj)
        } else {
            get_ci(obj, row.schema).and_then(Value::as_object)
        };
        let value = container
            .and_then(|c| get_ci(c, row.attr))
            .filter(|v| !v.is_null());
        (row.write)(&mut user, value, ctx).map_err(|e| e.at(row.attr))?;
    }
    Ok(finish_write(user, ctx))
}

/// What every write does once the rows are written.
fn finish_write(mut user: User, ctx: &WriteCtx<'_>) -> User {
    user.sort_phones();
    if ctx.compat.contact_lists == ContactLists::Genesys {
        // The slots were just written: they are the truth now.
        user.sent_contacts = None;
    }
    user
}

/// Plain string attributes a PATCH `replace` may write straight into the stored user: each
/// row renders the stored string as it is and writes it back with `opt_string`, so replacing
/// it through the SCIM view and mapping the whole view back changes that field alone (a
/// property test compares the two for every user of generated orgs, under both profiles).
const IN_PLACE: &[(&str, &str)] = &[
    (schema::USER, "title"),
    (ENTERPRISE_USER, "department"),
    (ENTERPRISE_USER, "employeeNumber"),
];

/// A PATCH body of one `replace` of an [`IN_PLACE`] attribute (path `title`, or
/// `<enterprise URN>:department`) with a string, applied to a copy of `ctx.previous` without
/// rendering it to SCIM and mapping it back: the same user the general path builds, at a
/// fraction of the work. `None` for every other body (and for a string past the bounds of
/// `user_input`, so the general path words the error, and under `contact-lists=as-sent`):
/// the caller takes the general path.
fn patch_in_place(body: &Value, ctx: &WriteCtx<'_>) -> Option<ApiResult<User>> {
    let previous = ctx.previous?;
    // `contact-lists=as-sent` keeps the contact lists as the last write sent them: a write
    // through the view records them, which only the general path does.
    if ctx.compat.contact_lists != ContactLists::Genesys {
        return None;
    }
    // Spelled as `scim::patch` reads them: `Operations` or `operations`, then `op`, `path`
    // and `value` in any case.
    let ops = body.get("Operations").or_else(|| body.get("operations"))?;
    let [op] = ops.as_array()?.as_slice() else {
        return None;
    };
    let op = op.as_object()?;
    let verb = get_ci(op, "op")?;
    let path = get_ci(op, "path")?;
    let value = get_ci(op, "value")?;
    if !verb.as_str()?.eq_ignore_ascii_case("replace")
        || !value.is_string()
        || !crate::genesys::user_input::string_ok(value)
    {
        return None;
    }
    let path = path.as_str()?.trim();
    let row = IN_PLACE.iter().find_map(|&(urn, attr)| {
        let named = if urn == schema::USER {
            path.eq_ignore_ascii_case(attr)
        } else {
            // Split with `get`: the byte at the URN's length may fall inside a character of
            // a path that merely has the right length.
            path.len() == urn.len() + 1 + attr.len()
                && path
                    .get(..urn.len())
                    .is_some_and(|u| u.eq_ignore_ascii_case(urn))
                && path.get(urn.len()..).is_some_and(|rest| {
                    rest.strip_prefix(':')
                        .is_some_and(|a| a.eq_ignore_ascii_case(attr))
                })
        };
        named.then(|| ROWS.iter().find(|r| r.schema == urn && r.attr == attr))?
    })?;
    let mut user = previous.clone();
    Some(
        (row.write)(&mut user, Some(value), ctx)
            .map_err(|e| e.at(row.attr))
            .map(|()| finish_write(user, ctx)),
    )
}

/// A `POST /Users` body mapped and checked against the org under a read lock
/// ([`Org::prepare_create`]), to be stored under the write lock ([`Org::commit_create`]): the
/// mapping and validation, about half of a create's work, no longer hold up every other write
/// of the org.
#[derive(Debug)]
pub(crate) struct PreparedCreate {
    /// The user as the body maps, without its id (assigned at commit, in commit order, so ids
    /// stay those of the seeded sequence).
    user: User,
    /// The trimmed userName, as looked up.
    user_name: String,
    /// The deleted user whose userName the body reuses, as found when prepared.
    deleted: Option<String>,
    /// The org's generation when prepared (every write bumps it).
    generation: u64,
}

/// Whether `empty-values=ignore` has anything to keep in this body (a Genesys community
/// moderator: empty values do not overwrite existing data; see [`crate::compat::EmptyValues`]).
fn keeps_empty(compat: &Compat, body: &Value) -> bool {
    compat.empty_values == EmptyValues::Ignore && empty_values::has_empty_string(body)
}

impl Org {
    /// `POST /Users`: a new user from a SCIM body. 409 `uniqueness` when a non-deleted user
    /// has the userName; a deleted user's userName does what `revive-deleted` says
    /// ([`Revive`]). `admit` sees the user about to be stored and may refuse it (the
    /// handler's permission check). Returns the id of the stored user. The handler does the
    /// same in two steps around its locks ([`Org::prepare_create`], [`Org::commit_create`]).
    #[cfg(test)]
    pub(crate) fn create_user(
        &mut self,
        body: &Value,
        compat: &Compat,
        now: DateTime<Utc>,
        admit: impl FnOnce(&Org, &User) -> ApiResult<()>,
    ) -> ApiResult<String> {
        let prepared = self.prepare_create(body, compat)?;
        self.commit_create(prepared, body, compat, now, admit)
    }

    /// The read half of a create: the userName's uniqueness and revival decided, the body
    /// mapped and validated against the org's reference data and users. Nothing is written.
    pub(crate) fn prepare_create(
        &self,
        body: &Value,
        compat: &Compat,
    ) -> ApiResult<PreparedCreate> {
        let user_name = body
            .as_object()
            .and_then(|o| get_ci(o, "userName"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim();
        if self.user_by_name(user_name).is_some() {
            return Err(ApiError::uniqueness(
                "User name already in use by non-deleted user.",
            ));
        }
        let deleted = self.deleted_user_by_name(user_name).map(|u| u.id.clone());
        if compat.revive_deleted == Revive::Conflict && deleted.is_some() {
            return Err(ApiError::uniqueness(
                "User name belongs to a deleted user (general.conflict); restore that user instead.",
            ));
        }
        let ctx = WriteCtx {
            org: self,
            compat,
            mode: Mode::Create,
            previous: None,
        };
        Ok(PreparedCreate {
            user: user_from_scim(body, "", &ctx)?,
            user_name: user_name.to_owned(),
            deleted,
            generation: self.renders().generation(),
        })
    }

    /// The write half of a create, under the write lock: stores what [`Org::prepare_create`]
    /// built if nothing it read has changed since, and otherwise prepares again here, so the
    /// answer is the one a create alone would get (409 when a racing create took the
    /// userName first). What a body's mapping reads from the org: its reference data
    /// (divisions, roles, skills, languages and limits, fixed for the org's life: a reset or
    /// an import replaces the whole org), the userName's owner, live or deleted, and the
    /// manager; uniqueness of every key is checked by [`Org::store_user`] itself.
    pub(crate) fn commit_create(
        &mut self,
        prepared: PreparedCreate,
        body: &Value,
        compat: &Compat,
        now: DateTime<Utc>,
        admit: impl FnOnce(&Org, &User) -> ApiResult<()>,
    ) -> ApiResult<String> {
        let prepared = if self.still_holds(&prepared) {
            prepared
        } else {
            self.prepare_create(body, compat)?
        };
        let PreparedCreate {
            mut user, deleted, ..
        } = prepared;
        let revived = match compat.revive_deleted {
            Revive::New => None,
            Revive::Conflict | Revive::NoRoles | Revive::AsCreated => deleted,
        };
        let id = revived.clone().unwrap_or_else(|| self.new_id());
        user.id.clone_from(&id);
        if let Some(old) = revived.as_ref().and_then(|id| self.user_any(id)) {
            // Keep what Genesys keeps across deletion (version history); state comes back active.
            user.version = old.version;
            user.state = UserState::Active;
            if compat.revive_deleted == Revive::NoRoles {
                // Only what the body names: not the old roles, not the `employee` default.
                let named = body
                    .as_object()
                    .and_then(|o| get_ci(o, "roles"))
                    .is_some_and(|r| r.as_array().is_some_and(|a| !a.is_empty()));
                if !named {
                    user.role_ids.clear();
                }
            }
        }
        admit(self, &user)?;
        self.store_user(user, now)?;
        Ok(id)
    }

    /// Whether what `prepared` read still holds: no write since, or none that touched the
    /// userName's owners or the manager.
    fn still_holds(&self, prepared: &PreparedCreate) -> bool {
        if self.renders().generation() == prepared.generation {
            return true;
        }
        self.user_by_name(&prepared.user_name).is_none()
            && self
                .deleted_user_by_name(&prepared.user_name)
                .map(|u| &u.id)
                == prepared.deleted.as_ref()
            && prepared
                .user
                .manager_id
                .as_deref()
                .is_none_or(|m| self.user(m).is_some())
    }

    /// `PUT /Users/{id}`: the live user `id` replaced by a SCIM body ([`Mode::Replace`] says
    /// what an absent attribute means).
    pub(crate) fn replace_user(
        &mut self,
        id: &str,
        body: &Value,
        write: ScimWrite<'_, impl FnOnce(u64) -> ApiResult<()>>,
        admit: impl FnOnce(&Org, &User, &User) -> ApiResult<()>,
    ) -> ApiResult<()> {
        let (compat, base) = (write.compat, write.base);
        self.rewrite_user(id, write, admit, |org, previous| {
            let ctx = WriteCtx {
                org,
                compat,
                mode: Mode::Replace,
                previous: Some(previous),
            };
            // `empty-values=ignore`: an empty string keeps what the user has there.
            if keeps_empty(compat, body) {
                let mut body = body.clone();
                let view = user_to_scim(previous, &View::with(org, base, compat));
                empty_values::keep_previous(&mut body, &view);
                return user_from_scim(&body, id, &ctx);
            }
            user_from_scim(body, id, &ctx)
        })
    }

    /// `PATCH /Users/{id}`: the operations applied to the user's SCIM view, then the whole
    /// view mapped back. A lone `replace` of a plain string attribute is written in place
    /// instead ([`patch_in_place`]): the same user, without the render and the map back. All
    /// or nothing.
    pub(crate) fn patch_user(
        &mut self,
        id: &str,
        body: &Value,
        write: ScimWrite<'_, impl FnOnce(u64) -> ApiResult<()>>,
        admit: impl FnOnce(&Org, &User, &User) -> ApiResult<()>,
    ) -> ApiResult<()> {
        let (compat, base) = (write.compat, write.base);
        self.rewrite_user(id, write, admit, |org, previous| {
            org.limits.check_patch_operations(body)?;
            let ctx = WriteCtx {
                org,
                compat,
                mode: Mode::Patch,
                previous: Some(previous),
            };
            let keep = keeps_empty(compat, body);
            if !keep && let Some(user) = patch_in_place(body, &ctx) {
                return user;
            }
            let view = View::with(org, base, compat);
            let mut json = user_to_scim(previous, &view);
            patch::apply(&mut json, body, ResourceKind::User, compat)?;
            // `empty-values=ignore`: an empty string keeps what the user had there.
            if keep {
                empty_values::keep_previous(&mut json, &user_to_scim(previous, &view));
            }
            user_from_scim(&json, id, &ctx)
        })
    }

    /// Shared by PUT and PATCH: the live user `id`, its version checked, the new user built
    /// from it, admitted (`admit` sees the stored user and the new one: the handler's
    /// permission check) and stored. The stored user is read in place and the new one built
    /// from it (one copy, inside the mapping).
    fn rewrite_user(
        &mut self,
        id: &str,
        write: ScimWrite<'_, impl FnOnce(u64) -> ApiResult<()>>,
        admit: impl FnOnce(&Org, &User, &User) -> ApiResult<()>,
        build: impl FnOnce(&Org, &User) -> ApiResult<User>,
    ) -> ApiResult<()> {
        let previous = self.user(id).ok_or_else(|| user_not_found(id))?;
        (write.precondition)(previous.version)?;
        let user = build(self, previous)?;
        admit(self, previous, &user)?;
        self.store_user(user, write.now).map(|_| ())
    }

    /// Writes a SCIM body as user `id` for unit tests, the way the API does: a create when
    /// no live user has the id, else a replace (PUT), mapped and stored.
    #[cfg(test)]
    pub(crate) fn write_scim_for_tests(
        &mut self,
        id: &str,
        body: &Value,
        compat: &Compat,
    ) -> ApiResult<()> {
        let previous = self.user(id).cloned();
        let ctx = WriteCtx {
            org: self,
            compat,
            mode: if previous.is_some() {
                Mode::Replace
            } else {
                Mode::Create
            },
            previous: previous.as_ref(),
        };
        let user = user_from_scim(body, id, &ctx)?;
        self.store_user(user, Utc::now()).map(|_| ())
    }
}

#[cfg(test)]
mod in_place_tests {
    use serde_json::json;

    use super::*;
    use crate::compat::{Compat, Profile};
    use crate::genesys::mapping::{Mode, View, user_to_scim};
    use crate::genesys::org::Org;

    /// `patch_in_place` builds exactly the user the general path (render, `scim::patch`,
    /// map back) builds, for every live user of a generated org (every phone type, skills,
    /// languages, managers, external ids, inactive users), under both profiles, for values
    /// that are empty, padded, non-ASCII or equal to what is stored.
    #[test]
    fn in_place_patches_build_the_user_the_general_path_builds() {
        let org = crate::seed::generator::org(120, 4, 5);
        let ent = |attr: &str| format!("{ENTERPRISE_USER}:{attr}");
        let cases = [
            ("title".to_owned(), "Lead"),
            ("Title".to_owned(), ""),
            ("TITLE".to_owned(), "  Ünïcode title  "),
            (ent("department"), "Billing"),
            (ent("Department"), ""),
            (ent("employeeNumber"), "E0000003"),
            (ent("employeeNumber"), "e-new"),
        ];
        let mut compared = 0;
        let mut rfc_genesys_lists = Compat::preset(Profile::Rfc);
        rfc_genesys_lists.contact_lists = ContactLists::Genesys;
        for compat in [
            Compat::default(),
            Compat::preset(Profile::Rfc),
            rfc_genesys_lists,
        ] {
            let view = View::with(&org, "http://h/api/v2/scim/v2", &compat);
            for u in org.users().filter(|u| u.is_live()) {
                let ctx = WriteCtx {
                    org: &org,
                    compat: &compat,
                    mode: Mode::Patch,
                    previous: Some(u),
                };
                let mut same_as_stored =
                    vec![("title".to_owned(), u.title.clone().unwrap_or_default())];
                same_as_stored.extend(cases.iter().map(|(p, v)| (p.clone(), (*v).to_owned())));
                for (path, value) in &same_as_stored {
                    let body = json!({
                        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                        "Operations": [{"op": "Replace", "path": path, "value": value}],
                    });
                    let Some(fast) = patch_in_place(&body, &ctx) else {
                        assert_eq!(compat.contact_lists, ContactLists::AsSent);
                        continue;
                    };
                    let fast = fast.map_err(|e| format!("{e:?}"));
                    let mut json = user_to_scim(u, &view);
                    let general = crate::scim::patch::apply(
                        &mut json,
                        &body,
                        crate::scim::schema::ResourceKind::User,
                        &compat,
                    )
                    .and_then(|()| user_from_scim(&json, &u.id, &ctx))
                    .map_err(|e| format!("{e:?}"));
                    assert_eq!(fast, general, "{} {path} = {value:?}", u.id);
                    compared += 1;
                }
            }
        }
        assert!(compared > 1000, "{compared}");
    }

    #[test]
    fn other_bodies_take_the_general_path() {
        let org = Org::new("p", "P", crate::base::rng::Seeded::new(Some(1)));
        let compat = Compat::default();
        let full = crate::seed::generator::org(3, 1, 1);
        let u = full.users().next().unwrap();
        let ctx = WriteCtx {
            org: &org,
            compat: &compat,
            mode: Mode::Patch,
            previous: Some(u),
        };
        let one = |op: Value| json!({"Operations": [op]});
        for body in [
            one(json!({"op": "add", "path": "title", "value": "x"})),
            one(json!({"op": "replace", "path": "title", "value": 5})),
            one(json!({"op": "replace", "path": "displayName", "value": "x"})),
            one(json!({"op": "replace", "path": "department", "value": "x"})),
            one(json!({"op": "replace", "value": {"title": "x"}})),
            one(json!({"op": "replace", "path": "title", "value": "a\u{0}b"})),
            json!({"OPERATIONS": [{"op": "replace", "path": "title", "value": "x"}]}),
            json!({"Operations": [
                {"op": "replace", "path": "title", "value": "x"},
                {"op": "replace", "path": "title", "value": "y"},
            ]}),
        ] {
            assert!(patch_in_place(&body, &ctx).is_none(), "{body}");
        }
    }
}

#[cfg(test)]
mod scim_write_tests {
    use serde_json::json;

    use crate::compat::Compat;
    use crate::error::{ApiError, ApiResult};
    use crate::genesys::mapping::ScimWrite;
    use crate::genesys::org::Org;
    use crate::genesys::user::User;
    use crate::scim::schema::ENTERPRISE_USER;

    fn body(ops: serde_json::Value) -> serde_json::Value {
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
    }

    /// The SCIM writes of an org: a create, a PATCH through the in-place path and through the
    /// general one, a PUT; each stored with its version bumped, and a precondition that
    /// refuses or an unknown id leaving the user as it was.
    #[test]
    fn scim_writes_store_the_user_and_honour_the_precondition() {
        let mut org = Org::for_tests(&["Home", "Sales"]);
        let (compat, now) = (Compat::default(), chrono::Utc::now());
        let write = |precondition: fn(u64) -> ApiResult<()>| ScimWrite {
            compat: &compat,
            base: "http://h/scim/v2",
            now,
            precondition,
        };
        let ok: fn(u64) -> ApiResult<()> = |_| Ok(());
        let refused: fn(u64) -> ApiResult<()> = |v| {
            Err(ApiError::invalid_vers(
                http::StatusCode::PRECONDITION_FAILED,
                format!("not {v}"),
            ))
        };
        let id = org
            .create_user(
                &json!({"userName": "a@x.org", "displayName": "A"}),
                &compat,
                now,
                |_, _| Ok(()),
            )
            .unwrap();
        let admit = |_: &Org, _: &User, _: &User| Ok(());
        let title = body(json!([{"op": "replace", "path": "title", "value": "Lead"}]));
        org.patch_user(&id, &title, write(ok), admit).unwrap();
        let division = body(json!([{"op": "replace",
            "path": format!("{ENTERPRISE_USER}:division"), "value": "Sales"}]));
        org.patch_user(&id, &division, write(ok), admit).unwrap();
        let user = org.user(&id).unwrap();
        assert_eq!(
            (user.title.as_deref(), &*user.division_id, user.version),
            (Some("Lead"), "d1", 3)
        );

        let put = json!({"userName": "a@x.org", "displayName": "B"});
        let err = org
            .replace_user(&id, &put, write(refused), admit)
            .unwrap_err();
        assert_eq!(err.detail, "not 3");
        assert!(org.patch_user(&id, &title, write(refused), admit).is_err());
        const EDIT: &[&str] = &["directory:user:edit"];
        let deny =
            |_: &Org, _: &User, _: &User| Err(ApiError::missing_any_permissions(&EDIT, None));
        let err = org.replace_user(&id, &put, write(ok), deny).unwrap_err();
        assert_eq!(err.code, "missing.any.permissions");
        assert_eq!(org.user(&id).unwrap().version, 3, "nothing stored");
        let err = org
            .patch_user("nobody", &title, write(ok), admit)
            .unwrap_err();
        assert_eq!(err.detail, "User nobody not found.");

        org.replace_user(&id, &put, write(ok), admit).unwrap();
        let user = org.user(&id).unwrap();
        assert_eq!(
            (user.name.as_str(), user.title.as_deref(), user.version),
            ("B", None, 4)
        );
        org.delete_user(&id, now, ok).unwrap();
        assert!(org.user(&id).is_none());
        assert_eq!(
            org.deleted_user_by_name("a@x.org").map(|u| u.version),
            Some(5)
        );
    }

    /// Two creates of one userName prepared side by side (both see it free), committed one
    /// after the other: the second is refused 409 as a create after the first would be, and
    /// stores nothing.
    #[test]
    fn a_create_committed_after_a_racing_one_took_its_user_name_is_a_conflict() {
        let mut org = Org::for_tests(&["Home"]);
        let (compat, now) = (Compat::default(), chrono::Utc::now());
        let admit = |_: &Org, _: &User| Ok(());
        let a = json!({"userName": "race@x.org", "displayName": "A"});
        let b = json!({"userName": "RACE@x.org", "displayName": "B"});
        let first = org.prepare_create(&a, &compat).unwrap();
        let second = org.prepare_create(&b, &compat).unwrap();
        let id = org.commit_create(first, &a, &compat, now, admit).unwrap();
        let err = org
            .commit_create(second, &b, &compat, now, admit)
            .unwrap_err();
        assert_eq!(err.status, http::StatusCode::CONFLICT, "{err:?}");
        assert_eq!(err.detail, "User name already in use by non-deleted user.");
        assert_eq!(
            org.user_by_name("race@x.org").map(|u| u.id.as_str()),
            Some(id.as_str())
        );
        assert_eq!(org.users().count(), 1);
    }

    /// What a prepared create read changes before its commit: its manager is deleted, or its
    /// userName's deleted owner is revived by another create. The commit prepares again and
    /// answers as a create at that moment would: the unknown manager refused, the revival
    /// refused as a conflict. A write elsewhere in the org changes nothing.
    #[test]
    fn a_create_whose_reads_changed_before_its_commit_is_prepared_again() {
        let mut org = Org::for_tests(&["Home"]);
        let (compat, now) = (Compat::default(), chrono::Utc::now());
        let admit = |_: &Org, _: &User| Ok(());
        let boss = org
            .create_user(
                &json!({"userName": "boss@x.org", "displayName": "Boss"}),
                &compat,
                now,
                admit,
            )
            .unwrap();
        let managed = json!({"userName": "m@x.org", "displayName": "M",
            ENTERPRISE_USER: {"manager": {"value": boss}}});
        let prepared = org.prepare_create(&managed, &compat).unwrap();
        let alone = org.prepare_create(&managed, &compat);
        org.delete_user(&boss, now, |_| Ok(())).unwrap();
        let err = org
            .commit_create(prepared, &managed, &compat, now, admit)
            .unwrap_err();
        let fresh = org.prepare_create(&managed, &compat).unwrap_err();
        assert!(alone.is_ok());
        assert_eq!((err.status, &err.detail), (fresh.status, &fresh.detail));
        assert!(org.user_by_name("m@x.org").is_none());

        // A deleted owner of the userName, revived by a racing create in between.
        let old = org
            .create_user(
                &json!({"userName": "back@x.org", "displayName": "Old"}),
                &compat,
                now,
                admit,
            )
            .unwrap();
        org.delete_user(&old, now, |_| Ok(())).unwrap();
        let back = json!({"userName": "back@x.org", "displayName": "New"});
        let late = org.prepare_create(&back, &compat).unwrap();
        let early = org.prepare_create(&back, &compat).unwrap();
        org.create_user(
            &json!({"userName": "other@x.org", "displayName": "O"}),
            &compat,
            now,
            admit,
        )
        .unwrap();
        let revived = org
            .commit_create(early, &back, &compat, now, admit)
            .unwrap();
        let err = org
            .commit_create(late, &back, &compat, now, admit)
            .unwrap_err();
        assert_eq!(err.status, http::StatusCode::CONFLICT);
        assert_eq!(
            org.user_by_name("back@x.org").map(|u| u.id.clone()),
            Some(revived)
        );
    }
}
