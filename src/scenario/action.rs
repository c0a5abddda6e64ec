//! Carrying out a rule's `then`: answering instead of the emulation, waiting before it, or
//! breaking the response on its way out.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Response, StatusCode, header};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;

use super::engine::Scenarios;
use super::rule::{MAX_HOLD_MS, Then};
use crate::error::{ApiError, Surface};
use crate::fault::{Armed, ConnFault};
use crate::http::{Body, BodyError, JSON, SCIM_JSON, full, status_response};
use crate::overrides::Overrides;
use crate::rng::Seeded;

/// What the router does next.
#[derive(Debug)]
pub(crate) enum Step<'a> {
    /// Send this instead of asking the emulation. `status` is what the journal records (0 when
    /// no status line reaches the client).
    Answer { resp: Response<Body>, status: u16 },
    /// Answer with this error (rendered by the router, like every error), plus the rule's
    /// extra headers.
    Fail { error: ApiError, headers: HeaderMap },
    /// Ask the emulation (with switch overrides), then apply `finish` to its response.
    Pass {
        compat: Option<&'a Overrides>,
        finish: Option<&'a Then>,
    },
}

impl Step<'_> {
    /// Straight through.
    pub(crate) fn pass() -> Self {
        Self::Pass {
            compat: None,
            finish: None,
        }
    }
}

fn answer(resp: Response<Body>) -> Step<'static> {
    let status = resp.status().as_u16();
    Step::Answer { resp, status }
}

fn fail(error: ApiError) -> Step<'static> {
    Step::Fail {
        error,
        headers: HeaderMap::new(),
    }
}

/// Performs everything in `then` that happens before (or instead of) the emulation. Waits end
/// early when the server shuts down (`scenarios`); garbage bytes come from `rng`.
pub(crate) async fn perform<'a>(
    then: &'a Then,
    scenarios: &Scenarios,
    rng: &Seeded,
    surface: Surface,
    conn: Option<&ConnFault>,
) -> Step<'a> {
    match then {
        Then::Respond {
            status,
            body,
            headers,
        } => {
            let code = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut extra = HeaderMap::new();
            for (k, v) in headers {
                if let (Ok(k), Ok(v)) = (
                    HeaderName::from_bytes(k.as_bytes()),
                    HeaderValue::from_str(v),
                ) {
                    extra.insert(k, v);
                }
            }
            let mut resp = match body {
                Some(b) => {
                    let ct = if surface == Surface::Scim {
                        SCIM_JSON
                    } else {
                        JSON
                    };
                    crate::http::json_response(code, ct, b)
                }
                None if code.is_client_error() || code.is_server_error() => {
                    return Step::Fail {
                        error: ApiError::for_status(code),
                        headers: extra,
                    };
                }
                None => status_response(code),
            };
            resp.headers_mut().extend(extra);
            answer(resp)
        }
        Then::Throttle { retry_after } => fail(ApiError::too_many_requests(*retry_after)),
        Then::Delay { ms } => {
            hold(scenarios, (*ms).min(MAX_HOLD_MS)).await;
            Step::pass()
        }
        Then::Compat(layer) => Step::Pass {
            compat: Some(layer),
            finish: None,
        },
        Then::MalformedJson {} => {
            let mut resp = Response::new(full(
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"Resources":[{"id":"#,
            ));
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(if surface == Surface::Scim {
                    SCIM_JSON
                } else {
                    JSON
                }),
            );
            answer(resp)
        }
        Then::Hang { max_ms } => {
            // Nobody is listening when the client has gone; the answer only matters if the
            // bound or a shutdown ends the hang first. A client that closed its side is not
            // waited for: the hang is journaled as abandoned (status 0) at once.
            let gone = async {
                match conn {
                    Some(c) => c.peer_closed().await,
                    None => std::future::pending().await,
                }
            };
            let held = hold(scenarios, max_ms.unwrap_or(MAX_HOLD_MS).min(MAX_HOLD_MS));
            let ended_by_bound = tokio::select! {
                ended = held => ended,
                () = gone => {
                    return Step::Answer {
                        resp: status_response(StatusCode::SERVICE_UNAVAILABLE),
                        status: 0,
                    };
                }
            };
            let status = if ended_by_bound {
                StatusCode::GATEWAY_TIMEOUT
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            };
            fail(ApiError::for_status(status))
        }
        Then::Reset {} => arm(conn, Vec::new(), true),
        Then::Empty {} => arm(conn, Vec::new(), false),
        Then::Garbage { bytes } => arm(conn, rng.bytes(*bytes), false),
        Then::HeadersOnly {} | Then::Truncate { .. } | Then::Dribble { .. } => Step::Pass {
            compat: None,
            finish: Some(then),
        },
    }
}

/// Waits `ms` or until shutdown. Returns true when the time ran out.
async fn hold(scenarios: &Scenarios, ms: u64) -> bool {
    tokio::select! {
        () = tokio::time::sleep(Duration::from_millis(ms)) => true,
        () = scenarios.stopping() => false,
    }
}

fn arm(conn: Option<&ConnFault>, bytes: Vec<u8>, reset: bool) -> Step<'static> {
    match conn {
        Some(c) => {
            c.arm(Armed { bytes, reset });
            // hyper will try to send this; the socket wrapper sends the armed bytes instead.
            Step::Answer {
                resp: status_response(StatusCode::OK),
                status: 0,
            }
        }
        None => answer(status_response(StatusCode::INTERNAL_SERVER_ERROR)),
    }
}

/// Breaks the emulation's response on its way out (`headersOnly`, `truncate`, `dribble`).
/// Returns the response hyper should send and the status the client sees.
pub(crate) async fn finish(
    scenarios: &Scenarios,
    resp: Response<Body>,
    then: &Then,
    conn: Option<&ConnFault>,
) -> Response<Body> {
    let (parts, body) = resp.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    match then {
        Then::Dribble {
            chunk_bytes,
            interval_ms,
        } => {
            let chunks: Vec<Bytes> = bytes
                .chunks((*chunk_bytes).max(1))
                .map(Bytes::copy_from_slice)
                .collect();
            let interval = Duration::from_millis(*interval_ms);
            let stop = scenarios.clone();
            let stream =
                futures_util::stream::unfold((chunks.into_iter(), true), move |(mut it, first)| {
                    let stop = stop.clone();
                    async move {
                        let chunk = it.next()?;
                        if !first {
                            tokio::select! {
                                () = tokio::time::sleep(interval) => {}
                                () = stop.stopping() => {}
                            }
                        }
                        Some((Ok::<_, BodyError>(Frame::data(chunk)), (it, false)))
                    }
                });
            let mut resp = Response::from_parts(parts, StreamBody::new(stream).boxed());
            resp.headers_mut().remove(header::CONTENT_LENGTH);
            resp
        }
        Then::HeadersOnly {} | Then::Truncate { .. } => {
            let keep = match then {
                Then::Truncate { bytes: n } => (*n).min(bytes.len()),
                _ => 0,
            };
            let mut raw = head(&parts, bytes.len());
            raw.extend_from_slice(&bytes[..keep]);
            match conn {
                Some(c) => c.arm(Armed {
                    bytes: raw,
                    reset: false,
                }),
                None => return status_response(StatusCode::INTERNAL_SERVER_ERROR),
            }
            Response::from_parts(parts, full(bytes))
        }
        _ => Response::from_parts(parts, full(bytes)),
    }
}

/// An HTTP/1.1 status line and headers, with the full body's content-length.
fn head(parts: &http::response::Parts, len: usize) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {} {}\r\n",
        parts.status.as_u16(),
        parts.status.canonical_reason().unwrap_or("")
    )
    .into_bytes();
    for (k, v) in &parts.headers {
        if k == header::CONTENT_LENGTH {
            continue;
        }
        out.extend_from_slice(k.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("content-length: {len}\r\n\r\n").as_bytes());
    out
}
