#!/usr/bin/env bash
# The dashboard (/__admin/ui) in a real headless Chromium: Debian's chromium, driven by
# playwright-core (npm, no browser download) from tests/browser/dashboard.test.mjs, against the
# release binary with an admin token, a scenario and scripted client traffic. Screenshots land
# in target/ci/artifacts/. Budget: about 2 minutes (most of it the shared release build).
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"

apt_install chromium
CHROMIUM=/usr/bin/chromium
if ! version=$("$CHROMIUM" --headless --no-sandbox --disable-gpu --version 2>&1); then
  echo "60-browser: $CHROMIUM cannot start: $version" >&2
  exit 1
fi
echo "   $version"
command -v node >/dev/null || { echo "60-browser: node is not installed" >&2; exit 1; }

bin=$(static_binary)
(cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
mkdir -p target/ci/artifacts
GSM_BIN="$bin" CHROMIUM="$CHROMIUM" ARTIFACTS="$ROOT/target/ci/artifacts" \
  timeout 120 node --test tests/browser/dashboard.test.mjs
ls target/ci/artifacts/dashboard*.png
