"""The `k3s` runtime: a K3s server and N agents on EC2 in private subnets, behind the load balancer, SSM only.

No SSH, no public IPs, IMDSv2, encrypted volumes. The agent join token (never the server token, which gives full
control of the cluster) goes server -> SSM SecureString -> agents; Pulumi creates that parameter with a placeholder
and never learns the real value (generated on the server). A database password rotation starts the server's secret
sync at once (rotation.py), a 15-minute timer otherwise.
"""

from __future__ import annotations

from typing import Mapping, Optional

import pulumi
import pulumi_aws as aws
import pulumi_aws.cloudwatch as cloudwatch
import pulumi_aws.ec2 as ec2
import pulumi_aws.iam as iam
import pulumi_aws.ssm as ssm

from phasegate_policies.contract import K3S_AGENT_ROLE, K3S_SERVER_ROLE, ROLE_TAG

from ..config.models import Alerts as AlertsConfig
from ..endpoints import resolved
from ..parts.ec2 import HardenedInstanceArgs, access_policy, hardened_instance, instance_profile
from ..parts.security_groups import AppSecurityGroupShape
from ..render.alarms import AlarmSpec, WatchedInstance, instance_alarms, next_phase_triggers
from ..render.k3s import (
    INGRESS_PORT,
    SYNC_SERVICE,
    TOKEN_PLACEHOLDER,
    ClusterFacts,
    k3s_networks,
    render_agent_user_data,
    render_server_user_data,
)
from .registry import RUNTIMES, Runtime, RuntimeArgs
from .rotation import refresh_on_rotation


class K3sCluster(pulumi.ComponentResource):
    server: ec2.Instance
    agents: list[ec2.Instance]
    node_ids: list[pulumi.Output[str]]
    outputs: Mapping[str, pulumi.Input]
    url: Optional[pulumi.Input[str]] = None  # the load balancer serves the app

    def __init__(self, name: str, args: RuntimeArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("phasegate:k3s:K3sCluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        cfg = args.compute
        log_group = cloudwatch.LogGroup(f"{name}-logs", name=f"/phasegate/{args.app.name}/{args.stack}",
                                        retention_in_days=cfg.log_retention_days, tags=args.tags(f"{name}-logs"),
                                        opts=child)
        token = ssm.Parameter(
            f"{name}-token", name=f"/phasegate/{args.app.name}/{args.stack}/k3s-token", type="SecureString",
            description="K3s agent join token: written by the server at first boot, read by the agents",
            # Write-only: Pulumi sends the placeholder once and never diffs or reads the value back, so the
            # server's real token is neither overwritten by later updates nor read into state.
            value_wo=TOKEN_PLACEHOLDER, value_wo_version=1, tags=args.tags(f"{name}-token"), opts=child)

        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        shared = {"bucket_arn": args.bucket.arn, "account": account, "log_group_arn": log_group.arn}
        secret_arns = [args.database.secret_arn] + ([args.cache.secret_arn] if args.cache else [])
        # Least privilege per role: the server writes the agent token and reads secrets; agents only read the token.
        server_role = instance_profile(f"{name}-server", pulumi.Output.all(
            token_arn=token.arn, secret_arns=secret_arns, **shared).apply(
            lambda v: access_policy(args.app, args.region, read_app_secrets=True,
                                    extra=[token_statement("ssm:PutParameter", v.pop("token_arn"))], **v)),
            args.tags, self)
        agent_role = instance_profile(f"{name}-agent", pulumi.Output.all(token_arn=token.arn, **shared).apply(
            lambda v: access_policy(args.app, args.region, secret_arns=[], read_app_secrets=False,
                                    extra=[token_statement("ssm:GetParameter", v.pop("token_arn"))], **v)),
            args.tags, self)

        facts = pulumi.Output.all(
            token_parameter=token.name, log_group=log_group.name, database=resolved(args.database),
            bucket=args.bucket.name, cache=resolved(args.cache) if args.cache else None,
        ).apply(lambda v: ClusterFacts(region=args.region, **v))

        subnets = list(args.network.private_subnet_ids)
        networks = k3s_networks(args.network.cidr, cfg.cluster_cidr, cfg.service_cidr)
        self.server = self._node(
            f"{name}-server", K3S_SERVER_ROLE, cfg.server_instance_type, subnets[0], server_role, args,
            facts.apply(lambda f: render_server_user_data(args.app, f, cfg.version, networks)))
        self.agents = [
            self._node(f"{name}-agent-{index}", K3S_AGENT_ROLE, cfg.agent_instance_type,
                       subnets[(index + 1) % len(subnets)], agent_role, args,
                       pulumi.Output.all(facts=facts, server_ip=self.server.private_ip).apply(
                           lambda v: render_agent_user_data(v["facts"], v["server_ip"], cfg.version)))
            for index in range(cfg.agent_count)
        ]
        self.node_ids = [self.server.id] + [agent.id for agent in self.agents]
        # Only the server holds the app's secrets (it syncs them into Kubernetes Secrets).
        refresh_on_rotation(name, region=args.region, account=account, instance_ids=[self.server.id],
                            unit=f"{SYNC_SERVICE}.service", tags=args.tags, parent=self)
        # The load balancer forwards to Traefik on every node; only it may reach them (its own rule).
        self._ingress = args.ingress
        args.ingress.attach_instances(self.node_ids)
        self.outputs = {"k3sServerId": self.server.id, "k3sNodeIds": self.node_ids}
        self.register_outputs({"serverId": self.server.id, "nodeIds": self.node_ids, "tokenParameter": token.name})

    def _node(self, name: str, role: str, instance_type: str, subnet_id, profile: iam.InstanceProfile,
              args: RuntimeArgs, user_data: pulumi.Output[str]) -> ec2.Instance:
        return hardened_instance(name, HardenedInstanceArgs(
            instance_type=instance_type, subnet_id=subnet_id, security_group_ids=[args.security_group_id],
            profile=profile, associate_public_ip=False, user_data=user_data,
            # A node is rebuilt, not patched, when its boot script changes (the app lives in RDS/S3/cache).
            replace_on_user_data_change=True, metadata_hop_limit=2,
            root_volume_gb=args.compute.root_volume_gb, delete_root_on_termination=True,
            tags=args.tags(name, **{ROLE_TAG: role}), volume_tags=args.tags(f"{name}-root"),
        ), parent=self)

    def alarms(self, cfg: AlertsConfig) -> list[AlarmSpec]:
        nodes = [WatchedInstance(f"node-{index}", f"Node {index}", node) for index, node in enumerate(self.node_ids)]
        return (instance_alarms(nodes, cfg, disk=False)
                + next_phase_triggers(self.node_ids, self._ingress.arn_suffix, cfg))


def token_statement(action: str, token_arn: str) -> dict:
    return {"Sid": "JoinToken", "Effect": "Allow", "Action": action, "Resource": token_arn}


RUNTIMES.register(Runtime(
    name="k3s", component="k3s", ingress_port=INGRESS_PORT, build=K3sCluster,
    security_group=AppSecurityGroupShape(
        "nodes", "K3s nodes: each other, and the load balancer on the ingress port", allow_members=True),
))
