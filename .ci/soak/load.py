"""Mixed load against the mock for a fixed time, sampling its resident memory once a second.

Usage: load.py BASE PID SECONDS

Eight threads, each on its own keep-alive connection, cycle through: list and filtered reads,
creates, patches and deletes, token requests (HTTP Basic and form), bodies near the size
limit, oversized declared bodies, long headers and bogus or missing tokens. Every answer must
be a status below 500 (a 503 only for the connection cap, which this load does not reach).

Prints one JSON object: requests sent, answers by status class, RSS samples (KiB), and the
plateau check: the largest RSS over the last third of the run may exceed the largest over the
middle third by at most 20 % plus 8 MiB. Exits 1 when it does, or on any server error.
"""

import base64
import http.client
import json
import sys
import threading
import time
import urllib.parse

BASE, PID, SECONDS = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
HOST = urllib.parse.urlparse(BASE).netloc
SCIM = "/api/v2/scim/v2"
BASIC = "Basic " + base64.b64encode(b"mock-client-id:mock-client-secret").decode()
FORM = "grant_type=client_credentials&client_id=mock-client-id&client_secret=mock-client-secret"

lock = threading.Lock()
counts = {"sent": 0, "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0, "errors": 0}
failures = []


def rss_kib():
    with open(f"/proc/{PID}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def worker(n, deadline):
    conn = http.client.HTTPConnection(HOST, timeout=10)

    def call(method, path, body=None, headers=None):
        nonlocal conn
        for attempt in range(2):
            try:
                conn.request(method, path, body=body, headers=headers or {})
                resp = conn.getresponse()
                data = resp.read()
                if resp.getheader("connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, timeout=10)
                return resp.status, data
            except (http.client.HTTPException, OSError):
                conn.close()
                conn = http.client.HTTPConnection(HOST, timeout=10)
                if attempt:
                    return 0, b""
        return 0, b""

    def token():
        status, data = call("POST", "/oauth/token", FORM,
                            {"content-type": "application/x-www-form-urlencoded"})
        return json.loads(data)["access_token"] if status == 200 else "none"

    tok = token()
    auth = {"authorization": "Bearer " + tok, "content-type": "application/scim+json"}
    i = 0
    while time.time() < deadline:
        i += 1
        kind = i % 10
        if kind == 0:
            r = call("GET", f"{SCIM}/Users?count=100", headers=auth)
        elif kind == 1:
            r = call("GET", f"{SCIM}/Users?filter=" + urllib.parse.quote('userName eq "maria.garcia@example.com"'), headers=auth)
        elif kind == 2:
            body = json.dumps({"userName": f"soak-{n}-{i}@example.com", "displayName": f"Soak {n} {i}",
                               "password": "never-stored"})
            status, data = call("POST", f"{SCIM}/Users", body, auth)
            r = (status, data)
            if status == 201:
                uid = json.loads(data)["id"]
                patch = json.dumps({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                                    "Operations": [{"op": "replace", "path": "displayName", "value": "x"}]})
                call("PATCH", f"{SCIM}/Users/{uid}", patch, auth)
                call("DELETE", f"{SCIM}/Users/{uid}", headers=auth)
        elif kind == 3:
            r = call("POST", "/oauth/token", "grant_type=client_credentials",
                     {"authorization": BASIC, "content-type": "application/x-www-form-urlencoded"})
        elif kind == 4:
            r = call("POST", f"{SCIM}/Users", "x" * 500_000, auth)
        elif kind == 5:
            r = call("GET", f"{SCIM}/Users/nope", headers={"authorization": "Bearer bogus-" + str(i)})
        elif kind == 6:
            r = call("GET", f"{SCIM}/Groups", headers={})
        elif kind == 7:
            r = call("GET", f"{SCIM}/Users?count=5", headers={**auth, "x-padding": "p" * 60_000})
        elif kind == 8:
            chain = " or ".join(["userName eq x"] * 300)
            r = call("GET", f"{SCIM}/Users?filter=" + urllib.parse.quote(chain), headers=auth)
        else:
            tok = token()
            auth["authorization"] = "Bearer " + tok
            r = call("GET", f"{SCIM}/ServiceProviderConfig", headers=auth)
        status = r[0]
        with lock:
            counts["sent"] += 1
            if status == 0:
                counts["errors"] += 1
            else:
                counts[f"{status // 100}xx"] += 1
                if status >= 500:
                    failures.append((kind, status, r[1][:200].decode("utf-8", "replace")))


def main():
    deadline = time.time() + SECONDS
    threads = [threading.Thread(target=worker, args=(n, deadline), daemon=True) for n in range(8)]
    for t in threads:
        t.start()
    samples = []
    while time.time() < deadline:
        samples.append(rss_kib())
        time.sleep(1)
    for t in threads:
        t.join(timeout=15)
    third = max(1, len(samples) // 3)
    middle = max(samples[third:2 * third] or samples)
    last = max(samples[2 * third:] or samples)
    allowed = middle * 1.2 + 8 * 1024
    ok = last <= allowed and not failures and counts["errors"] == 0
    print(json.dumps({"counts": counts, "rss_kib": samples, "plateau": {
        "middle_max_kib": middle, "last_max_kib": last, "allowed_kib": int(allowed), "ok": ok},
        "server_errors": failures[:5]}))
    sys.exit(0 if ok else 1)


main()
