"""Drives the benchmark for bench/run.sh: servers, wrk runs, medians and ratios.

Everything binds 127.0.0.1. Each wrk run is bounded by --duration; the whole run by the
number of workloads times runs times duration (about 8 minutes with the defaults).
"""

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "release" / "genesys-scim-mock"
OUT = ROOT / "bench" / "out"
LUA = ROOT / "bench" / "wrk" / "workload.lua"
SCIM = "/api/v2/scim/v2"
ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GEN = "urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User"
WIREMOCK_VERSION = "3.13.2"


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def rss_kb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def healthy(base):
    try:
        with urllib.request.urlopen(base + "/__admin/health", timeout=0.5) as r:
            return r.status == 200
    except OSError:
        return False


class Server:
    """The mock, started on a free port; `startup_ms` is exec to the first health answer."""

    def __init__(self, args):
        port_file = OUT / "port"
        port_file.unlink(missing_ok=True)
        cmd = [str(BIN), "serve", "--bind", "127.0.0.1:0", "--port-file", str(port_file),
               "--rate-limit", "off", "--seed", "1", *args]
        t0 = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = t0 + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"bench: server exited: {' '.join(cmd)}")
            if port_file.exists() and port_file.read_text().strip():
                self.base = "http://" + port_file.read_text().strip()
                if healthy(self.base):
                    break
            time.sleep(0.001)
        else:
            raise SystemExit("bench: server did not answer within 120 s")
        self.startup_ms = (time.monotonic() - t0) * 1000
        self.pid = self.proc.pid

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def token(base, client):
    data = b"grant_type=client_credentials"
    req = urllib.request.Request(base + "/oauth/token", data=data)
    import base64
    req.add_header("Authorization", "Basic " + base64.b64encode(client.encode()).decode())
    req.add_header("Content-Type", "application/x-www-form-urlencoded")
    with urllib.request.urlopen(req) as r:
        return json.load(r)["access_token"]


def targets(fixture):
    """A user that has every indexed attribute, and the largest group, from the fixture."""
    doc = json.loads(fixture.read_text())["orgs"][0]
    users = doc["users"]
    pick = None
    for u in users[len(users) // 2:]:
        if ("genesys" not in u and u.get("active") and not u.get("deleted")
                and u.get(ENT, {}).get("manager") and u.get("emails")):
            pick = u
            break
    if pick is None:
        raise SystemExit("bench: no suitable user in the fixture")
    group = max(doc["groups"], key=lambda g: len(g["members"]))
    return {
        "id": pick["id"],
        "userName": pick["userName"],
        "email": pick["emails"][0]["value"],
        "employeeNumber": pick[ENT]["employeeNumber"],
        "manager": pick[ENT]["manager"]["value"],
        "externalId": pick["externalId"],
        "group": group["id"],
        "group_members": len(group["members"]),
        "users": len(users),
    }


def q(path, **params):
    return path + "?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


def workloads(t):
    ext = f'externalIds[authority eq "x-pc:scimv2:v1" and value eq "{t["externalId"]}"]'
    return [
        ("W0", "GET /__admin/health", "GET", "/__admin/health", "none"),
        ("W1", "GET /Users/{id}", "GET", f"{SCIM}/Users/{t['id']}", "none"),
        ("W2", "filter userName eq", "GET",
         q(f"{SCIM}/Users", filter=f'userName eq "{t["userName"]}"'), "none"),
        ("W3", "POST /Users (unique)", "POST", f"{SCIM}/Users", "create"),
        ("W4", "PATCH /Users/{id} title", "PATCH", f"{SCIM}/Users/{t['id']}", "patch"),
        ("W5", "startIndex=50001&count=25", "GET",
         q(f"{SCIM}/Users", startIndex="50001", count="25"), "none"),
        ("W6 email", "filter email eq", "GET",
         q(f"{SCIM}/Users", filter=f'email eq "{t["email"]}"'), "none"),
        ("W6 employeeNumber", "filter employeeNumber eq", "GET",
         q(f"{SCIM}/Users", filter=f'employeeNumber eq "{t["employeeNumber"]}"'), "none"),
        ("W6 division", "filter division eq, count=1", "GET",
         q(f"{SCIM}/Users", filter='division eq "EMEA"', count="1"), "none"),
        ("W6 manager", "filter manager eq", "GET",
         q(f"{SCIM}/Users", filter=f'manager eq "{t["manager"]}"'), "none"),
        ("W6 active", "filter active eq true", "GET",
         q(f"{SCIM}/Users", filter="active eq true"), "none"),
        ("W6 externalIds", "externalIds[authority and value]", "GET",
         q(f"{SCIM}/Users", filter=ext), "none"),
        ("W6 externalIds URN", "URN:externalIds[authority and value]", "GET",
         q(f"{SCIM}/Users", filter=f"{GEN}:{ext}"), "none"),
        ("W7", f"GET /Groups/{{id}} ({t['group_members']} members)", "GET",
         f"{SCIM}/Groups/{t['group']}", "none"),
        ("W7 excluded", "same, excludedAttributes=members", "GET",
         q(f"{SCIM}/Groups/{t['group']}", excludedAttributes="members"), "none"),
    ]


def wrk(base, path, method, body, tok, seconds, tag):
    env = dict(os.environ, BENCH_METHOD=method, BENCH_BODY=body, BENCH_TOKEN=tok or "",
               BENCH_TAG=tag)
    out = subprocess.run(
        ["wrk", "-t2", "-c64", f"-d{seconds}s", "--timeout", "5s", "--latency", "-s", str(LUA),
         base + path],
        env=env, capture_output=True, text=True, timeout=seconds + 60)
    m = re.search(r"^RESULT (.*)$", out.stdout, re.M)
    if not m:
        raise SystemExit(f"bench: wrk failed: {out.stdout}\n{out.stderr}")
    return json.loads(m.group(1))


def settle(base):
    """Waits (at most 120 s) until the server answers health checks quickly again, so requests
    still queued from one workload (W7 renders 10,000 members) do not starve the next."""
    deadline = time.monotonic() + 120
    quick = 0
    while quick < 3 and time.monotonic() < deadline:
        t0 = time.monotonic()
        ok = healthy(base)
        quick = quick + 1 if ok and time.monotonic() - t0 < 0.01 else 0
        time.sleep(0.05)


def median(runs, key):
    return statistics.median(r[key] for r in runs)


def summarise(name, label, runs, w0):
    rps = median(runs, "rps")
    return {
        "name": name, "label": label, "rps": rps,
        "p50_ms": median(runs, "p50_us") / 1000, "p99_ms": median(runs, "p99_us") / 1000,
        "errors": sum(r["errors"] for r in runs),
        "ratio": rps / w0 if w0 else 0.0,
        "runs": [round(r["rps"]) for r in runs],
    }


def table(rows):
    lines = ["| workload | what | req/s (median) | p50 ms | p99 ms | errors | × W0 | runs (req/s) |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in rows:
        lines.append(
            f"| {r['name']} | {r['label']} | {r['rps']:,.0f} | {r['p50_ms']:.2f} | "
            f"{r['p99_ms']:.2f} | {r['errors']} | {r['ratio']:.2f} | "
            f"{', '.join(str(x) for x in r['runs'])} |")
    return "\n".join(lines)


def start_wiremock():
    java = shutil.which("java")
    if not java:
        raise SystemExit("bench: --peer wiremock needs java (17)")
    peer = OUT / "peer"
    jar = next(peer.glob("node_modules/wiremock/build/wiremock-standalone-*.jar"), None)
    if jar is None:
        log(f"installing wiremock@{WIREMOCK_VERSION} from npm")
        peer.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(peer), "--no-audit", "--no-fund",
                        f"wiremock@{WIREMOCK_VERSION}"], check=True, stdout=subprocess.DEVNULL)
        jar = next(peer.glob("node_modules/wiremock/build/wiremock-standalone-*.jar"))
    port = 18080 + os.getpid() % 1000
    proc = subprocess.Popen(
        [java, "-jar", str(jar), "--port", str(port), "--bind-address", "127.0.0.1",
         "--root-dir", str(ROOT / "bench" / "wiremock"), "--disable-banner",
         "--no-request-journal"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            with urllib.request.urlopen(base + "/__admin/mappings", timeout=0.5):
                return proc, base
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("bench: WireMock did not start")


def user_count(base, tok):
    return json.load(urllib.request.urlopen(urllib.request.Request(
        base + f"{SCIM}/Users?count=0",
        headers={"Authorization": f"Bearer {tok}"})))["totalResults"]


def grow(fixture, t, target, minutes, step=100_000, burst=2):
    """The long write run: W3 (a new userName per request, 64 connections) in bursts of
    `burst` seconds against one org loaded from `fixture`, until it holds `target` users or
    `minutes` have passed. Each burst's p99 and slowest request are filed under the 100,000-user
    step the org was in when the burst began; a step reports its bursts' worst p99 and the
    slowest request. The RSS at the end over the users held gives the bytes per user."""
    idle = Server([])
    idle_rss = rss_kb(idle.pid)
    idle.stop()
    server = Server(["--fixtures", str(fixture)])
    tok = token(server.base, "bench-client-id:bench-client-secret")
    deadline = time.monotonic() + minutes * 60
    steps = {}
    users = user_count(server.base, tok)
    path = f"{SCIM}/Users"
    while users < target and time.monotonic() < deadline:
        r = wrk(server.base, path, "POST", "create", tok, burst, f"g{time.time_ns()}")
        s = steps.setdefault(users // step, {"bursts": 0, "requests": 0, "rps": [],
                                             "p99_us": 0, "max_us": 0, "errors": 0})
        s["bursts"] += 1
        s["requests"] += r["requests"]
        s["rps"].append(r["rps"])
        s["p99_us"] = max(s["p99_us"], r["p99_us"])
        s["max_us"] = max(s["max_us"], r["max_us"])
        s["errors"] += r["errors"]
        users = user_count(server.base, tok)
        log(f"grow: {users:,} users, burst p99 {r['p99_us'] / 1000:.1f} ms, "
            f"max {r['max_us'] / 1000:.1f} ms, {r['rps']:.0f} req/s")
    rss = rss_kb(server.pid)
    server.stop()
    report = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "load_average": os.getloadavg(),
        "start_users": t["users"], "end_users": users, "target": target,
        "rss_kb": rss, "idle_rss_kb": idle_rss,
        "bytes_per_user": (rss - idle_rss) * 1024 / users,
        "steps": {f"{k * step}-{(k + 1) * step}": v for k, v in sorted(steps.items())},
    }
    (OUT / "grow.json").write_text(json.dumps(report, indent=2))
    print(f"## Long write run of {report['when']} (load average "
          f"{report['load_average'][0]:.1f}): {t['users']:,} to {users:,} users"
          f"{'' if users >= target else f' (stopped after {minutes} min)'}\n")
    print(f"RSS at the end {rss / 1024:.1f} MB = {report['bytes_per_user']:.0f} bytes per user "
          f"above idle ({idle_rss / 1024:.1f} MB)\n")
    print("| users | bursts | requests | req/s (median) | worst p99 ms | slowest ms | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for k, v in sorted(steps.items()):
        print(f"| {k * step:,} to {(k + 1) * step:,} | {v['bursts']} | {v['requests']:,} | "
              f"{statistics.median(v['rps']):,.0f} | {v['p99_us'] / 1000:.2f} | "
              f"{v['max_us'] / 1000:.1f} | {v['errors']} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--users", type=int, default=100_000)
    ap.add_argument("--groups", type=int, default=50)
    ap.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--peer", choices=["none", "wiremock"], default="none")
    ap.add_argument("--only", default="", help="comma-separated workload names, e.g. W0,W1")
    ap.add_argument("--journal", action="store_true",
                    help="also run W0 and W1 with the journal off (--journal-size 0)")
    ap.add_argument("--grow", type=int, default=0, metavar="USERS",
                    help="instead of the workloads: POST /Users until the org holds USERS users "
                         "(e.g. 1000000), reporting p99 and the slowest request per 100,000")
    ap.add_argument("--grow-minutes", type=float, default=20,
                    help="stop --grow after this many minutes, wherever it got to")
    a = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    fixture = OUT / f"org-{a.users}-{a.groups}-roomy.json"
    if not fixture.exists():
        log(f"generating {fixture.name}")
        subprocess.run([str(BIN), "generate-fixture", "--users", str(a.users), "--groups",
                        str(a.groups), "--seed", "1", "--org", "bench", "--out", str(fixture)],
                       check=True)
        # W3 creates a user per request for 3 x --duration seconds: on a fast machine that
        # passes the default limits.usersPerOrg (1,000,000), and the creates after it are 400s.
        # Room up to the store-wide bound (bounds::MAX_USERS, 2,000,000) keeps them 201s.
        doc = json.loads(fixture.read_text())
        doc["orgs"][0].setdefault("limits", {})["usersPerOrg"] = 2_000_000
        fixture.write_text(json.dumps(doc))
    t = targets(fixture)
    if a.grow:
        grow(fixture, t, a.grow, a.grow_minutes)
        return

    # Start-up and memory: the default org (idle), then the generated org, three times each.
    idle = [Server([]) for _ in range(3)]
    for s in idle:
        s.rss = rss_kb(s.pid)
        s.stop()
    big = []
    for _ in range(3):
        s = Server(["--fixtures", str(fixture)])
        s.rss = rss_kb(s.pid)
        big.append(s)
        if len(big) < 3:
            s.stop()
    server = big[-1]
    idle_rss = statistics.median(s.rss for s in idle)
    big_rss = statistics.median(s.rss for s in big)
    startup = {
        "default_org_ms": [round(s.startup_ms, 1) for s in idle],
        "generated_org_ms": [round(s.startup_ms) for s in big],
        "idle_rss_kb": idle_rss,
        "loaded_rss_kb": big_rss,
        "bytes_per_user": (big_rss - idle_rss) * 1024 / t["users"],
    }

    tok = token(server.base, "bench-client-id:bench-client-secret")
    chosen = [w for w in workloads(t) if not a.only or w[0] in a.only.split(",")]
    if not any(w[0] == "W0" for w in chosen):
        chosen.insert(0, workloads(t)[0])
    results = {w[0]: [] for w in chosen}
    for run in range(a.runs):
        for name, label, method, path, body in chosen:
            log(f"run {run + 1}/{a.runs} {name}")
            results[name].append(
                wrk(server.base, path, method, body, tok, a.duration, f"r{run}{time.time_ns()}"))
            settle(server.base)
    users_after = json.load(urllib.request.urlopen(urllib.request.Request(
        server.base + f"{SCIM}/Users?count=0",
        headers={"Authorization": f"Bearer {tok}"})))["totalResults"]
    server_rss_after = rss_kb(server.pid)
    server.stop()

    w0 = median(results["W0"], "rps")
    rows = [summarise(n, l, results[n], w0) for n, l, *_ in chosen]

    extra = []
    if a.journal:
        quiet = Server(["--fixtures", str(fixture), "--journal-size", "0"])
        qtok = token(quiet.base, "bench-client-id:bench-client-secret")
        j0, j1 = [], []
        for run in range(a.runs):
            j0.append(wrk(quiet.base, "/__admin/health", "GET", "none", None, a.duration, "j"))
            j1.append(wrk(quiet.base, f"{SCIM}/Users/{t['id']}", "GET", "none", qtok,
                          a.duration, "j"))
        quiet.stop()
        jw0 = median(j0, "rps")
        extra.append(summarise("W0 (journal off)", "GET /__admin/health, --journal-size 0", j0, jw0))
        extra.append(summarise("W1 (journal off)", "GET /Users/{id}, --journal-size 0", j1, jw0))

    peer_rows = []
    if a.peer == "wiremock":
        proc, base = start_wiremock()
        # WireMock's W0 is our own W0 of this run: the same machine, the same period.
        try:
            for name in ("W1", "W2", "W3", "W4"):
                w = next(x for x in workloads(t) if x[0] == name)
                # One unmeasured run first: the JVM compiles its hot paths.
                wrk(base, w[3], w[2], w[4], tok, a.duration, "warm")
                runs = [wrk(base, w[3], w[2], w[4], tok, a.duration, f"p{r}")
                        for r in range(a.runs)]
                peer_rows.append(summarise(f"{name} WireMock", w[1], runs, w0))
        finally:
            proc.terminate()

    report = {
        "users": t["users"], "users_after": users_after, "duration_s": a.duration,
        "runs": a.runs, "startup": startup, "rss_after_kb": server_rss_after,
        "rows": rows, "journal": extra, "peer": peer_rows,
        "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "load_average": os.getloadavg(),
    }
    (OUT / "results.json").write_text(json.dumps(report, indent=2))
    print(f"## Run of {report['when']} ({t['users']:,} users, {a.runs} runs of {a.duration} s, "
          f"64 connections, load average {report['load_average'][0]:.1f})\n")
    print(f"Start-up to first answer: default org {startup['default_org_ms']} ms; "
          f"{t['users']:,} users {startup['generated_org_ms']} ms")
    print(f"RSS: idle {idle_rss / 1024:.1f} MB; with {t['users']:,} users "
          f"{big_rss / 1024:.1f} MB = {startup['bytes_per_user']:.0f} bytes per user above idle; "
          f"after the run ({users_after:,} active users) {server_rss_after / 1024:.1f} MB\n")
    print(table(rows + extra + peer_rows))


if __name__ == "__main__":
    main()
