"""Instructions per request, counted by callgrind: the benchmark's steady figure.

    python3 bench/profile.py [--users 20000] [--requests 300] [--only W1,W4] [--annotate W1]
                             [-- extra serve flags]

Wall-clock ratios swing with the load of a shared machine; instruction counts do not (the same
binary, inputs and requests give the same count whatever else runs). For each workload the
release server is started under `valgrind --tool=callgrind --instr-atstart=no`, warmed with
a few requests, then counting is switched on (`callgrind_control -i on`) for exactly
`--requests` sequential requests on one keep-alive connection and dumped, so start-up is not
counted. The figure is the dump's total instructions divided by the requests: everything the
server did for them (parsing, routing, the journal, rendering, writing the socket).
`--annotate W1` keeps that workload's dump as bench/out/callgrind.W1.last and prints `callgrind_annotate`'s top
functions. Loopback only; not part of CI; needs valgrind (`apt-get install valgrind`).
"""

import argparse
import base64
import http.client
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the benchmark's workloads and fixture targets)

OUT = run.OUT


def request(conn, method, path, body, tok, n):
    headers = {"Authorization": f"Bearer {tok}"} if tok else {}
    payload = None
    if body == "create":
        payload = json.dumps({"userName": f"prof-{n}-{time.time_ns()}@bench.example.com",
                              "displayName": f"Profile User {n}",
                              "emails": [{"type": "work", "value": f"p{n}@bench.example.com"}]})
    elif body == "patch":
        payload = json.dumps({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                              "Operations": [{"op": "replace", "path": "title",
                                              "value": f"Title {n}"}]})
    if payload is not None:
        headers["Content-Type"] = "application/scim+json"
    conn.request(method, path, body=payload, headers=headers)
    r = conn.getresponse()
    r.read()
    if r.status >= 300:
        raise SystemExit(f"profile: {method} {path} answered {r.status}")


def profile(fixture, workload, t, requests, extra, keep):
    name, _, method, path, body = workload
    out = OUT / f"callgrind.{name.replace(' ', '_')}.out"
    port_file = OUT / "port"
    port_file.unlink(missing_ok=True)
    cmd = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
           str(run.BIN), "serve", "--bind", "127.0.0.1:0", "--port-file", str(port_file),
           "--rate-limit", "off", "--seed", "1", "--fixtures", str(fixture), *extra]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 600
        while not (port_file.exists() and port_file.read_text().strip()):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("profile: the server did not start under valgrind")
            time.sleep(0.2)
        host, port = port_file.read_text().strip().rsplit(":", 1)
        while not run.healthy(f"http://{host}:{port}"):
            time.sleep(0.2)
        tok = run.token(f"http://{host}:{port}", "bench-client-id:bench-client-secret")
        conn = http.client.HTTPConnection(host, int(port), timeout=120)
        for i in range(20):
            request(conn, method, path, body, tok, -i - 1)
        subprocess.run(["callgrind_control", "-i", "on", str(proc.pid)], check=True,
                       stdout=subprocess.DEVNULL)
        for i in range(requests):
            request(conn, method, path, body, tok, i)
        subprocess.run(["callgrind_control", "-i", "off", str(proc.pid)], check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run(["callgrind_control", "-d", str(proc.pid)], check=True,
                       stdout=subprocess.DEVNULL)
        conn.close()
    finally:
        proc.terminate()
        proc.wait(60)
    dumps = list(OUT.glob(out.name + "*"))
    counts = {}
    for d in dumps:
        counts[d] = max((int(line.split()[1]) for line in d.read_text(errors="replace")
                         .splitlines() if line.startswith(("summary:", "totals:"))), default=0)
    total = sum(counts.values())
    if keep:
        ann = subprocess.run(["callgrind_annotate", "--inclusive=no",
                              str(max(counts, key=counts.get))],
                             capture_output=True, text=True).stdout
        print("\n".join(ann.splitlines()[:60]))
        shutil.copy(max(counts, key=counts.get), OUT / f"callgrind.{name.replace(' ', '_')}.last")
    for d in dumps:
        d.unlink()
    return total / requests


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=20_000)
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--only", default="W0,W1,W2,W3,W4,W5")
    ap.add_argument("--annotate", default="")
    ap.add_argument("extra", nargs="*", help="extra serve flags (after --)")
    a = ap.parse_args()
    if not shutil.which("valgrind"):
        raise SystemExit("profile: needs valgrind (apt-get install valgrind)")
    OUT.mkdir(parents=True, exist_ok=True)
    fixture = OUT / f"org-{a.users}-50.json"
    if not fixture.exists():
        subprocess.run([str(run.BIN), "generate-fixture", "--users", str(a.users), "--groups",
                        "50", "--seed", "1", "--org", "bench", "--out", str(fixture)], check=True)
    t = run.targets(fixture)
    wanted = a.only.split(",")
    rows = []
    for w in run.workloads(t):
        if w[0] not in wanted:
            continue
        # W5 pages at 50,001; with a smaller org, page at its middle instead.
        if w[0] == "W5" and t["users"] < 60_000:
            w = (*w[:3], run.q(f"{run.SCIM}/Users", startIndex=str(t["users"] // 2),
                               count="25"), w[4])
        per = profile(fixture, w, t, a.requests, a.extra, w[0] == a.annotate)
        rows.append((w[0], w[1], per))
        print(f"profile: {w[0]:<20} {per:>12,.0f} instructions/request", file=sys.stderr,
              flush=True)
    print("| workload | what | instructions per request |")
    print("| --- | --- | ---: |")
    for name, label, per in rows:
        print(f"| {name} | {label} | {per:,.0f} |")


if __name__ == "__main__":
    main()
