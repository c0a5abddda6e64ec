use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::scim::schema::{AttrPath, ENTERPRISE_USER, GENESYS_USER, ResourceKind};

fn p(text: &str) -> AttrPath {
    AttrPath::parse(text)
}

fn cmp(path: &str, op: CompareOp, value: Value) -> Filter {
    Filter::Compare {
        path: p(path),
        op,
        value,
    }
}

fn eq(path: &str, value: Value) -> Filter {
    cmp(path, CompareOp::Eq, value)
}

fn pr(path: &str) -> Filter {
    Filter::Present(p(path))
}

fn not(f: Filter) -> Filter {
    Filter::Not(Box::new(f))
}

fn vp(path: &str, f: Filter) -> Filter {
    Filter::ValuePath {
        path: p(path),
        filter: Box::new(f),
    }
}

#[test]
fn grammar_table() {
    let cases: Vec<(&str, Filter)> = vec![
        (r#"userName eq "bjensen""#, eq("userName", json!("bjensen"))),
        (r#"USERNAME EQ "x""#, eq("USERNAME", json!("x"))),
        ("title pr", pr("title")),
        ("title PR", pr("title")),
        (
            r#"name.familyName co "O'Malley""#,
            cmp("name.familyName", CompareOp::Co, json!("O'Malley")),
        ),
        (
            r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
            cmp(
                "meta.lastModified",
                CompareOp::Gt,
                json!("2011-05-13T04:42:34Z"),
            ),
        ),
        ("active eq true", eq("active", json!(true))),
        ("active eq False", eq("active", json!(false))),
        ("x eq null", eq("x", Value::Null)),
        (
            "proficiency ge 3",
            cmp("proficiency", CompareOp::Ge, json!(3)),
        ),
        (
            "proficiency lt -2.5",
            cmp("proficiency", CompareOp::Lt, json!(-2.5)),
        ),
        // Precedence: and binds tighter than or.
        (
            "a eq 1 or b eq 2 and c eq 3",
            Filter::or(
                eq("a", json!(1)),
                Filter::and(eq("b", json!(2)), eq("c", json!(3))),
            ),
        ),
        (
            "a eq 1 and b eq 2 or c eq 3",
            Filter::or(
                Filter::and(eq("a", json!(1)), eq("b", json!(2))),
                eq("c", json!(3)),
            ),
        ),
        // Left associativity.
        (
            "a pr or b pr or c pr",
            Filter::or(Filter::or(pr("a"), pr("b")), pr("c")),
        ),
        // Grouping overrides precedence.
        (
            "(a eq 1 or b eq 2) and c eq 3",
            Filter::and(
                Filter::or(eq("a", json!(1)), eq("b", json!(2))),
                eq("c", json!(3)),
            ),
        ),
        // not binds tighter than and.
        ("not (a pr) and b pr", Filter::and(not(pr("a")), pr("b"))),
        ("NOT (a pr or b pr)", not(Filter::or(pr("a"), pr("b")))),
        // Value paths.
        (
            r#"emails[type eq "work" and value co "@example.com"]"#,
            vp(
                "emails",
                Filter::and(
                    eq("type", json!("work")),
                    cmp("value", CompareOp::Co, json!("@example.com")),
                ),
            ),
        ),
        (
            r#"emails[type eq "work"] or userName sw "j""#,
            Filter::or(
                vp("emails", eq("type", json!("work"))),
                cmp("userName", CompareOp::Sw, json!("j")),
            ),
        ),
        (
            r#"emails[not (type eq "work")]"#,
            vp("emails", not(eq("type", json!("work")))),
        ),
        // URN-qualified paths.
        (
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Sales""#,
            Filter::Compare {
                path: AttrPath {
                    urn: Some(ENTERPRISE_USER.to_owned()),
                    name: "department".to_owned(),
                    sub: None,
                },
                op: CompareOp::Eq,
                value: json!("Sales"),
            },
        ),
        (
            r#"urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User:externalIds[authority eq "x" and value eq "y"]"#,
            Filter::ValuePath {
                path: AttrPath {
                    urn: Some(GENESYS_USER.to_owned()),
                    name: "externalIds".to_owned(),
                    sub: None,
                },
                filter: Box::new(Filter::and(
                    eq("authority", json!("x")),
                    eq("value", json!("y")),
                )),
            },
        ),
        (
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq u0",
            Filter::Compare {
                path: AttrPath {
                    urn: Some(ENTERPRISE_USER.to_owned()),
                    name: "manager".to_owned(),
                    sub: Some("value".to_owned()),
                },
                op: CompareOp::Eq,
                value: json!("u0"),
            },
        ),
        // Genesys' unquoted values.
        (
            "userName eq search@sample.org",
            eq("userName", json!("search@sample.org")),
        ),
        (
            "id eq 857449b0-d9e7-4cd0-acbf-a6adfb9ef1e9",
            eq("id", json!("857449b0-d9e7-4cd0-acbf-a6adfb9ef1e9")),
        ),
        (
            "division eq divisionName",
            eq("division", json!("divisionName")),
        ),
        ("displayname eq Sales", eq("displayname", json!("Sales"))),
        ("externalId eq 167844", eq("externalId", json!(167844))),
        (
            "employeeNumber eq 0012",
            eq("employeeNumber", json!("0012")),
        ),
        ("(displayName eq Sales)", eq("displayName", json!("Sales"))),
        // Escapes in strings.
        (
            r#"displayName eq "a \"b\" \\ \u0041""#,
            eq("displayName", json!("a \"b\" \\ A")),
        ),
        ("  userName   eq   \"x\"  ", eq("userName", json!("x"))),
    ];
    for (input, want) in cases {
        let got = parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(got, want, "{input}");
        // The canonical rendering parses back to the same tree.
        let again = parse(&got.to_string()).unwrap_or_else(|e| panic!("{got}: {e}"));
        assert_eq!(again, want, "round trip of {input} via {got}");
    }
}

#[test]
fn parse_errors_carry_offsets_and_reasons() {
    let cases: &[(&str, usize, &str)] = &[
        (
            "userName",
            8,
            "expected comparison operator after 'userName'",
        ),
        (
            "userName foo \"x\"",
            9,
            "expected comparison operator after 'userName'",
        ),
        ("userName eq \"abc", 12, "unterminated string"),
        ("userName eq", 11, "expected a value after 'eq'"),
        (")", 0, "unexpected ')'"),
        ("a pr)", 4, "unexpected ')'"),
        ("(a pr", 5, "expected ')' to close the '(' at byte 0"),
        (
            "a pr and",
            8,
            "expected an attribute name, found end of input",
        ),
        ("and a pr", 0, "expected an attribute name before 'and'"),
        ("not a pr", 4, "expected '(' after 'not'"),
        (
            "emails[type eq \"w\"",
            18,
            "expected ']' to close the '[' at byte 6",
        ),
        ("emails[type[value pr]]", 11, "cannot contain another '['"),
        ("\"x\" eq 1", 0, "expected an attribute name, found string"),
        ("1abc eq 1", 0, "invalid attribute name"),
        ("a.b.c eq 1", 0, "invalid sub-attribute name"),
        ("", 0, "expected an attribute name, found end of input"),
        (
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User eq 1",
            0,
            "expected an attribute name after the schema URN",
        ),
        ("a eq \"\\x\"", 6, "invalid escape"),
        ("a eq 1 b eq 2", 7, "unexpected 'b'"),
    ];
    for (input, at, reason) in cases {
        let err = parse(input).expect_err(input);
        assert_eq!(err.at, *at, "{input}: {err}");
        assert!(err.reason.contains(reason), "{input}: {err}");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let input = format!("{}a pr{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(parse(&input).unwrap_err().reason.contains("nested"));
    let input = format!("{}a pr{}", "not (".repeat(10_000), ")".repeat(10_000));
    assert!(parse(&input).is_err());
}

#[test]
fn patch_paths() {
    let pp = parse_patch_path("members").unwrap();
    assert_eq!(pp.attr, p("members"));
    assert!(pp.filter.is_none());

    let pp = parse_patch_path("name.givenName").unwrap();
    assert_eq!(pp.attr.sub.as_deref(), Some("givenName"));

    let pp = parse_patch_path(r#"emails[type eq "work"].value"#).unwrap();
    assert_eq!(pp.attr.name, "emails");
    assert_eq!(pp.attr.sub.as_deref(), Some("value"));
    assert_eq!(pp.filter, Some(eq("type", json!("work"))));

    let pp = parse_patch_path(
        r#"urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User:externalIds[authority eq "microsoftteams"].value"#,
    )
    .unwrap();
    assert_eq!(pp.attr.urn.as_deref(), Some(GENESYS_USER));
    assert_eq!(pp.attr.name, "externalIds");
    assert_eq!(pp.attr.sub.as_deref(), Some("value"));
    assert_eq!(pp.filter, Some(eq("authority", json!("microsoftteams"))));
    assert_eq!(
        parse_patch_path(&pp.to_string()).unwrap(),
        pp,
        "display round trip"
    );

    let pp = parse_patch_path(&format!("{ENTERPRISE_USER}:manager.value")).unwrap();
    assert_eq!(pp.attr.urn.as_deref(), Some(ENTERPRISE_USER));
    assert_eq!(pp.attr.name, "manager");

    let pp = parse_patch_path(ENTERPRISE_USER).unwrap();
    assert_eq!(pp.attr.name, "");

    let pp = parse_patch_path(r#"members[value eq "35069"]"#).unwrap();
    assert_eq!(pp.filter, Some(eq("value", json!("35069"))));

    for (bad, at) in [
        ("", 0),
        ("emails[type eq \"work\"", 21),
        ("emails[type eq \"work\"] .value", 23),
        ("emails[type eq \"work\"].1x", 23),
        ("emails.value[type eq \"work\"]", 12),
        ("emails x", 7),
        ("[type eq \"work\"]", 0),
    ] {
        let err = parse_patch_path(bad).expect_err(bad);
        assert_eq!(err.at, at, "{bad}: {err}");
    }
}

fn user() -> Value {
    json!({
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            ENTERPRISE_USER,
            GENESYS_USER
        ],
        "id": "u1",
        "externalId": "Ext-1",
        "userName": "Jane@Example.com",
        "displayName": "Jane",
        "title": "Agent",
        "active": true,
        "emails": [
            {"value": "jane@example.com", "type": "other", "primary": true},
            {"value": "jane.work@example.com", "type": "work"}
        ],
        "phoneNumbers": [{"value": "+13175550100", "type": "work", "primary": true}],
        "groups": [{"value": "g1", "$ref": "http://h/api/v2/scim/v2/groups/g1", "type": "Group"}],
        "roles": [{"value": "employee"}],
        ENTERPRISE_USER: {
            "division": "Home",
            "department": "Support",
            "employeeNumber": "1234",
            "manager": {"value": "u0", "$ref": "..."},
            "dateHire": "2024-01-31"
        },
        GENESYS_USER: {
            "routingSkills": [{"name": "Billing", "proficiency": 3.0}],
            "externalIds": [
                {"authority": "x-pc:scimv2:v1", "value": "Ext-1"},
                {"authority": "microsoftteams", "value": "abc"}
            ]
        },
        "meta": {
            "resourceType": "User",
            "lastModified": "2026-01-01T00:00:00.000Z",
            "location": "http://h/api/v2/scim/v2/users/u1",
            "version": "3"
        }
    })
}

#[test]
fn evaluator_table() {
    let u = user();
    let cases: &[(&str, bool)] = &[
        // userName is case-insensitive; externalId is caseExact.
        (r#"userName eq "jane@example.com""#, true),
        ("USERNAME eq JANE@EXAMPLE.COM", true),
        (r#"externalId eq "Ext-1""#, true),
        (r#"externalId eq "ext-1""#, false),
        (r#"id eq "U1""#, false),
        (
            r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "jane@example.com""#,
            true,
        ),
        // Booleans by type; strings are not booleans.
        ("active eq true", true),
        ("active eq false", false),
        ("active ne false", true),
        // dateTime chronologically (the text would compare differently with an offset).
        (r#"meta.lastModified gt "2025-12-31T23:00:00Z""#, true),
        (r#"meta.lastModified gt "2026-01-01T01:00:00+02:00""#, true),
        (r#"meta.lastModified lt "2026-01-01T00:00:00.001Z""#, true),
        (r#"meta.lastModified eq "2026-01-01T00:00:00Z""#, true),
        (r#"meta.lastModified ge "2026-06-01T00:00:00Z""#, false),
        // Multi-valued: any element.
        (r#"emails.value eq "jane.work@example.com""#, true),
        (r#"emails eq "jane.work@example.com""#, true),
        (r#"email eq "JANE.WORK@example.com""#, true),
        (
            r#"emails[type eq "work" and value co "@example.com"]"#,
            true,
        ),
        (r#"emails[type eq "home"]"#, false),
        (r#"emails[type eq "work" and primary eq true]"#, false),
        (r#"emails[type eq "other" and primary eq true]"#, true),
        (r#"emails.type eq "home""#, false),
        // Extensions, qualified or not.
        ("department eq support", true),
        (
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Support""#,
            true,
        ),
        ("manager eq u0", true),
        ("manager eq U0", false),
        ("division eq home", true),
        ("employeeNumber eq 1234", true),
        (
            r#"urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User:externalIds[authority eq "microsoftteams" and value eq "abc"]"#,
            true,
        ),
        (
            r#"externalIds[authority eq "microsoftteams" and value eq "ABC"]"#,
            false,
        ),
        (
            r#"externalIds[authority eq "x-pc:scimv2:v1" and value eq "Ext-1"]"#,
            true,
        ),
        // Numbers.
        ("routingSkills.proficiency ge 3", true),
        ("routingSkills.proficiency gt 3", false),
        // String operators.
        (r#"title sw "ag""#, true),
        (r#"title ew "NT""#, true),
        (r#"title co "gen""#, true),
        (r#"displayName gt "A""#, true),
        // Presence and absence.
        ("title pr", true),
        ("nickName pr", false),
        (r#"nickName eq "x""#, false),
        (r#"nickName ne "x""#, false),
        (r#"not (nickName eq "x")"#, true),
        ("manager pr", true),
        // Logic.
        (r#"title eq "Agent" and active eq false"#, false),
        (r#"title eq "Agent" or active eq false"#, true),
        (r#"not (title eq "Agent")"#, false),
        ("title eq null", false),
        ("title ne null", true),
    ];
    for (input, want) in cases {
        let f = parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(matches(&f, &u, ResourceKind::User), *want, "{input}");
    }
}

#[test]
fn groups_match_display_name_case_insensitively() {
    let g = json!({"id": "g1", "displayName": "Sales", "members": [{"value": "u1"}]});
    let f = parse("displayname eq sales").unwrap();
    assert!(matches(&f, &g, ResourceKind::Group));
    let f = parse(r#"members.value eq "u1""#).unwrap();
    assert!(matches(&f, &g, ResourceKind::Group));
    let f = parse(r#"members eq "U1""#).unwrap();
    assert!(!matches(&f, &g, ResourceKind::Group));
}

#[test]
fn genesys_profile_accepts_only_documented_filters() {
    use crate::compat::Profile;
    let user_ok = [
        "id eq 857449b0-d9e7-4cd0-acbf-a6adfb9ef1e9",
        "userName eq search@sample.org",
        r#"username eq "x@y.com""#,
        "manager eq 16e10e2f",
        "email eq search@sample.org",
        "division eq divisionName",
        "externalId eq 167844",
        "active eq false",
        "employeeNumber eq 9876543210",
        "urn:ietf:params:scim:schemas:core:2.0:User:userName eq x",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq 1",
        r#"urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User:externalIds[authority eq "a" and value eq "b"]"#,
        r#"externalIds[value eq "b" and authority eq "a"]"#,
    ];
    for f in user_ok {
        let tree = parse(f).unwrap();
        check_profile(&tree, ResourceKind::User, Profile::Genesys)
            .unwrap_or_else(|e| panic!("{f}: {e}"));
    }
    let user_bad = [
        (r#"userName co "x""#, "operator 'co'"),
        ("title pr", "operator 'pr'"),
        ("title eq x", "'title'"),
        ("userName eq x and active eq true", "'and'"),
        ("userName eq x or active eq true", "'or'"),
        ("not (active eq true)", "'not'"),
        ("emails[type eq work]", "value filter on 'emails'"),
        (r#"externalIds[authority eq "a"]"#, "only [authority"),
        (
            r#"externalIds[authority eq "a" or value eq "b"]"#,
            "only [authority",
        ),
        (
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:userName eq x",
            "userName",
        ),
        ("name.familyName eq x", "'name.familyName'"),
        ("displayName eq x", "'displayName'"),
    ];
    for (f, names) in user_bad {
        let tree = parse(f).unwrap();
        let err = check_profile(&tree, ResourceKind::User, Profile::Genesys).expect_err(f);
        assert_eq!(err.scim_type, Some("invalidFilter"), "{f}");
        assert!(err.detail.contains(names), "{f}: {}", err.detail);
        assert!(err.detail.contains("profile=rfc"), "{f}: {}", err.detail);
        check_profile(&tree, ResourceKind::User, Profile::Rfc).unwrap();
    }
    for f in [
        "id eq g1",
        "displayname eq Sales",
        r#"displayName eq "Sales""#,
    ] {
        check_profile(&parse(f).unwrap(), ResourceKind::Group, Profile::Genesys).unwrap();
    }
    for f in ["userName eq x", "displayName sw S", "members pr"] {
        let tree = parse(f).unwrap();
        assert!(
            check_profile(&tree, ResourceKind::Group, Profile::Genesys).is_err(),
            "{f}"
        );
    }
}

/// Strings assembled from filter tokens, so the generator reaches deep into the grammar rather
/// than failing at the first character.
fn token_soup() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("userName".to_owned()),
        Just("emails".to_owned()),
        Just("name.familyName".to_owned()),
        Just("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department".to_owned()),
        Just("urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User".to_owned()),
        Just("urn:".to_owned()),
        Just("eq".to_owned()),
        Just("CO".to_owned()),
        Just("pr".to_owned()),
        Just("gt".to_owned()),
        Just("and".to_owned()),
        Just("or".to_owned()),
        Just("not".to_owned()),
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just(".value".to_owned()),
        Just("\"".to_owned()),
        Just("\"x\\\"y\"".to_owned()),
        Just("\"\\ud83d\"".to_owned()),
        Just("true".to_owned()),
        Just("null".to_owned()),
        Just("-1.5e3".to_owned()),
        Just("é".to_owned()),
        Just(" ".to_owned()),
        "[a-z$]{1,4}",
    ];
    prop::collection::vec(token, 0..24).prop_map(|parts| parts.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics_on_arbitrary_text(s in "\\PC{0,64}") {
        let _ = parse(&s);
        let _ = parse_patch_path(&s);
    }

    #[test]
    fn parse_never_panics_on_token_soup(s in token_soup()) {
        if let Ok(f) = parse(&s) {
            // Whatever parses renders to text that parses to the same tree, and evaluates.
            prop_assert_eq!(parse(&f.to_string()).ok(), Some(f.clone()));
            let _ = matches(&f, &user(), ResourceKind::User);
            let _ = check_profile(&f, ResourceKind::User, crate::compat::Profile::Genesys);
        }
        let _ = parse_patch_path(&s);
    }
}
