"""``python -m genesys_scim_mock ARGS``: the mock's command line, as installed by the wheel."""

from __future__ import annotations

import os
import subprocess
import sys

from ._binary import find_bin


def main() -> int:
    binary = find_bin()
    if sys.platform == "win32":
        # No exec(2) on Windows: run it as a child and pass its code on.
        return subprocess.call([binary, *sys.argv[1:]])
    os.execv(binary, [binary, *sys.argv[1:]])
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
