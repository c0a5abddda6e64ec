#!/usr/bin/env bash
# The library's documentation builds without a warning, so public docs link only public items
# (the public API is chosen in src/lib.rs; see docs/pipeline.md, "Public API"). Needs nothing
# beyond cargo; reuses the dependencies clippy already checked.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked
