"""Hosts that hold the database password themselves (compose, K3s) refresh it as soon as RDS rotates it.

RDS rotates its managed master password every 7 days. Secrets Manager's RotationSucceeded reaches EventBridge from
CloudTrail (no trail needed), and an EventBridge rule can run an SSM Run Command on EC2 instances: here
AWS-RunShellScript starting the host's refresh service (`systemctl start <unit>`), which re-reads the secrets and
applies them. CloudTrail-derived events are best effort, so every host keeps a timer of at most 15 minutes too.

Sources:
- Run Command targets (InstanceIds or one tag, one block):
  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html and https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_RunCommandParameters.html
- The role's policy for a Run Command target with InstanceIds (ssm:SendCommand on the instances and on the document):
  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-iam-roles.html
- The rotation event: https://docs.aws.amazon.com/secretsmanager/latest/userguide/monitoring-eventbridge.html
"""

from __future__ import annotations

import json
from typing import Callable, Sequence

import pulumi
import pulumi_aws.cloudwatch as cloudwatch
import pulumi_aws.iam as iam

from .serverless import EVENTS_TRUST, ROTATION_PATTERN

RUN_SHELL_SCRIPT = "AWS-RunShellScript"  # an AWS-owned SSM document: its ARN has no account


def rotation_pattern(region: str) -> str:
    """The RotationSucceeded pattern, narrowed to RDS-managed secrets of the stack's region (their names start
    with `rds!`). It holds nothing unknown at a first preview, so the pack can price the rule; the exact secret ARN is
    not known then. A refresh started by another RDS secret's rotation only re-reads the same values.

    SecretId is the secret's ARN in RotationSucceeded; the bare-name prefix is there in case it is ever the name."""
    pattern = json.loads(ROTATION_PATTERN)
    pattern["detail"]["additionalEventData"] = {"SecretId": [
        {"wildcard": f"arn:aws:secretsmanager:{region}:*:secret:rds!*"}, {"prefix": "rds!"}]}
    return json.dumps(pattern)


def document_arn(region: str) -> str:
    """The target's ARN (the document's, without account, as AWS-owned documents are named)."""
    return f"arn:aws:ssm:{region}::document/{RUN_SHELL_SCRIPT}"


def send_command_policy(region: str, account: str, instance_ids: Sequence[str]) -> str:
    """ssm:SendCommand on exactly these instances and on AWS-RunShellScript, nothing else (eb-events-iam-roles: the
    document as arn:aws:ssm:<region>:*:document/<name>, whose `*` also matches the empty account of AWS's own)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "RefreshHostSecrets", "Effect": "Allow", "Action": "ssm:SendCommand",
        "Resource": [f"arn:aws:ssm:{region}:*:document/{RUN_SHELL_SCRIPT}"]
        + [f"arn:aws:ec2:{region}:{account}:instance/{instance_id}" for instance_id in instance_ids]}]})


def refresh_command(unit: str) -> str:
    """AWS-RunShellScript's parameters: start the refresh unit (a oneshot service; it re-runs on every start)."""
    return json.dumps({"commands": [f"systemctl start {unit}"]})


def refresh_on_rotation(name: str, *, region: str, account: pulumi.Input[str],
                        instance_ids: Sequence[pulumi.Input[str]], unit: str,
                        tags: Callable[[str], dict], parent: pulumi.Resource) -> cloudwatch.EventRule:
    """The rule, its Run Command target and the role EventBridge assumes to send the command."""
    rule = cloudwatch.EventRule(
        f"{name}-on-rotation", description="The database password rotated: refresh the host's secrets now",
        event_pattern=rotation_pattern(region), tags=tags(f"{name}-on-rotation"),
        opts=pulumi.ResourceOptions(parent=parent))
    role = iam.Role(f"{name}-events-role", assume_role_policy=EVENTS_TRUST,
                    description="EventBridge: run the secret refresh on the host(s) through SSM Run Command",
                    tags=tags(f"{name}-events-role"), opts=pulumi.ResourceOptions(parent=rule))
    iam.RolePolicy(f"{name}-events-send-command", role=role.id,
                   policy=pulumi.Output.all(account=account, ids=list(instance_ids)).apply(
                       lambda v: send_command_policy(region, v["account"], v["ids"])),
                   opts=pulumi.ResourceOptions(parent=role))
    cloudwatch.EventTarget(
        f"{name}-on-rotation-target", rule=rule.name, arn=document_arn(region), role_arn=role.arn,
        input=refresh_command(unit),
        run_command_targets=[cloudwatch.EventTargetRunCommandTargetArgs(key="InstanceIds", values=list(instance_ids))],
        opts=pulumi.ResourceOptions(parent=rule))
    return rule
