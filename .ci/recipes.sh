#!/usr/bin/env bash
# recipes.sh NAME DIR: writes the recipe NAME from docs/ci.md (or $RECIPE_DOC) into DIR (each block marked
# `<!-- recipe: NAME file=FILE -->` becomes DIR/FILE) and runs it. The recipes are tested as
# written; only what a recipe leaves to the reader is supplied here, by the ordinary mechanism
# for it: the shared test script a job runs (itself a recipe), a compose test service's image
# (an override file), the Python or Node project the Testcontainers recipes run in (GSM_PYTHON,
# GSM_NODE_PROJECT, set by the steps that build those).
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
name=$1 dir=$2 doc=${RECIPE_DOC:-docs/ci.md}
mkdir -p "$dir"
files=$(recipe_files "$name" "$dir")
[ -n "$files" ] || { echo "$doc has no recipe $name" >&2; exit 1; }
case "$name" in
  compose)
    # The test service is the reader's: here an image FROM scratch holding Debian's static
    # busybox and the shared script, which can only pass once compose has waited for
    # service_healthy and the mock's Location names gsm:8080.
    apt_install busybox-static
    recipe_files shared-script "$dir/tests-image" >/dev/null
    cp /bin/busybox "$dir/tests-image/busybox"
    cat > "$dir/tests-image/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
COPY run-scim-tests.sh /run-scim-tests.sh
ENV PATH=/bin
WORKDIR /
DOCKERFILE
    docker build -q -t gsm-ci-tests:latest "$dir/tests-image" >"$dir/build.log" 2>&1 \
      || { cat "$dir/build.log" >&2; exit 1; }
    cat > "$dir/ci-override.yaml" <<'YAML'
services:
  tests:
    image: gsm-ci-tests:latest
YAML
    project="gsmci$$"
    t0=$(now_ms)
    (cd "$dir" && docker-compose -p "$project" -f compose.yaml -f ci-override.yaml up \
        --exit-code-from tests --abort-on-container-exit >"$dir/up.log" 2>&1) || {
      cat "$dir/up.log" >&2
      (cd "$dir" && docker-compose -p "$project" -f compose.yaml -f ci-override.yaml down -t 1 >/dev/null 2>&1)
      echo "compose recipe failed" >&2; exit 1; }
    took=$(( $(now_ms) - t0 ))
    grep -q 'read it back at http://gsm:8080/api/v2/scim/v2/Users/' "$dir/up.log" \
      || { cat "$dir/up.log" >&2; echo "compose: the test service did not read its user back" >&2; exit 1; }
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
  github-service)
    # The runner's way (.ci/github-service.py), with the shared script as the job's step.
    recipe_files shared-script "$dir" >/dev/null
    chmod +x "$dir/run-scim-tests.sh"
    pip_install pyyaml
    t0=$(now_ms)
    "$CI_VENV/bin/python" .ci/github-service.py "$dir/scim.yml" scim "$dir" \
      || { echo "github-service: the recipe's job failed" >&2; exit 1; }
    echo "   github-service: job passed in $(( $(now_ms) - t0 )) ms"
    # The same job with the shell-form health command the recipe warns about: the runner must
    # fail it (every probe dies on the missing /bin/sh), or the check above proves nothing.
    sed -E 's#^( +options: .*)$#\1 --health-cmd "/usr/local/bin/genesys-scim-mock healthcheck" --health-interval 500ms --health-retries 2 --health-start-period 1ms#' \
      "$dir/scim.yml" > "$dir/scim-shell.yml"
    grep -q -- '--health-cmd' "$dir/scim-shell.yml" || { echo "github-service: no options line to extend" >&2; exit 1; }
    if "$CI_VENV/bin/python" .ci/github-service.py "$dir/scim-shell.yml" scim "$dir" >"$dir/shell.log" 2>&1; then
      cat "$dir/shell.log" >&2; echo "github-service: a shell-form --health-cmd did not fail the job" >&2; exit 1
    fi
    grep -q 'service is unhealthy' "$dir/shell.log" || { cat "$dir/shell.log" >&2; exit 1; }
    grep -q '/bin/sh' "$dir/shell.log" || { cat "$dir/shell.log" >&2; echo "github-service: failed for another reason" >&2; exit 1; }
    echo "   github-service: the same job with --health-cmd fails (unhealthy: no /bin/sh in the image)"
    ;;
  shared-script)
    "$(static_binary)" exec --seed 1 -- sh "$dir/run-scim-tests.sh"
    ;;
  testcontainers-python)
    # In the virtualenv .ci/steps/32-python.sh made from the wheel alone.
    [ -x "${GSM_PYTHON:-}" ] || { echo "testcontainers-python: GSM_PYTHON (the wheel's virtualenv python) is not set" >&2; exit 1; }
    before=$(docker ps -aq --filter ancestor="$IMAGE" | wc -l)
    TESTCONTAINERS_RYUK_DISABLED=true "$GSM_PYTHON" -m pytest -q -p no:cacheprovider "$dir/test_gsm.py"
    after=$(docker ps -aq --filter ancestor="$IMAGE" | wc -l)
    [ "$after" -eq "$before" ] || { echo "testcontainers left a container behind" >&2; exit 1; }
    ;;
  testcontainers-node)
    # In the scratch project .ci/steps/34-npm.sh installed the packed tarballs into.
    [ -d "${GSM_NODE_PROJECT:-}/node_modules/genesys-scim-mock" ] \
      || { echo "testcontainers-node: GSM_NODE_PROJECT (the scratch npm project) is not set" >&2; exit 1; }
    cp "$dir/gsm.test.js" "$GSM_NODE_PROJECT/gsm.test.js"
    before=$(docker ps -aq --filter ancestor="$IMAGE" | wc -l)
    (cd "$GSM_NODE_PROJECT" && TESTCONTAINERS_RYUK_DISABLED=true node --test gsm.test.js)
    after=$(docker ps -aq --filter ancestor="$IMAGE" | wc -l)
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
