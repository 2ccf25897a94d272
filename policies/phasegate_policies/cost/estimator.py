"""Prices a stack's resources from their declared properties and the stack's declared usage.

Every resource type is either priced (`pricers.PRICERS`), declared free (`free_types`, and Kubernetes objects
without a pricer: they run on priced nodes), or reported as *unpriced* with its type: a resource that costs money
is never silently $0. A price-relevant value unknown at preview makes the resource *unknown*, never guessed.
Pricers follow links between resources (a node group to its launch template) through the graph built here from
every resource's property dependencies and known ids. Always-free allowances are their own negative lines; the
12-month new-account free tier is ignored.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional, Sequence

from ..contract import PUBLIC_FACING
from ..engine import dig, plain
from .base import Graph, Node, StackUsage, undeclared
from .catalog import Catalog, Unpriceable, load_catalog
from .free_types import FREE_TYPES
from .pricers import PRICERS, STACK_HOOKS, Context, Resource, UnknownInput
from .usage import Usage

STACK_LINE = "(stack usage)"
INSTANCE = "aws:ec2/instance:Instance"
# Whole providers whose resources cost nothing by themselves.
FREE_PROVIDERS = ("pulumi:", "phasegate:", "random:")
# Kubernetes objects run on nodes priced elsewhere, except those with a pricer (load balancers, volumes, charts).
KUBERNETES = "kubernetes:"
# AWS itself: a type of these packages is priced, declared free, or reported unpriced (fail closed). aws-native has no
# pricer yet, so each of its types is reported unpriced until one maps it.
AWS_PACKAGES = ("aws:", "aws-native:")
# Remote components (multi-language packages): the engine gives them a provider reference, and a real preview sends
# their children, which are priced instead (pulumi-awsx's VPC, pulumi-eks's cluster and node groups).
REMOTE_COMPONENTS = ("awsx:", "eks:index:")
# Providers that may create AWS resources outside the graph (a shell command, an image build that pushes to ECR):
# named once in the advisory cost-coverage policy, never priced.
OUTSIDE_THE_GRAPH = ("command:", "docker-build:")
# A component priced from its inputs only when the children that carry its cost are not in the graph: under mocks a
# remote component (pulumi-eks) registers alone; a real preview sends its children, which are priced instead.
COMPONENT_CHILDREN = {
    "eks:index:Cluster": lambda types: "aws:eks/cluster:Cluster" in types,
    "eks:index:ManagedNodeGroup": lambda types: "aws:eks/nodeGroup:NodeGroup" in types,
    # Self-managed nodes: no pricer of their own (unpriced alone); in a real preview their autoscaling group is priced.
    "eks:index:NodeGroupV2": lambda types: "aws:autoscaling/group:Group" in types,
    "kubernetes:helm.sh/v4:Chart": lambda types: any(t.startswith(KUBERNETES) for t in types),
}
# The values other resources may name a resource by (its id, ARN or names), where no property dependency was sent.
LINK_KEYS = ("id", "arn", "name", "bucket", "clusterIdentifier", "identifier", "family", "arnWithoutRevision")


@dataclass(frozen=True)
class PricedResource:
    """What the estimator needs of a resource: the engine's view, independent of pulumi_policy types."""

    urn: str
    type: str
    name: str
    props: Mapping[str, Any]
    region: str
    parent: Optional[str] = None
    # Property -> the URNs its value came from (the engine sends these even when ids are unknown).
    dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False)
    # The known values other resources may name it by (its id, ARN, names), for links without a dependency.
    link_values: tuple[str, ...] = ()
    # No provider reference: a component (the engine gives one to custom resources and remote components only).
    component: bool = False

    @classmethod
    def from_engine(cls, *, urn: str, type: str, name: str, props: Any, default_region: str,
                    provider_props: Any = None, parent: Optional[str] = None,
                    property_dependencies: Optional[Mapping[str, Iterable[str]]] = None,
                    outputs: Any = None, component: bool = False) -> "PricedResource":
        """A resource as the engine describes it (its props, its provider's props); the region is resolved here.

        `property_dependencies` (property -> URNs) and `outputs` let a pricer follow links to other resources (an
        autoscaling group's launch template, a backup selection's database); without them only links through values
        already in `props` can be followed, and a pricer that needs more reports the resource as unknown.
        """
        declared = plain(props)
        known = [dig(source, key) for source in (plain(outputs) if outputs is not None else {}, declared)
                 for key in LINK_KEYS]
        return cls(urn=urn, type=type, name=name, props=declared, parent=parent or None,
                   region=region_of(props, provider_props, default_region),
                   dependencies={prop: tuple(urns) for prop, urns in (property_dependencies or {}).items()},
                   link_values=tuple(dict.fromkeys(v for v in known if isinstance(v, str) and v)),
                   component=component)


def region_of(props: Any, provider_props: Any, default: str) -> str:
    """pulumi-aws v7 resources carry their region; otherwise their provider's, otherwise the stack's."""
    for source in (props, provider_props):
        region = plain(source).get("region") if source is not None else None
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
    derived: bool = False


@dataclass
class Estimate:
    lines: list[CostLine] = field(default_factory=list)
    unpriced: list[tuple[str, str, str]] = field(default_factory=list)  # urn, type, reason
    unknown: list[tuple[str, str, str]] = field(default_factory=list)  # urn, type, what is unknown
    usage_problems: list[str] = field(default_factory=list)
    outside: list[tuple[str, str]] = field(default_factory=list)  # urn, type: may create AWS resources unseen

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


USAGE_ANCHORS = {
    "bucket": ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"),
    "cdn": ("aws:cloudfront/distribution:Distribution",),
    "logs": ("aws:cloudwatch/logGroup:LogGroup",),
    "nat": ("aws:ec2/natGateway:NatGateway",),
    "alb": ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"),
}
# CloudWatch alarms a resource creates besides the declared ones (a target-tracking policy's), in the same allowance.
ALARM_TYPES = ("aws:cloudwatch/metricAlarm:MetricAlarm", "aws:appautoscaling/policy:Policy")


def price_stack(resources: Iterable[PricedResource], usage: Usage, region: str,
                catalog: Optional[Catalog] = None, prices: Optional[Mapping[str, float]] = None) -> Estimate:
    """Price every resource, then usage and always-free allowances, in the stack's `region`.

    `prices` are the platform owner's monthly USD per type (`cost-ceiling: prices`), for types the catalog cannot price.
    """
    catalog = catalog or load_catalog()
    resources = list(resources)
    graph = Graph(Node(urn=r.urn, type=r.type, name=r.name, props=r.props, region=r.region, parent=r.parent,
                       dependencies=r.dependencies, link_values=r.link_values) for r in resources)
    ctx = Context(catalog, usage, graph)
    result = Estimate()
    anchors: dict[str, list[PricedResource]] = defaultdict(list)
    prices = prices or {}

    def unpriced(r: PricedResource, reason: str) -> None:
        if r.type in prices:
            result.lines.append(CostLine(r.urn, r.name, r.type, f"${prices[r.type]:g}/month set by the platform owner "
                                         f"(cost-ceiling: prices; {reason})", float(prices[r.type])))
        else:
            result.unpriced.append((r.urn, r.type, reason))

    for r in resources:
        pricer = PRICERS.get(r.type)
        if pricer is None:
            if not _costs_nothing_itself(r, graph):
                unpriced(r, "no price for this resource type")
            elif r.type.startswith(OUTSIDE_THE_GRAPH):
                result.outside.append((r.urn, r.type))
            continue
        children = COMPONENT_CHILDREN.get(r.type)
        if children and children(graph.descendant_types(r.urn)):
            continue  # its children are in the graph and priced themselves: never both
        try:
            lines = pricer(Resource(r.type, r.name, r.props, r.region, r.urn, r.dependencies), ctx)
        except Unpriceable as exc:
            unpriced(r, str(exc))
            continue
        except UnknownInput as exc:
            result.unknown.append((r.urn, r.type, exc.what))
            continue
        result.lines += [CostLine(r.urn, r.name, r.type, line.item, round(line.monthly_usd, 4), line.derived)
                         for line in lines]
        for anchor, types in USAGE_ANCHORS.items():
            if r.type in types and (anchor != "alb" or dig(r.props, "loadBalancerType") in (None, "application")):
                anchors[anchor].append(r)

    _usage_lines(result, ctx, anchors, resources, region)
    return result


def _costs_nothing_itself(r: PricedResource, graph: Graph) -> bool:
    """A type without a pricer that bills nothing by itself: declared free, a component (no provider reference; a known
    remote component whose children are in the graph), a Kubernetes object, or another provider's resource. An AWS
    type, and a remote component registered alone (under mocks), cannot be shown to cost nothing."""
    if r.type in FREE_TYPES or r.type.startswith(FREE_PROVIDERS):
        return True
    if r.type.startswith(REMOTE_COMPONENTS):
        return bool(graph.descendant_types(r.urn))
    return r.component or not r.type.startswith(AWS_PACKAGES)


estimate = price_stack  # the name the rules have always used


def _usage_lines(result: Estimate, ctx: Context, anchors: Mapping[str, list[PricedResource]],
                 resources: Sequence[PricedResource], region: str) -> None:
    """Usage-priced lines and the always-free allowances, each on its own line."""
    u, price, free = ctx.usage, ctx.catalog.price, ctx.catalog.free

    def add(anchor: Optional[PricedResource], item: str, usd: float) -> None:
        result.lines.append(CostLine(anchor.urn if anchor else None, anchor.name if anchor else STACK_LINE,
                                     anchor.type if anchor else STACK_LINE, item, round(usd, 4)))

    def declared(anchor: PricedResource, *keys: str) -> bool:
        """Whether the keys `anchor`'s usage lines are priced from are declared; each missing one makes it unknown."""
        missing = [key for key in keys if not u.is_declared(key)]
        result.unknown += [(anchor.urn, anchor.type, undeclared(key)) for key in missing]
        return not missing

    bucket = (anchors.get("bucket") or [None])[0]
    if bucket and declared(bucket, "assetsStorageGb"):
        add(bucket, f"{u.assetsStorageGb:g} GB S3 Standard", u.assetsStorageGb * price("s3StandardStorage", bucket.region))
        add(bucket, f"{u.assetsPutRequestsPerMonth:g} PUT requests",
            u.assetsPutRequestsPerMonth / 1000 * price("s3PutRequests", bucket.region))
        add(bucket, f"{u.assetsGetRequestsPerMonth:g} GET requests",
            u.assetsGetRequestsPerMonth / 1000 * price("s3GetRequests", bucket.region))

    # What answers the internet: a public-facing type, or an instance charged a public IPv4 address (a web server).
    addressed = {line.urn for line in result.lines if line.type == INSTANCE and line.item.startswith("public IPv4")}
    public = [r for r in resources if r.type in PUBLIC_FACING or r.urn in addressed]
    if public and declared(public[0], "gbServedPerMonth"):
        gb = u.gbServedPerMonth
        add(None, f"{gb:g} GB data transfer out to the internet", gb * price("internetEgressGb", region))
        add(None, f"always-free: first {free['internetEgressGb']:g} GB out",
            -min(gb, free["internetEgressGb"]) * price("internetEgressGb", region))

    cdn = (anchors.get("cdn") or [None])[0]
    if cdn and declared(cdn, "requestsPerMonth"):
        gb, requests = u.cdnGbPerMonth, u.requestsPerMonth
        add(cdn, f"{gb:g} GB CloudFront transfer", gb * price("cloudfrontGb", region))
        add(cdn, f"always-free: first {free['cloudfrontGb']:g} GB CloudFront",
            -min(gb, free["cloudfrontGb"]) * price("cloudfrontGb", region))
        add(cdn, f"{requests:g} CloudFront requests", requests / 10000 * price("cloudfrontRequests", region))
        add(cdn, f"always-free: first {free['cloudfrontRequests']:g} CloudFront requests",
            -min(requests, free["cloudfrontRequests"]) / 10000 * price("cloudfrontRequests", region))

    logs = (anchors.get("logs") or [None])[0]
    if logs and declared(logs, "logsGbPerMonth"):
        gb = u.logsGbPerMonth
        add(logs, f"{gb:g} GB log ingestion", gb * price("cloudwatchLogsIngestGb", logs.region))
        add(logs, f"always-free: first {free['cloudwatchLogsGb']:g} GB logs",
            -min(gb, free["cloudwatchLogsGb"]) * price("cloudwatchLogsIngestGb", logs.region))

    nats = anchors.get("nat") or []
    for nat in nats:
        gb = u.natGbPerMonth / len(nats)
        add(nat, f"{gb:g} GB processed", gb * price("natGatewayGb", nat.region))

    albs = anchors.get("alb") or []
    for alb in (a for a in albs if declared(a, "gbServedPerMonth", "requestsPerMonth")):
        lcus = _alb_lcus(u, len(albs), ctx.hours)
        add(alb, f"{lcus:.3f} LCU average (from declared traffic)", lcus * ctx.monthly("albLcuHour", alb.region))

    if u.dbBackupGb:
        add(None, f"{u.dbBackupGb:g} GB RDS backup beyond the free allowance", u.dbBackupGb * price("rdsBackupStorage", region))

    stack = StackUsage(ctx, priced=lambda *types: _priced(result, resources, types), add=add,
                       unpriced=lambda r, reason: result.unpriced.append((r.urn, r.type, reason)))
    for hook in STACK_HOOKS:
        hook(stack)
    _allowance(result, ALARM_TYPES, free["cloudwatchAlarms"], "alarm metrics",
               price("cloudwatchAlarm", region), add)
    _allowance(result, ("aws:cloudwatch/dashboard:Dashboard",), free["cloudwatchDashboards"], "dashboards",
               price("cloudwatchDashboard", region), add)
    _allowance(result, ("aws:budgets/budget:Budget",), free["budgets"], "budgets",
               price("budgetDay", region) * ctx.hours / 24, add)


def _alb_lcus(u: Usage, albs: int, hours: float) -> float:
    """LCUs are the max of the dimensions; processed bytes (1 GB/h) and new connections (25/s) dominate here."""
    gb_per_hour = u.gbServedPerMonth / albs / hours
    connections_per_second = u.requestsPerMonth / albs / (hours * 3600)
    return max(gb_per_hour, connections_per_second / 25)


def _priced(result: Estimate, resources: Sequence[PricedResource], types: Sequence[str]) -> list[PricedResource]:
    """The resources of `types` that were priced (neither unpriced nor unknown): type by type, each in stack order."""
    failed = {urn for urn, _, _ in result.unpriced + result.unknown}
    return [r for typ in types for r in resources if r.type == typ and r.urn not in failed]


def _allowance(result: Estimate, types: Sequence[str], free_count: float, label: str, unit_usd: float, add) -> None:
    """The first `free_count` units of these types cost nothing: subtract them, never more than was charged."""
    charged = sum(line.monthly_usd for line in result.lines if line.type in types and line.monthly_usd > 0)
    if charged:
        used = round(charged / unit_usd) if unit_usd else 0
        add(None, f"always-free: first {int(free_count)} {label} ({used} used)", -min(charged, free_count * unit_usd))
