#!/usr/bin/env bash
# docs/record.md's worked example, run as written: the Genesys Python SDK (PyPI
# PureCloudPlatformClientV2) recorded through `record` against a second mock, the bundle checked
# (the fixture loads, no secret in it), then replayed with `parity --fail-on-difference`.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
pip_install PureCloudPlatformClientV2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
t0=$(now_ms)
RECIPE_DOC=docs/record.md bash .ci/recipes.sh record-python "$work/record-python"
echo "   record-python: $(( $(now_ms) - t0 )) ms"
