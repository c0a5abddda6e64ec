//! `/__admin/requests`: read, count and clear the journal.

use bytes::Bytes;
use futures_util::StreamExt;
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use serde_json::json;

use super::json;
use crate::base::clock::parse_time;
use crate::control::journal::{Matcher, har};
use crate::edge::response::{Body, BodyError, JSON};
use crate::error::{ApiError, ApiResult};
use crate::pipeline::context::ApiRequest;
use crate::state::AppState;

/// How many near misses a failed count shows.
const NEAREST: usize = 3;

/// Entries per page of `GET /__admin/requests` unless `limit` says otherwise.
pub(crate) const DEFAULT_PAGE: usize = 1000;

/// The largest `limit`.
pub(crate) const MAX_PAGE: usize = 10_000;

/// Entries serialised per chunk of a streamed page: at most a few MiB in memory at a time.
const BATCH: usize = 32;

/// `GET /__admin/requests?org=&method=&route=&status=&rule=&seq=&since=&after=&limit=&format=jsonl|har`.
///
/// Paged by `seq`: `after` (exclusive) and `limit` (default [`DEFAULT_PAGE`], at most
/// [`MAX_PAGE`]). The cursor for the next page is `next` in the JSON body and the
/// `X-Journal-Next` header in both formats; it is absent on the last page. The page is
/// streamed in batches, so a large journal never has to fit in memory twice. `format=har`
/// writes the page as a HAR 1.2 log ([`har`]) for tools that open archives.
pub(crate) fn list(state: &AppState, req: &ApiRequest) -> ApiResult<Response<Body>> {
    let mut m = Matcher::default();
    let mut jsonl = false;
    let mut har = false;
    let mut after = 0;
    let mut limit = DEFAULT_PAGE;
    let number = |k: &str, v: &str| {
        v.parse::<u64>()
            .map_err(|_| ApiError::bad_request(format!("{k}: expected a number, got {v:?}")))
    };
    for (k, v) in req.query_pairs().iter().cloned() {
        match k.as_str() {
            "org" => m.org = Some(v),
            "method" => m.method = Some(v),
            "route" => m.route = Some(v),
            "path" => m.path = Some(v),
            "rule" => m.rule = Some(v),
            "status" => {
                m.status = Some(u16::try_from(number(&k, &v)?).map_err(|_| {
                    ApiError::bad_request(format!("status: expected a status code, got {v:?}"))
                })?);
            }
            "seq" => m.seq = Some(number(&k, &v)?),
            "since" => m.since = Some(parse_time(&v).map_err(ApiError::bad_request)?),
            "after" => after = number(&k, &v)?,
            "limit" => {
                limit = match number(&k, &v)? {
                    n @ 1.. if n <= MAX_PAGE as u64 => n as usize,
                    _ => {
                        return Err(ApiError::bad_request(format!(
                            "limit: expected 1 to {MAX_PAGE}, got {v:?}"
                        )));
                    }
                };
            }
            "format" if v == "jsonl" => jsonl = true,
            "format" if v == "json" => {}
            "format" if v == "har" => har = true,
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown parameter {other:?}; use org, method, route, path, status, rule, seq, since, after, limit, format"
                )));
            }
        }
    }
    let end = state.journal.page_end(&m, after, limit);
    // HAR needs the server's origin (the journal keeps paths): the public URL, else the Host
    // the caller used.
    let origin =
        state.config.public_url.clone().unwrap_or_else(|| {
            format!("http://{}", req.header(header::HOST).unwrap_or("localhost"))
        });
    let origin = origin.trim_end_matches('/').to_owned();
    let head = if jsonl {
        String::new()
    } else if har {
        let doc = serde_json::to_string(&har::head()).unwrap_or_default();
        // `{"log":{...,"entries":[]}}` opened at its entries array.
        doc.trim_end_matches("]}}").to_owned()
    } else {
        let stats = serde_json::to_string(&state.journal.stats()).unwrap_or_default();
        let next = end.next.map_or("null".to_owned(), |n| n.to_string());
        format!("{{\"journal\":{stats},\"next\":{next},\"requests\":[")
    };
    let tail = match (jsonl, har) {
        (true, _) => "",
        (false, true) => "]}}",
        (false, false) => "]}",
    };
    let journal = state.journal.clone();
    let chunks = futures_util::stream::unfold(
        (Some(head), after, false),
        move |(head, cursor, started)| {
            let journal = journal.clone();
            let m = m.clone();
            let origin = origin.clone();
            async move {
                if let Some(head) = head {
                    return Some((Bytes::from(head), (None, cursor, started)));
                }
                if cursor >= end.last {
                    return None;
                }
                let batch = journal.batch(&m, cursor, end.last, BATCH);
                let Some(last) = batch.last() else {
                    // The rest of the page was dropped meanwhile.
                    return None;
                };
                let next_cursor = last.seq;
                let mut text = String::new();
                for (i, e) in batch.iter().enumerate() {
                    if !jsonl && (started || i > 0) {
                        text.push(',');
                    }
                    let written = if har {
                        serde_json::to_string(&har::entry(&har::from_entry(e, &origin)))
                    } else {
                        serde_json::to_string(e)
                    };
                    text.push_str(&written.unwrap_or_default());
                    if jsonl {
                        text.push('\n');
                    }
                }
                Some((Bytes::from(text), (None, next_cursor, true)))
            }
        },
    )
    .chain(futures_util::stream::once(async move {
        Bytes::from_static(tail.as_bytes())
    }))
    .map(|b| Ok::<_, BodyError>(Frame::data(b)));
    let mut resp = Response::new(BodyExt::boxed(StreamBody::new(chunks)));
    let content_type = if jsonl { "application/x-ndjson" } else { JSON };
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(next) = end.next {
        resp.headers_mut().insert(
            "x-journal-next",
            HeaderValue::from_str(&next.to_string()).expect("digits are a header value"),
        );
    }
    Ok(resp)
}

/// `POST /__admin/requests/count` with a matcher; near misses when nothing matches.
pub(crate) fn count(state: &AppState, req: &ApiRequest) -> ApiResult<Response<Body>> {
    super::document::known_params(req, &[])?;
    let m: Matcher = if super::document::is_blank(req) {
        Matcher::default()
    } else {
        super::document::parse(req, "matcher")?
    };
    let n = state.journal.count(&m);
    let mut body = json!({"count": n});
    if n == 0 {
        body["nearest"] = json!(state.journal.nearest(&m, NEAREST));
    }
    Ok(json(StatusCode::OK, &body))
}

/// `DELETE /__admin/requests`.
pub(crate) fn clear(state: &AppState, req: &ApiRequest) -> ApiResult<Response<Body>> {
    super::document::known_params(req, &[])?;
    super::document::none(req, "DELETE /__admin/requests")?;
    state.journal.clear();
    Ok(crate::edge::response::status_response(
        StatusCode::NO_CONTENT,
    ))
}
