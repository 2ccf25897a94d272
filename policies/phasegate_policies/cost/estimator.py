"""Prices a stack's resources from their properties and the stack's declared usage.

Every resource type is either priced here, declared free, or reported as *unpriced* with its type — a
resource that costs money is never silently $0. Always-free allowances are their own negative lines; the
12-month new-account free tier is ignored. A value unknown at preview makes that resource *unknown*
(reported, not guessed).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

from pulumi_policy.proxy import UnknownValueError

from .catalog import Catalog, Unpriceable, load_catalog
from .free_types import FREE_TYPES
from .usage import Usage

STACK_LINE = "(stack usage)"


@dataclass(frozen=True)
class PricedResource:
    """What the estimator needs of a resource: the engine's view, independent of pulumi_policy types."""

    urn: str
    type: str
    name: str
    props: Mapping[str, Any]
    region: str
    parent: Optional[str] = None

    @classmethod
    def from_engine(cls, *, urn: str, type: str, name: str, props: Mapping[str, Any], default_region: str,
                    provider_props: Optional[Mapping[str, Any]] = None, parent: Optional[str] = None,
                    ) -> "PricedResource":
        """A resource as the engine describes it (its props, its provider's props); the region is resolved here."""
        return cls(urn=urn, type=type, name=name, props=props, parent=parent or None,
                   region=region_of(props, provider_props, default_region))


def region_of(props: Optional[Mapping[str, Any]], provider_props: Optional[Mapping[str, Any]], default: str) -> str:
    """pulumi-aws v7 resources carry their region; otherwise their provider's, otherwise the stack's."""
    for source in (props, provider_props):
        try:
            region = source.get("region") if source is not None else None
        except UnknownValueError:
            region = None
        if isinstance(region, str) and region:
            return region
    return default


@dataclass(frozen=True)
class CostLine:
    urn: Optional[str]  # None for stack-level usage lines and allowances
    name: str
    type: str
    item: str
    monthly_usd: float


@dataclass
class Estimate:
    lines: list[CostLine] = field(default_factory=list)
    unpriced: list[tuple[str, str, str]] = field(default_factory=list)  # urn, type, reason
    unknown: list[tuple[str, str, str]] = field(default_factory=list)  # urn, type, what is unknown
    usage_problems: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return round(sum(line.monthly_usd for line in self.lines), 2)

    def by_resource(self) -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        for line in self.lines:
            totals[line.name] += line.monthly_usd
        return dict(totals)

    def top_drivers(self, count: int = 3) -> list[tuple[str, float]]:
        return sorted(self.by_resource().items(), key=lambda kv: -kv[1])[:count]


class _Context:
    def __init__(self, catalog: Catalog, usage: Usage):
        self.catalog = catalog
        self.usage = usage
        self.hours = catalog.hours_per_month

    def hourly(self, key: str, region: str, size: Optional[str] = None, count: float = 1) -> float:
        return self.catalog.price(key, region, size) * self.hours * count


Pricer = Callable[[PricedResource, _Context], list[tuple[str, float]]]


def _num(value: Any, default: float = 0) -> float:
    return default if value is None else float(value)


def _ec2_instance(r: PricedResource, ctx: _Context) -> list[tuple[str, float]]:
    size = r.props.get("instanceType")
    price = ctx.catalog.price("ec2Instance", r.region, size)
    lines = [(f"{size} instance, 730 h x ${price}", price * ctx.hours)]
    root = r.props.get("rootBlockDevice") or {}
    gb = _num(root.get("volumeSize"), 8)  # AL2023's default root volume when none is given
    volume_type = root.get("volumeType") or "gp3"
    key = "ebsGp3Storage" if volume_type == "gp3" else "ebsGp2Storage"
    lines.append((f"{gb:g} GB {volume_type} root volume", gb * ctx.catalog.price(key, r.region)))
    for device in r.props.get("ebsBlockDevices") or []:
        size_gb = _num(device.get("volumeSize"))
        dkey = "ebsGp2Storage" if device.get("volumeType") == "gp2" else "ebsGp3Storage"
        lines.append((f"{size_gb:g} GB EBS volume", size_gb * ctx.catalog.price(dkey, r.region)))
    if r.props.get("associatePublicIpAddress"):
        lines.append(("public IPv4 address", ctx.hourly("publicIpv4", r.region)))
    return lines


def _ebs_volume(r: PricedResource, ctx: _Context) -> list[tuple[str, float]]:
    gb = _num(r.props.get("size"))
    key = "ebsGp2Storage" if r.props.get("type") == "gp2" else "ebsGp3Storage"
    return [(f"{gb:g} GB EBS volume", gb * ctx.catalog.price(key, r.region))]


def _eip(r: PricedResource, ctx: _Context) -> list[tuple[str, float]]:
    return [("public IPv4 address (Elastic IP), 730 h x $0.005", ctx.hourly("publicIpv4", r.region))]


def _nat_gateway(r: PricedResource, ctx: _Context) -> list[tuple[str, float]]:
    # Its public IPv4 is charged on the Elastic IP it is given (priced with that resource).
    return [("NAT gateway, 730 h", ctx.hourly("natGatewayHour", r.region))]


def _rds_instance(r: PricedResource, ctx: _Context) -> list[tuple[str, float]]:
    size = r.props.get("instanceClass")
    copies = 2 if r.props.get("multiAz") else 1
    az = "Multi-AZ" if copies == 2 else "Single-AZ"
    gb = _num(r.props.get("allocatedStorage"))
    lines = [
        (f"{size} PostgreSQL, {az}", ctx.hourly("rdsPostgresInstance", r.region, size, copies)),
        (f"{gb:g} GB gp3 storage, {az}", gb * copies * ctx.catalog.price("rdsGp3Storage", r.region)),
    ]
    if r.props.get("manageMasterUserPassword"):
        lines.append(("RDS-managed master password secret", ctx.catalog.price("secretsManagerSecret", r.region)))
    return lines


def _rds_cluster_instance(r: PricedResource, ctx: _Context) -> list[tuple[str, float]]:
    size = r.props.get("instanceClass")
    return [(f"{size} Aurora PostgreSQL instance", ctx.hourly("rdsPostgresInstance", r.region, size))]


def _cache_replication_group(r: PricedResource, ctx: _Context) -> list[tuple[str, float]]:
    size = r.props.get("nodeType")
    nodes = _num(r.props.get("numCacheClusters"), 1)
    return [(f"{nodes:g} x {size} node", ctx.hourly("elasticacheNode", r.region, size, nodes))]


def _cache_cluster(r: PricedResource, ctx: _Context) -> list[tuple[str, float]]:
    size = r.props.get("nodeType")
    nodes = _num(r.props.get("numCacheNodes"), 1)
    return [(f"{nodes:g} x {size} node", ctx.hourly("elasticacheNode", r.region, size, nodes))]


def _load_balancer(r: PricedResource, ctx: _Context) -> list[tuple[str, float]]:
    kind = r.props.get("loadBalancerType") or "application"
    if kind != "application":
        raise Unpriceable(f"{kind} load balancers are not in the catalog")
    lines = [("Application Load Balancer, 730 h", ctx.hourly("albHour", r.region))]
    if not r.props.get("internal"):
        zones = len(r.props.get("subnets") or r.props.get("subnetMappings") or []) or 2
        lines.append((f"{zones} public IPv4 addresses (one per AZ)", ctx.hourly("publicIpv4", r.region, count=zones)))
    return lines


def _eks_cluster(r: PricedResource, ctx: _Context) -> list[tuple[str, float]]:
    return [("EKS control plane, 730 h", ctx.hourly("eksClusterHour", r.region))]


def _eks_node_group(r: PricedResource, ctx: _Context) -> list[tuple[str, float]]:
    size = (r.props.get("instanceTypes") or ["t3.medium"])[0]  # EKS's own default is t3.medium
    nodes = _num((r.props.get("scalingConfig") or {}).get("desiredSize"), 1)
    disk = _num(r.props.get("diskSize"), 20)
    return [
        (f"{nodes:g} x {size} node", ctx.hourly("ec2Instance", r.region, size, nodes)),
        (f"{nodes:g} x {disk:g} GB node volume", nodes * disk * ctx.catalog.price("ebsGp3Storage", r.region)),
    ]


def _eks_component(r: PricedResource, ctx: _Context) -> list[tuple[str, float]]:
    """pulumi-eks's Cluster priced from its inputs, used only when its children are not in the graph."""
    lines = [("EKS control plane, 730 h", ctx.hourly("eksClusterHour", r.region))]
    if not r.props.get("skipDefaultNodeGroup"):
        size = r.props.get("instanceType") or "t3.medium"
        nodes = _num(r.props.get("desiredCapacity"), 2)
        lines.append((f"{nodes:g} x {size} default node group", ctx.hourly("ec2Instance", r.region, size, nodes)))
        disk = _num(r.props.get("nodeRootVolumeSize"), 20)
        lines.append((f"{nodes:g} x {disk:g} GB node volume", nodes * disk * ctx.catalog.price("ebsGp3Storage", r.region)))
    return lines


def _flat(key: str, label: str) -> Pricer:
    return lambda r, ctx: [(label, ctx.catalog.price(key, r.region))]


def _interface_endpoint(r: PricedResource, ctx: _Context) -> list[tuple[str, float]]:
    if (r.props.get("vpcEndpointType") or "Gateway") != "Interface":
        return []  # gateway endpoints (S3, DynamoDB) are free
    zones = len(r.props.get("subnetIds") or []) or 1
    return [(f"interface endpoint in {zones} AZ(s)", ctx.hourly("vpcInterfaceEndpointHour", r.region, count=zones))]


def _waf(r: PricedResource, ctx: _Context) -> list[tuple[str, float]]:
    rules = len(r.props.get("rules") or [])
    requests_m = ctx.usage.requestsPerMonth / 1e6
    return [("web ACL", ctx.catalog.price("wafWebAcl", r.region)),
            (f"{rules} rules", rules * ctx.catalog.price("wafRule", r.region)),
            (f"{requests_m:g} M requests inspected", requests_m * ctx.catalog.price("wafRequests", r.region))]


def _alarm(r: PricedResource, ctx: _Context) -> list[tuple[str, float]]:
    """A standard alarm costs $0.10 per metric it watches: one, or each metric of a metric-math alarm."""
    queries = r.props.get("metricQueries") or []
    metrics = sum(1 for q in queries if q.get("metric")) or 1
    label = "standard alarm" if not queries else f"metric-math alarm over {metrics} metrics"
    return [(label, metrics * ctx.catalog.price("cloudwatchAlarm", r.region))]


def _dashboard(r: PricedResource, ctx: _Context) -> list[tuple[str, float]]:
    return [("dashboard", ctx.catalog.price("cloudwatchDashboard", r.region))]


def _budget(r: PricedResource, ctx: _Context) -> list[tuple[str, float]]:
    return [("budget, 30.4 days", ctx.catalog.price("budgetDay", r.region) * ctx.hours / 24)]


PRICERS: dict[str, Pricer] = {
    "aws:ec2/instance:Instance": _ec2_instance,
    "aws:ebs/volume:Volume": _ebs_volume,
    "aws:ec2/eip:Eip": _eip,
    "aws:ec2/natGateway:NatGateway": _nat_gateway,
    "aws:rds/instance:Instance": _rds_instance,
    "aws:rds/clusterInstance:ClusterInstance": _rds_cluster_instance,
    "aws:elasticache/replicationGroup:ReplicationGroup": _cache_replication_group,
    "aws:elasticache/cluster:Cluster": _cache_cluster,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:alb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:eks/cluster:Cluster": _eks_cluster,
    "aws:eks/nodeGroup:NodeGroup": _eks_node_group,
    "eks:index:Cluster": _eks_component,
    "aws:route53/zone:Zone": _flat("route53HostedZone", "hosted zone"),
    "aws:secretsmanager/secret:Secret": _flat("secretsManagerSecret", "secret"),
    "aws:kms/key:Key": _flat("kmsKey", "customer-managed KMS key"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": _alarm,
    "aws:cloudwatch/dashboard:Dashboard": _dashboard,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _interface_endpoint,
    "aws:wafv2/webAcl:WebAcl": _waf,
    "aws:budgets/budget:Budget": _budget,
    # Priced through usage (below): the resource itself has no fixed charge.
    "aws:s3/bucket:Bucket": lambda r, ctx: [],
    "aws:s3/bucketV2:BucketV2": lambda r, ctx: [],
    "aws:cloudfront/distribution:Distribution": lambda r, ctx: [],
    "aws:cloudwatch/logGroup:LogGroup": lambda r, ctx: [],
}
USAGE_ANCHORS = {
    "bucket": ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"),
    "cdn": ("aws:cloudfront/distribution:Distribution",),
    "logs": ("aws:cloudwatch/logGroup:LogGroup",),
    "nat": ("aws:ec2/natGateway:NatGateway",),
    "alb": ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"),
}


def price_stack(resources: Iterable[PricedResource], usage: Usage, region: str,
                catalog: Optional[Catalog] = None) -> Estimate:
    """Price every resource, then usage and always-free allowances, in the stack's `region`."""
    catalog = catalog or load_catalog()
    ctx = _Context(catalog, usage)
    resources = list(resources)
    result = Estimate()
    anchors: dict[str, list[PricedResource]] = defaultdict(list)
    children_types = _descendant_types(resources)

    for r in resources:
        if r.type in FREE_TYPES or r.type.startswith(("pulumi:", "phasegate:", "random:")):
            continue
        if r.type == "eks:index:Cluster" and "aws:eks/cluster:Cluster" in children_types.get(r.urn, set()):
            continue  # its children are in the graph and priced themselves: never both
        pricer = PRICERS.get(r.type)
        if pricer is None:
            if r.type.startswith("kubernetes:"):
                continue  # Kubernetes objects run on nodes that are priced already
            result.unpriced.append((r.urn, r.type, "no price for this resource type"))
            continue
        try:
            for item, monthly in pricer(r, ctx):
                result.lines.append(CostLine(r.urn, r.name, r.type, item, round(monthly, 4)))
        except Unpriceable as exc:
            result.unpriced.append((r.urn, r.type, str(exc)))
        except UnknownValueError as exc:
            result.unknown.append((r.urn, r.type, exc.message))
        for anchor, types in USAGE_ANCHORS.items():
            if r.type in types:
                anchors[anchor].append(r)

    _usage_lines(result, ctx, anchors, resources, region)
    return result


estimate = price_stack  # the name the rules have always used


def _descendant_types(resources: Sequence[PricedResource]) -> dict[str, set[str]]:
    parents = {r.urn: r.parent for r in resources}
    found: dict[str, set[str]] = defaultdict(set)
    for r in resources:
        ancestor = r.parent
        while ancestor:
            found[ancestor].add(r.type)
            ancestor = parents.get(ancestor)
    return found


def _usage_lines(result: Estimate, ctx: _Context, anchors: Mapping[str, list[PricedResource]],
                 resources: Sequence[PricedResource], region: str) -> None:
    """Usage-priced lines and the always-free allowances, each on its own line."""
    u, price, free = ctx.usage, ctx.catalog.price, ctx.catalog.free

    def add(anchor: Optional[PricedResource], item: str, usd: float) -> None:
        result.lines.append(CostLine(anchor.urn if anchor else None, anchor.name if anchor else STACK_LINE,
                                     anchor.type if anchor else STACK_LINE, item, round(usd, 4)))

    bucket = (anchors.get("bucket") or [None])[0]
    if bucket:
        add(bucket, f"{u.assetsStorageGb:g} GB S3 Standard", u.assetsStorageGb * price("s3StandardStorage", bucket.region))
        add(bucket, f"{u.assetsPutRequestsPerMonth:g} PUT requests",
            u.assetsPutRequestsPerMonth / 1000 * price("s3PutRequests", bucket.region))
        add(bucket, f"{u.assetsGetRequestsPerMonth:g} GET requests",
            u.assetsGetRequestsPerMonth / 1000 * price("s3GetRequests", bucket.region))

    serves_internet = any(r.type in PUBLIC_FACING for r in resources)
    if serves_internet:
        gb = u.gbServedPerMonth
        add(None, f"{gb:g} GB data transfer out to the internet", gb * price("internetEgressGb", region))
        add(None, f"always-free: first {free['internetEgressGb']:g} GB out",
            -min(gb, free["internetEgressGb"]) * price("internetEgressGb", region))

    cdn = (anchors.get("cdn") or [None])[0]
    if cdn:
        gb, requests = u.cdnGbPerMonth, u.requestsPerMonth
        add(cdn, f"{gb:g} GB CloudFront transfer", gb * price("cloudfrontGb", region))
        add(cdn, f"always-free: first {free['cloudfrontGb']:g} GB CloudFront",
            -min(gb, free["cloudfrontGb"]) * price("cloudfrontGb", region))
        add(cdn, f"{requests:g} CloudFront requests", requests / 10000 * price("cloudfrontRequests", region))
        add(cdn, f"always-free: first {free['cloudfrontRequests']:g} CloudFront requests",
            -min(requests, free["cloudfrontRequests"]) / 10000 * price("cloudfrontRequests", region))

    logs = (anchors.get("logs") or [None])[0]
    if logs:
        gb = u.logsGbPerMonth
        add(logs, f"{gb:g} GB log ingestion", gb * price("cloudwatchLogsIngestGb", logs.region))
        add(logs, f"always-free: first {free['cloudwatchLogsGb']:g} GB logs",
            -min(gb, free["cloudwatchLogsGb"]) * price("cloudwatchLogsIngestGb", logs.region))

    nats = anchors.get("nat") or []
    for nat in nats:
        gb = u.natGbPerMonth / len(nats)
        add(nat, f"{gb:g} GB processed", gb * price("natGatewayGb", nat.region))

    albs = anchors.get("alb") or []
    for alb in albs:
        lcus = _alb_lcus(u, len(albs), ctx.hours)
        add(alb, f"{lcus:.3f} LCU average (from declared traffic)", lcus * ctx.hourly("albLcuHour", alb.region))

    if u.dbBackupGb:
        add(None, f"{u.dbBackupGb:g} GB RDS backup beyond the free allowance", u.dbBackupGb * price("rdsBackupStorage", region))

    _allowance(result, "aws:cloudwatch/metricAlarm:MetricAlarm", free["cloudwatchAlarms"], "alarm metrics",
               price("cloudwatchAlarm", region), add)
    _allowance(result, "aws:cloudwatch/dashboard:Dashboard", free["cloudwatchDashboards"], "dashboards",
               price("cloudwatchDashboard", region), add)
    _allowance(result, "aws:budgets/budget:Budget", free["budgets"], "budgets",
               price("budgetDay", region) * ctx.hours / 24, add)


def _alb_lcus(u: Usage, albs: int, hours: float) -> float:
    """LCUs are the max of the dimensions; processed bytes (1 GB/h) and new connections (25/s) dominate here."""
    gb_per_hour = u.gbServedPerMonth / albs / hours
    connections_per_second = u.requestsPerMonth / albs / (hours * 3600)
    return max(gb_per_hour, connections_per_second / 25)


def _allowance(result: Estimate, typ: str, free_count: float, label: str, unit_usd: float, add) -> None:
    """The first `free_count` units of a type cost nothing: subtract them, never more than was charged."""
    charged = sum(line.monthly_usd for line in result.lines if line.type == typ and line.monthly_usd > 0)
    if charged:
        used = round(charged / unit_usd) if unit_usd else 0
        add(None, f"always-free: first {int(free_count)} {label} ({used} used)", -min(charged, free_count * unit_usd))


PUBLIC_FACING = frozenset({
    "aws:ec2/eip:Eip", "aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer",
})
