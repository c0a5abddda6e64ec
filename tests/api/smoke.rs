use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn token_then_list_then_create_round_trip() {
    let app = spawn_app().await;
    let (s, list) = status_json(app.get(&format!("{SCIM}/Users")).send().await.unwrap()).await;
    assert_eq!(s, 200);
    assert_eq!(
        list["totalResults"], 4,
        "4 active users in the default org: {list}"
    );
    let created = app
        .create_user(&json!({"userName": "smoke@example.com", "displayName": "Smoke"}))
        .await;
    let id = created["id"].as_str().unwrap();
    let (s, got) = status_json(app.get(&format!("{SCIM}/Users/{id}")).send().await.unwrap()).await;
    assert_eq!(s, 200);
    assert_eq!(got["userName"], "smoke@example.com");
}
