"""The MVP's compute: one EC2 host running the app with Docker Compose behind Caddy, reachable on 80/443 only.

No SSH key and no port 22: operators use SSM Session Manager through the instance role.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_aws.cloudwatch as cloudwatch
import pulumi_aws.ec2 as ec2
import pulumi_aws.iam as iam
import pulumi_aws.vpc as vpc

from .ami import al2023_ami
from .compose_render import HostFacts, render_user_data
from .config.models import App, ComposeHost as ComposeHostConfig, Database as DatabaseConfig
from .tags import Tagger

EC2_ASSUME_ROLE = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
})
MANAGED_POLICIES = {
    "ssm": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    "cloudwatch-agent": "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
}
WEB_PORTS = (80, 443)


@dataclass(frozen=True)
class HostSecurityGroupArgs:
    vpc_id: pulumi.Input[str]
    tags: Tagger


class HostSecurityGroup(pulumi.ComponentResource):
    """Created before the host so the database can admit it: the DB depends on the group, not the instance."""

    id: pulumi.Output[str]

    def __init__(self, name: str, args: HostSecurityGroupArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("phasegate:compose:HostSecurityGroup", name, None, opts)
        group = ec2.SecurityGroup(
            f"{name}-sg", vpc_id=args.vpc_id, description="Compose host: HTTP(S) in, anything out",
            tags=args.tags(f"{name}-sg"), opts=pulumi.ResourceOptions(parent=self),
        )
        rule_opts = pulumi.ResourceOptions(parent=group)
        for port in WEB_PORTS:
            for family, cidr in (("ipv4", "0.0.0.0/0"), ("ipv6", "::/0")):
                vpc.SecurityGroupIngressRule(
                    f"{name}-{port}-{family}", security_group_id=group.id, ip_protocol="tcp",
                    from_port=port, to_port=port, description=f"HTTP{'S' if port == 443 else ''} from anywhere",
                    tags=args.tags(f"{name}-{port}-{family}"), opts=rule_opts,
                    **({"cidr_ipv4": cidr} if family == "ipv4" else {"cidr_ipv6": cidr}),
                )
        vpc.SecurityGroupEgressRule(
            f"{name}-egress", security_group_id=group.id, ip_protocol="-1", cidr_ipv4="0.0.0.0/0",
            description="Image pulls, AWS APIs, Let's Encrypt", tags=args.tags(f"{name}-egress"), opts=rule_opts,
        )
        self.id = group.id
        self.register_outputs({"id": self.id})


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
        role = iam.Role(f"{name}-role", assume_role_policy=EC2_ASSUME_ROLE,
                        description="Compose host: SSM access, CloudWatch agent, app secrets and assets",
                        tags=args.tags(f"{name}-role"), opts=child)
        for key, arn in MANAGED_POLICIES.items():
            iam.RolePolicyAttachment(f"{name}-{key}", role=role.name, policy_arn=arn,
                                     opts=pulumi.ResourceOptions(parent=role))
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        iam.RolePolicy(
            f"{name}-app-access", role=role.id,
            policy=pulumi.Output.all(args.db_secret_arn, args.bucket_arn, account, log_group.arn).apply(
                lambda v: app_access_policy(args.app, args.region, db_secret_arn=v[0], bucket_arn=v[1],
                                            account=v[2], log_group_arn=v[3])),
            opts=pulumi.ResourceOptions(parent=role),
        )
        profile = iam.InstanceProfile(f"{name}-profile", role=role.name, tags=args.tags(f"{name}-profile"),
                                      opts=pulumi.ResourceOptions(parent=role))

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


def app_access_policy(app: App, region: str, *, db_secret_arn: str, bucket_arn: str, account: str,
                      log_group_arn: str) -> str:
    """Least privilege for the host: its own secrets, its own bucket, its own log group."""
    app_secrets = sorted({name for svc in app.services for name in svc.secrets.values()})
    secret_arns = [db_secret_arn] + [
        f"arn:aws:secretsmanager:{region}:{account}:secret:{secret}-??????" for secret in app_secrets
    ]
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "ReadAppSecrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
             "Resource": secret_arns},
            {"Sid": "ListAssets", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket_arn},
            {"Sid": "ReadWriteAssets", "Effect": "Allow",
             "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "Resource": f"{bucket_arn}/*"},
            {"Sid": "ShipContainerLogs", "Effect": "Allow",
             "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
             "Resource": [log_group_arn, f"{log_group_arn}:*"]},
        ],
    })
