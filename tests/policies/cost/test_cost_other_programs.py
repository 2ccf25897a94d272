"""What other programs' stacks bring (issue #20): MySQL and MariaDB, NLBs, REST APIs, Transit Gateway, Network
Firewall, public IPv4 from subnets, components and other providers, the platform owner's prices, usage on demand."""

from __future__ import annotations

import pytest
from cost_helpers import NO_USAGE, UNKNOWN, lines, node, priced
from runtime_pricing import named_lines, usage

from phasegate_policies.cost import PricedResource, Usage, estimate
from phasegate_policies.cost.free_types import FREE_TYPES

MYSQL = {"engine": "mysql", "instanceClass": "db.t3.micro", "allocatedStorage": 20, "storageType": "gp3"}


def test_mysql_is_priced_by_class_and_deployment_in_every_catalog_region():
    single = priced("aws:rds/instance:Instance", MYSQL)
    # db.t3.micro MySQL Single-AZ $0.017/h (the RDS feed; infracost's golden file agrees on db.t3.large, $0.136/h).
    assert lines(single) == [("db.t3.micro MySQL, Single-AZ", 12.41), ("20 GB gp3 storage, Single-AZ", 2.3)]
    multi = priced("aws:rds/instance:Instance", {**MYSQL, "instanceClass": "db.t3.large", "multiAz": True})
    assert lines(multi)[0] == ("db.t3.large MySQL, Multi-AZ", round(0.272 * 730, 4))
    frankfurt = priced("aws:rds/instance:Instance", MYSQL, region="eu-central-1")
    assert lines(frankfurt)[0] == ("db.t3.micro MySQL, Single-AZ", round(0.02 * 730, 4))


def test_mariadb_single_az_is_derived_from_its_one_sourced_size_and_multi_az_fails_closed():
    mariadb = {**MYSQL, "engine": "mariadb"}
    [instance, _] = priced("aws:rds/instance:Instance", mariadb).lines
    assert instance.derived and instance.item == ("db.t3.micro MariaDB, Single-AZ (derived from the db.t3 family's "
                                                  "$0.034 per normalized unit)")
    assert priced("aws:rds/instance:Instance", {**mariadb, "multiAz": True}).unpriced[0][2] == \
        "no MariaDB Multi-AZ price in the catalog"
    assert priced("aws:rds/instance:Instance", mariadb, region="eu-west-1").unpriced[0][2] == \
        "no rdsMariadbInstance price for region eu-west-1"


def test_a_network_load_balancer_is_priced_by_the_hour_and_its_nlcus_from_declared_traffic():
    nlb = {"loadBalancerType": "network", "internal": False, "subnets": ["subnet-a", "subnet-b"]}
    result = priced("aws:lb/loadBalancer:LoadBalancer", nlb, usage=usage(gbServedPerMonth=730))
    assert lines(result)[:4] == [("Network Load Balancer (aws.lb.LoadBalancer), 730 h", 16.425),
                                 ("1.000 NLCU average (all declared traffic, an upper bound)", 4.38),
                                 ("2 public IPv4 addresses (one per AZ)", 7.3),
                                 ("730 GB data transfer out to the internet", 65.7)]
    # No ALB LCU line for an NLB; a region without a sourced NLB price fails closed.
    assert not any("LCU average (from declared traffic)" in item for item, _ in lines(result))
    assert priced("aws:lb/loadBalancer:LoadBalancer", nlb, region="us-west-2", usage=usage()).unpriced[0][2] == \
        "no networkLbHour price for region us-west-2"


def test_a_rest_api_is_priced_per_request_and_a_stage_only_for_its_cache():
    api = priced("aws:apigateway/restApi:RestApi", {}, usage=usage(requestsPerMonth=2_000_000))
    assert lines(api)[0] == ("2 M REST API requests (phasegate:usage.requestsPerMonth, first-tier price)", 7.0)
    assert priced("aws:apigateway/stage:Stage", {"stageName": "prod"}).lines == []
    cached = priced("aws:apigateway/stage:Stage", {"cacheClusterEnabled": True})
    assert lines(cached) == [("0.5 GB stage cache, 730 h", 14.6)]  # API Gateway's default size, $0.02/h
    assert priced("aws:apigateway/stage:Stage", {"cacheClusterEnabled": True, "cacheClusterSize": "1.6"}).unpriced[0][
        2] == "no price for a 1.6 GB stage cache in us-east-1"
    unknown = estimate([node("aws:apigateway/stage:Stage", "prod", {"cacheClusterEnabled": UNKNOWN})], NO_USAGE,
                       "us-east-1")
    assert unknown.unknown[0][2] == "cacheClusterEnabled is unknown at preview"


def test_transit_gateway_attachments_and_firewall_endpoints_are_priced_and_their_plumbing_is_free():
    declared = usage(transitGatewayGbPerMonth=100, firewallGbPerMonth=100)
    result = estimate([
        node("aws:ec2transitgateway/transitGateway:TransitGateway", "tgw", {}),
        node("aws:ec2transitgateway/routeTable:RouteTable", "routes", {}),
        node("aws:ec2transitgateway/vpcAttachment:VpcAttachment", "a", {}),
        node("aws:ec2transitgateway/vpcAttachment:VpcAttachment", "b", {}),
        node("aws:networkfirewall/firewall:Firewall", "fw", {"subnetMappings": [{"subnetId": "s-1"},
                                                                                {"subnetId": "s-2"}]}),
        node("aws:networkfirewall/firewallPolicy:FirewallPolicy", "policy", {}),
    ], declared, "us-east-1")
    assert named_lines(result) == [
        ("a", "Transit Gateway attachment, 730 h", 36.5),
        ("a", "50 GB processed (phasegate:usage.transitGatewayGbPerMonth / 2)", 1.0),
        ("b", "Transit Gateway attachment, 730 h", 36.5),
        ("b", "50 GB processed (phasegate:usage.transitGatewayGbPerMonth / 2)", 1.0),
        ("fw", "2 firewall endpoint(s), 730 h", 576.7),
        ("fw", "100 GB processed (phasegate:usage.firewallGbPerMonth)", 6.5)]
    assert result.unpriced == [] and result.unknown == []
    undeclared = priced("aws:ec2transitgateway/vpcAttachment:VpcAttachment", {})
    assert undeclared.unknown[0][2].startswith("price depends on phasegate:usage.transitGatewayGbPerMonth, which is "
                                               "not declared")


@pytest.mark.parametrize("typ", [
    # The free AWS types other programs use (issue #20), each declared free with its source in free_types.py.
    "aws:s3/bucketObjectv2:BucketObjectv2", "aws:s3/bucketObject:BucketObject",
    "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration", "aws:s3/bucketAclV2:BucketAclV2",
    "aws:apigateway/deployment:Deployment", "aws:apigateway/method:Method", "aws:apigateway/integration:Integration",
    "aws:ec2transitgateway/route:Route", "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation",
    "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation", "aws:networkfirewall/ruleGroup:RuleGroup",
])
def test_free_aws_types_cost_nothing(typ):
    assert typ in FREE_TYPES
    result = priced(typ, {}, usage=usage())  # a website configuration serves the internet: its transfer is priced
    assert result.total == 0 and result.unpriced == [] and result.unknown == []
    assert all(line.urn is None for line in result.lines)  # nothing charged on the resource itself


@pytest.mark.parametrize("typ, component, unpriced", [
    ("shop:index:AppServer", True, False),  # a program's own component: no provider reference
    ("aws:ec2/vpc:Vpc", True, False),
    ("tls:index/privateKey:PrivateKey", False, False),  # another provider's resource bills nothing on AWS
    ("time:index/sleep:Sleep", False, False),
    ("aws-native:s3:Bucket", False, True),  # AWS itself: no pricer maps it yet, so it fails closed
    ("aws:opensearch/domain:Domain", False, True),
    ("awsx:ec2:Vpc", False, True),  # a remote component registered alone (under mocks): its cost cannot be seen
])
def test_what_costs_nothing_itself_and_what_fails_closed(typ, component, unpriced):
    result = estimate([PricedResource.from_engine(urn=f"urn:{typ}::r", type=typ, name="r", props={},
                                                  default_region="us-east-1", component=component)],
                      NO_USAGE, "us-east-1")
    assert result.lines == [] and bool(result.unpriced) is unpriced


def test_a_remote_component_whose_children_are_in_the_graph_is_priced_through_them():
    vpc = node("awsx:ec2:Vpc", "net", {})
    nat = node("aws:ec2/natGateway:NatGateway", "net-nat", {}, parent=vpc.urn)
    result = estimate([vpc, nat], usage(natGbPerMonth=0), "us-east-1")
    assert result.unpriced == [] and [line.name for line in result.lines] == ["net-nat", "net-nat"]


def test_other_providers_that_may_create_aws_resources_outside_the_graph_are_named():
    result = estimate([node("command:local:Command", "seed", {}), node("docker-build:index:Image", "image", {}),
                       node("random:index/randomPassword:RandomPassword", "password", {})], NO_USAGE, "us-east-1")
    assert result.lines == [] and result.unpriced == []
    assert [typ for _, typ in result.outside] == ["command:local:Command", "docker-build:index:Image"]


def test_the_platform_owners_price_replaces_a_missing_one_never_a_listed_one():
    prices = {"aws:opensearch/domain:Domain": 120, "aws:ec2/eip:Eip": 99}
    result = estimate([node("aws:opensearch/domain:Domain", "search", {}), node("aws:ec2/eip:Eip", "ip", {})],
                      usage(), "us-east-1", prices=prices)
    assert named_lines(result)[:2] == [
        ("search", "$120/month set by the platform owner (cost-ceiling: prices; no price for this resource type)", 120),
        ("ip", "public IPv4 address (Elastic IP), 730 h x $0.005", 3.65)]
    assert result.unpriced == []


SUBNET = "aws:ec2/subnet:Subnet"


@pytest.mark.parametrize("props, subnet, charged", [
    ({}, None, "public IPv4 address (no subnetId: the default VPC's subnets map public IPv4 addresses)"),
    ({"subnetId": "subnet-pub"}, {"mapPublicIpOnLaunch": True}, "public IPv4 address (its subnet maps public IPv4 "
                                                                "addresses)"),
    ({"subnetId": "subnet-pub"}, {"mapPublicIpOnLaunch": False}, None),
    ({"subnetId": "subnet-pub", "associatePublicIpAddress": False}, {"mapPublicIpOnLaunch": True}, None),
    ({"subnetId": "subnet-elsewhere"}, None, "public IPv4 address (whether its subnet maps public IPv4 addresses is "
                                             "unknown at preview or outside the stack: charged)"),
])
def test_an_instance_pays_for_the_public_ipv4_its_subnet_or_the_default_vpc_gives_it(props, subnet, charged):
    resources = [node("aws:ec2/instance:Instance", "web", {"instanceType": "t3.micro", **props},
                      deps={"subnetId": ["urn:subnet::pub"]} if subnet is not None else {})]
    if subnet is not None:
        resources.append(PricedResource.from_engine(urn="urn:subnet::pub", type=SUBNET, name="pub", props=subnet,
                                                    default_region="us-east-1", outputs={"id": "subnet-pub"}))
    result = estimate(resources, usage(), "us-east-1")
    addresses = [item for item, _ in lines(result) if item.startswith("public IPv4")]
    assert addresses == ([charged] if charged else [])


def test_an_elastic_ip_replaces_the_address_the_default_vpc_would_give():
    web = node("aws:ec2/instance:Instance", "web", {"instanceType": "t3.micro"}, outputs={"id": "i-web"})
    ip = node("aws:ec2/eip:Eip", "ip", {"instance": "i-web"}, deps={"instance": [web.urn]})
    assert [item for item, _ in lines(estimate([web, ip], usage(), "us-east-1")) if "IPv4" in item] == [
        "public IPv4 address (Elastic IP), 730 h x $0.005"]


def test_eks_nodes_in_public_subnets_pay_for_a_public_ipv4_each():
    subnet = PricedResource.from_engine(urn="urn:subnet::pub", type=SUBNET, name="pub",
                                        props={"mapPublicIpOnLaunch": True}, default_region="us-east-1")
    group = node("aws:eks/nodeGroup:NodeGroup", "nodes", {
        "clusterName": "k8s", "instanceTypes": ["t3.medium"], "subnetIds": [UNKNOWN],
        "scalingConfig": {"desiredSize": 3, "minSize": 1, "maxSize": 3}}, deps={"subnetIds": [subnet.urn]})
    assert ("3 public IPv4 addresses (their subnets map public IPv4 addresses)", 10.95) in lines(
        estimate([subnet, group], NO_USAGE, "us-east-1"))


def test_usage_is_asked_for_only_where_a_resource_is_priced_from_it():
    bucket = node("aws:s3/bucket:Bucket", "assets", {})
    result = estimate([bucket], Usage(), "us-east-1")
    assert result.unknown == [(bucket.urn, bucket.type, "price depends on phasegate:usage.assetsStorageGb, which is "
                               "not declared: declare it in the stack file, or have the platform owner set a default "
                               "(cost-ceiling: usage)")]
    # A private instance and a database need no usage at all.
    quiet = estimate([node("aws:rds/instance:Instance", "db", MYSQL)], Usage(), "us-east-1")
    assert quiet.unknown == [] and quiet.total == 14.71
