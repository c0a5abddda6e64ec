#!/usr/bin/env bash
# A real headless Chromium (Debian's chromium, driven over CDP by playwright-core from npm, no
# browser download; so no chromium-driver) against the release binary:
# - tests/browser/dashboard.test.mjs: the dashboard (/__admin/ui) with an admin token, a
#   scenario and scripted client traffic; screenshots land in target/ci/artifacts/;
# - tests/browser/cross_site.test.mjs: with no admin token (the default), a page served from
#   another loopback port tries every request a page can send to the admin API, and a
#   scenario's text/html answer is opened; the mock's state must not change, and the mock
#   reached under a foreign name (DNS rebinding, via --host-resolver-rules) must refuse.
# Budget: about 2 minutes (most of it the shared release build).
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
GSM_BIN="$bin" CHROMIUM="$CHROMIUM" timeout 120 node --test tests/browser/cross_site.test.mjs
ls target/ci/artifacts/dashboard*.png
