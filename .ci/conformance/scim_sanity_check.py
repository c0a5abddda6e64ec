"""Checks the JSON report of `scim-sanity probe --json-output` against what the mock must do
under --profile rfc.

Usage: python scim_sanity_check.py REPORT.json users|all

`users` (a run with `--resource User`): every result passes or is skipped.
`all` (every resource): the only failure is `POST /Groups` answered 405, because Genesys Cloud
SCIM cannot create groups and the mock refuses it in both profiles (docs/conformance.md). The
probe then skips the rest of the group lifecycle, group delete included.
"""

import json
import sys

# Result name -> text its message must contain.
KNOWN_IN_ALL = {"POST /Groups": "got 405"}


def main() -> int:
    report, scope = json.load(open(sys.argv[1])), sys.argv[2]
    results = report["results"]
    known = KNOWN_IN_ALL if scope == "all" else {}
    bad, seen = [], set()
    for r in results:
        if r["status"] in ("pass", "skip"):
            continue
        expected = known.get(r["name"])
        if expected is not None and expected in r.get("message", ""):
            seen.add(r["name"])
            print(f"KNOWN  {r['name']}: {r.get('message', '')}")
        else:
            bad.append(r)
            print(f"{r['status'].upper():6} {r['name']}: {r.get('message', '')}")
    passed = sum(r["status"] == "pass" for r in results)
    gone = sorted(set(known) - seen)
    print(
        f"scim-sanity ({scope}, --profile rfc, --strict): {passed} passed, "
        f"{len(results) - passed - sum(r['status'] == 'skip' for r in results)} failed "
        f"({len(seen)} known, {len(bad)} unexpected)"
    )
    if gone:
        print(f"known failures that no longer happen (update the list): {', '.join(gone)}")
    return 1 if bad or gone or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
