"""Golden tests of the pricers in `cost/pricers.py` (instances, addresses, NAT gateways, caches, load balancers, the
EKS control plane, flat monthly items, WAF), against list prices computed by hand."""

from __future__ import annotations

import pytest

from cost_helpers import NO_USAGE, lines, node, priced
from phasegate_policies.cost import PricedResource, Usage, estimate
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE
from runtime_pricing import named_lines, usage


def test_ec2_instance_with_root_volume():
    result = priced("aws:ec2/instance:Instance", {"instanceType": "t3.small", "associatePublicIpAddress": False,
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
    result = priced("aws:ec2/instance:Instance", {"instanceType": "m6i.9xlarge", "rootBlockDevice": {"volumeSize": 8},
                                                  "associatePublicIpAddress": False})
    [instance, _] = result.lines
    assert instance.derived and instance.item == ("m6i.9xlarge instance, 730 h x $1.728 (derived from the m6i "
                                                  "family's $0.024 per normalized unit)")
    assert round(instance.monthly_usd, 2) == round(1.728 * 730, 2)


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


SERVERLESS = "aws:elasticache/serverlessCache:ServerlessCache"


def test_a_serverless_cache_bills_at_least_its_engines_minimum_data_and_its_requests_as_ecpus():
    # us-east-1: Valkey $0.084/GB-hour, $0.0023 per million ECPUs; Redis OSS $0.125/GB-hour, $0.0034 per million.
    valkey = priced(SERVERLESS, {"engine": "valkey", "majorEngineVersion": "8"})
    assert lines(valkey) == [("0.1 GB valkey data stored, 730 h (the valkey minimum billed)", 6.132),
                             ("0 ECPUs (one per declared request of up to 1 KB, phasegate:usage.cacheRequestsPerMonth)",
                              0.0)]
    redis = priced(SERVERLESS, {"engine": "redis", "majorEngineVersion": "7"})
    assert lines(redis)[0] == ("1 GB redis data stored, 730 h (the redis minimum billed)", 91.25)
    used = priced(SERVERLESS, {"engine": "valkey", "cacheUsageLimits": {"dataStorage": {"unit": "GB", "maximum": 5}}},
                  usage=Usage(cacheDataGb=2, cacheRequestsPerMonth=10_000_000))
    assert lines(used) == [("2 GB valkey data stored, 730 h (phasegate:usage.cacheDataGb)", 122.64),
                           ("1e+07 ECPUs (one per declared request of up to 1 KB, "
                            "phasegate:usage.cacheRequestsPerMonth)", 0.023)]
    capped = priced(SERVERLESS, {"engine": "valkey", "cacheUsageLimits": {"dataStorage": {"unit": "GB", "maximum": 1}}},
                    usage=Usage(cacheDataGb=20))
    assert lines(capped)[0] == ("1 GB valkey data stored, 730 h (the configured limits)", 61.32)
    floor = priced(SERVERLESS, {"engine": "valkey", "cacheUsageLimits": {"ecpuPerSeconds": [{"minimum": 1000}]}})
    assert lines(floor)[1] == ("2.628e+09 ECPUs (the configured minimum of 1000 ECPU/s, billed even when unused (an "
                               "upper bound))", 6.0444)
    assert priced(SERVERLESS, {"engine": "memcached"}).unpriced[0][2] == (
        "no price for memcached serverless caches (the catalog holds Redis OSS and Valkey)")


def test_interface_endpoints_bill_per_az_hour_and_share_the_declared_gigabytes():
    endpoints = [node("aws:ec2/vpcEndpoint:VpcEndpoint", name, {
        "vpcEndpointType": "Interface", "serviceName": f"com.amazonaws.us-east-1.{name}",
        "subnetIds": [UNKNOWN_STRING_VALUE, UNKNOWN_STRING_VALUE]}) for name in ("ecr.api", "ecr.dkr")]
    gateway = node("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", {"vpcEndpointType": "Gateway"})
    result = estimate(endpoints + [gateway], usage(endpointGbPerMonth=40), "us-east-1")
    assert named_lines(result) == [
        ("ecr.api", "interface endpoint in 2 AZ(s)", 14.6),
        ("ecr.api", "20 GB processed (phasegate:usage.endpointGbPerMonth / 2 interface endpoints)", 0.2),
        ("ecr.dkr", "interface endpoint in 2 AZ(s)", 14.6),
        ("ecr.dkr", "20 GB processed (phasegate:usage.endpointGbPerMonth / 2 interface endpoints)", 0.2)]
    ohio = estimate([node(endpoints[0].type, "logs", endpoints[0].props, region="us-east-2")],
                    usage(endpointGbPerMonth=5), "us-east-2")
    assert ohio.unpriced[0][2] == "no vpcInterfaceEndpointGb price for region us-east-2"
