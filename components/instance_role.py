"""IAM for phasegate's EC2 instances: SSM access instead of SSH, the CloudWatch agent, and least privilege
for the app's own secrets, bucket and log group."""

from __future__ import annotations

import json
from typing import Sequence

import pulumi
import pulumi_aws.iam as iam

from .config.models import App
from .tags import Tagger

EC2_ASSUME_ROLE = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
})
MANAGED_POLICIES = {
    "ssm": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    "cloudwatch-agent": "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
}


def instance_profile(name: str, policy: pulumi.Input[str], tags: Tagger, parent: pulumi.Resource,
                     description: str = "") -> iam.InstanceProfile:
    """A role with the managed SSM and CloudWatch agent policies plus `policy`, and its instance profile."""
    role = iam.Role(f"{name}-role", assume_role_policy=EC2_ASSUME_ROLE, description=description or None,
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
    statements = list(extra) + [
        {"Sid": "ListAssets", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket_arn},
        {"Sid": "ReadWriteAssets", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
         "Resource": f"{bucket_arn}/*"},
        {"Sid": "ShipContainerLogs", "Effect": "Allow",
         "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
         "Resource": [log_group_arn, f"{log_group_arn}:*"]},
    ]
    if read_app_secrets:
        named = sorted({name for svc in app.services for name in svc.secrets.values()})
        statements.insert(len(extra), {
            "Sid": "ReadAppSecrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
            "Resource": list(secret_arns) + [f"arn:aws:secretsmanager:{region}:{account}:secret:{s}-??????"
                                             for s in named]})
    return json.dumps({"Version": "2012-10-17", "Statement": statements})
