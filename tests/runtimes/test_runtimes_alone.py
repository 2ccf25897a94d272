"""Each compute runtime built alone, from one `RuntimeArgs` with literal endpoints: no network, no database.

What a runtime declares must follow from its args only; the parts it leans on (load balancer, database, cache,
bucket) are represented by their typed endpoints, and the load balancer by a stand-in that records what the
runtime registered with it.
"""

from __future__ import annotations

import base64
import re
from collections import Counter

import pytest

from components.config.loader import build_stack_config
from components.endpoints import Bucket, CacheEndpoint, DatabaseEndpoint, NetworkEndpoint
from components.parts.tags import Tagger
from components.runtimes import RUNTIMES, RuntimeArgs
from offline.program import run_program
from project import stack_config

NETWORK = NetworkEndpoint(vpc_id="vpc-1", cidr="10.0.0.0/16",
                          public_subnet_ids=["subnet-pub-a", "subnet-pub-b", "subnet-pub-c"],
                          private_subnet_ids=["subnet-priv-a", "subnet-priv-b", "subnet-priv-c"])
DATABASE = DatabaseEndpoint(address="acme-db.abc.us-west-2.rds.amazonaws.com", port=5432, db_name="app",
                            secret_arn="arn:aws:secretsmanager:us-west-2:123456789012:secret:rds!db-1-AbCdEf")
BUCKET = Bucket(name="acme-assets-1", arn="arn:aws:s3:::acme-assets-1",
                regional_domain="acme-assets-1.s3.us-west-2.amazonaws.com")
CACHE = CacheEndpoint(address="acme-cache.xyz.cache.amazonaws.com", port=6379,
                      secret_arn="arn:aws:secretsmanager:us-west-2:123456789012:secret:acme-cache-auth-AbCdEf")


class RecordingIngress:
    """Stands in for the load balancer: records the targets a runtime registers."""

    arn_suffix = "app/acme-lb/0123456789abcdef"

    def __init__(self) -> None:
        self.instances: list = []
        self.autoscaling_groups: list = []

    def attach_instances(self, instance_ids) -> None:
        self.instances += list(instance_ids)

    def attach_autoscaling_groups(self, group_names) -> None:
        self.autoscaling_groups += list(group_names)


def boot_text(user_data: str) -> str:
    """A boot script with the files it writes (base64 blocks) decoded, so their contents can be searched."""
    files = [base64.b64decode(block).decode() for block in re.findall(r"echo '([A-Za-z0-9+/=]{16,})' \| base64 -d", user_data)]
    return "\n".join([user_data, *files])


def build_alone(stack: str, ingress=None, cache=None):
    cfg = build_stack_config(stack_config(stack), f"Pulumi.{stack}.yaml")
    runtime = RUNTIMES[cfg.compute.runtime]
    built = {}

    def program() -> None:
        built["compute"] = runtime.build(f"acme-{runtime.component}", RuntimeArgs(
            app=cfg.app, compute=cfg.compute, region=cfg.region, stack=stack, network=NETWORK,
            security_group_id="sg-app", database=DATABASE, bucket=BUCKET, cache=cache, ingress=ingress,
            tags=Tagger.for_stack("acme", cfg.phase.value, stack)))

    run = run_program(stack, program=program)
    return run, built["compute"], cfg


def test_compose_alone_declares_one_hardened_host_and_its_address_and_nothing_of_the_network():
    run, compute, _ = build_alone("mvp")
    kinds = Counter(r.type for r in run.resources if r.custom)
    assert kinds["aws:ec2/instance:Instance"] == 1 and kinds["aws:ec2/eip:Eip"] == 1
    assert not {"aws:ec2/vpc:Vpc", "aws:rds/instance:Instance", "aws:lb/loadBalancer:LoadBalancer"} & set(kinds)
    host = run.one("aws:ec2/instance:Instance").inputs
    assert host["subnetId"] == "subnet-pub-a" and host["vpcSecurityGroupIds"] == ["sg-app"]
    assert host["metadataOptions"]["httpTokens"] == "required"
    assert host["rootBlockDevice"]["encrypted"] is True and "keyName" not in host
    # The database's address reaches the host's boot script from the endpoint, not from a config section.
    assert DATABASE.address in boot_text(host["userData"])
    assert [spec.key for spec in compute.alarms(build_stack_config(stack_config("mvp"), "x").alerts)] == [
        "host-cpu", "host-memory", "host-disk", "host-status"]


def test_k3s_alone_registers_every_node_with_the_load_balancer_and_stays_private():
    ingress = RecordingIngress()
    run, compute, cfg = build_alone("growth", ingress=ingress, cache=CACHE)
    nodes = run.of_type("aws:ec2/instance:Instance")
    assert len(nodes) == 1 + cfg.compute.agent_count
    assert len(ingress.instances) == len(nodes)
    assert {n.inputs["subnetId"] for n in nodes} <= set(NETWORK.private_subnet_ids)
    assert all(n.inputs["associatePublicIpAddress"] is False for n in nodes)
    server = boot_text(next(n for n in nodes if n.name.endswith("-server")).inputs["userData"])
    assert CACHE.address in server and DATABASE.address in server
    triggers = [s for s in compute.alarms(cfg.alerts) if s.key.startswith("trigger-")]
    assert triggers[-1].metric.dimensions == {"LoadBalancer": RecordingIngress.arn_suffix}


def test_k3s_refuses_to_run_without_a_load_balancer_to_register_with():
    with pytest.raises(Exception):
        build_alone("growth", ingress=None)


def test_eks_alone_registers_its_node_groups_autoscaling_groups_and_reads_secrets_only_through_the_operator():
    ingress = RecordingIngress()
    run, compute, cfg = build_alone("production", ingress=ingress, cache=CACHE)
    groups = run.of_type("aws:eks/nodeGroup:NodeGroup")
    assert len(ingress.autoscaling_groups) == len(groups) == 1
    assert sorted(groups[0].inputs["subnetIds"]) == sorted(NETWORK.private_subnet_ids)
    external = [r for r in run.resources if r.type == "kubernetes:external-secrets.io/v1:ExternalSecret"]
    assert {d["remoteRef"]["key"] for r in external for d in r.inputs["spec"]["data"]} >= {
        DATABASE.secret_arn, CACHE.secret_arn}
    policy = next(r for r in run.of_type("aws:iam/rolePolicy:RolePolicy") if "external-secrets" in r.name)
    assert DATABASE.secret_arn in policy.inputs["policy"] and CACHE.secret_arn in policy.inputs["policy"]
    assert [spec.key for spec in compute.alarms(cfg.alerts)] == ["nodes-cpu", "nodes-status"]
