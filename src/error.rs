//! The one error type every client-visible failure goes through, and its renderer.
//!
//! Genesys answers in two shapes. SCIM routes use the RFC 7644 §3.12 error (`schemas`, `status`
//! as a *string*, `scimType`, `detail`); everything else (OAuth-protected platform routes, 401,
//! 429) uses the platform `ErrorBody` (`message`, `code`, `status` as a number, `contextId`,
//! `details`, `errors`). The token endpoint's own refusals use the OAuth shape (RFC 6749 §5.2:
//! `error`, `error_description`; [`ApiError::oauth`]). An [`ApiError`] carries enough to render
//! each, and [`ApiError::body`] is the only place any of these bodies is built, so the shapes
//! stay consistent everywhere: [`ApiError::render`] wraps it in a response, and the listener
//! writes [`ApiError::at_capacity`]'s as raw bytes to a connection it refuses.

use std::borrow::Cow;

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use serde_json::{Value, json};

use crate::edge::response::{Body, full};

/// The schema URN of a SCIM error body (RFC 7644 §3.12).
pub(crate) const SCIM_ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// Which error shape a route answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Surface {
    /// RFC 7644 error bodies (`/api/v2/scim/...`).
    Scim,
    /// Genesys platform `ErrorBody` (`/api/v2/...` outside SCIM, and `/oauth`).
    Platform,
}

/// A client-visible error: a status, the SCIM `scimType` (if any), the Genesys error `code`, a
/// human `detail`, and the few headers some errors need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// RFC 7644 `scimType`, for the SCIM shape.
    pub scim_type: Option<&'static str>,
    /// Genesys `ErrorBody.code`, for the platform shape.
    pub code: &'static str,
    /// What went wrong, in words a client developer can act on.
    pub detail: String,
    /// `Retry-After` in whole seconds (429). A `u32` (136 years) keeps the error small: every
    /// handler returns it.
    pub retry_after: Option<u32>,
    /// `Allow` header value (405).
    pub allow: Option<Cow<'static, str>>,
    /// Force the platform shape even on SCIM routes. Genesys answers 401 and 429 in `ErrorBody`
    /// form everywhere (developer forum, "Normalized Platform API 429 responses").
    pub platform_only: bool,
    /// The request attribute at fault, when the code that failed knows it (the mapping table
    /// sets its row's attribute). Not rendered; fixture errors report it as their field, so
    /// nobody has to recover it from `detail`.
    pub attribute: Option<&'static str>,
    /// A token endpoint error (RFC 6749 §5.2): rendered as `{error, error_description}` with
    /// `code` as the OAuth `error`, whatever the surface (see [`ApiError::oauth`]).
    pub oauth: bool,
    /// For a 403 `missing.any.permissions`: the permissions of which any one would have let
    /// the request through (the pipeline hands them to the journal where it renders the
    /// error). A thin reference to a table's list (the route table's, an attribute's), so the
    /// error every handler returns stays small.
    pub permissions: Option<&'static &'static [&'static str]>,
}

impl ApiError {
    fn new(status: StatusCode, scim_type: Option<&'static str>, code: &'static str) -> Self {
        Self {
            status,
            scim_type,
            code,
            detail: String::new(),
            retry_after: None,
            allow: None,
            platform_only: false,
            attribute: None,
            oauth: false,
            permissions: None,
        }
    }

    /// A token endpoint error: `error` is the RFC 6749 §5.2 code (`invalid_client`, ...). The
    /// body carries the description twice, as `description` (Genesys' login service) and
    /// `error_description` (the RFC); a 401 adds `WWW-Authenticate: Basic`.
    pub(crate) fn oauth(
        status: StatusCode,
        error: &'static str,
        description: impl Into<String>,
    ) -> Self {
        Self {
            oauth: true,
            ..Self::new(status, None, error).with(description)
        }
    }

    /// Names the attribute at fault, unless a more precise one is already named.
    pub(crate) fn at(mut self, attribute: &'static str) -> Self {
        self.attribute.get_or_insert(attribute);
        self
    }

    pub(crate) fn with(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    /// 400 `invalidFilter`.
    pub(crate) fn invalid_filter(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            Some("invalidFilter"),
            "invalid.query.param.value",
        )
        .with(detail)
    }

    /// 400 `invalidPath`.
    pub(crate) fn invalid_path(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some("invalidPath"), "bad.request").with(detail)
    }

    /// 400 `invalidValue`.
    pub(crate) fn invalid_value(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            Some("invalidValue"),
            "invalid.value",
        )
        .with(detail)
    }

    /// 400 `invalidSyntax`.
    pub(crate) fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            Some("invalidSyntax"),
            "bad.request",
        )
        .with(detail)
    }

    /// 400 `mutability`.
    pub(crate) fn mutability(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some("mutability"), "bad.request").with(detail)
    }

    /// 400 `noTarget`.
    pub(crate) fn no_target(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some("noTarget"), "bad.request").with(detail)
    }

    /// 400 with no `scimType` (the platform's generic `bad.request`).
    pub(crate) fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, None, "bad.request").with(detail)
    }

    /// 409 `uniqueness`.
    pub(crate) fn uniqueness(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, Some("uniqueness"), "conflict").with(detail)
    }

    /// 409 without a `scimType` (platform conflicts such as a claimed external id).
    pub(crate) fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, None, "conflict").with(detail)
    }

    /// `invalidVers` with the status chosen by `Compat::version_mismatch_status`.
    pub(crate) fn invalid_vers(status: StatusCode, detail: impl Into<String>) -> Self {
        Self::new(status, Some("invalidVers"), "version.mismatch").with(detail)
    }

    /// 404.
    pub(crate) fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, None, "not.found").with(detail)
    }

    /// 405 with an `Allow` header.
    pub(crate) fn method_not_allowed(
        allow: impl Into<Cow<'static, str>>,
        detail: impl Into<String>,
    ) -> Self {
        let mut e = Self::new(StatusCode::METHOD_NOT_ALLOWED, None, "method.not.allowed");
        e.allow = Some(allow.into());
        e.with(detail)
    }

    /// 401, always in the platform shape.
    pub(crate) fn unauthorized(code: &'static str, detail: impl Into<String>) -> Self {
        let mut e = Self::new(StatusCode::UNAUTHORIZED, None, code);
        e.platform_only = true;
        e.with(detail)
    }

    /// 501: an operation this server does not support (RFC 7644 §3.12).
    pub(crate) fn not_implemented(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_IMPLEMENTED, None, "not.implemented").with(detail)
    }

    /// 403.
    pub(crate) fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, None, "missing.permissions").with(detail)
    }

    /// 421: a `Host` the server does not answer for (`edge::allowed_hosts`). Misdirected Request
    /// (RFC 9110 §15.5.20) says what happened: this server will not answer for that name. A
    /// 403 would send the client looking at its token.
    pub(crate) fn misdirected(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::MISDIRECTED_REQUEST, None, "misdirected.request").with(detail)
    }

    /// 403 for an admin write a browser sent from another origin (`control::admin::forgery`).
    pub(crate) fn cross_site(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, None, "cross.site.request").with(detail)
    }

    /// 403 `missing.any.permissions`: none of the caller's roles grants any of `any` (where
    /// `division` names one, in that division). The message is Genesys' ("Unable to perform
    /// the requested action. You must have at least one of the following permissions
    /// assigned: %s", the catalogue of swagger error codes in `gildas/go-gcloudcx`,
    /// `error.go`), with the list written as Genesys' Java services write one; a refusal for
    /// a division adds a sentence naming it. Both shapes carry the same text: the platform
    /// `message`, the SCIM `detail`.
    pub(crate) fn missing_any_permissions(
        any: &'static &'static [&'static str],
        division: Option<&str>,
    ) -> Self {
        let mut detail = format!(
            "Unable to perform the requested action. You must have at least one of the \
             following permissions assigned: [{}]",
            any.join(", ")
        );
        if let Some(d) = division {
            detail.push_str(&format!(
                " (in division {d:?}: the client's roles are not granted there)"
            ));
        }
        Self {
            permissions: Some(any),
            ..Self::new(StatusCode::FORBIDDEN, None, "missing.any.permissions").with(detail)
        }
    }

    /// 413, with the Genesys wording.
    pub(crate) fn payload_too_large(max: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
            "request.entity.too.large",
        )
        .with(format!(
            "The request is over the size limit. Maximum bytes: {max}"
        ))
    }

    /// 415.
    pub(crate) fn unsupported_media_type(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            None,
            "unsupported.media.type",
        )
        .with(detail)
    }

    /// 429 with `Retry-After`, in the normalised Genesys form (developer forum, "Normalized Platform API 429
    /// responses", 2021-11-10).
    pub(crate) fn too_many_requests(retry_after: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            None,
            "too.many.requests.retry.after",
        );
        e.retry_after = Some(u32::try_from(retry_after).unwrap_or(u32::MAX));
        e.platform_only = true;
        e.with(format!(
            "Rate limit exceeded the maximum. Retry the request in [{retry_after}] seconds"
        ))
    }

    /// 503 to a connection over `--max-connections`, with `Retry-After: 1`, in the platform
    /// shape: the listener writes it before any request is read, so no route chose a shape.
    pub(crate) fn at_capacity(max: usize) -> Self {
        let mut e = Self::new(StatusCode::SERVICE_UNAVAILABLE, None, "service.unavailable");
        e.retry_after = Some(1);
        e.platform_only = true;
        e.with(format!(
            "The server is at its connection limit ({max}, --max-connections). Retry shortly."
        ))
    }

    /// 500. The detail stays generic; the cause is logged where it happened.
    pub(crate) fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            None,
            "internal.server.error",
        )
        .with("The server encountered an unexpected error.")
    }

    /// An error for an arbitrary status (scenario rules that ask for one), with the generic
    /// Genesys text for that status.
    pub(crate) fn for_status(status: StatusCode) -> Self {
        let (code, detail) = match status.as_u16() {
            400 => (
                "bad.request",
                "The request could not be understood by the server due to malformed syntax.",
            ),
            401 => (
                "bad.credentials",
                "No authentication bearer token specified in authorization header.",
            ),
            403 => (
                "missing.permissions",
                "You are not authorized to perform the requested action.",
            ),
            404 => ("not.found", "The requested resource was not found."),
            408 => (
                "request.timeout",
                "The client did not produce a request within the server timeout limit.",
            ),
            409 => (
                "conflict",
                "The request conflicts with the current state of the target resource.",
            ),
            413 => (
                "request.entity.too.large",
                "The request is over the size limit.",
            ),
            415 => ("unsupported.media.type", "Unsupported Media Type."),
            429 => (
                "too.many.requests.retry.after",
                "Rate limit exceeded the maximum.",
            ),
            503 => (
                "service.unavailable",
                "Service Unavailable - The server is currently unavailable.",
            ),
            504 => ("gateway.timeout", "The request timed out."),
            _ if status.is_server_error() => (
                "internal.server.error",
                "The server encountered an unexpected error.",
            ),
            _ => ("error", "The request failed."),
        };
        let mut e = Self::new(status, None, code).with(detail);
        e.platform_only = status == StatusCode::UNAUTHORIZED;
        e
    }

    /// The JSON body in the shape for `surface`, echoing `correlation_id` as `contextId` in the
    /// platform shape (Genesys does; the SCIM shape has no such field).
    pub(crate) fn body(&self, surface: Surface, correlation_id: &str) -> Value {
        if self.oauth {
            return json!({
                "error": self.code,
                "description": self.detail,
                "error_description": self.detail,
            });
        }
        if surface == Surface::Scim && !self.platform_only {
            let mut body = json!({
                "schemas": [SCIM_ERROR_SCHEMA],
                "status": self.status.as_u16().to_string(),
                "detail": self.detail,
            });
            if let Some(t) = self.scim_type {
                body["scimType"] = json!(t);
            }
            body
        } else {
            json!({
                "message": self.detail,
                "code": self.code,
                "status": self.status.as_u16(),
                "contextId": correlation_id,
                "details": [],
                "errors": [],
            })
        }
    }

    /// Renders the full response: status, body, content type, `Retry-After`, `Allow`.
    pub(crate) fn render(&self, surface: Surface, correlation_id: &str) -> Response<Body> {
        let content_type = if surface == Surface::Scim && !self.platform_only {
            crate::edge::response::SCIM_JSON
        } else {
            crate::edge::response::JSON
        };
        let bytes = Bytes::from(self.body(surface, correlation_id).to_string());
        let mut resp = Response::new(full(bytes));
        *resp.status_mut() = self.status;
        let headers = resp.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if let Some(allow) = &self.allow
            && let Ok(value) = HeaderValue::from_str(allow)
        {
            headers.insert(header::ALLOW, value);
        }
        if self.oauth && self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"oauth\""),
            );
        }
        resp
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.detail)
    }
}

impl std::error::Error for ApiError {}

/// Result alias for handler and store code.
pub(crate) type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_attribute_named_is_kept() {
        let e = ApiError::invalid_value("x").at("name.givenName").at("name");
        assert_eq!(e.attribute, Some("name.givenName"));
        assert_eq!(ApiError::invalid_value("x").attribute, None);
    }

    #[test]
    fn scim_shape_has_string_status_and_scim_type() {
        let body = ApiError::uniqueness("taken").body(Surface::Scim, "c1");
        assert_eq!(body["status"], "409");
        assert_eq!(body["scimType"], "uniqueness");
        assert_eq!(body["schemas"][0], SCIM_ERROR_SCHEMA);
        assert!(body.get("contextId").is_none());
    }

    #[test]
    fn platform_shape_has_numeric_status_and_context_id() {
        let body = ApiError::not_found("nope").body(Surface::Platform, "c1");
        assert_eq!(body["status"], 404);
        assert_eq!(body["code"], "not.found");
        assert_eq!(body["contextId"], "c1");
        assert!(body["errors"].is_array());
    }

    const ADD_OR_EDIT: &[&str] = &["directory:user:add", "directory:user:edit"];

    #[test]
    fn a_missing_permission_is_named_in_both_shapes_and_kept_for_the_journal() {
        let e = ApiError::missing_any_permissions(&ADD_OR_EDIT, None);
        let text = "Unable to perform the requested action. You must have at least one of the \
                    following permissions assigned: [directory:user:add, directory:user:edit]";
        let platform = e.body(Surface::Platform, "c");
        assert_eq!(
            (&platform["status"], &platform["code"], &platform["message"]),
            (&json!(403), &json!("missing.any.permissions"), &json!(text))
        );
        let scim = e.body(Surface::Scim, "c");
        assert_eq!(
            (&scim["status"], &scim["detail"]),
            (&json!("403"), &json!(text))
        );
        assert!(scim.get("scimType").is_none());
        assert_eq!(e.permissions, Some(&ADD_OR_EDIT));
        assert_eq!(ApiError::not_found("x").permissions, None);
        const ADD: &[&str] = &["directory:user:add"];
        let scoped = ApiError::missing_any_permissions(&ADD, Some("EMEA"));
        assert!(
            scoped
                .detail
                .ends_with("(in division \"EMEA\": the client's roles are not granted there)"),
            "{}",
            scoped.detail
        );
    }

    #[test]
    fn rate_limit_is_platform_shaped_even_on_scim_routes() {
        let e = ApiError::too_many_requests(7);
        let body = e.body(Surface::Scim, "c");
        assert_eq!(body["code"], "too.many.requests.retry.after");
        assert_eq!(
            body["message"],
            "Rate limit exceeded the maximum. Retry the request in [7] seconds"
        );
        let resp = e.render(Surface::Scim, "c");
        assert_eq!(resp.headers()[header::RETRY_AFTER], "7");
    }
}
