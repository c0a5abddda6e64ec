# Shared helpers for `.ci/steps/*.sh`. Source it: `. "$(dirname "$0")/../lib.sh"`.
# Every helper fails loudly (set -e in the caller) rather than skipping.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CI_CACHE="${CI_CACHE:-$ROOT/target/ci}"
mkdir -p "$CI_CACHE"

# apt_install PKG...: installs Debian packages, running `apt-get update` once per run.
apt_install() {
  local missing=()
  # Only "install ok installed" counts: a removed package leaves its config files behind,
  # and `dpkg -s` still answers 0 for it.
  for p in "$@"; do
    [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ ! -f "$CI_CACHE/apt-updated.${CI_RUN_ID:-$$}" ]; then
    apt-get update -qq
    touch "$CI_CACHE/apt-updated.${CI_RUN_ID:-$$}"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ci_venv: a Python virtualenv shared by the steps, at $CI_VENV; prints nothing.
CI_VENV="$CI_CACHE/venv"
ci_venv() {
  [ -x "$CI_VENV/bin/python" ] || python3 -m venv "$CI_VENV"
}
# pip_install SPEC...: installs PyPI packages into the shared venv.
pip_install() {
  ci_venv
  "$CI_VENV/bin/pip" install -q --disable-pip-version-check "$@"
}

# The flags of the static release build, as the Dockerfile and the release workflow give them:
# glibc linked in (the binary runs in an empty image) and symbols stripped.
STATIC_TARGET=x86_64-unknown-linux-gnu
static_env() {
  RUSTFLAGS='-C target-feature=+crt-static' CARGO_PROFILE_RELEASE_STRIP=symbols "$@"
}

# static_binary: builds (cargo makes it a no-op when current) the statically linked release
# binary and prints its path. Steps that need a release build use this one, so CI compiles
# release code once; the wheel (.ci/steps/32-python.sh) is built by maturin with the same
# target and flags, so cargo finds it current and maturin packs this binary.
static_binary() {
  local bin="$ROOT/target/$STATIC_TARGET/release/genesys-scim-mock"
  (cd "$ROOT" && static_env cargo build --release --locked --target "$STATIC_TARGET" \
    --bin genesys-scim-mock >&2)
  echo "$bin"
}

# docker_engine: installs the engine and starts it. A fresh machine has only a docker client
# (/usr/local/bin/docker) and no daemon, so this installs Debian's engine packages: docker.io
# (which ships /usr/sbin/dockerd), containerd, runc and iptables. It then starts dockerd in the
# background unless an engine already answers, waits up to 30 s, and fails loudly (with the
# daemon's log) if it does not come up. Prints nothing on success.
docker_engine() {
  apt_install docker.io containerd runc iptables
  if ! command -v dockerd >/dev/null 2>&1; then
    echo "dockerd is not on PATH after installing docker.io" >&2
    return 1
  fi
  docker info >/dev/null 2>&1 && return 0
  local log="$CI_CACHE/dockerd.log"
  nohup dockerd >"$log" 2>&1 &
  for _ in $(seq 1 300); do
    docker info >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "dockerd did not start within 30 s; its log:" >&2
  tail -n 40 "$log" >&2
  return 1
}

# The image's canonical name, as the release workflow publishes it and every recipe names it
# (docs/ci.md), with the crate's version as its tag.
IMAGE_NAME=ghcr.io/genesys-scim-mock/genesys-scim-mock
crate_version() { sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -n1; }
IMAGE="$IMAGE_NAME:$(crate_version)"

# runtime_image: builds the Dockerfile's `runtime` stage around the static binary and tags it
# $IMAGE and genesys-scim-mock:latest (what `docker build -t genesys-scim-mock .` names it).
# Nothing can be pulled, so the stage's one `COPY --from=build` takes the binary, built on the
# host with the build stage's flags (static_binary), from the context instead. The engine's
# cache makes a second call cheap. Needs docker_engine first.
runtime_image() {
  local bin ctx
  bin="$(static_binary)"
  ctx="$(mktemp -d)"
  cp "$bin" "$ctx/genesys-scim-mock"
  cp -r "$ROOT/fixtures" "$ROOT/scenarios" "$ctx/"
  awk '/^FROM /{on = ($0 ~ / AS runtime$/)} on' "$ROOT/Dockerfile" \
    | sed -E 's#^COPY --from=build /out/genesys-scim-mock #COPY genesys-scim-mock #' > "$ctx/Dockerfile"
  if ! grep -q '^COPY genesys-scim-mock ' "$ctx/Dockerfile"; then
    echo "runtime stage has no COPY --from=build /out/genesys-scim-mock" >&2; rm -rf "$ctx"; return 1
  fi
  if grep -q -- '--from' "$ctx/Dockerfile"; then
    echo "runtime stage copies from a stage other than build" >&2; rm -rf "$ctx"; return 1
  fi
  # The legacy builder's deprecation notice goes to stderr: shown only when the build fails.
  if ! docker build -q -t "$IMAGE" -t genesys-scim-mock:latest "$ctx" >"$ctx/build.log" 2>&1; then
    cat "$ctx/build.log" >&2; rm -rf "$ctx"; return 1
  fi
  rm -rf "$ctx"
}

# recipe_files NAME DIR: writes each block of docs/ci.md (or $RECIPE_DOC, e.g. docs/record.md)
# marked `<!-- recipe: NAME file=FILE -->` to DIR/FILE and prints the file names (none when there
# is no such recipe).
recipe_files() {
  mkdir -p "$2"
  awk -v want="$1" -v dir="$2" '
    /^<!-- recipe: / { split($0, w, /[ =]/); on = (w[3] == want); file = w[5]; next }
    on && /^```/ && !inside { inside = 1; next }
    on && /^```/ && inside { inside = 0; on = 0; print file; close(dir "/" file); next }
    on && inside { print > (dir "/" file) }
  ' "$ROOT/${RECIPE_DOC:-docs/ci.md}"
}

# now_ms: milliseconds since the epoch, for step timings.
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# start_mock BIN WORKDIR [serve flags...]: starts `BIN serve` on a free loopback port with its
# log in WORKDIR/server.log, waits (10 s at most) until its health check answers, and sets
# MOCK_PID and MOCK_ADDR (host:port). The caller owns the cleanup trap.
start_mock() {
  local bin="$1" work="$2"; shift 2
  "$bin" serve --bind 127.0.0.1:0 --port-file "$work/port" --log-format json "$@" \
    2>"$work/server.log" &
  MOCK_PID=$!
  for _ in $(seq 1 100); do
    [ -s "$work/port" ] && "$bin" healthcheck --bind "$(cat "$work/port")" && break
    kill -0 "$MOCK_PID" 2>/dev/null || { cat "$work/server.log" >&2; echo "the mock did not start" >&2; exit 1; }
    sleep 0.1
  done
  [ -s "$work/port" ] || { echo "the mock did not write its port within 10 s" >&2; exit 1; }
  MOCK_ADDR="$(cat "$work/port")"
}
