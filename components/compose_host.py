"""The MVP's compute: one EC2 host running the app with Docker Compose behind Caddy, reachable on 80/443 only.

No SSH key and no port 22: operators use SSM Session Manager through the instance role.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_aws.cloudwatch as cloudwatch
import pulumi_aws.ec2 as ec2

from .ami import al2023_ami
from .compose_render import HostFacts, render_user_data
from .config.models import App, ComposeHost as ComposeHostConfig, Database as DatabaseConfig
from .instance_role import access_policy, instance_profile
from .tags import Tagger

@dataclass(frozen=True)
class ComposeHostArgs:
    app: App
    config: ComposeHostConfig
    database: DatabaseConfig
    region: str
    subnet_id: pulumi.Input[str]
    security_group_id: pulumi.Input[str]
    db_address: pulumi.Input[str]
    db_port: pulumi.Input[int]
    db_secret_arn: pulumi.Input[str]
    bucket_name: pulumi.Input[str]
    bucket_arn: pulumi.Input[str]
    tags: Tagger


class ComposeHost(pulumi.ComponentResource):
    instance_id: pulumi.Output[str]
    public_ip: pulumi.Output[str]
    log_group_name: pulumi.Output[str]

    def __init__(self, name: str, args: ComposeHostArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("phasegate:compose:ComposeHost", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        cfg = args.config

        log_group = cloudwatch.LogGroup(
            f"{name}-logs", name=f"/phasegate/{args.app.name}/{pulumi.get_stack()}",
            retention_in_days=cfg.log_retention_days, tags=args.tags(f"{name}-logs"), opts=child,
        )
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        policy = pulumi.Output.all(args.db_secret_arn, args.bucket_arn, account, log_group.arn).apply(
            lambda v: access_policy(args.app, args.region, secret_arns=[v[0]], bucket_arn=v[1], account=v[2],
                                    log_group_arn=v[3], read_app_secrets=True))
        profile = instance_profile(name, policy, args.tags, self,
                                   "Compose host: SSM access, CloudWatch agent, app secrets and assets")

        user_data = pulumi.Output.all(
            args.db_address, args.db_port, args.db_secret_arn, args.bucket_name, log_group.name
        ).apply(lambda v: render_user_data(args.app, HostFacts(
            region=args.region, log_group=v[4], db_address=v[0], db_port=int(v[1]), db_name=args.database.db_name,
            db_secret_arn=v[2], bucket=v[3])))

        self.instance = ec2.Instance(
            f"{name}-host",
            instance_type=cfg.instance_type, ami=al2023_ami(cfg.instance_type, self),
            subnet_id=args.subnet_id, vpc_security_group_ids=[args.security_group_id],
            iam_instance_profile=profile.name, user_data=user_data,
            # The host is stateless (data lives in RDS and S3): a changed app spec builds a fresh host,
            # created before the old one is deleted, and the Elastic IP moves to it.
            user_data_replace_on_change=True,
            # IMDSv2 only; hop limit 2 so containers can use the instance role through the Docker bridge.
            metadata_options=ec2.InstanceMetadataOptionsArgs(
                http_tokens="required", http_endpoint="enabled", http_put_response_hop_limit=2),
            root_block_device=ec2.InstanceRootBlockDeviceArgs(
                volume_type="gp3", volume_size=cfg.root_volume_gb, encrypted=True, delete_on_termination=True),
            monitoring=False,
            tags=args.tags(f"{name}-host"), volume_tags=args.tags(f"{name}-host-root"),
            # A newer AMI is picked up by deliberate replacement, not by every unrelated `pulumi up`.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["ami"]),
        )
        self.eip = ec2.Eip(f"{name}-ip", domain="vpc", instance=self.instance.id, tags=args.tags(f"{name}-ip"),
                           opts=child)
        self.instance_id = self.instance.id
        self.public_ip = self.eip.public_ip
        self.log_group_name = log_group.name
        self.register_outputs({"instanceId": self.instance_id, "publicIp": self.public_ip,
                               "logGroup": self.log_group_name})

