//! `attributes` / `excludedAttributes` projection (RFC 7644 §3.4.2.5).
//!
//! Names are matched case-insensitively in short (`department`, `meta.version`) or
//! URN-qualified form (`urn:...:enterprise:2.0:User:department`); a bare extension URN means the
//! whole extension. `returned: always` attributes and `schemas` are always kept, `returned:
//! never` ones (password) never appear. When both parameters are given, `attributes` wins, as
//! RFC 7644 §3.9 allows only one and that is the more specific.

use serde_json::{Map, Value};

use crate::scim::schema::{self, AttrPath, Attribute, ResourceKind, Returned};

/// Which attributes a request asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Projection {
    pub attributes: Vec<AttrPath>,
    pub excluded: Vec<AttrPath>,
    /// `genesys-defaults=false`: a user's `active` is `returned: default`
    /// ([`schema::user_attribute`]).
    pub optional_active: bool,
}

/// A requested name, located: which object holds it and which key.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Selector {
    /// The extension URN whose object holds the attribute; `None` for top-level attributes.
    container: Option<String>,
    /// The attribute; `None` selects the whole extension object.
    name: Option<String>,
    sub: Option<String>,
}

impl Selector {
    fn locate(path: &AttrPath, kind: ResourceKind) -> Option<Self> {
        let name = (!path.name.is_empty()).then(|| path.name.clone());
        match &path.urn {
            Some(urn) => match kind.schema(urn) {
                Some(s) if s.id == kind.core().id => Some(Self {
                    container: None,
                    name: Some(name?),
                    sub: path.sub.clone(),
                }),
                Some(s) => Some(Self {
                    container: Some(s.id.to_owned()),
                    name,
                    sub: path.sub.clone(),
                }),
                None => Some(Self {
                    container: Some(urn.clone()),
                    name,
                    sub: path.sub.clone(),
                }),
            },
            None => {
                let bare = AttrPath::simple(name.as_deref()?);
                let container = schema::resolve(kind, &bare)
                    .filter(|r| r.is_extension())
                    .map(|r| r.schema.id.to_owned());
                Some(Self {
                    container,
                    name,
                    sub: path.sub.clone(),
                })
            }
        }
    }

    fn in_container(&self, container: Option<&str>) -> bool {
        match (&self.container, container) {
            (None, None) => true,
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => false,
        }
    }

    fn names(&self, key: &str) -> bool {
        self.name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(key))
    }
}

impl Projection {
    /// Builds a projection from the raw parameter values, each of which may be comma-separated
    /// and may repeat.
    pub(crate) fn from_params(attributes: &[String], excluded: &[String]) -> Self {
        let split = |v: &[String]| -> Vec<AttrPath> {
            v.iter()
                .flat_map(|s| s.split(','))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(AttrPath::parse)
                .collect()
        };
        Self {
            attributes: split(attributes),
            excluded: split(excluded),
            optional_active: false,
        }
    }

    /// Whether the projection leaves the default attribute set unchanged.
    pub(crate) fn is_empty(&self) -> bool {
        self.attributes.is_empty() && self.excluded.is_empty()
    }

    /// Whether the top-level attribute `key` survives this projection, so a renderer can skip
    /// building what would be dropped (a group's 10,000 members under
    /// `excludedAttributes=members`). Answered by projecting a one-attribute probe, so it
    /// follows exactly the rules of [`Projection::apply`].
    pub(crate) fn keeps(&self, key: &str, kind: ResourceKind) -> bool {
        if self.is_empty() {
            return true;
        }
        let mut probe = Map::new();
        probe.insert(
            key.to_owned(),
            Value::Array(vec![
                serde_json::json!({"value": "", "display": "", "type": ""}),
            ]),
        );
        match self.apply(Value::Object(probe), kind) {
            Value::Object(out) => out.contains_key(key),
            _ => true,
        }
    }

    /// Applies the projection to a full SCIM resource.
    pub(crate) fn apply(&self, resource: Value, kind: ResourceKind) -> Value {
        // No parameter: the renderers already produce the default set (they never emit
        // `returned: never` attributes or empty extension objects; a test in
        // `genesys::lookup` checks rendered users), so there is nothing to rebuild.
        if self.is_empty() {
            return resource;
        }
        let Value::Object(map) = resource else {
            return resource;
        };
        let (paths, walk) = if self.attributes.is_empty() {
            (&self.excluded, Walk::Exclude)
        } else {
            (&self.attributes, Walk::Select)
        };
        let sels: Vec<Selector> = paths
            .iter()
            .filter_map(|p| Selector::locate(p, kind))
            .collect();
        Value::Object(walk.resource(map, &sels, kind, self.top_level(kind)))
    }
}

impl Projection {
    /// How top-level keys are defined for `kind` under this projection's switches.
    fn top_level(&self, kind: ResourceKind) -> TopLevel {
        TopLevel {
            kind,
            genesys_defaults: !self.optional_active,
        }
    }
}

/// The definitions of a resource's top-level keys.
#[derive(Debug, Clone, Copy)]
struct TopLevel {
    kind: ResourceKind,
    genesys_defaults: bool,
}

impl TopLevel {
    fn definition(self, key: &str) -> Option<&'static Attribute> {
        match self.kind {
            ResourceKind::User => schema::user_attribute(key, self.genesys_defaults),
            ResourceKind::Group => definition(self.kind, None, key),
        }
    }
}

/// The definition of a top-level key or of a key inside an extension object.
fn definition(
    kind: ResourceKind,
    container: Option<&str>,
    key: &str,
) -> Option<&'static Attribute> {
    match container {
        None => kind.core().attribute(key),
        Some(urn) => kind.schema(urn)?.attribute(key),
    }
}

/// Whether a top-level key holds an extension object.
fn is_extension_key(kind: ResourceKind, key: &str, v: &Value) -> bool {
    v.is_object()
        && (kind
            .extensions()
            .iter()
            .any(|s| s.id.eq_ignore_ascii_case(key))
            || key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:")))
}

fn returned(def: Option<&'static Attribute>) -> Returned {
    def.map_or(Returned::Default, |d| d.returned)
}

/// The two ways a projection walks a resource. Both keep `schemas` and `returned: always`
/// attributes and drop `returned: never` ones; they differ in what a named attribute means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Walk {
    /// `attributes=`: only the named attributes (and sub-attributes) stay.
    Select,
    /// `excludedAttributes=`: the default set minus the named attributes (and
    /// sub-attributes); `returned: request` ones are not in the default set.
    Exclude,
}

impl Walk {
    /// The resource's top-level keys, each extension object walked key by key.
    fn resource(
        self,
        map: Map<String, Value>,
        sels: &[Selector],
        kind: ResourceKind,
        top: TopLevel,
    ) -> Map<String, Value> {
        let mut out = Map::new();
        for (key, v) in map {
            if key.eq_ignore_ascii_case("schemas") {
                out.insert(key, v);
            } else if is_extension_key(kind, &key, &v) {
                // A bare extension URN names the whole extension object.
                let whole = sels
                    .iter()
                    .any(|s| s.in_container(Some(&key)) && s.name.is_none());
                if whole && self == Self::Exclude {
                    continue;
                }
                if let Value::Object(inner) = v {
                    let kept = self.extension(inner, &key, sels, kind, whole);
                    if !kept.is_empty() {
                        out.insert(key, Value::Object(kept));
                    }
                }
            } else if let Some(v) = self.attribute(v, top.definition(&key), None, &key, sels) {
                out.insert(key, v);
            }
        }
        out
    }

    /// The keys of the extension object `container`; `whole` when a selection names it all.
    fn extension(
        self,
        inner: Map<String, Value>,
        container: &str,
        sels: &[Selector],
        kind: ResourceKind,
        whole: bool,
    ) -> Map<String, Value> {
        let mut out = Map::new();
        for (key, v) in inner {
            let def = definition(kind, Some(container), &key);
            let kept = if whole {
                (returned(def) != Returned::Never).then_some(v)
            } else {
                self.attribute(v, def, Some(container), &key, sels)
            };
            if let Some(v) = kept {
                out.insert(key, v);
            }
        }
        out
    }

    /// One attribute: kept whole, cut to (or cut by) the named sub-attributes, or dropped.
    fn attribute(
        self,
        v: Value,
        def: Option<&'static Attribute>,
        container: Option<&str>,
        key: &str,
        sels: &[Selector],
    ) -> Option<Value> {
        match (returned(def), self) {
            (Returned::Never, _) | (Returned::Request, Self::Exclude) => return None,
            (Returned::Always, _) => return Some(v),
            (Returned::Default | Returned::Request, _) => {}
        }
        let mine: Vec<&Selector> = sels
            .iter()
            .filter(|s| s.in_container(container) && s.names(key))
            .collect();
        // Named whole: selected, or excluded.
        if mine.iter().any(|s| s.sub.is_none()) {
            return (self == Self::Select).then_some(v);
        }
        // Not named at all: not selected, or not excluded.
        let subs: Vec<&str> = mine.iter().filter_map(|s| s.sub.as_deref()).collect();
        if subs.is_empty() {
            return (self == Self::Exclude).then_some(v);
        }
        // Named by sub-attributes: an element keeps the named ones, or loses them.
        let keep = self == Self::Select;
        let cut = |el: Value| -> Value {
            match el {
                Value::Object(m) => Value::Object(
                    m.into_iter()
                        .filter(|(k, _)| subs.iter().any(|s| s.eq_ignore_ascii_case(k)) == keep)
                        .collect(),
                ),
                other => other,
            }
        };
        Some(match v {
            Value::Array(items) => Value::Array(items.into_iter().map(cut).collect()),
            other => cut(other),
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::scim::schema::{ENTERPRISE_USER, GENESYS_USER};

    fn user() -> Value {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE_USER, GENESYS_USER],
            "id": "u1",
            "externalId": "ext-1",
            "userName": "jane@example.com",
            "displayName": "Jane",
            "active": true,
            "password": "secret",
            "emails": [{"value": "a@example.com", "type": "work", "primary": true}],
            "roles": [{"value": "employee"}],
            ENTERPRISE_USER: {"division": "Home", "department": "Support",
                "manager": {"value": "u0", "$ref": "x"}},
            GENESYS_USER: {"externalIds": [{"authority": "x-pc:scimv2:v1", "value": "ext-1"}]},
            "meta": {"resourceType": "User", "version": "3", "lastModified": "2026-01-01T00:00:00Z"}
        })
    }

    fn project(attrs: &[&str], excl: &[&str]) -> Value {
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        Projection::from_params(&s(attrs), &s(excl)).apply(user(), ResourceKind::User)
    }

    #[test]
    fn keeps_answers_what_apply_would_keep() {
        let p = |a: &[&str], e: &[&str]| {
            let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
            Projection::from_params(&s(a), &s(e))
        };
        let g = ResourceKind::Group;
        assert!(p(&[], &[]).keeps("members", g));
        assert!(!p(&[], &["members"]).keeps("members", g));
        assert!(!p(&[], &["Members"]).keeps("members", g));
        assert!(p(&[], &["displayName"]).keeps("members", g));
        assert!(!p(&["displayName"], &[]).keeps("members", g));
        assert!(p(&["members.value"], &[]).keeps("members", g));
        assert!(
            p(
                &["urn:ietf:params:scim:schemas:core:2.0:Group:members"],
                &[]
            )
            .keeps("members", g)
        );
    }

    fn keys(v: &Value) -> Vec<String> {
        v.as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }

    #[test]
    fn default_is_the_resource_and_any_exclusion_drops_never_returned() {
        // No parameter: untouched (renderers never emit `returned: never` attributes).
        assert_eq!(project(&[], &[]), user());
        let v = project(&[], &["noSuchAttribute"]);
        let mut want = user();
        if let Some(m) = want.as_object_mut() {
            m.remove("password");
        }
        assert_eq!(v, want);
    }

    #[test]
    fn attributes_keep_selected_plus_always() {
        let v = project(&["displayName"], &[]);
        assert_eq!(
            keys(&v),
            ["schemas", "id", "userName", "displayName", "active", "meta"]
        );
        let v = project(&["id,active"], &[]);
        assert_eq!(keys(&v), ["schemas", "id", "userName", "active", "meta"]);
        let v = project(&["PASSWORD", "DisplayName"], &[]);
        assert!(v.get("password").is_none());
        assert_eq!(v["displayName"], "Jane");
    }

    #[test]
    fn attributes_select_sub_attributes_and_extensions() {
        let v = project(&["emails.value", "department"], &[]);
        assert_eq!(v["emails"], json!([{"value": "a@example.com"}]));
        assert_eq!(v[ENTERPRISE_USER], json!({"department": "Support"}));
        assert!(v.get(GENESYS_USER).is_none());

        let v = project(&[&format!("{ENTERPRISE_USER}:manager.value")], &[]);
        assert_eq!(v[ENTERPRISE_USER], json!({"manager": {"value": "u0"}}));

        let v = project(
            &[
                GENESYS_USER,
                "urn:ietf:params:scim:schemas:core:2.0:User:roles",
            ],
            &[],
        );
        assert_eq!(v[GENESYS_USER], user()[GENESYS_USER]);
        assert_eq!(v["roles"], json!([{"value": "employee"}]));
        assert!(v.get(ENTERPRISE_USER).is_none());
        // schemas stays as it was.
        assert_eq!(v["schemas"], user()["schemas"]);

        // meta is always returned, whole.
        let v = project(&["meta.version"], &[]);
        assert_eq!(v["meta"], user()["meta"]);
    }

    #[test]
    fn excluded_attributes_remove_from_the_default_set() {
        let v = project(
            &[],
            &[
                &format!("externalId,roles,{ENTERPRISE_USER}:division"),
                "emails.primary",
            ],
        );
        assert!(v.get("externalId").is_none());
        assert!(v.get("roles").is_none());
        assert_eq!(
            v[ENTERPRISE_USER],
            json!({"department": "Support", "manager": {"value": "u0", "$ref": "x"}})
        );
        assert_eq!(
            v["emails"],
            json!([{"value": "a@example.com", "type": "work"}])
        );
        assert!(v.get("password").is_none());

        // Always-returned attributes cannot be excluded.
        let v = project(&[], &["id", "USERNAME", "meta", "active", "meta.version"]);
        assert_eq!(keys(&v).len(), keys(&user()).len() - 1);
        assert_eq!(v["meta"], user()["meta"]);

        // A whole extension.
        let v = project(&[], &[ENTERPRISE_USER, "externalIds"]);
        assert!(v.get(ENTERPRISE_USER).is_none());
        assert!(v.get(GENESYS_USER).is_none());
    }

    /// One walk serves both parameters: naming the same sub-attributes, `attributes` keeps
    /// of each element exactly what `excludedAttributes` removes.
    #[test]
    fn selecting_and_excluding_sub_attributes_split_each_element() {
        for subs in [vec!["emails.value"], vec!["emails.type", "emails.primary"]] {
            let kept = project(&subs, &[]);
            let rest = project(&[], &subs);
            let mut joined = kept["emails"][0].as_object().unwrap().clone();
            for (k, v) in rest["emails"][0].as_object().unwrap() {
                assert!(joined.insert(k.clone(), v.clone()).is_none(), "{k} in both");
            }
            assert_eq!(Value::Object(joined), user()["emails"][0], "{subs:?}");
        }
    }

    #[test]
    fn attributes_win_over_excluded() {
        let v = project(&["displayName"], &["displayName"]);
        assert_eq!(v["displayName"], "Jane");
    }

    #[test]
    fn groups_keep_id_and_meta() {
        let g = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": "g1",
            "displayName": "Sales", "members": [{"value": "u1"}], "meta": {"version": "1"}});
        let p = Projection::from_params(&["displayname".to_owned()], &[]);
        let v = p.apply(g.clone(), ResourceKind::Group);
        assert_eq!(keys(&v), ["schemas", "id", "displayName", "meta"]);
        let p = Projection::from_params(&[], &["members".to_owned()]);
        let v = p.apply(g, ResourceKind::Group);
        assert!(v.get("members").is_none());
    }
}
