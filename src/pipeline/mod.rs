//! The request pipeline: a path becomes a [`route::Route`], a request becomes a
//! [`context::Session`]-carrying context, and [`dispatch`] runs the stages (scenario, auth,
//! rate limits, handler, journal) in order. `route` and `context` sit low, below the handlers
//! that read them; `dispatch` sits above the handlers it calls (`docs/pipeline.md`).

pub(crate) mod context;
pub(crate) mod dispatch;
pub(crate) mod route;
