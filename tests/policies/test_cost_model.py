"""Golden tests of the cost model: each priced resource type against list prices computed by hand."""

from __future__ import annotations

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


def test_multi_az_rds_doubles_instance_and_storage():
    result = priced("aws:rds/instance:Instance", {"instanceClass": "db.t4g.small", "multiAz": True,
                                                  "allocatedStorage": 50, "manageMasterUserPassword": True},
                    region="eu-west-1")
    assert lines(result) == [("db.t4g.small PostgreSQL, Multi-AZ", 49.64), ("50 GB gp3 storage, Multi-AZ", 12.7),
                             ("RDS-managed master password secret", 0.4)]


def test_elasticache_nodes():
    result = priced("aws:elasticache/replicationGroup:ReplicationGroup",
                    {"nodeType": "cache.t4g.micro", "numCacheClusters": 2})
    assert lines(result) == [("2 x cache.t4g.micro node", 23.36)]


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
    assert priced("aws:eks/cluster:Cluster", {"version": "1.33"}).total == 73.0
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
        PricedResource("urn:big", "aws:ec2/instance:Instance", "big", {"instanceType": "x2iedn.32xlarge"}, "us-east-1"),
        PricedResource("urn:far", "aws:ec2/eip:Eip", "far", {}, "ap-south-1"),
        PricedResource("urn:vpc", "aws:ec2/vpc:Vpc", "vpc", {}, "us-east-1"),
    ], NO_USAGE, "us-east-1")
    assert result.unpriced == [
        ("urn:os", "aws:opensearch/domain:Domain", "no price for this resource type"),
        ("urn:big", "aws:ec2/instance:Instance", "no ec2Instance price for x2iedn.32xlarge in us-east-1"),
        ("urn:far", "aws:ec2/eip:Eip", "no publicIpv4 price for region ap-south-1"),
    ]
    assert result.total == 0


def test_a_value_unknown_at_preview_is_reported_not_guessed():
    props = unknown_checking_proxy({"instanceType": UNKNOWN_STRING_VALUE})
    result = estimate([PricedResource("urn:i", "aws:ec2/instance:Instance", "i", props, "us-east-1")],
                      NO_USAGE, "us-east-1")
    assert result.lines == [] and result.unknown == [
        ("urn:i", "aws:ec2/instance:Instance", "string value at .instanceType can't be known during preview")]


def test_catalog_entries_carry_unit_source_and_date_for_every_region():
    catalog = load_catalog()
    assert catalog.hours_per_month == 730
    assert set(catalog.regions) >= {"us-east-1", "us-west-2", "eu-west-1", "eu-central-1"}
    for key, entry in catalog.prices.items():
        assert entry["unit"] and entry["source"].startswith("https://aws.amazon.com/") and entry["taken"], key
        assert set(entry["byRegion"]) == set(catalog.regions), key


def test_free_and_priced_types_do_not_overlap():
    from phasegate_policies.cost.estimator import PRICERS
    assert not FREE_TYPES & set(PRICERS)


def test_an_instance_without_a_type_is_unpriced_with_the_reason():
    result = priced("aws:ec2/instance:Instance", {"ami": "ami-1"})
    assert result.unpriced == [("urn:aws:ec2/instance:Instance::r", "aws:ec2/instance:Instance",
                                "ec2Instance needs a size (instance type or class) and none is set")]
