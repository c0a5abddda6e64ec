//! Hostile requests against the real server: each gets a clean 4xx or a bounded cost, and the
//! server keeps answering afterwards.

use genesys_scim_mock::compat::Profile;
use serde_json::{Value, json};

use crate::helpers::*;

const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// The reported crash: a value-path filter of 20,000 `or` terms (about 200 KB).
fn long_chain_path(attr: &str, term: &str, joiner: &str) -> String {
    format!("{attr}[{}].value", vec![term; 20_000].join(joiner))
}

async fn still_serving(app: &TestApp) {
    let resp = app.get(&format!("{SCIM}/Users/{MARIA}")).send().await;
    assert_eq!(resp.expect("server still up").status(), 200);
}

#[tokio::test]
async fn flat_chains_in_patch_paths_are_invalid_filter_in_both_profiles() {
    for profile in [Profile::Genesys, Profile::Rfc] {
        let mut config = test_config();
        config.compat.profile = profile;
        let app = spawn_with(config).await;
        for (resource, id, attr, term) in [
            ("Users", MARIA, "emails", "type pr"),
            ("Groups", SALES_TEAM, "members", "value pr"),
        ] {
            for joiner in [" or ", " and "] {
                let body = json!({"schemas": [PATCH_OP], "Operations": [{
                    "op": "replace",
                    "path": long_chain_path(attr, term, joiner),
                    "value": "x@y.com"
                }]});
                let resp = app
                    .patch_json(&format!("{SCIM}/{resource}/{id}"), &body)
                    .send()
                    .await
                    .expect("an answer, not a dropped connection");
                let (status, body) = status_json(resp).await;
                assert_scim_error(status, &body, 400, Some("invalidFilter"));
                let detail = body["detail"].as_str().unwrap();
                assert!(detail.contains("more than 256"), "{detail}");
                assert!(detail.len() < 1_000, "the detail echoes the whole path");
            }
        }
        still_serving(&app).await;
    }
}

#[tokio::test]
async fn flat_chains_and_deep_nesting_in_list_filters_are_invalid_filter() {
    let mut config = test_config();
    config.compat.profile = Profile::Rfc;
    let app = spawn_with(config).await;
    let chain = vec!["userName eq x"; 2_000].join(" or ");
    let deep = format!("{}userName pr{}", "(".repeat(5_000), ")".repeat(5_000));
    for filter in [chain, deep] {
        let resp = app
            .get(&format!("{SCIM}/Users"))
            .query(&[("filter", filter.as_str())])
            .send()
            .await
            .expect("an answer");
        let (status, body): (u16, Value) = status_json(resp).await;
        assert_scim_error(status, &body, 400, Some("invalidFilter"));
    }
    still_serving(&app).await;
}
