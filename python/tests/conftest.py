"""Serve options for the whole suite: the `genesys_mock_options` fixture is the plugin's hook."""

import os

import pytest


@pytest.fixture(scope="session")
def genesys_mock_options():
    return {"seed": 7, "compat": {"meta-created": True}}


@pytest.fixture(scope="session", autouse=True)
def _record_worker_server(genesys_mock):
    """With GSM_WORKER_URLS set, each process writes its server's URL there: after `pytest -n 2`
    the CI step checks there were two workers with two servers."""
    directory = os.environ.get("GSM_WORKER_URLS")
    if directory:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        with open(os.path.join(directory, worker), "w") as f:
            f.write(genesys_mock.url)
