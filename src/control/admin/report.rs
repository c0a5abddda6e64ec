//! `GET /__admin/report`: the client report (`src/control/report/`) over the journal, in one format.
//!
//! Query: `format` (json, junit, markdown, sarif), `org`, `from`/`to` (mark names),
//! `idempotent` (the mark where the second run starts), `rules` (only these ids,
//! comma-separated), `level` (`ID:LEVEL`, comma-separated or repeated; LEVEL is error,
//! warning, info or off), `threshold` (`NAME:N`), `fail-on` (error, warning, info: which
//! findings are JUnit failures), `links` (`server`: entry URLs on this server; `seq`: entries
//! named by `seq`, for a report read after the server stops), `journal` (the journal export
//! that holds them; implies `links=seq`). Settings layer as documented in `report::settings`.

use http::{HeaderValue, Response, StatusCode, header};

use crate::control::report::format::{Format, Options};
use crate::control::report::options::EntryLinks;
use crate::control::report::settings::{Layer, Settings, known_rule};
use crate::control::report::severity::Severity;
use crate::control::report::{self, Request};
use crate::edge::response::{Body, full};
use crate::error::{ApiError, ApiResult};
use crate::pipeline::context::ApiRequest;
use crate::state::AppState;

const PARAMS: &str =
    "format, org, from, to, idempotent, rules, level, threshold, fail-on, links, journal";

/// What a report query asks for.
#[derive(Debug, Clone)]
pub(crate) struct Query {
    pub request: Request,
    pub format: Format,
    pub options: Options,
}

/// Parses the query of `GET /__admin/report` over the server's settings layers.
pub(crate) fn parse(state: &AppState, pairs: &[(String, String)]) -> Result<Query, String> {
    let mut settings = Settings::default();
    settings.apply(&state.config.report)?;
    for layer in state.scenarios.report_layers() {
        settings.apply(&layer)?;
    }
    let mut request = Request::default();
    let mut format = Format::Json;
    let mut options = Options::default();
    let mut query = Layer::default();
    let mut only: Option<Vec<&'static str>> = None;
    let items = |v: &str| -> Vec<String> {
        v.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    for (k, v) in pairs {
        match k.as_str() {
            "format" => format = Format::parse(v)?,
            "org" => request.org = Some(v.clone()),
            "from" => request.from = Some(v.clone()),
            "to" => request.to = Some(v.clone()),
            "idempotent" => request.idempotent = Some(v.clone()),
            "rules" => {
                let ids = only.get_or_insert_with(Vec::new);
                for id in items(v) {
                    ids.push(known_rule(&id).map_err(|e| format!("rules: {e}"))?.id);
                }
            }
            "level" => {
                for a in items(v) {
                    query.assign_rule(&a).map_err(|e| format!("level: {e}"))?;
                }
            }
            "threshold" => {
                for a in items(v) {
                    query
                        .assign_threshold(&a)
                        .map_err(|e| format!("threshold: {e}"))?;
                }
            }
            "fail-on" => {
                options.fail_on = Some(Severity::parse(v).map_err(|e| format!("fail-on: {e}"))?);
            }
            "links" => {
                options.links = match (v.as_str(), options.links) {
                    ("server", _) => EntryLinks::Server,
                    ("seq", EntryLinks::Seq(file)) => EntryLinks::Seq(file),
                    ("seq", EntryLinks::Server) => EntryLinks::Seq(None),
                    _ => return Err(format!("links: expected server or seq, got {v:?}")),
                }
            }
            "journal" if v.is_empty() => return Err("journal: the path is empty".to_owned()),
            "journal" => options.links = EntryLinks::Seq(Some(v.clone())),
            other => return Err(format!("unknown parameter {other:?}; use {PARAMS}")),
        }
    }
    settings.apply(&query)?;
    if let Some(ids) = &only {
        settings.only(ids);
    }
    request.settings = settings;
    Ok(Query {
        request,
        format,
        options,
    })
}

/// `GET /__admin/report`.
pub(crate) fn get(state: &AppState, req: &ApiRequest) -> ApiResult<Response<Body>> {
    let mut q = parse(state, req.query_pairs()).map_err(ApiError::bad_request)?;
    q.options.base_url = Some(state.origin_for(req));
    let report = report::build(&state.journal, &q.request, state.clock.now())
        .map_err(ApiError::bad_request)?;
    let text = report::format::render(&report, q.format, &q.options);
    let mut resp = Response::new(full(text));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(q.format.content_type()),
    );
    *resp.status_mut() = StatusCode::OK;
    Ok(resp)
}
