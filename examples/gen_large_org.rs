//! Writes `fixtures/large-org.json`: a realistic org for tests that need volume and variety.
//!
//! Run with `cargo run --example gen_large_org > fixtures/large-org.json`. The output is
//! deterministic (no randomness), so regenerating gives the same file.

use serde_json::{Value, json};

const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const GEN: &str = "urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User";
const PHONE_TYPES: &[&str] = &[
    "work",
    "work2",
    "work3",
    "work4",
    "home",
    "mobile",
    "other",
    "microsoftteams",
    "zoomphone",
    "eightbyeight",
    "ringcentral",
];
const FIRST: &[&str] = &[
    "Ava", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kira",
    "Liam", "Mei", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tess",
];
const LAST: &[&str] = &["Adler", "Baker", "Costa", "Dubois", "Eriksen", "Fischer"];
const DIVISIONS: &[&str] = &["Home", "North America", "EMEA", "APAC", "Back Office"];
const DEPARTMENTS: &[&str] = &["Sales", "Support", "Billing", "Retention", "Operations"];
const ROLES: &[&str] = &[
    "employee",
    "Agent",
    "Supervisor",
    "Admin",
    "Quality Evaluator",
];
const SKILLS: &[&str] = &[
    "Billing",
    "Technical Support",
    "Sales",
    "Retention",
    "Escalations",
];
const LANGUAGES: &[&str] = &["English", "French", "German", "Spanish", "Japanese"];

fn uid(n: usize) -> String {
    format!("acme0000-{n:04}-4000-8000-{n:012}")
}

fn main() {
    let users: Vec<Value> = (0..60).map(user).collect();
    let members = |pick: &dyn Fn(usize) -> bool| -> Vec<String> {
        (0..60)
            .filter(|n| pick(*n) && state(*n) != "deleted")
            .map(uid)
            .collect()
    };
    let doc = json!({
        "$schema": "./schema.json",
        "version": 1,
        "orgs": [{
            "id": "acme",
            "name": "Acme Contact Centers",
            "divisions": DIVISIONS.iter().enumerate().map(|(i, d)| json!({
                "id": format!("acmediv0-{i:04}-4000-8000-000000000000"), "name": d, "home": i == 0
            })).collect::<Vec<_>>(),
            "roles": ROLES.iter().enumerate()
                .map(|(i, r)| json!({"id": format!("acmerole-{i:04}-4000-8000-000000000000"), "name": r}))
                .collect::<Vec<_>>(),
            "skills": SKILLS.iter().enumerate()
                .map(|(i, s)| json!({"id": format!("acmeskil-{i:04}-4000-8000-000000000000"), "name": s}))
                .collect::<Vec<_>>(),
            "languages": LANGUAGES.iter().enumerate()
                .map(|(i, s)| json!({"id": format!("acmelang-{i:04}-4000-8000-000000000000"), "name": s}))
                .collect::<Vec<_>>(),
            "oauthClients": [{
                "id": "acme-client-id", "secret": "acme-client-secret",
                "name": "Acme Entra provisioning", "tokenTtlSecs": 3600, "rateLimitPerMinute": 300
            }],
            "users": users,
            "groups": [
                {"id": "acmegrp0-0001-4000-8000-000000000000", "name": "All Agents", "type": "official",
                 "visibility": "public", "members": members(&|n| n >= 7)},
                {"id": "acmegrp0-0002-4000-8000-000000000000", "name": "Supervisors", "type": "official",
                 "visibility": "public", "members": members(&|n| (1..7).contains(&n))},
                {"id": "acmegrp0-0003-4000-8000-000000000000", "name": "EMEA Floor", "type": "official",
                 "visibility": "public", "externalId": "entra-emea-floor",
                 "members": members(&|n| n % 5 == 2)},
                {"id": "acmegrp0-0004-4000-8000-000000000000", "name": "Leadership Private", "type": "official",
                 "visibility": "membersOnly", "members": members(&|n| n < 3)},
                {"id": "acmegrp0-0005-4000-8000-000000000000", "name": "Running Club", "type": "social",
                 "visibility": "public", "description": "Lunchtime runs", "members": members(&|n| n % 7 == 0)},
                {"id": "acmegrp0-0006-4000-8000-000000000000", "name": "Board Liaison", "type": "official",
                 "visibility": "ownersOnly", "members": []}
            ]
        }]
    });
    match serde_json::to_string_pretty(&doc) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("cannot render: {e}"),
    }
}

/// Users 55..57 are inactive, 57..60 deleted; the rest active.
fn state(n: usize) -> &'static str {
    match n {
        55..=56 => "inactive",
        57.. => "deleted",
        _ => "active",
    }
}

/// 0 is the director; 1..7 report to 0; 7..19 report to 1..7; the rest report to 7..19. That
/// makes four levels of management. Deleted users report to nobody.
fn manager(n: usize) -> Option<usize> {
    match n {
        0 => None,
        1..=6 => Some(0),
        7..=18 => Some(1 + (n - 7) % 6),
        _ if state(n) == "deleted" => None,
        _ => Some(7 + (n - 19) % 12),
    }
}

fn user(n: usize) -> Value {
    let first = FIRST[n % FIRST.len()];
    let last = LAST[n / FIRST.len() % LAST.len()];
    let email = format!(
        "{}.{}{n}@acme.example.com",
        first.to_lowercase(),
        last.to_lowercase()
    );
    let kind = PHONE_TYPES[n % PHONE_TYPES.len()];
    let number = format!("+1312555{n:04}");
    let value = match n % 4 {
        1 => format!("tel:{number};ext={}", 100 + n),
        3 if n % 8 == 3 => format!("tel:;ext={}", 100 + n),
        _ => number.clone(),
    };
    let mut phones = vec![json!({"type": kind, "value": value, "primary": true})];
    if n % 3 == 0 {
        phones.push(json!({"type": if kind == "mobile" { "home" } else { "mobile" }, "value": format!("+4477009{n:05}")}));
    }
    let role = match n {
        0 => "Admin",
        1..=6 => "Supervisor",
        _ if n % 10 == 0 => "Quality Evaluator",
        _ => "Agent",
    };
    if n % 10 == 4 {
        // Every tenth user is written in Genesys form, to exercise that path.
        let mut g = json!({
            "name": format!("{first} {last}"),
            "email": email,
            "state": state(n),
            "title": "Agent",
            "department": DEPARTMENTS[n % DEPARTMENTS.len()],
            "divisionName": DIVISIONS[n % DIVISIONS.len()],
            "phones": [{"type": kind, "number": number, "extension": format!("{}", 200 + n), "primary": true}],
            "employeeId": format!("A{n:05}"),
            "dateHire": format!("20{:02}-0{}-1{}", 10 + n % 15, 1 + n % 9, n % 10),
            "roles": ["employee", role],
            "skills": [{"name": SKILLS[n % SKILLS.len()], "proficiency": (n % 6) as f64}],
            "languages": [{"name": "English", "proficiency": 5.0}],
            "externalId": format!("entra-{n:05}")
        });
        if let Some(m) = manager(n) {
            g["managerId"] = json!(uid(m));
        }
        return json!({"id": uid(n), "genesys": g});
    }
    let mut u = json!({
        "id": uid(n),
        "userName": email,
        "displayName": format!("{first} {last}"),
        "title": match n { 0 => "Director of Customer Care", 1..=6 => "Team Supervisor", _ => "Customer Care Agent" },
        "externalId": format!("entra-{n:05}"),
        "active": state(n) == "active",
        "emails": [{"type": "work", "value": format!("{}.{}{n}@work.acme.example.com", first.to_lowercase(), last.to_lowercase())}],
        "phoneNumbers": phones,
        "roles": [{"value": "employee"}, {"value": role}],
        ENT: {
            "division": DIVISIONS[n % DIVISIONS.len()],
            "department": DEPARTMENTS[n % DEPARTMENTS.len()],
            "employeeNumber": format!("A{n:05}"),
            "dateHire": format!("20{:02}-0{}-1{}", 10 + n % 15, 1 + n % 9, n % 10)
        },
        GEN: {
            "routingSkills": [{"name": SKILLS[n % SKILLS.len()], "proficiency": (n % 6) as f64},
                              {"name": SKILLS[(n + 2) % SKILLS.len()], "proficiency": 2.5}],
            "routingLanguages": [{"name": LANGUAGES[n % LANGUAGES.len()], "proficiency": 4.0}]
        }
    });
    if let Some(m) = manager(n) {
        u[ENT]["manager"] = json!({"value": uid(m)});
    }
    if n % 9 == 0 {
        u[GEN]["externalIds"] =
            json!([{"authority": "microsoftteams", "value": format!("teams-{n:05}")}]);
    }
    if state(n) == "deleted" {
        u["deleted"] = json!(true);
    }
    u
}
