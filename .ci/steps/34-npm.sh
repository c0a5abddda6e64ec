#!/usr/bin/env bash
# The npm packages as a user gets them: `npm pack` of genesys-scim-mock and of the linux-x64
# platform package around the shared static build (the other platforms are the release
# workflow's), both tarballs installed into a scratch project with Vitest, Jest, TypeScript,
# Testcontainers and the official Genesys JavaScript SDK (purecloud-platform-client-v2) from npm;
# then the binary found through optionalDependencies and through GENESYS_SCIM_MOCK_BINARY, the
# Vitest and Jest suites of npm/tests, the type declarations compiled by tsc, and docs/ci.md's
# testcontainers-node recipe against the image in the real engine.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
fail() { echo "34-npm: $*" >&2; exit 1; }
command -v node >/dev/null || apt_install nodejs npm
work="$CI_CACHE/npm-packages"
rm -rf "$work" && mkdir -p "$work/project"
export NO_COLOR=1 npm_config_cache="$CI_CACHE/npm-cache" npm_config_audit=false npm_config_fund=false \
  npm_config_update_notifier=false

echo "-- pack the main package and the linux-x64 platform package"
bin="$(static_binary)"
version=$(crate_version)
(cd npm/genesys-scim-mock && npm pack --silent --pack-destination "$work" >/dev/null)
node npm/platform/make-package.js linux-x64 "$bin" "$work/linux-x64" >/dev/null
(cd "$work/linux-x64" && npm pack --silent --pack-destination "$work" >/dev/null)
main_tgz="$work/genesys-scim-mock-$version.tgz"
platform_tgz="$work/genesys-scim-mock-linux-x64-$version.tgz"
[ -f "$main_tgz" ] && [ -f "$platform_tgz" ] || fail "expected $main_tgz and $platform_tgz (the crate's version)"
listing=$(tar -tzf "$main_tgz")
grep -q 'genesys-scim-mock$' <<<"$listing" && fail "the main package carries a binary"
for f in index.d.ts vitest.d.ts jest/globalSetup.js jest/globalTeardown.js testcontainers.d.ts bin/genesys-scim-mock.js; do
  grep -qx "package/$f" <<<"$listing" || fail "the main package lacks $f"
done
tar -xOzf "$platform_tgz" package/bin/genesys-scim-mock | cmp -s - "$bin" || fail "the platform package's binary is not the static build"
echo "   $(basename "$main_tgz"): $(stat -c %s "$main_tgz") bytes; $(basename "$platform_tgz"): $(stat -c %s "$platform_tgz") bytes"

echo "-- a scratch project installs both tarballs and the test tools from npm"
cd "$work/project"
echo '{"name": "gsm-ci-scratch", "private": true}' > package.json
t0=$(now_ms)
npm install --prefer-offline --loglevel=error "$main_tgz" "$platform_tgz" \
  vitest@4 jest@30 typescript@5 @types/node@20 'testcontainers@>=10.10 <12' purecloud-platform-client-v2 >/dev/null
echo "   installed in $(( $(now_ms) - t0 )) ms"
[ -x node_modules/@genesys-scim-mock/linux-x64/bin/genesys-scim-mock ] || fail "the platform package is not installed"
[ "$(npx --no-install genesys-scim-mock --version)" = "genesys-scim-mock $version" ] || fail "npx genesys-scim-mock --version"

echo "-- the binary: the platform package, GENESYS_SCIM_MOCK_BINARY, and a clear error without either"
found=$(node -p 'require("genesys-scim-mock").findBinary()')
[ "$found" = "$PWD/node_modules/@genesys-scim-mock/linux-x64/bin/genesys-scim-mock" ] || fail "findBinary() gave $found"
cp "$bin" "$work/elsewhere"
[ "$(GENESYS_SCIM_MOCK_BINARY="$work/elsewhere" node -p 'require("genesys-scim-mock").findBinary()')" = "$work/elsewhere" ] \
  || fail "GENESYS_SCIM_MOCK_BINARY is not honoured"
mv node_modules/@genesys-scim-mock "$work/hidden"
if node -e 'require("genesys-scim-mock").findBinary()' 2>"$work/missing.log"; then fail "findBinary() found a binary that is not installed"; fi
mv "$work/hidden" node_modules/@genesys-scim-mock
grep -q 'npm/cli#4828' "$work/missing.log" && grep -q GENESYS_SCIM_MOCK_BINARY "$work/missing.log" \
  || { cat "$work/missing.log" >&2; fail "the missing-platform error does not say what to do"; }

cp -r "$ROOT/npm/tests/." .
recipe_files shared-script "$work" >/dev/null
export GSM_SHARED_SCRIPT="$work/run-scim-tests.sh"

echo "-- Vitest: genesys-scim-mock/vitest as globalSetup, the Genesys SDK"
t0=$(now_ms)
npx --no-install vitest run --reporter=dot || fail "the Vitest suite failed"
echo "   $(( $(now_ms) - t0 )) ms"

echo "-- Jest: genesys-scim-mock/jest/globalSetup and globalTeardown, the Genesys SDK"
t0=$(now_ms)
npx --no-install jest --silent || fail "the Jest suite failed"
echo "   $(( $(now_ms) - t0 )) ms"
pgrep -f "$PWD/node_modules/@genesys-scim-mock/linux-x64/bin/genesys-scim-mock" >/dev/null \
  && fail "a server outlived its suite"

echo "-- the type declarations (tsc --noEmit)"
npx --no-install tsc -p . || fail "types.ts does not compile against the declarations"

echo "-- docs/ci.md's testcontainers-node recipe, in the scratch project"
cd "$ROOT"
apt_install docker.io containerd runc iptables
docker_engine
runtime_image
GSM_NODE_PROJECT="$work/project" bash .ci/recipes.sh testcontainers-node "$work/testcontainers"
