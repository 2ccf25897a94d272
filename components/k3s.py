"""The growth phase's compute: a K3s server and N agents on EC2 in private subnets, managed through SSM only.

No SSH, no public IPs, IMDSv2, encrypted volumes. The join token goes server -> SSM SecureString -> agents;
Pulumi creates that parameter with a placeholder and never learns the real value (generated on the server).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import pulumi
import pulumi_aws as aws
import pulumi_aws.cloudwatch as cloudwatch
import pulumi_aws.ec2 as ec2
import pulumi_aws.iam as iam
import pulumi_aws.ssm as ssm

from .ami import al2023_ami
from .config.models import App, Database as DatabaseConfig, K3s as K3sConfig
from .instance_role import access_policy, instance_profile
from .k3s_render import TOKEN_PLACEHOLDER, ClusterFacts, render_agent_user_data, render_server_user_data
from .tags import Tagger

ROLE_TAG = "phasegate:role"


@dataclass(frozen=True)
class K3sClusterArgs:
    app: App
    config: K3sConfig
    database: DatabaseConfig
    region: str
    private_subnet_ids: Sequence[pulumi.Input[str]]
    security_group_id: pulumi.Input[str]
    db_address: pulumi.Input[str]
    db_port: pulumi.Input[int]
    db_secret_arn: pulumi.Input[str]
    bucket_name: pulumi.Input[str]
    bucket_arn: pulumi.Input[str]
    tags: Tagger
    cache_address: pulumi.Input[str] = ""  # empty: no cache in this stack
    cache_port: pulumi.Input[int] = 0
    cache_secret_arn: pulumi.Input[str] = ""


class K3sCluster(pulumi.ComponentResource):
    server: ec2.Instance
    agents: list[ec2.Instance]
    node_ids: list[pulumi.Output[str]]

    def __init__(self, name: str, args: K3sClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("phasegate:k3s:K3sCluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        cfg = args.config
        stack = pulumi.get_stack()
        log_group = cloudwatch.LogGroup(f"{name}-logs", name=f"/phasegate/{args.app.name}/{stack}",
                                        retention_in_days=cfg.log_retention_days, tags=args.tags(f"{name}-logs"),
                                        opts=child)
        token = ssm.Parameter(
            f"{name}-token", name=f"/phasegate/{args.app.name}/{stack}/k3s-token", type="SecureString",
            description="K3s join token: written by the server at first boot, read by the agents",
            # Write-only: Pulumi sends the placeholder once and never diffs or reads the value back, so the
            # server's real token is neither overwritten by later updates nor read into state.
            value_wo=TOKEN_PLACEHOLDER, value_wo_version=1, tags=args.tags(f"{name}-token"), opts=child)

        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        # Least privilege per role: the server writes the token and reads secrets; agents only read the token.
        server_role = instance_profile(f"{name}-server", pulumi.Output.all(
            token.arn, args.db_secret_arn, args.cache_secret_arn, args.bucket_arn, account, log_group.arn).apply(
            lambda v: access_policy(args.app, args.region, secret_arns=[arn for arn in (v[1], v[2]) if arn],
                                    read_app_secrets=True, bucket_arn=v[3], account=v[4], log_group_arn=v[5],
                                    extra=[token_statement("ssm:PutParameter", v[0])])), args.tags, self)
        agent_role = instance_profile(f"{name}-agent", pulumi.Output.all(
            token.arn, args.bucket_arn, account, log_group.arn).apply(
            lambda v: access_policy(args.app, args.region, secret_arns=[], read_app_secrets=False,
                                    bucket_arn=v[1], account=v[2], log_group_arn=v[3],
                                    extra=[token_statement("ssm:GetParameter", v[0])])), args.tags, self)

        facts = pulumi.Output.all(token.name, log_group.name, args.db_address, args.db_port, args.db_secret_arn,
                                  args.cache_address, args.cache_port, args.cache_secret_arn, args.bucket_name).apply(
            lambda v: ClusterFacts(region=args.region, token_parameter=v[0], log_group=v[1], db_address=v[2],
                                   db_port=int(v[3]), db_name=args.database.db_name, db_secret_arn=v[4],
                                   cache_address=v[5], cache_port=int(v[6]), cache_secret_arn=v[7], bucket=v[8]))

        subnets = list(args.private_subnet_ids)
        self.server = self._node(
            f"{name}-server", "k3s-server", cfg.server_instance_type, subnets[0], server_role, args,
            facts.apply(lambda f: render_server_user_data(args.app, f, cfg.version)))
        self.agents = [
            self._node(f"{name}-agent-{index}", "k3s-agent", cfg.agent_instance_type,
                       subnets[(index + 1) % len(subnets)], agent_role, args,
                       pulumi.Output.all(facts, self.server.private_ip).apply(
                           lambda v: render_agent_user_data(v[0], v[1], cfg.version)))
            for index in range(cfg.agent_count)
        ]
        self.node_ids = [self.server.id] + [agent.id for agent in self.agents]
        self.token_parameter_name = token.name
        self.register_outputs({"serverId": self.server.id, "nodeIds": self.node_ids, "tokenParameter": token.name})

    def _node(self, name: str, role_tag: str, instance_type: str, subnet_id, profile: iam.InstanceProfile,
              args: K3sClusterArgs, user_data: pulumi.Output[str]) -> ec2.Instance:
        return ec2.Instance(
            name, instance_type=instance_type, ami=al2023_ami(instance_type, self), subnet_id=subnet_id,
            vpc_security_group_ids=[args.security_group_id], iam_instance_profile=profile.name,
            associate_public_ip_address=False, user_data=user_data,
            # A node is rebuilt, not patched, when its boot script changes (the app lives in RDS/S3/cache).
            user_data_replace_on_change=True,
            metadata_options=ec2.InstanceMetadataOptionsArgs(
                http_tokens="required", http_endpoint="enabled", http_put_response_hop_limit=2),
            root_block_device=ec2.InstanceRootBlockDeviceArgs(
                volume_type="gp3", volume_size=args.config.root_volume_gb, encrypted=True,
                delete_on_termination=True),
            tags=args.tags(name, **{ROLE_TAG: role_tag}), volume_tags=args.tags(f"{name}-root"),
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["ami"]),
        )



def token_statement(action: str, token_arn: str) -> dict:
    return {"Sid": "JoinToken", "Effect": "Allow", "Action": action, "Resource": token_arn}
