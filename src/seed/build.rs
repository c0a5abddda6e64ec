//! Building orgs and OAuth clients from parsed fixture documents, through the same operations
//! the API uses.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::error::{Error, err};
use super::format::{FixtureFile, MAX_SCIM_TTL_SECS, MAX_TTL_SECS, OrgFixture, UserRecord};
use super::genesys_form::{self, GenesysUser};
use super::read::{serde_field, unknown_keys};
use super::scim_record;
use super::stamp;
use crate::base::rng::Seeded;
use crate::compat::Compat;
use crate::compat::layer::CompatLayer;
use crate::genesys::group::Group;
use crate::genesys::limits::{LimitFlags, Limits};
use crate::genesys::mapping::{self, Mode, WriteCtx};
use crate::genesys::org::{Org, Stamp};
use crate::genesys::permission::{MAX_PERMISSIONS_PER_ROLE, MAX_ROLE_DIVISIONS, RoleDivision};
use crate::genesys::user::{User, UserState};
use crate::store::{OAuthClient, Store};

/// OAuth clients one org may have: each holds its own token bound
/// ([`crate::store::tokens::MAX_TOKENS_PER_CLIENT`]), so the client table stays small. Chosen;
/// Genesys publishes no limit.
pub const MAX_CLIENTS_PER_ORG: usize = 100;

/// Loads parsed fixtures into `store`, each org with its own seeded id stream.
pub(crate) fn load<U: UserRecord + Sync>(
    store: &Store,
    docs: &[(String, FixtureFile<U>)],
    seed: Option<u64>,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let mut seen = std::collections::HashSet::new();
    for (file, doc) in docs {
        for (i, fixture) in doc.orgs.iter().enumerate() {
            let where_ = format!("orgs[{i}] (id {:?})", fixture.id);
            // Documents may be loaded one at a time into the same store: an org already there
            // is a duplicate too.
            if !seen.insert(fixture.id.clone()) || store.org(&fixture.id).is_some() {
                return Err(err(file, where_, Some("id"), "duplicate org id"));
            }
            let org = build_org(file, i, fixture, seed, now)?;
            store.insert_org(org);
            for (j, c) in fixture.oauth_clients.iter().enumerate() {
                if !c.ttl_range().contains(&c.token_ttl_secs) {
                    let why = if c.scim || c.token_ttl_secs < 300 {
                        format!("must be from 300 to {} seconds", c.ttl_range().end())
                    } else {
                        format!(
                            "must be from 300 to {MAX_TTL_SECS} seconds (48 hours); only a SCIM \
                             client (`scim: true`) may go up to {MAX_SCIM_TTL_SECS} (450 days)"
                        )
                    };
                    return Err(err(
                        file,
                        format!("orgs[{i}].oauthClients[{j}] (id {:?})", c.id),
                        Some("tokenTtlSecs"),
                        format!("{why}, got {}", c.token_ttl_secs),
                    ));
                }
                for (field, value, flag) in [
                    (
                        "rateLimitPerMinute",
                        c.rate_limit_per_minute,
                        "--rate-limit",
                    ),
                    (
                        "tokenRateLimitPerMinute",
                        c.token_rate_limit_per_minute,
                        "--token-rate-limit",
                    ),
                ] {
                    if value == Some(0) {
                        return Err(err(
                            file,
                            format!("orgs[{i}].oauthClients[{j}] (id {:?})", c.id),
                            Some(field),
                            format!("must be greater than 0 (omit it to use {flag})"),
                        ));
                    }
                }
                if store.client(&c.id).is_some() {
                    return Err(err(
                        file,
                        format!("orgs[{i}].oauthClients[{j}]"),
                        Some("id"),
                        format!("duplicate OAuth client id {:?}", c.id),
                    ));
                }
                if let Some(pairs) = &c.role_divisions {
                    let place = format!("orgs[{i}].oauthClients[{j}] (id {:?})", c.id);
                    let org = store.org(&fixture.id).ok_or_else(|| {
                        err(file, place.clone(), None, "the org vanished while loading")
                    })?;
                    role_divisions_problem(&org.read(), pairs).map_or(Ok(()), |(field, why)| {
                        Err(err(file, place, Some(&field), why))
                    })?;
                }
                store.insert_client(OAuthClient::from((fixture.id.as_str(), c)));
            }
        }
    }
    Ok(())
}

/// Why a client's `roleDivisions` cannot be held in `org`: too many pairs, or a pair naming a
/// role or division the org lacks. The field is `roleDivisions` or `roleDivisions[k].role` /
/// `.division`. Fixtures and the admin API's grant routes both ask this.
pub(crate) fn role_divisions_problem(
    org: &Org,
    pairs: &[RoleDivision],
) -> Option<(String, String)> {
    if pairs.len() > MAX_ROLE_DIVISIONS {
        return Some((
            "roleDivisions".to_owned(),
            format!(
                "at most {MAX_ROLE_DIVISIONS} pairs per OAuth client, got {}",
                pairs.len()
            ),
        ));
    }
    pairs.iter().enumerate().find_map(|(k, p)| {
        org.role_division_problem(p)
            .map(|(field, why)| (format!("roleDivisions[{k}].{field}"), why))
    })
}

/// Builds one org from its fixture.
pub(crate) fn build_org<U: UserRecord + Sync>(
    file: &str,
    i: usize,
    f: &OrgFixture<U>,
    seed: Option<u64>,
    now: DateTime<Utc>,
) -> Result<Org, Error> {
    let at = |what: &str, j: usize, id: &str| format!("orgs[{i}].{what}[{j}] (id {id:?})");
    if f.id.trim().is_empty() {
        return Err(err(
            file,
            format!("orgs[{i}]"),
            Some("id"),
            "must not be empty",
        ));
    }
    let mut org = reference_org(f, seed);
    if let Some(code) = &f.default_country_code {
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(err(
                file,
                format!("orgs[{i}]"),
                Some("defaultCountryCode"),
                format!("must be two upper-case letters (ISO 3166-1 alpha-2), got {code:?}"),
            ));
        }
        org.default_country_code.clone_from(code);
    }
    if let Some(l) = &f.limits {
        if let Some(field) = l.first_zero() {
            return Err(err(
                file,
                format!("orgs[{i}]"),
                Some(&format!("limits.{field}")),
                "must be greater than 0",
            ));
        }
        org.limits = Limits::resolve(l, LimitFlags::default());
        org.limit_settings = l.clone();
    }
    for (what, list) in [
        (
            "divisions",
            f.divisions
                .iter()
                .map(|d| (&d.id, &d.name))
                .collect::<Vec<_>>(),
        ),
        ("roles", f.roles.iter().map(|d| (&d.id, &d.name)).collect()),
        (
            "skills",
            f.skills.iter().map(|d| (&d.id, &d.name)).collect(),
        ),
        (
            "languages",
            f.languages.iter().map(|d| (&d.id, &d.name)).collect(),
        ),
    ] {
        let mut ids = std::collections::HashSet::new();
        let mut names = std::collections::HashSet::new();
        for (j, (id, name)) in list.iter().enumerate() {
            if !ids.insert(&**id) {
                return Err(err(file, at(what, j, id), Some("id"), "duplicate id"));
            }
            if !names.insert(name.to_lowercase()) {
                return Err(err(
                    file,
                    at(what, j, id),
                    Some("name"),
                    format!("duplicate name {name:?}"),
                ));
            }
        }
    }
    for (j, r) in f.roles.iter().enumerate() {
        if r.permissions.len() > MAX_PERMISSIONS_PER_ROLE {
            return Err(err(
                file,
                at("roles", j, &r.id),
                Some("permissions"),
                format!(
                    "at most {MAX_PERMISSIONS_PER_ROLE} permissions per role, got {}",
                    r.permissions.len()
                ),
            ));
        }
    }
    if org.divisions.is_empty() {
        return Err(err(
            file,
            format!("orgs[{i}]"),
            Some("divisions"),
            "an org needs at least one division (the home division)",
        ));
    }
    if f.oauth_clients.len() > MAX_CLIENTS_PER_ORG {
        return Err(err(
            file,
            format!("orgs[{i}]"),
            Some("oauthClients"),
            format!("at most {MAX_CLIENTS_PER_ORG} OAuth clients per org"),
        ));
    }
    if f.rate_limits.len() > crate::ratelimit::layer::MAX_LAYERS {
        return Err(err(
            file,
            format!("orgs[{i}]"),
            Some("rateLimits"),
            format!(
                "at most {} named rate limits",
                crate::ratelimit::layer::MAX_LAYERS
            ),
        ));
    }
    for (j, layer) in f.rate_limits.iter().enumerate() {
        layer.validate().map_err(|e| {
            err(
                file,
                format!("orgs[{i}].rateLimits[{j}]"),
                Some("perMinute"),
                e,
            )
        })?;
    }
    org.rate_layers = f.rate_limits.clone();
    if let Some(map) = &f.compat {
        org.compat = CompatLayer::parse(map).map_err(|e| {
            err(
                file,
                format!("orgs[{i}]"),
                Some(&format!("compat.{}", e.switch)),
                e.message,
            )
        })?;
    }
    // Records are checked under the built-in switches with the org's layer on top: the
    // server's flags are not known while fixtures load (and `validate` has none).
    let mut compat = Compat::default();
    org.compat.apply(&mut compat);

    // Users: each record is parsed and mapped on its own (in parallel, see [`prepare_batch`]),
    // then stored in record order, first without managers (a manager may come later in the
    // file), then managers.
    let mut managers = Vec::new();
    // Users' `meta`, applied once every record is stored (storing sets versions and times).
    let mut stamps: Vec<(String, Stamp)> = Vec::new();
    org.reserve_users(f.users.len().min(org.limits.users_per_org));
    for start in (0..f.users.len()).step_by(USER_BATCH) {
        let end = f.users.len().min(start + USER_BATCH);
        let prepared = prepare_batch(
            file,
            i,
            start,
            &f.users[start..end],
            &org,
            &compat,
            workers(end - start),
        );
        for p in prepared {
            // A record's own errors come after the duplicate check, as in a one-pass load.
            let Prepared {
                id,
                index,
                genesys,
                built,
            } = p?;
            let at = || place(i, index, &id);
            if org.user_any(&id).is_some() {
                return Err(err(file, at(), Some("id"), "duplicate user id"));
            }
            let (mut user, manager, stamp) = built?;
            if let Some(stamp) = stamp {
                stamps.push((id.clone(), stamp));
            }
            let field = |f: &str| field_name(genesys, f);
            // A manager already loaded (the usual order, and the generator's) is linked now,
            // with the same checks as the second pass; one later in the file waits for it.
            let manager = match manager {
                Some(m) if org.user_any(&m).is_some() || m == id => {
                    if let Some(why) = manager_problem(&org, &id, &m) {
                        return Err(err(file, at(), Some(&field("manager")), why));
                    }
                    user.manager_id = Some(m);
                    None
                }
                other => other,
            };
            org.store_user(user, now).map_err(|e| {
                // store_user fails only on uniqueness: of the userName, or of an external id.
                let f = if e.scim_type == Some("uniqueness") {
                    "userName"
                } else {
                    "externalIds"
                };
                err(file, at(), Some(&field(f)), e.detail)
            })?;
            if let Some(m) = manager {
                managers.push((at(), id, m, field("manager")));
            }
        }
    }
    for (place, id, manager, manager_field) in managers {
        if let Some(why) = manager_problem(&org, &id, &manager) {
            return Err(err(file, place, Some(&manager_field), why));
        }
        let mut user = org
            .user_any(&id)
            .cloned()
            .ok_or_else(|| err(file, place.clone(), None, "the user vanished while loading"))?;
        user.manager_id = Some(manager);
        org.store_user(user, now)
            .map_err(|e| err(file, place.clone(), None, e.detail))?;
    }
    let mut group_names = std::collections::HashSet::new();
    let mut group_stamps: Vec<(String, Stamp)> = Vec::new();
    for (j, g) in f.groups.iter().enumerate() {
        let place = at("groups", j, &g.id);
        if let Some(meta) = &g.meta {
            let stamp = meta
                .stamp()
                .map_err(|(field, why)| err(file, place.clone(), Some(field), why))?;
            group_stamps.push((g.id.clone(), stamp));
        }
        if org.group(&g.id).is_some() {
            return Err(err(file, place, Some("id"), "duplicate group id"));
        }
        if !group_names.insert(g.name.to_ascii_lowercase()) {
            return Err(err(
                file,
                place,
                Some("name"),
                format!(
                    "duplicate group name {:?} (Entra matches groups by name, case-insensitively)",
                    g.name
                ),
            ));
        }
        for m in &g.members {
            if org.user(m).is_none() {
                return Err(err(
                    file,
                    place,
                    Some("members"),
                    format!("{m:?} is not a user id in this org"),
                ));
            }
        }
        org.store_group(Group::from(g), now)
            .map_err(|e| err(file, place, Some("members"), e.detail))?;
    }
    org.settle_fixture_versions();
    for (id, stamp) in stamps {
        org.restore_user_stamp(&id, stamp);
    }
    for (id, stamp) in group_stamps {
        org.restore_group_stamp(&id, stamp);
    }
    Ok(org)
}

/// An org with its fixture's reference data (divisions, roles, skills, languages): what user
/// records are mapped against.
pub(super) fn reference_org<U>(f: &OrgFixture<U>, seed: Option<u64>) -> Org {
    let mut org = Org::new(
        &f.id,
        f.name.as_deref().unwrap_or(&f.id),
        Seeded::derive(seed, &f.id),
    );
    org.divisions = f.divisions.clone();
    org.roles = f.roles.clone();
    org.skills = f.skills.clone();
    org.languages = f.languages.clone();
    org
}

/// Where a user record is, as errors name it (`orgs[0].users[3] (id "u4")`): written only
/// when an error needs it, not for each of 100,000 good records.
fn place(org: usize, index: usize, id: &str) -> String {
    format!("orgs[{org}].users[{index}] (id {id:?})")
}

/// User records prepared (parsed, checked and mapped) per batch before they are stored: bounds
/// how many built users wait at once, so a batch's workers finish before its users are stored.
const USER_BATCH: usize = 4096;

/// Fewer records than this are prepared on the calling thread: starting workers would cost
/// more than it saves (the default org has a handful of users).
const MIN_PARALLEL: usize = 512;

/// Most worker threads a load starts, whatever the machine has.
const MAX_WORKERS: usize = 8;

/// A user record parsed, checked and mapped, waiting to be stored in record order. `built`
/// holds the record's own error, reported only after the duplicate-id check, which needs the
/// records before it.
#[derive(Debug, PartialEq)]
pub(super) struct Prepared {
    id: String,
    /// The record's index in the org's `users`.
    index: usize,
    /// Written in Genesys form: errors name fields as that form spells them.
    genesys: bool,
    /// The user, its manager's id (linked when the user is stored) and the version and
    /// times its `meta` records (kept once the org is loaded).
    pub(super) built: Result<(User, Option<String>, Option<Stamp>), Error>,
}

/// Prepares `records` (the org's users from index `start`), in order. Preparing a record reads
/// only the record and the org's reference data (divisions, roles, skills, languages, limits),
/// never other users, so records are split across the machine's cores: JSON parsing and mapping
/// are most of a large fixture's start-up.
fn prepare_batch<U: UserRecord + Sync>(
    file: &str,
    i: usize,
    start: usize,
    records: &[U],
    org: &Org,
    compat: &Compat,
    workers: usize,
) -> Vec<Result<Prepared, Error>> {
    let prepare = |j: usize, r: &U| prepare_user(file, i, j, r, org, compat);
    if workers <= 1 {
        return (start..).zip(records).map(|(j, r)| prepare(j, r)).collect();
    }
    let per = records.len().div_ceil(workers);
    std::thread::scope(|s| {
        let chunks = (start..).step_by(per).zip(records.chunks(per));
        let run = move |(from, chunk): (usize, &[U])| -> Vec<_> {
            (from..).zip(chunk).map(|(j, r)| prepare(j, r)).collect()
        };
        // A chunk whose thread cannot be started is prepared here instead.
        let jobs: Vec<_> = chunks
            .map(|job| {
                std::thread::Builder::new()
                    .spawn_scoped(s, move || run(job))
                    .map_err(|_| job)
            })
            .collect();
        jobs.into_iter()
            .flat_map(|job| match job {
                Ok(handle) => handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(job) => run(job),
            })
            .collect()
    })
}

/// How many threads prepare `records` records: the machine's cores, one for a small org.
fn workers(records: usize) -> usize {
    if records < MIN_PARALLEL {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_WORKERS))
}

/// Parses, checks and maps one user record: everything about a record but what depends on
/// the records before it (duplicate ids, managers, uniqueness), which [`build_org`] checks as
/// it stores the user. A SCIM-form record held as text is read by [`scim_record`] when it can
/// be, the rest (and every record it declines) by [`prepare_general`].
pub(super) fn prepare_user<U: UserRecord>(
    file: &str,
    i: usize,
    j: usize,
    record: &U,
    org: &Org,
    compat: &Compat,
) -> Result<Prepared, Error> {
    if let Some(text) = record.text() {
        if let Some((mut user, manager)) = scim_record::user(text, org, compat) {
            shrink(&mut user);
            return Ok(Prepared {
                index: j,
                id: user.id.clone(),
                genesys: false,
                built: Ok((user, manager, None)),
            });
        }
        if let Some((id, body)) = genesys_form::scim_body(text) {
            return Ok(prepare_body(file, i, j, id, body, true, org, compat));
        }
    }
    prepare_general(file, i, j, record, org, compat)
}

/// [`prepare_user`] through the record's JSON tree and [`mapping::user_from_scim`]: every
/// record, every rule, every error message.
pub(super) fn prepare_general<U: UserRecord>(
    file: &str,
    i: usize,
    j: usize,
    record: &U,
    org: &Org,
    compat: &Compat,
) -> Result<Prepared, Error> {
    let record = record.json().map_err(|e| {
        err(
            file,
            format!("orgs[{i}].users[{j}]"),
            None,
            format!("invalid JSON: {e}"),
        )
    })?;
    let id = record
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let place = place(i, j, &id);
    if id.is_empty() {
        return Err(err(
            file,
            place,
            Some("id"),
            "every fixture user needs a fixed string id",
        ));
    }
    match user_body(file, &place, record, &id) {
        Ok((body, genesys)) => Ok(prepare_body(file, i, j, id, body, genesys, org, compat)),
        Err(e) => Ok(Prepared {
            id,
            index: j,
            genesys: false,
            built: Err(e),
        }),
    }
}

/// Maps a record's SCIM body (`genesys`: translated from the Genesys form) to a user.
#[allow(
    clippy::too_many_arguments,
    reason = "the record's place and the org it is mapped against"
)]
fn prepare_body(
    file: &str,
    i: usize,
    j: usize,
    id: String,
    mut body: Value,
    genesys: bool,
    org: &Org,
    compat: &Compat,
) -> Prepared {
    let place = || place(i, j, &id);
    let deleted = body
        .get("deleted")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let manager = take_manager(&mut body);
    if let Some(obj) = body.as_object_mut() {
        obj.remove("deleted");
    }
    let stamp = match stamp::take(&mut body) {
        Ok(stamp) => stamp,
        Err((field, why)) => {
            return Prepared {
                built: Err(err(file, place(), Some(&field_name(genesys, &field)), why)),
                id,
                index: j,
                genesys,
            };
        }
    };
    let ctx = WriteCtx {
        org,
        compat,
        mode: Mode::Create,
        previous: None,
    };
    let built = mapping::user_from_scim(&body, &id, &ctx)
        .map(|mut user| {
            if deleted {
                user.state = UserState::Deleted;
            }
            shrink(&mut user);
            (user, manager, stamp)
        })
        .map_err(|e| {
            let field = e.attribute.map(|f| field_name(genesys, f));
            err(file, place(), field.as_deref(), e.detail)
        });
    Prepared {
        id,
        index: j,
        genesys,
        built,
    }
}

/// Drops the spare capacity of a loaded user's lists. The mapping grows them one element at a
/// time (room for four phones, roles, skills, ... where most users have one or two), and a
/// fixture's users are kept for the life of the server: this saves about 480 bytes of RSS per
/// user of a generated 100,000-user org (2,725 to 2,240 bytes per user).
fn shrink(user: &mut User) {
    user.phones.shrink_to_fit();
    user.role_ids.shrink_to_fit();
    user.skills.shrink_to_fit();
    user.languages.shrink_to_fit();
    user.external_ids.shrink_to_fit();
}

/// A field's name as the record spells it: errors name what the author wrote.
fn field_name(genesys: bool, field: &str) -> String {
    if genesys {
        genesys_form::field_name(field)
    } else {
        field.to_owned()
    }
}

/// Why `manager` cannot be the fixture manager of user `id`: it must be another non-deleted
/// user of the org. `None` when it can.
fn manager_problem(org: &Org, id: &str, manager: &str) -> Option<String> {
    if manager == id {
        return Some("a user cannot be their own manager".to_owned());
    }
    org.user(manager)
        .is_none()
        .then(|| format!("{manager:?} is not the id of a non-deleted user in this org"))
}

/// The SCIM body of a fixture user record and whether it was written in Genesys form. A
/// SCIM-form record may carry only SCIM attributes (supported or documented as unsupported),
/// extension objects, `id` and `deleted`: anything else is a typo, and a typo must not vanish.
fn user_body(
    file: &str,
    place: &str,
    record: Cow<'_, Value>,
    id: &str,
) -> Result<(Value, bool), Error> {
    let obj = record
        .as_object()
        .ok_or_else(|| err(file, place, None, "a user must be a JSON object"))?;
    if let Some(g) = obj.get("genesys") {
        unknown_keys(file, place, obj, &["id", "genesys"])?;
        let user: GenesysUser = serde_json::from_value(g.clone()).map_err(|e| {
            let msg = e.to_string();
            let f = serde_field(&msg).map(|f| format!("genesys.{f}"));
            err(file, place, f.as_deref(), msg)
        })?;
        return Ok((user.to_scim(id), true));
    }
    for key in obj.keys() {
        let known = ["id", "deleted", "schemas"].contains(&key.as_str())
            || crate::scim::schema::USER_SCHEMA.attribute(key).is_some()
            || mapping::is_documented_unsupported(key)
            || key.starts_with("urn:");
        if !known {
            return Err(err(
                file,
                place,
                Some(key),
                "unknown field: not a SCIM User attribute, an extension URN, \"id\", \"deleted\" or \"genesys\"",
            ));
        }
    }
    if obj.get("deleted").is_some_and(|d| !d.is_boolean()) {
        return Err(err(file, place, Some("deleted"), "must be true or false"));
    }
    Ok((record.into_owned(), false))
}

/// Removes the enterprise manager from a fixture user body, returning its id. Managers are set
/// in a second pass so a user may name a manager defined later in the file.
fn take_manager(body: &mut Value) -> Option<String> {
    let ext = body
        .get_mut(crate::scim::schema::ENTERPRISE_USER)?
        .as_object_mut()?;
    match ext.remove("manager")? {
        Value::String(s) => Some(s),
        Value::Object(o) => o.get("value").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use crate::genesys::user::PhoneKind;
    use crate::seed::read::parse;

    #[test]
    fn errors_name_file_record_and_field() {
        let text = r#"{"version":1,"orgs":[{"id":"o","divisions":[{"id":"d","name":"Home"}],
            "users":[{"id":"u1","userName":"a@x.org","displayName":"A","roles":[{"value":"nope"}]}]}]}"#;
        let doc = parse("f.json", text).unwrap();
        let e = load(&Store::new(), &[("f.json".into(), doc)], None, Utc::now()).unwrap_err();
        assert_eq!(e.file, "f.json");
        assert!(e.record.contains("users[0]"), "{e}");
        assert_eq!(e.field.as_deref(), Some("roles"));
        assert!(e.message.contains("nope"));
    }

    /// A user in the Genesys form loads into the same stored user as its SCIM twin would.
    #[test]
    fn a_genesys_form_user_loads_like_its_scim_twin() {
        let text = serde_json::json!({"version": 1, "orgs": [{
            "id": "t",
            "divisions": [{"id": "d1", "name": "Home"}, {"id": "d2", "name": "Sales"}],
            "roles": [{"id": "r1", "name": "employee"}],
            "skills": [{"id": "s1", "name": "Billing"}],
            "languages": [{"id": "l1", "name": "English"}],
            "users": [
                {"id": "m", "userName": "m@x.org", "displayName": "M"},
                {"id": "g", "genesys": {"name": "G", "email": "g@x.org", "state": "inactive",
                    "divisionName": "Sales", "managerId": "m",
                    "phones": [{"type": "work2", "number": "+13175550100", "extension": "9", "primary": true}],
                    "skills": [{"name": "Billing", "proficiency": 2}], "externalId": "ext-g"}},
                {"id": "d", "genesys": {"name": "D", "email": "d@x.org", "state": "deleted"}}
            ]
        }]})
        .to_string();
        let doc = parse("g.json", &text).unwrap();
        let store = Store::new();
        load(&store, &[("g.json".into(), doc)], Some(1), Utc::now()).unwrap();
        let org = store.org("t").unwrap();
        let org = org.read();
        let g = org.user_any("g").unwrap();
        assert_eq!(g.state.as_str(), "inactive");
        assert_eq!(&*g.division_id, "d2");
        assert_eq!(g.manager_id.as_deref(), Some("m"));
        assert_eq!(g.phones[0].value.to_scim(), "tel:+13175550100;ext=9");
        assert_eq!(g.primary_phone, Some(PhoneKind::Work2));
        assert_eq!(g.scim_external_id(), Some("ext-g"));
        assert_eq!(g.role_ids, [Arc::from("r1")], "default role");
        assert_eq!(org.user_any("d").unwrap().state.as_str(), "deleted");
    }

    fn generated(users: usize) -> Value {
        let spec = crate::seed::generator::Spec {
            org: "g".into(),
            users,
            groups: 3,
            seed: 7,
        };
        serde_json::from_str(&crate::seed::generator::to_string(&spec)).unwrap()
    }

    /// Records prepared on several threads come back in record order, exactly as one thread
    /// prepares them, errors included.
    #[test]
    fn parallel_preparation_matches_one_thread() {
        let mut doc = generated(700);
        doc["orgs"][0]["users"][650]["roles"] = serde_json::json!([{"value": "nope"}]);
        let f: OrgFixture = serde_json::from_value(doc["orgs"][0].clone()).unwrap();
        let org = reference_org(&f, Some(1));
        let compat = Compat::default();
        let run = |workers| -> Vec<_> {
            prepare_batch("f", 0, 100, &f.users, &org, &compat, workers)
                .into_iter()
                .map(|p| p.map(|p| (place(0, p.index, &p.id), p.id, p.genesys, p.built)))
                .collect()
        };
        let one = run(1);
        assert_eq!(one.len(), 700);
        let (place, id, _, built) = one[650].as_ref().unwrap();
        assert_eq!(place, &format!("orgs[0].users[750] (id {id:?})"));
        assert_eq!(built.as_ref().unwrap_err().field.as_deref(), Some("roles"));
        assert!(one[649].as_ref().unwrap().3.is_ok());
        for workers in [2, 3, 8] {
            assert!(run(workers) == one, "{workers} workers");
        }
    }

    /// A large org (several batches, several threads) fails at the first bad record in file
    /// order, and a duplicate id is reported before the record's own error, as in one pass.
    #[test]
    fn a_large_org_reports_the_first_bad_record() {
        let mut doc = generated(USER_BATCH + 600);
        let users = &mut doc["orgs"][0]["users"];
        let first_id = users[3]["id"].clone();
        users[USER_BATCH + 100]["id"] = first_id.clone();
        users[USER_BATCH + 100]["roles"] = serde_json::json!([{"value": "nope"}]);
        users[USER_BATCH + 500]["roles"] = serde_json::json!([{"value": "nope"}]);
        let text = doc.to_string();
        let raw = crate::seed::read::parse_raw("big.json", &text).unwrap();
        let e = load(&Store::new(), &[("big.json".into(), raw)], None, Utc::now()).unwrap_err();
        assert_eq!(
            e.record,
            format!("orgs[0].users[{}] (id {first_id})", USER_BATCH + 100)
        );
        assert_eq!(e.field.as_deref(), Some("id"));
        assert_eq!(e.message, "duplicate user id");

        let good = generated(USER_BATCH + 600);
        let order: Vec<String> = good["orgs"][0]["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap().to_owned())
            .collect();
        let text = good.to_string();
        let raw = crate::seed::read::parse_raw("big.json", &text).unwrap();
        let store = Store::new();
        load(&store, &[("big.json".into(), raw)], None, Utc::now()).unwrap();
        let org = store.org("g").unwrap();
        let org = org.read();
        let stored: Vec<&str> = org.users().map(|u| u.id.as_str()).collect();
        assert_eq!(stored, order, "users are stored in record order");
    }

    /// A key repeated anywhere in a fixture is refused, on start-up's path (raw records) and
    /// on the whole-document parse alike, and the error names the user record it is in.
    #[test]
    fn repeated_keys_are_refused_everywhere() {
        let org = |users: &str, extra: &str| {
            format!(
                r#"{{"version":1,"orgs":[{{"id":"o","divisions":[{{"id":"d","name":"Home"}}],
                "roles":[{{"id":"r","name":"employee"}}]{extra},"users":[{users}]}}]}}"#
            )
        };
        let ent = crate::scim::schema::ENTERPRISE_USER;
        let good = r#"{"id":"m","userName":"m@x.org","displayName":"M"}"#;
        let users = [
            r#"{"id":"u","userName":"a@x.org","userName":"b@x.org","displayName":"A"}"#.to_owned(),
            format!(r#"{{"id":"u","userName":"a@x.org","displayName":"A","{ent}":{{"manager":{{"value":"m","value":"m"}}}}}}"#),
            format!(r#"{{"id":"u","userName":"a@x.org","displayName":"A","{ent}":{{"manager":{{"value":"m","$ref":"x","$ref":"y"}}}}}}"#),
            r#"{"id":"u","userName":"a@x.org","displayName":"A","emails":[{"type":"work","value":"w@x.org","value":"v@x.org"}]}"#.to_owned(),
            r#"{"id":"u","genesys":{"name":"G","email":"g@x.org","email":"h@x.org"}}"#.to_owned(),
        ];
        for user in &users {
            let text = org(&format!("{good},{user}"), "");
            for e in [
                parse("f.json", &text).and_then(|doc| {
                    load(&Store::new(), &[("f.json".into(), doc)], None, Utc::now())
                }),
                crate::seed::read::parse_raw("f.json", &text).and_then(|doc| {
                    load(&Store::new(), &[("f.json".into(), doc)], None, Utc::now())
                }),
            ] {
                let e = e.unwrap_err();
                assert!(e.message.contains("duplicate"), "{user}: {e}");
                if !e.record.starts_with("line") {
                    assert!(e.record.starts_with("orgs[0].users[1]"), "{user}: {e}");
                }
            }
            // Without the repeat, the same record loads.
            let once = user.replacen(r#","userName":"b@x.org""#, "", 1);
            if once != *user {
                let text = org(&format!("{good},{once}"), "");
                let doc = crate::seed::read::parse_raw("f.json", &text).unwrap();
                load(&Store::new(), &[("f.json".into(), doc)], None, Utc::now()).unwrap();
            }
        }
        for extra in [
            r#","compat":{"profile":"rfc","profile":"genesys"}"#,
            r#","name":"A","name":"B""#,
            r#","skills":[{"id":"s","id":"t","name":"S"}]"#,
        ] {
            let text = org(good, extra);
            let raw = crate::seed::read::parse_raw("f.json", &text).unwrap_err();
            assert!(raw.message.contains("duplicate"), "{extra}: {raw}");
            assert!(
                parse("f.json", &text)
                    .unwrap_err()
                    .message
                    .contains("duplicate")
            );
        }
    }

    /// Loaded users keep no spare list capacity: a fixture's users live as long as the server.
    #[test]
    fn loaded_users_hold_no_spare_capacity() {
        let text = generated(60).to_string();
        let raw = crate::seed::read::parse_raw("g.json", &text).unwrap();
        let store = Store::new();
        load(&store, &[("g.json".into(), raw)], None, Utc::now()).unwrap();
        let org = store.org("g").unwrap();
        let org = org.read();
        assert!(org.users().any(|u| u.phones.len() > 1));
        for u in org.users() {
            assert_eq!(u.phones.capacity(), u.phones.len(), "{}", u.id);
            assert_eq!(u.role_ids.capacity(), u.role_ids.len(), "{}", u.id);
            assert_eq!(u.skills.capacity(), u.skills.len(), "{}", u.id);
            assert_eq!(u.languages.capacity(), u.languages.len(), "{}", u.id);
            assert_eq!(u.external_ids.capacity(), u.external_ids.len(), "{}", u.id);
        }
    }
}
