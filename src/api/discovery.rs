//! Discovery: ServiceProviderConfig, ResourceTypes and Schemas, rendered from the same schema
//! table and limits the behaviour uses, so they cannot drift from it.

use http::{Response, StatusCode};
use serde_json::{Value, json};

use crate::api::Session;
use crate::edge::response::{Body, SCIM_JSON, json_response};
use crate::error::{ApiError, ApiResult};
use crate::pipeline::context::ApiRequest;
use crate::scim::schema::{self, Attribute, RESOURCE_SCHEMAS, Schema};

/// `GET /ServiceProviderConfig`. Genesys' actual values are undocumented; these describe what
/// this mock (and, as far as is known, Genesys) supports: PATCH and ETags yes; bulk, sort and
/// password change no; filters yes.
pub(crate) fn service_provider_config(session: &Session) -> ApiResult<Response<Body>> {
    let body = json!({
        "schemas": [schema::SERVICE_PROVIDER_CONFIG],
        "documentationUri": "https://developer.genesys.cloud/useragentmanagement/scim/",
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": crate::scim::list::MAX_COUNT},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": true},
        "authenticationSchemes": [{
            "name": "OAuth Bearer Token",
            "description": "Authentication with an OAuth client-credentials bearer token from POST /oauth/token.",
            "specUri": "https://www.rfc-editor.org/info/rfc6750",
            "type": "oauthbearertoken",
            "primary": true
        }],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{}/ServiceProviderConfig", session.scim_base),
        }
    });
    Ok(json_response(StatusCode::OK, SCIM_JSON, &body))
}

fn resource_type_json(session: &Session, id: &str) -> Option<Value> {
    let user_extensions: &[&str] = if session.compat.genesys_attributes {
        &[schema::ENTERPRISE_USER, schema::GENESYS_USER]
    } else {
        &[schema::ENTERPRISE_USER]
    };
    let (name, endpoint, schema, extensions): (&str, &str, &str, &[&str]) =
        match id.to_ascii_lowercase().as_str() {
            "user" => ("User", "/Users", schema::USER, user_extensions),
            "group" => ("Group", "/Groups", schema::GROUP, &[]),
            _ => return None,
        };
    Some(json!({
        "schemas": [schema::RESOURCE_TYPE],
        "id": name,
        "name": name,
        "description": name,
        "endpoint": endpoint,
        "schema": schema,
        "schemaExtensions": extensions.iter().map(|e| json!({"schema": e, "required": false})).collect::<Vec<_>>(),
        "meta": {"resourceType": "ResourceType", "location": format!("{}/ResourceTypes/{name}", session.scim_base)},
    }))
}

/// `GET /ResourceTypes`.
pub(crate) fn resource_types(session: &Session) -> ApiResult<Response<Body>> {
    let list: Vec<Value> = ["User", "Group"]
        .iter()
        .filter_map(|r| resource_type_json(session, r))
        .collect();
    Ok(json_response(StatusCode::OK, SCIM_JSON, &list_of(list)))
}

/// `GET /ResourceTypes/{id}`.
pub(crate) fn resource_type(session: &Session, id: &str) -> ApiResult<Response<Body>> {
    let body = resource_type_json(session, id)
        .ok_or_else(|| ApiError::not_found(format!("ResourceType {id} not found.")))?;
    Ok(json_response(StatusCode::OK, SCIM_JSON, &body))
}

fn list_of(items: Vec<Value>) -> Value {
    json!({
        "schemas": [schema::LIST_RESPONSE],
        "totalResults": items.len(),
        "startIndex": 1,
        "itemsPerPage": items.len(),
        "Resources": items,
    })
}

fn attribute_json(a: &Attribute) -> Value {
    let mut v = json!({
        "name": a.name,
        "type": a.kind.as_str(),
        "multiValued": a.multi_valued,
        "description": a.description,
        "required": a.required,
        "caseExact": a.case_exact,
        "mutability": a.mutability.as_str(),
        "returned": a.returned.as_str(),
        "uniqueness": a.uniqueness.as_str(),
    });
    if !a.canonical_values.is_empty() {
        v["canonicalValues"] = json!(a.canonical_values);
    }
    if !a.reference_types.is_empty() {
        v["referenceTypes"] = json!(a.reference_types);
    }
    if !a.sub_attributes.is_empty() {
        v["subAttributes"] = Value::Array(a.sub_attributes.iter().map(attribute_json).collect());
    }
    v
}

/// The schemas this request offers: all of them, less what Genesys adds to the RFC user when
/// `genesys-attributes` is off (the `schemas_follow_genesys_attributes` test).
fn offered(session: &Session) -> impl Iterator<Item = &'static Schema> + '_ {
    RESOURCE_SCHEMAS.iter().filter(|s| {
        session.compat.genesys_attributes || !s.id.eq_ignore_ascii_case(schema::GENESYS_USER)
    })
}

fn schema_json(session: &Session, s: &Schema) -> Value {
    let offered = |a: &&Attribute| {
        session.compat.genesys_attributes || !schema::is_genesys_addition(s.id, a.name)
    };
    // `genesys-defaults` changes how `active` is returned; the projection reads the same.
    let as_served = |a: &'static Attribute| match s.id {
        schema::USER => {
            schema::user_attribute(a.name, session.compat.genesys_defaults).unwrap_or(a)
        }
        _ => a,
    };
    json!({
        "schemas": [schema::SCHEMA],
        "id": s.id,
        "name": s.name,
        "description": s.description,
        "attributes": s.attributes.iter().filter(|a| a.name != "id" && a.name != "meta").filter(offered).map(|a| attribute_json(as_served(a))).collect::<Vec<_>>(),
        "meta": {"resourceType": "Schema", "location": format!("{}/Schemas/{}", session.scim_base, s.id)},
    })
}

/// `GET /Schemas`. A filter answers 403: Genesys documents "Filtered results are invalid and
/// return 403 Unauthorized".
pub(crate) fn schemas(session: &Session, req: &ApiRequest) -> ApiResult<Response<Body>> {
    if req.query_map().contains_key("filter") {
        return Err(ApiError::forbidden(
            "Filtered results are invalid for Schemas.",
        ));
    }
    let list: Vec<Value> = offered(session).map(|s| schema_json(session, s)).collect();
    Ok(json_response(StatusCode::OK, SCIM_JSON, &list_of(list)))
}

/// `GET /Schemas/{urn}`.
pub(crate) fn schema(session: &Session, id: &str) -> ApiResult<Response<Body>> {
    let s = offered(session)
        .find(|s| s.id.eq_ignore_ascii_case(id))
        .ok_or_else(|| ApiError::not_found(format!("Schema {id} not found.")))?;
    Ok(json_response(
        StatusCode::OK,
        SCIM_JSON,
        &schema_json(session, s),
    ))
}
