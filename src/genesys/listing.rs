//! What a SCIM list shows. Users: the live ones a filter matches, only active ones when the
//! list names no state or identity (`list-active-only`), with `read-lag`'s unseen creates left
//! out and its recent deletes still shown as they were. Groups: the public ones a filter
//! matches. And one page of either, projected ([`page`]): `GET /Groups` and `POST /.search`
//! answer it; `GET /Users` renders its page straight to bytes ([`UserListing::documents`]).

use std::borrow::Cow;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::compat::Compat;
use crate::genesys::group::Group;
use crate::genesys::lookup;
use crate::genesys::mapping::{self, UserDocument, View};
use crate::genesys::org::Org;
use crate::genesys::user::{User, UserState};
use crate::scim::filter::{self, Filter};
use crate::scim::list::Page;
use crate::scim::projection::Projection;
use crate::scim::schema::{AttrPath, ResourceKind};

/// Attributes that name one user: a filter on them finds the user whether active or not
/// (IdPs look users up by userName after disabling them).
const IDENTIFYING: &[&str] = &[
    "id",
    "username",
    "externalid",
    "email",
    "emails",
    "employeenumber",
    "externalids",
];

/// One page of the resources of `kind` a list with `filter` shows in `view`'s org, projected,
/// and how many it shows in all. `compat` and `now` are the request's (`list-active-only`,
/// `read-lag`).
pub(crate) fn page(
    view: &View<'_>,
    kind: ResourceKind,
    filter: Option<&Filter>,
    proj: &Projection,
    page: Page,
    compat: &Compat,
    now: DateTime<Utc>,
) -> (usize, Vec<Value>) {
    let org = view.org;
    match kind {
        ResourceKind::User => {
            let found = UserListing::of(view, filter, compat, now);
            let positions = &found.positions[page.slice(&found.positions)];
            (
                found.positions.len(),
                found.render(org, positions, view, proj),
            )
        }
        ResourceKind::Group => {
            let matched = groups(org, view, filter, compat, now);
            // Members are built for the page only when the projection keeps them.
            let members = proj.keeps("members", kind);
            let resources = matched[page.slice(&matched)]
                .iter()
                .map(|g| proj.apply(mapping::group_to_scim_with(g, view, members), kind))
                .collect();
            (matched.len(), resources)
        }
    }
}

/// The groups a list with `filter` shows, in creation order: the public ones it matches, as
/// the request's `read-lag` lets it see them at `now`.
fn groups<'a>(
    org: &'a Org,
    view: &View<'_>,
    filter: Option<&Filter>,
    compat: &Compat,
    now: DateTime<Utc>,
) -> Vec<&'a Group> {
    // Under `read-lag`, each group as it was before its lagging writes.
    let lag = org.recent.unseen(compat.read_lag, now.timestamp_millis());
    // Members are built only for a filter that names them: a group may have 10,000.
    let filter_needs_members = filter.is_some_and(|f| {
        let mut named = false;
        f.walk(&mut |node| {
            named |= match node {
                Filter::Compare { path, .. }
                | Filter::Present(path)
                | Filter::ValuePath { path, .. } => path.name.eq_ignore_ascii_case("members"),
                _ => false,
            }
        });
        named
    });
    org.groups()
        .map(|g| lag.group(g))
        .filter(|g| g.scim_visible())
        .filter(|g| {
            filter.is_none_or(|f| {
                let json = mapping::group_to_scim_with(g, view, filter_needs_members);
                filter::matches(f, &json, ResourceKind::Group)
            })
        })
        .collect()
}

/// The users a list shows, by table position in creation order, with the `read-lag` ghosts
/// (users deleted too recently to be gone, shown as they were before the delete).
pub(crate) struct UserListing<'a> {
    pub positions: Cow<'a, [u32]>,
    ghosts: Vec<(u32, &'a User)>,
}

impl<'a> UserListing<'a> {
    /// The users a list with `filter` shows in `view`'s org under the request's switches, at
    /// `now`.
    pub(crate) fn of(
        view: &View<'a>,
        filter: Option<&Filter>,
        compat: &Compat,
        now: DateTime<Utc>,
    ) -> Self {
        let org = view.org;
        let only_active = compat.list_active_only
            && filter
                .as_ref()
                .is_none_or(|f| !mentions_any(f, &["active"]) && !mentions_any(f, IDENTIFYING));
        let index = org.indexes();
        let matched: Cow<'a, [u32]> = match filter {
            None if only_active => Cow::Borrowed(index.in_state(UserState::Active)),
            // `list-active-only=false` (rfc): every live user.
            None => Cow::Owned(lookup::union(
                index.in_state(UserState::Active),
                index.in_state(UserState::Inactive),
            )),
            Some(f) if only_active => lookup::matching_active(org, f, view),
            Some(f) => lookup::matching(org, f, view),
        };
        let lag = org.recent.unseen(compat.read_lag, now.timestamp_millis());
        let ghosts: Vec<(u32, &'a User)> = lag
            .deleted
            .iter()
            .filter(|g| org.user(&g.id).is_none())
            .filter(|g| !only_active || g.state == UserState::Active)
            .filter(|g| {
                filter.is_none_or(|f| {
                    filter::matches(f, &mapping::user_to_scim(g, view), ResourceKind::User)
                })
            })
            .filter_map(|g| org.user_position(&g.id).map(|p| (p, *g)))
            .collect();
        let positions: Cow<'a, [u32]> = if lag.created.is_empty() && ghosts.is_empty() {
            matched
        } else {
            let hidden: Vec<u32> = lag
                .created
                .iter()
                .filter_map(|id| org.user_position(id))
                .collect();
            let mut v: Vec<u32> = matched
                .iter()
                .copied()
                .filter(|p| !hidden.contains(p))
                .chain(ghosts.iter().map(|(p, _)| *p))
                .collect();
            v.sort_unstable();
            v.dedup();
            Cow::Owned(v)
        };
        // `division-reads=granted`: only users in a division the client holds a role in.
        let positions = match view.divisions {
            None => positions,
            Some(grants) => Cow::Owned(
                positions
                    .iter()
                    .copied()
                    .filter(|&p| {
                        let ghost = ghosts.iter().find(|(g, _)| *g == p).map(|(_, u)| *u);
                        ghost
                            .or_else(|| org.user_at(p))
                            .is_some_and(|u| grants.covers_division(&u.division_id))
                    })
                    .collect(),
            ),
        };
        Self { positions, ghosts }
    }

    /// A `read-lag` ghost is the user as it was before its delete, not the stored one.
    fn ghost(&self, p: u32) -> Option<&'a User> {
        self.ghosts.iter().find(|(g, _)| *g == p).map(|(_, u)| *u)
    }

    /// The users at `positions` (a page of [`UserListing::positions`]), projected.
    pub(crate) fn render(
        &self,
        org: &'a Org,
        positions: &[u32],
        view: &View<'_>,
        proj: &Projection,
    ) -> Vec<Value> {
        positions
            .iter()
            .filter_map(|&p| self.ghost(p).or_else(|| org.user_at(p)))
            .map(|u| proj.apply(mapping::user_to_scim(u, view), ResourceKind::User))
            .collect()
    }

    /// The documents of the users at `positions`, as rendered (no projection): through the
    /// org's render cache, a ghost rendered as it was.
    pub(crate) fn documents(&self, org: &Org, positions: &[u32], view: &View<'_>) -> Vec<Bytes> {
        positions
            .iter()
            .filter_map(|&p| match self.ghost(p) {
                Some(user) => Some(UserDocument { user, view }.to_bytes()),
                None => org.user_at(p).map(|u| mapping::user_bytes(p, u, view)),
            })
            .collect()
    }
}

/// Whether the filter mentions any of these attribute names (lower-case) anywhere.
fn mentions_any(f: &Filter, names: &[&str]) -> bool {
    let hit = |p: &AttrPath| names.contains(&p.name.to_ascii_lowercase().as_str());
    match f {
        Filter::Compare { path, .. } | Filter::Present(path) => hit(path),
        Filter::ValuePath { path, .. } => hit(path),
        Filter::And(a, b) | Filter::Or(a, b) => mentions_any(a, names) || mentions_any(b, names),
        Filter::Not(a) => mentions_any(a, names),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::compat::Profile;

    /// Three users, the second inactive, in an org of the test divisions.
    fn org() -> Org {
        let mut org = Org::for_tests(&["Home"]);
        for (id, active) in [("u1", true), ("u2", false), ("u3", true)] {
            let body =
                json!({"userName": format!("{id}@x.org"), "displayName": id, "active": active});
            org.write_scim_for_tests(id, &body, &Compat::default())
                .unwrap();
        }
        org
    }

    fn ids(resources: &[Value]) -> Vec<&str> {
        resources.iter().filter_map(|r| r["id"].as_str()).collect()
    }

    /// A page counts every user the list shows and holds its window of them, projected; with
    /// no filter `list-active-only` leaves the inactive user out, a filter on an identifying
    /// attribute finds it, and the RFC profile lists every live user.
    #[test]
    fn a_page_of_users_follows_the_list_switches() {
        let org = org();
        let genesys = Compat::default();
        let view = View::with(&org, "http://h", &genesys);
        let all = Page {
            start_index: 1,
            count: 10,
        };
        let proj = Projection::from_params(&["userName".to_owned()], &[]);
        let now = Utc::now();
        let (total, found) = page(&view, ResourceKind::User, None, &proj, all, &genesys, now);
        assert_eq!((total, ids(&found)), (2, vec!["u1", "u3"]));
        assert_eq!(found[0]["userName"], "u1@x.org");
        assert!(found[0].get("displayName").is_none(), "projected");

        let named = filter::parse("userName eq \"u2@x.org\"").unwrap();
        let (total, found) = page(
            &view,
            ResourceKind::User,
            Some(&named),
            &proj,
            all,
            &genesys,
            now,
        );
        assert_eq!((total, ids(&found)), (1, vec!["u2"]));

        let rfc = Compat::preset(Profile::Rfc);
        let second = Page {
            start_index: 2,
            count: 1,
        };
        let (total, found) = page(&view, ResourceKind::User, None, &proj, second, &rfc, now);
        assert_eq!((total, ids(&found)), (3, vec!["u2"]));
    }

    /// Groups: only public ones are listed, a filter picks among them, and members are
    /// rendered only when the projection keeps them.
    #[test]
    fn a_page_of_groups_lists_public_ones() {
        use crate::genesys::group::{GroupType, Visibility};
        let mut org = org();
        for (id, visibility) in [("g1", Visibility::Public), ("g2", Visibility::OwnersOnly)] {
            let group = Group {
                id: id.into(),
                name: id.to_uppercase(),
                description: None,
                kind: GroupType::Official,
                visibility,
                external_id: None,
                members: vec!["u1".into()],
                version: 0,
                date_modified: Utc::now(),
                date_created: Utc::now(),
            };
            org.store_group(group, Utc::now()).unwrap();
        }
        let compat = Compat::default();
        let view = View::with(&org, "http://h", &compat);
        let all = Page {
            start_index: 1,
            count: 10,
        };
        let now = Utc::now();
        let everything = Projection::default();
        let (total, found) = page(
            &view,
            ResourceKind::Group,
            None,
            &everything,
            all,
            &compat,
            now,
        );
        assert_eq!((total, ids(&found)), (1, vec!["g1"]));
        assert_eq!(found[0]["members"][0]["value"], "u1");
        let no_members = Projection::from_params(&[], &["members".to_owned()]);
        let named = filter::parse("displayName eq \"g1\"").unwrap();
        let (total, found) = page(
            &view,
            ResourceKind::Group,
            Some(&named),
            &no_members,
            all,
            &compat,
            now,
        );
        assert_eq!((total, ids(&found)), (1, vec!["g1"]));
        assert!(found[0].get("members").is_none());
    }
}
