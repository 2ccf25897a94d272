"""Golden tests of the cost model: each priced resource type against list prices computed by hand."""

from __future__ import annotations

import re

import pytest

from phasegate_policies.cost import PricedResource, Usage, estimate, load_catalog
from phasegate_policies.cost.free_types import FREE_TYPES
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

NO_USAGE = Usage()


def priced(typ: str, props: dict, region: str = "us-east-1", usage: Usage = NO_USAGE, name: str = "r",
           parent: str | None = None):
    resource = PricedResource(urn=f"urn:{typ}::{name}", type=typ, name=name, props=props, region=region, parent=parent)
    return estimate([resource], usage, region)


def lines(result) -> list[tuple[str, float]]:
    return [(line.item, round(line.monthly_usd, 4)) for line in result.lines]


def test_ec2_instance_with_root_volume():
    result = priced("aws:ec2/instance:Instance", {"instanceType": "t3.small",
                                                  "rootBlockDevice": {"volumeSize": 30, "volumeType": "gp3"}})
    assert lines(result) == [("t3.small instance, 730 h x $0.0208", 15.184), ("30 GB gp3 root volume", 2.4)]


def test_nat_instance_pays_for_its_public_ipv4_and_default_root_volume():
    result = priced("aws:ec2/instance:Instance", {"instanceType": "t4g.nano", "associatePublicIpAddress": True},
                    region="eu-central-1")
    assert lines(result) == [("t4g.nano instance, 730 h x $0.0048", 3.504), ("8 GB gp3 root volume", 0.7616),
                             ("public IPv4 address", 3.65)]


def test_elastic_ip_is_charged_since_february_2024():
    assert priced("aws:ec2/eip:Eip", {"domain": "vpc"}).total == 3.65


def test_nat_gateway_hours_and_processed_gigabytes():
    result = priced("aws:ec2/natGateway:NatGateway", {"connectivityType": "public"}, region="eu-west-1",
                    usage=Usage(natGbPerMonth=20))
    assert lines(result) == [("NAT gateway, 730 h", 35.04), ("20 GB processed", 0.96)]


def test_multi_az_rds_uses_aws_multi_az_prices_for_instance_and_storage():
    # eu-west-1 db.t4g.small: $0.035/h Single-AZ, $0.069/h Multi-AZ (AWS's price, not 2 x); storage $0.254/GB.
    result = priced("aws:rds/instance:Instance", {"engine": "postgres", "instanceClass": "db.t4g.small",
                                                  "multiAz": True, "allocatedStorage": 50, "storageType": "gp3",
                                                  "manageMasterUserPassword": True}, region="eu-west-1")
    assert lines(result) == [("db.t4g.small PostgreSQL, Multi-AZ", 50.37), ("50 GB gp3 storage, Multi-AZ", 12.7),
                             ("RDS-managed master password secret", 0.4)]
    single = priced("aws:rds/instance:Instance", {"instanceClass": "db.t4g.small", "allocatedStorage": 50,
                                                  "storageType": "gp3"}, region="eu-west-1")
    assert lines(single) == [("db.t4g.small PostgreSQL, Single-AZ", 25.55), ("50 GB gp3 storage, Single-AZ", 6.35)]


def test_elasticache_nodes_are_priced_by_engine_valkey_twenty_percent_below_redis():
    redis = priced("aws:elasticache/replicationGroup:ReplicationGroup",
                   {"engine": "redis", "nodeType": "cache.t4g.micro", "numCacheClusters": 2})
    valkey = priced("aws:elasticache/replicationGroup:ReplicationGroup",
                    {"engine": "valkey", "nodeType": "cache.t4g.micro", "numCacheClusters": 2})
    assert lines(redis) == [("2 x cache.t4g.micro redis node", 23.36)]
    assert lines(valkey) == [("2 x cache.t4g.micro valkey node", 18.688)]
    # The growth cache: one cache.t4g.micro Valkey node in us-west-2 is $2.34 a month cheaper than Redis OSS.
    one = {"nodeType": "cache.t4g.micro", "numCacheClusters": 1}
    assert round(priced("aws:elasticache/replicationGroup:ReplicationGroup", {**one, "engine": "redis"}, "us-west-2").total
                 - priced("aws:elasticache/replicationGroup:ReplicationGroup", {**one, "engine": "valkey"},
                          "us-west-2").total, 2) == 2.34


def test_cluster_mode_replication_groups_count_every_node_of_every_shard():
    result = priced("aws:elasticache/replicationGroup:ReplicationGroup",
                    {"engine": "valkey", "nodeType": "cache.m7g.large", "numNodeGroups": 2, "replicasPerNodeGroup": 1})
    assert lines(result) == [("4 x cache.m7g.large valkey node", round(4 * 730 * 0.1264, 4))]


def test_internet_facing_alb_hours_ipv4_per_az_and_lcus_from_usage():
    result = priced("aws:lb/loadBalancer:LoadBalancer", {"loadBalancerType": "application", "internal": False,
                                                         "subnets": ["subnet-a", "subnet-b"]},
                    usage=Usage(gbServedPerMonth=60, requestsPerMonth=3_000_000))
    # LCU: max(60 GB / 730 h = 0.0822 GB/h, 3M / 2,628,000 s / 25 = 0.0457 new conn/s / 25) = 0.0822.
    assert lines(result)[:2] == [("Application Load Balancer, 730 h", 16.425),
                                 ("2 public IPv4 addresses (one per AZ)", 7.3)]
    assert ("0.082 LCU average (from declared traffic)", 0.48) in lines(result)
    egress = [line for line in lines(result) if "data transfer" in line[0] or "first 100 GB" in line[0]]
    assert egress == [("60 GB data transfer out to the internet", 5.4), ("always-free: first 100 GB out", -5.4)]


def test_eks_control_plane_and_managed_nodes():
    assert priced("aws:eks/cluster:Cluster", {"version": "1.35"}).total == 73.0
    result = priced("aws:eks/nodeGroup:NodeGroup", {"instanceTypes": ["t3.medium"], "diskSize": 20,
                                                    "scalingConfig": {"desiredSize": 3}}, region="eu-west-1")
    assert lines(result) == [("3 x t3.medium node", 99.864), ("3 x 20 GB node volume", 5.28)]


def test_pulumi_eks_component_is_priced_from_inputs_only_without_its_children():
    component = PricedResource("urn:eks", "eks:index:Cluster", "cluster",
                               {"instanceType": "t3.medium", "desiredCapacity": 3}, "us-east-1")
    alone = estimate([component], NO_USAGE, "us-east-1")
    assert lines(alone) == [("EKS control plane, 730 h", 73.0), ("3 x t3.medium default node group", 91.104),
                            ("3 x 20 GB node volume", 4.8)]
    child = PricedResource("urn:child", "aws:eks/cluster:Cluster", "cluster-eksCluster", {}, "us-east-1",
                           parent="urn:eks")
    with_children = estimate([component, child], NO_USAGE, "us-east-1")
    assert lines(with_children) == [("EKS control plane, 730 h", 73.0)]  # never both


@pytest.mark.parametrize("typ, props, expected", [
    ("aws:route53/zone:Zone", {}, 0.5),
    ("aws:secretsmanager/secret:Secret", {}, 0.4),
    ("aws:kms/key:Key", {}, 1.0),
    ("aws:ec2/vpcEndpoint:VpcEndpoint", {"vpcEndpointType": "Interface", "subnetIds": ["a", "b"]}, 14.6),
    ("aws:ec2/vpcEndpoint:VpcEndpoint", {"vpcEndpointType": "Gateway"}, 0.0),
    ("aws:cloudwatch/dashboard:Dashboard", {}, 0.0),  # within the 3 free dashboards
])
def test_flat_monthly_prices(typ, props, expected):
    assert priced(typ, props).total == expected


def test_waf_acl_rules_and_requests():
    result = priced("aws:wafv2/webAcl:WebAcl", {"rules": [{}, {}, {}]}, usage=Usage(requestsPerMonth=3_000_000))
    assert lines(result) == [("web ACL", 5.0), ("3 rules", 3.0), ("3 M requests inspected", 1.8)]


def test_cloudfront_transfer_and_requests_after_the_always_free_allowance():
    result = priced("aws:cloudfront/distribution:Distribution", {}, usage=Usage(cdnGbPerMonth=1500,
                                                                               requestsPerMonth=3_000_000))
    assert lines(result) == [("1500 GB CloudFront transfer", 127.5), ("always-free: first 1024 GB CloudFront", -87.04),
                             ("3e+06 CloudFront requests", 3.0),
                             ("always-free: first 1e+07 CloudFront requests", -3.0)]
    assert result.total == 40.46


def test_s3_storage_and_requests_from_usage():
    result = priced("aws:s3/bucket:Bucket", {}, usage=Usage(assetsStorageGb=200, assetsPutRequestsPerMonth=100_000,
                                                            assetsGetRequestsPerMonth=1_000_000))
    assert lines(result) == [("200 GB S3 Standard", 4.6), ("100000 PUT requests", 0.5), ("1e+06 GET requests", 0.4)]


def test_log_ingestion_after_five_free_gigabytes():
    result = priced("aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 14}, region="eu-central-1",
                    usage=Usage(logsGbPerMonth=10))
    assert lines(result) == [("10 GB log ingestion", 6.3), ("always-free: first 5 GB logs", -3.15)]


def test_alarms_and_budgets_beyond_the_free_ones():
    alarms = [PricedResource(f"urn:a{i}", "aws:cloudwatch/metricAlarm:MetricAlarm", f"a{i}", {}, "us-east-1")
              for i in range(12)]
    budgets = [PricedResource(f"urn:b{i}", "aws:budgets/budget:Budget", f"b{i}", {}, "us-east-1") for i in range(3)]
    result = estimate(alarms + budgets, NO_USAGE, "us-east-1")
    assert result.total == round(12 * 0.10 - 10 * 0.10 + 3 * 0.02 * 730 / 24 - 2 * 0.02 * 730 / 24, 2) == 0.81


def test_what_costs_money_but_has_no_price_is_unpriced_never_zero():
    result = estimate([
        PricedResource("urn:os", "aws:opensearch/domain:Domain", "search", {}, "us-east-1"),
        PricedResource("urn:big", "aws:ec2/instance:Instance", "big", {"instanceType": "x9z.32xlarge"}, "us-east-1"),
        PricedResource("urn:metal", "aws:ec2/instance:Instance", "metal", {"instanceType": "m5.metal-96xl"},
                       "us-east-1"),
        PricedResource("urn:far", "aws:ec2/eip:Eip", "far", {}, "ap-south-1"),
        PricedResource("urn:mysql", "aws:rds/instance:Instance", "mysql",
                       {"engine": "mysql", "instanceClass": "db.m5.large", "allocatedStorage": 20}, "us-east-1"),
        PricedResource("urn:io2", "aws:ebs/volume:Volume", "io2", {"size": 100, "type": "io2"}, "us-east-1"),
        PricedResource("urn:aurora", "aws:rds/clusterInstance:ClusterInstance", "aurora",
                       {"engine": "aurora-postgresql", "instanceClass": "db.r6g.large"}, "eu-west-1"),
        PricedResource("urn:nlb", "aws:lb/loadBalancer:LoadBalancer", "nlb", {"loadBalancerType": "network"},
                       "us-east-1"),
        PricedResource("urn:vpc", "aws:ec2/vpc:Vpc", "vpc", {}, "us-east-1"),
    ], NO_USAGE, "us-east-1")
    assert result.unpriced == [
        ("urn:os", "aws:opensearch/domain:Domain", "no price for this resource type"),
        ("urn:big", "aws:ec2/instance:Instance", "no ec2Instance price for x9z.32xlarge in us-east-1"),
        ("urn:metal", "aws:ec2/instance:Instance", "no ec2Instance price for m5.metal-96xl in us-east-1"),
        ("urn:far", "aws:ec2/eip:Eip", "no publicIpv4 price for region ap-south-1"),
        ("urn:mysql", "aws:rds/instance:Instance", "no price for mysql instances (the catalog holds PostgreSQL)"),
        ("urn:io2", "aws:ebs/volume:Volume", "no price for io2 EBS volumes"),
        ("urn:aurora", "aws:rds/clusterInstance:ClusterInstance",
         "no auroraPostgresInstance price for db.r6g.large in eu-west-1"),
        ("urn:nlb", "aws:lb/loadBalancer:LoadBalancer", "network load balancers are not in the catalog"),
    ]
    assert result.total == 0


def test_a_value_unknown_at_preview_is_reported_not_guessed():
    result = estimate([PricedResource.from_engine(
        urn="urn:i", type="aws:ec2/instance:Instance", name="i", props={"instanceType": UNKNOWN_STRING_VALUE},
        default_region="us-east-1")], NO_USAGE, "us-east-1")
    assert result.lines == [] and result.unknown == [
        ("urn:i", "aws:ec2/instance:Instance", "instanceType is unknown at preview")]


def test_props_straight_from_pulumi_policy_are_read_with_unknowns_inside_lists():
    """pulumi_policy hands props as proxies that raise on unknowns; a known list with an unknown id is fine."""
    props = unknown_checking_proxy({"loadBalancerType": "application", "internal": False,
                                    "subnets": [UNKNOWN_STRING_VALUE, UNKNOWN_STRING_VALUE]})
    result = estimate([PricedResource.from_engine(urn="urn:lb", type="aws:lb/loadBalancer:LoadBalancer", name="lb",
                                                  props=props, default_region="us-east-1")], NO_USAGE, "us-east-1")
    assert lines(result)[:2] == [("Application Load Balancer, 730 h", 16.425),
                                 ("2 public IPv4 addresses (one per AZ)", 7.3)]


def test_an_unknown_public_ip_is_charged_as_its_upper_bound():
    result = estimate([PricedResource.from_engine(
        urn="urn:i", type="aws:ec2/instance:Instance", name="i",
        props={"instanceType": "t3.small", "associatePublicIpAddress": UNKNOWN_STRING_VALUE,
               "rootBlockDevice": {"volumeSize": 8, "volumeType": "gp3"}}, default_region="us-east-1")],
        NO_USAGE, "us-east-1")
    assert lines(result)[-1] == ("public IPv4 address (whether one is assigned is unknown at preview: charged)", 3.65)


def test_a_size_missing_from_a_listed_family_is_derived_per_normalized_unit_and_labelled():
    # m6i in us-east-1: $0.024 per normalized unit (large = 4 units = $0.096); 9xlarge (72 units) is not a size AWS
    # sells, so it is not in the price list.
    result = priced("aws:ec2/instance:Instance", {"instanceType": "m6i.9xlarge", "rootBlockDevice": {"volumeSize": 8}})
    [instance, _] = result.lines
    assert instance.derived and instance.item == ("m6i.9xlarge instance, 730 h x $1.728 (derived from the m6i "
                                                  "family's $0.024 per normalized unit)")
    assert round(instance.monthly_usd, 2) == round(1.728 * 730, 2)


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
        assert set(entry["byRegion"]) == set(catalog.regions), key
        assert all(value is not None for value in entry["byRegion"].values()), key


def test_free_and_priced_types_do_not_overlap():
    from phasegate_policies.cost.estimator import PRICERS
    assert not FREE_TYPES & set(PRICERS)


def test_an_instance_without_a_type_is_unpriced_with_the_reason():
    result = priced("aws:ec2/instance:Instance", {"ami": "ami-1"})
    assert result.unpriced == [("urn:aws:ec2/instance:Instance::r", "aws:ec2/instance:Instance",
                                "ec2Instance needs a size (instance type or class) and none is set")]


@pytest.mark.parametrize("typ", ["aws:eks/cluster:Cluster", "eks:index:Cluster"])
def test_a_version_past_standard_support_is_priced_as_extended_support_unless_the_policy_is_standard(typ):
    extra = {"skipDefaultNodeGroup": True} if typ == "eks:index:Cluster" else {}
    old = priced(typ, {"version": "1.31", **extra})  # standard support ended 2025-11-26
    assert lines(old) == [("EKS control plane in extended support (1.31 left standard support 2025-11-26), 730 h",
                           438.0)]
    assert lines(priced(typ, {"version": "1.31", "upgradePolicy": {"supportType": "STANDARD"}, **extra})) == [
        ("EKS control plane, 730 h", 73.0)]
    assert lines(priced(typ, {"version": "1.35", **extra})) == [("EKS control plane, 730 h", 73.0)]


def test_the_production_stack_prices_its_cluster_once_and_its_nodes_with_their_volumes(production):
    import yaml

    from conftest import ROOT
    from offline.check import price

    values = yaml.safe_load((ROOT / "Pulumi.production.yaml").read_text())["config"]
    rows, _ = price(production.resources, values, "us-west-2")
    names = [(row.resource, row.item) for row in rows if row.resource in ("acme-eks-cluster", "acme-eks-nodes")]
    assert names == [("acme-eks-cluster", "EKS control plane, 730 h"), ("acme-eks-nodes", "3 x t3.medium node"),
                     ("acme-eks-nodes", "3 x 20 GB node volume")]
