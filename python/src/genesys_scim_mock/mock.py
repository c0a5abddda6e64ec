"""A running mock and its orgs, from Python: start the binary on a free port, or reach one
that is already running (a container, a server started by ``exec``), and drive its admin API.

Only the standard library is used, so installing the package adds no dependency to a suite.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from ._binary import find_bin

#: The variables ``genesys-scim-mock exec`` sets for its command; :meth:`Endpoint.env` returns
#: the same ones, and every recipe in docs/ci.md sets the first five with the same meaning.
ENV_URL = "GENESYS_MOCK_URL"
ENV_SCIM_URL = "GENESYS_MOCK_SCIM_URL"
ENV_CLIENT_ID = "GENESYS_MOCK_CLIENT_ID"
ENV_CLIENT_SECRET = "GENESYS_MOCK_CLIENT_SECRET"
ENV_ADMIN_URL = "GENESYS_MOCK_ADMIN_URL"
ENV_TOKEN = "GENESYS_MOCK_TOKEN"

_SEVERITIES = {"info": 0, "warning": 1, "error": 2}

Json = Any
PathLike = Union[str, "os.PathLike[str]"]


class MockError(RuntimeError):
    """The mock answered an admin or token call with an error, or could not be started."""


class ExpectationFailed(AssertionError):
    """``expect()``: the org's end state is not the expected one. ``result`` is the diff."""

    def __init__(self, message: str, result: Json):
        super().__init__(message)
        self.result = result


class ReportFailed(AssertionError):
    """``report(fail_on=...)``: the client broke rules at or above the level. ``failed`` lists
    one line per rule, ``report`` is the whole JSON report."""

    def __init__(self, failed: List[str], report: Json):
        super().__init__("the client broke rules:\n" + "\n".join(failed))
        self.failed = failed
        self.report = report


def _call(
    method: str,
    url: str,
    *,
    body: Optional[bytes] = None,
    headers: Optional[Mapping[str, str]] = None,
    timeout: float = 10.0,
):
    """One HTTP exchange: ``(status, headers, body)``, errors included (no exception on 4xx)."""
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def _duration(by: Union[int, float, str, datetime.timedelta]) -> Union[int, str]:
    if isinstance(by, datetime.timedelta):
        return f"{round(by.total_seconds() * 1000)}ms"
    if isinstance(by, bool):
        raise TypeError("advance_clock: expected seconds, a duration string or a timedelta")
    if isinstance(by, int):
        return by
    if isinstance(by, float):
        return f"{round(by * 1000)}ms"
    return str(by)


def _load_json(value: Union[PathLike, Mapping[str, Any]]) -> Json:
    if isinstance(value, Mapping):
        return dict(value)
    with open(value, encoding="utf-8") as f:
        return json.load(f)


class Endpoint:
    """One org on a running mock: where it is, its OAuth client, and the admin calls a test
    makes about it. :class:`GenesysMock` is the server's first org; :class:`MockOrg` an
    isolated org made by :meth:`new_org`."""

    def __init__(
        self,
        url: str,
        client_id: str,
        client_secret: str,
        org_id: Optional[str] = None,
        *,
        admin_token: Optional[str] = None,
    ):
        self.url = url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.org_id = org_id
        self._admin_token = admin_token
        self._token: Optional[str] = None
        self._first_org: Optional[Json] = None

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "Endpoint":
        """The org whose coordinates are in the environment (``GENESYS_MOCK_URL``,
        ``GENESYS_MOCK_CLIENT_ID``, ``GENESYS_MOCK_CLIENT_SECRET``): under ``exec``, in a
        recipe's CI job, or after the Jest setup."""
        environ = os.environ if environ is None else environ
        missing = [n for n in (ENV_URL, ENV_CLIENT_ID, ENV_CLIENT_SECRET) if not environ.get(n)]
        if missing:
            raise MockError(f"not set: {', '.join(missing)}")
        return cls(environ[ENV_URL], environ[ENV_CLIENT_ID], environ[ENV_CLIENT_SECRET])

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url={self.url!r}, org_id={self.org_id!r}, client_id={self.client_id!r})"

    # Coordinates -------------------------------------------------------------------------

    @property
    def scim_url(self) -> str:
        """The SCIM 2.0 base, ``{url}/api/v2/scim/v2``."""
        return f"{self.url}/api/v2/scim/v2"

    @property
    def token_url(self) -> str:
        """The client-credentials token endpoint, ``{url}/oauth/token``."""
        return f"{self.url}/oauth/token"

    @property
    def admin_url(self) -> str:
        """The admin API, ``{url}/__admin``."""
        return f"{self.url}/__admin"

    def token(self, refresh: bool = False) -> str:
        """A bearer token for this org's client (client credentials, HTTP Basic), kept until a
        reset revokes it or ``refresh`` asks for a new one."""
        if self._token is None or refresh:
            basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
            status, _, body = _call(
                "POST",
                self.token_url,
                body=b"grant_type=client_credentials",
                headers={
                    "Authorization": f"Basic {basic}",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
            if status != 200:
                raise MockError(f"POST {self.token_url}: {status} {body.decode(errors='replace')}")
            self._token = json.loads(body)["access_token"]
        return self._token

    def env(self) -> Dict[str, str]:
        """The variables ``exec`` sets for its command, for this org: give them to a
        subprocess, or ``monkeypatch.setenv`` them, and the same test script runs here, under
        ``exec`` and against a container."""
        return {
            ENV_URL: self.url,
            ENV_SCIM_URL: self.scim_url,
            ENV_ADMIN_URL: self.admin_url,
            ENV_CLIENT_ID: self.client_id,
            ENV_CLIENT_SECRET: self.client_secret,
            ENV_TOKEN: self.token(),
        }

    # The admin API -----------------------------------------------------------------------

    def admin(
        self,
        method: str,
        path: str,
        body: Optional[Json] = None,
        *,
        query: Optional[Iterable[tuple]] = None,
        expect: Sequence[int] = (200, 201, 204),
    ) -> bytes:
        """Calls ``/__admin{path}`` and returns the body; any other status than ``expect``
        raises :class:`MockError` with the mock's message."""
        url = f"{self.admin_url}{path}"
        pairs = [(k, v) for k, v in (query or []) if v is not None]
        if pairs:
            url += "?" + urllib.parse.urlencode(pairs)
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self._admin_token:
            headers["Authorization"] = f"Bearer {self._admin_token}"
        status, _, answer = _call(method, url, body=data, headers=headers)
        if status not in expect:
            raise MockError(f"{method} {url}: {status} {answer.decode(errors='replace')}")
        return answer

    def _admin_json(self, method: str, path: str, body: Optional[Json] = None, **kw) -> Json:
        return json.loads(self.admin(method, path, body, **kw) or b"null")

    def _scope(self) -> List[tuple]:
        return []

    def new_org(self, fixture: Union[None, PathLike, Mapping[str, Any]] = None) -> "MockOrg":
        """An isolated org with its own OAuth client (``POST /__admin/orgs``). Without
        ``fixture``, a copy of the server's first org (its reference data and users; new id and
        credentials); a fixture is one org of the fixture format, or a fixture file (its first
        org). Tokens of one org never reach another, so tests in parallel do not meet."""
        if fixture is None:
            body = self._template()
        else:
            doc = _load_json(fixture)
            body = doc["orgs"][0] if "orgs" in doc else doc
        created = self._admin_json("POST", "/orgs", body)
        client = created["clients"][0]
        return MockOrg(
            self.url,
            client["clientId"],
            client["clientSecret"],
            created["orgId"],
            admin_token=self._admin_token,
            parent=self,
        )

    def _org(self) -> str:
        """This endpoint's org id; for coordinates from the environment, the org of its client."""
        if self.org_id is None:
            for org in self._admin_json("GET", "/orgs")["orgs"]:
                org_id = org if isinstance(org, str) else org["id"]
                exported = self._admin_json("GET", f"/orgs/{urllib.parse.quote(org_id, safe='')}/export")
                if any(c.get("id") == self.client_id for c in exported.get("oauthClients") or []):
                    self.org_id = org_id
                    break
            else:
                raise MockError(f"no org has the client {self.client_id}")
        return self.org_id

    def _template(self) -> Json:
        """The body of a copy of this org as the server first showed it: its export, without
        its id and OAuth clients (the copy gets its own)."""
        if self._first_org is None:
            org_id = self._org()
            self._first_org = self._admin_json(
                "GET", f"/orgs/{urllib.parse.quote(org_id, safe='')}/export"
            )
        org = dict(self._first_org)
        org.pop("oauthClients", None)
        org["id"] = f"org-{uuid.uuid4()}"
        org["name"] = f"copy of {self._first_org.get('id')}"
        return org

    def _first_org_with_client(self) -> tuple:
        """The first org that has an OAuth client, with its export: whose client ``exec``
        gives its command."""
        for org in self._admin_json("GET", "/orgs")["orgs"]:
            org_id = org if isinstance(org, str) else org["id"]
            exported = self._admin_json("GET", f"/orgs/{urllib.parse.quote(org_id, safe='')}/export")
            if exported.get("oauthClients"):
                return org_id, exported
        raise MockError("the mock's fixtures have no OAuth client")

    def load_scenario(self, scenario: Union[PathLike, Mapping[str, Any]]) -> str:
        """Loads a scenario (a file or its JSON as a dict) through ``POST /__admin/scenarios``
        and returns its name; a scenario of the same name is replaced."""
        doc = _load_json(scenario)
        self.admin("POST", "/scenarios", doc)
        return doc["name"]

    def remove_scenario(self, name: str) -> None:
        """Removes a loaded scenario (nothing happens when there is none by that name)."""
        self.admin("DELETE", f"/scenarios/{urllib.parse.quote(name, safe='')}", expect=(204, 404))

    def journal(self, **filters: Any) -> List[Json]:
        """The journal's entries for this org, oldest first, every page; ``filters`` are those of
        ``GET /__admin/requests`` (``method``, ``route``, ``path``, ``status``, ``rule``, ...)."""
        out: List[Json] = []
        after = None
        while True:
            query = self._scope() + list(filters.items()) + [("after", after)]
            page = self._admin_json("GET", "/requests", query=query)
            out.extend(page["requests"])
            after = page.get("next")
            if after is None:
                return out

    def report(self, fail_on: Optional[str] = None, format: str = "json", **query: Any) -> Json:
        """The client report over this org's requests (``GET /__admin/report``): a dict for
        ``json``, the text for ``junit``, ``markdown`` or ``sarif``. With ``fail_on`` (``error``,
        ``warning`` or ``info``), raises :class:`ReportFailed` naming every rule broken at or
        above it."""
        pairs = self._scope() + [(k.replace("_", "-"), v) for k, v in query.items()]
        if fail_on is not None:
            if fail_on not in _SEVERITIES:
                raise ValueError(f"fail_on: expected one of {', '.join(_SEVERITIES)}")
            pairs.append(("fail-on", fail_on))
        as_json = self._admin_json("GET", "/report", query=pairs + [("format", "json")])
        if fail_on is not None:
            failed = failing_rules(as_json, fail_on)
            if failed:
                raise ReportFailed(failed, as_json)
        if format == "json":
            return as_json
        return self.admin("GET", "/report", query=pairs + [("format", format)]).decode()

    def expect(self, expectation: Union[PathLike, Mapping[str, Any]], check: bool = True) -> Json:
        """Compares this org's state with an expectation (``POST /__admin/expect``, see
        docs/expect.md) and returns the diff; raises :class:`ExpectationFailed` when it is not
        met, unless ``check`` is false. An expectation without ``orgs`` is about this org."""
        doc = _load_json(expectation)
        if "orgs" not in doc:
            doc = {"version": 1, "orgs": [{**doc, "id": self._org()}]}
        result = self._admin_json("POST", "/expect", doc)
        if check and not result.get("ok"):
            raise ExpectationFailed(
                "the org is not in the expected state:\n" + json.dumps(result, indent=2), result
            )
        return result

    def advance_clock(self, by: Union[int, float, str, datetime.timedelta]) -> None:
        """Moves the mock's clock forward (seconds, ``"61s"``-style text, or a timedelta): token
        expiry, rate windows and ``Retry-After`` pass at once. The clock is the server's, so
        every org on it sees the move."""
        self.admin("POST", "/clock", {"advance": _duration(by)})


def failing_rules(report: Json, fail_on: str) -> List[str]:
    """One line per rule of a JSON report broken at or above ``fail_on``, as ``exec`` prints them."""
    threshold = _SEVERITIES[fail_on]
    lines = []
    for rule in report.get("rules", []):
        severity = rule.get("severity")
        if rule.get("status") != "failed" or _SEVERITIES.get(severity, -1) < threshold:
            continue
        findings = rule.get("findings", [])
        count = len(findings) + rule.get("moreFindings", 0)
        first = findings[0]["message"] if findings else ""
        lines.append(f"{severity} {rule['id']}: {count} finding{'s' if count != 1 else ''}: {first}")
    return lines


class MockOrg(Endpoint):
    """An isolated org on a running mock (:meth:`Endpoint.new_org`). Its journal, report,
    expectations, scenarios and reset are about this org alone; :meth:`delete` removes it."""

    def __init__(self, *args: Any, parent: Optional[Endpoint] = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._parent = parent

    def _scope(self) -> List[tuple]:
        return [("org", self.org_id)]

    def _template(self) -> Json:
        return self._parent._template() if self._parent is not None else super()._template()

    def load_scenario(self, scenario: Union[PathLike, Mapping[str, Any]]) -> str:
        """Loads a scenario whose rules only match this org's requests (``when.org`` is set on
        rules that do not name an org), under the name ``NAME@ORG``, which it returns."""
        doc = _load_json(scenario)
        doc["name"] = f"{doc['name']}@{self.org_id}"
        for rule in doc.get("rules", []):
            rule.setdefault("when", {}).setdefault("org", self.org_id)
        self.admin("POST", "/scenarios", doc)
        return doc["name"]

    def reset(self) -> None:
        """This org back to the fixture it was created from (``POST /__admin/reset?org=``)."""
        self.admin("POST", "/reset", query=self._scope())

    def delete(self) -> None:
        """Removes the org, its client and its tokens."""
        self.admin("DELETE", f"/orgs/{urllib.parse.quote(self.org_id, safe='')}", expect=(204, 404))


class GenesysMock(Endpoint):
    """The mock's binary, started on a free loopback port for as long as the ``with`` block
    (or until :meth:`stop`). Its coordinates are those of the server's first org and client, as
    ``exec`` gives them; :meth:`new_org` makes isolated ones.

    Serve options: ``fixtures`` (a file or directory), ``scenarios`` (files, or dicts written to
    temporary files), ``seed``, ``clock`` (``"real"`` or ``"frozen:<RFC3339>"``), ``profile``
    (``"genesys"`` or ``"rfc"``), ``compat`` (a dict of switches), ``rate_limit`` (a number or
    ``"off"``), ``admin_token``, and ``args`` for any other ``serve`` flag.
    """

    def __init__(
        self,
        *,
        fixtures: Optional[PathLike] = None,
        scenarios: Iterable[Union[PathLike, Mapping[str, Any]]] = (),
        seed: Optional[int] = None,
        clock: Optional[str] = None,
        profile: Optional[str] = None,
        compat: Optional[Mapping[str, Any]] = None,
        rate_limit: Union[None, int, str] = None,
        admin_token: Optional[str] = None,
        args: Sequence[str] = (),
        binary: Optional[str] = None,
        host: str = "127.0.0.1",
        startup_timeout: float = 10.0,
    ):
        super().__init__("http://unstarted", "", "", admin_token=admin_token)
        self._options = dict(
            fixtures=fixtures,
            scenarios=list(scenarios),
            seed=seed,
            clock=clock,
            profile=profile,
            compat=dict(compat or {}),
            rate_limit=rate_limit,
            args=list(args),
        )
        self._binary = binary
        self._host = host
        self._startup_timeout = startup_timeout
        self._process: Optional[subprocess.Popen] = None
        self._dir: Optional[str] = None

    def _command(self, binary: str, port_file: str) -> List[str]:
        o = self._options
        cmd = [binary, "serve", "--bind", f"{self._host}:0", "--port-file", port_file]
        if o["fixtures"] is not None:
            cmd += ["--fixtures", os.fspath(o["fixtures"])]
        for i, scenario in enumerate(o["scenarios"]):
            if isinstance(scenario, Mapping):
                path = os.path.join(self._dir, f"scenario-{i}.json")
                with open(path, "w", encoding="utf-8") as f:
                    json.dump(dict(scenario), f)
                scenario = path
            cmd += ["--scenario", os.fspath(scenario)]
        for flag, key in (("--seed", "seed"), ("--clock", "clock"), ("--profile", "profile"),
                          ("--rate-limit", "rate_limit")):
            if o[key] is not None:
                cmd += [flag, str(o[key])]
        for name, value in o["compat"].items():
            if isinstance(value, bool):
                value = "true" if value else "false"
            cmd += ["--compat", f"{name}={value}"]
        if self._admin_token:
            cmd += ["--admin-token", self._admin_token]
        return cmd + o["args"]

    def start(self) -> "GenesysMock":
        """Starts the server and waits until it answers its health check."""
        if self._process is not None:
            return self
        binary = self._binary or find_bin()
        self._dir = tempfile.mkdtemp(prefix="genesys-scim-mock-")
        port_file = os.path.join(self._dir, "port")
        log_path = os.path.join(self._dir, "server.log")
        with open(log_path, "wb") as log:
            self._process = subprocess.Popen(
                self._command(binary, port_file),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + self._startup_timeout
        while True:
            if self._process.poll() is not None:
                self._fail(f"exited with code {self._process.returncode}")
            address = _read(port_file)
            if address:
                self.url = f"http://{address}"
                try:
                    if _call("GET", f"{self.admin_url}/health", timeout=1.0)[0] == 200:
                        break
                except OSError:
                    pass
            if time.monotonic() > deadline:
                self._fail(f"did not answer its health check within {self._startup_timeout} s")
            time.sleep(0.02)
        self._adopt_first_org()
        return self

    def _adopt_first_org(self) -> None:
        try:
            self.org_id, self._first_org = self._first_org_with_client()
        except MockError:
            self.stop()
            raise
        client = self._first_org["oauthClients"][0]
        self.client_id, self.client_secret = client["id"], client["secret"]

    def _fail(self, what: str) -> None:
        log = _read(os.path.join(self._dir, "server.log")) if self._dir else ""
        self.stop()
        raise MockError(f"genesys-scim-mock {what}; its log:\n{log[-4000:]}")

    def reset(self) -> None:
        """Everything back to the configured fixtures (``POST /__admin/reset``): orgs made by
        :meth:`new_org` go, the journal empties, scenarios restart, tokens are revoked."""
        self.admin("POST", "/reset")
        self._token = None

    @property
    def log(self) -> str:
        """What the server has logged so far."""
        return _read(os.path.join(self._dir, "server.log")) if self._dir else ""

    def stop(self) -> None:
        """Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its temporary files."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self) -> "GenesysMock":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().strip()
    except FileNotFoundError:
        return ""
