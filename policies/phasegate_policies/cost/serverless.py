"""The Fargate and Lambda runtimes: ECS services on Fargate, target-tracking alarms, Lambda functions, HTTP APIs, RDS
Proxy and ECR storage.

- An **ECS service** on Fargate is priced from the task definition its `taskDefinition` names (linked by property
  dependency at a first preview, by ARN or family once known): vCPU-hours and GB-hours per task (task-level `cpu` in
  CPU units and `memory` in MiB, X86_64 or ARM64), times the desired count (or an autoscaling target's larger minimum),
  split by the capacity provider strategy (base tasks first, then by weight). FARGATE_SPOT tasks are charged at the
  on-demand price, an upper bound: Spot prices move and no current rate is in the catalog. A public IP per task is
  charged. The first 20 GB of ephemeral storage is free; more is unpriced.
- A **task definition** costs nothing by itself, but an image from ECR is stored there at a price: without
  `phasegate:usage.ecrStorageGb` declared (0 is a statement too), it cannot be priced.
- A **target-tracking policy** makes Application Auto Scaling create two CloudWatch alarms (a high one to scale out, a
  low one to scale in), billed as standard alarms; they count against the always-free 10 alarm metrics.
- A **Lambda function** is charged every request of `phasegate:usage.requestsPerMonth` (each function is assumed to
  serve all of them, an upper bound when several share the traffic) and GB-seconds of `lambdaAvgDurationMs` (which must
  be declared) at its memory size and architecture, capped by its reserved concurrency running all month. The
  always-free 1 M requests and 400,000 GB-seconds are one allowance line for the stack.
- An **HTTP API** is charged every declared request at the first-300-million tier (an upper bound beyond it).
- An **RDS Proxy** is charged per vCPU-hour of the DB instances its targets name (at least 2 vCPUs), a Multi-AZ
  instance's standby counted too (an upper bound).
- An **ECR repository** holds `ecrStorageGb`, priced once for the stack.
- An **ECS cluster** with Container Insights on is billed custom metrics and performance log events per cluster,
  service and task; phasegate has no sourced count of them, so it is unpriced (fail closed) unless turned off.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..engine import UNKNOWN, as_bool, as_number, dig
from .base import Context, Line, Resource, UnknownInput, need, number, one_link, referrers
from .catalog import Unpriceable

CLUSTER = "aws:ecs/cluster:Cluster"
CAPACITY_PROVIDERS = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
TASK_DEFINITIONS = ("aws:ecs/taskDefinition:TaskDefinition",)
SERVICE = "aws:ecs/service:Service"
SCALING_TARGETS = ("aws:appautoscaling/target:Target",)
FUNCTION = "aws:lambda/function:Function"
REPOSITORY = "aws:ecr/repository:Repository"
PROXY = "aws:rds/proxy:Proxy"
PROXY_TARGETS = ("aws:rds/proxyTarget:ProxyTarget",)
DB_INSTANCES = ("aws:rds/instance:Instance",)
FARGATE, FARGATE_SPOT = "FARGATE", "FARGATE_SPOT"
# "You get 20 GB of ephemeral storage included for all Tasks and Pods" (vantage.sh/blog/fargate-pricing; AWS Fargate
# pricing page), read 2026-12.
FARGATE_FREE_EPHEMERAL_GB = 20
# Lambda's ephemeral /tmp is free up to 512 MB (the default); more is billed per GB-second (not in the catalog).
LAMBDA_FREE_EPHEMERAL_MB = 512
LAMBDA_DEFAULT_MEMORY_MB = 128
# Application Auto Scaling creates and manages the alarms of a target-tracking policy (docs.aws.amazon.com/autoscaling/
# application/userguide/application-auto-scaling-target-tracking.html): two of them, TargetTracking-...-AlarmHigh to
# scale out and -AlarmLow to scale in (as the public runbooks that list them show), read 2026-12.
TARGET_TRACKING_ALARMS = 2
ECR_IMAGE = re.compile(r"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/")


# --- ECR images -----------------------------------------------------------------------------------------------------

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


def ecr_usage(images: Any, ctx: Context, what: str) -> bool:
    """True when an image is in ECR, or may be (unknown); UnknownInput then if ecrStorageGb is not declared."""
    candidates = [UNKNOWN] if images is UNKNOWN else list(images)
    in_ecr = [i for i in candidates if isinstance(i, str) and ECR_IMAGE.match(i)]
    unknown = [i for i in candidates if i is UNKNOWN]
    if not in_ecr and not unknown:
        return False
    if ctx.usage.is_declared("ecrStorageGb"):
        return bool(in_ecr)
    if in_ecr:
        raise UnknownInput(f"image {in_ecr[0]} is stored in ECR, billed per GB-month, and "
                           f"phasegate:usage.ecrStorageGb is not declared: declare the GB the stack's images take")
    raise UnknownInput(f"{what} is unknown at preview, so whether its images are stored in ECR (billed per GB-month) "
                       f"cannot be told: declare phasegate:usage.ecrStorageGb (0 if no image is in ECR)")


def uses_ecr(r: Any) -> bool:
    """Whether a priced task definition or function names an ECR image (for where the storage line goes)."""
    try:
        images = container_images(r.props) if r.type in TASK_DEFINITIONS else [dig(r.props, "imageUri")]
    except Unpriceable:
        return False
    return images is not UNKNOWN and any(isinstance(i, str) and ECR_IMAGE.match(i) for i in images)


def _task_definition(r: Resource, ctx: Context) -> list[Line]:
    """Free by itself (its tasks are priced on the service that runs them); its ECR images need declared storage."""
    ecr_usage(container_images(r.props), ctx, "containerDefinitions")
    return []


def _repository(r: Resource, ctx: Context) -> list[Line]:
    if not ctx.usage.is_declared("ecrStorageGb"):
        raise UnknownInput("images are billed per GB-month and phasegate:usage.ecrStorageGb is not declared: declare "
                           "the GB the stack's images take")
    return []  # the storage is one usage line for the stack (estimator)


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


# --- Lambda and API Gateway -----------------------------------------------------------------------------------------

def lambda_usage(r: Any, ctx: Context) -> tuple[float, float, str, str]:
    """(requests, GB-seconds, GB-second price key, why) a function bills a month, from declared usage."""
    props = r.props
    if need(dig(props, "capacityProviderConfig"), "capacityProviderConfig") is not None:
        raise Unpriceable("runs on Lambda Managed Instances (capacityProviderConfig), billed as EC2 instances plus a "
                          "management fee the catalog does not list")
    architectures = need(dig(props, "architectures", default=["x86_64"]), "architectures") or ["x86_64"]
    arch = need(architectures[0], "architectures[0]")
    if arch not in ("x86_64", "arm64"):
        raise Unpriceable(f"asks for architecture {arch!r}")
    memory_mb = number(dig(props, "memorySize"), "memorySize", LAMBDA_DEFAULT_MEMORY_MB)
    tmp_mb = number(dig(props, "ephemeralStorage", "size"), "ephemeralStorage.size", LAMBDA_FREE_EPHEMERAL_MB)
    if tmp_mb > LAMBDA_FREE_EPHEMERAL_MB:
        raise Unpriceable(f"asks for {tmp_mb:g} MB of ephemeral storage; beyond the free {LAMBDA_FREE_EPHEMERAL_MB} MB "
                          f"it is billed at a rate the catalog does not list")
    if not ctx.usage.is_declared("lambdaAvgDurationMs"):
        raise UnknownInput("duration is priced from phasegate:usage.lambdaAvgDurationMs, which is not declared: declare "
                           "the average duration per request in ms")
    requests = ctx.usage.requestsPerMonth
    gb_seconds = requests * ctx.usage.lambdaAvgDurationMs / 1000 * memory_mb / 1024
    why = "all of phasegate:usage.requestsPerMonth x lambdaAvgDurationMs"
    reserved = as_number(need(dig(props, "reservedConcurrentExecutions"), "reservedConcurrentExecutions"))
    if reserved is not None and reserved >= 0:
        cap = reserved * ctx.hours * 3600 * memory_mb / 1024
        if cap < gb_seconds:
            gb_seconds, why = cap, f"capped by its reserved concurrency of {reserved:g} running all month"
    return requests, gb_seconds, ("lambdaArmGbSecond" if arch == "arm64" else "lambdaGbSecond"), why


def _function(r: Resource, ctx: Context) -> list[Line]:
    if need(dig(r.props, "packageType", default="Zip"), "packageType") == "Image":
        ecr_usage([dig(r.props, "imageUri")], ctx, "imageUri")
    requests, gb_seconds, key, why = lambda_usage(r, ctx)
    memory = number(dig(r.props, "memorySize"), "memorySize", LAMBDA_DEFAULT_MEMORY_MB)
    arch = "arm64" if key == "lambdaArmGbSecond" else "x86_64"
    return [Line(f"{requests:g} requests (all of phasegate:usage.requestsPerMonth, an upper bound if functions share "
                 f"them)", requests / 1e6 * ctx.catalog.price("lambdaMillionRequests", r.region)),
            Line(f"{gb_seconds:g} GB-seconds at {memory:g} MB, {arch} ({why})",
                 gb_seconds * ctx.catalog.price(key, r.region))]


HTTP_API_FIRST_TIER = 300e6


def _http_api(r: Resource, ctx: Context) -> list[Line]:
    protocol = need(dig(r.props, "protocolType"), "protocolType")
    if protocol != "HTTP":
        raise Unpriceable(f"is a {protocol} API: phasegate prices HTTP APIs only")
    requests = ctx.usage.requestsPerMonth
    beyond = " (all at the first-300-million price, an upper bound)" if requests > HTTP_API_FIRST_TIER else ""
    return [Line(f"{requests / 1e6:g} M HTTP API requests (phasegate:usage.requestsPerMonth){beyond}",
                 requests / 1e6 * ctx.catalog.price("apiGatewayHttpMillionRequests", r.region))]


# --- RDS Proxy ------------------------------------------------------------------------------------------------------

RDS_PROXY_MINIMUM_VCPUS = 2


def _rds_proxy(r: Resource, ctx: Context) -> list[Line]:
    targets = referrers(ctx, r, PROXY_TARGETS, "dbProxyName", what="proxy target", same_name=True,
                        unlinked="not linked to a proxy, so it may be this one's")
    if not targets:
        raise Unpriceable("no proxy target of this stack names it, so the DB instances whose vCPUs it is billed by "
                          "cannot be told")
    lines = []
    for target in targets:
        if dig(target.props, "dbClusterIdentifier") is not None:
            raise Unpriceable(f"proxy target {target.name} fronts an Aurora cluster, whose instances' vCPUs phasegate "
                              f"does not add up")
        db = one_link(ctx, target, "dbInstanceIdentifier", [dig(target.props, "dbInstanceIdentifier")], DB_INSTANCES,
                      f"proxy target {target.name} dbInstanceIdentifier")
        size = need(dig(db.props, "instanceClass"), f"database {db.name} instanceClass")
        spec = ctx.catalog.spec("rdsInstance", size) if isinstance(size, str) else None
        if spec is None:
            raise Unpriceable(f"the vCPUs of {db.name}'s class {size} are not in the catalog")
        multi_az = need(as_bool(dig(db.props, "multiAz")), f"database {db.name} multiAz") is True
        vcpus = max(spec.vcpu, RDS_PROXY_MINIMUM_VCPUS) * (2 if multi_az else 1)
        note = (f"{spec.vcpu} vCPUs of {size}" + (f", billed at least {RDS_PROXY_MINIMUM_VCPUS}"
                                                   if spec.vcpu < RDS_PROXY_MINIMUM_VCPUS else "")
                + (", its Multi-AZ standby counted too (an upper bound)" if multi_az else ""))
        lines.append(Line(f"{vcpus:g} vCPUs x 730 h for {db.name} ({note})",
                          vcpus * ctx.monthly("rdsProxyVcpuHour", r.region)))
    return lines


# --- EventBridge and Step Functions ----------------------------------------------------------------------------------

STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"


def _event_rule(r: Resource, ctx: Context) -> list[Line]:
    """A rule on the default bus that matches events AWS services publish costs nothing: "AWS-service events (default
    bus): includes rule evaluation and target invocation: Free" (factualminds.com/blog/amazon-eventbridge-pricing-events-
    pipes-schema-archive, us-east-1, 2026-06-13; wring.co/blog/aws-eventbridge-pricing-guide: "AWS Service Events:
    Free"). Custom, partner and cross-account events are billed per million, which phasegate has no usage key for."""
    bus = need(dig(r.props, "eventBusName", default="default"), "eventBusName")
    if need(dig(r.props, "scheduleExpression"), "scheduleExpression") is not None:
        raise Unpriceable("is a scheduled rule, whose price phasegate has no sourced rate for")
    pattern = need(dig(r.props, "eventPattern"), "eventPattern")
    try:
        sources = json.loads(pattern).get("source") if isinstance(pattern, str) else None
    except (ValueError, AttributeError):
        sources = None
    if bus in ("default", None) and isinstance(sources, list) and sources and all(
            isinstance(s, str) and s.startswith("aws.") for s in sources):
        return []
    raise Unpriceable("matches events other than AWS services' on the default bus (custom, partner or cross-account "
                      "events are billed per million, and phasegate has no usage key for them)")


def _state_machine(r: Resource, ctx: Context) -> list[Line]:
    """Standard workflows bill state transitions: phasegate:usage.stateTransitionsPerMonth, shared evenly between the
    stack's state machines; the always-free 4,000 a month are one allowance line (estimator)."""
    kind = need(dig(r.props, "type", default="STANDARD"), "type")
    if kind != "STANDARD":
        raise Unpriceable(f"is an {kind} workflow, billed by requests and duration the catalog does not list")
    if not ctx.usage.is_declared("stateTransitionsPerMonth"):
        raise UnknownInput("state transitions are priced from phasegate:usage.stateTransitionsPerMonth, which is not "
                           "declared: declare how many a month its executions make")
    machines = max(1, len(ctx.graph.of_type(STATE_MACHINE)))
    transitions = ctx.usage.stateTransitionsPerMonth / machines
    share = f" / {machines} state machines" if machines > 1 else ""
    return [Line(f"{transitions:g} state transitions (phasegate:usage.stateTransitionsPerMonth{share})",
                 transitions / 1000 * ctx.catalog.price("stepFunctionsThousandTransitions", r.region))]


PRICERS = {
    "aws:cloudwatch/eventRule:EventRule": _event_rule,
    STATE_MACHINE: _state_machine,
    CLUSTER: _cluster,
    TASK_DEFINITIONS[0]: _task_definition,
    SERVICE: _fargate_service,
    "aws:appautoscaling/policy:Policy": _scaling_policy,
    FUNCTION: _function,
    "aws:apigatewayv2/api:Api": _http_api,
    PROXY: _rds_proxy,
    REPOSITORY: _repository,
}
