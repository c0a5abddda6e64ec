//! `POST /api/v2/users/search`: the platform user search, for the queries Genesys' own clients
//! send.
//!
//! Genesys' Terraform provider finds a deleted user with an EXACT query on `email` and an EXACT
//! query on `state` with `values: ["deleted"]` (`getDeletedUserId` in
//! `genesyscloud/user/resource_genesyscloud_user_utils.go`), and polls the same query after a
//! delete until the search index shows it. The request and answer have the shape of the SDKs'
//! `UserSearchRequest` and `UsersSearchResponse`. Served: criteria of type `EXACT`, `CONTAINS`
//! or `STARTS_WITH` on `id`, `email`, `username`, `name`, `state`, `title`, `department` and
//! `division.id`, each with `value` or `values` (any of them), all of them together (`AND`);
//! `pageSize`, `pageNumber` and `expand`. Anything else (other types, fields or operators,
//! nested `group`s) is refused with 400 naming what is served, never ignored. `sortBy`,
//! `sortOrder` and `sort` are accepted and results keep creation order.
//!
//! Without a criterion on `state`, deleted users are left out, as a read of the user by id
//! leaves them out without `state=deleted`. Searches lag like lists under `read-lag`.

use http::{Method, Response, StatusCode};
use serde_json::{Map, Value, json};

use crate::api::platform_user::{States, expanded, listed};
use crate::api::{Session, json_body, permission};
use crate::edge::response::{Body, JSON, json_response};
use crate::error::{ApiError, ApiResult};
use crate::genesys::user::{User, UserState};
use crate::pipeline::context::ApiRequest;

/// The largest `pageSize` (the mock's bound).
pub(crate) const MAX_PAGE_SIZE: u64 = 100;

/// The fields a criterion may name.
const FIELDS: &[&str] = &[
    "id",
    "email",
    "username",
    "name",
    "state",
    "title",
    "department",
    "division.id",
];

/// How a criterion compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Exact,
    Contains,
    StartsWith,
}

/// One element of `query`: the user matches when one of its fields matches one of its values.
#[derive(Debug)]
struct Criterion {
    kind: Kind,
    fields: Vec<&'static str>,
    /// Lower-cased.
    values: Vec<String>,
}

impl Criterion {
    fn parse(c: &Value, at: usize) -> ApiResult<Self> {
        let bad = |why: String| ApiError::bad_request(format!("query[{at}]: {why}"));
        let c = c
            .as_object()
            .ok_or_else(|| bad("each criterion is an object".into()))?;
        for key in ["group", "startValue", "endValue"] {
            if c.contains_key(key) {
                return Err(bad(format!(
                    "{key} is not served by the mock; criteria are EXACT, CONTAINS or \
                     STARTS_WITH with value or values"
                )));
            }
        }
        match c.get("operator").and_then(Value::as_str) {
            None => {}
            Some(op) if op.eq_ignore_ascii_case("and") => {}
            Some(op) => {
                return Err(bad(format!(
                    "operator {op:?} is not served by the mock; criteria all apply (AND)"
                )));
            }
        }
        let kind = match c.get("type").and_then(Value::as_str) {
            Some(t) if t.eq_ignore_ascii_case("exact") => Kind::Exact,
            Some(t) if t.eq_ignore_ascii_case("contains") => Kind::Contains,
            Some(t) if t.eq_ignore_ascii_case("starts_with") => Kind::StartsWith,
            other => {
                return Err(bad(format!(
                    "type {other:?} is not served by the mock; use EXACT, CONTAINS or STARTS_WITH"
                )));
            }
        };
        let fields = c
            .get("fields")
            .and_then(Value::as_array)
            .filter(|f| !f.is_empty())
            .ok_or_else(|| {
                bad(format!(
                    "fields is required, one or more of {}",
                    FIELDS.join(", ")
                ))
            })?
            .iter()
            .map(|f| {
                let name = f.as_str().unwrap_or_default();
                FIELDS
                    .iter()
                    .find(|known| known.eq_ignore_ascii_case(name))
                    .copied()
                    .ok_or_else(|| {
                        bad(format!(
                            "field {f} is not served by the mock; fields are {}",
                            FIELDS.join(", ")
                        ))
                    })
            })
            .collect::<ApiResult<Vec<_>>>()?;
        let mut values: Vec<String> = Vec::new();
        if let Some(v) = c.get("value").filter(|v| !v.is_null()) {
            values.push(
                v.as_str()
                    .ok_or_else(|| bad(format!("value must be a string, got {v}")))?
                    .to_lowercase(),
            );
        }
        if let Some(vs) = c.get("values").filter(|v| !v.is_null()) {
            let list = vs
                .as_array()
                .ok_or_else(|| bad(format!("values must be a list of strings, got {vs}")))?;
            for v in list {
                values.push(
                    v.as_str()
                        .ok_or_else(|| bad(format!("values must be strings, got {v}")))?
                        .to_lowercase(),
                );
            }
        }
        if values.is_empty() {
            return Err(bad("a value or values is required".into()));
        }
        if fields.contains(&"state") {
            for v in &values {
                States::named(v, &["active", "inactive", "deleted"], States::LIVE)?;
            }
        }
        Ok(Self {
            kind,
            fields,
            values,
        })
    }

    fn matches(&self, u: &User) -> bool {
        self.fields.iter().any(|f| {
            let text: Option<&str> = match *f {
                "id" => Some(&u.id),
                "email" | "username" => Some(&u.email),
                "name" => Some(&u.name),
                "state" => Some(u.state.as_str()),
                "title" => u.title.as_deref(),
                "department" => u.department.as_deref(),
                _ => Some(&u.division_id),
            };
            let Some(text) = text.map(str::to_lowercase) else {
                return false;
            };
            self.values.iter().any(|v| match self.kind {
                Kind::Exact => text == *v,
                Kind::Contains => text.contains(v.as_str()),
                Kind::StartsWith => text.starts_with(v.as_str()),
            })
        })
    }
}

/// A positive integer field of the body, or its default.
fn page_field(body: &Map<String, Value>, key: &str, default: u64, max: u64) -> ApiResult<u64> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v.as_u64().filter(|n| (1..=max).contains(n)).ok_or_else(|| {
            ApiError::bad_request(format!("{key} must be an integer from 1 to {max}, got {v}"))
        }),
    }
}

/// `POST /api/v2/users/search`.
pub(crate) fn search(session: &Session, req: &ApiRequest) -> ApiResult<Response<Body>> {
    if req.method != Method::POST {
        return Err(ApiError::method_not_allowed(
            "POST",
            format!("{} is not allowed on /api/v2/users/search.", req.method),
        ));
    }
    let body = json_body(req)?
        .as_object()
        .ok_or_else(|| ApiError::bad_request("The search request must be a JSON object."))?;
    let size = page_field(body, "pageSize", 25, MAX_PAGE_SIZE)?;
    let number = page_field(body, "pageNumber", 1, u64::from(u32::MAX))?;
    let expand: Vec<String> = match body.get("expand") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "expand must be a list of strings, got {other}"
            )));
        }
    };
    let criteria = match body.get("query") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, c)| Criterion::parse(c, i))
            .collect::<ApiResult<Vec<_>>>()?,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "query must be a list of criteria, got {other}"
            )));
        }
    };
    let names_state = criteria.iter().any(|c| c.fields.contains(&"state"));
    let org = session.org.read();
    let lag = session.unseen(&org);
    let matched: Vec<&User> = listed(&org, &lag)
        .filter(|u| names_state || u.state != UserState::Deleted)
        .filter(|u| criteria.iter().all(|c| c.matches(u)))
        .filter(|u| !permission::hides(session, u))
        .collect();
    let total = matched.len() as u64;
    let skip = usize::try_from((number - 1).saturating_mul(size)).unwrap_or(usize::MAX);
    let results: Vec<Value> = matched
        .into_iter()
        .skip(skip)
        .take(usize::try_from(size).unwrap_or(usize::MAX))
        .map(|u| expanded(u, &org, &expand))
        .collect();
    Ok(json_response(
        StatusCode::OK,
        JSON,
        &json!({
            "total": total,
            "pageCount": total.div_ceil(size),
            "pageSize": size,
            "pageNumber": number,
            "types": ["users"],
            "results": results,
        }),
    ))
}
