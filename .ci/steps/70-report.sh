#!/usr/bin/env bash
# The client report as a CI job sees it: the release binary serves, a sloppy client (curl)
# breaks rules, `genesys-scim-mock report` writes JUnit, Markdown and SARIF and exits 1 naming
# the broken rule; a careful client gets exit 0. Every JUnit file is validated against
# schemas/junit.xsd with xmllint (Debian libxml2-utils). Budget: under a minute after the shared
# release build.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"

apt_install libxml2-utils curl
command -v xmllint >/dev/null || { echo "70-report: xmllint is not installed" >&2; exit 1; }
bin=$(static_binary)
out="$CI_CACHE/report"
rm -rf "$out" && mkdir -p "$out"

server_pid=
stop() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; server_pid=; }
trap stop EXIT

# serve: starts a fresh server on a free port and sets $B to its URL.
serve() {
  rm -f "$out/port"
  "$bin" serve --bind 127.0.0.1:0 --port-file "$out/port" --seed 7 >"$out/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do [ -s "$out/port" ] && break; sleep 0.05; done
  [ -s "$out/port" ] || { echo "70-report: the server did not start" >&2; cat "$out/server.log" >&2; exit 1; }
  B="http://$(cat "$out/port")"
  T=$(curl -fsS -u mock-client-id:mock-client-secret -d grant_type=client_credentials "$B/oauth/token" \
    | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
}

# gate NAME: runs `report` with every format into $out/NAME.*; sets $code.
gate() {
  set +e
  "$bin" report --url "$B" --report "junit:$out/$1.xml" --report "markdown:$out/$1.md" \
    --report "sarif:$out/$1.sarif" --fail-on error 2>"$out/$1.stderr"
  code=$?
  set -e
  xmllint --noout --schema schemas/junit.xsd "$out/$1.xml"
  python3 -m json.tool "$out/$1.sarif" >/dev/null
}

# A sloppy client: a group create (error) and a page of 100 (warning).
serve
curl -fsS -o /dev/null -H "Authorization: Bearer $T" "$B/api/v2/scim/v2/Users?count=100"
curl -sS -o /dev/null -H "Authorization: Bearer $T" -H 'Content-Type: application/scim+json' \
  -d '{"displayName": "New <group> & \"quotes\""}' "$B/api/v2/scim/v2/Groups"
gate sloppy
[ "$code" = 1 ] || { echo "70-report: a broken rule should exit 1, got $code" >&2; cat "$out/sloppy.stderr" >&2; exit 1; }
grep -q '^genesys-scim-mock: report: error group-create-or-delete: 1 finding' "$out/sloppy.stderr" \
  || { echo "70-report: stderr does not name the rule:" >&2; cat "$out/sloppy.stderr" >&2; exit 1; }
grep -q '| 🟠 warning | `page-size` | 1 |' "$out/sloppy.md"
grep -q '<failure ' "$out/sloppy.xml"
stop

# A careful client: one token, pages of 25.
serve
curl -fsS -o /dev/null -H "Authorization: Bearer $T" "$B/api/v2/scim/v2/Users?count=25"
gate careful
[ "$code" = 0 ] || { echo "70-report: a careful client should exit 0, got $code" >&2; cat "$out/careful.stderr" >&2; exit 1; }
if grep -q '<failure ' "$out/careful.xml"; then echo "70-report: unexpected failure in careful.xml" >&2; exit 1; fi
stop

# The README's CI example, run verbatim: it must fail the build on a sloppy sync and pass a
# careful one.
example="$out/readme-example.sh"
awk '/<!-- ci-example/{on=1; next} on && /^```sh/{inblock=1; next} inblock && /^```/{exit} inblock' README.md >"$example"
[ "$(wc -l <"$example")" -ge 3 ] || { echo "70-report: README has no ci-example block" >&2; exit 1; }
mkdir -p "$out/bin" && ln -sf "$bin" "$out/bin/genesys-scim-mock"
readme_run() {
  local dir="$out/readme-$1"
  rm -rf "$dir" && mkdir -p "$dir"
  # The client reads what the README says it reads (and every recipe sets): the SCIM URL and
  # the client's credentials, its token fetched from $GENESYS_MOCK_URL/oauth/token.
  cat >"$dir/sync-users.sh" <<SYNC
#!/bin/sh
T=\$(curl -fsS -u "\$GENESYS_MOCK_CLIENT_ID:\$GENESYS_MOCK_CLIENT_SECRET" -d grant_type=client_credentials \
  "\$GENESYS_MOCK_URL/oauth/token" | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')
curl -sS -o /dev/null -H "Authorization: Bearer \$T" "\$GENESYS_MOCK_SCIM_URL/Users?count=25"
[ "$1" = sloppy ] && curl -sS -o /dev/null -H "Authorization: Bearer \$T" \
  -H 'Content-Type: application/scim+json' -d '{"displayName": "New"}' "\$GENESYS_MOCK_SCIM_URL/Groups"
exit 0
SYNC
  chmod +x "$dir/sync-users.sh"
  set +e
  (cd "$dir" && PATH="$out/bin:$PATH" GITHUB_STEP_SUMMARY="$dir/summary.md" bash "$example" >"$dir/stdout" 2>"$dir/stderr")
  code=$?
  set -e
  xmllint --noout --schema schemas/junit.xsd "$dir/scim-report.xml"
  grep -q '## SCIM client report' "$dir/summary.md"
}
readme_run sloppy
[ "$code" != 0 ] || { echo "70-report: the README example passed a sloppy client" >&2; exit 1; }
grep -q 'report: error group-create-or-delete' "$out/readme-sloppy/stderr" \
  || { echo "70-report: the README example did not name the rule:" >&2; cat "$out/readme-sloppy/stderr" >&2; exit 1; }
readme_run careful
[ "$code" = 0 ] || { echo "70-report: the README example failed a careful client ($code)" >&2; cat "$out/readme-careful/stderr" >&2; exit 1; }
echo "   report: sloppy client exit 1, careful client exit 0, README example fails and passes them; JUnit valid against schemas/junit.xsd"
