//! `GET /api/v2/organizations/me`: the caller's org, which nearly every Genesys client reads
//! first. Genesys' Terraform provider dereferences its `defaultCountryCode` at start
//! (`genesyscloud/provider/provider.go`), so it is always there.

use http::{Response, StatusCode};
use serde_json::json;

use crate::api::Session;
use crate::edge::response::{Body, JSON, json_response};
use crate::error::ApiResult;

/// The `Organization` of the token's org: the fields the SDKs model that the mock can answer
/// truthfully. `thirdPartyOrgName` (the short name used at login) and `domain` are the org's id.
pub(crate) fn me(session: &Session) -> ApiResult<Response<Body>> {
    let org = session.org.read();
    Ok(json_response(
        StatusCode::OK,
        JSON,
        &json!({
            "id": org.id,
            "name": org.name,
            "defaultLanguage": "en-us",
            "defaultCountryCode": org.default_country_code,
            "thirdPartyOrgName": org.id,
            "domain": org.id,
            "version": 1,
            "state": "active",
            "voicemailEnabled": true,
            "productPlatform": "PureCloud",
            "selfUri": format!("/api/v2/organizations/{}", org.id),
        }),
    ))
}
