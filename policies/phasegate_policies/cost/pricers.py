"""One pricer per resource type: the fixed monthly charges a resource's declared properties imply.

A pricer reads plain props (unknowns are `UNKNOWN`) and returns (item, USD/month) lines. It raises
`Unpriceable` when the catalog has no price for what is asked, and `UnknownInput` when a price-relevant value
is unknown at preview; both fail the cost ceiling closed. Where an unknown has a known upper bound (a public
IPv4 address that may or may not be assigned) the bound is charged instead, and the line says so.

Pricers of a domain of their own live in its module (`compute`, `kubernetes`, `database`, `backup`, `ecs`,
`functions`, `workflows`, `ecr`, `apis`, `network`); all are registered in `PRICERS` below. What a module prices once
for the stack from declared usage (ECR storage, an always-free allowance) is registered in `STACK_HOOKS`, so the
estimator runs them without knowing any runtime.
"""

from __future__ import annotations

import datetime
from functools import partial
from typing import Any, Callable

from ..contract import EKS_STANDARD_SUPPORT_ENDS
from ..engine import UNKNOWN, as_bool, dig, items
from . import apis, backup, compute, database, ecr, ecs, functions, kubernetes, network, workflows
from .base import Context, Line, Resource, StackHook, UnknownInput, maps_public_ip, need, number
from .base import sized_line as _sized_line
from .base import volume_key as _volume_key
from .catalog import Unpriceable

__all__ = ["Context", "Line", "PRICERS", "Resource", "STACK_HOOKS", "UnknownInput", "need", "number"]


def _ec2_instance(r: Resource, ctx: Context) -> list[Line]:
    size = need(dig(r.props, "instanceType"), "instanceType")
    price = ctx.sized("ec2Instance", r.region, size, "instanceType")
    lines = [_sized_line(f"{size} instance, 730 h x ${price.usd:g}", price, ctx)]
    root = need(dig(r.props, "rootBlockDevice", default={}), "rootBlockDevice")
    gb = number(dig(root, "volumeSize"), "rootBlockDevice.volumeSize", 8)  # AL2023's default root volume
    volume_type = dig(root, "volumeType") or "gp3"
    lines.append(Line(f"{gb:g} GB {volume_type} root volume",
                      gb * ctx.catalog.price(_volume_key(volume_type, "rootBlockDevice.volumeType"), r.region)))
    for index, device in enumerate(items(r.props, "ebsBlockDevices")):
        device = need(device, f"ebsBlockDevices[{index}]")
        size_gb = number(dig(device, "volumeSize"), f"ebsBlockDevices[{index}].volumeSize")
        key = _volume_key(dig(device, "volumeType", default="gp2"), f"ebsBlockDevices[{index}].volumeType")
        lines.append(Line(f"{size_gb:g} GB EBS volume", size_gb * ctx.catalog.price(key, r.region)))
    return lines + _instance_public_ip(r, ctx)


ELASTIC_IPS = (("aws:ec2/eip:Eip", "instance"), ("aws:ec2/eipAssociation:EipAssociation", "instanceId"))


def _instance_public_ip(r: Resource, ctx: Context) -> list[Line]:
    """`associatePublicIpAddress` decides when set; otherwise the subnet does. With no `subnetId` the instance lands in
    the default VPC, whose default subnets map public IPv4 addresses (docs.aws.amazon.com/vpc/latest/userguide/
    default-vpc.html: "Instances that you launch into a default subnet receive both a public IPv4 address and a private
    IPv4 address"). An Elastic IP of the stack associated with it replaces that address, and is priced on the EIP."""
    public_ip = as_bool(dig(r.props, "associatePublicIpAddress"))
    why = " (whether one is assigned is unknown at preview: charged)"
    if public_ip is None:
        if any(r.urn in {n.urn for n in ctx.graph.linked(eip, prop, [dig(eip.props, prop)], (r.type,)).nodes}
               for typ, prop in ELASTIC_IPS for eip in ctx.graph.of_type(typ)):
            return []
        if dig(r.props, "subnetId") is None:
            public_ip, why = True, " (no subnetId: the default VPC's subnets map public IPv4 addresses)"
        else:
            public_ip = maps_public_ip(ctx, r, "subnetId")
            why = (" (its subnet maps public IPv4 addresses)" if public_ip is True else " (whether its subnet maps "
                   "public IPv4 addresses is unknown at preview or outside the stack: charged)")
    elif public_ip is True:
        why = ""
    if public_ip is True or public_ip is UNKNOWN:
        return [Line(f"public IPv4 address{why}", ctx.monthly("publicIpv4", r.region))]
    return []


def _ebs_volume(r: Resource, ctx: Context) -> list[Line]:
    gb = number(dig(r.props, "size"), "size")
    key = _volume_key(dig(r.props, "type", default="gp2"), "type")
    return [Line(f"{gb:g} GB EBS volume", gb * ctx.catalog.price(key, r.region))]


def _eip(r: Resource, ctx: Context) -> list[Line]:
    return [Line("public IPv4 address (Elastic IP), 730 h x $0.005", ctx.monthly("publicIpv4", r.region))]


def _nat_gateway(r: Resource, ctx: Context) -> list[Line]:
    if dig(r.props, "connectivityType") == "private":
        return [Line("private NAT gateway, 730 h", ctx.monthly("natGatewayHour", r.region))]
    # Its public IPv4 is charged on the Elastic IP it is given (priced with that resource).
    return [Line("NAT gateway, 730 h", ctx.monthly("natGatewayHour", r.region))]


CACHE_KEYS = {"redis": "elasticacheRedisNode", "valkey": "elasticacheValkeyNode"}


def _cache_key(engine: Any) -> str:
    engine = need(engine, "engine")
    if engine not in CACHE_KEYS:
        raise Unpriceable(f"no price for {engine} cache nodes (the catalog holds Redis OSS and Valkey)")
    return CACHE_KEYS[engine]


def _cache_replication_group(r: Resource, ctx: Context) -> list[Line]:
    key = _cache_key(dig(r.props, "engine", default="redis"))
    size = dig(r.props, "nodeType")
    if dig(r.props, "numNodeGroups") is not None:
        shards = number(dig(r.props, "numNodeGroups"), "numNodeGroups")
        nodes = shards * (1 + number(dig(r.props, "replicasPerNodeGroup"), "replicasPerNodeGroup", 0))
    else:
        nodes = number(dig(r.props, "numCacheClusters"), "numCacheClusters", 1)
    price = ctx.sized(key, r.region, size, "nodeType")
    return [_sized_line(f"{nodes:g} x {size} {dig(r.props, 'engine', default='redis')} node", price, ctx, nodes)]


def _cache_cluster(r: Resource, ctx: Context) -> list[Line]:
    key = _cache_key(dig(r.props, "engine", default="redis"))
    size = dig(r.props, "nodeType")
    nodes = number(dig(r.props, "numCacheNodes"), "numCacheNodes", 1)
    return [_sized_line(f"{nodes:g} x {size} node", ctx.sized(key, r.region, size, "nodeType"), ctx, nodes)]


# ElastiCache Serverless meters at least this much data per cache: Valkey 100 MB ("minimum data storage of 100 MB,
# 90% lower than ElastiCache Redis OSS", Amazon ElastiCache FAQ, amazonaws.cn/en/elasticache/faqs, read 2026-12),
# Redis OSS 1 GB ("ElastiCache Serverless always meters for a minimum of 1 GB storage on every cache", AWS Database
# Blog "Unlock on-demand, cost-optimized performance with Amazon ElastiCache Serverless", 2023, read 2026-12).
SERVERLESS_MINIMUM_GB = {"valkey": 0.1, "redis": 1.0}
SERVERLESS_KEYS = {"valkey": "elasticacheServerlessValkey", "redis": "elasticacheServerlessRedis"}
SERVERLESS_CACHE = "aws:elasticache/serverlessCache:ServerlessCache"


def _serverless_cache(r: Resource, ctx: Context) -> list[Line]:
    """Data stored (GB-hours, at least the engine's minimum and any configured minimum) and ECPUs, from usage.

    The declared cache usage is shared evenly between the stack's serverless caches. One request of up to 1 KB is
    one ECPU. A configured minimum is billed even when unused (charged as the floor, an upper bound); a configured
    maximum caps the data stored.
    """
    engine = need(dig(r.props, "engine"), "engine")
    if engine not in SERVERLESS_KEYS:
        raise Unpriceable(f"no price for {engine} serverless caches (the catalog holds Redis OSS and Valkey)")
    caches = max(1, len(ctx.graph.of_type(SERVERLESS_CACHE)))
    limits = need(dig(r.props, "cacheUsageLimits", default={}), "cacheUsageLimits")
    storage = need(dig(limits, "dataStorage", default={}), "cacheUsageLimits.dataStorage")
    unit = need(dig(storage, "unit", default="GB"), "cacheUsageLimits.dataStorage.unit")
    if unit != "GB":
        raise Unpriceable(f"cacheUsageLimits.dataStorage.unit {unit!r} is not GB")
    floor_gb = max(SERVERLESS_MINIMUM_GB[engine],
                   number(dig(storage, "minimum"), "cacheUsageLimits.dataStorage.minimum", 0))
    declared_gb = ctx.usage.cacheDataGb / caches
    gb = max(declared_gb, floor_gb)
    maximum = dig(storage, "maximum")
    if maximum is not None:
        gb = max(min(gb, number(maximum, "cacheUsageLimits.dataStorage.maximum")), floor_gb)
    why = ("phasegate:usage.cacheDataGb" + (f" / {caches} caches" if caches > 1 else "")) if gb == declared_gb \
        else f"the {engine} minimum billed" if gb == SERVERLESS_MINIMUM_GB[engine] else "the configured limits"
    key = SERVERLESS_KEYS[engine]
    ecpu_limit = need((items(limits, "ecpuPerSeconds") or [{}])[0], "cacheUsageLimits.ecpuPerSeconds[0]")
    ecpu_floor = number(dig(ecpu_limit, "minimum"), "cacheUsageLimits.ecpuPerSeconds[0].minimum", 0)
    requests = ctx.usage.cacheRequestsPerMonth / caches
    ecpus = max(requests, ecpu_floor * 3600 * ctx.hours)
    ecpu_why = (f"the configured minimum of {ecpu_floor:g} ECPU/s, billed even when unused (an upper bound)"
                if ecpus > requests else "one per declared request of up to 1 KB, phasegate:usage.cacheRequestsPerMonth"
                + (f" / {caches} caches" if caches > 1 else ""))
    return [Line(f"{gb:g} GB {engine} data stored, 730 h ({why})", gb * ctx.hours * ctx.catalog.price(f"{key}GbHour",
                                                                                                      r.region)),
            Line(f"{ecpus:g} ECPUs ({ecpu_why})", ecpus / 1e6 * ctx.catalog.price(f"{key}MillionEcpu", r.region))]


def _load_balancer(r: Resource, ctx: Context) -> list[Line]:
    kind = need(dig(r.props, "loadBalancerType", default="application"), "loadBalancerType")
    if kind == "network":
        lines = kubernetes.network_lb_lines(r, ctx, "aws.lb.LoadBalancer")
    elif kind == "application":
        lines = [Line("Application Load Balancer, 730 h", ctx.monthly("albHour", r.region))]
    else:
        raise Unpriceable(f"{kind} load balancers are not in the catalog")
    internal = need(as_bool(dig(r.props, "internal")), "internal")
    if internal is not True:
        subnets = dig(r.props, "subnets") if dig(r.props, "subnets") is not None else dig(r.props, "subnetMappings")
        zones = len(need(subnets, "subnets") or []) or 2
        lines.append(Line(f"{zones} public IPv4 addresses (one per AZ)", ctx.monthly("publicIpv4", r.region, zones)))
    return lines


def _control_plane(r: Resource, ctx: Context) -> Line:
    """$0.10/h, or $0.60/h once a version past standard support stays (upgrade policy EXTENDED, EKS's default)."""
    version = dig(r.props, "version")
    support = dig(r.props, "upgradePolicy", "supportType", default="EXTENDED")
    if version is UNKNOWN or support is UNKNOWN:
        raise UnknownInput(("version" if version is UNKNOWN else "upgradePolicy.supportType") + " is unknown at preview")
    ends = EKS_STANDARD_SUPPORT_ENDS.get(str(version)) if version is not None else None
    if ends is None and version is not None and str(version) < min(EKS_STANDARD_SUPPORT_ENDS):
        ends = "0001-01-01"  # older than anything the calendar lists: long past standard support
    if support != "STANDARD" and ends is not None and datetime.date.today().isoformat() >= ends:
        return Line(f"EKS control plane in extended support ({version} left standard support {ends}), 730 h",
                    ctx.monthly("eksExtendedSupportHour", r.region))
    return Line("EKS control plane, 730 h", ctx.monthly("eksClusterHour", r.region))


def _eks_cluster(r: Resource, ctx: Context) -> list[Line]:
    return [_control_plane(r, ctx)]


def _eks_component(r: Resource, ctx: Context) -> list[Line]:
    """pulumi-eks's Cluster priced from its inputs, used only when its children are not in the graph."""
    lines = [_control_plane(r, ctx)]
    if need(as_bool(dig(r.props, "skipDefaultNodeGroup")), "skipDefaultNodeGroup") is not True:
        size = dig(r.props, "instanceType", default="t3.medium")
        nodes = number(dig(r.props, "desiredCapacity"), "desiredCapacity", 2)
        lines.append(_sized_line(f"{nodes:g} x {size} default node group",
                                  ctx.sized("ec2Instance", r.region, size, "instanceType"), ctx, nodes))
        disk = number(dig(r.props, "nodeRootVolumeSize"), "nodeRootVolumeSize", 20)
        lines.append(Line(f"{nodes:g} x {disk:g} GB node volume",
                          nodes * disk * ctx.catalog.price("ebsGp3Storage", r.region)))
    return lines


def _flat(key: str, label: str) -> Callable[[Resource, Context], list[Line]]:
    return lambda r, ctx: [Line(label, ctx.catalog.price(key, r.region))]


VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"


def _is_interface(node: Any) -> bool:
    return dig(node.props, "vpcEndpointType", default="Gateway") == "Interface"


def _interface_endpoint(r: Resource, ctx: Context) -> list[Line]:
    """Each AZ (subnet) an interface endpoint spans is billed by the hour; the GB declared in
    phasegate:usage.endpointGbPerMonth are shared evenly between the stack's interface endpoints."""
    kind = need(dig(r.props, "vpcEndpointType", default="Gateway"), "vpcEndpointType")
    if kind == "Gateway":
        return []  # gateway endpoints (S3, DynamoDB) are free
    if kind != "Interface":
        raise Unpriceable(f"{kind} endpoints are not in the catalog")
    zones = len(need(dig(r.props, "subnetIds", default=[]), "subnetIds")) or 1
    lines = [Line(f"interface endpoint in {zones} AZ(s)", ctx.monthly("vpcInterfaceEndpointHour", r.region, zones))]
    endpoints = max(1, sum(1 for n in ctx.graph.of_type(VPC_ENDPOINT) if _is_interface(n)))
    gb = ctx.usage.endpointGbPerMonth / endpoints
    if gb:
        share = f" / {endpoints} interface endpoints" if endpoints > 1 else ""
        lines.append(Line(f"{gb:g} GB processed (phasegate:usage.endpointGbPerMonth{share})",
                          gb * ctx.catalog.price("vpcInterfaceEndpointGb", r.region)))
    return lines


def _waf(r: Resource, ctx: Context) -> list[Line]:
    rules = len(need(dig(r.props, "rules", default=[]), "rules"))
    requests_m = ctx.usage_of("requestsPerMonth") / 1e6
    return [Line("web ACL", ctx.catalog.price("wafWebAcl", r.region)),
            Line(f"{rules} rules", rules * ctx.catalog.price("wafRule", r.region)),
            Line(f"{requests_m:g} M requests inspected", requests_m * ctx.catalog.price("wafRequests", r.region))]


def _alarm(r: Resource, ctx: Context) -> list[Line]:
    """A standard alarm costs $0.10 per metric it watches: one, or each metric of a metric-math alarm."""
    queries = need(dig(r.props, "metricQueries", default=[]), "metricQueries")
    metrics = sum(1 for q in queries if q is UNKNOWN or dig(q, "metric") is not None) or 1
    label = "standard alarm" if not queries else f"metric-math alarm over {metrics} metrics"
    return [Line(label, metrics * ctx.catalog.price("cloudwatchAlarm", r.region))]


def _budget(r: Resource, ctx: Context) -> list[Line]:
    return [Line("budget, 30.4 days", ctx.catalog.price("budgetDay", r.region) * ctx.hours / 24)]


def _usage_priced(r: Resource, ctx: Context) -> list[Line]:
    return []  # no fixed charge: storage, transfer and requests are priced from declared usage


PRICERS: dict[str, Callable[[Resource, Context], list[Line]]] = {
    "aws:ec2/instance:Instance": _ec2_instance,
    "aws:ebs/volume:Volume": _ebs_volume,
    "aws:ec2/eip:Eip": _eip,
    "aws:ec2/natGateway:NatGateway": _nat_gateway,
    "aws:elasticache/replicationGroup:ReplicationGroup": _cache_replication_group,
    "aws:elasticache/cluster:Cluster": _cache_cluster,
    SERVERLESS_CACHE: _serverless_cache,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:alb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:eks/cluster:Cluster": _eks_cluster,
    "eks:index:Cluster": _eks_component,
    "aws:route53/zone:Zone": _flat("route53HostedZone", "hosted zone"),
    "aws:secretsmanager/secret:Secret": _flat("secretsManagerSecret", "secret"),
    "aws:kms/key:Key": _flat("kmsKey", "customer-managed KMS key"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": _alarm,
    "aws:cloudwatch/dashboard:Dashboard": _flat("cloudwatchDashboard", "dashboard"),
    VPC_ENDPOINT: _interface_endpoint,
    "aws:wafv2/webAcl:WebAcl": _waf,
    "aws:budgets/budget:Budget": _budget,
    "aws:s3/bucket:Bucket": _usage_priced,
    "aws:s3/bucketV2:BucketV2": _usage_priced,
    "aws:cloudfront/distribution:Distribution": _usage_priced,
    "aws:cloudwatch/logGroup:LogGroup": _usage_priced,
    **compute.PRICERS,
    **kubernetes.PRICERS,
    **database.PRICERS,
    **backup.PRICERS,
    **workflows.PRICERS,
    **ecs.PRICERS,
    **functions.PRICERS,
    **ecr.PRICERS,
    **apis.PRICERS,
    **network.PRICERS,
}
# Run in this order once every resource is priced; their lines follow the estimator's usage lines.
STACK_HOOKS: tuple[StackHook, ...] = (
    partial(ecr.storage, {**ecs.ECR_IMAGES, **functions.ECR_IMAGES}),
    functions.allowance,
    workflows.allowance,
)
