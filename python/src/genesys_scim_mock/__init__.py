"""genesys-scim-mock from Python: the binary (:func:`find_bin`, ``python -m genesys_scim_mock``),
a server started for a test suite (:class:`GenesysMock`), isolated orgs on it (:class:`MockOrg`),
a pytest plugin (fixtures ``genesys_mock`` and ``genesys_org``), and a Testcontainers module
(:mod:`genesys_scim_mock.testcontainers`, extra ``testcontainers``).
"""

from ._binary import BINARY_ENV, find_bin
from .mock import (
    ENV_ADMIN_URL,
    ENV_CLIENT_ID,
    ENV_CLIENT_SECRET,
    ENV_SCIM_URL,
    ENV_TOKEN,
    ENV_URL,
    Endpoint,
    ExpectationFailed,
    GenesysMock,
    MockError,
    MockOrg,
    ReportFailed,
    failing_rules,
)

__all__ = [
    "BINARY_ENV",
    "ENV_ADMIN_URL",
    "ENV_CLIENT_ID",
    "ENV_CLIENT_SECRET",
    "ENV_SCIM_URL",
    "ENV_TOKEN",
    "ENV_URL",
    "Endpoint",
    "ExpectationFailed",
    "GenesysMock",
    "MockError",
    "MockOrg",
    "ReportFailed",
    "failing_rules",
    "find_bin",
]
