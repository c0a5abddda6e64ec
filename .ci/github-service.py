"""github-service.py WORKFLOW JOB WORKDIR: runs one job of a GitHub Actions workflow the way a
hosted runner starts its service containers, against the local Docker engine.

What the runner does, and so what this does (actions/runner, ContainerOperationProvider and
DockerCommandManager.DockerCreate):

1. a bridge network for the job (`docker network create`);
2. per service, one `docker create` whose arguments are, in order: `--name`, `--label`,
   `--network`, `--network-alias <service key>`, `-p` for each `ports` entry, the `options`
   string as written, `-e "KEY=value"` for each `env` entry, `-e GITHUB_ACTIONS=true`,
   `-e CI=true`, then the image. The whole line is one string that .NET splits into arguments
   (double quotes group, backslashes escape quotes, single quotes are ordinary characters), so
   `--health-cmd "a b"` is one argument, and Docker makes it `CMD-SHELL` (`/bin/sh -c "a b"`);
3. `docker start`, then the health wait: `docker inspect` for the health status; no health
   check at all and the job goes on at once; `starting` and it waits with the runner's
   backoff (2 s, then about 4, 8, ... up to 32 s) and asks again; anything but `healthy` then
   fails the job ("Failed to initialize, <service> service is <status>.");
4. the job's `run` steps, with the job's `env`, in `bash --noprofile --norc -eo pipefail`
   (`uses` steps are skipped: the working directory is already checked out).

The only liberty: a host port the recipe publishes that is already taken on this machine is
published on a free one instead, and the job's `env` values that name it follow; this is
printed. Exit status: 0 when the job passed, 1 with the reason otherwise.
"""

import os
import random
import socket
import subprocess
import sys
import time
import uuid

import yaml


def dotnet_split(line):
    """Splits a command line as .NET does on Unix (System.Diagnostics.Process arguments)."""
    args, cur, quoted, have, i = [], [], False, False, 0
    while i < len(line):
        c = line[i]
        if c == "\\":
            n = 0
            while i < len(line) and line[i] == "\\":
                n += 1
                i += 1
            if i < len(line) and line[i] == '"':
                cur.append("\\" * (n // 2))
                if n % 2:
                    cur.append('"')
                    i += 1
                have = True
                continue
            cur.append("\\" * n)
            have = True
            continue
        if c == '"':
            quoted = not quoted
            have = True
        elif c.isspace() and not quoted:
            if have:
                args.append("".join(cur))
            cur, have = [], False
        else:
            cur.append(c)
            have = True
        i += 1
    if have:
        args.append("".join(cur))
    return args


def docker(*args, check=True, env=None):
    done = subprocess.run(["docker", *args], capture_output=True, text=True, env=env)
    if check and done.returncode != 0:
        raise SystemExit(f"github-service: docker {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


def port_taken(port):
    with socket.socket() as s:
        try:
            s.bind(("0.0.0.0", port))
        except OSError:
            return True
    return False


def free_port():
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        return s.getsockname()[1]


def backoff(attempt):
    """The runner's BackoffTimerHelper.GetExponentialBackoff(attempt, 2 s, 32 s, 2 s)."""
    delta = random.uniform(1.6, 2.4)
    return min(2 + (2**attempt - 1) * delta, 32)


def main():
    workflow_path, job_name, workdir = sys.argv[1:4]
    with open(workflow_path, encoding="utf-8") as f:
        workflow = yaml.safe_load(f)
    job = workflow["jobs"][job_name]
    job_env = {k: str(v) for k, v in (job.get("env") or {}).items()}
    run_id = uuid.uuid4().hex[:12]
    network = f"github_network_{run_id}"
    label = f"gsmci{run_id}"
    created = []
    docker("network", "create", "--label", label, network)
    try:
        for key, service in (job.get("services") or {}).items():
            parts = [f"--name {key}_{run_id}", f"--label {label}", f"--network {network}",
                     f"--network-alias {key}"]
            for port in service.get("ports") or []:
                port = str(port)
                host, _, container = port.rpartition(":")
                if host.isdigit() and port_taken(int(host)):
                    moved = free_port()
                    print(f"   host port {host} is taken on this machine: publishing {moved}:{container} "
                          f"instead, and the job env follows")
                    job_env = {k: v.replace(f":{host}", f":{moved}") for k, v in job_env.items()}
                    port = f"{moved}:{container}"
                parts.append(f"-p {port}")
            parts.append(str(service.get("options") or ""))
            for k, v in (service.get("env") or {}).items():
                v = str(v).replace('"', '\\"')
                parts.append(f'-e "{k}={v}"')
            parts += ["-e GITHUB_ACTIONS=true", "-e CI=true", service["image"]]
            line = " ".join(parts)
            print(f"   docker create {line}")
            cid = docker("create", *dotnet_split(line))
            created.append(cid)
            docker("start", cid)
            fmt = "{{if .Config.Healthcheck}}{{print .State.Health.Status}}{{end}}"
            status = docker("inspect", f"--format={fmt}", cid)
            if not status:
                print(f"   {key}: no health check, the job goes on at once")
                continue
            attempt, t0 = 0, time.monotonic()
            while status.lower() == "starting":
                wait = backoff(attempt)
                print(f"   {key} service is starting, waiting {wait:.1f} seconds before checking again.")
                time.sleep(wait)
                status = docker("inspect", f"--format={fmt}", cid)
                attempt += 1
            if status.lower() != "healthy":
                log = docker("inspect", "--format={{json .State.Health}}", cid, check=False)
                raise SystemExit(f"github-service: Failed to initialize, {key} service is {status}.\n{log}")
            print(f"   {key} service is healthy ({time.monotonic() - t0:.1f} s after start).")
        for step in job.get("steps") or []:
            if "run" not in step:
                print(f"   skipped: uses {step.get('uses')}")
                continue
            env = {**os.environ, **job_env, **{k: str(v) for k, v in (step.get("env") or {}).items()}}
            print(f"   run: {step['run'].strip()}")
            done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                                  cwd=workdir, env=env)
            if done.returncode != 0:
                raise SystemExit(f"github-service: the step `{step['run'].strip()}` exited {done.returncode}")
    finally:
        for cid in created:
            docker("rm", "-f", cid, check=False)
        docker("network", "rm", network, check=False)


if __name__ == "__main__":
    main()
