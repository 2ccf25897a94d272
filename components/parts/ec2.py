"""EC2 hardened once for every instance phasegate runs (compose host, K3s nodes, NAT instance, EKS nodes).

Every instance (or, for EKS managed nodes, their launch template): an Amazon Linux 2023 image looked up through AWS's public SSM parameters (never a hard-coded
AMI id), IMDSv2 only, an encrypted gp3 root volume, no key pair and no SSH (operators use SSM Session Manager
through the instance role), and `ignore_changes=["ami"]` so a newer image is picked up by deliberate
replacement, not by every unrelated `pulumi up`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws.ec2 as ec2
import pulumi_aws.iam as iam
import pulumi_aws.ssm as ssm

from phasegate_policies.contract import is_graviton

from ..config.models import App
from .assets import read_write_statements
from .iam import assume_role_policy, secret_arn_pattern
from .tags import Tagger

EC2_ASSUME_ROLE = assume_role_policy("ec2.amazonaws.com")
MANAGED_POLICIES = {
    "ssm": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    "cloudwatch-agent": "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
}


def al2023_parameter(instance_type: str) -> str:
    arch = "arm64" if is_graviton(instance_type) else "x86_64"
    return f"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arch}"


def al2023_ami(instance_type: str, parent: pulumi.Resource) -> pulumi.Output[str]:
    return ssm.get_parameter_output(
        name=al2023_parameter(instance_type), opts=pulumi.InvokeOutputOptions(parent=parent)
    ).value


@dataclass(frozen=True)
class HardenedInstanceArgs:
    """What differs between phasegate's instances; the hardening itself is not negotiable.

    Optional fields left as None are not sent, so AWS's default applies (and existing instances see no diff).
    """

    instance_type: str
    subnet_id: pulumi.Input[str]
    security_group_ids: Sequence[pulumi.Input[str]]
    user_data: pulumi.Input[str]
    root_volume_gb: int
    tags: Mapping[str, str]
    volume_tags: Mapping[str, str]
    # The role that gives SSM access (and what the instance may read); the NAT instance calls no AWS API.
    profile: Optional[iam.InstanceProfile] = None
    # Hop limit 2 lets containers reach the instance role through the Docker/CNI bridge; None keeps AWS's 1.
    metadata_hop_limit: Optional[int] = None
    associate_public_ip: Optional[bool] = None
    source_dest_check: Optional[bool] = None
    monitoring: Optional[bool] = None
    delete_root_on_termination: Optional[bool] = None
    # Stateless instances are rebuilt, not patched, when their boot script changes.
    replace_on_user_data_change: Optional[bool] = None


def hardened_instance(name: str, args: HardenedInstanceArgs, parent: pulumi.Resource) -> ec2.Instance:
    optional = {
        "iam_instance_profile": args.profile.name if args.profile else None,
        "associate_public_ip_address": args.associate_public_ip,
        "source_dest_check": args.source_dest_check,
        "monitoring": args.monitoring,
        "user_data_replace_on_change": args.replace_on_user_data_change,
    }
    return ec2.Instance(
        name, instance_type=args.instance_type, ami=al2023_ami(args.instance_type, parent),
        subnet_id=args.subnet_id, vpc_security_group_ids=list(args.security_group_ids), user_data=args.user_data,
        metadata_options=ec2.InstanceMetadataOptionsArgs(
            http_tokens="required", http_endpoint="enabled", http_put_response_hop_limit=args.metadata_hop_limit),
        root_block_device=ec2.InstanceRootBlockDeviceArgs(
            volume_type="gp3", volume_size=args.root_volume_gb, encrypted=True,
            delete_on_termination=args.delete_root_on_termination),
        tags=dict(args.tags), volume_tags=dict(args.volume_tags),
        opts=pulumi.ResourceOptions(parent=parent, ignore_changes=["ami"]),
        **{key: value for key, value in optional.items() if value is not None},
    )


# Amazon Linux 2023 images (and EKS's AL2023 node images) boot from this device.
AL2023_ROOT_DEVICE = "/dev/xvda"


@dataclass(frozen=True)
class HardenedTemplateArgs:
    """A launch template for instances something else starts (an EKS managed node group)."""

    description: str
    root_volume_gb: int
    security_group_ids: Sequence[pulumi.Input[str]]
    tags: Mapping[str, str]
    instance_tags: Mapping[str, str]
    volume_tags: Mapping[str, str]
    # Hop limit 1: a pod (one network hop further, through the CNI) cannot reach the node's metadata, so it cannot
    # take the node role's credentials. AWS's EKS best practices advise it when pods get credentials from EKS Pod
    # Identity or IRSA ("Restrict access to the instance profile assigned to the worker node",
    # https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html). hostNetwork pods
    # (the VPC CNI, kube-proxy, the Pod Identity agent) are on the node and unaffected. Only a pod that itself calls
    # IMDS would need 2: an agent using the node role instead of Pod Identity/IRSA, or one that discovers its region
    # or VPC there (the AWS Load Balancer Controller without --aws-region and --aws-vpc-id, for example).
    metadata_hop_limit: int = 1


def hardened_launch_template(name: str, args: HardenedTemplateArgs, parent: pulumi.Resource) -> ec2.LaunchTemplate:
    """The same hardening as `hardened_instance`, stated explicitly, because a template's defaults are the AMI's."""
    return ec2.LaunchTemplate(
        name, description=args.description, update_default_version=True,
        metadata_options=ec2.LaunchTemplateMetadataOptionsArgs(
            http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=args.metadata_hop_limit),
        block_device_mappings=[ec2.LaunchTemplateBlockDeviceMappingArgs(
            device_name=AL2023_ROOT_DEVICE, ebs=ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                volume_size=args.root_volume_gb, volume_type="gp3", encrypted="true", delete_on_termination="true"))],
        vpc_security_group_ids=list(args.security_group_ids),
        tag_specifications=[
            ec2.LaunchTemplateTagSpecificationArgs(resource_type="instance", tags=dict(args.instance_tags)),
            ec2.LaunchTemplateTagSpecificationArgs(resource_type="volume", tags=dict(args.volume_tags))],
        tags=dict(args.tags), opts=pulumi.ResourceOptions(parent=parent))


def instance_profile(name: str, policy: pulumi.Input[str], tags: Tagger, parent: pulumi.Resource,
                     description: Optional[str] = None) -> iam.InstanceProfile:
    """A role with the managed SSM and CloudWatch agent policies plus `policy`, and its instance profile."""
    role = iam.Role(f"{name}-role", assume_role_policy=EC2_ASSUME_ROLE, description=description,
                    tags=tags(f"{name}-role"), opts=pulumi.ResourceOptions(parent=parent))
    for key, arn in MANAGED_POLICIES.items():
        iam.RolePolicyAttachment(f"{name}-{key}", role=role.name, policy_arn=arn,
                                 opts=pulumi.ResourceOptions(parent=role))
    iam.RolePolicy(f"{name}-access", role=role.id, policy=policy, opts=pulumi.ResourceOptions(parent=role))
    return iam.InstanceProfile(f"{name}-profile", role=role.name, tags=tags(f"{name}-profile"),
                               opts=pulumi.ResourceOptions(parent=role))


def access_policy(app: App, region: str, *, account: str, bucket_arn: str, log_group_arn: str,
                  secret_arns: Sequence[str], read_app_secrets: bool, extra: Sequence[dict] = ()) -> str:
    """The app's bucket and log group; its secrets only where `read_app_secrets` (the host that syncs them)."""
    statements = list(extra) + read_write_statements(bucket_arn) + [
        {"Sid": "ShipContainerLogs", "Effect": "Allow",
         "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
         "Resource": [log_group_arn, f"{log_group_arn}:*"]},
    ]
    if read_app_secrets:
        named = sorted({name for svc in app.services for name in svc.secrets.values()})
        statements.insert(len(extra), {
            "Sid": "ReadAppSecrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
            "Resource": list(secret_arns) + [secret_arn_pattern(region, account, s) for s in named]})
    return json.dumps({"Version": "2012-10-17", "Statement": statements})
