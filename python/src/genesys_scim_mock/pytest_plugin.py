"""The pytest plugin (registered through the ``pytest11`` entry point, so installing the package
is enough).

- ``genesys_mock`` (session): one server for the session, so one per pytest-xdist worker. Its
  serve options come from the ``genesys_mock_options`` fixture, which a ``conftest.py`` may
  override (``return {"seed": 7, "compat": {"read-lag": "2reads"}}``).
- ``genesys_org`` (function): a fresh isolated org per test, copied from the server's first org,
  with its own OAuth client; deleted after the test. Same attributes as ``genesys_mock``.
- ``@pytest.mark.genesys_scenario(path_or_dict, ...)``: scenarios loaded for one test (scoped
  to its ``genesys_org`` when it uses one), removed after it. Relative paths are taken from the
  test file's directory.
- ``--genesys-report PATH``: at the end, the client report over every request the session made
  is written to PATH as JUnit XML (``PATH`` with ``.gw0`` and so on before the suffix under
  xdist, one per worker's server), and the session fails when a rule at ``error`` was broken.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterator, List

import pytest

from .mock import GenesysMock, MockOrg, failing_rules

_FAILED_KEY = pytest.StashKey[List[str]]()
_WRITTEN_KEY = pytest.StashKey[List[str]]()
_MARKER = "genesys_scenario"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("genesys-scim-mock")
    group.addoption(
        "--genesys-report",
        metavar="PATH",
        default=None,
        help="write the mock's client report (JUnit XML) to PATH at the end, and fail the "
        "session when the client broke an error-level rule",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(*scenarios): load these scenarios (paths relative to the test file, or "
        "dicts) into the mock for this test only",
    )
    config.stash[_FAILED_KEY] = []
    config.stash[_WRITTEN_KEY] = []


@pytest.fixture(scope="session")
def genesys_mock_options() -> Dict[str, Any]:
    """Keyword arguments for :class:`GenesysMock` (serve options); override it in a conftest."""
    return {}


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "")


def _report_path(base: str) -> str:
    worker = _worker()
    if not worker:
        return base
    root, ext = os.path.splitext(base)
    return f"{root}.{worker}{ext}"


@pytest.fixture(scope="session")
def genesys_mock(
    request: pytest.FixtureRequest, genesys_mock_options: Dict[str, Any]
) -> Iterator[GenesysMock]:
    """The mock for this session (one per xdist worker), on a free loopback port."""
    mock = GenesysMock(**genesys_mock_options).start()
    try:
        yield mock
        path = request.config.getoption("genesys_report")
        if path:
            _write_report(request.config, mock, path)
    finally:
        mock.stop()


def _write_report(config: pytest.Config, mock: GenesysMock, path: str) -> None:
    path = _report_path(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(mock.admin("GET", "/report", query=[("format", "junit"), ("fail-on", "error")]).decode())
    failed = failing_rules(mock.report(), "error")
    config.stash[_FAILED_KEY].extend(failed)
    config.stash[_WRITTEN_KEY].append(path)
    if _worker():
        # The controller decides the session's outcome: it reads what each worker found.
        with open(path + ".failed.json", "w", encoding="utf-8") as f:
            json.dump(failed, f)


@pytest.fixture
def genesys_org(genesys_mock: GenesysMock) -> Iterator[MockOrg]:
    """A fresh isolated org for this test, deleted after it."""
    org = genesys_mock.new_org()
    try:
        yield org
    finally:
        org.delete()


@pytest.fixture(autouse=True)
def _genesys_scenarios(request: pytest.FixtureRequest) -> Iterator[None]:
    markers = list(request.node.iter_markers(_MARKER))
    if not markers:
        yield
        return
    target = (
        request.getfixturevalue("genesys_org")
        if "genesys_org" in request.fixturenames
        else request.getfixturevalue("genesys_mock")
    )
    base = os.path.dirname(str(request.node.fspath))
    loaded = []
    try:
        for marker in markers:
            for scenario in marker.args:
                if not isinstance(scenario, dict) and not os.path.isabs(scenario):
                    scenario = os.path.join(base, scenario)
                loaded.append(target.load_scenario(scenario))
        yield
    finally:
        for name in loaded:
            target.remove_scenario(name)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    path = config.getoption("genesys_report")
    if not path or hasattr(config, "workerinput"):
        return
    failed = config.stash[_FAILED_KEY]
    if hasattr(config, "pluginmanager") and config.pluginmanager.hasplugin("dsession"):
        root, ext = os.path.splitext(path)
        directory = os.path.dirname(os.path.abspath(path))
        prefix = os.path.basename(root) + "."
        for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
            if name.startswith(prefix) and name.endswith(ext + ".failed.json"):
                with open(os.path.join(directory, name), encoding="utf-8") as f:
                    failed.extend(json.load(f))
                os.remove(os.path.join(directory, name))
                config.stash[_WRITTEN_KEY].append(os.path.join(directory, name[: -len(".failed.json")]))
    if failed and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    failed = config.stash.get(_FAILED_KEY, [])
    if not failed:
        return
    terminalreporter.section("genesys-scim-mock client report")
    for line in failed:
        terminalreporter.write_line(line)
    written = ", ".join(config.stash.get(_WRITTEN_KEY, []))
    terminalreporter.write_line(f"(the full report: {written})")
