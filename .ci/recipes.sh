#!/usr/bin/env bash
# recipes.sh NAME DIR: writes the recipe NAME from docs/ci.md (or $RECIPE_DOC) into DIR (each block marked
# `<!-- recipe: NAME file=FILE -->` becomes DIR/FILE) and runs it. The recipes are tested as
# written; only what a recipe leaves to the reader (its test image) is supplied here, by the
# ordinary mechanism for it (a compose override file).
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
name=$1 dir=$2 doc=${RECIPE_DOC:-docs/ci.md}
mkdir -p "$dir"
extract() {  # extract NAME DIR: one file per marked block; prints the file names
  awk -v want="$1" -v dir="$2" '
    /^<!-- recipe: / { split($0, w, /[ =]/); on = (w[3] == want); file = w[5]; next }
    on && /^```/ && !inside { inside = 1; next }
    on && /^```/ && inside { inside = 0; on = 0; print file; close(dir "/" file); next }
    on && inside { print > (dir "/" file) }
  ' "$doc"
}
files=$(extract "$name" "$dir")
[ -n "$files" ] || { echo "$doc has no recipe $name" >&2; exit 1; }
case "$name" in
  compose)
    # The test service is the reader's: here it is the image itself, probing its neighbour by
    # host name, which only succeeds once compose has waited for service_healthy.
    cat > "$dir/ci-override.yaml" <<'YAML'
services:
  tests:
    image: genesys-scim-mock:latest
    command: ["healthcheck", "--bind", "gsm:8080", "--timeout-ms", "500"]
YAML
    project="gsmci$$"
    t0=$(now_ms)
    (cd "$dir" && docker-compose -p "$project" -f compose.yaml -f ci-override.yaml up \
        --exit-code-from tests --abort-on-container-exit >"$dir/up.log" 2>&1) || {
      cat "$dir/up.log" >&2
      (cd "$dir" && docker-compose -p "$project" -f compose.yaml -f ci-override.yaml down -t 1 >/dev/null 2>&1)
      echo "compose recipe failed" >&2; exit 1; }
    took=$(( $(now_ms) - t0 ))
    gsm=$(docker ps -aq --filter "label=com.docker.compose.project=$project" --filter "label=com.docker.compose.service=gsm")
    healthy_at=$(docker inspect -f '{{range .State.Health.Log}}{{if eq .ExitCode 0}}{{.End}}{{"\n"}}{{end}}{{end}}' "$gsm" | head -n1)
    tests=$(docker ps -aq --filter "label=com.docker.compose.project=$project" --filter "label=com.docker.compose.service=tests")
    tests_started=$(docker inspect -f '{{.State.StartedAt}}' "$tests")
    (cd "$dir" && docker-compose -p "$project" -f compose.yaml -f ci-override.yaml down -t 1 >/dev/null 2>&1)
    [ -n "$healthy_at" ] || { echo "compose: gsm never passed a health check" >&2; exit 1; }
    # RFC 3339 timestamps of one clock: the test service started after gsm was healthy.
    h=$(date -d "${healthy_at% UTC}" +%s%N) s=$(date -d "$tests_started" +%s%N)
    [ "$s" -ge "$h" ] || { echo "compose: tests started before gsm was healthy" >&2; exit 1; }
    echo "   compose: up to tests passing in $took ms; tests started $(( (s - h) / 1000000 )) ms after healthy"
    ;;
  testcontainers-python)
    before=$(docker ps -aq --filter ancestor=genesys-scim-mock:latest | wc -l)
    TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_CONNECTION_MODE=docker_host \
      TESTCONTAINERS_HOST_OVERRIDE=localhost \
      "$CI_VENV/bin/python" -m pytest -q -p no:cacheprovider "$dir/test_gsm.py"
    after=$(docker ps -aq --filter ancestor=genesys-scim-mock:latest | wc -l)
    [ "$after" -eq "$before" ] || { echo "testcontainers left a container behind" >&2; exit 1; }
    ;;
  makefile)
    bin="$(static_binary)"
    (cd "$dir" && make --no-print-directory test-scim MOCK="$bin")
    [ -s "$dir/target/mock/requests.jsonl" ] && [ -s "$dir/target/mock/orgs/default.json" ] \
      || { echo "makefile: exec left no artifacts in target/mock" >&2; exit 1; }
    ;;
  python-sdk)
    "$(static_binary)" exec --seed 1 -- "$CI_VENV/bin/python" "$dir/provision.py"
    ;;
  js-sdk)
    # The SDK from npm, installed beside the script (the cache keeps it between runs).
    modules="$CI_CACHE/js-sdk"
    mkdir -p "$modules"
    [ -f "$modules/package.json" ] || echo '{"name":"gsm-ci-js-sdk","private":true}' > "$modules/package.json"
    [ -d "$modules/node_modules/purecloud-platform-client-v2" ] \
      || (cd "$modules" && npm install --no-audit --no-fund --loglevel=error purecloud-platform-client-v2 >/dev/null)
    NODE_PATH="$modules/node_modules" "$(static_binary)" exec --seed 1 -- node "$dir/provision.js"
    ;;
  entra)
    "$(static_binary)" exec --seed 1 -- sh "$dir/entra-replay.sh"
    ;;
  record-python)
    # The example runs from its own directory with the binary and the venv's python3 on PATH.
    bin="$(static_binary)"
    (cd "$dir" && PATH="$(dirname "$bin"):$CI_VENV/bin:$PATH" sh record.sh)
    ;;
  *) echo "recipes.sh: no runner for $name" >&2; exit 1 ;;
esac
