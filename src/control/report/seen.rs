//! One journal entry as the rules see it: the entry, plus what several rules need from it
//! (decoded query, parsed request and response bodies, the resource it addresses), each
//! computed at most once and only when a rule asks.

use std::cell::OnceCell;

use serde_json::Value;

use crate::control::journal::Entry;
use crate::scim::schema::ResourceKind;

/// A body as the rules can use it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Body {
    /// No body was sent (or none was recorded for the response).
    Absent,
    Json(Value),
    /// The body is there but cannot be checked; the reason says why (cut by the journal's
    /// size limit, redacted, not JSON).
    Unreadable(&'static str),
}

impl Body {
    /// The JSON value, if there is one.
    pub(crate) fn json(&self) -> Option<&Value> {
        match self {
            Self::Json(v) => Some(v),
            _ => None,
        }
    }
}

/// An entry with lazily computed views.
#[derive(Debug)]
pub(crate) struct Seen<'a> {
    pub(crate) e: &'a Entry,
    query: OnceCell<Vec<(String, String)>>,
    body: OnceCell<Body>,
    response: OnceCell<Body>,
}

impl<'a> Seen<'a> {
    /// Wraps an entry.
    pub(crate) fn new(e: &'a Entry) -> Self {
        Self {
            e,
            query: OnceCell::new(),
            body: OnceCell::new(),
            response: OnceCell::new(),
        }
    }

    /// The route name (`users.patch`, ...).
    pub(crate) fn route(&self) -> &str {
        self.e.route
    }

    /// Whether the route is a SCIM or platform API call (not a token request, not unknown).
    pub(crate) fn is_api(&self) -> bool {
        let r = self.route();
        !(r == "oauth.token" || r == "unknown" || r.starts_with("admin"))
    }

    /// Whether the request writes (POST, PUT, PATCH, DELETE) on an API route.
    pub(crate) fn is_write(&self) -> bool {
        self.is_api() && matches!(self.e.method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE")
    }

    /// Users or Groups, for SCIM resource routes.
    pub(crate) fn kind(&self) -> Option<ResourceKind> {
        let r = self.route();
        if r.starts_with("users.") {
            Some(ResourceKind::User)
        } else if r.starts_with("groups.") {
            Some(ResourceKind::Group)
        } else {
            None
        }
    }

    /// The id in `/Users/{id}` or `/Groups/{id}` (decoded), for routes on one resource.
    pub(crate) fn resource_id(&self) -> Option<String> {
        if !matches!(
            self.route(),
            "users.get"
                | "users.replace"
                | "users.patch"
                | "users.delete"
                | "groups.get"
                | "groups.replace"
                | "groups.patch"
                | "groups.delete"
        ) {
            return None;
        }
        crate::pipeline::route::segments(&self.e.path).ok()?.pop()
    }

    /// A key naming the resource across both SCIM trees: `users/<id>`.
    pub(crate) fn resource_key(&self) -> Option<String> {
        let kind = match self.kind()? {
            ResourceKind::User => "users",
            ResourceKind::Group => "groups",
        };
        Some(format!("{kind}/{}", self.resource_id()?))
    }

    /// Decoded query parameters in order.
    pub(crate) fn query(&self) -> &[(String, String)] {
        self.query.get_or_init(|| match &self.e.query {
            Some(q) => form_urlencoded::parse(q.as_bytes()).into_owned().collect(),
            None => Vec::new(),
        })
    }

    /// The first value of a query parameter (name matched case-insensitively).
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.query()
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A request header (name matched case-insensitively).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.e
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// The request body.
    pub(crate) fn body(&self) -> &Body {
        self.body
            .get_or_init(|| parse(&self.e.body.as_str(), self.e.body_truncated))
    }

    /// The response body.
    pub(crate) fn response(&self) -> &Body {
        self.response.get_or_init(|| match &self.e.response_body {
            None => Body::Unreadable("the journal holds no response body (a fault or a stream)"),
            Some(text) => parse(&text.as_str(), self.e.response_body_truncated),
        })
    }

    /// Whether the request failed in a way that says nothing about whether it took effect:
    /// a 5xx, 408, no response (status 0, e.g. the client gave up on a hang) or a fault below
    /// the status line.
    pub(crate) fn failed_transiently(&self) -> bool {
        let s = self.e.status;
        s == 0 || s == 408 || s >= 500 || self.e.fault.is_some()
    }

    /// The mock-clock arrival time in milliseconds.
    pub(crate) fn at_ms(&self) -> i64 {
        self.e.timestamp.timestamp_millis()
    }
}

fn parse(text: &str, truncated: bool) -> Body {
    if truncated {
        return Body::Unreadable("the body was cut at the journal's size limit");
    }
    if text.trim().is_empty() {
        return Body::Absent;
    }
    match serde_json::from_str(text) {
        Ok(v) => Body::Json(v),
        Err(_) if text.contains("<redacted>") => Body::Unreadable("the body was redacted"),
        Err(_) => Body::Unreadable("the body is not JSON"),
    }
}
