"""Read AWS Price List bulk offer files into the catalog's sized families (EC2, RDS, ElastiCache).

An offer file is what `https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/<offer>/current/<region>/index.json`
serves: `products` (SKU -> productFamily + attributes) and `terms.OnDemand` (SKU -> offer term -> price dimensions
with `pricePerUnit.USD`). Only on-demand, hourly, USD prices are read; reserved terms are ignored.

What each catalog key takes from which offer (the same filters the shipped catalog was built with):

- `ec2Instance` (AmazonEC2): Compute Instance (and bare metal), Linux, shared tenancy, no pre-installed software,
  capacitystatus Used.
- `rdsPostgresInstance` / `rdsPostgresInstanceMultiAz` (AmazonRDS): Database Instance, PostgreSQL, deploymentOption
  Single-AZ / Multi-AZ (not the readable-standby cluster); `rdsMysqlInstance…` and `rdsMariadbInstance…` likewise
  for MySQL and MariaDB.
- `auroraPostgresInstance` (AmazonRDS): Database Instance, Aurora PostgreSQL, Aurora Standard storage (usage types
  with `IOOptimized` are the I/O-Optimized configuration and are skipped).
- `elasticacheRedisNode` / `elasticacheValkeyNode` (AmazonElastiCache): Cache Instance, cacheEngine Redis / Valkey.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional

# Offer files older than regionCode name regions by location only.
LOCATION_REGIONS = {
    "US East (N. Virginia)": "us-east-1", "US East (Ohio)": "us-east-2", "US West (N. California)": "us-west-1",
    "US West (Oregon)": "us-west-2", "EU (Ireland)": "eu-west-1", "EU (Frankfurt)": "eu-central-1",
    "EU (London)": "eu-west-2", "EU (Paris)": "eu-west-3", "EU (Stockholm)": "eu-north-1",
    "Asia Pacific (Singapore)": "ap-southeast-1", "Asia Pacific (Sydney)": "ap-southeast-2",
    "Asia Pacific (Tokyo)": "ap-northeast-1", "Asia Pacific (Mumbai)": "ap-south-1",
    "Canada (Central)": "ca-central-1", "South America (Sao Paulo)": "sa-east-1",
}

SPEC_KIND = {"ec2Instance": "ec2Instance", "rdsPostgresInstance": "rdsInstance",
             "rdsPostgresInstanceMultiAz": "rdsInstance", "auroraPostgresInstance": "rdsInstance",
             "rdsMysqlInstance": "rdsInstance", "rdsMysqlInstanceMultiAz": "rdsInstance",
             "rdsMariadbInstance": "rdsInstance", "rdsMariadbInstanceMultiAz": "rdsInstance",
             "elasticacheRedisNode": "elasticacheNode", "elasticacheValkeyNode": "elasticacheNode"}


class OfferFileError(ValueError):
    """The file is not an AWS Price List offer file phasegate can read."""


def _ec2(attributes: Mapping[str, str], usage_type: str) -> Optional[str]:
    linux = (attributes.get("operatingSystem") == "Linux" and attributes.get("tenancy") == "Shared"
             and attributes.get("preInstalledSw", "NA") == "NA" and attributes.get("capacitystatus", "Used") == "Used"
             and attributes.get("marketoption", "OnDemand") == "OnDemand")
    return "ec2Instance" if linux else None


RDS_ENGINES = {"PostgreSQL": "rdsPostgresInstance", "MySQL": "rdsMysqlInstance", "MariaDB": "rdsMariadbInstance"}
RDS_DEPLOYMENTS = {"Single-AZ": "", "Multi-AZ": "MultiAz"}  # not "Multi-AZ (readable standbys)", a DB cluster


def _rds(attributes: Mapping[str, str], usage_type: str) -> Optional[str]:
    engine, deployment = attributes.get("databaseEngine"), attributes.get("deploymentOption")
    if engine in RDS_ENGINES and deployment in RDS_DEPLOYMENTS:
        return RDS_ENGINES[engine] + RDS_DEPLOYMENTS[deployment]
    if engine == "Aurora PostgreSQL" and "IOOptimized" not in usage_type:
        return "auroraPostgresInstance"
    return None


def _elasticache(attributes: Mapping[str, str], usage_type: str) -> Optional[str]:
    return {"Redis": "elasticacheRedisNode", "Valkey": "elasticacheValkeyNode"}.get(attributes.get("cacheEngine", ""))


OFFERS: dict[str, tuple[frozenset[str], Callable[[Mapping[str, str], str], Optional[str]]]] = {
    "AmazonEC2": (frozenset({"Compute Instance", "Compute Instance (bare metal)"}), _ec2),
    "AmazonRDS": (frozenset({"Database Instance"}), _rds),
    "AmazonElastiCache": (frozenset({"Cache Instance"}), _elasticache),
}


@dataclass
class OfferPrices:
    """What one offer file says: {catalog key: {region: {size: USD/hour}}} and {spec kind: {size: (vCPU, GiB)}}."""

    offer: str
    version: str
    published: str  # YYYY-MM-DD
    prices: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    specs: dict[str, dict[str, tuple[int, float]]] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return f"AWS Price List bulk offer file {self.offer} version {self.version} (OnDemand terms, USD)"


def _memory_gib(text: str) -> Optional[float]:
    match = re.match(r"^\s*([\d,.]+)\s*GiB", text or "")
    return float(match.group(1).replace(",", "")) if match else None


def _hourly_usd(terms: Mapping[str, Any]) -> Optional[float]:
    for term in terms.values():
        for dimension in term.get("priceDimensions", {}).values():
            usd = dimension.get("pricePerUnit", {}).get("USD")
            if dimension.get("unit") in ("Hrs", "Hours", "Hour") and usd is not None:
                return float(usd)
    return None


def read_offer(data: Mapping[str, Any]) -> OfferPrices:
    """Parse one offer file's JSON into per-key, per-region hourly prices and specs."""
    if not isinstance(data, Mapping) or "products" not in data or "terms" not in data:
        raise OfferFileError("not an AWS Price List offer file (no 'products' and 'terms')")
    offer = data.get("offerCode", "")
    if offer not in OFFERS:
        raise OfferFileError(f"offer {offer or '(none)'} is not one phasegate prices per size; "
                             f"pass one of {', '.join(sorted(OFFERS))}")
    families, classify = OFFERS[offer]
    on_demand = data["terms"].get("OnDemand", {})
    result = OfferPrices(offer=offer, version=str(data.get("version", "unknown")),
                         published=str(data.get("publicationDate", ""))[:10])
    for sku, product in data["products"].items():
        attributes = product.get("attributes", {})
        size = attributes.get("instanceType", "")
        if product.get("productFamily") not in families or not size:
            continue
        key = classify(attributes, attributes.get("usagetype", ""))
        region = attributes.get("regionCode") or LOCATION_REGIONS.get(attributes.get("location", ""))
        usd = _hourly_usd(on_demand.get(sku, {}))
        if key is None or region is None or not usd:  # a $0 line is a placeholder SKU, not a price
            continue
        result.prices.setdefault(key, {}).setdefault(region, {})[size] = usd
        vcpu, memory = attributes.get("vcpu", ""), _memory_gib(attributes.get("memory", ""))
        if vcpu.isdigit() and memory is not None:
            result.specs.setdefault(SPEC_KIND[key], {})[size] = (int(vcpu), memory)
    return result


@dataclass(frozen=True)
class Change:
    key: str
    region: str
    added: int
    removed: int
    changed: int
    total: int

    def __str__(self) -> str:
        return (f"{self.key} {self.region}: {self.total} sizes ({self.added} added, {self.removed} removed, "
                f"{self.changed} repriced)")


def merge(catalog: dict[str, Any], offers: Iterable[OfferPrices], *, add_regions: bool = False,
          add_only: bool = False) -> tuple[list[Change], list[str]]:
    """Replace each (key, region) the offers price, in place; returns the changes and what was skipped.

    With `add_only`, only the sizes a region lacks are added and every listed price (and spec) is kept: for a
    source that is a partial or older snapshot, which must never overwrite a fresher listed price."""
    changes, skipped = [], []
    for offer in offers:
        for key, by_region in sorted(offer.prices.items()):
            entry = catalog["prices"].get(key)
            if entry is None:  # a family the catalog does not hold yet needs its unit and source written first
                skipped.append(f"{key}: not in the catalog; add its entry (unit, source) to take its prices")
                continue
            for region, sizes in sorted(by_region.items()):
                if region not in catalog["regions"]:
                    if not add_regions:
                        skipped.append(f"{key} {region}: region not in the catalog (use --add-regions)")
                        continue
                    catalog["regions"].append(region)
                old = entry["byRegion"].get(region) or {}
                if add_only:
                    new = {size: usd for size, usd in sizes.items() if size not in old}
                    changes.append(Change(key, region, added=len(new), removed=0, changed=0,
                                          total=len(old) + len(new)))
                    if not new:
                        continue
                    sizes = {**old, **new}
                    source = f"{offer.source}; added the {len(new)} sizes the region lacked, listed prices kept"
                else:
                    changes.append(Change(key, region, added=len(sizes.keys() - old.keys()),
                                          removed=len(old.keys() - sizes.keys()),
                                          changed=sum(1 for s in sizes.keys() & old.keys() if old[s] != sizes[s]),
                                          total=len(sizes)))
                    source = offer.source
                entry["byRegion"][region] = dict(sorted(sizes.items()))
                entry.setdefault("refreshed", {})[region] = {"source": source, "taken": offer.published}
        for kind, specs in offer.specs.items():
            table = catalog.setdefault("specs", {}).setdefault(kind, {})
            fresh = {size: [vcpu, memory] for size, (vcpu, memory) in specs.items()
                     if not (add_only and size in table)}
            catalog["specs"][kind] = dict(sorted({**table, **fresh}.items()))
    return changes, skipped


def read_offer_file(path: Path) -> OfferPrices:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise OfferFileError(f"{path}: {error}") from None
    try:
        return read_offer(data)
    except OfferFileError as error:
        raise OfferFileError(f"{path}: {error}") from None
