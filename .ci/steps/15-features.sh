#!/usr/bin/env bash
# The test handle without the command line: what a client crate gets with
# `default-features = false`. Builds the library without `cli` and runs the MockServer tests and
# the client-crate example against it (tests/features.rs checks the dependency tree itself).
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
cargo test --locked --no-default-features --test mock_server --example client_crate_test
