"""A Testcontainers module for the mock's image (``pip install 'genesys-scim-mock[testcontainers]'``).

::

    from genesys_scim_mock.testcontainers import GenesysMockContainer

    with GenesysMockContainer(seed=1) as gsm:
        client = MyScimClient(gsm.get_scim_url(), gsm.get_client_id(), gsm.get_client_secret())

The container is started when the image reports healthy (its own exec-form ``HEALTHCHECK``), its
port is published on a free host port chosen before the start, and ``GENESYS_MOCK_PUBLIC_URL``
is set to that address, so the ``Location`` of a create is a URL the test can follow.
"""

from __future__ import annotations

import socket
from typing import Dict, Optional

from testcontainers.core.container import DockerContainer
from testcontainers.core.wait_strategies import HealthcheckWaitStrategy

from .mock import Endpoint

#: The published image; the tag is this package's version, so the two always match.
IMAGE_NAME = "ghcr.io/genesys-scim-mock/genesys-scim-mock"
VERSION = "0.1.0"
IMAGE = f"{IMAGE_NAME}:{VERSION}"
#: The image's port.
PORT = 8080
#: The built-in default org's OAuth client.
DEFAULT_CLIENT_ID = "mock-client-id"
DEFAULT_CLIENT_SECRET = "mock-client-secret"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("0.0.0.0", 0))
        return s.getsockname()[1]


class GenesysMockContainer(DockerContainer):
    """The mock's image. ``seed``, ``rate_limit``, ``profile`` and any other serve setting go in
    as environment (``with_env("GENESYS_MOCK_COMPAT", ...)`` works too); pass the client of a
    mounted fixture as ``client_id``/``client_secret``."""

    def __init__(
        self,
        image: str = IMAGE,
        *,
        seed: Optional[int] = None,
        rate_limit: Optional[str] = None,
        profile: Optional[str] = None,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        host_port: Optional[int] = None,
        **kwargs,
    ):
        super().__init__(image, **kwargs)
        self._client_id = client_id
        self._client_secret = client_secret
        self._host_port = host_port
        self._url: Optional[str] = None
        for name, value in (("SEED", seed), ("RATE_LIMIT", rate_limit), ("PROFILE", profile)):
            if value is not None:
                self.with_env(f"GENESYS_MOCK_{name}", str(value))
        self.waiting_for(HealthcheckWaitStrategy())

    def start(self) -> "GenesysMockContainer":
        port = self._host_port or _free_port()
        host = self.get_docker_client().host()
        self._url = f"http://{host}:{port}"
        self.with_bind_ports(PORT, port)
        self.with_env("GENESYS_MOCK_PUBLIC_URL", self._url)
        super().start()
        return self

    def _started(self) -> str:
        if self._url is None:
            raise RuntimeError("the container is not started")
        return self._url

    def get_url(self) -> str:
        """``http://HOST:PORT``, the mock as the test reaches it."""
        return self._started()

    def get_scim_url(self) -> str:
        return f"{self._started()}/api/v2/scim/v2"

    def get_token_url(self) -> str:
        return f"{self._started()}/oauth/token"

    def get_client_id(self) -> str:
        return self._client_id

    def get_client_secret(self) -> str:
        return self._client_secret

    def get_endpoint(self) -> Endpoint:
        """The default org as an :class:`~genesys_scim_mock.Endpoint`: ``token()``,
        ``new_org()``, ``journal()``, ``report()``, ``expect()``, ``env()`` and the rest."""
        return Endpoint(self._started(), self._client_id, self._client_secret, "default")

    def get_token(self) -> str:
        """A bearer token for the client (client credentials)."""
        return self.get_endpoint().token()

    def get_env(self) -> Dict[str, str]:
        """The variables ``exec`` sets, for this container (``env`` is Testcontainers' own
        attribute: the container's environment)."""
        return self.get_endpoint().env()
