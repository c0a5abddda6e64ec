//! `POST /.search` at the root (RFC 7644 §3.4.3), served under `dot-search=serve`: a search
//! across resource types, answered as users then groups, each matched, ordered and projected
//! exactly as its own `GET` list would ([`page`]). Genesys
//! does not serve the path (`dot-search=404`, the default).

use http::{Response, StatusCode};
use serde_json::Value;

use crate::api::{Session, json_body};
use crate::edge::response::{Body, SCIM_JSON, json_response};
use crate::error::{ApiError, ApiResult};
use crate::genesys::listing;
use crate::pipeline::context::ApiRequest;
use crate::scim::filter::{self, Filter};
use crate::scim::list::{self, Page};
use crate::scim::projection::Projection;
use crate::scim::schema::ResourceKind;

/// The `schemas` value a search body carries (RFC 7644 §3.4.3).
pub(crate) const SEARCH_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

/// `POST /.search`. The body's `filter`, `attributes`, `excludedAttributes`, `startIndex`
/// and `count` mean what their query parameters mean on a list; `sortBy` and `sortOrder` are
/// ignored, as `ServiceProviderConfig` says sorting is not supported. A filter that a
/// resource type's schema does not allow (an unknown attribute under `--profile genesys`)
/// leaves that type out rather than failing the search; one that no type allows is that
/// error (`invalidFilter`).
pub(crate) fn root(session: &Session, req: &ApiRequest) -> ApiResult<Response<Body>> {
    let body = json_body(req)?
        .as_object()
        .ok_or_else(|| ApiError::invalid_syntax("The search request must be a JSON object."))?;
    let named = body
        .get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|v| v.as_str() == Some(SEARCH_REQUEST)));
    if !named {
        return Err(ApiError::invalid_syntax(format!(
            "A search request must list {SEARCH_REQUEST:?} in \"schemas\" (RFC 7644 §3.4.3)."
        )));
    }
    let text = |key: &str| -> ApiResult<Option<String>> {
        match body.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(other) => Err(ApiError::invalid_value(format!(
                "{key} must be a string or a number, got {other}"
            ))),
        }
    };
    let names = |key: &str| -> ApiResult<Vec<String>> {
        match body.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(vec![s.clone()]),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str().map(str::to_owned).ok_or_else(|| {
                        ApiError::invalid_value(format!("{key} must list strings, got {v}"))
                    })
                })
                .collect(),
            Some(other) => Err(ApiError::invalid_value(format!(
                "{key} must be an array of attribute names, got {other}"
            ))),
        }
    };
    let page = Page::parse(text("startIndex")?.as_deref(), text("count")?.as_deref())?;
    let proj = Projection {
        optional_active: !session.compat.genesys_defaults,
        ..Projection::from_params(&names("attributes")?, &names("excludedAttributes")?)
    };
    let filter = match text("filter")?.filter(|f| !f.trim().is_empty()) {
        None => None,
        Some(t) => Some(filter::parse(&t).map_err(|e| {
            ApiError::invalid_filter(format!("Invalid filter {:?}: {e}", filter::excerpt(&t)))
        })?),
    };
    // Users first, then groups: the page window runs over both in that order.
    let (mut total, mut resources, mut refused, mut searched) = (0, Vec::new(), None, false);
    for kind in [ResourceKind::User, ResourceKind::Group] {
        if let Some(f) = &filter
            && let Err(e) = filter::check_profile(f, kind, session.compat.profile)
        {
            refused.get_or_insert(e);
            continue;
        }
        searched = true;
        let window = Page {
            start_index: page.start_index.saturating_sub(total).max(1),
            count: page.count - resources.len(),
        };
        let (n, found) = self::page(session, kind, filter.as_ref(), &proj, window);
        total += n;
        resources.extend(found);
    }
    // A filter no resource type allows is the error it would be on a list.
    if let (false, Some(e)) = (searched, refused) {
        return Err(e);
    }
    let out = list::response(total, page, resources);
    Ok(json_response(StatusCode::OK, SCIM_JSON, &out))
}

/// One page of the resources of `kind` a list with this filter shows, projected, and how many
/// it shows in all ([`listing::page`]): `GET /Groups`, and each resource type's part of
/// `POST /.search`, which answers exactly what the type's own list would. (`GET /Users` renders
/// its page straight to bytes when nothing is projected.)
pub(crate) fn page(
    session: &Session,
    kind: ResourceKind,
    filter: Option<&Filter>,
    proj: &Projection,
    page: Page,
) -> (usize, Vec<Value>) {
    let org = session.org.read();
    let view = session.view(&org);
    listing::page(
        &view,
        kind,
        filter,
        proj,
        page,
        &session.compat,
        session.now,
    )
}
