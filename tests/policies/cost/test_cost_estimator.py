"""Golden tests of the estimator (`cost/estimator.py`): usage lines and always-free allowances, components priced
once, what cannot be priced reported never $0, and a whole stack priced as the pack prices it."""

from __future__ import annotations

import pytest
import yaml

from conftest import ROOT
from cost_helpers import NO_USAGE, lines, priced
from phasegate_policies.cost import PricedResource, Usage, estimate, parse_usage
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy


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
        PricedResource("urn:oracle", "aws:rds/instance:Instance", "oracle",
                       {"engine": "oracle-se2", "instanceClass": "db.m5.large", "allocatedStorage": 20}, "us-east-1"),
        PricedResource("urn:io2", "aws:ebs/volume:Volume", "io2", {"size": 100, "type": "io2"}, "us-east-1"),
        PricedResource("urn:aurora", "aws:rds/clusterInstance:ClusterInstance", "aurora",
                       {"engine": "aurora-postgresql", "instanceClass": "db.r6g.large"}, "eu-west-1"),
        PricedResource("urn:gwlb", "aws:lb/loadBalancer:LoadBalancer", "gwlb", {"loadBalancerType": "gateway"},
                       "us-east-1"),
        PricedResource("urn:vpc", "aws:ec2/vpc:Vpc", "vpc", {}, "us-east-1"),
    ], NO_USAGE, "us-east-1")
    assert result.unpriced == [
        ("urn:os", "aws:opensearch/domain:Domain", "no price for this resource type"),
        ("urn:big", "aws:ec2/instance:Instance", "no ec2Instance price for x9z.32xlarge in us-east-1"),
        ("urn:metal", "aws:ec2/instance:Instance", "no ec2Instance price for m5.metal-96xl in us-east-1"),
        ("urn:far", "aws:ec2/eip:Eip", "no publicIpv4 price for region ap-south-1"),
        ("urn:oracle", "aws:rds/instance:Instance",
         "no price for oracle-se2 instances (the catalog holds PostgreSQL, MySQL, MariaDB)"),
        ("urn:io2", "aws:ebs/volume:Volume", "no price for io2 EBS volumes"),
        ("urn:aurora", "aws:rds/clusterInstance:ClusterInstance",
         "no auroraPostgresInstance price for db.r6g.large in eu-west-1"),
        ("urn:gwlb", "aws:lb/loadBalancer:LoadBalancer", "gateway load balancers are not in the catalog"),
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


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
def test_the_production_stack_prices_its_cluster_once_and_its_nodes_with_their_volumes(production,
                                                                                      production_first_preview, preview):
    """Priced as the pack prices it: declared inputs, with the property dependencies and outputs the engine sends."""
    run = production_first_preview if preview else production
    values = yaml.safe_load((ROOT / "Pulumi.production.yaml").read_text())["config"]
    usage, _ = parse_usage(values["phasegate:usage"])
    result = estimate(engine_view(run.resources, "us-west-2"), usage, "us-west-2")
    names = [(line.name, line.item) for line in result.lines if line.name in ("acme-eks-cluster", "acme-eks-nodes")]
    # The node volume comes from the node group's launch template (20 GB gp3 on /dev/xvda), linked by dependency.
    assert names == [("acme-eks-cluster", "EKS control plane, 730 h"), ("acme-eks-nodes", "3 x t3.medium node"),
                     ("acme-eks-nodes", "3 x 20 GB gp3 node volume (/dev/xvda, launch template acme-eks-nodes)")]
    assert result.unknown == [] and result.unpriced == []


def engine_view(recorded, region: str) -> list[PricedResource]:
    """Recorded resources as the pack's `priced_view` hands them to the estimator."""
    return [PricedResource.from_engine(urn=r.urn, type=r.type, name=r.name, props=r.inputs, default_region=region,
                                       parent=r.parent, property_dependencies=r.property_dependencies,
                                       outputs=r.outputs) for r in recorded]
