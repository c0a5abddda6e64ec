#!/usr/bin/env bash
# The test handle without the command line: what a client crate gets with
# `default-features = false`. Builds the library alone without `cli` (no dev-dependencies, so
# tokio's features are the library's own, not the tests' `full`), then each optional feature
# alone, and runs the MockServer tests and the client-crate example against the minimal build
# (tests/features.rs checks the dependency tree itself).
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
cargo build --locked --lib --no-default-features
for feature in report-formats expect dashboard; do
  cargo check --locked --lib --no-default-features --features "$feature"
done
cargo test --locked --no-default-features --test mock_server --example client_crate_test
