"""What the serverless runtimes (fargate, lambda) share: where the base's endpoints are once deployed, the role
policy that reads exactly the services' secrets, and the EventBridge rule that reacts to a password rotation.

Their services get secrets by ARN (ECS injects them at task start, a function reads them itself), so both need the
account and the resolved endpoints (`service_facts`) and the same secrets policy; both replace what holds the old
password when RDS rotates it, through a Step Functions workflow each builds and `start_on_rotation` starts.
"""

from __future__ import annotations

import json
from typing import Sequence, Union

import pulumi
import pulumi_aws as aws
import pulumi_aws.cloudwatch as cloudwatch
import pulumi_aws.iam as iam
import pulumi_aws.sfn as sfn

from ..endpoints import resolved
from ..parts.iam import assume_role_policy, secret_arn_pattern
from ..render.serverless import ServiceFacts
from .registry import RuntimeArgs

EVENTS_TRUST = assume_role_policy("events.amazonaws.com")  # a rule's role, to start its target on a rotation
WORKFLOW_TRUST = assume_role_policy("states.amazonaws.com")  # the role of each runtime's rotation workflow


def secrets_policy(facts: ServiceFacts, app_secrets: list[str]) -> str:
    """The execution role reads exactly the secrets the task definitions name."""
    resources = [str(facts.database.secret_arn)] + ([str(facts.cache.secret_arn)] if facts.cache else [])
    resources += [secret_arn_pattern(facts.region, facts.account, name) for name in app_secrets]
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "InjectSecrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": resources}]})


# Secrets Manager's RotationSucceeded, as EventBridge receives it from CloudTrail (no trail needed).
ROTATION_PATTERN = json.dumps({"source": ["aws.secretsmanager"], "detail-type": ["AWS Service Event via CloudTrail"],
                               "detail": {"eventSource": ["secretsmanager.amazonaws.com"],
                                          "eventName": ["RotationSucceeded"]}})


def start_on_rotation(name: str, workflow: sfn.StateMachine, what: str, which: str, args: RuntimeArgs,
                      parent: pulumi.Resource) -> cloudwatch.EventRule:
    """An EventBridge rule on every secret rotation that starts `workflow` (which keeps only its database's)."""
    rule = cloudwatch.EventRule(
        f"{name}-on-rotation", description=f"The database password rotated: {what}", event_pattern=ROTATION_PATTERN,
        tags=args.tags(f"{name}-on-rotation"), opts=pulumi.ResourceOptions(parent=parent))
    events_role = iam.Role(f"{name}-events-role", assume_role_policy=EVENTS_TRUST,
                           description=f"EventBridge: start {which}",
                           tags=args.tags(f"{name}-events-role"), opts=pulumi.ResourceOptions(parent=rule))
    iam.RolePolicy(f"{name}-events-start", role=events_role.id, policy=workflow.arn.apply(lambda arn: json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "states:StartExecution", "Resource": arn}]})),
        opts=pulumi.ResourceOptions(parent=events_role))
    cloudwatch.EventTarget(f"{name}-on-rotation-target", rule=rule.name, arn=workflow.arn, role_arn=events_role.arn,
                           opts=pulumi.ResourceOptions(parent=rule))
    return rule


def rotation_workflow(name: str, verb: str, *, description: str, grant: str, actions: Union[str, list[str]],
                      resources: Sequence[pulumi.Input[str]], definition: pulumi.Input[str], what: str, which: str,
                      args: RuntimeArgs, parent: pulumi.Resource) -> sfn.StateMachine:
    """A Step Functions workflow (`<name>-<verb>`) that may call `actions` on exactly `resources`, started by every
    rotation of the database's secret: how a runtime whose secrets are read only at start picks up a new password."""
    role = iam.Role(f"{name}-{verb}-role", assume_role_policy=WORKFLOW_TRUST, description=description,
                    tags=args.tags(f"{name}-{verb}-role"), opts=pulumi.ResourceOptions(parent=parent))
    iam.RolePolicy(f"{name}-{verb}-{grant}", role=role.id,
                   policy=pulumi.Output.all(*resources).apply(lambda arns: json.dumps({
                       "Version": "2012-10-17", "Statement": [{
                           "Effect": "Allow", "Action": actions, "Resource": list(arns)}]})),
                   opts=pulumi.ResourceOptions(parent=role))
    workflow = sfn.StateMachine(f"{name}-{verb}", role_arn=role.arn, type="STANDARD", definition=definition,
                                tags=args.tags(f"{name}-{verb}"), opts=pulumi.ResourceOptions(parent=parent))
    start_on_rotation(name, workflow, what, which, args, parent)
    return workflow


def service_facts(args: RuntimeArgs, parent: pulumi.Resource) -> pulumi.Output[ServiceFacts]:
    """Where the database, cache and bucket are, once deployed, for a serverless runtime's services."""
    account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=parent)).account_id
    return pulumi.Output.all(account=account, database=resolved(args.database), bucket=args.bucket.name,
                             cache=resolved(args.cache) if args.cache else None).apply(
        lambda v: ServiceFacts(region=args.region, **v))
