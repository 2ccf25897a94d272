"""The `compose` runtime: one EC2 host running the app with Docker Compose behind Caddy, reachable on 80/443 only.

No SSH key and no port 22: operators use SSM Session Manager through the instance role. The host terminates
HTTP(S) itself (Caddy gets the certificate), so no load balancer is needed: that is the MVP's main saving.
A database password rotation refreshes the host's secrets at once (rotation.py), a 15-minute timer otherwise.
"""

from __future__ import annotations

from typing import Mapping, Optional

import pulumi
import pulumi_aws as aws
import pulumi_aws.cloudwatch as cloudwatch
import pulumi_aws.ec2 as ec2

from ..config.models import Alerts as AlertsConfig
from ..endpoints import resolved
from ..parts.ec2 import HardenedInstanceArgs, access_policy, hardened_instance, instance_profile
from ..parts.security_groups import AppSecurityGroupShape
from ..render.alarms import AlarmSpec, WatchedInstance, instance_alarms
from ..render.compose import REFRESH_SERVICE, HostFacts, render_user_data
from .registry import RUNTIMES, Runtime, RuntimeArgs
from .rotation import refresh_on_rotation


class ComposeHost(pulumi.ComponentResource):
    instance_id: pulumi.Output[str]
    public_ip: pulumi.Output[str]
    outputs: Mapping[str, pulumi.Input]
    url: Optional[pulumi.Input[str]]

    def __init__(self, name: str, args: RuntimeArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("phasegate:compose:ComposeHost", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        cfg = args.compute

        log_group = cloudwatch.LogGroup(
            f"{name}-logs", name=f"/phasegate/{args.app.name}/{args.stack}",
            retention_in_days=cfg.log_retention_days, tags=args.tags(f"{name}-logs"), opts=child,
        )
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        secret_arns = [args.database.secret_arn] + ([args.cache.secret_arn] if args.cache else [])
        policy = pulumi.Output.all(secret_arns=secret_arns, bucket_arn=args.bucket.arn, account=account,
                                   log_group_arn=log_group.arn).apply(
            lambda v: access_policy(args.app, args.region, read_app_secrets=True, **v))
        profile = instance_profile(name, policy, args.tags, self,
                                   "Compose host: SSM access, CloudWatch agent, app secrets and assets")

        user_data = pulumi.Output.all(
            database=resolved(args.database), bucket=args.bucket.name, log_group=log_group.name,
            cache=resolved(args.cache) if args.cache else None,
        ).apply(lambda v: render_user_data(args.app, HostFacts(region=args.region, **v)))

        self.instance = hardened_instance(f"{name}-host", HardenedInstanceArgs(
            instance_type=cfg.instance_type, subnet_id=args.network.public_subnet_ids[0],
            security_group_ids=[args.security_group_id], profile=profile, user_data=user_data,
            root_volume_gb=cfg.root_volume_gb, delete_root_on_termination=True, monitoring=False,
            # IMDSv2 only; hop limit 2 so containers can use the instance role through the Docker bridge.
            metadata_hop_limit=2,
            # The host is stateless (data lives in RDS and S3): a changed app spec builds a fresh host,
            # created before the old one is deleted, and the Elastic IP moves to it.
            replace_on_user_data_change=True,
            tags=args.tags(f"{name}-host"), volume_tags=args.tags(f"{name}-host-root"),
        ), parent=self)
        self.eip = ec2.Eip(f"{name}-ip", domain="vpc", instance=self.instance.id, tags=args.tags(f"{name}-ip"),
                           opts=child)
        self.instance_id = self.instance.id
        # A rotated database password reaches the host within seconds, not at the next timer run.
        refresh_on_rotation(name, region=args.region, account=account, instance_ids=[self.instance.id],
                            unit=f"{REFRESH_SERVICE}.service", tags=args.tags, parent=self)
        self.public_ip = self.eip.public_ip
        self.url = (f"https://{args.app.domain}" if args.app.domain
                    else self.public_ip.apply(lambda ip: f"http://{ip}"))
        self.outputs = {"publicIp": self.public_ip, "instanceId": self.instance_id}
        self.register_outputs({"instanceId": self.instance_id, "publicIp": self.public_ip,
                               "logGroup": log_group.name})

    def alarms(self, cfg: AlertsConfig) -> list[AlarmSpec]:
        return instance_alarms([WatchedInstance("host", "Host", self.instance_id)], cfg, disk=True)


RUNTIMES.register(Runtime(
    name="compose", component="app", build=ComposeHost,
    security_group=AppSecurityGroupShape("web", "Compose host: HTTP(S) in, anything out", open_web_to_internet=True),
))
