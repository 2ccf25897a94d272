"""The catalog refresh script, fed small offer files in the AWS Price List bulk format."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT
from phasegate_policies.cost.catalog import CATALOG_FILE, Catalog
from phasegate_policies.cost.offer_files import OfferFileError, read_offer

SCRIPT = ROOT / "policies" / "tools" / "refresh_catalog.py"


def _offer(offer: str, products: list[tuple[str, dict, float]], family: str) -> dict:
    """An offer file with one on-demand hourly price per SKU, plus a reserved term that must be ignored."""
    return {
        "formatVersion": "v1.0", "offerCode": offer, "version": "20261120000000",
        "publicationDate": "2026-11-20T00:00:00Z",
        "products": {sku: {"sku": sku, "productFamily": attrs.pop("_family", family), "attributes": attrs}
                     for sku, attrs, _ in products},
        "terms": {
            "OnDemand": {sku: {f"{sku}.JRTCKXETXF": {"priceDimensions": {f"{sku}.JRTCKXETXF.6YS6EN2CT7": {
                "unit": "Hrs", "pricePerUnit": {"USD": f"{usd:.10f}"}}}}} for sku, _, usd in products},
            "Reserved": {sku: {f"{sku}.4NA7Y494T4": {"priceDimensions": {f"{sku}.4NA7Y494T4.6YS6EN2CT7": {
                "unit": "Hrs", "pricePerUnit": {"USD": "0.0010000000"}}}}} for sku, _, _ in products},
        },
    }


def _ec2(instance_type: str, **overrides) -> dict:
    attrs = {"instanceType": instance_type, "regionCode": "us-east-1", "operatingSystem": "Linux",
             "tenancy": "Shared", "preInstalledSw": "NA", "capacitystatus": "Used", "vcpu": "2", "memory": "8 GiB",
             "usagetype": f"BoxUsage:{instance_type}"}
    return {**attrs, **overrides}


EC2 = _offer("AmazonEC2", [
    ("A", _ec2("m7i.large"), 0.1008),
    ("B", _ec2("m7i.large", operatingSystem="Windows"), 0.1928),
    ("C", _ec2("m7i.large", tenancy="Dedicated"), 0.1109),
    ("D", _ec2("m7i.large", capacitystatus="UnusedCapacityReservation"), 0.1008),
    ("E", _ec2("x2iedn.32xlarge", vcpu="128", memory="4,096 GiB"), 26.676),
    ("F", _ec2("m9z.large", regionCode="", location="Asia Pacific (Singapore)"), 0.2),
    ("G", _ec2("m7i.xlarge", preInstalledSw="SQL Std"), 0.9),
    ("H", _ec2("m7i.2xlarge", vcpu="8", memory="32 GiB"), 0.0),  # a placeholder SKU, not a price
], "Compute Instance")

RDS = _offer("AmazonRDS", [
    ("A", {"instanceType": "db.t4g.micro", "regionCode": "us-east-1", "databaseEngine": "PostgreSQL",
           "deploymentOption": "Single-AZ", "vcpu": "2", "memory": "1 GiB", "usagetype": "InstanceUsage:db.t4g.micro"},
     0.016),
    ("B", {"instanceType": "db.t4g.micro", "regionCode": "us-east-1", "databaseEngine": "PostgreSQL",
           "deploymentOption": "Multi-AZ", "usagetype": "Multi-AZUsage:db.t4g.micro"}, 0.032),
    ("C", {"instanceType": "db.t4g.micro", "regionCode": "us-east-1", "databaseEngine": "PostgreSQL",
           "deploymentOption": "Multi-AZ (readable standbys)", "usagetype": "Multi-AZClusterUsage:db.t4g.micro"},
     0.048),
    ("D", {"instanceType": "db.r6g.large", "regionCode": "us-east-2", "databaseEngine": "Aurora PostgreSQL",
           "deploymentOption": "Single-AZ", "usagetype": "USE2-InstanceUsage:db.r6g.large"}, 0.26),
    ("E", {"instanceType": "db.r6g.large", "regionCode": "us-east-2", "databaseEngine": "Aurora PostgreSQL",
           "deploymentOption": "Single-AZ", "usagetype": "USE2-InstanceUsageIOOptimized:db.r6g.large"}, 0.338),
    ("F", {"instanceType": "db.t4g.micro", "regionCode": "us-east-1", "databaseEngine": "MySQL",
           "deploymentOption": "Single-AZ", "usagetype": "InstanceUsage:db.t4g.micro"}, 0.016),
    ("G", {"instanceType": "db.t4g.micro", "regionCode": "us-east-1", "databaseEngine": "MariaDB",
           "deploymentOption": "Multi-AZ", "usagetype": "Multi-AZUsage:db.t4g.micro"}, 0.032),
    ("I", {"instanceType": "db.t4g.micro", "regionCode": "us-east-1", "databaseEngine": "MariaDB",
           "deploymentOption": "Single-AZ", "usagetype": "InstanceUsage:db.t4g.micro"}, 0.016),
    ("H", {"instanceType": "db.t4g.micro", "regionCode": "us-east-1", "databaseEngine": "Oracle",
           "deploymentOption": "Single-AZ", "usagetype": "InstanceUsage:db.t4g.micro"}, 0.03),
], "Database Instance")

ELASTICACHE = _offer("AmazonElastiCache", [
    ("A", {"instanceType": "cache.t4g.micro", "regionCode": "us-west-2", "cacheEngine": "Redis", "vcpu": "2",
           "memory": "0.5 GiB"}, 0.016),
    ("B", {"instanceType": "cache.t4g.micro", "regionCode": "us-west-2", "cacheEngine": "Valkey"}, 0.0128),
    ("C", {"instanceType": "cache.t4g.micro", "regionCode": "us-west-2", "cacheEngine": "Memcached"}, 0.016),
    ("D", {"_family": "ElastiCache Serverless", "regionCode": "us-west-2", "cacheEngine": "Valkey",
           "instanceType": "serverless"}, 0.084),
], "Cache Instance")


def test_only_on_demand_linux_shared_tenancy_prices_are_read():
    offer = read_offer(EC2)
    assert offer.prices == {"ec2Instance": {"us-east-1": {"m7i.large": 0.1008, "x2iedn.32xlarge": 26.676},
                                            "ap-southeast-1": {"m9z.large": 0.2}}}
    assert offer.specs["ec2Instance"]["x2iedn.32xlarge"] == (128, 4096.0)
    assert offer.source == "AWS Price List bulk offer file AmazonEC2 version 20261120000000 (OnDemand terms, USD)"
    assert offer.published == "2026-11-20"


def test_rds_engines_deployments_and_aurora_standard_storage_land_in_their_own_keys():
    assert read_offer(RDS).prices == {
        "rdsPostgresInstance": {"us-east-1": {"db.t4g.micro": 0.016}},
        "rdsPostgresInstanceMultiAz": {"us-east-1": {"db.t4g.micro": 0.032}},
        "auroraPostgresInstance": {"us-east-2": {"db.r6g.large": 0.26}},
        # MySQL and MariaDB, which other programs run (issue #20); engines the catalog does not hold are left out.
        "rdsMysqlInstance": {"us-east-1": {"db.t4g.micro": 0.016}},
        "rdsMariadbInstance": {"us-east-1": {"db.t4g.micro": 0.016}},
        "rdsMariadbInstanceMultiAz": {"us-east-1": {"db.t4g.micro": 0.032}},
    }


def test_elasticache_reads_redis_oss_and_valkey_nodes_and_nothing_serverless():
    assert read_offer(ELASTICACHE).prices == {"elasticacheRedisNode": {"us-west-2": {"cache.t4g.micro": 0.016}},
                                              "elasticacheValkeyNode": {"us-west-2": {"cache.t4g.micro": 0.0128}}}


def test_a_file_that_is_not_a_sized_offer_is_refused():
    for data, reason in [({"x": 1}, "not an AWS Price List offer file"),
                         ({**EC2, "offerCode": "AmazonS3"}, "offer AmazonS3 is not one phasegate prices per size")]:
        try:
            read_offer(data)
        except OfferFileError as error:
            assert str(error).startswith(reason)
        else:
            raise AssertionError(f"{reason}: accepted")


def _run(tmp_path, *files: dict, extra: tuple[str, ...] = ()) -> tuple[subprocess.CompletedProcess, dict]:
    catalog = tmp_path / "catalog.json"
    catalog.write_text(CATALOG_FILE.read_text())
    paths = []
    for index, data in enumerate(files):
        paths.append(tmp_path / f"offer-{index}.json")
        paths[-1].write_text(json.dumps(data))
    result = subprocess.run([sys.executable, str(SCRIPT), *map(str, paths), "--catalog", str(catalog), *extra],
                            capture_output=True, text=True, timeout=120)
    return result, json.loads(catalog.read_text())


def test_the_script_replaces_a_regions_sizes_and_records_source_and_date(tmp_path):
    result, catalog = _run(tmp_path, EC2, RDS)
    assert result.returncode == 0, result.stderr
    ec2 = catalog["prices"]["ec2Instance"]
    assert ec2["byRegion"]["us-east-1"] == {"m7i.large": 0.1008, "x2iedn.32xlarge": 26.676}
    assert ec2["refreshed"]["us-east-1"] == {"taken": "2026-11-20", "source": (
        "AWS Price List bulk offer file AmazonEC2 version 20261120000000 (OnDemand terms, USD)")}
    shipped = json.loads(CATALOG_FILE.read_text())["prices"]["ec2Instance"]["byRegion"]
    assert ec2["byRegion"]["us-west-2"] == shipped["us-west-2"]  # regions the files do not cover stay as they were
    assert "skipped ec2Instance ap-southeast-1" not in result.stdout  # the catalog lists ap-southeast-1
    assert "ec2Instance us-east-1: 2 sizes (" in result.stdout and result.stdout.rstrip().endswith("catalog.json")
    prices = Catalog(hours_per_month=730, regions=tuple(catalog["regions"]), prices=catalog["prices"], free={},
                     specs=catalog["specs"])
    # A size the new file does not list is derived from the family it does list.
    derived = prices.sized("ec2Instance", "us-east-1", "m7i.4xlarge")
    assert (derived.usd, derived.derived_from) == (0.8064, "the m7i family's $0.0252 per normalized unit")
    assert prices.sized("auroraPostgresInstance", "us-east-2", "db.r6g.large").usd == 0.26
    assert prices.sized("rdsMariadbInstance", "us-east-1", "db.t4g.micro").usd == 0.016
    # A family the catalog has no entry for (no unit or source written yet) is left out, and the script says so.
    assert "rdsMariadbInstanceMultiAz" not in catalog["prices"]
    assert "skipped rdsMariadbInstanceMultiAz: not in the catalog; add its entry (unit, source) to take its prices" \
        in result.stdout


def test_dry_run_writes_nothing_and_unknown_regions_need_a_flag(tmp_path):
    offer = json.loads(json.dumps(ELASTICACHE))
    for product in offer["products"].values():
        product["attributes"]["regionCode"] = "sa-east-1"
    result, catalog = _run(tmp_path, offer, extra=("--dry-run",))
    assert result.returncode == 0
    assert "skipped elasticacheRedisNode sa-east-1: region not in the catalog (use --add-regions)" in result.stdout
    assert catalog == json.loads(CATALOG_FILE.read_text())
    result, catalog = _run(tmp_path, offer, extra=("--add-regions",))
    assert "sa-east-1" in catalog["regions"]
    assert catalog["prices"]["elasticacheValkeyNode"]["byRegion"]["sa-east-1"] == {"cache.t4g.micro": 0.0128}


def test_an_unreadable_file_gets_one_line_and_exit_two(tmp_path):
    result, catalog = _run(tmp_path, {"products": {}, "terms": {}, "offerCode": "AWSLambda"})
    assert result.returncode == 2
    assert result.stderr.strip().endswith("offer-0.json: offer AWSLambda is not one phasegate prices per size; "
                                          "pass one of AmazonEC2, AmazonElastiCache, AmazonRDS")
    assert catalog == json.loads(CATALOG_FILE.read_text())


def test_the_script_runs_from_any_directory_without_path_tricks(tmp_path):
    """It imports the installed pack (./dev installs it editable); no sys.path edit, no cwd assumption."""
    assert "sys.path" not in SCRIPT.read_text()
    result = subprocess.run([sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, timeout=60,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "offer files" in result.stdout


SKYPILOT_HEADER = "InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,GpuInfo,Price,SpotPrice,Region," \
                  "AvailabilityZone,Arch\n"


def _skypilot_csv(tmp_path, rows: list[str]):
    path = tmp_path / "vms.csv"
    path.write_text(SKYPILOT_HEADER + "".join(row + "\n" for row in rows))
    return path


def _run_files(tmp_path, *paths, extra: tuple[str, ...] = ()) -> tuple[subprocess.CompletedProcess, dict]:
    catalog = tmp_path / "catalog.json"
    catalog.write_text(CATALOG_FILE.read_text())
    result = subprocess.run([sys.executable, str(SCRIPT), *map(str, paths), "--catalog", str(catalog), *extra],
                            capture_output=True, text=True, timeout=120)
    return result, json.loads(catalog.read_text())


def test_a_skypilot_vms_csv_adds_the_sizes_a_region_lacks_and_keeps_listed_prices(tmp_path):
    shipped = json.loads(CATALOG_FILE.read_text())["prices"]["ec2Instance"]["byRegion"]
    listed = next(iter(shipped["eu-west-1"]))  # a size the catalog already prices in eu-west-1
    path = _skypilot_csv(tmp_path, [
        "zz9i.large,,,2.0,8.0,,0.1176,0.05,eu-west-1,euw1-az1,x86_64",
        "zz9i.large,,,2.0,8.0,,0.1176,0.04,eu-west-1,euw1-az2,x86_64",  # every zone, same on-demand price
        "zz9i.xlarge,,,4.0,16.0,,0.2352,0.09,eu-west-1,euw1-az1,x86_64",
        "zz9i.xlarge,,,4.0,16.0,,0.3000,0.09,eu-west-1,euw1-az2,x86_64",  # zones disagree: left out
        f"{listed},,,2.0,8.0,,99.0,1.0,eu-west-1,euw1-az1,x86_64",  # listed already: kept as it is
        "mac2.metal,,,8.0,16.0,,,,eu-west-1,euw1-az1,arm64_mac",  # no hourly price
    ])
    result, catalog = _run_files(tmp_path, path, extra=("--add-only",))
    assert result.returncode == 2 and "pass --taken YYYY-MM-DD" in result.stderr  # a CSV carries no date
    result, catalog = _run_files(tmp_path, path, extra=("--add-only", "--taken", "2026-05-01"))
    assert result.returncode == 0, result.stderr
    ec2 = catalog["prices"]["ec2Instance"]
    assert ec2["byRegion"]["eu-west-1"] == {**shipped["eu-west-1"], "zz9i.large": 0.1176}
    assert list(ec2["byRegion"]["eu-west-1"]) == sorted(ec2["byRegion"]["eu-west-1"])
    assert ec2["byRegion"]["us-east-1"] == shipped["us-east-1"]
    assert ec2["refreshed"]["eu-west-1"]["taken"] == "2026-05-01"
    assert ec2["refreshed"]["eu-west-1"]["source"].startswith("SkyPilot catalog vms.csv")
    assert catalog["specs"]["ec2Instance"]["zz9i.large"] == [2, 8.0]
    assert "skipped ec2Instance zz9i.xlarge eu-west-1: zones disagree" in result.stdout
    before = (tmp_path / "catalog.json").read_text()
    again = subprocess.run([sys.executable, str(SCRIPT), str(path), "--catalog", str(tmp_path / "catalog.json"),
                            "--add-only", "--taken", "2026-05-01"], capture_output=True, text=True, timeout=120)
    assert "nothing to update" in again.stdout and (tmp_path / "catalog.json").read_text() == before


def test_without_add_only_a_skypilot_csv_replaces_the_regions_it_prices(tmp_path):
    path = _skypilot_csv(tmp_path, ["m7i.large,,,2.0,8.0,,0.1176,0.05,eu-west-1,euw1-az1,x86_64"])
    result, catalog = _run_files(tmp_path, path, extra=("--taken", "2026-05-01"))
    assert result.returncode == 0, result.stderr
    assert catalog["prices"]["ec2Instance"]["byRegion"]["eu-west-1"] == {"m7i.large": 0.1176}
    assert "ec2Instance eu-west-1: 1 sizes (" in result.stdout
