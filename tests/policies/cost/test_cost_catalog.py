"""The price catalog (`cost/catalog.py`): every current size priced in every region, each price with its source."""

from __future__ import annotations

import re

import pytest

from phasegate_policies.cost import load_catalog


@pytest.mark.parametrize("region, instance_type, hourly", [
    ("us-east-2", "t3.small", 0.0208), ("ap-southeast-1", "t3.small", 0.0264), ("us-east-1", "m7i.8xlarge", 1.6128),
    ("eu-central-1", "c7g.large", 0.0825), ("us-west-2", "t2.micro", 0.0116), ("us-east-1", "m8i.large", 0.10584),
])
def test_every_current_generation_ec2_type_is_priced_in_every_catalog_region(region, instance_type, hourly):
    assert load_catalog().sized("ec2Instance", region, instance_type).usd == hourly


def test_rds_postgres_single_and_multi_az_and_aurora_are_in_the_catalog():
    catalog = load_catalog()
    assert catalog.sized("rdsPostgresInstance", "us-east-1", "db.r6g.4xlarge").usd == 1.798
    assert catalog.sized("rdsPostgresInstanceMultiAz", "us-east-1", "db.r6g.4xlarge").usd == 3.597
    assert catalog.sized("rdsPostgresInstance", "ap-southeast-1", "db.t4g.micro").usd == 0.025
    assert catalog.sized("auroraPostgresInstance", "us-east-1", "db.r6g.large").usd == 0.26
    assert all(len(catalog.sizes("rdsPostgresInstance", region)) > 100 for region in catalog.regions)
    assert all(len(catalog.sizes("ec2Instance", region)) > 600 for region in catalog.regions)


def test_catalog_entries_carry_unit_source_and_date_for_every_region():
    catalog = load_catalog()
    assert catalog.hours_per_month == 730
    assert set(catalog.regions) == {"us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1",
                                    "ap-southeast-1"}
    for key, entry in catalog.prices.items():
        assert entry["unit"] and entry["source"] and re.match(r"^\d{4}-\d{2}-\d{2}$", entry["taken"]), key
        # A region without a citable price is left out only where the entry says why (it then prices as unpriced).
        assert set(entry["byRegion"]) == set(catalog.regions) or entry.get("regionsNotListed"), key
        assert set(entry["byRegion"]) <= set(catalog.regions) and entry["byRegion"], key
        assert all(value is not None for value in entry["byRegion"].values()), key
