"""phasegate's version, read from its one place: the pack's `policies/pyproject.toml` (the package that is published).

`policies/PulumiPolicy.yaml` must repeat it for `pulumi policy publish`; a test keeps the two equal.
"""

from __future__ import annotations

import re
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "policies" / "pyproject.toml"


def read_version(pyproject: Path = PYPROJECT) -> str:
    match = re.search(r'^version\s*=\s*"([^"]+)"', pyproject.read_text(), re.MULTILINE)
    if match is None:
        raise RuntimeError(f"{pyproject} has no [project] version")
    return match.group(1)


VERSION = read_version()
