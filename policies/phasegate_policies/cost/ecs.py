"""ECS services on Fargate, their task definitions and clusters, and the target-tracking policies that scale them.

- An **ECS service** on Fargate is priced from the task definition its `taskDefinition` names (linked by property
  dependency at a first preview, by ARN or family once known): vCPU-hours and GB-hours per task (task-level `cpu` in
  CPU units and `memory` in MiB, X86_64 or ARM64), times the desired count (or an autoscaling target's larger minimum),
  split by the capacity provider strategy (base tasks first, then by weight). FARGATE_SPOT tasks are charged at the
  on-demand price, an upper bound: Spot prices move and no current rate is in the catalog. A public IP per task is
  charged. The first 20 GB of ephemeral storage is free; more is unpriced.
- A **task definition** costs nothing by itself, but an image from ECR is stored there at a price (`ecr`).
- A **target-tracking policy** makes Application Auto Scaling create two CloudWatch alarms (a high one to scale out, a
  low one to scale in), billed as standard alarms; they count against the always-free 10 alarm metrics.
- An **ECS cluster** with Container Insights on is billed custom metrics and performance log events per cluster,
  service and task; phasegate has no sourced count of them, so it is unpriced (fail closed) unless turned off.
"""

from __future__ import annotations

import json
from typing import Any

from ..engine import UNKNOWN, as_bool, dig
from .base import Context, Line, Resource, need, number, one_link
from .catalog import Unpriceable
from .ecr import ecr_usage

CLUSTER = "aws:ecs/cluster:Cluster"
CAPACITY_PROVIDERS = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
TASK_DEFINITIONS = ("aws:ecs/taskDefinition:TaskDefinition",)
SERVICE = "aws:ecs/service:Service"
SCALING_TARGETS = ("aws:appautoscaling/target:Target",)
FARGATE, FARGATE_SPOT = "FARGATE", "FARGATE_SPOT"
# "You get 20 GB of ephemeral storage included for all Tasks and Pods" (vantage.sh/blog/fargate-pricing; AWS Fargate
# pricing page), read 2026-12.
FARGATE_FREE_EPHEMERAL_GB = 20
# Application Auto Scaling creates and manages the alarms of a target-tracking policy (docs.aws.amazon.com/autoscaling/
# application/userguide/application-auto-scaling-target-tracking.html): two of them, TargetTracking-...-AlarmHigh to
# scale out and -AlarmLow to scale in (as the public runbooks that list them show), read 2026-12.
TARGET_TRACKING_ALARMS = 2


# --- task definitions -----------------------------------------------------------------------------------------------

def container_images(props: Any) -> Any:
    """The images of a task definition's containers: a list (items may be UNKNOWN), or UNKNOWN when the whole
    containerDefinitions string is unknown at preview; Unpriceable when it is not valid JSON."""
    definitions = parse_container_definitions(dig(props, "containerDefinitions"))
    if definitions is UNKNOWN:
        return UNKNOWN
    return [UNKNOWN if d is UNKNOWN else dig(d, "image") for d in definitions]


def parse_container_definitions(raw: Any) -> Any:
    """containerDefinitions (a JSON string, or already a list) as a list of dicts; UNKNOWN when unknown at preview."""
    if raw is UNKNOWN:
        return UNKNOWN
    if raw is None:
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise Unpriceable(f"containerDefinitions is not valid JSON ({exc})") from None
    if not isinstance(raw, list):
        raise Unpriceable("containerDefinitions is not a list of container definitions")
    return raw


def _task_definition(r: Resource, ctx: Context) -> list[Line]:
    """Free by itself (its tasks are priced on the service that runs them); its ECR images need declared storage."""
    ecr_usage(container_images(r.props), ctx, "containerDefinitions")
    return []


# --- ECS on Fargate -------------------------------------------------------------------------------------------------

def _cluster(r: Resource, ctx: Context) -> list[Line]:
    insights = None
    for index, setting in enumerate(need(dig(r.props, "settings", default=[]), "settings")):
        setting = need(setting, f"settings[{index}]")
        if need(dig(setting, "name"), f"settings[{index}].name") == "containerInsights":
            insights = need(dig(setting, "value"), "settings containerInsights value")
    if insights is None:
        raise Unpriceable("does not set containerInsights, so the account's default applies and may turn on Container "
                          "Insights (billed as custom metrics and log events): set settings containerInsights to "
                          "'disabled' or 'enabled'")
    if insights == "disabled":
        return []
    raise Unpriceable(f"has Container Insights {insights!r}: its custom metrics and performance log events are billed "
                      f"per cluster, service and task, and phasegate has no sourced count of them; set containerInsights "
                      f"to 'disabled', or have the platform owner accept {CLUSTER} in cost-ceiling allowUnpriced")


def _strategy(r: Resource, ctx: Context) -> tuple[list[Any], str]:
    """The capacity provider strategy the service runs by: its own, its launch type, or its cluster's default."""
    strategies = need(dig(r.props, "capacityProviderStrategies", default=[]), "capacityProviderStrategies")
    if strategies:
        return [need(s, "capacityProviderStrategies[]") for s in strategies], "its capacity provider strategy"
    launch = need(dig(r.props, "launchType"), "launchType")
    if launch == FARGATE:
        return [{"capacityProvider": FARGATE, "weight": 1}], "launch type FARGATE"
    if launch is not None:
        raise Unpriceable(f"runs on the {launch} launch type: phasegate prices ECS services on Fargate only")
    cluster = dig(r.props, "cluster")
    clusters = ctx.graph.linked(r, "cluster", [cluster], (CLUSTER,)).nodes
    for node in ctx.graph.of_type(CAPACITY_PROVIDERS):
        names = ctx.graph.linked(node, "clusterName", [dig(node.props, "clusterName")], (CLUSTER,)).nodes
        if clusters and names and {n.urn for n in names} & {n.urn for n in clusters}:
            default = need(dig(node.props, "defaultCapacityProviderStrategies", default=[]),
                           f"{node.name} defaultCapacityProviderStrategies")
            if default:
                return [need(s, "defaultCapacityProviderStrategies[]") for s in default], \
                    f"cluster default strategy ({node.name})"
    raise Unpriceable("sets neither a launch type nor a capacity provider strategy, and its cluster's default strategy "
                      "is not in this stack: ECS would use the EC2 launch type")


def split_tasks(tasks: float, strategy: list[Any]) -> dict[str, float]:
    """Tasks per capacity provider: each provider's base first, the rest in proportion to the weights."""
    placed: dict[str, float] = {}
    for index, item in enumerate(strategy):
        provider = need(dig(item, "capacityProvider"), f"capacityProviderStrategies[{index}].capacityProvider")
        if provider not in (FARGATE, FARGATE_SPOT):
            raise Unpriceable(f"uses capacity provider {provider}: phasegate prices FARGATE and FARGATE_SPOT only")
        placed.setdefault(provider, 0.0)
    remaining = tasks
    for index, item in enumerate(strategy):
        base = number(dig(item, "base"), f"capacityProviderStrategies[{index}].base", 0)
        take = min(base, remaining)
        placed[dig(item, "capacityProvider")] += take
        remaining -= take
    weights = [(dig(item, "capacityProvider"), number(dig(item, "weight"), f"capacityProviderStrategies[{i}].weight",
                                                      0)) for i, item in enumerate(strategy)]
    total = sum(w for _, w in weights)
    if remaining > 0:
        if total <= 0:
            raise Unpriceable("its capacity provider strategy gives every provider weight 0, so where tasks beyond the "
                              "base run cannot be told")
        for provider, weight in weights:
            placed[provider] += remaining * weight / total
    return {p: round(n, 6) for p, n in placed.items() if n > 0}


def _desired(r: Resource, ctx: Context) -> tuple[float, str]:
    if need(dig(r.props, "schedulingStrategy", default="REPLICA"), "schedulingStrategy") == "DAEMON":
        raise Unpriceable("uses the DAEMON scheduling strategy, which Fargate does not run")
    desired = number(dig(r.props, "desiredCount"), "desiredCount", 0)  # pulumi-aws: "Defaults to 0"
    note = "desired count"
    for target in ctx.graph.of_type(*SCALING_TARGETS):
        if r.urn in (target.dependencies or {}).get("resourceId", ()):
            minimum = number(dig(target.props, "minCapacity"), f"autoscaling target {target.name} minCapacity", 0)
            if minimum > desired:
                desired, note = minimum, f"autoscaling target {target.name}'s minimum capacity"
    return desired, note


def _fargate_service(r: Resource, ctx: Context) -> list[Line]:
    tasks, count_note = _desired(r, ctx)
    strategy, strategy_note = _strategy(r, ctx)
    reference = dig(r.props, "taskDefinition")
    task = one_link(ctx, r, "taskDefinition", [reference], TASK_DEFINITIONS, "taskDefinition")
    source = f"task definition {task.name}"
    vcpu = number(dig(task.props, "cpu"), f"{source} cpu") / 1024
    gb = number(dig(task.props, "memory"), f"{source} memory") / 1024
    platform = need(dig(task.props, "runtimePlatform", default={}), f"{source} runtimePlatform")
    arch = need(dig(platform, "cpuArchitecture", default="X86_64"), f"{source} runtimePlatform.cpuArchitecture")
    family = need(dig(platform, "operatingSystemFamily", default="LINUX"),
                  f"{source} runtimePlatform.operatingSystemFamily")
    if family != "LINUX":
        raise Unpriceable(f"{source} runs {family}: phasegate prices Linux Fargate tasks only")
    if arch not in ("X86_64", "ARM64"):
        raise Unpriceable(f"{source} asks for cpuArchitecture {arch!r}")
    storage = number(dig(task.props, "ephemeralStorage", "sizeInGib"), f"{source} ephemeralStorage.sizeInGib",
                     FARGATE_FREE_EPHEMERAL_GB)
    if storage > FARGATE_FREE_EPHEMERAL_GB:
        raise Unpriceable(f"{source} asks for {storage:g} GB of ephemeral storage; beyond the free "
                          f"{FARGATE_FREE_EPHEMERAL_GB} GB it is billed at a rate the catalog does not list")
    keys = ("fargateArmVcpuHour", "fargateArmGbHour") if arch == "ARM64" else ("fargateVcpuHour", "fargateGbHour")
    vcpu_price, gb_price = ctx.catalog.price(keys[0], r.region), ctx.catalog.price(keys[1], r.region)
    lines = []
    for provider, count in split_tasks(tasks, strategy).items():
        spot = (" (FARGATE_SPOT charged at the on-demand price, an upper bound: Spot prices vary)"
                if provider == FARGATE_SPOT else "")
        where = f"{count:g} x {provider} task ({count_note}, {strategy_note}; {source}, {arch}){spot}"
        lines.append(Line(f"{where}: {vcpu:g} vCPU, 730 h x ${vcpu_price:g}", count * vcpu * ctx.hours * vcpu_price))
        lines.append(Line(f"{where}: {gb:g} GB memory, 730 h x ${gb_price:g}", count * gb * ctx.hours * gb_price))
    network = need(dig(r.props, "networkConfiguration", default={}), "networkConfiguration")
    public = as_bool(dig(network, "assignPublicIp"))
    if tasks and public is True:
        lines.append(Line(f"{tasks:g} public IPv4 addresses (assignPublicIp, one per task)",
                          ctx.monthly("publicIpv4", r.region, tasks)))
    elif tasks and public is UNKNOWN:
        lines.append(Line(f"{tasks:g} public IPv4 addresses (whether tasks get one is unknown at preview: charged)",
                          ctx.monthly("publicIpv4", r.region, tasks)))
    return lines


def _scaling_policy(r: Resource, ctx: Context) -> list[Line]:
    kind = need(dig(r.props, "policyType", default="StepScaling"), "policyType")
    if kind == "StepScaling":
        return []  # it is triggered by alarms the program declares, priced as such
    if kind != "TargetTrackingScaling":
        raise Unpriceable(f"is a {kind} policy, whose alarms and metrics phasegate does not price")
    config = need(dig(r.props, "targetTrackingScalingPolicyConfiguration", default={}),
                  "targetTrackingScalingPolicyConfiguration")
    customized = need(dig(config, "customizedMetricSpecification"), "customizedMetricSpecification")
    metrics = need(dig(customized, "metrics", default=[]), "customizedMetricSpecification.metrics") if customized else []
    per_alarm = sum(1 for m in metrics if m is UNKNOWN or dig(m, "metricStat") is not None) or 1
    alarms = TARGET_TRACKING_ALARMS
    label = (f"{alarms} target-tracking alarms (high and low, created by Application Auto Scaling)"
             + (f" over {per_alarm} metrics each" if per_alarm > 1 else ""))
    return [Line(label, alarms * per_alarm * ctx.catalog.price("cloudwatchAlarm", r.region))]


PRICERS = {
    CLUSTER: _cluster,
    TASK_DEFINITIONS[0]: _task_definition,
    SERVICE: _fargate_service,
    "aws:appautoscaling/policy:Policy": _scaling_policy,
}
# How `ecr` reads the images of the resources this module prices.
ECR_IMAGES = {TASK_DEFINITIONS[0]: container_images}
