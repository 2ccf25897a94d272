#!/usr/bin/env python3
"""Rebuild the catalog's per-size prices (EC2, RDS PostgreSQL, MySQL, MariaDB and Aurora, ElastiCache Redis OSS and
Valkey) from AWS Price List bulk offer files you downloaded, and record each region's source and date in the catalog.

    curl -o ec2-us-east-1.json \\
      https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/us-east-1/index.json
    .venv/bin/python policies/tools/refresh_catalog.py ec2-us-east-1.json rds-us-east-1.json --dry-run
    .venv/bin/python policies/tools/refresh_catalog.py ec2-us-east-1.json rds-us-east-1.json

The offers are AmazonEC2, AmazonRDS and AmazonElastiCache; a regional file (…/current/<region>/index.json) is
much smaller than the global one (an EC2 region is several hundred MB: reading it needs a few GB of memory).
Flat prices (storage, NAT, load balancers, requests) are not touched: they carry their own source and date.

A SkyPilot catalog `vms.csv` (github.com/skypilot-org/skypilot-catalog, catalogs/<version>/aws/vms.csv: one row per
instance type and Availability Zone, built from the same AWS price list, on-demand Linux) is read as EC2 prices too;
it carries no date, so pass the commit's date with --taken. With --add-only only the sizes a region does not list
yet are added and every listed price is kept (use it for a partial source); without it each region the files
price is replaced, as with offer files.

The script imports the pack's package `phasegate_policies`, which ./dev installs into .venv in editable mode
(`pip install -e ./policies`); run it with that interpreter.

Exit status: 0 written (or would be, with --dry-run), 2 a file could not be read.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

try:
    from phasegate_policies.cost.catalog import CATALOG_FILE
    from phasegate_policies.cost.offer_files import OfferFileError, OfferPrices, merge, read_offer_file
except ImportError as error:  # pragma: no cover - depends on the interpreter, not on the code
    sys.exit(f"refresh_catalog: cannot import the pack ({error}); run it with the project's interpreter "
             f"(.venv/bin/python, set up by ./dev) or install the pack first: pip install -e ./policies")

SKYPILOT_COLUMNS = {"InstanceType", "vCPUs", "MemoryGiB", "Price", "Region"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class CsvPrices(OfferPrices):
    """EC2 prices read from a SkyPilot catalog vms.csv (no version or date of its own)."""

    path_name: str = ""
    conflicts: list[str] = field(default_factory=list)

    @property
    def source(self) -> str:
        return (f"SkyPilot catalog {self.path_name} (AWS Price List EC2 regional offer, OnDemand, Linux, no "
                f"pre-installed software, capacitystatus Used, via SkyPilot's fetch_aws.py), column Price")


def is_skypilot_csv(path: Path) -> bool:
    """A CSV whose header names SkyPilot's columns (an offer file is JSON and starts with a brace)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return False
    if head.lstrip().startswith("{"):
        return False
    return SKYPILOT_COLUMNS <= set(next(csv.reader([head.splitlines()[0] if head else ""]), []))


def read_skypilot_csv(path: Path, taken: str) -> CsvPrices:
    """One price per (instance type, region): the AZ rows of a region must agree, or the type is left out."""
    result = CsvPrices(offer="AmazonEC2", version="skypilot-vms.csv", published=taken, path_name=Path(path).name)
    seen: dict[tuple[str, str], set[float]] = {}
    try:
        with open(path, newline="") as handle:
            for row in csv.DictReader(handle):
                size, region, price = row["InstanceType"], row["Region"], (row["Price"] or "").strip()
                if not size or not region or not price or float(price) <= 0:  # mac hosts: no hourly price
                    continue
                seen.setdefault((size, region), set()).add(float(price))
                vcpu, memory = row.get("vCPUs") or "", row.get("MemoryGiB") or ""
                if vcpu and memory:
                    result.specs.setdefault("ec2Instance", {})[size] = (int(float(vcpu)), float(memory))
    except (OSError, ValueError, KeyError, csv.Error) as error:
        raise OfferFileError(f"{path}: not a readable SkyPilot vms.csv ({error})") from None
    prices = result.prices.setdefault("ec2Instance", {})
    result.conflicts = sorted(f"{size} {region}: zones disagree ({sorted(usd)})"
                              for (size, region), usd in seen.items() if len(usd) > 1)
    for (size, region), usd in seen.items():
        if len(usd) == 1:
            prices.setdefault(region, {})[size] = usd.pop()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("offer_files", nargs="+", type=Path,
                        help="downloaded offer files (index.json), or SkyPilot vms.csv files")
    parser.add_argument("--catalog", type=Path, default=CATALOG_FILE, help="catalog to update (default: the pack's)")
    parser.add_argument("--add-regions", action="store_true",
                        help="add regions the catalog does not list yet (their flat prices stay unpriced)")
    parser.add_argument("--add-only", action="store_true",
                        help="only add sizes a region does not list yet; keep every listed price")
    parser.add_argument("--taken", help="date of a SkyPilot vms.csv (YYYY-MM-DD, the commit's date); required for one")
    parser.add_argument("--dry-run", action="store_true", help="print what would change; write nothing")
    args = parser.parse_args(argv)

    offers: list[OfferPrices] = []
    try:
        for path in args.offer_files:
            if is_skypilot_csv(path):
                if not args.taken or not _DATE.match(args.taken):
                    raise OfferFileError(f"{path}: a SkyPilot vms.csv carries no date; pass --taken YYYY-MM-DD")
                offers.append(read_skypilot_csv(path, args.taken))
            else:
                offers.append(read_offer_file(path))
    except OfferFileError as error:
        print(f"refresh_catalog: {error}", file=sys.stderr)
        return 2
    catalog = json.loads(args.catalog.read_text())
    changes, skipped = merge(catalog, offers, add_regions=args.add_regions, add_only=args.add_only)
    for offer in offers:
        skipped += [f"ec2Instance {conflict}; left out" for conflict in getattr(offer, "conflicts", [])]
        if offer.offer == "AmazonElastiCache":
            for region in offer.prices.get("elasticacheRedisNode", {}).keys() - offer.prices.get(
                    "elasticacheValkeyNode", {}).keys():
                skipped.append(f"elasticacheValkeyNode {region}: the file has no Valkey prices; left as it was")
    for change in changes:
        print(change)
    for line in skipped:
        print(f"skipped {line}")
    if not changes or (args.add_only and not any(change.added for change in changes)):
        print("nothing to update: the files price no size phasegate reads" if not changes else
              "nothing to update: the catalog already lists every size the files price")
    elif args.dry_run:
        print(f"dry run: {args.catalog} not written")
    else:
        args.catalog.write_text(json.dumps(catalog, indent=1) + "\n")
        print(f"wrote {args.catalog}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
