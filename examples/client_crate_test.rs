//! What a client crate's integration test looks like with `MockServer`: a small SCIM
//! provisioning client (the code under test), and tests that point it at a mock.
//!
//! In your crate: `genesys-scim-mock = { git = "…", default-features = false }` under
//! `[dev-dependencies]`, then tests like the ones below. Here `cargo test --example
//! client_crate_test` runs them (`cargo test` does too).

use serde_json::{Value, json};

/// The code under test: provisions a user into Genesys over SCIM.
struct Provisioner {
    scim_url: String,
    token: String,
    http: reqwest::Client,
}

impl Provisioner {
    async fn connect(base_url: &str, client_id: &str, secret: &str) -> Result<Self, String> {
        let http = reqwest::Client::new();
        let token: Value = http
            .post(format!("{base_url}/oauth/token"))
            .basic_auth(client_id, Some(secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        Ok(Self {
            scim_url: format!("{base_url}/api/v2/scim/v2"),
            token: token["access_token"].as_str().ok_or("no token")?.to_owned(),
            http,
        })
    }

    /// Creates the user, or finds the existing one on a 409.
    async fn ensure_user(&self, user_name: &str) -> Result<String, String> {
        let created = self
            .http
            .post(format!("{}/Users", self.scim_url))
            .bearer_auth(&self.token)
            .json(&json!({"userName": user_name, "displayName": user_name}))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if created.status() == 409 {
            let found: Value = self
                .http
                .get(format!("{}/Users", self.scim_url))
                .query(&[("filter", format!("userName eq \"{user_name}\""))])
                .bearer_auth(&self.token)
                .send()
                .await
                .map_err(|e| e.to_string())?
                .json()
                .await
                .map_err(|e| e.to_string())?;
            return found["Resources"][0]["id"]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| "409 but not found".to_owned());
        }
        let body: Value = created.json().await.map_err(|e| e.to_string())?;
        body["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| "no id".to_owned())
    }
}

/// `cargo run --example client_crate_test`: the same client against a mock, once, by hand.
#[tokio::main]
async fn main() -> Result<(), String> {
    let mock = genesys_scim_mock::MockServer::start();
    let c = mock.credentials();
    let p = Provisioner::connect(&mock.base_url(), &c.client_id, &c.client_secret).await?;
    let id = p.ensure_user("ada@example.com").await?;
    println!("provisioned ada@example.com as {id} on {}", mock.base_url());
    println!("the tests: cargo test --example client_crate_test");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Provisioner;
    use genesys_scim_mock::MockServer;
    use serde_json::json;

    #[tokio::test]
    async fn ensure_user_is_idempotent() {
        let mock = MockServer::builder().seed(1).start().unwrap();
        let c = mock.credentials();
        let p = Provisioner::connect(&mock.base_url(), &c.client_id, &c.client_secret)
            .await
            .unwrap();
        let first = p.ensure_user("ada@example.com").await.unwrap();
        let again = p.ensure_user("ada@example.com").await.unwrap();
        assert_eq!(first, again);
        assert_eq!(mock.journal_count(&json!({"route": "users.create"})), 2);
        assert_eq!(mock.journal_count(&json!({"route": "users.list"})), 1);
    }

    #[tokio::test]
    async fn a_throttled_create_is_an_error_not_a_panic() {
        let mock = MockServer::start();
        mock.load_scenario(&json!({
            "name": "throttle",
            "rules": [{"name": "429", "when": {"method": "POST", "path": "/api/v2/scim/**"},
                       "then": {"respond": {"status": 429}}}]
        }));
        let c = mock.credentials();
        let p = Provisioner::connect(&mock.base_url(), &c.client_id, &c.client_secret)
            .await
            .unwrap();
        assert!(p.ensure_user("grace@example.com").await.is_err());
    }
}
