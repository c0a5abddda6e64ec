//! Scenarios through the admin API: every trigger kind, states, the answering actions, and
//! counters.

use crate::helpers::*;
use serde_json::{Value, json};

/// Adds a scenario, asserting it was accepted.
pub async fn add_scenario(app: &TestApp, s: &Value) {
    let (status, message) = post_scenario(app, s).await;
    assert!(status == 201 || status == 200, "{status} {message}");
}

/// Posts a scenario; the status and the error message (empty when accepted).
async fn post_scenario(app: &TestApp, s: &Value) -> (u16, String) {
    let resp = app
        .client
        .post(app.url("/__admin/scenarios"))
        .header("content-type", "application/json")
        .body(s.to_string())
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(resp).await;
    (
        status,
        body["message"].as_str().unwrap_or_default().to_owned(),
    )
}

/// Sends `n` user lists and returns their statuses.
async fn list_statuses(app: &TestApp, n: usize) -> Vec<u16> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(
            app.get(&format!("{SCIM}/Users"))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    out
}

fn one_rule(trigger: Value) -> Value {
    json!({"name": "t", "rules": [{"name": "r", "when": {"route": "users.list"},
        "trigger": trigger, "then": {"respond": {"status": 500}}}]})
}

#[tokio::test]
async fn each_trigger_kind_fires_on_the_right_requests() {
    for (trigger, want) in [
        (json!("always"), vec![500, 500, 500]),
        (json!({"firstN": {"n": 2}}), vec![500, 500, 200, 200]),
        (json!({"nth": {"n": 3}}), vec![200, 200, 500, 200]),
        (json!({"everyK": {"k": 2}}), vec![200, 500, 200, 500]),
        (json!({"afterN": {"n": 2}}), vec![200, 200, 500, 500]),
        (json!({"probability": {"p": 0.0}}), vec![200, 200, 200]),
        (json!({"probability": {"p": 1.0}}), vec![500, 500, 500]),
    ] {
        let app = spawn_app().await;
        add_scenario(&app, &one_rule(trigger.clone())).await;
        assert_eq!(list_statuses(&app, want.len()).await, want, "{trigger}");
        // Other routes are not matched.
        let resp = app
            .get(&format!("{SCIM}/Users/{MARIA}"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
}

#[tokio::test]
async fn probability_is_reproducible_with_a_seed() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let app = spawn_app().await;
        add_scenario(&app, &one_rule(json!({"probability": {"p": 0.5}}))).await;
        runs.push(list_statuses(&app, 12).await);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(
        runs[0].contains(&500) && runs[0].contains(&200),
        "{:?}",
        runs[0]
    );
}

#[tokio::test]
async fn states_express_fail_twice_then_succeed_then_throttle() {
    let app = spawn_app().await;
    add_scenario(
        &app,
        &json!({"name": "retry", "rules": [
            {"name": "fail", "when": {"route": "users.list"}, "requireState": "start",
             "trigger": {"firstN": {"n": 2}}, "then": {"respond": {"status": 503}}},
            {"name": "ok", "when": {"route": "users.list"}, "requireState": "start",
             "trigger": {"nth": {"n": 3}}, "setState": "throttling"},
            {"name": "throttle", "when": {"route": "users.list"}, "requireState": "throttling",
             "then": {"throttle": {"retryAfter": 7}}}
        ]}),
    )
    .await;
    assert_eq!(list_statuses(&app, 3).await, [503, 503, 200]);
    let resp = app.get(&format!("{SCIM}/Users")).send().await.unwrap();
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "7");
    let (_, body) = status_json(resp).await;
    assert_platform_error(429, &body, 429, "too.many.requests.retry.after");

    let (_, list) = status_json(
        app.client
            .get(app.url("/__admin/scenarios"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let s = &list["scenarios"][0];
    assert_eq!(s["state"], "throttling");
    assert_eq!(s["rules"][0]["hits"], 2);
    assert_eq!(s["rules"][1]["hits"], 1);
    assert_eq!(s["rules"][2]["hits"], 1);

    // The journal names the rule that answered.
    let resp = app
        .client
        .post(app.url("/__admin/requests/count"))
        .header("content-type", "application/json")
        .body(json!({"rule": "retry/fail", "status": 503}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(status_json(resp).await.1["count"], 2);

    // Reset puts the scenario back to start.
    let resp = app
        .client
        .post(app.url("/__admin/scenarios/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(list_statuses(&app, 1).await, [503]);
    let resp = app
        .client
        .delete(app.url("/__admin/scenarios/retry"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(list_statuses(&app, 1).await, [200]);
    let resp = app
        .client
        .delete(app.url("/__admin/scenarios/retry"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn respond_without_body_uses_the_routes_error_shape_and_with_body_sends_it() {
    let app = spawn_app().await;
    add_scenario(
        &app,
        &json!({"name": "r", "rules": [
            {"name": "scim", "when": {"method": "GET", "path": "/api/v2/scim/v2/Users/*"},
             "then": {"respond": {"status": 404}}},
            {"name": "platform", "when": {"route": "platform.users.list"},
             "then": {"respond": {"status": 503}}},
            {"name": "custom", "when": {"route": "groups.list"},
             "then": {"respond": {"status": 200, "body": {"hello": "world"}, "headers": {"x-test": "1"}}}}
        ]}),
    )
    .await;
    let (s, body) = status_json(
        app.get(&format!("{SCIM}/Users/{MARIA}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_scim_error(s, &body, 404, None);
    let (s, body) = status_json(app.get("/api/v2/users").send().await.unwrap()).await;
    assert_platform_error(s, &body, 503, "service.unavailable");
    let resp = app.get(&format!("{SCIM}/Groups")).send().await.unwrap();
    assert_eq!(resp.headers()["x-test"], "1");
    let (s, body) = status_json(resp).await;
    assert_eq!((s, body), (200, json!({"hello": "world"})));
}

#[tokio::test]
async fn matches_on_header_query_body_org_and_client() {
    let app = spawn_app().await;
    add_scenario(
        &app,
        &json!({"name": "m", "rules": [
            {"name": "hdr", "when": {"header": {"X-Trace": "fail-*"}}, "then": {"respond": {"status": 502}}},
            {"name": "qry", "when": {"route": "users.list", "query": {"filter": "userName eq *"}},
             "then": {"respond": {"status": 504}}},
            {"name": "body", "when": {"route": "users.create", "body": {"/userName": {"contains": "@blocked."}, "/active": {"exists": false}}},
             "then": {"respond": {"status": 409}}},
            {"name": "who", "when": {"org": "default", "client": CLIENT_ID, "route": "groups.list"},
             "then": {"respond": {"status": 418}}}
        ]}),
    )
    .await;
    let resp = app
        .get(&format!("{SCIM}/Groups/{SALES_TEAM}"))
        .header("x-trace", "fail-1")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 502);
    let resp = app
        .get(&format!("{SCIM}/Groups/{SALES_TEAM}"))
        .header("x-trace", "ok")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = app
        .get(&format!("{SCIM}/Users?filter=userName%20eq%20%22x%22"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 504);
    let resp = app
        .get(&format!("{SCIM}/Users?filter=externalId%20eq%20%22x%22"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = app
        .post_json(
            &format!("{SCIM}/Users"),
            &json!({"userName": "a@blocked.example", "displayName": "A"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 409);
    let resp = app
        .post_json(
            &format!("{SCIM}/Users"),
            &json!({"userName": "b@blocked.example", "displayName": "B", "active": true}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let resp = app.get(&format!("{SCIM}/Groups")).send().await.unwrap();
    assert_eq!(resp.status(), 418);
}

#[tokio::test]
async fn priority_decides_between_matching_rules() {
    let app = spawn_app().await;
    add_scenario(
        &app,
        &json!({"name": "p", "rules": [
            {"name": "low", "when": {"route": "users.*"}, "then": {"respond": {"status": 500}}},
            {"name": "high", "priority": 10, "when": {"route": "users.list"}, "then": {"respond": {"status": 503}}}
        ]}),
    )
    .await;
    assert_eq!(list_statuses(&app, 1).await, [503]);
    let resp = app
        .get(&format!("{SCIM}/Users/{MARIA}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 500);
}

#[tokio::test]
async fn delay_passes_through_after_waiting() {
    let app = spawn_app().await;
    add_scenario(
        &app,
        &json!({"name": "d", "rules": [{"name": "slow", "when": {"route": "users.list"}, "then": {"delay": {"ms": 120}}}]}),
    )
    .await;
    let t = std::time::Instant::now();
    let (s, body) = status_json(app.get(&format!("{SCIM}/Users")).send().await.unwrap()).await;
    assert_eq!(s, 200);
    assert!(body["Resources"].is_array());
    assert!(t.elapsed() >= std::time::Duration::from_millis(120));
}

#[tokio::test]
async fn compat_override_applies_to_the_matching_request_only() {
    let app = spawn_app().await;
    add_scenario(
        &app,
        &json!({"name": "c", "rules": [{"name": "412", "when": {"header": {"x-strict": "1"}},
            "then": {"compat": {"version-mismatch-status": "412"}}}]}),
    )
    .await;
    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "title", "value": "x"}]});
    let resp = app
        .patch_json(&format!("{SCIM}/Users/{MARIA}"), &patch)
        .header("if-match", "\"999\"")
        .header("x-strict", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 412);
    let resp = app
        .patch_json(&format!("{SCIM}/Users/{MARIA}"), &patch)
        .header("if-match", "\"999\"")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn bad_scenarios_are_rejected_with_a_reason() {
    let app = spawn_app().await;
    for (bad, word) in [
        (json!({"name": "", "rules": []}), "name"),
        (
            json!({"name": "x", "rules": [{"name": "r", "then": {"respond": {"status": 42}}}]}),
            "status",
        ),
        (
            json!({"name": "x", "rules": [{"name": "r", "trigger": {"everyK": {"k": 0}}}]}),
            "trigger",
        ),
        (
            json!({"name": "x", "rules": [{"name": "r", "then": {"hang": {"maxMs": 99999999}}}]}),
            "hang",
        ),
        (
            json!({"name": "x", "rules": [{"name": "r", "then": {"explode": {}}}]}),
            "explode",
        ),
        (
            json!({"name": "x", "rules": [{"name": "r", "when": {"body": {"noslash": {"exists": true}}}}]}),
            "pointer",
        ),
    ] {
        let resp = app
            .client
            .post(app.url("/__admin/scenarios"))
            .header("content-type", "application/json")
            .body(bad.to_string())
            .send()
            .await
            .unwrap();
        let (s, body) = status_json(resp).await;
        assert_eq!(s, 400, "{bad}");
        assert!(body.to_string().contains(word), "{word}: {body}");
    }
}

#[tokio::test]
async fn scenario_files_load_at_start_and_bad_ones_fail_start_up() {
    let dir = std::env::temp_dir().join(format!("scn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.json");
    std::fs::write(&good, one_rule(json!({"firstN": {"n": 1}})).to_string()).unwrap();
    let app = spawn_with(with(test_config(), |config| config.scenarios = vec![good])).await;
    assert_eq!(list_statuses(&app, 2).await, [500, 200]);
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"name\": 1}").unwrap();
    let err = genesys_scim_mock::AppState::new(with(test_config(), |config| {
        config.scenarios = vec![bad]
    }))
    .unwrap_err();
    assert!(
        matches!(err, genesys_scim_mock::SetupError::Scenario(_)),
        "{err}"
    );
    let err = err.to_string();
    assert!(
        err.contains("--scenario") && err.contains("bad.json"),
        "{err}"
    );
}

#[tokio::test]
async fn every_shipped_scenario_loads_and_has_a_readme() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let (mut scenarios, mut fixtures) = (0, 0);
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        assert!(
            dir.join("README.md").exists(),
            "{} has no README",
            dir.display()
        );
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            if !(name.starts_with("scenario") && name.ends_with(".json")) {
                continue;
            }
            // Loaded the way `--scenario` loads it: a bad file fails start-up.
            genesys_scim_mock::AppState::new(with(test_config(), |config| {
                config.scenarios = vec![file.clone()]
            }))
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            scenarios += 1;
        }
        let fixture = dir.join("fixture.json");
        if fixture.exists() {
            genesys_scim_mock::validate(&fixture)
                .unwrap_or_else(|e| panic!("{}: {e}", fixture.display()));
            fixtures += 1;
        }
    }
    assert!(scenarios >= 5, "found {scenarios} shipped scenarios");
    assert!(fixtures >= 2, "found {fixtures} shipped fixtures");
}

fn shipped(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
        .join("scenario.json")
}

#[tokio::test]
async fn shipped_flaky_and_throttle_behave_as_documented() {
    let app = spawn_with(with(test_config(), |config| {
        config.scenarios = vec![shipped("flaky-5xx")]
    }))
    .await;
    assert_eq!(list_statuses(&app, 3).await, [503, 500, 200]);
    let app = spawn_with(with(test_config(), |config| {
        config.scenarios = vec![shipped("throttle-burst")]
    }))
    .await;
    let got = list_statuses(&app, 16).await;
    let mut want = vec![200; 10];
    want.extend([429; 4]);
    want.extend([200; 2]);
    assert_eq!(got, want);
}

#[tokio::test]
async fn shipped_eventual_consistency_hides_new_users_for_two_lookups() {
    let app = spawn_with(with(test_config(), |config| {
        config.scenarios = vec![shipped("eventual-consistency")]
    }))
    .await;
    app.create_user(&json!({"userName": "ec@example.com", "displayName": "EC"}))
        .await;
    let lookup = format!("{SCIM}/Users?filter=userName%20eq%20%22ec@example.com%22");
    let mut totals = Vec::new();
    for _ in 0..3 {
        let (s, body) = status_json(app.get(&lookup).send().await.unwrap()).await;
        assert_eq!(s, 200);
        totals.push(body["totalResults"].as_u64().unwrap());
    }
    assert_eq!(totals, [0, 0, 1]);
}

#[test]
fn the_json_schema_names_every_action_and_trigger() {
    let text = include_str!("../../schemas/scenario.schema.json");
    let schema: Value = serde_json::from_str(text).unwrap();
    let rule = &schema["properties"]["rules"]["items"]["properties"];
    let thens = rule["then"].to_string();
    for name in [
        "respond",
        "throttle",
        "delay",
        "reset",
        "empty",
        "headersOnly",
        "truncate",
        "dribble",
        "garbage",
        "hang",
        "malformedJson",
        "compat",
    ] {
        assert!(thens.contains(&format!("\"{name}\"")), "{name}");
    }
    let triggers = rule["trigger"].to_string();
    for name in ["always", "firstN", "nth", "everyK", "afterN", "probability"] {
        assert!(triggers.contains(&format!("\"{name}\"")), "{name}");
    }
}

/// docs/scenarios.md's worked example on user PATCHes, verbatim.
#[tokio::test]
async fn docs_example_fail_twice_succeed_then_throttle() {
    let app = spawn_app().await;
    let text = r#"{
  "name": "retry-then-throttle",
  "rules": [
    { "name": "fail", "when": { "route": "users.patch" }, "trigger": { "firstN": { "n": 2 } },
      "then": { "respond": { "status": 503 } } },
    { "name": "ok", "when": { "route": "users.patch" }, "trigger": { "nth": { "n": 3 } },
      "setState": "throttling" },
    { "name": "throttle", "requireState": "throttling", "when": { "route": "users.patch" },
      "then": { "throttle": { "retryAfter": 30 } } }
  ]
}"#;
    assert!(
        include_str!("../../docs/scenarios.md").contains(text),
        "docs/scenarios.md no longer carries this example"
    );
    let scenario: serde_json::Value = serde_json::from_str(text).unwrap();
    let resp = app
        .client
        .post(app.url("/__admin/scenarios"))
        .json(&scenario)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let body = json!({"Operations": [{"op": "replace", "path": "title", "value": "x"}]});
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let resp = app
            .patch_json(&format!("{SCIM}/Users/{JAMES}"), &body)
            .send()
            .await
            .unwrap();
        statuses.push(resp.status().as_u16());
    }
    assert_eq!(statuses, vec![503, 503, 200, 429, 429]);
}

/// A scenario cannot set the headers that frame a message: a wrong `content-length` made the
/// next answer on a keep-alive connection misread. Refused when the scenario is loaded.
#[tokio::test]
async fn framing_headers_are_refused_at_load() {
    let app = spawn_app().await;
    for name in [
        "content-length",
        "Transfer-Encoding",
        "connection",
        "keep-alive",
        "upgrade",
        "content-security-policy",
    ] {
        let s = json!({"name": "framing", "rules": [{"name": "r",
            "then": {"respond": {"status": 200, "body": {}, "headers": {name: "1"}}}}]});
        let (status, message) = post_scenario(&app, &s).await;
        assert_eq!(status, 400, "{name}: {message}");
        assert!(
            message.contains(&name.to_ascii_lowercase())
                && message.contains("then.respond.headers"),
            "{name}: {message}"
        );
    }
    let (s, _) = app.get_json(&format!("{SCIM}/Users")).await;
    assert_eq!(s, 200, "nothing was loaded");
}

/// An answer a scenario makes may say `text/html`; it carries `Content-Security-Policy:
/// sandbox`, so a browser opening it runs no script and gives it no origin to act from.
#[tokio::test]
async fn scenario_answers_carry_a_sandbox_policy() {
    let app = spawn_app().await;
    add_scenario(
        &app,
        &json!({"name": "html", "rules": [
            {"name": "page", "when": {"route": "users.list"}, "then": {"respond": {"status": 200,
                "body": "<script>fetch('/__admin/orgs/default/export')</script>",
                "headers": {"content-type": "text/html"}}}},
            {"name": "fail", "when": {"route": "users.get"}, "then": {"respond": {"status": 503,
                "headers": {"content-type": "text/html"}}}},
            {"name": "throttle", "when": {"route": "groups.list"}, "then": {"throttle": {"retryAfter": 1}}},
            {"name": "broken", "when": {"route": "groups.get"}, "then": "malformedJson"},
        ]}),
    )
    .await;
    for (path, status) in [
        (format!("{SCIM}/Users"), 200),
        (format!("{SCIM}/Users/{MARIA}"), 503),
        (format!("{SCIM}/Groups"), 429),
        (format!("{SCIM}/Groups/{SALES_TEAM}"), 200),
    ] {
        let resp = app.get(&path).send().await.unwrap();
        assert_eq!(resp.status(), status, "{path}");
        assert_eq!(
            resp.headers()
                .get("content-security-policy")
                .map(|v| v.to_str().unwrap()),
            Some("sandbox"),
            "{path}"
        );
    }
    // The emulation's own answers are JSON and carry no policy.
    let resp = app.get(&format!("{SCIM}/Schemas")).send().await.unwrap();
    assert!(resp.headers().get("content-security-policy").is_none());
}

/// The same mistakes, from a `--scenario` file: the server does not start, and says why.
fn refused_at_start(s: &Value) -> String {
    let dir = std::env::temp_dir().join(format!(
        "gsm-scenario-{}-{}",
        std::process::id(),
        s["name"].as_str().unwrap_or("x")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("scenario.json");
    std::fs::write(&file, s.to_string()).unwrap();
    let config = with(test_config(), |c| {
        c.scenarios = vec![file];
    });
    let refused = genesys_scim_mock::AppState::new(config).map(|_| ());
    std::fs::remove_dir_all(&dir).ok();
    match refused {
        Ok(()) => panic!("{s} loaded from a file"),
        Err(e) => e.to_string(),
    }
}

/// A route name that names no route never fires: refused at load, with the nearest name.
#[tokio::test]
async fn unknown_route_names_are_refused_with_the_nearest_one() {
    let app = spawn_app().await;
    for (route, nearest) in [
        ("users.ptach", "users.patch"),
        ("Users.patch", "users.patch"),
        ("group.*", "groups.list"),
        ("admin", "oauth.token"),
    ] {
        let s = json!({"name": "typo", "rules": [{"name": "fail-patches",
            "when": {"route": route}, "then": {"respond": {"status": 500}}}]});
        for message in [post_scenario(&app, &s).await.1, refused_at_start(&s)] {
            assert!(
                message.contains("scenario \"typo\"")
                    && message.contains("rules[0] (\"fail-patches\")")
                    && message.contains("when.route")
                    && message.contains(&format!("{route:?}")),
                "{route}: {message}"
            );
            if route != "admin" && route != "group.*" {
                assert!(
                    message.contains(&format!("\"{nearest}\"")),
                    "{route}: {message}"
                );
            }
        }
    }
    // Patterns that match some route still load.
    for route in ["users.*", "*.get", "*", "platform.users.list", "unknown"] {
        let s = json!({"name": "ok", "rules": [{"name": "r", "when": {"route": route}}]});
        assert_eq!(post_scenario(&app, &s).await.0, 201, "{route}");
        let resp = app
            .client
            .delete(app.url("/__admin/scenarios/ok"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 204);
    }
}

/// A value of the wrong type names the scenario, the rule (index and name), the field and the
/// shape it takes, from the admin API and from `--scenario` alike.
#[tokio::test]
async fn type_errors_name_the_rule_the_field_and_the_expected_shape() {
    let app = spawn_app().await;
    for (rule, field, shape) in [
        (
            json!({"name": "twice", "trigger": {"firstN": 2}, "then": "reset"}),
            "trigger.firstN",
            "{\"n\": N}",
        ),
        (
            json!({"name": "twice", "trigger": "sometimes", "then": "reset"}),
            "trigger",
            "\"always\"",
        ),
        (
            json!({"name": "twice", "then": {"respond": {"status": "503"}}}),
            "then.respond",
            "\"status\"",
        ),
        (
            json!({"name": "twice", "when": {"header": {"x-a": 1}}}),
            "when.header",
            "strings",
        ),
        (
            json!({"name": "twice", "priority": "high"}),
            "priority",
            "whole number",
        ),
    ] {
        let s = json!({"name": "typed", "rules": [{"name": "first"}, rule]});
        let (status, message) = post_scenario(&app, &s).await;
        assert_eq!(status, 400, "{message}");
        for message in [message, refused_at_start(&s)] {
            assert!(
                message.contains("scenario \"typed\"")
                    && message.contains("rules[1] (\"twice\")")
                    && message.contains(&format!("{field}:"))
                    && message.contains(shape),
                "{field}: {message}"
            );
        }
    }
    // Outside the rules: the scenario's own fields.
    let (status, message) = post_scenario(&app, &json!({"name": "typed", "rules": {}})).await;
    assert_eq!(status, 400);
    assert!(
        message.contains("scenario \"typed\"")
            && message.contains("rules:")
            && message.contains("array"),
        "{message}"
    );
}
