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
        # A region without a citable price is left out only where the entry says why (it then prices as unpriced).
        assert set(entry["byRegion"]) == set(catalog.regions) or entry.get("regionsNotListed"), key
        assert set(entry["byRegion"]) <= set(catalog.regions) and entry["byRegion"], key
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


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
def test_the_production_stack_prices_its_cluster_once_and_its_nodes_with_their_volumes(production,
                                                                                      production_first_preview, preview):
    """Priced as the pack prices it: declared inputs, with the property dependencies and outputs the engine sends."""
    import yaml

    from conftest import ROOT
    from phasegate_policies.cost import parse_usage

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


# --- resources priced from the resources they link to -----------------------------------------------------------

def node(typ: str, name: str, props: dict, *, region: str = "us-east-1", deps: dict | None = None,
         outputs: dict | None = None, parent: str | None = None) -> PricedResource:
    """A resource as the engine describes it: its inputs, property dependencies (URNs) and outputs."""
    return PricedResource.from_engine(urn=f"urn:{typ}::{name}", type=typ, name=name, props=props,
                                      default_region=region, parent=parent, property_dependencies=deps or {},
                                      outputs=outputs if outputs is not None else props)


LT = "aws:ec2/launchTemplate:LaunchTemplate"
ASG = "aws:autoscaling/group:Group"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
UNKNOWN = UNKNOWN_STRING_VALUE


def template(name: str = "web", instance_type: str | None = "t3.small", *, lt_id: str = "lt-0abc",
             mappings: list | None = None, **props) -> PricedResource:
    declared = {"metadataOptions": {"httpTokens": "required"}, **props,
                "blockDeviceMappings": mappings if mappings is not None else [
                    {"deviceName": "/dev/xvda", "ebs": {"volumeSize": 30, "volumeType": "gp3", "encrypted": "true"}}]}
    if instance_type:
        declared["instanceType"] = instance_type
    return node(LT, name, declared, outputs={**declared, "id": lt_id, "name": f"{name}-123"})


def group(lt: PricedResource, *, first_preview: bool = True, **props) -> PricedResource:
    """An autoscaling group using `lt`: at a first preview by dependency (the id unknown), else only by its known id
    (no dependency sent: the fallback)."""
    spec = {"id": UNKNOWN if first_preview else "lt-0abc", "version": "$Latest"}
    return node(ASG, "workers", {"minSize": 1, "maxSize": 4, "launchTemplate": spec, **props},
                deps={"launchTemplate": [lt.urn]} if first_preview else {})


def test_an_autoscaling_group_is_priced_from_its_launch_template_at_a_first_preview_and_at_an_update():
    # us-east-1 t3.small $0.0208/h; the template's 30 GB gp3 root at $0.08/GB-month.
    for first_preview in (True, False):
        lt = template()
        result = estimate([lt, group(lt, first_preview=first_preview, desiredCapacity=2)], NO_USAGE, "us-east-1")
        assert lines(result) == [
            ("2 x t3.small instance (desired capacity, launch template web), 730 h x $0.0208", 30.368),
            ("2 x 30 GB gp3 volume (/dev/xvda, launch template web)", 4.8)], first_preview
    lt = template()
    only_min = estimate([lt, group(lt, minSize=3)], NO_USAGE, "us-east-1")
    assert lines(only_min)[0] == (
        "3 x t3.small instance (minimum size; no desired capacity, launch template web), 730 h x $0.0208", 45.552)


def test_an_autoscaling_group_whose_template_cannot_be_followed_fails_closed():
    lt = template()
    unknown = estimate([lt, node(ASG, "workers", {"minSize": 1, "launchTemplate": {"id": UNKNOWN}})], NO_USAGE,
                       "us-east-1")
    assert unknown.lines == [] and unknown.unknown == [
        ("urn:aws:autoscaling/group:Group::workers", ASG,
         "launchTemplate is unknown at preview and not linked to a resource of this stack")]
    outside = estimate([node(ASG, "workers", {"minSize": 1, "launchTemplate": {"id": "lt-elsewhere"}})], NO_USAGE,
                       "us-east-1")
    assert outside.unpriced == [("urn:aws:autoscaling/group:Group::workers", ASG,
                                 "launchTemplate (lt-elsewhere) is not a resource of this stack, so what it sets cannot "
                                 "be read")]
    typeless = template(instance_type=None)
    assert estimate([typeless, group(typeless)], NO_USAGE, "us-east-1").unpriced[0][2] == (
        "launch template web sets no instanceType, so the instance type cannot be told")
    bare = estimate([node(ASG, "workers", {"minSize": 1})], NO_USAGE, "us-east-1")
    assert bare.unpriced[0][2] == ("it names no launch template, mixed instances policy or launch configuration, so "
                                   "there is no way to tell the instance type")


def test_a_template_that_does_not_map_the_root_device_leaves_the_images_root_volume_priced():
    lt = template(mappings=[{"deviceName": "/dev/sdf", "ebs": {"volumeSize": 100, "volumeType": "gp3"}}])
    result = estimate([lt, group(lt, desiredCapacity=1)], NO_USAGE, "us-east-1")
    assert lines(result)[1:] == [("1 x 8 GB gp3 volume (the image's root device, launch template web)", 0.64),
                                 ("1 x 100 GB gp3 volume (/dev/sdf, launch template web)", 8.0)]


def test_a_mixed_instances_policy_charges_its_most_expensive_override_and_says_so():
    lt = template()
    policy = {"launchTemplate": {"launchTemplateSpecification": {"launchTemplateId": UNKNOWN},
                                 "overrides": [{"instanceType": "t3.small"}, {"instanceType": "m5.large"},
                                               {"instanceType": "t3.medium", "weightedCapacity": "2"}]},
              "instancesDistribution": {"onDemandPercentageAboveBaseCapacity": 20}}
    asg = node(ASG, "workers", {"minSize": 1, "desiredCapacity": 2, "mixedInstancesPolicy": policy},
               deps={"mixedInstancesPolicy": [lt.urn]})
    result = estimate([lt, asg], NO_USAGE, "us-east-1")
    # m5.large $0.096/h: 2 x 730 x 0.096 = 140.16 beats 1 x t3.medium (weight 2) and 2 x t3.small.
    assert lines(result) == [
        ("2 x m5.large instance (desired capacity; the most expensive of m5.large, t3.medium, t3.small, an upper "
         "bound; Spot capacity charged at the on-demand price, an upper bound), 730 h x $0.096", 140.16),
        ("2 x 30 GB gp3 volume (/dev/xvda, launch template web)", 4.8)]
    by_attributes = {**policy, "launchTemplate": {**policy["launchTemplate"],
                                                  "overrides": [{"instanceRequirements": {"vcpuCount": {"min": 2}}}]}}
    attributes = node(ASG, "workers", {"minSize": 1, "mixedInstancesPolicy": by_attributes},
                      deps={"mixedInstancesPolicy": [lt.urn]})
    assert estimate([lt, attributes], NO_USAGE, "us-east-1").unpriced[0][2].endswith(
        "selects instance types by attributes (instanceRequirements), so the types AWS picks cannot be priced")


def test_a_launch_configuration_is_priced_through_the_group_that_uses_it():
    config = node("aws:ec2/launchConfiguration:LaunchConfiguration", "legacy",
                  {"imageId": "ami-1", "instanceType": "t3.small", "rootBlockDevice": {"volumeSize": 20}},
                  outputs={"name": "legacy-7a1", "id": "legacy-7a1"})
    asg = node(ASG, "workers", {"minSize": 1, "desiredCapacity": 1, "launchConfiguration": UNKNOWN},
               deps={"launchConfiguration": [config.urn]})
    assert lines(estimate([config, asg], NO_USAGE, "us-east-1")) == [
        ("1 x t3.small instance (desired capacity, launch configuration legacy), 730 h x $0.0208", 15.184),
        ("1 x 20 GB gp3 volume (root, launch configuration legacy)", 1.6)]


def test_the_autoscaling_group_eks_creates_for_a_node_group_is_not_priced_twice():
    """EKS's own group is no Pulumi resource: the node group is priced, and an attachment naming its group is free."""
    nodes = node(NODE_GROUP, "nodes", {"instanceTypes": ["t3.medium"], "scalingConfig": {"desiredSize": 3}})
    attachment = node("aws:autoscaling/attachment:Attachment", "to-alb", {"autoscalingGroupName": UNKNOWN},
                      deps={"autoscalingGroupName": [nodes.urn]})
    result = estimate([nodes, attachment], NO_USAGE, "us-east-1")
    assert lines(result) == [("3 x t3.medium node", 91.104), ("3 x 20 GB node volume", 4.8)]
    assert result.unpriced == [] and result.unknown == []


def test_a_node_group_prices_its_most_expensive_type_spot_at_on_demand_and_eks_defaults():
    mixed = priced(NODE_GROUP, {"instanceTypes": ["t3.medium", "m5.large"], "capacityType": "SPOT",
                                "scalingConfig": {"desiredSize": 2}})
    assert lines(mixed)[0] == ("2 x m5.large node (the most expensive of t3.medium, m5.large: EKS may start any of "
                               "them; an upper bound) (SPOT capacity charged at the on-demand price, an upper bound)",
                               140.16)
    default = priced(NODE_GROUP, {"scalingConfig": {"desiredSize": 1}})
    assert lines(default) == [("1 x t3.medium node (EKS's default: neither the node group nor a launch template "
                               "names a type)", 30.368), ("1 x 20 GB node volume", 1.6)]
    windows = priced(NODE_GROUP, {"amiType": "WINDOWS_CORE_2022_x86_64", "instanceTypes": ["t3.medium"],
                                  "scalingConfig": {"desiredSize": 1}})
    assert lines(windows)[1] == ("1 x 50 GB node volume", 4.0)


def test_a_node_group_takes_type_and_disk_from_its_launch_template():
    lt = template("nodes", "m5.large", mappings=[
        {"deviceName": "/dev/xvda", "ebs": {"volumeSize": 50, "volumeType": "gp3", "encrypted": "true"}}])
    nodes = node(NODE_GROUP, "nodes", {"scalingConfig": {"desiredSize": 2}, "launchTemplate": {"id": UNKNOWN}},
                 deps={"launchTemplate": [lt.urn]})
    assert lines(estimate([lt, nodes], NO_USAGE, "us-east-1")) == [
        ("2 x m5.large node (from launch template nodes)", 140.16),
        ("2 x 50 GB gp3 node volume (/dev/xvda, launch template nodes)", 8.0)]
    unlinked = node(NODE_GROUP, "nodes", {"scalingConfig": {"desiredSize": 2}, "launchTemplate": {"id": UNKNOWN}})
    assert estimate([lt, unlinked], NO_USAGE, "us-east-1").unknown[0][2] == (
        "launchTemplate is unknown at preview and not linked to a resource of this stack")


def test_pulumi_eks_managed_node_groups_are_priced_from_inputs_only_without_their_child():
    component = PricedResource("urn:mng", "eks:index:ManagedNodeGroup", "spot",
                               {"instanceTypes": ["t3.large"], "scalingConfig": {"desiredSize": 2}}, "us-east-1")
    assert lines(estimate([component], NO_USAGE, "us-east-1")) == [("2 x t3.large node", 121.472),
                                                                  ("2 x 20 GB node volume", 3.2)]
    child = PricedResource("urn:child", NODE_GROUP, "spot-nodeGroup",
                           {"instanceTypes": ["t3.large"], "scalingConfig": {"desiredSize": 2}}, "us-east-1",
                           parent="urn:mng")
    assert lines(estimate([component, child], NO_USAGE, "us-east-1")) == [("2 x t3.large node", 121.472),
                                                                         ("2 x 20 GB node volume", 3.2)]  # never both


def test_pulumi_eks_self_managed_node_groups_are_priced_by_their_autoscaling_group_or_fail_closed():
    component = PricedResource("urn:ng", "eks:index:NodeGroupV2", "ng", {"instanceType": "t3.small"}, "us-east-1")
    assert estimate([component], NO_USAGE, "us-east-1").unpriced == [
        ("urn:ng", "eks:index:NodeGroupV2", "no price for this resource type")]
    lt = template("ng-lt")
    asg = node(ASG, "ng-asg", {"minSize": 1, "desiredCapacity": 1, "launchTemplate": {"id": UNKNOWN}},
               deps={"launchTemplate": [lt.urn]}, parent="urn:ng")
    result = estimate([component, lt, asg], NO_USAGE, "us-east-1")
    assert result.unpriced == [] and [line.name for line in result.lines] == ["ng-asg", "ng-asg"]


# --- Kubernetes objects ---------------------------------------------------------------------------------------

SERVICE = "kubernetes:core/v1:Service"
SUBNETS = [node("aws:ec2/subnet:Subnet", f"public-{z}", {"availabilityZone": f"us-east-1{z}"}) for z in "ab"]


def service(spec, annotations=None) -> PricedResource:
    return node(SERVICE, "web", {"metadata": {"name": "web", "annotations": annotations or {}}, "spec": spec})


def test_workloads_and_cluster_ip_services_are_free_but_a_load_balancer_service_is_priced():
    free = estimate([node("kubernetes:apps/v1:Deployment", "web", {"spec": {"replicas": 3}}),
                     service({"ports": [{"port": 80}]})], NO_USAGE, "us-east-1")
    assert free.lines == [] and free.unpriced == [] and free.unknown == []
    classic = estimate(SUBNETS + [service({"type": "LoadBalancer"})], Usage(gbServedPerMonth=50), "us-east-1")
    assert lines(classic) == [
        ("Classic Load Balancer (in-tree cloud controller, the default for type LoadBalancer), 730 h", 18.25),
        ("50 GB processed (all declared internet traffic, an upper bound)", 0.4),
        ("2 public IPv4 addresses (one per AZ of the stack's subnets, an upper bound)", 7.3)]
    network = estimate(SUBNETS + [service({"type": "LoadBalancer"},
                                          {"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"})],
                       Usage(gbServedPerMonth=730), "us-east-1")
    assert lines(network) == [("Network Load Balancer (in-tree cloud controller), 730 h", 16.425),
                              ("1.000 NLCU average (all declared traffic, an upper bound)", 4.38),
                              ("2 public IPv4 addresses (one per AZ of the stack's subnets, an upper bound)", 7.3)]
    internal = estimate([service({"type": "LoadBalancer"},
                                 {"service.beta.kubernetes.io/aws-load-balancer-type": "external"})],
                        NO_USAGE, "us-east-1")
    assert [item for item, _ in lines(internal)] == ["Network Load Balancer (AWS Load Balancer Controller), 730 h",
                                                     "0.000 NLCU average (all declared traffic, an upper bound)"]


def test_a_load_balancer_service_fails_closed_where_it_cannot_be_priced_or_is_unknown():
    elsewhere = estimate([service({"type": "LoadBalancer", "loadBalancerClass": "example.com/lb"})], NO_USAGE,
                         "us-east-1")
    assert "is implemented by a controller phasegate does not know" in elsewhere.unpriced[0][2]
    oregon = estimate([node(SERVICE, "web", {"spec": {"type": "LoadBalancer"}}, region="us-west-2")], NO_USAGE,
                      "us-west-2")
    assert oregon.unpriced[0][2] == "no classicLbHour price for region us-west-2"
    unknown = estimate([PricedResource.from_engine(urn="urn:svc", type=SERVICE, name="web", default_region="us-east-1",
                                                   props={"metadata": {"name": "web"}, "spec": UNKNOWN})],
                       NO_USAGE, "us-east-1")
    assert unknown.unknown == [("urn:svc", SERVICE, "spec (a Service of type LoadBalancer creates an AWS load "
                                                    "balancer) is unknown at preview")]


@pytest.mark.parametrize("request_, storage_class, item, usd", [
    ("10Gi", None, "10 GB gp3 (the default storage class, assumed gp3) EBS volume", 0.8),
    ("10Gi", "gp2", "10 GB gp2 (storage class gp2) EBS volume", 1.0),
    ("500Mi", "fast", "0.488281 GB gp3 (storage class fast, assumed gp3) EBS volume", 0.0391),
    ("20G", "gp3", "18.6265 GB gp3 (storage class gp3) EBS volume", 1.4901),
])
def test_a_persistent_volume_claim_is_an_ebs_volume_of_its_requested_size(request_, storage_class, item, usd):
    spec = {"resources": {"requests": {"storage": request_}}, **({"storageClassName": storage_class}
                                                                  if storage_class else {})}
    assert lines(priced("kubernetes:core/v1:PersistentVolumeClaim", {"spec": spec})) == [(item, usd)]


def test_a_claim_reads_its_storage_class_and_fails_closed_on_what_it_cannot_price():
    cls = node("kubernetes:storage.k8s.io/v1:StorageClass", "standard",
               {"metadata": {"name": "standard"}, "provisioner": "ebs.csi.aws.com", "parameters": {"type": "gp2"}})
    claim = node("kubernetes:core/v1:PersistentVolumeClaim", "data",
                 {"spec": {"storageClassName": "standard", "resources": {"requests": {"storage": "100Gi"}}}})
    assert lines(estimate([cls, claim], NO_USAGE, "us-east-1")) == [
        ("100 GB gp2 (storage class standard) EBS volume", 10.0)]
    bad = priced("kubernetes:core/v1:PersistentVolumeClaim", {"spec": {"resources": {"requests": {"storage": "ten"}}}})
    assert bad.unpriced[0][2] == "claim.spec.resources.requests.storage 'ten' is not a Kubernetes quantity (e.g. 10Gi)"
    io2 = priced("kubernetes:core/v1:PersistentVolumeClaim",
                 {"spec": {"storageClassName": "io2-fast", "resources": {"requests": {"storage": "1Gi"}}}})
    assert io2.unpriced[0][2] == "storage class io2-fast provisions io2 storage, which the catalog does not price"


def test_a_stateful_set_gets_one_volume_per_replica_and_claim_template():
    result = priced("kubernetes:apps/v1:StatefulSet", {"spec": {"replicas": 3, "volumeClaimTemplates": [
        {"metadata": {"name": "data"}, "spec": {"resources": {"requests": {"storage": "20Gi"}}}}]}})
    assert lines(result) == [("3 x 20 GB gp3 (the default storage class, assumed gp3) EBS volume (claim template "
                              "data, one per replica)", 4.8)]


@pytest.mark.parametrize("values, reason", [
    ({"service": {"type": "NodePort"}, "ports": {"web": {"nodePort": 30080}}}, None),
    ({"persistence": {"enabled": False}}, None),
    ({"controller": {"service": {"type": "LoadBalancer"}}},
     "cannot price what the chart creates: values.controller.service.type is LoadBalancer (an AWS load balancer)"),
    ({"primary": {"persistence": {"enabled": True, "size": "8Gi"}}},
     "cannot price what the chart creates: values.primary.persistence asks for persistent volumes (EBS)"),
])
def test_a_helm_release_is_free_unless_its_values_ask_for_what_the_pack_cannot_see(values, reason):
    result = priced("kubernetes:helm.sh/v3:Release", {"chart": "x", "values": values})
    assert result.lines == []
    assert result.unpriced == ([] if reason is None else [("urn:kubernetes:helm.sh/v3:Release::r",
                                                            "kubernetes:helm.sh/v3:Release", reason)])


def test_a_chart_with_values_unknown_at_preview_is_unknown_and_a_v4_chart_with_children_is_priced_by_them():
    unknown = estimate([PricedResource.from_engine(
        urn="urn:chart", type="kubernetes:helm.sh/v4:Chart", name="c", default_region="us-east-1",
        props={"chart": "x", "values": {"service": {"type": UNKNOWN}}})], NO_USAGE, "us-east-1")
    assert unknown.unknown == [("urn:chart", "kubernetes:helm.sh/v4:Chart", "values.service.type is unknown at "
                                "preview, so what the chart creates cannot be shown to cost nothing")]
    chart = PricedResource("urn:chart", "kubernetes:helm.sh/v4:Chart", "c",
                           {"values": {"service": {"type": "LoadBalancer"}}}, "us-east-1")
    child = PricedResource("urn:svc", SERVICE, "c-svc", {"spec": {"type": "ClusterIP"}}, "us-east-1", parent="urn:chart")
    assert estimate([chart, child], NO_USAGE, "us-east-1").unpriced == []  # its objects are judged, not its values


# --- AWS Backup -----------------------------------------------------------------------------------------------

PLAN = "aws:backup/plan:Plan"


def backup_graph(*, first_preview: bool, dr_region: str = "us-east-2", storage=50, resources=None):
    """The lead's database part: a vault here, one in the DR region, a daily plan copying there, a selection of the
    database. At a first preview every ARN and id is unknown and the links are property dependencies."""
    db_arn = "arn:aws:rds:us-west-2:123456789012:db:db-1"
    db = node("aws:rds/instance:Instance", "db", {"engine": "postgres", "instanceClass": "db.t4g.micro",
                                                  "multiAz": False, "storageType": "gp3", "allocatedStorage": storage},
              region="us-west-2", outputs={"arn": db_arn, "id": "db-1"})
    vault = node("aws:backup/vault:Vault", "vault", {}, region="us-west-2",
                 outputs={"name": "vault-1", "arn": "arn:aws:backup:us-west-2:123456789012:backup-vault:vault-1"})
    dr_arn = f"arn:aws:backup:{dr_region}:123456789012:backup-vault:dr-1"
    dr = node("aws:backup/vault:Vault", "dr-vault", {"region": dr_region}, region="us-west-2",
              outputs={"name": "dr-1", "arn": dr_arn})
    rule = {"ruleName": "daily", "schedule": "cron(0 5 ? * * *)", "lifecycle": {"deleteAfter": 14},
            "targetVaultName": UNKNOWN if first_preview else "vault-1",
            "copyActions": [{"destinationVaultArn": UNKNOWN if first_preview else dr_arn,
                             "lifecycle": {"deleteAfter": 14}}]}
    plan = node(PLAN, "plan", {"rules": [rule]}, region="us-west-2",
                deps={"rules": [vault.urn, dr.urn]} if first_preview else {},
                outputs={"id": "plan-1", "arn": "arn:aws:backup:us-west-2:123456789012:backup-plan:plan-1"})
    selection = node("aws:backup/selection:Selection", "selection", {
        "planId": UNKNOWN if first_preview else "plan-1", "iamRoleArn": UNKNOWN,
        "resources": resources if resources is not None else [UNKNOWN if first_preview else db_arn]},
        region="us-west-2", deps={"planId": [plan.urn], "resources": [db.urn]} if first_preview else {})
    return [db, vault, dr, plan, selection]


def plan_only(result):
    """The plan's lines and problems (the database in the graph is priced on its own)."""
    return ([(line.item, round(line.monthly_usd, 4)) for line in result.lines if line.type == PLAN],
            [u for u in result.unpriced if u[1] == PLAN], [u for u in result.unknown if u[1] == PLAN])


@pytest.mark.parametrize("first_preview", [True, False], ids=["preview", "update"])
def test_a_backup_plan_prices_a_full_snapshot_in_each_vault_and_a_monthly_cross_region_copy(first_preview):
    result = estimate(backup_graph(first_preview=first_preview), NO_USAGE, "us-west-2")
    # RDS snapshot storage $0.095/GB-month in us-west-2 and us-east-2; inter-region transfer $0.02/GB from us-west-2.
    snapshot = "one full snapshot of db (50 GB allocated), an upper bound"
    target = "rule daily's vault" if first_preview else "vault vault-1"
    assert plan_only(result) == ([
        (f"50 GB RDS snapshot storage in {target} (us-west-2): {snapshot}", 4.75),
        (f"50 GB RDS snapshot storage in the copy's vault (us-east-2, rule daily): {snapshot}", 4.75),
        ("50 GB copied us-west-2 -> us-east-2 (rule daily; assumed one full snapshot a month per copy action, an "
         "upper bound)", 1.0)], [], [])
    frankfurt = estimate(backup_graph(first_preview=first_preview, dr_region="eu-central-1"), NO_USAGE, "us-west-2")
    assert plan_only(frankfurt)[0][1][1] == 5.15  # 50 GB x $0.103 in eu-central-1


def test_a_backup_plan_whose_database_cannot_be_linked_is_never_zero():
    graph = backup_graph(first_preview=True)
    no_selection = estimate(graph[:4], NO_USAGE, "us-west-2")
    assert plan_only(no_selection) == ([], [("urn:aws:backup/plan:Plan::plan", PLAN, "no backup selection of this "
                                             "stack is linked to it, so what it backs up cannot be sized")], [])
    outside = estimate(backup_graph(first_preview=False, resources=["arn:aws:rds:us-west-2:123456789012:db:other"]),
                       NO_USAGE, "us-west-2")
    assert plan_only(outside)[1][0][2].startswith("backup selection selection names resources that are not RDS "
                                                  "instances of this stack")
    by_tag = backup_graph(first_preview=False)
    by_tag[-1] = node(by_tag[-1].type, "selection", {**by_tag[-1].props, "selectionTags": [
        {"type": "STRINGEQUALS", "key": "backup", "value": "daily"}]}, region="us-west-2")
    assert plan_only(estimate(by_tag, NO_USAGE, "us-west-2"))[1][0][2] == (
        "backup selection selection chooses resources by tag or condition, so what it backs up cannot be sized")
    unsized = estimate(backup_graph(first_preview=True, storage=UNKNOWN), NO_USAGE, "us-west-2")
    assert plan_only(unsized)[2][0][2] == "database db allocatedStorage is unknown at preview"
    *rest, selection = backup_graph(first_preview=True)
    unlinked = PricedResource(selection.urn, selection.type, selection.name, selection.props, selection.region,
                              dependencies={"planId": selection.dependencies["planId"]})
    assert plan_only(estimate(rest + [unlinked], NO_USAGE, "us-west-2"))[2][0][2] == (
        "backup selection selection resources are unknown at preview and not all linked to databases of this stack")


# --- ElastiCache Serverless -----------------------------------------------------------------------------------

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


def test_usage_has_one_attribute_per_usage_key_listed_once():
    from dataclasses import fields

    from phasegate_policies.cost import USAGE_KEYS, parse_usage

    assert [f.name for f in fields(Usage)] == list(USAGE_KEYS) + ["declared"]
    assert {"cacheDataGb", "cacheRequestsPerMonth", "endpointGbPerMonth", "lambdaAvgDurationMs",
            "ecrStorageGb"} <= set(USAGE_KEYS)
    assert not USAGE_KEYS["cacheDataGb"].required and not USAGE_KEYS["cacheRequestsPerMonth"].required
    usage, problems = parse_usage({"gbServedPerMonth": 5, "requestsPerMonth": 1, "assetsStorageGb": 1,
                                   "logsGbPerMonth": 1, "cacheDataGb": "2.5"})
    assert problems == [] and usage.cacheDataGb == 2.5 and usage.cacheRequestsPerMonth == 0
    # Declared as 0 and not declared are told apart, for the keys some resources need stated.
    stated, _ = parse_usage({"gbServedPerMonth": 5, "requestsPerMonth": 1, "assetsStorageGb": 1, "logsGbPerMonth": 1,
                             "ecrStorageGb": 0})
    assert stated.is_declared("ecrStorageGb") and not usage.is_declared("ecrStorageGb")
    assert Usage(lambdaAvgDurationMs=80).is_declared("lambdaAvgDurationMs")  # a value other than 0 was stated
