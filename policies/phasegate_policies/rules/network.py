"""Network exposure: databases, caches and nodes stay in private subnets; only 80/443 face the internet."""

from __future__ import annotations

from typing import Any, Iterable, Optional

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from ..contract import NODE_ROLES, ROLE_TAG
from ..props import dig, items, with_config_defaults

ANYWHERE = ("0.0.0.0/0", "::/0")
SENSITIVE_PORTS = {22: "SSH", 3389: "RDP", 5432: "PostgreSQL", 3306: "MySQL", 1433: "SQL Server",
                   6379: "Redis", 11211: "Memcached", 27017: "MongoDB", 9200: "Elasticsearch", 2379: "etcd",
                   6443: "Kubernetes API", 10250: "kubelet"}
INGRESS_SCHEMA = {
    "allowedPorts": {"type": "array", "items": {"type": "integer"}, "default": [80, 443],
                     "description": "Ports that may be open to 0.0.0.0/0 or ::/0."},
}


def _open_rules(args: ResourceValidationArgs) -> Iterable[tuple[str, Any, Any, list[str]]]:
    """(protocol, from, to, world-cidrs) of each ingress rule of this resource that admits the whole internet."""
    props = args.props
    if args.resource_type == "aws:ec2/securityGroup:SecurityGroup":
        for rule in items(props, "ingress"):
            cidrs = [c for c in items(rule, "cidrBlocks") + items(rule, "ipv6CidrBlocks") if c in ANYWHERE]
            if cidrs:
                yield dig(rule, "protocol"), dig(rule, "fromPort"), dig(rule, "toPort"), cidrs
    elif args.resource_type == "aws:ec2/securityGroupRule:SecurityGroupRule" and dig(props, "type") == "ingress":
        cidrs = [c for c in items(props, "cidrBlocks") + items(props, "ipv6CidrBlocks") if c in ANYWHERE]
        if cidrs:
            yield dig(props, "protocol"), dig(props, "fromPort"), dig(props, "toPort"), cidrs
    elif args.resource_type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
        cidrs = [c for c in (dig(props, "cidrIpv4"), dig(props, "cidrIpv6")) if c in ANYWHERE]
        if cidrs:
            yield dig(props, "ipProtocol"), dig(props, "fromPort"), dig(props, "toPort"), cidrs


def _validate_ingress(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    allowed = {int(p) for p in with_config_defaults(args.get_config(), INGRESS_SCHEMA)["allowedPorts"]}
    for protocol, low, high, cidrs in _open_rules(args):
        every_port = str(protocol) in ("-1", "all") or low is None
        low, high = (0, 65535) if every_port else (int(low), int(high))
        exposed = [f"{name} ({port})" for port, name in SENSITIVE_PORTS.items() if low <= port <= high]
        if low == high and low in allowed and str(protocol).lower() in ("tcp", "6"):
            continue
        span = "all ports" if every_port else (f"port {low}" if low == high else f"ports {low}-{high}")
        detail = f", including {', '.join(exposed)}" if exposed else ""
        report_violation(
            f"{args.name} opens {span}{detail} to {' and '.join(cidrs)}. Only TCP {sorted(allowed)} may face the "
            f"internet: put other services behind the load balancer or admit a security group instead.")


class _Graph:
    """Links resources through property dependencies (known at preview) or, failing that, through ids."""

    def __init__(self, resources: list[Any]):
        self.resources = resources
        self.by_id: dict[str, Any] = {}
        for r in resources:
            rid = _safe(lambda: r.props.get("id"))
            if isinstance(rid, str):
                self.by_id[rid] = r

    def targets(self, resource: Any, prop: str) -> list[Any]:
        linked = list((resource.property_dependencies or {}).get(prop) or [])
        if linked:
            return linked
        values = _safe(lambda: resource.props.get(prop))
        if values is None:
            return []
        if isinstance(values, str):
            values = [values]
        return [self.by_id[v] for v in values if isinstance(v, str) and v in self.by_id]

    def of_type(self, *types: str) -> list[Any]:
        return [r for r in self.resources if r.resource_type in types]


def _safe(read) -> Any:
    try:
        return read()
    except UnknownValueError:
        return None


def _is_internet_gateway(graph: _Graph, holder: Any, prop: str, igws: set[str], value: Any = None) -> bool:
    """A route's target is an IGW when it depends on one, or (without dependencies) its id says so."""
    if any(t.urn in igws for t in graph.targets(holder, prop)):
        return True
    return isinstance(value, str) and value.startswith("igw-")


def _internet_route_tables(graph: _Graph) -> set[str]:
    igws = {r.urn for r in graph.of_type("aws:ec2/internetGateway:InternetGateway")}
    tables = set()
    for table in graph.of_type("aws:ec2/routeTable:RouteTable"):
        if any(t.urn in igws for t in graph.targets(table, "routes")) or any(
                isinstance(g, str) and g.startswith("igw-")
                for g in (_safe(lambda r=r: r.get("gatewayId")) for r in items(table.props, "routes"))):
            tables.add(table.urn)
    for route in graph.of_type("aws:ec2/route:Route"):
        if _is_internet_gateway(graph, route, "gatewayId", igws, _safe(lambda: route.props.get("gatewayId"))):
            tables.update(t.urn for t in graph.targets(route, "routeTableId"))
    return tables


def public_subnets(graph: _Graph) -> set[str]:
    """URNs of subnets that map public IPs on launch or whose route table routes to an internet gateway."""
    public = {s.urn for s in graph.of_type("aws:ec2/subnet:Subnet")
              if _safe(lambda s=s: s.props.get("mapPublicIpOnLaunch"))}
    internet_tables = _internet_route_tables(graph)
    for association in graph.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation"):
        if any(t.urn in internet_tables for t in graph.targets(association, "routeTableId")):
            public.update(s.urn for s in graph.targets(association, "subnetId"))
    return public


PLACEMENT = {  # resource type -> (what it is, the property holding its subnets)
    "aws:rds/subnetGroup:SubnetGroup": ("database subnet group", "subnetIds"),
    "aws:elasticache/subnetGroup:SubnetGroup": ("cache subnet group", "subnetIds"),
    "aws:eks/nodeGroup:NodeGroup": ("EKS node group", "subnetIds"),
}


PLACEMENT_SCHEMA = {"nodeRoles": {
    "type": "array", "items": {"type": "string"}, "default": list(NODE_ROLES),
    "description": "Values of an instance's phasegate:role tag that mark it as a Kubernetes node."}}


def _validate_private_placement(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    node_roles = set(with_config_defaults(args.get_config(), PLACEMENT_SCHEMA)["nodeRoles"])
    graph = _Graph(list(args.resources))
    public = public_subnets(graph)
    for resource in args.resources:
        kind = resource.resource_type
        if kind in ("aws:rds/instance:Instance", "aws:rds/clusterInstance:ClusterInstance") and \
                _safe(lambda: resource.props.get("publiclyAccessible")):
            report_violation(f"Database {resource.name} is publicly accessible: set publicly_accessible=False.",
                             resource.urn)
        if kind in PLACEMENT:
            what, prop = PLACEMENT[kind]
            exposed = sorted(s.name for s in graph.targets(resource, prop) if s.urn in public)
            if exposed:
                report_violation(f"The {what} {resource.name} uses public subnet(s) {', '.join(exposed)}: "
                                 f"use private subnets only (no route to an internet gateway).", resource.urn)
        if kind == "eks:index:Cluster" and _safe(lambda: resource.props.get("nodeAssociatePublicIpAddress")) is not False:
            report_violation(f"EKS cluster {resource.name} may give nodes public IPs: set "
                             f"node_associate_public_ip_address=False and place nodes in private subnets.",
                             resource.urn)
        if kind == "aws:ec2/instance:Instance" and _role(resource) in node_roles:
            on_public = [s.name for s in graph.targets(resource, "subnetId") if s.urn in public]
            if on_public or _safe(lambda: resource.props.get("associatePublicIpAddress")):
                report_violation(f"Kubernetes node {resource.name} is reachable from the internet: place it in a "
                                 f"private subnet without a public IP.", resource.urn)


def _role(resource: Any) -> Optional[str]:
    return _safe(lambda: (resource.props.get("tags") or {}).get(ROLE_TAG))


public_ingress = ResourceValidationPolicy(
    name="public-ingress",
    description="Security groups open only HTTP/HTTPS to the internet, never database, cache, SSH or admin ports.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate_ingress,
    config_schema=PolicyConfigSchema(properties=INGRESS_SCHEMA),
)

private_subnets = StackValidationPolicy(
    name="private-subnets",
    description="Databases, caches and Kubernetes nodes are not publicly accessible and live in private subnets.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate_private_placement,
    config_schema=PolicyConfigSchema(properties=PLACEMENT_SCHEMA),
)

POLICIES = [public_ingress, private_subnets]
