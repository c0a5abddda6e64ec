#!/usr/bin/env bash
# The library's documentation builds without a warning, twice:
# - the public docs, so they link only public items (the public API is chosen in src/lib.rs;
#   see docs/pipeline.md, "Public API");
# - every item, private ones included, so no doc comment inside the crate links to something
#   that moved or never existed (a broken intra-doc link is an error either way).
# Needs nothing beyond cargo; reuses the dependencies clippy already checked.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked --document-private-items
