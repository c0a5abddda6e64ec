//! ServiceProviderConfig, ResourceTypes and Schemas.

use crate::helpers::*;

#[tokio::test]
async fn service_provider_config_describes_the_surface() {
    let app = spawn_app().await;
    let (s, b) = status_json(
        app.get(&format!("{SCIM}/ServiceProviderConfig"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(b["patch"]["supported"], true);
    assert_eq!(b["bulk"]["supported"], false);
    assert_eq!(b["sort"]["supported"], false);
    assert_eq!(b["etag"]["supported"], true);
    assert_eq!(b["authenticationSchemes"][0]["type"], "oauthbearertoken");
    let (s, _) = status_json(
        app.get("/api/v2/scim/serviceproviderconfig")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn resource_types_list_and_by_id() {
    let app = spawn_app().await;
    let (_, b) = status_json(
        app.get(&format!("{SCIM}/ResourceTypes"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(b["totalResults"], 2);
    let (s, b) = status_json(
        app.get(&format!("{SCIM}/ResourceTypes/User"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    let ext: Vec<&str> = b["schemaExtensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["schema"].as_str().unwrap())
        .collect();
    assert!(ext.contains(&"urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User"));
    let (s, b) = status_json(
        app.get(&format!("{SCIM}/ResourceTypes/Widget"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_scim_error(s, &b, 404, None);
}

#[tokio::test]
async fn schemas_carry_mutability_and_returned_flags() {
    let app = spawn_app().await;
    let (_, b) = status_json(app.get(&format!("{SCIM}/Schemas")).send().await.unwrap()).await;
    assert_eq!(b["totalResults"], 4);
    let (s, b) = status_json(
        app.get(&format!(
            "{SCIM}/Schemas/urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User"
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    let names: Vec<&str> = b["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["routingSkills", "routingLanguages", "externalIds"]
    );
    let (_, core) = status_json(
        app.get(&format!(
            "{SCIM}/Schemas/urn:ietf:params:scim:schemas:core:2.0:User"
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    let attr = |n: &str| {
        core["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == n)
            .cloned()
            .unwrap()
    };
    assert_eq!(attr("password")["returned"], "never");
    assert_eq!(attr("groups")["mutability"], "readOnly");
    assert_eq!(attr("userName")["uniqueness"], "server");
    // Unsupported attributes are not advertised.
    assert!(
        core["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["name"] != "name")
    );
}

#[tokio::test]
async fn filtered_schemas_are_403_as_documented() {
    let app = spawn_app().await;
    let resp = app
        .get(&format!("{SCIM}/Schemas?filter=id+eq+x"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
}
