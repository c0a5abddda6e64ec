"""Runs scim2-tester's checks on the User resource of a running mock, as a new user would
(discovery first, then every check the tester has), and compares the outcome with the known
failures below. Exits non-zero when a check fails that is not listed, or when a listed failure
no longer happens (then the list, and docs/conformance.md, must be updated).

Usage: python scim2_tester_users.py BASE_URL CLIENT_ID CLIENT_SECRET
"""

import random
import sys

import httpx2
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

# Check title -> text its failure reason must contain. See docs/conformance.md, "scim2-tester".
# `active` is `returned: always` in both profiles (every Genesys user has a state), so a
# PATCH that removes it leaves it there. Nothing else about Users may fail.
KNOWN_FAILURES = {
    "check_remove_attribute": "did not remove attribute 'active'",
}


def main() -> int:
    base, client_id, secret = sys.argv[1:4]
    random.seed(7)
    token = (
        httpx2.post(
            f"{base}/oauth/token",
            auth=(client_id, secret),
            data={"grant_type": "client_credentials"},
        )
        .raise_for_status()
        .json()["access_token"]
    )
    http = httpx2.Client(
        base_url=f"{base}/api/v2/scim/v2",
        headers={"Authorization": f"Bearer {token}"},
    )
    results = check_server(SyncSCIMClient(http), resource_types=["User"])

    unexpected, seen = [], set()
    passed = 0
    for r in results:
        if r.status in (Status.SUCCESS, Status.SKIPPED):
            passed += 1
            print(f"{r.status.name:8} {r.title}")
            continue
        reason = str(r.reason)
        known = KNOWN_FAILURES.get(r.title)
        if known is not None and known in reason:
            seen.add(r.title)
            print(f"KNOWN    {r.title}: {reason.splitlines()[0]}")
        else:
            unexpected.append(r)
            print(f"{r.status.name:8} {r.title}: {reason}")
    gone = sorted(set(KNOWN_FAILURES) - seen)
    failed = len(results) - passed
    print(
        f"scim2-tester (User, --profile rfc): {passed} passed, {failed} failed "
        f"({len(seen)} known, {len(unexpected)} unexpected)"
    )
    if gone:
        print(f"known failures that no longer happen (update the list): {', '.join(gone)}")
    if passed == 0:
        print("no check passed: the tester did not reach the server")
    return 1 if unexpected or gone or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
