#!/usr/bin/env bash
# Soak: about 30 s of mixed load on loopback (reads, writes, token requests, bodies at and
# over the size limit, long headers, long filters, bogus tokens) against the release binary.
# Fails on any 5xx or dropped connection, or when resident memory does not level off (see
# .ci/soak/load.py). The plateau is recorded in docs/limits.md. Budget: 0.75 minutes.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"

bin=${SOAK_BIN:-$(static_binary)}
work=$(mktemp -d)
# A small journal byte budget, so the journal reaches its bound within the first seconds and
# what follows shows whether anything else keeps growing.
"$bin" serve --bind 127.0.0.1:0 --port-file "$work/port" --seed 11 --rate-limit off \
  --journal-bytes 8388608 --log-format json 2>"$work/server.log" &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  [ -s "$work/port" ] && "$bin" healthcheck --bind "$(cat "$work/port")" && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; echo "the mock did not start" >&2; exit 1; }
  sleep 0.1
done
[ -s "$work/port" ] || { echo "the mock did not write its port within 10 s" >&2; exit 1; }

if ! timeout 60 python3 .ci/soak/load.py "http://$(cat "$work/port")" "$server" "${SOAK_SECONDS:-30}"; then
  echo "soak failed; the server's last log lines:" >&2
  tail -n 20 "$work/server.log" >&2
  exit 1
fi
kill -0 "$server" || { echo "the mock died during the soak" >&2; exit 1; }
