"""Limits AWS derives from a size, computed the way AWS does, so alarms can be set as a share of them."""

from __future__ import annotations

# Nominal memory of the classes in the price list. PostgreSQL on RDS defaults max_connections to
# LEAST(DBInstanceClassMemory / 9531392, 5000); the connections alarm is a percentage of that.
_CLASS_MEMORY_GIB = {"micro": 1, "small": 2, "medium": 4, "large": 8, "xlarge": 16}
_R_CLASS_MEMORY_GIB = {"large": 16, "xlarge": 32}


def max_connections(instance_class: str) -> int:
    """RDS's default max_connections for a class (from nominal memory; RDS reserves a little, so it is an upper bound)."""
    family, size = instance_class.split(".")[1:3]
    gib = (_R_CLASS_MEMORY_GIB if family.startswith("r") else _CLASS_MEMORY_GIB)[size]
    return min(gib * 1024 ** 3 // 9531392, 5000)
