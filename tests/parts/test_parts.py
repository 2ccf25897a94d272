"""Parts built alone, under mocks, from typed args: what each one declares, independent of any phase."""

from __future__ import annotations

from collections import Counter

import pytest

from components.config.models import Cache as CacheConfig, Database as DatabaseConfig, Network as NetworkConfig
from components.endpoints import NetworkEndpoint
from components.parts.cache import Cache, CacheArgs
from components.parts.database import Database, DatabaseArgs
from components.parts.load_balancer import LoadBalancer, LoadBalancerArgs
from components.parts.network import Network, NetworkArgs
from components.parts.tags import Tagger
from offline.program import run_program

TAGS = Tagger.for_stack("acme", "production", "production")
NETWORK = NetworkEndpoint(vpc_id="vpc-1", cidr="10.0.0.0/16", public_subnet_ids=["subnet-pub-a", "subnet-pub-b"],
                          private_subnet_ids=["subnet-priv-a", "subnet-priv-b"])


def build(part) -> list:
    """Run just `part()` as the program (with the production stack's config) and return its resources."""
    return run_program("production", program=part).resources


def of_type(resources, typ):
    return [r for r in resources if r.type == typ]


@pytest.mark.parametrize("egress, nat_gateways, private_tables, nat_instances", [
    ("none", 0, 1, 0), ("instance", 0, 1, 1), ("gateway", 1, 1, 0), ("gatewayPerAz", 3, 3, 0)])
def test_network_egress_strategies(egress, nat_gateways, private_tables, nat_instances):
    config = NetworkConfig(az_count=3, egress=egress)
    resources = build(lambda: Network("acme-net", NetworkArgs(config=config, region="us-west-2", tags=TAGS)))
    assert len(of_type(resources, "aws:ec2/subnet:Subnet")) == 6
    assert len(of_type(resources, "aws:ec2/natGateway:NatGateway")) == nat_gateways
    assert len(of_type(resources, "aws:ec2/eip:Eip")) == nat_gateways
    assert len(of_type(resources, "aws:ec2/routeTable:RouteTable")) == 1 + private_tables
    assert len(of_type(resources, "aws:ec2/instance:Instance")) == nat_instances
    endpoint = of_type(resources, "aws:ec2/vpcEndpoint:VpcEndpoint")[0].inputs
    assert endpoint["serviceName"] == "com.amazonaws.us-west-2.s3" and endpoint["vpcEndpointType"] == "Gateway"


def test_a_nat_gateway_per_az_sits_in_that_azs_public_subnet_and_serves_that_azs_private_table():
    config = NetworkConfig(az_count=3, egress="gatewayPerAz")
    resources = build(lambda: Network("acme-net", NetworkArgs(config=config, region="us-west-2", tags=TAGS)))
    by_urn = {r.urn: r for r in resources}
    subnets = {r.id: r for r in of_type(resources, "aws:ec2/subnet:Subnet")}
    nats = {r.id: r for r in of_type(resources, "aws:ec2/natGateway:NatGateway")}
    zones = set()
    for route in of_type(resources, "aws:ec2/route:Route"):
        nat = nats[route.inputs["natGatewayId"]]
        zone = subnets[nat.inputs["subnetId"]].inputs["availabilityZone"]
        assert subnets[nat.inputs["subnetId"]].inputs["tags"]["tier"] == "public"
        table = by_urn[route.parent]
        served = [a for a in of_type(resources, "aws:ec2/routeTableAssociation:RouteTableAssociation")
                  if a.inputs["routeTableId"] == table.id]
        assert [subnets[a.inputs["subnetId"]].inputs["availabilityZone"] for a in served] == [zone]
        zones.add(zone)
    assert zones == {"us-west-2a", "us-west-2b", "us-west-2c"}


def test_database_alone_multi_az_private_encrypted_and_admitting_only_its_client():
    config = DatabaseConfig(instance_class="db.t4g.small", multi_az=True, backup_retention_days=14)
    resources = build(lambda: Database("acme-db", DatabaseArgs(config=config, network=NETWORK,
                                                               client_security_group_id="sg-app", tags=TAGS,
                                                               stack="production")))
    assert Counter(r.type for r in resources if r.custom) == Counter({
        "aws:rds/subnetGroup:SubnetGroup": 1, "aws:ec2/securityGroup:SecurityGroup": 1,
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": 1, "aws:rds/parameterGroup:ParameterGroup": 1,
        "aws:rds/instance:Instance": 1})
    db = of_type(resources, "aws:rds/instance:Instance")[0]
    assert db.inputs["multiAz"] is True and db.inputs["publiclyAccessible"] is False and db.protect
    assert of_type(resources, "aws:rds/subnetGroup:SubnetGroup")[0].inputs["subnetIds"] == ["subnet-priv-a",
                                                                                            "subnet-priv-b"]
    rule = of_type(resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")[0].inputs
    assert (rule["fromPort"], rule["referencedSecurityGroupId"]) == (5432, "sg-app")


def test_cache_with_a_replica_fails_over_across_azs():
    config = CacheConfig(enabled=True, node_type="cache.t4g.small", replicas=1)
    resources = build(lambda: Cache("acme-cache", CacheArgs(
        config=config, replication_group_id="acme-production-cache", network=NETWORK,
        client_security_group_id="sg-app", tags=TAGS)))
    group = of_type(resources, "aws:elasticache/replicationGroup:ReplicationGroup")[0].inputs
    assert (group["numCacheClusters"], group["automaticFailoverEnabled"], group["multiAzEnabled"]) == (2, True, True)


def test_load_balancer_alone_registers_the_targets_a_runtime_hands_it():
    def part():
        balancer = LoadBalancer("acme-lb", LoadBalancerArgs(
            network=NETWORK, target_security_group_id="sg-app", target_port=80, health_check_path="/health",
            domain=None, zone_name=None, tags=TAGS))
        balancer.attach_instances(["i-1", "i-2", "i-3"])

    resources = build(part)
    attachments = of_type(resources, "aws:lb/targetGroupAttachment:TargetGroupAttachment")
    assert sorted((a.name, a.inputs["targetId"], a.inputs["port"]) for a in attachments) == [
        ("acme-lb-node-0", "i-1", 80), ("acme-lb-node-1", "i-2", 80), ("acme-lb-node-2", "i-3", 80)]
    target_group = of_type(resources, "aws:lb/targetGroup:TargetGroup")[0]
    assert all(a.parent == target_group.urn for a in attachments)
