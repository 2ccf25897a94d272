"""The compact models pre-flight reads (written by tools/refresh_preflight.py), each loaded once per process, on
first use: a stack without Kubernetes objects never reads the Kubernetes schemas."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent
MODELS = ("aws.json", "iam.json", "kubernetes.json")


@functools.cache
def model(name: str) -> dict[str, Any]:
    """One model file as data; a missing or broken file is a packaging error and fails loudly (fail closed)."""
    if name not in MODELS:
        raise ValueError(f"{name!r} is not a pre-flight model (one of {', '.join(MODELS)})")
    return json.loads((DATA_DIR / name).read_text())


def source(name: str) -> str:
    """What a model was extracted from, and when: named in every report of what pre-flight checked."""
    data = model(name)
    return f"{data['source']}, refreshed {data['refreshed']}"
