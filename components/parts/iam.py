"""IAM documents written once: who may assume a role, and how a policy names a secret by its name.

Pure JSON, no resources. A secret's ARN ends in a hyphen and six random characters that AWS appends to its name, so
a policy that names a secret before it exists (or without reading it) matches them with `-??????`:
https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_iam-policies.html
"""

from __future__ import annotations

import json
from typing import Union

ASSUME_ROLE = "sts:AssumeRole"


def assume_role_policy(service: str, actions: Union[str, list[str]] = ASSUME_ROLE) -> str:
    """The trust policy letting an AWS service (e.g. `ecs-tasks.amazonaws.com`) assume the role."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": actions}]})


def secret_arn_pattern(region: str, account: str, name: str) -> str:
    """Every version of the secret `name` in the account and region: its ARN with the random suffix as `-??????`."""
    return f"arn:aws:secretsmanager:{region}:{account}:secret:{name}-??????"
