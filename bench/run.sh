#!/usr/bin/env bash
# The benchmark (method and results: docs/benchmarks.md). Loopback only; not part of CI.
#
#   bench/run.sh [--users N] [--duration SECONDS] [--runs R] [--peer wiremock] [--only W1,W3]
#   bench/run.sh --grow 1000000 [--grow-minutes M]   (the long write run instead)
#
# Builds the release binary, installs wrk from the OS packages if it is missing, generates a
# fixture (cached in bench/out/), measures start-up and memory, then runs W0..W7 with 64
# connections for a bounded time each, R times interleaved, and prints medians with each
# workload's ratio to W0 measured in the same run. With --peer wiremock it also runs W1..W4
# against WireMock standalone (npm package `wiremock`, Java 17) with canned stubs.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked

if ! command -v wrk >/dev/null 2>&1; then
  echo "bench: installing wrk (apt)" >&2
  sudo_=""
  [ "$(id -u)" = 0 ] || sudo_="sudo"
  $sudo_ apt-get install -y wrk || { $sudo_ apt-get update && $sudo_ apt-get install -y wrk; }
fi
command -v wrk >/dev/null || { echo "bench: wrk is not available" >&2; exit 1; }
command -v curl >/dev/null || { echo "bench: curl is required" >&2; exit 1; }

exec python3 bench/run.py "$@"
