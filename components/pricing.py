"""Read-only view of the policy pack's price catalog, so config can reject an instance type the cost model cannot price.

The catalog lives in the policy pack (which must stay self-contained when published); the program only reads it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CATALOG_PATH = Path(__file__).resolve().parent.parent / "policies" / "phasegate_policies" / "cost" / "catalog.json"


@dataclass(frozen=True)
class CatalogView:
    regions: tuple[str, ...]
    sized: dict[str, dict[str, dict[str, float]]]  # family -> region -> size -> hourly price

    def sizes(self, family: str, region: str) -> list[str]:
        return sorted(self.sized[family].get(region, {}))


@lru_cache(maxsize=1)
def catalog() -> CatalogView:
    data = json.loads(CATALOG_PATH.read_text())
    prices = data["prices"]
    return CatalogView(
        regions=tuple(data["regions"]),
        sized={
            family: prices[family]["byRegion"]
            for family in ("ec2Instance", "rdsPostgresInstance", "elasticacheNode")
        },
    )
