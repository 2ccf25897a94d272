"""Limits AWS derives from a size, computed the way AWS does, so alarms can be set as a share of them."""

from __future__ import annotations

import statistics
from typing import Optional

from phasegate_policies.cost.catalog import load_catalog, normalized_units, split_size

# PostgreSQL on RDS defaults max_connections to LEAST(DBInstanceClassMemory / 9531392, 5000).
_BYTES_PER_CONNECTION = 9531392
_MAX_CONNECTIONS = 5000


def class_memory_gib(instance_class: str) -> Optional[float]:
    """A DB class's memory: listed in the catalog's specs, else scaled from its family per normalized unit."""
    catalog = load_catalog()
    spec = catalog.spec("rdsInstance", instance_class)
    if spec:
        return spec.memory_gib
    family, size = split_size(instance_class)
    units = normalized_units(size)
    per_unit = [s[1] / u for name, s in catalog.specs.get("rdsInstance", {}).items()
                if split_size(name)[0] == family and (u := normalized_units(split_size(name)[1]))]
    return statistics.median(per_unit) * units if per_unit and units else None


def max_connections(instance_class: str) -> int:
    """RDS's default max_connections for a class (nominal memory; RDS reserves a little, so an upper bound).

    A class the catalog cannot size gets RDS's cap, so the alarm threshold errs high rather than paging early."""
    gib = class_memory_gib(instance_class)
    if gib is None:
        return _MAX_CONNECTIONS
    return min(int(gib * 1024 ** 3) // _BYTES_PER_CONNECTION, _MAX_CONNECTIONS)
