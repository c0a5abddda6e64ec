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

# static_binary: builds (cargo makes it a no-op when current) the statically linked release
# binary and prints its path. Steps that need a release build use this one, so CI compiles
# release code once.
static_binary() {
  local bin="$ROOT/target/x86_64-unknown-linux-gnu/release/genesys-scim-mock"
  (cd "$ROOT" && RUSTFLAGS='-C target-feature=+crt-static' \
    cargo build --release --locked --target x86_64-unknown-linux-gnu --bin genesys-scim-mock >&2)
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
