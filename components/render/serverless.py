"""Pure rendering for the serverless runtimes: Fargate task sizes and container definitions, Lambda environments.

Secrets never appear as values: a Fargate container gets them through `secrets` (`valueFrom` a Secrets Manager
ARN or name, which ECS resolves at task start with the execution role); a Lambda function, which has no such
mechanism, gets the ARNs (`<NAME>_SECRET_ARN`, `DATABASE_SECRET_ARN`) and reads the values itself. The database and cache credentials stay in their secrets,
so `DATABASE_URL` and `REDIS_URL` carry no password here: PostgreSQL clients read `PGUSER`/`PGPASSWORD`
(libpq and most drivers do), and the cache's AUTH token comes as `REDIS_AUTH_TOKEN`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional

from ..config.models import App, Service
from ..endpoints import CacheEndpoint, DatabaseEndpoint

# Fargate's valid task sizes: CPU units -> the memory sizes (MiB) allowed with them (AWS ECS developer guide,
# "Task CPU and memory").
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}
# Lambda Web Adapter (github.com/awslabs/aws-lambda-web-adapter) reads these: the app's port and readiness path.
LAMBDA_ADAPTER_PORT, LAMBDA_ADAPTER_READINESS = "AWS_LWA_PORT", "AWS_LWA_READINESS_CHECK_PATH"


def fargate_task_size(cpu: float, memory_mb: int) -> Optional[tuple[int, int]]:
    """The smallest valid Fargate (CPU units, MiB) that gives a container `cpu` vCPUs and `memory_mb` MiB."""
    want = cpu * 1024
    for units, memories in FARGATE_SIZES.items():
        if units >= want:
            fitting = [m for m in memories if m >= memory_mb]
            if fitting:
                return units, fitting[0]
    return None


@dataclass(frozen=True)
class ServiceFacts:
    """What a serverless service needs that only exists once the base is deployed (resolved values)."""

    region: str
    account: str
    bucket: str
    database: DatabaseEndpoint
    cache: Optional[CacheEndpoint]

    def secret_arn(self, name: str) -> str:
        """A secret's ARN without AWS's random suffix: Secrets Manager accepts it wherever an id is asked."""
        return f"arn:aws:secretsmanager:{self.region}:{self.account}:secret:{name}"


def plain_environment(svc: Service, facts: ServiceFacts) -> dict[str, str]:
    """The service's own environment plus where the database, cache and bucket are (no credentials)."""
    db = facts.database
    env = {
        **svc.environment, "PORT": str(svc.port), "AWS_REGION": facts.region, "ASSETS_BUCKET": facts.bucket,
        "DATABASE_URL": f"postgresql://{db.address}:{int(db.port)}/{db.db_name}?sslmode=require",
        "PGHOST": str(db.address), "PGPORT": str(int(db.port)), "PGDATABASE": db.db_name, "PGSSLMODE": "require",
    }
    if facts.cache:
        env["REDIS_URL"] = f"rediss://{facts.cache.address}:{int(facts.cache.port)}"
    return env


def secret_references(svc: Service, facts: ServiceFacts) -> dict[str, str]:
    """Environment variable -> what ECS resolves it from: a secret name, or `<arn>:<json key>::`."""
    refs = {name: secret for name, secret in svc.secrets.items()}
    refs["PGUSER"] = f"{facts.database.secret_arn}:username::"
    refs["PGPASSWORD"] = f"{facts.database.secret_arn}:password::"
    if facts.cache:
        refs["REDIS_AUTH_TOKEN"] = str(facts.cache.secret_arn)
    return refs


def container_definitions(svc: Service, facts: ServiceFacts, log_group: str) -> str:
    """The task's one container, as the JSON ECS takes: environment literal, secrets by reference only."""
    env = plain_environment(svc, facts)
    container = {
        "name": svc.name, "image": svc.image, "essential": True,
        "portMappings": [{"name": "http", "containerPort": svc.port, "protocol": "tcp"}],
        "environment": [{"name": k, "value": v} for k, v in sorted(env.items())],
        "secrets": [{"name": k, "valueFrom": v} for k, v in sorted(secret_references(svc, facts).items())],
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": log_group, "awslogs-region": facts.region, "awslogs-stream-prefix": svc.name}},
        "readonlyRootFilesystem": False,
        "linuxParameters": {"initProcessEnabled": True},
    }
    return json.dumps([container], sort_keys=True)


def lambda_environment(svc: Service, facts: ServiceFacts) -> dict[str, str]:
    """A function's environment: the plain values, the adapter's settings, and secrets as ARNs or names only."""
    env = plain_environment(svc, facts)
    env[LAMBDA_ADAPTER_PORT] = str(svc.port)
    env[LAMBDA_ADAPTER_READINESS] = svc.health_check_path
    env["DATABASE_SECRET_ARN"] = str(facts.database.secret_arn)
    if facts.cache:
        env["REDIS_AUTH_SECRET_ARN"] = str(facts.cache.secret_arn)
    for name, secret in svc.secrets.items():
        env[f"{name}_SECRET_ARN"] = facts.secret_arn(secret)
    return env


def api_route_keys(app: App) -> dict[str, list[str]]:
    """Service -> the HTTP API route keys that reach it: its path prefix, the root service also `$default`."""
    routes = {}
    for svc in app.services:
        if not svc.public:
            continue
        prefix = svc.path_prefix.rstrip("/")
        routes[svc.name] = ["$default"] if not prefix else [f"ANY {prefix}", f"ANY {prefix}/{{proxy+}}"]
    return routes


# The variable the recycle workflow sets: any change to a function's configuration makes Lambda provision new
# execution environments for it (UpdateFunctionConfiguration), so the next cold starts read the rotated password.
ROTATED_AT = "PHASEGATE_DB_SECRET_ROTATED_AT"
# While a function is being updated (a `pulumi up`, another recycle), Lambda refuses a second update
# (ResourceConflictException), and a RevisionId that no longer matches is refused too (PreconditionFailedException);
# Step Functions names SDK errors `<Service>.<Exception>`
# (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html).
CONFLICTS = ["Lambda.ResourceConflictException", "Lambda.PreconditionFailedException"]
TRANSIENT = [{"ErrorEquals": ["Lambda.TooManyRequestsException", "Lambda.ServiceException"], "IntervalSeconds": 5,
              "MaxAttempts": 3, "BackoffRate": 2}]


def recycle_definition(functions: list[str], secret_arn: str) -> str:
    """A workflow that, for a rotation of the database's secret, sets ROTATED_AT on each function.

    UpdateFunctionConfiguration's `Environment` is the function's whole environment, not a patch
    (https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionConfiguration.html), so each branch reads the
    current variables and revision, merges the one variable in (States.JsonMerge, shallow;
    https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html) and writes them back only if
    nothing changed in between (RevisionId); on a conflict it waits and reads again, within the workflow's timeout."""
    def branch(index: int, function: str) -> dict:
        read, write, wait = f"Read{index}", f"Write{index}", f"Wait{index}"
        return {"StartAt": read, "States": {
            read: {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:lambda:getFunctionConfiguration",
                   "Parameters": {"FunctionName": function},
                   "ResultSelector": {"Variables.$": "$.Environment.Variables", "RevisionId.$": "$.RevisionId"},
                   "ResultPath": "$.current", "Retry": TRANSIENT, "Next": write},
            write: {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:lambda:updateFunctionConfiguration",
                    "Parameters": {"FunctionName": function, "RevisionId.$": "$.current.RevisionId", "Environment": {
                        "Variables.$": "States.JsonMerge($.current.Variables, $.stamp, false)"}},
                    "Retry": TRANSIENT, "Catch": [{"ErrorEquals": CONFLICTS, "ResultPath": "$.conflict", "Next": wait}],
                    "ResultPath": None, "End": True},
            wait: {"Type": "Wait", "Seconds": 15, "Next": read}}}

    return json.dumps({
        "Comment": "Recycle the functions' execution environments so they read the rotated database password",
        "TimeoutSeconds": 900, "StartAt": "ThisDatabase", "States": {
            "ThisDatabase": {"Type": "Choice", "Default": "OtherSecret", "Choices": [{
                "Variable": "$.detail.additionalEventData.SecretId", "StringEquals": secret_arn, "Next": "Stamp"}]},
            "OtherSecret": {"Type": "Succeed"},
            "Stamp": {"Type": "Pass", "Parameters": {f"{ROTATED_AT}.$": "$$.Execution.StartTime"},
                      "ResultPath": "$.stamp", "Next": "Recycle"},
            "Recycle": {"Type": "Parallel", "End": True,
                        "Branches": [branch(index, fn) for index, fn in enumerate(functions)]}}})
