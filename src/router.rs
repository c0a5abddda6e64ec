//! Request → route → handler, in one place: [`handle`] buffers, routes (see [`crate::route`]),
//! consults the scenarios, authenticates, dispatches and records every exchange.

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;

use bytes::Bytes;
use futures_util::FutureExt;
use http::{HeaderValue, Request, Response};
use hyper::body::Incoming;
use tracing::{Instrument, error, info_span};

use crate::error::{ApiError, Surface};
use crate::fault::ConnFault;
use crate::handlers::{self, Session};
use crate::http::{ApiRequest, Body, read_limited};
use crate::journal::Pending;
use crate::route::{Route, route};
use crate::scenario::{self, action::Step};
use crate::state::AppState;

/// Header that carries the request's correlation id on every response.
pub const CORRELATION_HEADER: &str = "inin-correlation-id";

/// The entry point for every request: buffer, route, consult the scenarios, authenticate,
/// dispatch, stamp the correlation id, and record the exchange in the journal (once, faults
/// included). A panic inside a handler becomes a 500 for that request only.
pub async fn handle(state: &AppState, req: Request<Incoming>) -> Response<Body> {
    let started = crate::clock::stopwatch();
    let arrived = state.clock.now();
    let correlation_id = state.rng.uuid().to_string();
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let conn = parts.extensions.get::<ConnFault>().cloned();
    let span = info_span!("request", method = %parts.method, path = %path, id = %correlation_id);
    async move {
        let routed = route(&path);
        let surface = routed.as_ref().map_or(Surface::Platform, Route::surface);
        let (body, unreadable) = match read_limited(body, state.config.max_body_bytes).await {
            Ok(Some(b)) => (b, None),
            Ok(None) => (
                Bytes::new(),
                Some(ApiError::payload_too_large(state.config.max_body_bytes)),
            ),
            Err(_) => (
                Bytes::new(),
                Some(ApiError::bad_request("The request body could not be read.")),
            ),
        };
        let request = ApiRequest {
            method: parts.method,
            path,
            query: parts.uri.query().map(str::to_owned),
            headers: parts.headers,
            body,
            correlation_id: correlation_id.clone(),
        };
        let route_name = routed
            .as_ref()
            .map_or_else(|_| "unknown".to_owned(), |r| r.name(&request.method));
        let caller = crate::journal::caller(state, &request);
        let mut pending = Pending::new(
            state,
            request.clone(),
            route_name.clone(),
            caller.clone(),
            arrived,
            started,
        );
        let record = &mut pending.outcome;
        let resp = match (routed, unreadable) {
            (_, Some(e)) => e.render(surface, &correlation_id),
            (Err(msg), None) => ApiError::bad_request(msg).render(surface, &correlation_id),
            (Ok(route), None) => {
                let plan = match route {
                    Route::Health | Route::Admin(_) => None,
                    _ if state.scenarios.is_empty() => None,
                    _ => {
                        let data = scenario::matcher::ProbeData::new(&request);
                        state
                            .scenarios
                            .decide(&data.probe(&request, &route_name, &caller))
                    }
                };
                let step = match plan {
                    Some(plan) => {
                        record.plan(&plan);
                        match &plan.then {
                            Some(then) => {
                                scenario::action::perform(
                                    state,
                                    then,
                                    surface,
                                    &correlation_id,
                                    conn.as_ref(),
                                )
                                .await
                            }
                            None => Step::pass(),
                        }
                    }
                    None => Step::pass(),
                };
                match step {
                    Step::Answer { resp, status } => {
                        record.status = Some(status);
                        resp
                    }
                    Step::Pass { compat, finish } => {
                        let resp = stamp_correlation_id(
                            dispatch_caught(state, &request, &route, compat.as_ref()).await,
                            &correlation_id,
                        );
                        match finish {
                            Some(then) => {
                                record.status = Some(resp.status().as_u16());
                                scenario::action::finish(state, resp, &then, conn.as_ref()).await
                            }
                            None => resp,
                        }
                    }
                }
            }
        };
        let resp = stamp_correlation_id(resp, &correlation_id);
        pending.finish(resp).await
    }
    .instrument(span)
    .await
}

async fn dispatch_caught(
    state: &AppState,
    request: &ApiRequest,
    route: &Route,
    compat: Option<&BTreeMap<String, serde_json::Value>>,
) -> Response<Body> {
    AssertUnwindSafe(dispatch(state, request, route, compat))
        .catch_unwind()
        .await
        .unwrap_or_else(|panic| {
            let cause = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            error!(%cause, "handler panicked");
            ApiError::internal().render(route.surface(), &request.correlation_id)
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
    compat: Option<&BTreeMap<String, serde_json::Value>>,
) -> Response<Body> {
    let surface = route.surface();
    let cid = &req.correlation_id;
    let result = match route {
        Route::Health => Ok(crate::admin::health(state)),
        Route::Admin(segs) => crate::admin::dispatch(state, req, segs),
        Route::Token => handlers::oauth::token(state, req),
        Route::Unknown | Route::ScimUnknown => Err(ApiError::not_found(format!(
            "No resource at {} {}.",
            req.method, req.path
        ))),
        Route::Scim(..) | Route::Platform(_) => match Session::authenticate(state, req, route) {
            Err(e) => Err(e),
            Ok(mut ctx) => {
                // A scenario's `compat` action: switches overridden for this request only.
                if let Some(map) = compat {
                    let _ = scenario::rule::apply_compat(&mut ctx.compat, map);
                }
                crate::ratelimit::guard(state, &ctx, req, surface, || match route {
                    Route::Scim(_, r) => handlers::scim(state, &ctx, req, r),
                    Route::Platform(p) => handlers::platform::dispatch(state, &ctx, req, p),
                    _ => unreachable!("matched above"),
                })
            }
        },
    };
    let mut resp = result.unwrap_or_else(|e| e.render(surface, cid));
    if surface == Surface::Scim {
        crate::http::negotiate(req, &mut resp);
    }
    resp
}
