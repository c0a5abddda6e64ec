//! `POST /oauth/token`: the OAuth client-credentials grant.
//!
//! Credentials come in HTTP Basic (what the Genesys SDKs send) or as `client_id` and
//! `client_secret` in the form body. Errors use the OAuth shape (`error`, `description`), as
//! Genesys' login service does, not the platform `ErrorBody`.

use http::{Method, Response, StatusCode};
use serde_json::json;

use crate::compat::layer::CompatLayer;
use crate::edge::response::{Body, JSON, json_response};
use crate::error::{ApiError, ApiResult};
use crate::pipeline::context::{ApiRequest, Presented};
use crate::state::AppState;

/// Issues a bearer token bound to the client's org, valid for the client's TTL on the clock.
pub(crate) fn token(
    state: &AppState,
    req: &ApiRequest,
    overrides: Option<&CompatLayer>,
) -> ApiResult<Response<Body>> {
    if req.method != Method::POST {
        return Err(ApiError::method_not_allowed(
            "POST",
            "Use POST to request a token.",
        ));
    }
    let form: Vec<(String, String)> = form_urlencoded::parse(&req.body).into_owned().collect();
    let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let (mut id, mut secret) = (field("client_id"), field("client_secret"));
    // The header was parsed once, with the request (`request::Presented`).
    match &req.caller.credentials {
        Presented::None => {}
        Presented::Basic { id: i, secret: s } => {
            id = Some(i.clone());
            secret = Some(s.clone());
        }
        Presented::BadBasic => {
            return Err(ApiError::oauth(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "Basic credentials are not valid base64 of client_id:client_secret.",
            ));
        }
        Presented::Bearer(_) | Presented::Other => {
            return Err(ApiError::oauth(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "Authorization must use the Basic scheme.",
            ));
        }
    }
    match field("grant_type").as_deref() {
        Some("client_credentials") => {}
        None => {
            return Err(ApiError::oauth(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is required (client_credentials).",
            ));
        }
        Some(other) => {
            // Shown only up to a `;`: `grant_type=client_credentials;client_secret=...` is
            // one field to a form parser, and the answer (journaled) must not repeat it.
            let (head, cut) = match other.split_once(';') {
                Some((head, _)) => (head, true),
                None => (other, false),
            };
            let mut shown: String = head.chars().take(64).collect();
            let detail = if cut {
                shown.push_str(";…");
                format!(
                    "grant_type {shown:?} is not supported by this mock: form fields are separated by '&', not ';'."
                )
            } else {
                format!(
                    "grant_type {shown:?} is not supported by this mock; use client_credentials."
                )
            };
            return Err(ApiError::oauth(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                detail,
            ));
        }
    }
    let (Some(id), Some(secret)) = (id, secret) else {
        return Err(ApiError::oauth(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client credentials are required (HTTP Basic or client_id and client_secret).",
        ));
    };
    // Unknown client or wrong secret, worded as `auth-errors` says (under the client's org's
    // switches when the client is known).
    let Some(client) = state.store.client(&id) else {
        let style = super::refusal_style(state, None, overrides);
        return Err(super::credentials::unknown_client(style));
    };
    if !crate::base::secret::matches(&secret, client.secret.expose()) {
        let org = state.store.org(&client.org_id);
        let style = super::refusal_style(state, org.as_ref(), overrides);
        return Err(super::credentials::wrong_secret(style));
    }
    token_rate(state, &client)?;
    let ttl = client.token_ttl_secs;
    let Ok(value) = state
        .store
        .issue_token(&client, &state.rng, state.clock.now_millis())
    else {
        return Err(ApiError::oauth(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            format!(
                "The token table holds {} unexpired tokens; try again when some expire, \
                 or reset the mock.",
                crate::store::tokens::MAX_TOKENS
            ),
        ));
    };
    Ok(json_response(
        StatusCode::OK,
        JSON,
        &json!({"access_token": value, "token_type": "bearer", "expires_in": ttl}),
    ))
}

/// The window name of the token-issuance limit, as Genesys' Limits page names it.
pub(crate) const TOKEN_RATE: &str = "token.rate.per.minute";

/// Counts one token issued to `client` in its `token.rate.per.minute` window (its own
/// `tokenRateLimitPerMinute`, else `--token-rate-limit`, default 300; none under `--rate-limit
/// off`). Past the limit the answer is what Genesys' login service sends and Genesys' Terraform
/// provider retries on (`provider.go`, PR #1004): HTTP 400 `invalid_request` whose description
/// starts "rate limit exceeded;", which the Go SDK reports as `Auth Error: 400 - invalid_request
/// (rate limit exceeded; ...)`. Only requests that authenticate count: the limit is the
/// client's, and an unknown client has none. `Retry-After` is the mock's addition (Genesys'
/// header is not documented), so a client can wait exactly.
fn token_rate(state: &AppState, client: &crate::store::OAuthClient) -> ApiResult<()> {
    if state.config.rate_limit_per_minute.is_none() {
        return Ok(());
    }
    let Some(limit) = client
        .token_rate_limit_per_minute
        .or(state.config.token_rate_limit_per_minute)
    else {
        return Ok(());
    };
    let key = format!("{TOKEN_RATE}|client:{}", client.id);
    match state.limiter.check(&key, limit, state.clock.now_millis()) {
        Ok(_) => Ok(()),
        Err(refusal) => {
            let secs = refusal.retry_after_secs;
            let mut e = ApiError::oauth(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!(
                    "rate limit exceeded; client {} may request {limit} tokens per minute \
                     ({TOKEN_RATE}); retry in {secs} seconds",
                    client.id
                ),
            );
            e.retry_after = Some(u32::try_from(secs).unwrap_or(u32::MAX));
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use http::Request;
    use http_body_util::BodyExt;

    use crate::config::Config;
    use crate::state::AppState;
    use crate::store::Token;
    use crate::store::tokens::{MAX_TOKENS, MAX_TOKENS_PER_CLIENT};

    const FORM: &str =
        "grant_type=client_credentials&client_id=mock-client-id&client_secret=mock-client-secret";

    async fn send(state: &AppState, req: Request<Bytes>) -> (u16, serde_json::Value) {
        let resp = crate::pipeline::dispatch::handle(state, req).await;
        let status = resp.status().as_u16();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap_or_default())
    }

    async fn issue(state: &AppState) -> (u16, serde_json::Value) {
        let req = Request::post("/oauth/token")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Bytes::from_static(FORM.as_bytes()))
            .unwrap();
        send(state, req).await
    }

    async fn read_with(state: &AppState, token: &str) -> u16 {
        let req = Request::get("/api/v2/scim/v2/Users/a1b2c3d4-0001-4000-8000-000000000001")
            .header("authorization", format!("Bearer {token}"))
            .body(Bytes::new())
            .unwrap();
        send(state, req).await.0
    }

    #[tokio::test]
    async fn a_flood_of_tokens_never_logs_out_another_client() {
        let state = AppState::new(Config {
            seed: Some(42),
            rate_limit_per_minute: None,
            token_rate_limit_per_minute: None,
            ..Config::default()
        })
        .unwrap();
        let (status, first) = issue(&state).await;
        assert_eq!(status, 200);
        let first = first["access_token"].as_str().unwrap().to_owned();
        // Other clients fill the table to its total bound, each to its own bound.
        let now = state.clock.now_millis();
        let fillers = MAX_TOKENS / MAX_TOKENS_PER_CLIENT;
        for n in 0..fillers {
            for i in 0..MAX_TOKENS_PER_CLIENT {
                let token = Token {
                    org_id: format!("flood-org-{n}"),
                    client_id: format!("flood-client-{n}"),
                    expires_at_ms: now + 3_600_000,
                };
                let _ = state
                    .store
                    .insert_token(format!("flood-{n}-{i}"), token, now);
            }
        }
        // The table is full of live tokens: a new one is refused, not made by evicting.
        let (status, body) = issue(&state).await;
        assert_eq!(status, 503, "{body}");
        assert_eq!(body["error"], "temporarily_unavailable");
        assert_eq!(
            read_with(&state, &first).await,
            200,
            "the first token still works"
        );
        // Once the flood expires, issuance resumes and the first token still works.
        state.clock.advance(chrono::Duration::seconds(3_601));
        assert_eq!(issue(&state).await.0, 200);
        assert_eq!(read_with(&state, &first).await, 200);
        assert!(state.store.token_count() <= MAX_TOKENS);
    }
}
