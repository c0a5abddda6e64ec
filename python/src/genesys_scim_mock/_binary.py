"""Where the mock's binary is: the wheel installs it as a script beside Python's own."""

from __future__ import annotations

import os
import sys
import sysconfig

#: Set to a binary's path to use it instead of the one the wheel installed.
BINARY_ENV = "GENESYS_SCIM_MOCK_BINARY"


def find_bin() -> str:
    """The path of the ``genesys-scim-mock`` binary.

    ``GENESYS_SCIM_MOCK_BINARY`` wins; otherwise the script the wheel installed, looked up the
    way ruff's ``find_ruff_bin()`` does: the environment's scripts directory, then the user
    scheme's (``pip install --user``), then ``bin`` beside the package (``pip install --target``).
    """
    override = os.environ.get(BINARY_ENV)
    if override:
        if not os.path.isfile(override):
            raise FileNotFoundError(f"{BINARY_ENV}={override}: no such file")
        return override
    exe = "genesys-scim-mock" + (sysconfig.get_config_var("EXE") or "")
    candidates = [os.path.join(sysconfig.get_path("scripts"), exe)]
    if sys.version_info >= (3, 10):
        user_scheme = sysconfig.get_preferred_scheme("user")
    elif os.name == "nt":
        user_scheme = "nt_user"
    elif sys.platform == "darwin" and getattr(sys, "_framework", None):
        user_scheme = "osx_framework_user"
    else:
        user_scheme = "posix_user"
    candidates.append(os.path.join(sysconfig.get_path("scripts", scheme=user_scheme), exe))
    candidates.append(os.path.join(os.path.dirname(os.path.dirname(__file__)), "bin", exe))
    for path in candidates:
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(
        f"genesys-scim-mock binary not found (looked in {', '.join(candidates)}); "
        f"reinstall the wheel, or set {BINARY_ENV}"
    )
