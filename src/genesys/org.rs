//! One Genesys org: its reference data (divisions, roles, skills, languages), its users and
//! groups, and the indexes that keep cross-record rules true (unique userName among
//! non-deleted users, one user per external id, members that exist).
//!
//! Every write ends in [`Org::store_user`] or [`Org::store_group`], whether it comes from SCIM,
//! the external-id API, fixtures or the admin API, so no path can create a state another path
//! could not. The SCIM writes of a user (`create_user`, `replace_user`, `patch_user`) are
//! methods of [`Org`] defined beside the mapping they drive
//! ([`crate::genesys::mapping::write`]), so this file does not import the mapping.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, RandomState};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::base::rng::Seeded;
use crate::compat::layer::CompatLayer;
use crate::error::{ApiError, ApiResult};
use crate::genesys::group::Group;
use crate::genesys::index::{Posting, UserIndexes};
use crate::genesys::lag::RecentWrites;
use crate::genesys::limits::{LimitSettings, Limits};
use crate::genesys::permission::{EVERY_DIVISION, Grants, Role, RoleDivision};
use crate::genesys::render_cache::RenderCache;
use crate::genesys::user::{User, UserState};
use crate::genesys::user_budget::UserBudget;
use crate::ratelimit::layer::RateLayer;

/// An org's country when its fixture names none (the mock's choice: Genesys' first region is
/// us-east-1).
pub(crate) const DEFAULT_COUNTRY_CODE: &str = "US";

/// A named reference record (skill, language; a role is a [`Role`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Named {
    /// Shared by every user that holds it (skill and language ids of users).
    pub id: Arc<str>,
    pub name: String,
}

/// A division. Exactly one is the home division.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Division {
    /// Shared by every user in the division.
    pub id: Arc<str>,
    pub name: String,
    #[serde(default)]
    pub home: bool,
}

/// A record's version and times as an export wrote them (`meta` of a fixture record), for a
/// restore to keep.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Stamp {
    pub version: Option<u64>,
    pub created: Option<DateTime<Utc>>,
    pub modified: Option<DateTime<Utc>>,
}

impl Stamp {
    fn apply(self, version: &mut u64, created: &mut DateTime<Utc>, modified: &mut DateTime<Utc>) {
        if let Some(v) = self.version {
            *version = v;
        }
        if let Some(c) = self.created {
            *created = c;
        }
        if let Some(m) = self.modified {
            *modified = m;
        }
    }
}

/// An org and everything in it.
#[derive(Debug)]
pub(crate) struct Org {
    pub id: String,
    pub name: String,
    /// ISO 3166-1 alpha-2 code (`GET /api/v2/organizations/me`'s `defaultCountryCode`, which
    /// Genesys' Terraform provider reads before anything else). Fixture `defaultCountryCode`,
    /// default [`DEFAULT_COUNTRY_CODE`].
    pub default_country_code: String,
    pub divisions: Vec<Division>,
    pub roles: Vec<Role>,
    pub skills: Vec<Named>,
    pub languages: Vec<Named>,
    /// The limits in force (see `Limits::resolve`).
    pub limits: Limits,
    /// The limits the org's fixture set, kept so the server's flags can be applied again.
    pub limit_settings: LimitSettings,
    /// The org's own compatibility switches (fixture `compat`): a layer over the server's
    /// `--compat` switches that overrides only the keys it sets.
    pub compat: CompatLayer,
    /// Ids for records created at run time. Per org, so parallel suites stay deterministic.
    pub rng: Seeded,
    /// Boxed, so the table is 40 bytes an entry: growing it past a power of two under the
    /// write lock copies the entries, and with the users inline that was 450 bytes each.
    users: IndexMap<String, Box<User>>,
    groups: IndexMap<String, Group>,
    /// userName and external id → user id, for uniqueness and exact lookups.
    keys: Keys,
    /// State, email, employee number, division and manager → user positions.
    indexes: UserIndexes,
    /// User position → positions of the groups it is a member of, sorted: a user's groups
    /// without a scan of every group's members. Bounded by the groups-per-user limit.
    member_of: Vec<Vec<u32>>,
    /// Users' rendered documents, invalidated by every write below (bounded, see
    /// [`crate::genesys::render_cache`]).
    renders: RenderCache,
    /// Recent creates and deletes, for the `read-lag` switch (bounded, see
    /// [`crate::genesys::lag`]).
    pub recent: RecentWrites,
    /// The org's named rate limits (fixture `rateLimits`), on top of the server's.
    pub rate_layers: Vec<RateLayer>,
    /// The users of every org of the store, counted together ([`crate::genesys::user_budget`]): a user created
    /// here reserves a slot in it.
    budget: Arc<UserBudget>,
}

/// The maps that keep userName and external ids unique, apart from the user table so a
/// write can update them while it reads the stored user (disjoint borrows, no clone).
///
/// Live users' names and external ids are keyed by a 64-bit hash and point at table
/// positions; a lookup checks the stored user, so a collision costs a comparison, never a
/// wrong answer. That keeps about 60 bytes per entry instead of two or three strings.
#[derive(Debug, Default)]
struct Keys {
    hasher: RandomState,
    /// Hash of the lower-cased userName → positions of non-deleted users.
    by_name: HashMap<u64, Posting>,
    /// Lower-cased userName → id of the most recently deleted user with that name (deleted
    /// users only, so few).
    deleted_by_name: HashMap<String, String>,
    /// Hash of (authority, key) → positions of non-deleted users.
    by_external: HashMap<u64, Posting>,
    /// Authority → how many live external ids use it.
    authorities: BTreeMap<String, usize>,
}

type Users = IndexMap<String, Box<User>>;

impl Keys {
    fn name_hash(&self, lower: &str) -> u64 {
        self.hasher.hash_one(lower)
    }

    fn external_hash(&self, authority: &str, key: &str) -> u64 {
        self.hasher.hash_one((authority, key))
    }

    /// The live user named `lower` (already lower-cased), with its position.
    fn named<'u>(&self, users: &'u Users, lower: &str) -> Option<(u32, &'u User)> {
        self.by_name
            .get(&self.name_hash(lower))?
            .as_slice()
            .iter()
            .filter_map(|p| users.get_index(*p as usize).map(|(_, u)| (*p, &**u)))
            .find(|(_, u)| u.is_live() && u.email.to_lowercase() == lower)
    }

    /// The live user holding (authority, key), with its position.
    fn holder<'u>(&self, users: &'u Users, authority: &str, key: &str) -> Option<(u32, &'u User)> {
        self.by_external
            .get(&self.external_hash(authority, key))?
            .as_slice()
            .iter()
            .filter_map(|p| users.get_index(*p as usize).map(|(_, u)| (*p, &**u)))
            .find(|(_, u)| {
                u.is_live()
                    && u.external_ids
                        .iter()
                        .any(|e| e.authority_name == authority && e.external_key == key)
            })
    }

    fn check_unique(&self, users: &Users, user: &User) -> ApiResult<()> {
        if let Some((_, other)) = self.named(users, &user.email.to_lowercase())
            && other.id != user.id
        {
            return Err(ApiError::uniqueness(
                "User name already in use by non-deleted user.",
            ));
        }
        for ext in &user.external_ids {
            if let Some((_, other)) = self.holder(users, &ext.authority_name, &ext.external_key)
                && other.id != user.id
            {
                return Err(ApiError::uniqueness(format!(
                    "External id (authority {:?}, key {:?}) is already mapped to another user.",
                    ext.authority_name, ext.external_key
                )));
            }
        }
        Ok(())
    }

    fn index(&mut self, pos: u32, user: &User) {
        let key = user.email.to_lowercase();
        if user.is_live() {
            let h = self.name_hash(&key);
            self.by_name.entry(h).or_default().insert(pos);
            for ext in &user.external_ids {
                let h = self.external_hash(&ext.authority_name, &ext.external_key);
                self.by_external.entry(h).or_default().insert(pos);
                match self.authorities.get_mut(&ext.authority_name) {
                    Some(n) => *n += 1,
                    None => {
                        self.authorities.insert(ext.authority_name.clone(), 1);
                    }
                }
            }
        } else {
            self.deleted_by_name.insert(key, user.id.clone());
        }
    }

    fn unindex(&mut self, pos: u32, user: &User) {
        let key = user.email.to_lowercase();
        if user.is_live() {
            let h = self.name_hash(&key);
            unlist(&mut self.by_name, h, pos);
            for ext in &user.external_ids {
                let h = self.external_hash(&ext.authority_name, &ext.external_key);
                unlist(&mut self.by_external, h, pos);
                if let Some(n) = self.authorities.get_mut(&ext.authority_name) {
                    *n -= 1;
                    if *n == 0 {
                        self.authorities.remove(&ext.authority_name);
                    }
                }
            }
        } else if self.deleted_by_name.get(&key) == Some(&user.id) {
            self.deleted_by_name.remove(&key);
        }
    }
}

fn unlist(map: &mut HashMap<u64, Posting>, h: u64, pos: u32) {
    if let Some(p) = map.get_mut(&h) {
        p.remove(pos);
        if p.is_empty() {
            map.remove(&h);
        }
    }
}

/// Whether two versions of a live user are indexed under the same keys: the fields [`Keys`]
/// and [`UserIndexes`] read, compared as stored (equal fields give equal normalised keys).
/// Only live to live: the deleted-name map is keyed by name alone, so re-indexing a deleted
/// user can move it, and that case keeps the general path.
fn same_index_keys(a: &User, b: &User) -> bool {
    a.is_live()
        && b.is_live()
        && a.state == b.state
        && a.email == b.email
        && a.work_email == b.work_email
        && a.employee_id == b.employee_id
        && a.division_id == b.division_id
        && a.manager_id == b.manager_id
        && a.external_ids == b.external_ids
}

/// The 404 of a user id that names no live user.
pub(crate) fn user_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("User {id} not found."))
}

/// A table position as the indexes store it. Tables hold far fewer than 2^32 records (the
/// generator's bound is 1,000,000 users), so the conversion cannot fail in practice; it
/// saturates rather than panics.
fn pos32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

impl Org {
    /// An empty org.
    pub(crate) fn new(id: &str, name: &str, rng: Seeded) -> Self {
        Self {
            id: id.to_owned(),
            name: name.to_owned(),
            default_country_code: DEFAULT_COUNTRY_CODE.to_owned(),
            divisions: Vec::new(),
            roles: Vec::new(),
            skills: Vec::new(),
            languages: Vec::new(),
            limits: Limits::default(),
            limit_settings: LimitSettings::default(),
            compat: CompatLayer::default(),
            rng,
            users: IndexMap::new(),
            groups: IndexMap::new(),
            keys: Keys::default(),
            indexes: UserIndexes::default(),
            member_of: Vec::new(),
            renders: RenderCache::default(),
            recent: RecentWrites::default(),
            rate_layers: Vec::new(),
            budget: UserBudget::standalone(),
        }
    }

    /// Counts this org's users in `budget` from now on (the store adopting the org), and
    /// returns how many it brought.
    pub(crate) fn join_budget(&mut self, budget: &Arc<UserBudget>) -> usize {
        self.budget = Arc::clone(budget);
        self.users.len()
    }

    /// Stops counting this org's users in the store's budget (the org left the store), and
    /// returns how many it held. A request still holding the org writes to a budget of its own.
    pub(crate) fn leave_budget(&mut self) -> usize {
        self.budget = UserBudget::standalone();
        self.users.len()
    }

    /// An org for unit tests: these divisions (ids `d0`, `d1`, ...; the first is home) and
    /// the `employee` role (id `r`).
    #[cfg(test)]
    pub(crate) fn for_tests(divisions: &[&str]) -> Self {
        let mut org = Self::new("t", "T", Seeded::new(Some(1)));
        org.divisions = divisions
            .iter()
            .enumerate()
            .map(|(i, d)| Division {
                id: format!("d{i}").into(),
                name: (*d).to_owned(),
                home: i == 0,
            })
            .collect();
        org.roles = vec![Role::named("r", "employee")];
        org
    }

    /// A fresh id for a record created at run time.
    pub(crate) fn new_id(&self) -> String {
        self.rng.uuid().to_string()
    }

    // ---- reference data ----

    /// The home division: the one flagged `home`, else the one named "Home", else the first.
    pub(crate) fn home_division(&self) -> Option<&Division> {
        self.divisions
            .iter()
            .find(|d| d.home)
            .or_else(|| self.divisions.iter().find(|d| d.name == "Home"))
            .or_else(|| self.divisions.first())
    }

    /// A division by id.
    pub(crate) fn division(&self, id: &str) -> Option<&Division> {
        self.divisions.iter().find(|d| *d.id == *id)
    }

    /// A division by name, case-insensitively (Entra maps names; it never creates divisions).
    pub(crate) fn division_by_name(&self, name: &str) -> Option<&Division> {
        self.divisions
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(name))
    }

    /// A role by id.
    pub(crate) fn role(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| *r.id == *id)
    }

    /// A role by name, case-insensitively.
    pub(crate) fn role_by_name(&self, name: &str) -> Option<&Role> {
        self.roles
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(name))
    }

    /// An OAuth client's `roleDivisions` resolved for one request: roles and divisions by
    /// name, case-insensitively, as fixtures name them. A pair whose role or division the org
    /// no longer has grants nothing.
    pub(crate) fn grants(&self, pairs: &[RoleDivision]) -> Grants {
        let mut grants = Grants::default();
        for p in pairs {
            let Some(role) = self.role_by_name(&p.role) else {
                continue;
            };
            let division = if p.division == EVERY_DIVISION {
                None
            } else {
                match self.division_by_name(&p.division) {
                    Some(d) => Some(d.id.clone()),
                    None => continue,
                }
            };
            grants.add(Arc::clone(&role.permissions), division);
        }
        grants
    }

    /// Why a `roleDivisions` pair names nothing in this org, with the field at fault (`role`
    /// or `division`): fixtures and the admin API refuse such a pair.
    pub(crate) fn role_division_problem(&self, p: &RoleDivision) -> Option<(&'static str, String)> {
        if self.role_by_name(&p.role).is_none() {
            let known: Vec<&str> = self.roles.iter().map(|r| r.name.as_str()).collect();
            return Some((
                "role",
                format!(
                    "no role named {:?} in this org (roles: {})",
                    p.role,
                    known.join(", ")
                ),
            ));
        }
        if p.division != EVERY_DIVISION && self.division_by_name(&p.division).is_none() {
            let known: Vec<&str> = self.divisions.iter().map(|d| d.name.as_str()).collect();
            return Some((
                "division",
                format!(
                    "no division named {:?} in this org (divisions: {}; * is every division)",
                    p.division,
                    known.join(", ")
                ),
            ));
        }
        None
    }

    /// The role new users get when a create names none ("employee").
    pub(crate) fn default_role(&self) -> Option<&Role> {
        self.role_by_name("employee")
    }

    /// A skill by exact (case-sensitive) name.
    pub(crate) fn skill_by_name(&self, name: &str) -> Option<&Named> {
        self.skills.iter().find(|s| s.name == name)
    }

    /// A skill by id.
    pub(crate) fn skill(&self, id: &str) -> Option<&Named> {
        self.skills.iter().find(|s| *s.id == *id)
    }

    /// A language by exact (case-sensitive) name.
    pub(crate) fn language_by_name(&self, name: &str) -> Option<&Named> {
        self.languages.iter().find(|s| s.name == name)
    }

    /// A language by id.
    pub(crate) fn language(&self, id: &str) -> Option<&Named> {
        self.languages.iter().find(|s| *s.id == *id)
    }

    // ---- users ----

    /// Any user by id, deleted or not.
    pub(crate) fn user_any(&self, id: &str) -> Option<&User> {
        self.users.get(id).map(|u| &**u)
    }

    /// A non-deleted user by id.
    pub(crate) fn user(&self, id: &str) -> Option<&User> {
        self.users.get(id).map(|u| &**u).filter(|u| u.is_live())
    }

    /// Every user, deleted ones included, in creation order.
    pub(crate) fn users(&self) -> impl Iterator<Item = &User> {
        self.users.values().map(|u| &**u)
    }

    /// The user at a table position (positions are creation order and never change).
    pub(crate) fn user_at(&self, pos: u32) -> Option<&User> {
        self.users.get_index(pos as usize).map(|(_, u)| &**u)
    }

    /// The table position of a user, deleted or not.
    pub(crate) fn user_position(&self, id: &str) -> Option<u32> {
        self.users.get_index_of(id).map(pos32)
    }

    /// The secondary indexes over live users.
    pub(crate) fn indexes(&self) -> &UserIndexes {
        &self.indexes
    }

    /// The cache of rendered user documents (see `mapping::user_bytes`).
    pub(crate) fn renders(&self) -> &RenderCache {
        &self.renders
    }

    /// Number of users, deleted ones included.
    pub(crate) fn user_count(&self) -> usize {
        self.users.len()
    }

    /// The non-deleted user with this userName (case-insensitive).
    pub(crate) fn user_by_name(&self, user_name: &str) -> Option<&User> {
        self.keys
            .named(&self.users, &user_name.to_lowercase())
            .map(|(_, u)| u)
    }

    /// The most recently deleted user with this userName.
    pub(crate) fn deleted_user_by_name(&self, user_name: &str) -> Option<&User> {
        self.keys
            .deleted_by_name
            .get(&user_name.to_lowercase())
            .and_then(|id| self.users.get(id).map(|u| &**u))
            .filter(|u| u.state == UserState::Deleted)
    }

    /// The non-deleted user holding this external id (case-sensitive).
    pub(crate) fn user_by_external(&self, authority: &str, key: &str) -> Option<&User> {
        self.keys
            .holder(&self.users, authority, key)
            .map(|(_, u)| u)
    }

    /// Whether any non-deleted user has an external id under this authority.
    pub(crate) fn knows_authority(&self, authority: &str) -> bool {
        self.keys.authorities.contains_key(authority)
    }

    /// Stores `user` (new or changed), enforcing uniqueness and the limits, and keeps the
    /// indexes true: the one write of a user, whatever asked for it. Returns whether anything
    /// changed; the version is bumped and `dateModified` set only when the content changed.
    /// Nothing is copied back (fixture loading stores 100,000 users this way): a caller that
    /// needs the stored user reads it with [`Org::user`].
    pub(crate) fn store_user(&mut self, mut user: User, now: DateTime<Utc>) -> ApiResult<bool> {
        let pos = self.users.get_index_of(&user.id);
        let previous = pos.map(|i| &*self.users[i]);
        if previous.is_some_and(|prev| prev.same_content(&user)) {
            return Ok(false);
        }
        // For `read-lag`: a create (or revival) is remembered by id, a delete with the user as
        // it was.
        let was_live = previous.is_some_and(User::is_live);
        let deleted = (was_live && !user.is_live())
            .then(|| previous.cloned())
            .flatten();
        let created = (!was_live && user.is_live()).then(|| user.id.clone());
        // ...and a live user's external ids that changed, pair by pair.
        let ids_changed = previous
            .filter(|p| p.is_live() && user.is_live() && p.external_ids != user.external_ids)
            .map(|p| (p.external_ids.clone(), user.external_ids.clone()));
        if pos.is_none() && self.users.len() >= self.limits.users_per_org {
            return Err(ApiError::invalid_value(format!(
                "An organization can hold at most {} users (deleted ones included); this one is full.",
                self.limits.users_per_org
            )));
        }
        if user.is_live() {
            self.limits.check_user(&user)?;
            self.keys.check_unique(&self.users, &user)?;
        }
        // Last of the checks: nothing below fails, so a reserved slot is always used.
        if pos.is_none() && !self.budget.reserve() {
            return Err(ApiError::invalid_value(format!(
                "The mock holds at most {} users across all its orgs (deleted ones included); DELETE or reset an org to make room.",
                self.budget.max()
            )));
        }
        self.renders.invalidate();
        user.version = previous.map_or(1, |p| p.version + 1);
        user.date_modified = now;
        user.date_created = previous.as_ref().map_or(now, |p| p.date_created);
        user.sort_phones();
        let at = pos.unwrap_or(self.users.len());
        // A write that leaves every indexed field as it was (a title, a phone, a skill) keeps
        // every posting: hashing both versions' keys only to find them equal was most of a
        // PATCH's index cost.
        if !previous.is_some_and(|prev| same_index_keys(prev, &user)) {
            if let Some(prev) = previous {
                self.keys.unindex(pos32(at), prev);
            }
            self.keys.index(pos32(at), &user);
            self.indexes.update(pos32(at), previous, &user);
        }
        if user.state == UserState::Deleted {
            self.drop_memberships(&user.id, now);
        }
        match pos {
            Some(i) => *self.users[i] = user,
            None => {
                self.users.insert(user.id.clone(), Box::new(user));
            }
        }
        let now_ms = now.timestamp_millis();
        if let Some(before) = deleted {
            self.recent.deleted(before, now_ms);
        } else if let Some(id) = created {
            self.recent.created(&id, now_ms);
        }
        if let Some((before, after)) = ids_changed
            && let Some((id, _)) = self.users.get_index(at)
        {
            let id = id.clone();
            self.recent
                .external_ids_changed(&id, &before, &after, now_ms);
        }
        Ok(true)
    }

    /// `DELETE /Users/{id}`: a soft delete of the live user `id`. Its userName and external ids
    /// are freed and its memberships dropped. `precondition` sees the stored version first
    /// (the handler's `If-Match`).
    pub(crate) fn delete_user(
        &mut self,
        id: &str,
        now: DateTime<Utc>,
        precondition: impl FnOnce(u64) -> ApiResult<()>,
    ) -> ApiResult<()> {
        let mut user = self.user(id).cloned().ok_or_else(|| user_not_found(id))?;
        precondition(user.version)?;
        user.state = UserState::Deleted;
        self.store_user(user, now).map(|_| ())
    }

    /// Makes room for `additional` more users in the user table and the userName map at once:
    /// a fixture's users arrive together, and growing both one doubling at a time copied the
    /// table over and over while it loaded.
    pub(crate) fn reserve_users(&mut self, additional: usize) {
        self.users.reserve(additional);
        self.keys.by_name.reserve(additional);
    }

    /// Gives a loaded user the version and times an export recorded for it (`meta` in a
    /// fixture record), so a restored org answers the ETags and `lastModified` its clients
    /// saw. What the stamp leaves out stays as loaded.
    pub(crate) fn restore_user_stamp(&mut self, id: &str, stamp: Stamp) {
        if let Some(u) = self.users.get_mut(id) {
            stamp.apply(&mut u.version, &mut u.date_created, &mut u.date_modified);
        }
        self.renders.invalidate();
    }

    /// [`Org::restore_user_stamp`] for a group.
    pub(crate) fn restore_group_stamp(&mut self, id: &str, stamp: Stamp) {
        if let Some(g) = self.groups.get_mut(id) {
            stamp.apply(&mut g.version, &mut g.date_created, &mut g.date_modified);
        }
    }

    /// Sets every record's version to 1. Fixture loading writes some records twice (managers
    /// are linked in a second pass); a freshly loaded org should still start at version 1.
    pub(crate) fn settle_fixture_versions(&mut self) {
        // What an org starts with is visible at once, whatever `read-lag` says.
        self.recent.clear();
        self.renders.invalidate();
        for u in self.users.values_mut() {
            u.version = 1;
        }
        for g in self.groups.values_mut() {
            g.version = 1;
        }
    }

    // ---- groups ----

    /// A group by id.
    pub(crate) fn group(&self, id: &str) -> Option<&Group> {
        self.groups.get(id)
    }

    /// The group `id` as SCIM sees it: a public one ([`Group::scim_visible`]), else 404.
    pub(crate) fn scim_group(&self, id: &str) -> ApiResult<&Group> {
        self.group(id)
            .filter(|g| g.scim_visible())
            .ok_or_else(|| ApiError::not_found(format!("Group {id} not found.")))
    }

    /// Every group in creation order.
    pub(crate) fn groups(&self) -> impl Iterator<Item = &Group> {
        self.groups.values()
    }

    /// The groups a user belongs to, in group creation order (from the reverse index).
    pub(crate) fn groups_of<'a>(
        &'a self,
        user_id: &'a str,
    ) -> impl Iterator<Item = &'a Group> + 'a {
        self.users
            .get_index_of(user_id)
            .and_then(|pos| self.member_of.get(pos))
            .into_iter()
            .flatten()
            .filter_map(|g| self.groups.get_index(*g as usize).map(|(_, g)| g))
    }

    fn membership_count(&self, user_id: &str) -> usize {
        self.users
            .get_index_of(user_id)
            .and_then(|pos| self.member_of.get(pos))
            .map_or(0, Vec::len)
    }

    /// Records that the user `user_id` joined (`true`) or left the group at `group_pos`.
    fn set_membership(&mut self, user_id: &str, group_pos: u32, member: bool) {
        let Some(pos) = self.users.get_index_of(user_id) else {
            return;
        };
        if self.member_of.len() <= pos {
            self.member_of.resize_with(pos + 1, Vec::new);
        }
        let list = &mut self.member_of[pos];
        match (list.binary_search(&group_pos), member) {
            (Err(at), true) => list.insert(at, group_pos),
            (Ok(at), false) => {
                list.remove(at);
            }
            _ => {}
        }
    }

    /// Stores a group (new or changed), checking that members exist and limits hold: the one
    /// write of a group. Returns the stored group and whether anything changed; the version is
    /// bumped only when the content changed.
    pub(crate) fn store_group(
        &mut self,
        mut group: Group,
        now: DateTime<Utc>,
    ) -> ApiResult<(Group, bool)> {
        self.renders.invalidate();
        let mut seen = std::collections::HashSet::new();
        group.members.retain(|m| seen.insert(m.clone()));
        for m in &group.members {
            if self.user(m).is_none() {
                return Err(ApiError::invalid_value(format!(
                    "Member {m:?} is not a user in this organization."
                )));
            }
        }
        if group.members.len() > self.limits.members_per_group {
            return Err(ApiError::invalid_value(format!(
                "A group can have at most {} members; this change would give it {}.",
                self.limits.members_per_group,
                group.members.len()
            )));
        }
        let previous = self.groups.get(&group.id);
        if previous.is_none() && self.groups.len() >= self.limits.groups_per_org {
            return Err(ApiError::invalid_value(format!(
                "An organization can hold at most {} groups; this one is full.",
                self.limits.groups_per_org
            )));
        }
        if let Some(prev) = previous {
            let mut probe = group.clone();
            probe.version = prev.version;
            probe.date_modified = prev.date_modified;
            probe.date_created = prev.date_created;
            if &probe == prev {
                return Ok((prev.clone(), false));
            }
        }
        // New groups (fixtures) are checked too, so no path builds a state the API refuses.
        let before: std::collections::HashSet<&str> = previous
            .map(|p| p.members.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let added: Vec<String> = group
            .members
            .iter()
            .filter(|m| !before.contains(m.as_str()))
            .cloned()
            .collect();
        for m in &added {
            let count = self.membership_count(m);
            if count >= self.limits.groups_per_user {
                return Err(ApiError::invalid_value(format!(
                    "User {m:?} already belongs to {count} groups; the limit is {}.",
                    self.limits.groups_per_user
                )));
            }
        }
        let after: std::collections::HashSet<&str> =
            group.members.iter().map(String::as_str).collect();
        let removed: Vec<String> = before
            .iter()
            .filter(|m| !after.contains(*m))
            .map(|m| (*m).to_owned())
            .collect();
        group.version = previous.map_or(1, |p| p.version + 1);
        group.date_modified = now;
        group.date_created = previous.map_or(now, |p| p.date_created);
        let (gpos, _) = self.groups.insert_full(group.id.clone(), group.clone());
        for m in &added {
            self.set_membership(m, pos32(gpos), true);
        }
        for m in &removed {
            self.set_membership(m, pos32(gpos), false);
        }
        Ok((group, true))
    }

    fn drop_memberships(&mut self, user_id: &str, now: DateTime<Utc>) {
        let Some(pos) = self.users.get_index_of(user_id) else {
            return;
        };
        let Some(groups) = self.member_of.get_mut(pos).map(std::mem::take) else {
            return;
        };
        for gpos in groups {
            if let Some((_, g)) = self.groups.get_index_mut(gpos as usize) {
                g.members.retain(|m| m != user_id);
                g.version += 1;
                g.date_modified = now;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::compat::Compat;
    use crate::genesys::index::TextKey;
    use crate::scim::schema::{ENTERPRISE_USER, GENESYS_USER};

    fn org() -> Org {
        Org::for_tests(&["Home", "Sales"])
    }

    fn put(org: &mut Org, id: &str, body: &serde_json::Value) {
        org.write_scim_for_tests(id, body, &Compat::default())
            .unwrap();
    }

    /// Every indexed value of `body` finds user `id`, and nothing else indexes it.
    fn indexed_under(org: &Org, id: &str) -> Vec<String> {
        let pos = org.user_position(id).unwrap();
        let idx = org.indexes();
        let mut out = Vec::new();
        let has = |key, text: &str| idx.candidates(key, text).contains(&pos);
        for e in ["a@x.org", "b@x.org", "w1@x.org", "w2@x.org"] {
            if has(TextKey::Email, e) {
                out.push(format!("email {e}"));
            }
            if org.user_by_name(e).is_some_and(|n| n.id == id) {
                out.push(format!("userName {e}"));
            }
        }
        for e in ["E1", "E2"] {
            if has(TextKey::Employee, e) {
                out.push(format!("employee {e}"));
            }
        }
        for d in ["d0", "d1"] {
            if has(TextKey::Division, d) {
                out.push(format!("division {d}"));
            }
        }
        for m in ["m1", "m2"] {
            if has(TextKey::Manager, m) {
                out.push(format!("manager {m}"));
            }
        }
        for s in [UserState::Active, UserState::Inactive] {
            if idx.in_state(s).contains(&pos) {
                out.push(format!("state {s:?}"));
            }
        }
        for k in ["k1", "k2"] {
            if org.user_by_external("okta", k).is_some_and(|h| h.id == id) {
                out.push(format!("external {k}"));
            }
        }
        out
    }

    /// A write that changes only fields no index reads keeps every posting (the shortcut
    /// in `store_user`), and a write that changes one indexed field moves exactly that one:
    /// checked for each indexed field in turn against the index a fresh org builds.
    #[test]
    fn writes_move_exactly_the_postings_of_the_fields_they_change() {
        let body = |user_name: &str, work, emp, div, manager: &str, active, key| {
            json!({
                "userName": user_name,
                "displayName": "D",
                "title": "T",
                "active": active,
                "emails": [{"type": "work", "value": work}],
                ENTERPRISE_USER: {"division": div, "employeeNumber": emp,
                                  "manager": {"value": manager}},
                GENESYS_USER: {"externalIds": [{"authority": "okta", "value": key}]},
            })
        };
        let managers = |org: &mut Org| {
            for m in ["m1", "m2"] {
                put(
                    org,
                    m,
                    &json!({"userName": format!("{m}@x.org"), "displayName": "M"}),
                );
            }
        };
        let first = body("a@x.org", "w1@x.org", "E1", "Home", "m1", true, "k1");
        let changes = [
            {
                let mut b = first.clone();
                b["title"] = json!("Another title");
                b["displayName"] = json!("Another name");
                b
            },
            body("b@x.org", "w1@x.org", "E1", "Home", "m1", true, "k1"),
            body("a@x.org", "w2@x.org", "E1", "Home", "m1", true, "k1"),
            body("a@x.org", "w1@x.org", "E2", "Home", "m1", true, "k1"),
            body("a@x.org", "w1@x.org", "E1", "Sales", "m1", true, "k1"),
            body("a@x.org", "w1@x.org", "E1", "Home", "m2", true, "k1"),
            body("a@x.org", "w1@x.org", "E1", "Home", "m1", false, "k1"),
            body("a@x.org", "w1@x.org", "E1", "Home", "m1", true, "k2"),
        ];
        for changed in &changes {
            let mut org = org();
            managers(&mut org);
            put(&mut org, "u", &first);
            put(&mut org, "u", changed);
            let mut fresh = self::org();
            managers(&mut fresh);
            put(&mut fresh, "u", changed);
            let got = indexed_under(&org, "u");
            assert_eq!(got, indexed_under(&fresh, "u"), "after {changed}");
            assert!(!got.is_empty());
        }
    }
}
