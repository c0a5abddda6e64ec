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
trap 'kill "${MOCK_PID:-}" 2>/dev/null || true; wait "${MOCK_PID:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
# The default org with a users bound of 1000 (limits.usersPerOrg): every create adds a user
# (a delete is soft and keeps the record), so the users table reaches its bound within the
# first half and must stay there, its creates answered 400.
python3 - fixtures/default-org.json "$work/org.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["orgs"][0]["limits"] = {**doc["orgs"][0].get("limits", {}), "usersPerOrg": 1000}
json.dump(doc, open(sys.argv[2], "w"))
PY
start_mock "$bin" "$work" --seed 11 --rate-limit off --journal-bytes 8388608 --fixtures "$work/org.json"
server=$MOCK_PID

if ! timeout 60 python3 .ci/soak/load.py "http://$(cat "$work/port")" "$server" "${SOAK_SECONDS:-30}"; then
  echo "soak failed; the server's last log lines:" >&2
  tail -n 20 "$work/server.log" >&2
  exit 1
fi
kill -0 "$server" || { echo "the mock died during the soak" >&2; exit 1; }
