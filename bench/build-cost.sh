#!/usr/bin/env bash
# What a Rust user pays to build the test handle (docs/benchmarks.md, "Build cost").
#
#   bench/build-cost.sh [--rounds N] [--jobs J]
#
# Writes two minimal client crates under bench/out/build-cost/, each with one test that starts
# a mock, sends one request over a plain std TcpStream (no HTTP client, so only the handle is
# measured) and checks the answer:
#   ours      genesys-scim-mock = { path = <this repo>, default-features = false }
#   wiremock  wiremock = "0.6", tokio = { features = ["macros", "rt"] } (its tests need a runtime)
# Dependencies are fetched first (not timed); then, sequentially and in the same run, each
# crate's own target directory is removed and `cargo test --offline` is timed from clean.
# Rounds alternate the order. Prints the wall time, the CPU time (user + sys, which other
# builds on the machine disturb less) and the number of crates compiled, and the load average.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
rounds=1
jobs=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --jobs) jobs="-j $2"; shift 2 ;;
    *) echo "usage: bench/build-cost.sh [--rounds N] [--jobs J]" >&2; exit 2 ;;
  esac
done
out=bench/out/build-cost
mkdir -p "$out/ours/tests" "$out/wiremock/tests"

cat >"$out/ours/Cargo.toml" <<EOF
[package]
name = "client-ours"
version = "0.0.0"
edition = "2021"
publish = false

[dev-dependencies]
genesys-scim-mock = { path = "$repo", default-features = false }
EOF
cat >"$out/ours/tests/handle.rs" <<'EOF'
use std::io::{Read, Write};

#[test]
fn the_mock_answers() {
    let server = genesys_scim_mock::MockServer::start();
    let mut s = std::net::TcpStream::connect(server.addr()).unwrap();
    s.write_all(b"GET /__admin/health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}
EOF
# The same versions as this repository's own lock file, where they overlap.
[ -f "$out/ours/Cargo.lock" ] || cp Cargo.lock "$out/ours/Cargo.lock"

cat >"$out/wiremock/Cargo.toml" <<'EOF'
[package]
name = "client-wiremock"
version = "0.0.0"
edition = "2021"
publish = false

[dev-dependencies]
wiremock = "0.6"
tokio = { version = "1", features = ["macros", "rt"] }
EOF
cat >"$out/wiremock/tests/handle.rs" <<'EOF'
use std::io::{Read, Write};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn the_mock_answers() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/__admin/health"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let addr = *server.address();
    let answer = tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.write_all(b"GET /__admin/health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        answer
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}
EOF

for c in ours wiremock; do
  (cd "$out/$c" && cargo fetch --quiet)
done

measure() {
  local c=$1 log="$out/$1.log"
  rm -rf "$out/$c/target"
  local t0 t1 cpu
  t0=$(date +%s.%N)
  # `time -p` of bash: user and sys of the children (every rustc), for the CPU figure.
  { TIMEFORMAT='%U %S'; time (cd "$out/$c" && CARGO_TARGET_DIR=target cargo test --offline $jobs >"../$c.stdout" 2>"../$c.log"); } 2>"$out/$c.cpu"
  t1=$(date +%s.%N)
  cpu=$(awk '{printf "%.1f", $1 + $2}' "$out/$c.cpu")
  local crates
  crates=$(grep -c '^ *Compiling ' "$log" || true)
  grep -q 'test result: ok. 1 passed' "$out/$c.stdout" || { echo "build-cost: $c's test did not pass" >&2; cat "$log" >&2; exit 1; }
  printf '%-9s wall %6.1f s  cpu %6.1f s  crates %3d  (load average before: %s)\n' \
    "$c" "$(awk "BEGIN{print $t1 - $t0}")" "$cpu" "$crates" "$2"
}

echo "build-cost: $(date -u +%FT%TZ), $(nproc) cores, $(rustc --version)"
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) = 1 ]; then order="ours wiremock"; else order="wiremock ours"; fi
  for c in $order; do
    measure "$c" "$(cut -d' ' -f1-3 /proc/loadavg)"
  done
done
