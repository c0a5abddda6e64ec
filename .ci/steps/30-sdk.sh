#!/usr/bin/env bash
# The recipes of docs/ci.md that need no container engine, run as written: a Makefile target
# with exec, the Genesys Python SDK (PyPI PureCloudPlatformClientV2), the Genesys JavaScript
# SDK (npm purecloud-platform-client-v2), and an Entra-style provisioning replay.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
apt_install make curl
command -v node >/dev/null || apt_install nodejs npm
pip_install PureCloudPlatformClientV2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for recipe in makefile python-sdk js-sdk entra; do
  t0=$(now_ms)
  bash .ci/recipes.sh "$recipe" "$work/$recipe"
  echo "   $recipe: $(( $(now_ms) - t0 )) ms"
done
