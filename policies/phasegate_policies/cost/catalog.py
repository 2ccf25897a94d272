"""The price catalog (catalog.json beside this file): on-demand list prices per region, with unit, source and date.

This is the one module that reads catalog.json; everything else (the rules, the offline check, the program's
config validation) asks `load_catalog()`. `policies/tools/refresh_catalog.py` rebuilds the sized families
(EC2, RDS, ElastiCache) from AWS Price List offer files.

A size missing from a family that is listed in the region is derived from the family's price per normalized
unit (AWS prices sizes linearly: nano 0.25, micro 0.5, small 1, medium 2, large 4, xlarge 8, Nxlarge 8N);
such a price says so (`SizedPrice.derived_from`). Bare-metal sizes are never derived.
"""

from __future__ import annotations

import json
import re
import statistics
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional

CATALOG_FILE = Path(__file__).with_name("catalog.json")
NORMALIZED_UNITS = {"nano": 0.25, "micro": 0.5, "small": 1, "medium": 2, "large": 4, "xlarge": 8}
_MULTIPLE_XLARGE = re.compile(r"^(\d+)xlarge$")


class Unpriceable(Exception):
    """The catalog has no price for what a resource asks for (a size or a region it does not list)."""


def normalized_units(size: str) -> Optional[float]:
    """AWS's normalization factor of a size name (`2xlarge` = 16), or None (metal, unusual names)."""
    if size in NORMALIZED_UNITS:
        return NORMALIZED_UNITS[size]
    match = _MULTIPLE_XLARGE.match(size)
    return int(match.group(1)) * 8 if match else None


def split_size(name: str) -> tuple[str, str]:
    """'m7i.large' -> ('m7i', 'large'); 'db.r6g.4xlarge' -> ('db.r6g', '4xlarge'); 'cache.t4g.micro' likewise."""
    family, _, size = name.rpartition(".")
    return family, size


@dataclass(frozen=True)
class SizedPrice:
    usd: float
    derived_from: Optional[str] = None  # "the m7i family's $0.0504 per normalized unit" when not listed


@dataclass(frozen=True)
class Spec:
    vcpu: int
    memory_gib: float


@dataclass(frozen=True)
class Catalog:
    hours_per_month: float
    regions: tuple[str, ...]
    prices: Mapping[str, Mapping[str, Any]]
    free: Mapping[str, float]
    specs: Mapping[str, Mapping[str, Any]]

    def price(self, key: str, region: str) -> float:
        """A flat price (storage, hours, requests) in `region`."""
        by_region = self.prices[key]["byRegion"].get(region)
        if by_region is None or isinstance(by_region, Mapping):
            raise Unpriceable(f"no {key} price for region {region}")
        return float(by_region)

    def sized(self, key: str, region: str, size: Any) -> SizedPrice:
        """The price of one size (instance type, class, node type) in `region`, derived when it is not listed."""
        by_region = self.prices[key]["byRegion"].get(region)
        if not isinstance(by_region, Mapping):
            raise Unpriceable(f"no {key} price for region {region}")
        if not isinstance(size, str) or not size:
            raise Unpriceable(f"{key} needs a size (instance type or class) and none is set")
        if size in by_region:
            return SizedPrice(float(by_region[size]))
        family, name = split_size(size)
        units = normalized_units(name)
        per_unit = [float(price) / u for listed, price in by_region.items()
                    if split_size(listed)[0] == family and (u := normalized_units(split_size(listed)[1]))]
        if units is None or not per_unit or not family:
            raise Unpriceable(f"no {key} price for {size} in {region}")
        rate = statistics.median(per_unit)
        return SizedPrice(round(rate * units, 6), derived_from=f"the {family} family's ${rate:.6g} per normalized unit")

    def sizes(self, key: str, region: str) -> list[str]:
        """The sizes (instance types, classes, node types) `key` lists in `region`, sorted."""
        by_region = self.prices[key]["byRegion"].get(region)
        return sorted(by_region) if isinstance(by_region, Mapping) else []

    def spec(self, kind: str, size: str) -> Optional[Spec]:
        """vCPUs and memory of an EC2 type (`ec2Instance`), RDS class (`rdsInstance`) or cache node, if known."""
        found = self.specs.get(kind, {}).get(size)
        return Spec(int(found[0]), float(found[1])) if found else None

    def unit(self, key: str) -> str:
        return self.prices[key]["unit"]


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    data = json.loads(CATALOG_FILE.read_text())
    return Catalog(hours_per_month=float(data["hoursPerMonth"]), regions=tuple(data["regions"]),
                   prices=data["prices"], free=data["freeAllowances"], specs=data.get("specs", {}))
