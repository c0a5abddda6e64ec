//! Request → route → handler, in one place.
//!
//! [`handle`] is the entry: it takes an owned `http::Request<Bytes>`, so tests drive the whole
//! pipeline without a socket; [`receive`] is the socket layer's way in (it buffers the body
//! under `--max-body-bytes` first). Per request, in order: the request context is built once
//! ([`ApiRequest::new`]: route, caller, correlation id), the scenarios are consulted,
//! the caller is authenticated and rate-limited, the handler runs, and the journal takes the
//! context over with the response. Every error is rendered here, by [`render_error`], and the
//! correlation id is stamped once. A panic inside a handler becomes a 500 for that request
//! only.

use std::panic::AssertUnwindSafe;

use bytes::Bytes;
use futures_util::FutureExt;
use http::{HeaderValue, Request, Response, header};
use hyper::body::Incoming;
use tracing::{Instrument, error, info_span};

use crate::api::{self, Session};
use crate::compat::layer::CompatLayer;
use crate::control::journal::{Recording, ScenarioEffect};
use crate::control::scenario::{Firing, Probe, action, action::Step};
use crate::edge::fault::ConnFault;
use crate::edge::response::Body;
use crate::error::{ApiError, Surface};
use crate::pipeline::context::ApiRequest;
use crate::pipeline::route::Route;
use crate::ratelimit;
use crate::state::AppState;

/// Header that carries the request's correlation id on every response.
pub(crate) const CORRELATION_HEADER: &str = "inin-correlation-id";

/// The socket layer's entry: buffers the body within its size and time bounds
/// ([`crate::edge::body`]; a declared length over the limit is answered 413 before any of it is
/// read), then answers like [`handle`].
pub(crate) async fn receive(state: &AppState, req: Request<Incoming>) -> Response<Body> {
    let started = crate::base::clock::stopwatch();
    let (parts, body) = req.into_parts();
    let limits = state.upload_limits();
    let body = crate::edge::body::read(body, &limits, state.shutdown.stopping())
        .await
        .map_err(|e| e.to_api_error(&limits));
    answer(state, parts, body, started).await
}

/// Answers one request whose body is already in memory, without a socket: the same pipeline
/// as `receive` (the socket's entry), body cap included. Connection faults need a `ConnFault`
/// in the request's extensions (the server puts one there); without one they answer 500.
///
/// Public on purpose (`genesys_scim_mock::handle`): the in-process testing entry, as axum's
/// `oneshot` is. A test builds an [`AppState`] from a `Config`, sends requests built in memory,
/// and reaches the clock, the journal and the scenarios through the admin routes, exactly as a
/// client over a socket would.
///
/// ```
/// use genesys_scim_mock::{AppState, Config, handle};
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let state = AppState::new(Config::default()).expect("the default org loads");
/// let form = "grant_type=client_credentials&client_id=mock-client-id&client_secret=mock-client-secret";
/// let token = http::Request::post("/oauth/token")
///     .header("content-type", "application/x-www-form-urlencoded")
///     .body(bytes::Bytes::from(form))
///     .unwrap();
/// assert_eq!(handle(&state, token).await.status(), 200);
/// // The control plane answers the same way: here, the clock.
/// let clock = http::Request::get("/__admin/clock").body(bytes::Bytes::new()).unwrap();
/// assert_eq!(handle(&state, clock).await.status(), 200);
/// # });
/// ```
pub async fn handle(state: &AppState, req: Request<Bytes>) -> Response<Body> {
    let started = crate::base::clock::stopwatch();
    let (parts, body) = req.into_parts();
    let body = if body.len() > state.config.max_body_bytes {
        Err(ApiError::payload_too_large(state.config.max_body_bytes))
    } else {
        Ok(body)
    };
    answer(state, parts, body, started).await
}

async fn answer(
    state: &AppState,
    parts: http::request::Parts,
    body: Result<Bytes, ApiError>,
    started: std::time::Instant,
) -> Response<Body> {
    let arrived = state.clock.now();
    let conn = parts.extensions.get::<ConnFault>().cloned();
    let (body, unreadable) = match body {
        Ok(b) => (b, None),
        Err(e) => (Bytes::new(), Some(e)),
    };
    let request = ApiRequest::new(parts, body, state.rng.uuid().to_string(), &state.store);
    let span = info_span!(
        "request",
        method = %request.method,
        path = %request.path,
        id = %request.correlation_id
    );
    let mut pending = Recording::new(&state.journal, request, arrived, started);
    async move {
        let (req, outcome) = pending.parts();
        let resp = respond(state, req, outcome, unreadable, conn.as_ref()).await;
        // The one place the correlation id is stamped, whatever answered.
        let resp = stamp_correlation_id(resp, &req.correlation_id);
        pending.finish(resp).await
    }
    .instrument(span)
    .await
}

/// Everything between the request context and the journal: the scenario engine's decision,
/// its action, and the emulation. The caller stamps the correlation id on what comes back.
async fn respond(
    state: &AppState,
    req: &ApiRequest,
    outcome: &mut ScenarioEffect,
    unreadable: Option<ApiError>,
    conn: Option<&ConnFault>,
) -> Response<Body> {
    let route = match (&req.route, unreadable) {
        (_, Some(e)) => return render_error(req, e),
        (Err(msg), None) => return render_error(req, ApiError::bad_request(msg.clone())),
        (Ok(route), None) => route,
    };
    let plan = if route.is_control_plane() || state.scenarios.is_empty() {
        None
    } else {
        state.scenarios.decide(&Probe::of(req))
    };
    if let Some(p) = &plan {
        note_plan(outcome, p);
    }
    let step = match plan.as_ref().and_then(|p| p.then.as_ref()) {
        Some(then) => {
            let surface = route.surface();
            action::perform(then, &state.shutdown, &state.rng, surface, conn).await
        }
        None => Step::pass(),
    };
    let (overrides, finish) = match step {
        Step::Answer { resp, status } => {
            outcome.status = Some(status);
            return action::sandboxed(resp);
        }
        Step::Fail { error, headers } => {
            let mut resp = render_error(req, error);
            resp.headers_mut().extend(headers);
            return action::sandboxed(resp);
        }
        Step::Pass { compat, finish } => (compat, finish),
    };
    let resp = dispatch_caught(state, req, route, overrides).await;
    match finish {
        Some(then) => {
            outcome.status = Some(resp.status().as_u16());
            action::finish(&state.shutdown, resp, then, conn).await
        }
        None => resp,
    }
}

/// Notes the rule that fired, for the journal entry.
fn note_plan(outcome: &mut ScenarioEffect, plan: &Firing) {
    outcome.scenario = Some(plan.scenario.clone());
    outcome.rule = Some(plan.rule.clone());
    outcome.fault = plan
        .then
        .as_ref()
        .filter(|t| t.is_fault())
        .map(|t| t.name());
}

/// The one place an error becomes a response: in the shape of the request's surface (SCIM or
/// platform), echoing the correlation id in the body (`answer` stamps the header). A 403 for
/// missing permissions leaves them in the request context for the journal entry.
pub(crate) fn render_error(req: &ApiRequest, error: ApiError) -> Response<Body> {
    if let Some(any) = error.permissions {
        // Set once: a request is answered once.
        let _ = req.refused.set(any);
    }
    let surface = req.route.as_ref().map_or(Surface::Platform, Route::surface);
    error.render(surface, &req.correlation_id)
}

async fn dispatch_caught(
    state: &AppState,
    req: &ApiRequest,
    route: &Route,
    overrides: Option<&CompatLayer>,
) -> Response<Body> {
    AssertUnwindSafe(dispatch(state, req, route, overrides))
        .catch_unwind()
        .await
        .unwrap_or_else(|panic| {
            let cause = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            error!(%cause, "handler panicked");
            render_error(req, ApiError::internal())
        })
}

fn stamp_correlation_id(mut resp: Response<Body>, correlation_id: &str) -> Response<Body> {
    if let Ok(v) = HeaderValue::from_str(correlation_id) {
        resp.headers_mut().insert(CORRELATION_HEADER, v);
    }
    resp
}

async fn dispatch(
    state: &AppState,
    req: &ApiRequest,
    route: &Route,
    overrides: Option<&CompatLayer>,
) -> Response<Body> {
    let (result, usage, compat) = match route {
        Route::Health => (crate::control::admin::health(state, req), None, None),
        Route::Admin(segs) => (
            crate::control::admin::dispatch(state, req, segs),
            None,
            None,
        ),
        Route::Token => (api::oauth::token(state, req, overrides), None, None),
        Route::Unknown | Route::ScimUnknown => (
            Err(ApiError::not_found(format!(
                "No resource at {} {}.",
                req.method, req.path
            ))),
            None,
            None,
        ),
        Route::Scim(..) | Route::Platform(_) => {
            match Session::authenticate(state, req, route, overrides) {
                Err(e) => (Err(e), None, None),
                Ok(mut session) => {
                    // A scenario's `compat` action: switches overridden for this request only.
                    if let Some(layer) = overrides {
                        layer.apply(&mut session.compat);
                    }
                    // The rate-limit stage: every window of the session counts the request, or
                    // it is answered 429 without reaching the handler. Then the permission stage:
                    // a client with `roleDivisions` needs one of the operation's permissions
                    // (a refused request still counted, as at Genesys' gateway).
                    let (result, usage) = ratelimit::admit(
                        &state.limiter,
                        &session.rate_checks,
                        state.clock.now_millis(),
                        || {
                            api::permission::admit(&session, req, route)?;
                            match route {
                                Route::Scim(_, r) => api::scim(&session, req, r),
                                Route::Platform(p) => api::platform::dispatch(&session, req, p),
                                _ => unreachable!("matched above"),
                            }
                        },
                    );
                    (result, usage, Some(session.compat))
                }
            }
        }
    };
    let mut resp = result.unwrap_or_else(|e| render_error(req, e));
    if let (Some(usage), Some(c)) = (usage, &compat)
        && c.ratelimit_headers
    {
        ratelimit::set_usage_headers(&mut resp, usage);
    }
    if route.surface() == Surface::Scim {
        crate::edge::response::negotiate(req.header(header::ACCEPT), &mut resp);
    }
    resp
}
