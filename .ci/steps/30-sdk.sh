#!/usr/bin/env bash
# The recipes of docs/ci.md that need no container engine, run as written: the shared test
# script under exec, a Makefile target with exec, the Genesys Python SDK (PyPI
# PureCloudPlatformClientV2), the Genesys JavaScript SDK (npm purecloud-platform-client-v2), and
# an Entra-style provisioning replay; then the README's curl walkthrough against a server.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
apt_install make curl
command -v node >/dev/null || apt_install nodejs npm
pip_install PureCloudPlatformClientV2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for recipe in shared-script makefile python-sdk js-sdk entra; do
  t0=$(now_ms)
  bash .ci/recipes.sh "$recipe" "$work/$recipe"
  echo "   $recipe: $(( $(now_ms) - t0 )) ms"
done

echo "-- the README's walkthrough, verbatim but for its base URL"
walk="$work/walkthrough.sh"
awk '/<!-- walkthrough/{on=1; next} on && /^```sh/{inblock=1; next} inblock && /^```/{exit} inblock' README.md >"$walk"
grep -q '^B=http://127.0.0.1:8080$' "$walk" || { echo "30-sdk: the walkthrough no longer sets B" >&2; exit 1; }
sed -i 's#^B=http://127.0.0.1:8080$#B=$GENESYS_MOCK_URL#' "$walk"
"$(static_binary)" exec --seed 1 -- sh -eu "$walk" >"$work/walkthrough.out" 2>"$work/walkthrough.err" \
  || { cat "$work/walkthrough.out" "$work/walkthrough.err" >&2; echo "30-sdk: the walkthrough failed" >&2; exit 1; }
out="$work/walkthrough.out"
# Step 2 set ID; each answer ends its own line (step 3 a list, step 4 the user, step 5 a 204).
id=$(sed -n 's/^created //p' "$out")
[ -n "$id" ] || { cat "$out" >&2; echo "30-sdk: step 2 did not set ID" >&2; exit 1; }
grep -q '^{.*"totalResults":1.*}$' "$out" || { cat "$out" >&2; echo "30-sdk: step 3's answer is not one line" >&2; exit 1; }
grep -q "^{.*\"id\":\"$id\".*\"active\":false.*}\$" "$out" || { cat "$out" >&2; echo "30-sdk: step 4 did not disable $id" >&2; exit 1; }
grep -q '^HTTP/1.1 204' "$out" || { cat "$out" >&2; echo "30-sdk: step 5 did not delete" >&2; exit 1; }
echo "   walkthrough: user $id created, found, disabled and deleted; every answer on its own line"
