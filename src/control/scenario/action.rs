//! Carrying out a rule's `then`: answering instead of the emulation, waiting before it, or
//! breaking the response on its way out.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Response, StatusCode, header};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;

use super::rule::{MAX_HOLD_MS, Then};
use crate::base::rng::Seeded;
use crate::base::shutdown::Shutdown;
use crate::compat::layer::CompatLayer;
use crate::edge::fault::{Armed, ConnFault};
use crate::edge::response::{Body, BodyError, JSON, SCIM_JSON, full, status_response};
use crate::error::{ApiError, Surface};

/// The policy every answer a scenario makes carries: a rule may say `text/html`, and a
/// browser that opens the mock's address must not run what the body holds, with the mock's
/// origin, its admin API and its secrets one request away. `sandbox` stops script and gives
/// the page an opaque origin.
pub(crate) const SANDBOX: &str = "sandbox";

/// Marks a response as made by a scenario: [`SANDBOX`] as its `content-security-policy`.
pub(crate) fn sandboxed(mut resp: Response<Body>) -> Response<Body> {
    resp.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(SANDBOX),
    );
    resp
}

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
        compat: Option<&'a CompatLayer>,
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
/// early when the server shuts down (`shutdown`); garbage bytes come from `rng`.
pub(crate) async fn perform<'a>(
    then: &'a Then,
    shutdown: &Shutdown,
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
                    crate::edge::response::json_response(code, ct, b)
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
            hold(shutdown, (*ms).min(MAX_HOLD_MS)).await;
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
            let held = hold(shutdown, max_ms.unwrap_or(MAX_HOLD_MS).min(MAX_HOLD_MS));
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
async fn hold(shutdown: &Shutdown, ms: u64) -> bool {
    tokio::select! {
        () = tokio::time::sleep(Duration::from_millis(ms)) => true,
        () = shutdown.stopping() => false,
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
    shutdown: &Shutdown,
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
            let stop = shutdown.clone();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn then(json: serde_json::Value) -> Then {
        serde_json::from_value(json).expect("a valid then")
    }

    fn shutdown() -> Shutdown {
        Shutdown::default()
    }

    async fn step(t: &Then, surface: Surface) -> Step<'_> {
        perform(t, &shutdown(), &Seeded::new(Some(1)), surface, None).await
    }

    #[tokio::test]
    async fn respond_answers_in_the_surface_content_type_or_fails_with_its_headers() {
        let t = then(
            serde_json::json!({"respond": {"status": 201, "body": {"a": 1},
            "headers": {"x-why": "rule", "bad header": "dropped"}}}),
        );
        for (surface, ct) in [(Surface::Scim, SCIM_JSON), (Surface::Platform, JSON)] {
            let Step::Answer { resp, status } = step(&t, surface).await else {
                panic!("an answer");
            };
            assert_eq!((status, resp.status().as_u16()), (201, 201));
            assert_eq!(resp.headers()[header::CONTENT_TYPE], ct);
            assert_eq!(resp.headers()["x-why"], "rule");
            assert_eq!(
                resp.headers().len(),
                2,
                "content-type and x-why: a bad name is dropped"
            );
        }
        let t =
            then(serde_json::json!({"respond": {"status": 503, "headers": {"retry-after": "2"}}}));
        let Step::Fail { error, headers } = step(&t, Surface::Scim).await else {
            panic!("an error body for an error status without a body");
        };
        assert_eq!(error.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(headers["retry-after"], "2");
    }

    #[tokio::test]
    async fn throttle_is_a_429_error_with_retry_after() {
        let t = then(serde_json::json!({"throttle": {"retryAfter": 7}}));
        let Step::Fail { error, .. } = step(&t, Surface::Platform).await else {
            panic!("an error");
        };
        assert_eq!((error.status.as_u16(), error.retry_after), (429, Some(7)));
    }

    #[tokio::test]
    async fn switch_layers_and_response_faults_pass_to_the_emulation() {
        let t = then(serde_json::json!({"compat": {"meta-created": false}}));
        assert!(matches!(
            step(&t, Surface::Scim).await,
            Step::Pass {
                compat: Some(_),
                finish: None
            }
        ));
        let t = then(serde_json::json!({"truncate": {"bytes": 3}}));
        assert!(matches!(
            step(&t, Surface::Scim).await,
            Step::Pass {
                compat: None,
                finish: Some(Then::Truncate { bytes: 3 })
            }
        ));
    }

    #[tokio::test]
    async fn connection_faults_without_a_connection_answer_500() {
        for t in [
            serde_json::json!({"reset": {}}),
            serde_json::json!({"empty": {}}),
            serde_json::json!({"garbage": {"bytes": 10}}),
        ] {
            let t = then(t);
            let Step::Answer { status, .. } = step(&t, Surface::Scim).await else {
                panic!("an answer");
            };
            assert_eq!(status, 500, "{t:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_hang_ends_at_its_bound_with_504_or_at_shutdown_with_503() {
        let t = then(serde_json::json!({"hang": {"maxMs": 1000}}));
        let Step::Fail { error, .. } = step(&t, Surface::Scim).await else {
            panic!("an error");
        };
        assert_eq!(error.status, StatusCode::GATEWAY_TIMEOUT);
        let s = shutdown();
        let t = then(serde_json::json!({"hang": {}}));
        let rng = Seeded::new(Some(1));
        let hung = perform(&t, &s, &rng, Surface::Scim, None);
        let stop = async {
            tokio::time::sleep(Duration::from_millis(10)).await;
            s.trigger();
            std::future::pending::<()>().await
        };
        let ended = tokio::select! { st = hung => st, () = stop => unreachable!() };
        let Step::Fail { error, .. } = ended else {
            panic!("an error");
        };
        assert_eq!(error.status, StatusCode::SERVICE_UNAVAILABLE);
    }

    #[tokio::test(start_paused = true)]
    async fn a_delay_waits_its_time_then_passes() {
        let t = then(serde_json::json!({"delay": {"ms": 250}}));
        let before = tokio::time::Instant::now();
        assert!(matches!(
            step(&t, Surface::Scim).await,
            Step::Pass {
                compat: None,
                finish: None
            }
        ));
        assert_eq!(before.elapsed(), Duration::from_millis(250));
    }

    #[tokio::test(start_paused = true)]
    async fn dribble_sends_the_same_bytes_in_chunks_and_truncate_needs_a_connection() {
        let t = then(serde_json::json!({"dribble": {"chunkBytes": 3, "intervalMs": 5}}));
        let resp = finish(&shutdown(), Response::new(full("abcdefg")), &t, None).await;
        assert!(resp.headers().get(header::CONTENT_LENGTH).is_none());
        let mut body = resp.into_body();
        let mut chunks = Vec::new();
        while let Some(frame) = body.frame().await {
            chunks.push(frame.unwrap().into_data().unwrap());
        }
        assert_eq!(chunks, ["abc", "def", "g"]);
        let t = then(serde_json::json!({"truncate": {"bytes": 2}}));
        let resp = finish(&shutdown(), Response::new(full("abc")), &t, None).await;
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
