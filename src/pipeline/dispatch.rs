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
    // A client that asked for `100 Continue` and hears 413 sends no body to throw away.
    let refused = if parts.headers.contains_key(header::EXPECT) {
        crate::edge::body::Refused::Leave
    } else {
        crate::edge::body::Refused::Discard
    };
    let body = crate::edge::body::read(body, &limits, state.shutdown.stopping(), refused)
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
        let resp = respond(state, &mut pending, unreadable, conn.as_ref()).await;
        // The one place the correlation id is stamped, whatever answered.
        let (req, _) = pending.parts();
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
    pending: &mut Recording<'_>,
    unreadable: Option<ApiError>,
    conn: Option<&ConnFault>,
) -> Response<Body> {
    let (req, outcome) = pending.parts();
    // Before anything else answers: a name the server does not answer for (DNS rebinding)
    // gets nothing but the 421, whatever the route.
    if let Some(e) = state.refuses_host(req) {
        return render_error(req, e);
    }
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
    let resp = if runs_long(state, req) {
        emulate_aside(state, pending, overrides.cloned()).await
    } else {
        dispatch_caught(state, req, route, overrides)
    };
    match finish {
        Some(then) => {
            let (_, outcome) = pending.parts();
            outcome.status = Some(resp.status().as_u16());
            action::finish(&state.shutdown, resp, then, conn).await
        }
        None => resp,
    }
}

/// A body this large takes the emulation long enough (parsing, a PATCH of thousands of
/// members) to be answered on the blocking pool.
const LONG_BODY: usize = 64 * 1024;

/// An org this large makes a list or search long enough (every user is matched) to be
/// answered on the blocking pool.
const LARGE_ORG: usize = 10_000;

/// Whether answering `req` may hold a thread long: a large body, a list or search over a
/// large org (or one being written, whose lock would be waited for), and the admin calls
/// that work on whole orgs. Handlers are synchronous, so such a request answered on a
/// runtime worker holds the worker: two of them stalled `/__admin/health` for seconds on a
/// two-core machine. The rest are answered where they are: moving a request to another
/// thread costs more than most take.
fn runs_long(state: &AppState, req: &ApiRequest) -> bool {
    if req.body.len() >= LONG_BODY {
        return true;
    }
    let scans_org = matches!(
        req.route_name,
        "users.list" | "groups.list" | "search" | "platform.users.list" | "platform.groups.list"
    );
    if scans_org {
        let large = |org: &crate::store::OrgHandle| {
            org.try_read().is_none_or(|o| o.user_count() >= LARGE_ORG)
        };
        return req
            .caller
            .org
            .as_deref()
            .and_then(|id| state.store.org(id))
            .is_some_and(|org| large(&org));
    }
    matches!(&req.route, Ok(Route::Admin(segs))
        if segs.first().is_some_and(|s| matches!(s.as_str(), "reset" | "orgs" | "expect" | "report")))
}

/// Answers the request on the blocking pool, so the runtime's workers stay free for the
/// other requests (the health route among them) however long it takes. The request is lent
/// to the pool's thread and put back for the journal.
async fn emulate_aside(
    state: &AppState,
    pending: &mut Recording<'_>,
    overrides: Option<CompatLayer>,
) -> Response<Body> {
    let req = pending.lend();
    let surface = req.route.as_ref().map_or(Surface::Platform, Route::surface);
    let correlation_id = req.correlation_id.clone();
    let state = state.clone();
    let answered = tokio::task::spawn_blocking(move || {
        let resp = match &req.route {
            Ok(route) => dispatch_caught(&state, &req, route, overrides.as_ref()),
            Err(msg) => render_error(&req, ApiError::bad_request(msg.clone())),
        };
        (req, resp)
    })
    .await;
    match answered {
        Ok((req, resp)) => {
            pending.put_back(req);
            resp
        }
        // Only a runtime shutting down drops a blocking task before it runs (a panic in the
        // handler is caught inside): the request is gone, and so is the client.
        Err(_) => ApiError::internal().render(surface, &correlation_id),
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

fn dispatch_caught(
    state: &AppState,
    req: &ApiRequest,
    route: &Route,
    overrides: Option<&CompatLayer>,
) -> Response<Body> {
    std::panic::catch_unwind(AssertUnwindSafe(|| dispatch(state, req, route, overrides)))
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

/// The emulation: synchronous, so it runs on whichever thread answers (see [`runs_long`]).
fn dispatch(
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use http::StatusCode;

    use super::*;
    use crate::config::Config;

    fn request(method: &str, path: &str, token: Option<&str>, body: String) -> Request<Bytes> {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if !body.is_empty() {
            b = b.header(header::CONTENT_TYPE, "application/scim+json");
        }
        b.body(Bytes::from(body)).expect("a request")
    }

    /// One runtime worker, and a PATCH of 64 KiB that waits for its org (the test holds the
    /// org's lock, standing in for work that takes long): the health route still answers,
    /// because the PATCH waits on a thread of the blocking pool, not on the worker.
    #[test]
    fn a_request_that_runs_long_does_not_hold_up_the_health_route() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        let state = AppState::new(Config::default()).expect("the default org");
        let form = "grant_type=client_credentials&client_id=mock-client-id&client_secret=mock-client-secret";
        let token = rt.block_on(async {
            let mut r = request("POST", "/oauth/token", None, form.to_owned());
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            );
            let resp = handle(&state, r).await;
            let body = http_body_util::BodyExt::collect(resp.into_body())
                .await
                .expect("a body")
                .to_bytes();
            let json: serde_json::Value = serde_json::from_slice(&body).expect("json");
            json["access_token"].as_str().expect("a token").to_owned()
        });
        let org = state.store.org("default").expect("the default org");
        let held = org.write();
        let mut body = r#"{"Operations": [{"op": "add", "path": "members",
            "value": [{"value": "a1b2c3d4-0001-4000-8000-000000000001"}]}]}"#
            .to_owned();
        body.push_str(&" ".repeat(LONG_BODY));
        let patch = request(
            "PATCH",
            "/api/v2/scim/v2/Groups/b2c3d4e5-0001-4000-8000-000000000001",
            Some(&token),
            body,
        );
        let s = state.clone();
        let patched = rt.spawn(async move { handle(&s, patch).await.status() });
        // Time for the PATCH to reach the org's lock (not a measurement: were it slower, the
        // health request would simply be answered first).
        std::thread::sleep(Duration::from_millis(200));
        let (tx, rx) = std::sync::mpsc::channel();
        let s = state;
        rt.spawn(async move {
            let resp = handle(&s, request("GET", "/__admin/health", None, String::new())).await;
            let _ = tx.send(resp.status());
        });
        let health = rx.recv_timeout(Duration::from_secs(10));
        let still_waiting = !patched.is_finished();
        drop(held);
        assert_eq!(health, Ok(StatusCode::OK), "the health route was held up");
        assert!(still_waiting, "the PATCH waited for the org");
        assert_eq!(rt.block_on(patched).expect("joined"), StatusCode::OK);
    }

    #[test]
    fn large_bodies_and_whole_org_admin_calls_run_aside() {
        let state = AppState::new(Config::default()).expect("the default org");
        let store = &state.store;
        let req = |method: &str, path: &str, body: usize| {
            let parts = request(method, path, None, String::new()).into_parts().0;
            ApiRequest::new(parts, Bytes::from(vec![b' '; body]), String::new(), store)
        };
        assert!(runs_long(
            &state,
            &req("PATCH", "/api/v2/scim/v2/Users/x", LONG_BODY)
        ));
        assert!(!runs_long(
            &state,
            &req("PATCH", "/api/v2/scim/v2/Users/x", 100)
        ));
        assert!(runs_long(&state, &req("POST", "/__admin/reset", 0)));
        assert!(runs_long(
            &state,
            &req("GET", "/__admin/orgs/default/export", 0)
        ));
        assert!(!runs_long(&state, &req("GET", "/__admin/health", 0)));
        assert!(!runs_long(&state, &req("GET", "/__admin/clock", 0)));
        // The default org is small: its lists are answered in place.
        assert!(!runs_long(&state, &req("GET", "/api/v2/scim/v2/Users", 0)));
    }
}
