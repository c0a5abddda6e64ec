//! The Genesys platform JSON of users, groups and reference data (`/api/v2/users/{id}` and
//! friends), so a test can see the Genesys side of the mapping as an admin would.

use serde_json::{Value, json};

use crate::genesys::group::Group;
use crate::genesys::org::{Named, Org};
use crate::genesys::permission::Role;
use crate::genesys::user::User;

/// The platform `User` (the Python SDK's `build/docs/User.md` lists its fields).
pub(crate) fn user(u: &User, org: &Org) -> Value {
    let mut addresses = Vec::new();
    let mut primary = vec![json!({"address": u.email, "mediaType": "EMAIL", "type": "PRIMARY"})];
    if let Some(w) = &u.work_email {
        addresses.push(json!({"address": w, "mediaType": "EMAIL", "type": "WORK"}));
    }
    for p in &u.phones {
        let mut a = json!({"mediaType": "PHONE", "type": p.kind.as_str().to_ascii_uppercase()});
        if let Some(n) = &p.value.number {
            a["address"] = json!(n);
            a["display"] = json!(n);
        }
        if let Some(e) = &p.value.extension {
            a["extension"] = json!(e);
        }
        if u.primary_phone == Some(p.kind) {
            let mut pc = a.clone();
            pc["type"] = json!("PRIMARY");
            primary.push(pc);
        }
        addresses.push(a);
    }
    let mut out = json!({
        "id": u.id,
        "name": u.name,
        "division": org.division(&u.division_id).map(|d| json!({"id": d.id, "name": d.name, "selfUri": format!("/api/v2/authorization/divisions/{}", d.id)})),
        "chat": {"jabberId": format!("{}@{}.orgspan.mock", u.id, org.id)},
        "email": u.email,
        "primaryContactInfo": primary,
        "addresses": addresses,
        "state": u.state.as_str(),
        "username": u.email,
        "version": u.version,
        "acdAutoAnswer": false,
        "selfUri": format!("/api/v2/users/{}", u.id),
    });
    if let Some(t) = &u.title {
        out["title"] = json!(t);
    }
    if let Some(d) = &u.department {
        out["department"] = json!(d);
    }
    if let Some(m) = &u.manager_id {
        out["manager"] = json!({"id": m, "selfUri": format!("/api/v2/users/{m}")});
    }
    if u.employee_id.is_some() || u.date_hire.is_some() {
        let mut e = json!({});
        if let Some(id) = &u.employee_id {
            e["employeeId"] = json!(id);
        }
        if let Some(d) = &u.date_hire {
            e["dateHire"] = json!(d);
        }
        out["employerInfo"] = e;
    }
    out
}

/// Expansions on a platform user (`?expand=`): skills, languages, groups, authorization.
/// Unknown expansions are ignored, as Genesys ignores what it cannot expand for a caller.
pub(crate) fn expand(out: &mut Value, u: &User, org: &Org, expand: &[String]) {
    for e in expand {
        match e.as_str() {
            "skills" => {
                out["skills"] = json!(u.skills.iter().filter_map(|p| org.skill(&p.id).map(|s| json!({"id": s.id, "name": s.name, "proficiency": p.proficiency, "state": "active"}))).collect::<Vec<_>>());
            }
            "languages" => {
                out["languages"] = json!(u.languages.iter().filter_map(|p| org.language(&p.id).map(|s| json!({"id": s.id, "name": s.name, "proficiency": p.proficiency, "state": "active"}))).collect::<Vec<_>>());
            }
            "groups" => {
                out["groups"] = json!(
                    org.groups_of(&u.id)
                        .map(|g| json!({"id": g.id, "selfUri": format!("/api/v2/groups/{}", g.id)}))
                        .collect::<Vec<_>>()
                );
            }
            "authorization" => {
                out["authorization"] = json!({"roles": u.role_ids.iter().filter_map(|r| org.role(r)).map(|r| json!({"id": r.id, "name": r.name})).collect::<Vec<_>>()});
            }
            _ => {}
        }
    }
}

/// A platform `Group`.
pub(crate) fn group(g: &Group) -> Value {
    json!({
        "id": g.id,
        "name": g.name,
        "description": g.description,
        "type": match g.kind { crate::genesys::group::GroupType::Official => "official", crate::genesys::group::GroupType::Social => "social" },
        "visibility": g.visibility.as_str(),
        "memberCount": g.members.len(),
        "state": "active",
        "version": g.version,
        "selfUri": format!("/api/v2/groups/{}", g.id),
    })
}

/// A role (`DomainOrganizationRole`): its permissions as Genesys lists them.
pub(crate) fn role(r: &Role) -> Value {
    let permissions: Vec<String> = r.permissions.iter().map(ToString::to_string).collect();
    json!({
        "id": r.id,
        "name": r.name,
        "permissions": permissions,
        "selfUri": format!("/api/v2/authorization/roles/{}", r.id),
    })
}

/// A named reference record (skill, language) under a platform path.
pub(crate) fn named(n: &Named, path: &str) -> Value {
    json!({"id": n.id, "name": n.name, "selfUri": format!("{path}/{}", n.id)})
}
