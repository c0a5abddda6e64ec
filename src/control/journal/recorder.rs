//! The journal's side of one request: [`Recording`] owns the request context while the
//! pipeline answers, and turns it into an entry (redacted and cut, outside the journal's lock)
//! when the answer is known, or when the request is dropped unanswered.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use http::{Response, header};
use http_body_util::BodyExt;

use super::entry::Entry;
use super::redaction::token_fingerprint;
use super::ring::Journal;
use super::truncation;
use crate::edge::response::{Body, full};
use crate::pipeline::context::ApiRequest;

/// What the scenario engine did to a request, for its journal entry.
#[derive(Debug, Clone, Default)]
pub(crate) struct ScenarioEffect {
    pub scenario: Option<String>,
    pub rule: Option<String>,
    pub fault: Option<&'static str>,
    /// The status the client saw, when it differs from the response object's (0: none).
    pub status: Option<u16>,
}

/// The journal entry of a request still being answered: it owns the request context, which
/// the pipeline borrows while it answers ([`Recording::parts`]), and which becomes the entry
/// without being copied. Finishing it records the exchange; dropping it unfinished (the client
/// went away and hyper dropped the handler, e.g. during a `hang`) records the request with
/// status 0, so every request appears exactly once.
#[derive(Debug)]
pub(crate) struct Recording<'j> {
    /// Borrowed, not cloned: a clone per request is two reference counts that both cores
    /// write.
    journal: &'j Journal,
    req: ApiRequest,
    /// Whether the request is recorded at all (the control plane is not; see
    /// `Route::is_control_plane`).
    journalled: bool,
    /// Set once the entry is written, so dropping a finished entry writes nothing.
    written: bool,
    arrived: DateTime<Utc>,
    started: std::time::Instant,
    /// What the scenario engine did; the router fills it in.
    outcome: ScenarioEffect,
    retry_after: Option<String>,
    /// The response body needs no redaction: it is the mock's own documents
    /// (`edge::response::OwnKeys` in the request context, the body still of their length) and
    /// no key they can hold is on the redaction list.
    response_clean: bool,
}

impl<'j> Recording<'j> {
    /// Starts an entry for `req`, which arrived at `arrived` (server clock); `started` times it.
    pub(crate) fn new(
        journal: &'j Journal,
        req: ApiRequest,
        arrived: DateTime<Utc>,
        started: std::time::Instant,
    ) -> Self {
        let journalled = !journal.off && req.route.as_ref().map_or(true, |r| !r.is_control_plane());
        Self {
            journal,
            req,
            journalled,
            written: false,
            arrived,
            started,
            outcome: ScenarioEffect::default(),
            retry_after: None,
            response_clean: false,
        }
    }

    /// The request, to answer it, and the outcome, for the router to fill in.
    pub(crate) fn parts(&mut self) -> (&ApiRequest, &mut ScenarioEffect) {
        (&self.req, &mut self.outcome)
    }

    /// Lends the request out whole, for a thread of the blocking pool to answer; the router
    /// puts it back ([`Recording::put_back`]) before the entry is finished.
    pub(crate) fn lend(&mut self) -> ApiRequest {
        std::mem::take(&mut self.req)
    }

    /// Takes back the request [`Recording::lend`] lent.
    pub(crate) fn put_back(&mut self, req: ApiRequest) {
        self.req = req;
    }

    /// Records the exchange (admin calls excepted) and hands the response back. Buffered
    /// bodies are read (they are in memory already) and put back; streamed and faulted ones
    /// are not touched.
    pub(crate) async fn finish(mut self, resp: Response<Body>) -> Response<Body> {
        if !self.journalled {
            // Admin answers are not journaled, and some are streamed: leave them.
            self.written = true;
            return resp;
        }
        self.retry_after = resp
            .headers()
            .get(header::RETRY_AFTER)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        // A handler that answered with the mock's own documents left their bytes in the request
        // context (`edge::response::OwnKeys`): while the body is still of their length (nothing
        // replaced it on the way), they are what is sent, and the response is left as it is.
        let own = self.req.document.get().cloned().filter(|o| {
            hyper::body::Body::size_hint(resp.body()).exact() == Some(o.body.len() as u64)
        });
        let (resp, response_body) = if self.outcome.fault.is_some() {
            (resp, None)
        } else if let Some(own) = own {
            self.response_clean = !self.journal.redaction.covers_any(own.keys);
            let sent = own.body;
            (resp, Some(sent))
        } else {
            let (parts, body) = resp.into_parts();
            match body.collect().await {
                Ok(c) => {
                    // Redacted, cut and flagged when the journal stores it.
                    let bytes = c.to_bytes();
                    let kept = bytes.clone();
                    (Response::from_parts(parts, full(bytes)), Some(kept))
                }
                Err(_) => (Response::from_parts(parts, full(Bytes::new())), None),
            }
        };
        let status = self
            .outcome
            .status
            .unwrap_or_else(|| resp.status().as_u16());
        self.write(status, response_body);
        resp
    }

    /// Shapes the exchange into an entry (redacted, cut: see [`truncation`]) and records it.
    /// Everything shaping does runs here, outside the journal's lock.
    fn write(&mut self, status: u16, response_body: Option<Bytes>) {
        if std::mem::replace(&mut self.written, true) || !self.journalled {
            return;
        }
        let req = std::mem::take(&mut self.req);
        let redaction = &*self.journal.redaction;
        let (headers, headers_truncated) = truncation::headers(&req.headers, redaction);
        let (body, body_truncated) = truncation::request_body(&req.body, redaction);
        let (response_body, response_body_truncated) = match &response_body {
            Some(sent) => {
                let (text, cut) = truncation::response_body(sent, redaction, self.response_clean);
                (Some(text), cut)
            }
            None => (None, false),
        };
        let query = req.query.map(|q| match redaction.form(&q) {
            std::borrow::Cow::Owned(redacted) => redacted,
            std::borrow::Cow::Borrowed(_) => q,
        });
        let outcome = std::mem::take(&mut self.outcome);
        let caller = req.caller;
        let token = caller.bearer().map(token_fingerprint);
        self.journal.push(Entry {
            seq: 0,
            timestamp: self.arrived,
            correlation_id: req.correlation_id,
            method: req.method,
            path: req.path,
            query,
            headers,
            headers_truncated,
            body,
            body_truncated,
            status,
            response_body,
            response_body_truncated,
            route: req.route_name,
            org: caller.org,
            client: caller.client,
            token,
            retry_after: self.retry_after.take(),
            scenario: outcome.scenario,
            rule: outcome.rule,
            fault: outcome.fault,
            missing_permissions: req.refused.get().copied().unwrap_or_default(),
            duration_ms: self.started.elapsed().as_secs_f64() * 1000.0,
        });
    }
}

impl Drop for Recording<'_> {
    fn drop(&mut self) {
        self.write(0, None);
    }
}
