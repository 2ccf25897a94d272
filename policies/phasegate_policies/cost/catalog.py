"""The price catalog (catalog.json beside this file): on-demand list prices per region, with unit, source and date.

This is the one module that reads catalog.json; everything else (the rules, the offline check, the program's
config validation) asks `load_catalog()`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional

CATALOG_FILE = Path(__file__).with_name("catalog.json")


class Unpriceable(Exception):
    """The catalog has no price for what a resource asks for (a size or a region it does not list)."""


@dataclass(frozen=True)
class Catalog:
    hours_per_month: float
    regions: tuple[str, ...]
    prices: Mapping[str, Mapping[str, Any]]
    free: Mapping[str, float]

    def price(self, key: str, region: str, size: Optional[str] = None) -> float:
        entry = self.prices[key]
        by_region = entry["byRegion"].get(region)
        if by_region is None:
            raise Unpriceable(f"no {key} price for region {region}")
        if isinstance(by_region, Mapping):
            if not size:
                raise Unpriceable(f"{key} needs a size (instance type or class) and none is set")
        elif size is None:
            return float(by_region)
        if size not in by_region:
            raise Unpriceable(f"no {key} price for {size} in {region}")
        return float(by_region[size])

    def unit(self, key: str) -> str:
        return self.prices[key]["unit"]

    def sizes(self, key: str, region: str) -> list[str]:
        """The sizes (instance types, classes, node types) `key` has a price for in `region`, sorted."""
        by_region = self.prices[key]["byRegion"].get(region)
        return sorted(by_region) if isinstance(by_region, Mapping) else []


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    data = json.loads(CATALOG_FILE.read_text())
    return Catalog(hours_per_month=float(data["hoursPerMonth"]), regions=tuple(data["regions"]),
                   prices=data["prices"], free=data["freeAllowances"])
