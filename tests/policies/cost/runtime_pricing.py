"""What the Fargate, Lambda and workflow price tests share: usage with the base keys, the lines of an estimate by
resource, and a task definition with the service that runs it."""

from __future__ import annotations

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from cost_helpers import node
from phasegate_policies.cost import parse_usage
from container_definitions import containers

USAGE_BASE = {"gbServedPerMonth": 0, "requestsPerMonth": 0, "assetsStorageGb": 0, "logsGbPerMonth": 0}


def named_lines(result):
    return [(line.name, line.item, round(line.monthly_usd, 4)) for line in result.lines]


def usage(**values):
    return parse_usage({**USAGE_BASE, **values})[0]


def task_and_service(*, cpu="1024", memory="2048", arch="X86_64", region="us-east-1", **service):
    task = node("aws:ecs/taskDefinition:TaskDefinition", "task", {
        "cpu": cpu, "memory": memory, "runtimePlatform": {"cpuArchitecture": arch, "operatingSystemFamily": "LINUX"},
        "containerDefinitions": containers()}, region=region)
    svc = node("aws:ecs/service:Service", "svc", {"taskDefinition": UNKNOWN_STRING_VALUE, **service},
               deps={"taskDefinition": [task.urn]}, region=region)
    return [task, svc]
