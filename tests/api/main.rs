//! Black-box tests: each starts the real server on 127.0.0.1:0 and talks HTTP to it.

// Test modules share helpers through `pub`; nothing here is a public API.
#![allow(unreachable_pub)]

mod admin;
mod admin_bodies;
mod auth;
mod binary;
mod clock;
mod concurrency;
mod conventions;
mod cross_site;
mod dashboard;
mod discovery;
mod exec;
mod expect;
mod externalid;
mod faults;
mod fixtures;
mod gate;
mod groups;
#[allow(dead_code)] // each helper is used by some test modules, not all
mod helpers;
mod hostile;
mod hosts;
mod journal;
mod journal_bounds;
mod limits;
mod mapping;
mod packages;
mod patch;
mod permissions;
mod pipeline;
mod platform;
mod process_limits;
mod profile;
mod recipes;
mod record;
mod render_cache;
mod report;
mod reported;
mod scenarios;
mod smoke;
mod sockets;
mod table_bounds;
mod users;
