"""Usage assumptions as the stack declares them under `phasegate:usage` (same keys as the program's model).

Required keys must be present: a cost model that guessed traffic would hide the biggest variable cost.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Mapping

REQUIRED = ("gbServedPerMonth", "requestsPerMonth", "assetsStorageGb", "logsGbPerMonth")
OPTIONAL = ("cdnGbPerMonth", "assetsPutRequestsPerMonth", "assetsGetRequestsPerMonth", "natGbPerMonth", "dbBackupGb")


@dataclass(frozen=True)
class Usage:
    gbServedPerMonth: float = 0
    requestsPerMonth: float = 0
    assetsStorageGb: float = 0
    logsGbPerMonth: float = 0
    cdnGbPerMonth: float = 0
    assetsPutRequestsPerMonth: float = 0
    assetsGetRequestsPerMonth: float = 0
    natGbPerMonth: float = 0
    dbBackupGb: float = 0


def parse_usage(raw: Mapping[str, Any] | None) -> tuple[Usage, list[str]]:
    """The usage and the problems with it (missing or non-numeric keys); problems price as zero."""
    raw = raw or {}
    problems, values = [], {}
    for name in (f.name for f in fields(Usage)):
        if name not in raw:
            if name in REQUIRED:
                problems.append(f"phasegate:usage.{name} is not declared")
            continue
        try:
            values[name] = max(0.0, float(raw[name]))
        except (TypeError, ValueError):
            problems.append(f"phasegate:usage.{name} is not a number: {raw[name]!r}")
    return Usage(**values), problems
