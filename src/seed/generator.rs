//! A generated org: any number of users and groups, realistic enough to test a sync job's
//! paging, diffing and lookups against, and the same file for the same seed.
//!
//! What it contains, so tests and benchmarks can rely on it:
//! - user 0 heads a management tree with eight reports per manager (user `n` reports to
//!   `(n - 1) / 8`, or to the nearest non-deleted manager above that); titles and roles follow
//!   the level;
//! - eight divisions (one in ten users names none and lands in Home), departments, every
//!   phone type (user `n`'s first phone is type `n mod 11`), in all three value forms
//!   (E.164, `tel:+…;ext=…`, `tel:;ext=…`), skills, languages, a hire date;
//! - a unique `employeeNumber` (`E0000042` for user 42), a SCIM `externalId` and, for some
//!   users, other authorities (`okta`, `microsoftteams`);
//! - about 4 % inactive and 3 % deleted users (users 48 and 49 of every 50, and more at
//!   random), and one user in ten written in Genesys form;
//! - group 0, "All Agents", with the first live users up to the members-per-group limit
//!   (10,000), group 1 "Supervisors", then groups of 10 to 1,280 random members; groups
//!   2, 3 and 4 of every 8 are `membersOnly`, social and `ownersOnly`.
//!
//! Users are written one per line, so a 100,000-user org is written in one pass without
//! holding it as one JSON tree, and diffs between two seeds stay readable.

use std::collections::HashSet;
use std::io::{self, Write};

use serde_json::{Value, json};

use crate::base::rng::Seeded;
use crate::genesys::limits::Limits;
use crate::scim::schema::{ENTERPRISE_USER, GENESYS_USER, PHONE_TYPES};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Spec {
    /// The org id; the OAuth client is `<org>-client-id` / `<org>-client-secret`.
    pub org: String,
    pub users: usize,
    pub groups: usize,
    pub seed: u64,
}

const FIRST: &[&str] = &[
    "Ava", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kira",
    "Liam", "Mei", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tess", "Uma", "Victor",
    "Wen", "Xavier", "Yara", "Zoe", "Aiko", "Bruno", "Carmen", "Dmitri", "Eva", "Felix",
];
const LAST: &[&str] = &[
    "Adler", "Baker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ito", "Jones",
    "Kowalski", "Lopez", "Muller", "Nakamura", "Okafor", "Patel", "Quinn", "Rossi", "Smith",
    "Tanaka", "Umar", "Valdez", "Weber", "Xu", "Young", "Zhang",
];
const DIVISIONS: &[&str] = &[
    "Home",
    "North America",
    "EMEA",
    "APAC",
    "LATAM",
    "Back Office",
    "Workforce",
    "Partners",
];
const DEPARTMENTS: &[&str] = &[
    "Sales",
    "Support",
    "Billing",
    "Retention",
    "Operations",
    "Onboarding",
];
const ROLES: &[&str] = &[
    "employee",
    "Agent",
    "Supervisor",
    "Admin",
    "Quality Evaluator",
    "Workforce Planner",
];
const SKILLS: &[&str] = &[
    "Billing",
    "Technical Support",
    "Sales",
    "Retention",
    "Escalations",
    "Onboarding",
    "Refunds",
    "Fraud",
    "Shipping",
    "Returns",
    "Accessibility",
    "VIP",
];
const LANGUAGES: &[&str] = &[
    "English",
    "French",
    "German",
    "Spanish",
    "Japanese",
    "Portuguese",
    "Italian",
    "Dutch",
];
const TEAMS: &[&str] = &[
    "Billing",
    "Care",
    "Escalations",
    "Night Shift",
    "Onboarding",
    "Retention",
    "Sales",
    "VIP",
];

/// One generated user as the groups need it.
struct Person {
    id: String,
    live: bool,
    level: u32,
}

/// The user `n` reports to in the tree, before deleted managers are skipped.
fn parent(n: usize) -> Option<usize> {
    (n > 0).then(|| (n - 1) / 8)
}

fn level_title(level: u32) -> &'static str {
    match level {
        0 => "Chief Customer Officer",
        1 => "Director of Customer Care",
        2 => "Contact Center Manager",
        3 => "Team Supervisor",
        _ => "Customer Care Agent",
    }
}

fn level_role(level: u32, n: usize) -> &'static str {
    match level {
        0 => "Admin",
        1..=3 => "Supervisor",
        _ if n.is_multiple_of(25) => "Quality Evaluator",
        _ if n % 40 == 1 => "Workforce Planner",
        _ => "Agent",
    }
}

/// Reference records with ids drawn from the stream: `[{"id", "name"}]`.
fn named(rng: &Seeded, names: &[&str]) -> Vec<Value> {
    names
        .iter()
        .map(|n| json!({"id": rng.uuid().to_string(), "name": n}))
        .collect()
}

/// `k` distinct indexes below `n` (all of them when `k >= n`).
fn pick(rng: &Seeded, n: usize, k: usize) -> Vec<usize> {
    if k >= n {
        return (0..n).collect();
    }
    let mut seen = HashSet::with_capacity(k);
    let mut out = Vec::with_capacity(k);
    while out.len() < k {
        let i = rng.below(n);
        if seen.insert(i) {
            out.push(i);
        }
    }
    out
}

/// Writes the fixture document for `spec` to `out`.
pub(crate) fn write(spec: &Spec, out: &mut impl Write) -> io::Result<()> {
    let rng = Seeded::new(Some(spec.seed));
    let org = &spec.org;
    let divisions: Vec<Value> = DIVISIONS
        .iter()
        .enumerate()
        .map(|(i, d)| json!({"id": rng.uuid().to_string(), "name": d, "home": i == 0}))
        .collect();
    let head = json!({
        "id": org,
        "name": format!("Generated org ({} users, {} groups, seed {})", spec.users, spec.groups, spec.seed),
        "divisions": divisions,
        "roles": named(&rng, ROLES),
        "skills": named(&rng, SKILLS),
        "languages": named(&rng, LANGUAGES),
        "oauthClients": [{
            "id": format!("{org}-client-id"),
            "secret": format!("{org}-client-secret"),
            "name": "Generated provisioning client",
            "tokenTtlSecs": 86400
        }],
    });
    writeln!(out, "{{\n  \"version\": 1,\n  \"orgs\": [{{")?;
    if let Value::Object(map) = &head {
        for (k, v) in map {
            writeln!(out, "    {}: {},", json!(k), serde_json::to_string(v)?)?;
        }
    }
    writeln!(out, "    \"users\": [")?;
    let mut people: Vec<Person> = Vec::with_capacity(spec.users);
    for n in 0..spec.users {
        let id = rng.uuid().to_string();
        // Users 48 and 49 of every 50 are inactive and deleted, so even a small org has
        // both; the others are inactive (2 %) or deleted (1 %) at random.
        let state = match (n, n % 50, rng.below(100)) {
            (0, _, _) => "active",
            (_, 48, _) | (_, _, 0..=1) => "inactive",
            (_, 49, _) | (_, _, 2) => "deleted",
            _ => "active",
        };
        let level = parent(n).map_or(0, |p| people[p].level + 1);
        let mut manager = parent(n);
        while let Some(m) = manager.filter(|m| !people[*m].live) {
            manager = parent(m);
        }
        let manager = manager
            .filter(|_| state != "deleted")
            .map(|m| people[m].id.clone());
        let record = user(&rng, n, &id, state, level, manager.as_deref());
        let sep = if n + 1 < spec.users { "," } else { "" };
        writeln!(out, "      {}{sep}", serde_json::to_string(&record)?)?;
        people.push(Person {
            id,
            live: state != "deleted",
            level,
        });
    }
    writeln!(out, "    ],\n    \"groups\": [")?;
    let groups = groups(&rng, spec.groups, &people);
    for (i, g) in groups.iter().enumerate() {
        let sep = if i + 1 < groups.len() { "," } else { "" };
        writeln!(out, "      {}{sep}", serde_json::to_string(g)?)?;
    }
    writeln!(out, "    ]\n  }}]\n}}")?;
    out.flush()
}

/// The document for `spec` as a string (tests, small orgs).
#[cfg(test)]
pub(crate) fn to_string(spec: &Spec) -> String {
    let mut buf = Vec::new();
    write(spec, &mut buf).expect("writing to memory cannot fail");
    String::from_utf8(buf).expect("serde_json writes UTF-8")
}

/// A generated org of `users` users and `groups` groups, built as start-up builds a fixture
/// (unit tests over every shape of user the generator writes).
#[cfg(test)]
pub(crate) fn org(users: usize, groups: usize, seed: u64) -> crate::genesys::org::Org {
    let spec = Spec {
        org: "g".into(),
        users,
        groups,
        seed,
    };
    let doc =
        crate::seed::read::parse("g.json", &to_string(&spec)).expect("generated fixtures parse");
    crate::seed::build::build_org("g.json", 0, &doc.orgs[0], Some(1), chrono::Utc::now())
        .expect("generated fixtures load")
}

fn user(rng: &Seeded, n: usize, id: &str, state: &str, level: u32, manager: Option<&str>) -> Value {
    let first = FIRST[rng.below(FIRST.len())];
    let last = LAST[rng.below(LAST.len())];
    let local = format!("{}.{}.{n}", first.to_lowercase(), last.to_lowercase());
    let user_name = format!("{local}@example.com");
    let work_email = format!("{local}@work.example.com");
    let division = (rng.below(10) != 0).then(|| DIVISIONS[rng.below(DIVISIONS.len())]);
    let department = DEPARTMENTS[rng.below(DEPARTMENTS.len())];
    let date_hire = format!(
        "{}-{:02}-{:02}",
        2005 + rng.below(21),
        1 + rng.below(12),
        1 + rng.below(28)
    );
    let skills: Vec<(&str, f64)> = pick(rng, SKILLS.len(), rng.below(5))
        .into_iter()
        .map(|i| (SKILLS[i], rng.below(11) as f64 / 2.0))
        .collect();
    let languages: Vec<(&str, f64)> = pick(rng, LANGUAGES.len(), 1 + rng.below(2))
        .into_iter()
        .map(|i| (LANGUAGES[i], (1 + rng.below(5)) as f64))
        .collect();
    let external_id = format!("entra-{}", rng.uuid().simple());
    let mut others = Vec::new();
    if rng.below(5) == 0 {
        others.push(("okta", format!("00u{n:017}")));
    }
    if n.is_multiple_of(9) {
        others.push(("microsoftteams", format!("teams-{n:08}")));
    }
    // Every phone type appears: user n's first phone is type n mod 11; a third get a mobile
    // (or home, when the first is mobile) as well.
    let kind = PHONE_TYPES[n % PHONE_TYPES.len()];
    let number = format!("+1312{n:07}");
    let extension = (n % 4 == 1 || n % 8 == 3).then(|| format!("{}", 100 + n % 9900));
    let number_part = (n % 8 != 3).then_some(number);
    let second = (rng.below(3) == 0).then(|| {
        let kind2 = if kind == "mobile" { "home" } else { "mobile" };
        (kind2, format!("+4477{n:08}"))
    });
    let role = level_role(level, n);
    let title = level_title(level);
    let name = format!("{first} {last}");

    if n % 10 == 4 {
        // One in ten is written the way a Genesys admin sees it, to exercise that form.
        let mut first = json!({"type": kind, "primary": true});
        if let Some(num) = &number_part {
            first["number"] = json!(num);
        }
        if let Some(ext) = &extension {
            first["extension"] = json!(ext);
        }
        let mut phones = vec![first];
        if let Some((k, v)) = &second {
            phones.push(json!({"type": k, "number": v}));
        }
        let mut g = json!({
            "name": name,
            "email": user_name,
            "state": state,
            "title": title,
            "department": department,
            "workEmail": work_email,
            "phones": phones,
            "employeeId": format!("E{n:07}"),
            "dateHire": date_hire,
            "roles": ["employee", role],
            "skills": skills.iter().map(|(s, p)| json!({"name": s, "proficiency": p})).collect::<Vec<_>>(),
            "languages": languages.iter().map(|(s, p)| json!({"name": s, "proficiency": p})).collect::<Vec<_>>(),
            "externalId": external_id,
            "externalIds": others.iter().map(|(a, v)| json!({"authority": a, "value": v})).collect::<Vec<_>>(),
        });
        if let Some(d) = division {
            g["divisionName"] = json!(d);
        }
        if let Some(m) = manager {
            g["managerId"] = json!(m);
        }
        return json!({"id": id, "genesys": g});
    }
    let phone_value = match (&number_part, &extension) {
        (Some(num), None) => num.clone(),
        (num, Some(ext)) => format!("tel:{};ext={ext}", num.as_deref().unwrap_or("")),
        (None, None) => unreachable!("every generated phone has a number or an extension"),
    };
    let mut phones = vec![json!({"type": kind, "value": phone_value, "primary": true})];
    if let Some((k, v)) = &second {
        phones.push(json!({"type": k, "value": v}));
    }
    let mut enterprise = json!({
        "department": department,
        "employeeNumber": format!("E{n:07}"),
        "dateHire": date_hire,
    });
    if let Some(d) = division {
        enterprise["division"] = json!(d);
    }
    if let Some(m) = manager {
        enterprise["manager"] = json!({"value": m});
    }
    let mut u = json!({
        "id": id,
        "userName": user_name,
        "displayName": name,
        "title": title,
        "externalId": external_id,
        "active": state == "active",
        "emails": [{"type": "work", "value": work_email}],
        "phoneNumbers": phones,
        "roles": [{"value": "employee"}, {"value": role}],
        ENTERPRISE_USER: enterprise,
        GENESYS_USER: {
            "routingSkills": skills.iter().map(|(s, p)| json!({"name": s, "proficiency": p})).collect::<Vec<_>>(),
            "routingLanguages": languages.iter().map(|(s, p)| json!({"name": s, "proficiency": p})).collect::<Vec<_>>(),
            "externalIds": others.iter().map(|(a, v)| json!({"authority": a, "value": v})).collect::<Vec<_>>(),
        },
    });
    if state == "deleted" {
        u["deleted"] = json!(true);
    }
    u
}

fn groups(rng: &Seeded, count: usize, people: &[Person]) -> Vec<Value> {
    let limits = Limits::default();
    let live: Vec<usize> = (0..people.len()).filter(|i| people[*i].live).collect();
    let mut per_user = vec![0usize; people.len()];
    let mut out = Vec::with_capacity(count);
    for g in 0..count {
        let (name, candidates): (String, Vec<usize>) = match g {
            0 => (
                "All Agents".to_owned(),
                live.iter()
                    .copied()
                    .take(limits.members_per_group)
                    .collect(),
            ),
            1 => (
                "Supervisors".to_owned(),
                live.iter()
                    .copied()
                    .filter(|i| (1..=3).contains(&people[*i].level))
                    .take(limits.members_per_group)
                    .collect(),
            ),
            _ => {
                let size = (10usize << rng.below(8)).min(live.len() / 2);
                let name = format!(
                    "{} {} {g}",
                    DIVISIONS[rng.below(DIVISIONS.len())],
                    TEAMS[rng.below(TEAMS.len())]
                );
                let members = pick(rng, live.len(), size)
                    .into_iter()
                    .map(|i| live[i])
                    .collect();
                (name, members)
            }
        };
        let members: Vec<&str> = candidates
            .into_iter()
            .filter(|i| {
                let ok = per_user[*i] < limits.groups_per_user;
                per_user[*i] += usize::from(ok);
                ok
            })
            .map(|i| people[i].id.as_str())
            .collect();
        // Three in eight of the random groups are invisible to SCIM (social, membersOnly,
        // ownersOnly), from group 2 on, so even a small org has each kind.
        let (kind, visibility) = match (g, g % 8) {
            (0 | 1, _) => ("official", "public"),
            (_, 2) => ("official", "membersOnly"),
            (_, 3) => ("social", "public"),
            (_, 4) => ("official", "ownersOnly"),
            _ => ("official", "public"),
        };
        let mut group = json!({
            "id": rng.uuid().to_string(),
            "name": name,
            "type": kind,
            "visibility": visibility,
            "members": members,
        });
        if g % 3 == 0 {
            group["externalId"] = json!(format!("entra-group-{}", rng.uuid().simple()));
        }
        out.push(group);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(users: usize, groups: usize, seed: u64) -> Spec {
        Spec {
            org: "gen".to_owned(),
            users,
            groups,
            seed,
        }
    }

    #[test]
    fn the_same_seed_writes_the_same_file_and_another_seed_does_not() {
        assert_eq!(to_string(&spec(50, 4, 7)), to_string(&spec(50, 4, 7)));
        assert_ne!(to_string(&spec(50, 4, 7)), to_string(&spec(50, 4, 8)));
    }

    #[test]
    fn managers_are_earlier_live_users_and_states_vary() {
        let doc: Value = serde_json::from_str(&to_string(&spec(400, 3, 1))).unwrap();
        let users = doc["orgs"][0]["users"].as_array().unwrap();
        let mut seen_live = HashSet::new();
        let (mut inactive, mut deleted, mut genesys) = (0, 0, 0);
        for u in users {
            let (state, manager) = match u.get("genesys") {
                Some(g) => {
                    genesys += 1;
                    (
                        g["state"].as_str().unwrap().to_owned(),
                        g["managerId"].as_str(),
                    )
                }
                None => (
                    match (u["active"].as_bool(), u["deleted"].as_bool()) {
                        (_, Some(true)) => "deleted",
                        (Some(true), _) => "active",
                        _ => "inactive",
                    }
                    .to_owned(),
                    u[ENTERPRISE_USER]["manager"]["value"].as_str(),
                ),
            };
            if let Some(m) = manager {
                assert!(
                    seen_live.contains(m),
                    "manager {m} must be an earlier live user"
                );
            }
            match state.as_str() {
                "inactive" => inactive += 1,
                "deleted" => deleted += 1,
                _ => {}
            }
            if state != "deleted" {
                seen_live.insert(u["id"].as_str().unwrap().to_owned());
            }
        }
        assert!(inactive > 0 && deleted > 0, "{inactive} {deleted}");
        assert_eq!(genesys, 40);
    }
}
