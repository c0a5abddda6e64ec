"""Runs scim2-tester's checks on the User resource of a running mock, as a new user would
(discovery first, then every check the tester has). Under --profile rfc every check must
pass: there is no known-failure list for Users, and a skipped check fails the run too (a skip
would hide a feature the server stopped offering).

Usage: python scim2_tester_users.py BASE_URL CLIENT_ID CLIENT_SECRET
"""

import random
import sys

import httpx2
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

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

    bad, passed = [], 0
    for r in results:
        if r.status == Status.SUCCESS:
            passed += 1
            print(f"SUCCESS  {r.title}")
        else:
            bad.append(r)
            print(f"{r.status.name:8} {r.title}: {r.reason}")
    print(f"scim2-tester (User, --profile rfc): {passed} passed, {len(bad)} failed")
    if passed == 0:
        print("no check passed: the tester did not reach the server")
    return 1 if bad or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
