#!/usr/bin/env python3
"""Rebuild the catalog's per-size prices (EC2, RDS PostgreSQL and Aurora, ElastiCache Redis OSS and Valkey) from
AWS Price List bulk offer files you downloaded, and record each region's source and date in the catalog.

    curl -o ec2-us-east-1.json \\
      https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/us-east-1/index.json
    python policies/tools/refresh_catalog.py ec2-us-east-1.json rds-us-east-1.json --dry-run
    python policies/tools/refresh_catalog.py ec2-us-east-1.json rds-us-east-1.json

The offers are AmazonEC2, AmazonRDS and AmazonElastiCache; a regional file (…/current/<region>/index.json) is
much smaller than the global one (an EC2 region is several hundred MB: reading it needs a few GB of memory).
Flat prices (storage, NAT, load balancers, requests) are not touched: they carry their own source and date.

Exit status: 0 written (or would be, with --dry-run), 2 a file could not be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing the pack

from phasegate_policies.cost.catalog import CATALOG_FILE  # noqa: E402
from phasegate_policies.cost.offer_files import OfferFileError, merge, read_offer_file  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("offer_files", nargs="+", type=Path, help="downloaded offer files (index.json)")
    parser.add_argument("--catalog", type=Path, default=CATALOG_FILE, help="catalog to update (default: the pack's)")
    parser.add_argument("--add-regions", action="store_true",
                        help="add regions the catalog does not list yet (their flat prices stay unpriced)")
    parser.add_argument("--dry-run", action="store_true", help="print what would change; write nothing")
    args = parser.parse_args(argv)

    try:
        offers = [read_offer_file(path) for path in args.offer_files]
    except OfferFileError as error:
        print(f"refresh_catalog: {error}", file=sys.stderr)
        return 2
    catalog = json.loads(args.catalog.read_text())
    changes, skipped = merge(catalog, offers, add_regions=args.add_regions)
    for offer in offers:
        if offer.offer == "AmazonElastiCache":
            for region in offer.prices.get("elasticacheRedisNode", {}).keys() - offer.prices.get(
                    "elasticacheValkeyNode", {}).keys():
                skipped.append(f"elasticacheValkeyNode {region}: the file has no Valkey prices; left as it was")
    for change in changes:
        print(change)
    for line in skipped:
        print(f"skipped {line}")
    if not changes:
        print("nothing to update: the files price no size phasegate reads")
    elif args.dry_run:
        print(f"dry run: {args.catalog} not written")
    else:
        args.catalog.write_text(json.dumps(catalog, indent=1) + "\n")
        print(f"wrote {args.catalog}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
