//! The request pipeline (part `pipeline`): routing, the request context, the stages in order.
//! `route` and `context` import `store`, `error` and below; `dispatch` imports `api`, `control`.
//!
//! A path becomes a [`route::Route`], a request becomes the [`context::ApiRequest`] every stage
//! borrows, and [`dispatch`] runs the stages (scenario, auth, rate limits, handler, journal) in
//! order. `route` and `context` sit low, below the handlers that read them; `dispatch` sits
//! above the handlers it calls (`docs/pipeline.md`).

pub(crate) mod context;
pub(crate) mod dispatch;
pub(crate) mod route;
