"""The Fargate and Lambda runtimes' workloads: no secrets in plaintext environment (mandatory), ECR repositories that
scan on push with immutable tags, and API stages with access logs (advisory).

A secret belongs in a task definition's `secrets` (valueFrom a Secrets Manager or SSM Parameter ARN) or behind an ARN
the function reads at start; a literal value under a secret-looking name is in the task definition or the function's
configuration, readable by anyone who can describe it, and in Pulumi state. Values unknown at preview are computed
(an ARN, a generated name), not literals: they are not violations. A whole containerDefinitions string unknown at a
first preview cannot be read at all; it is judged on every later preview and update, when it is known.
"""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any, Iterable

from pulumi_policy import ReportViolation, ResourceValidationArgs

from ..declare import ADVISORY, MANDATORY, resource_policy
from ..engine import UNKNOWN, as_bool, dig, plain
from ..props import with_config_defaults

TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
FUNCTION = "aws:lambda/function:Function"
REPOSITORY = "aws:ecr/repository:Repository"
STAGES = ("aws:apigatewayv2/stage:Stage", "aws:apigateway/stage:Stage")
# A value that points at a secret instead of holding it: a Secrets Manager or SSM Parameter Store ARN.
REFERENCE = re.compile(r"^arn:aws[a-z-]*:(secretsmanager|ssm):")

# The common spellings of a secret's name. The short ones only as a suffix after "_", so a name that merely contains
# the letters (PASSPORT_URL, CACHE_BYPASS, PWD, the shell's working directory) is not taken for a secret.
SECRET_NAME_PATTERNS = ["*SECRET*", "*PASSWORD*", "*PASSWD*", "*PASSPHRASE*", "*TOKEN*", "*KEY*", "*_PWD", "*_PASS",
                        "*_PW"]

SECRETS_SCHEMA = {
    "namePatterns": {"type": "array", "items": {"type": "string"},
                     "default": SECRET_NAME_PATTERNS,
                     "description": "Environment variable names (shell patterns, case-insensitive) that hold secrets."},
    "allowNames": {"type": "array", "items": {"type": "string"}, "default": [],
                   "description": "Names that match a pattern but hold no secret (e.g. CACHE_KEY_PREFIX)."},
}


def secret_looking(name: Any, patterns: list[str], allowed: set[str]) -> bool:
    if not isinstance(name, str) or name.upper() in allowed:
        return False
    return any(fnmatch.fnmatchcase(name.upper(), pattern.upper()) for pattern in patterns)


def _is_literal(value: Any) -> bool:
    """A value written into the configuration: known, not empty, and not a reference to where the secret is kept."""
    if value is UNKNOWN or value is None or isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and value != "" and not REFERENCE.match(value)


def _container_environment(props: Any) -> Iterable[tuple[str, Any, Any]]:
    """(container, name, value) for every environment entry of a task definition; raises ValueError on bad JSON."""
    raw = dig(props, "containerDefinitions")
    if raw is UNKNOWN or raw is None:
        return
    definitions = json.loads(raw) if isinstance(raw, str) else raw
    for index, container in enumerate(definitions if isinstance(definitions, list) else []):
        name = dig(container, "name", default=f"[{index}]")
        for entry in dig(container, "environment", default=[]) or []:
            yield name, dig(entry, "name"), dig(entry, "value")


def _no_plaintext_secrets(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in (TASK_DEFINITION, FUNCTION):
        return
    config = with_config_defaults(args.get_config(), SECRETS_SCHEMA)
    patterns, allowed = list(config["namePatterns"]), {n.upper() for n in config["allowNames"]}
    props = plain(args.props)
    if args.resource_type == TASK_DEFINITION:
        try:
            entries = list(_container_environment(props))
        except ValueError as exc:
            report_violation(f"{args.name}'s containerDefinitions is not valid JSON ({exc}), so its environment cannot "
                             f"be shown to hold no secret.")
            return
        for container, name, value in entries:
            if secret_looking(name, patterns, allowed) and _is_literal(value):
                report_violation(f"{args.name}: container {container} has {name} as a plaintext environment value: "
                                 f"move it to the container's secrets (valueFrom a Secrets Manager ARN), so it never "
                                 f"sits in the task definition or Pulumi state.")
        return
    variables = dig(props, "environment", "variables", default={})
    if variables is UNKNOWN or not isinstance(variables, dict):
        return  # computed as a whole: nothing literal to see
    for name, value in variables.items():
        if secret_looking(name, patterns, allowed) and _is_literal(value):
            report_violation(f"{args.name}: environment variable {name} holds a plaintext value: keep the secret in "
                             f"Secrets Manager and pass its ARN (e.g. {name}_ARN), read by the function at start.")


ECR_SCHEMA = {
    "requireScanOnPush": {"type": "boolean", "default": True,
                          "description": "Repositories scan every pushed image (image_scanning_configuration)."},
    "requireImmutableTags": {"type": "boolean", "default": True,
                             "description": "Repositories refuse to overwrite a tag (image_tag_mutability IMMUTABLE)."},
}


def _ecr_image_hygiene(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != REPOSITORY:
        return
    config = with_config_defaults(args.get_config(), ECR_SCHEMA)
    props = plain(args.props)
    scan = as_bool(dig(props, "imageScanningConfiguration", "scanOnPush"))
    if config["requireScanOnPush"] and scan is not True and scan is not UNKNOWN:
        report_violation(f"ECR repository {args.name} does not scan images on push: set image_scanning_configuration "
                         f"scan_on_push=True, so known vulnerabilities show before an image runs.")
    mutability = dig(props, "imageTagMutability", default="MUTABLE")
    if config["requireImmutableTags"] and mutability not in ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", UNKNOWN):
        report_violation(f"ECR repository {args.name} lets a push overwrite a tag (image_tag_mutability {mutability}): "
                         f"set it to IMMUTABLE, so a deployed tag always means the same image.")


ACCESS_LOG_SCHEMA = {"ignoreStages": {"type": "array", "items": {"type": "string"}, "default": [],
                                      "description": "Stage names that need no access log (e.g. a test stage)."}}


def _api_access_logging(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in STAGES:
        return
    props = plain(args.props)
    if dig(props, "name") in with_config_defaults(args.get_config(), ACCESS_LOG_SCHEMA)["ignoreStages"]:
        return
    destination = dig(props, "accessLogSettings", "destinationArn")
    if destination is None:
        report_violation(f"API stage {args.name} keeps no access log: set access_log_settings with a CloudWatch log "
                         f"group (destination_arn, with a retention) and a format, so every request can be traced.")


POLICIES = [
    resource_policy("no-plaintext-secrets", "Task definitions and Lambda functions keep no secret-looking value in "
                    "plaintext environment; secrets come from Secrets Manager.", MANDATORY, _no_plaintext_secrets,
                    SECRETS_SCHEMA),
    resource_policy("ecr-image-hygiene", "ECR repositories scan images on push and have immutable tags.", ADVISORY,
                    _ecr_image_hygiene, ECR_SCHEMA),
    resource_policy("api-access-logging", "API Gateway stages keep access logs.", ADVISORY, _api_access_logging,
                    ACCESS_LOG_SCHEMA),
]
