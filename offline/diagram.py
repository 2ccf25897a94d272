"""A stack's architecture as a Mermaid flowchart, drawn from the graph the program registered under mocks.

Nothing is drawn from the stack's name or phase: the main resources are picked by type (`ROLES`), grouped by the
top-level component that owns them, and placed in the public or private subnets they reference (through their
property dependencies, or one hop through a subnet group), with public and private judged exactly as the pack's
`private-subnets` policy judges them. Edges are the request flow (internet, WAF, CDN, load balancer or API,
compute), the data flow (compute to databases, caches and buckets) and the outbound path through NAT.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from phasegate_policies.rules.private_subnets import subnet_exposure
from phasegate_policies.stackview import StackView

from .recording import RecordedResource
from .tree import lookup

SUBNET = "aws:ec2/subnet:Subnet"
VPC = "aws:ec2/vpc:Vpc"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
WAF_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
EIP = "aws:ec2/eip:Eip"

# type -> role. Roles: edge (CDN), filter (WAF), entry (load balancer, API), compute, control (a managed control
# plane), data (databases, caches, buckets), egress (NAT), ops (alarms, topics, budgets).
ROLES: dict[str, str] = {
    "aws:cloudfront/distribution:Distribution": "edge",
    "aws:wafv2/webAcl:WebAcl": "filter",
    "aws:lb/loadBalancer:LoadBalancer": "entry", "aws:alb/loadBalancer:LoadBalancer": "entry",
    "aws:apigatewayv2/api:Api": "entry", "aws:apigateway/restApi:RestApi": "entry",
    "aws:ec2/instance:Instance": "compute", "aws:autoscaling/group:Group": "compute",
    "aws:eks/nodeGroup:NodeGroup": "compute", "aws:ecs/service:Service": "compute",
    "aws:lambda/function:Function": "compute",
    "eks:index:Cluster": "control", "aws:eks/cluster:Cluster": "control",
    "aws:rds/instance:Instance": "data", "aws:rds/cluster:Cluster": "data",
    "aws:elasticache/replicationGroup:ReplicationGroup": "data",
    "aws:elasticache/serverlessCache:ServerlessCache": "data",
    "aws:s3/bucket:Bucket": "data", "aws:s3/bucketV2:BucketV2": "data",
    "aws:ec2/natGateway:NatGateway": "egress",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "ops", "aws:sns/topic:Topic": "ops", "aws:budgets/budget:Budget": "ops",
}
SHAPES = {"edge": '(["{}"])', "filter": '{{{{"{}"}}}}', "entry": '(["{}"])', "compute": '["{}"]', "control": '["{}"]',
          "data": '[("{}")]', "egress": '{{{{"{}"}}}}', "ops": '>"{}"]'}
DATA_FLOW = {"aws:rds/instance:Instance": "SQL", "aws:rds/cluster:Cluster": "SQL",
             "aws:elasticache/replicationGroup:ReplicationGroup": "cache",
             "aws:elasticache/serverlessCache:ServerlessCache": "cache",
             "aws:s3/bucket:Bucket": "objects", "aws:s3/bucketV2:BucketV2": "objects"}


def label(r: RecordedResource) -> str:
    """What a main resource is, in a few words, with the properties that size it."""
    p, t = r.inputs, r.type
    if t == "aws:ec2/instance:Instance":
        return f"{'NAT instance' if p.get('sourceDestCheck') is False else 'EC2'} {p.get('instanceType', '')}".strip()
    if t.endswith("oadBalancer:LoadBalancer"):
        kind = {"network": "NLB", "gateway": "GWLB"}.get(p.get("loadBalancerType"), "ALB")
        return f"{kind}{' (internal)' if p.get('internal') else ''}"
    if t.startswith("aws:rds/"):
        multi = " Multi-AZ" if p.get("multiAz") else ""
        return f"RDS {p.get('engine', '')} {p.get('instanceClass', '')}{multi}".replace("  ", " ").strip()
    if t == "aws:elasticache/replicationGroup:ReplicationGroup":
        return f"ElastiCache {p.get('engine', '')} {p.get('nodeType', '')}".strip()
    if t == "aws:elasticache/serverlessCache:ServerlessCache":
        return f"ElastiCache Serverless {p.get('engine', '')}".strip()
    if t == "aws:eks/nodeGroup:NodeGroup":
        types = ", ".join(p.get("instanceTypes") or []) or "nodes"
        desired = lookup(p, "scalingConfig.desiredSize")
        return f"EKS nodes {types}" + (f" x{int(desired)}" if isinstance(desired, (int, float)) else "")
    if t == "aws:lambda/function:Function":
        memory = p.get("memorySize")
        return "Lambda" + (f" {int(memory)} MB" if isinstance(memory, (int, float)) else "")
    names = {"aws:cloudfront/distribution:Distribution": "CloudFront", "aws:wafv2/webAcl:WebAcl": "WAF web ACL",
             "aws:apigatewayv2/api:Api": "API Gateway", "aws:apigateway/restApi:RestApi": "API Gateway",
             "aws:autoscaling/group:Group": "Auto Scaling group", "aws:ecs/service:Service": "ECS service",
             "eks:index:Cluster": "EKS control plane", "aws:eks/cluster:Cluster": "EKS control plane",
             "aws:s3/bucket:Bucket": "S3 bucket", "aws:s3/bucketV2:BucketV2": "S3 bucket",
             "aws:ec2/natGateway:NatGateway": "NAT gateway", "aws:cloudwatch/metricAlarm:MetricAlarm": "CloudWatch alarm",
             "aws:sns/topic:Topic": "SNS topic", "aws:budgets/budget:Budget": "AWS Budget"}
    return names.get(t, t.rsplit(":", 1)[-1])


def role(r: RecordedResource) -> Optional[str]:
    if r.type == "aws:ec2/instance:Instance" and r.inputs.get("sourceDestCheck") is False:
        return "egress"  # a NAT instance forwards traffic that is not its own
    return ROLES.get(r.type)


@dataclass
class _PackResource:
    """A recorded resource in the shape the pack's StackView reads (as pulumi_policy hands resources over)."""

    urn: str
    name: str
    resource_type: str
    props: Any
    parent: Optional["_PackResource"] = None
    property_dependencies: dict[str, list["_PackResource"]] = field(default_factory=dict)


def _pack_view(resources: list[RecordedResource]) -> StackView:
    adapted = {r.urn: _PackResource(r.urn, r.name, r.type, r.inputs) for r in resources}
    for r in resources:
        adapted[r.urn].parent = adapted.get(r.parent)
        adapted[r.urn].property_dependencies = {key: [adapted[u] for u in urns if u in adapted]
                                                for key, urns in r.property_dependencies.items()}
    return StackView(adapted.values())


@dataclass
class Node:
    id: str
    role: str
    label: str
    component: str
    tier: str  # public | private | vpc (spans both) | outside
    members: list[RecordedResource]

    def text(self) -> str:
        names = [m.name for m in self.members]
        shown = ", ".join(names[:3]) + (f" +{len(names) - 3}" if len(names) > 3 else "")
        count = f"{len(names)} x " if len(names) > 1 else ""
        return _escape(f"{count}{self.label}<br/>{shown}")


def _escape(text: str) -> str:
    return text.replace('"', "#quot;")


def _safe_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


class _Graph:
    def __init__(self, resources: Iterable[RecordedResource]):
        self.resources = sorted(resources, key=lambda r: r.urn)
        self.by_urn = {r.urn: r for r in self.resources}
        public, _ = subnet_exposure(_pack_view(self.resources))
        self.subnet_tier = {r.urn: ("public" if r.urn in public else "private")
                            for r in self.resources if r.type == SUBNET}

    def deps(self, r: RecordedResource) -> set[str]:
        return {u for urns in r.property_dependencies.values() for u in urns if u in self.by_urn}

    def dependents(self, urn: str) -> list[RecordedResource]:
        return [r for r in self.resources if urn in self.deps(r)]

    def component(self, r: RecordedResource) -> str:
        current = r
        while current.parent in self.by_urn:
            current = self.by_urn[current.parent]
        return current.name

    def tier(self, r: RecordedResource) -> str:
        subnets = {u for u in self.deps(r) if u in self.subnet_tier}
        for u in self.deps(r) - set(self.subnet_tier):  # one hop through a subnet group, never a main resource
            if role(self.by_urn[u]) is None:
                subnets |= {v for v in self.deps(self.by_urn[u]) if v in self.subnet_tier}
        tiers = {self.subnet_tier[u] for u in subnets}
        return tiers.pop() if len(tiers) == 1 else ("vpc" if tiers else "outside")


def mermaid(resources: Iterable[RecordedResource], title: str = "") -> str:
    """The stack as a Mermaid flowchart (`flowchart LR`)."""
    g = _Graph(resources)
    grouped: dict[tuple[str, str, str, str], list[RecordedResource]] = {}
    for r in g.resources:
        kind = role(r)
        if kind is not None:
            grouped.setdefault((g.tier(r), g.component(r), kind, label(r)), []).append(r)
    tier_order = {"public": 0, "private": 1, "vpc": 2, "outside": 3}
    nodes = [Node(f"n{i}", kind, text, component, tier, members) for i, ((tier, component, kind, text), members)
             in enumerate(sorted(grouped.items(), key=lambda kv: (tier_order[kv[0][0]], kv[0][1], kv[0][2], kv[0][3])))]
    node_of = {m.urn: n for n in nodes for m in n.members}

    out = ["flowchart LR"] + ([f"  %% {title}"] if title else []) + ['  internet(("Internet"))']
    vpcs = [r for r in g.resources if r.type == VPC]
    in_vpc = [n for n in nodes if n.tier != "outside"]
    if vpcs or in_vpc:
        cidr = vpcs[0].inputs.get("cidrBlock", "") if vpcs else ""
        out.append(f'  subgraph vpc["VPC {cidr}"]'.replace(' "]', '"]'))
        for tier in ("public", "private"):
            subnets = sorted(r.inputs.get("cidrBlock", "") for r in g.resources if g.subnet_tier.get(r.urn) == tier)
            members = [n for n in nodes if n.tier == tier]
            if not subnets and not members:
                continue
            out.append(f'    subgraph {tier}["{tier} subnets: {", ".join(subnets) or "none"}"]')
            out += _components(members, indent="      ", prefix=tier)
            out.append("    end")
        out += _components([n for n in nodes if n.tier == "vpc"], indent="    ", prefix="vpc")
        out.append("  end")
    out += _components([n for n in nodes if n.tier == "outside"], indent="  ", prefix="aws")
    out += [f"  {line}" for line in _edges(g, nodes, node_of)]
    return "\n".join(out) + "\n"


def _components(nodes: list[Node], indent: str, prefix: str) -> list[str]:
    out: list[str] = []
    for component in sorted({n.component for n in nodes}):
        out.append(f'{indent}subgraph {prefix}_{_safe_id(component)}["{_escape(component)}"]')
        out += [f"{indent}  {n.id}{SHAPES[n.role].format(n.text())}" for n in nodes if n.component == component]
        out.append(f"{indent}end")
    return out


def _edges(g: _Graph, nodes: list[Node], node_of: dict[str, Node]) -> list[str]:
    edges: list[str] = []

    def add(source: str, target: str, arrow: str, text: str = "") -> None:
        line = f"{source} {arrow}{f'|{text}|' if text else ''} {target}"
        if source != target and line not in edges:
            edges.append(line)

    compute = [n for n in nodes if n.role == "compute"]
    filtered = {}  # load balancer urn -> the WAF node in front of it
    for association in (r for r in g.resources if r.type == WAF_ASSOCIATION):
        targets = [node_of[u] for u in g.deps(association) if u in node_of]
        acl = next((n for n in targets if n.role == "filter"), None)
        for n in targets:
            if n.role == "entry" and acl is not None:
                filtered.update({m.urn: acl for m in n.members})
    fronted = set()
    for n in nodes:
        if n.role == "edge":
            add("internet", n.id, "-->", "HTTPS")
            for origin in sorted({node_of[u].id for m in n.members for u in g.deps(m) if u in node_of}):
                add(n.id, origin, "-->", "origin")
        elif n.role == "entry" and not any(m.inputs.get("internal") for m in n.members):
            acl = next((filtered[m.urn] for m in n.members if m.urn in filtered), None)
            if acl is not None:
                add("internet", acl.id, "-->", "HTTPS")
                add(acl.id, n.id, "-->", "allowed")
            else:
                add("internet", n.id, "-->", "HTTPS")
        if n.role == "entry":
            targets = _served_by(g, n, node_of) or compute
            for target in targets:
                fronted.add(target.id)
                add(n.id, target.id, "-->", "requests")
    for n in compute:
        public_ip = any(m.inputs.get("associatePublicIpAddress") for m in n.members) or any(
            r.type == EIP and set(m.urn for m in n.members) & g.deps(r) for r in g.resources)
        if public_ip and n.id not in fronted:
            add("internet", n.id, "-->", "HTTPS")
        for store in (s for s in nodes if s.role == "data"):
            add(n.id, store.id, "==>", DATA_FLOW.get(store.members[0].type, "data"))
        if n.tier == "private":
            for nat in (e for e in nodes if e.role == "egress"):
                add(n.id, nat.id, "-.->", "outbound")
    for nat in (e for e in nodes if e.role == "egress"):
        add(nat.id, "internet", "-.->")
    for n in (o for o in nodes if o.role == "ops"):
        for target in sorted({node_of[u].id for m in n.members for u in g.deps(m)
                              if u in node_of and node_of[u].role == "ops"}):
            add(n.id, target, "-.->", "notify")
    return edges


def _served_by(g: _Graph, entry: Node, node_of: dict[str, Node]) -> list[Node]:
    """The compute an entry point sends requests to: through its listeners' target groups (attachments, or services
    that register with them), or integrations that name both (API Gateway and Lambda)."""
    entry_urns = {m.urn for m in entry.members}
    served: dict[str, Node] = {}
    for link in g.resources:
        linked = g.deps(link)
        if not linked & entry_urns:
            continue
        hops = [g.by_urn[u] for u in linked if u not in entry_urns]
        if link.type == LISTENER:  # listener -> target group -> whatever registers with it
            groups = [h for h in hops if h.type == TARGET_GROUP]
            hops = [d for tg in groups for d in g.dependents(tg.urn)]
            hops += [g.by_urn[u] for d in list(hops) if role(d) is None for u in g.deps(d)]
        for h in hops:
            if h.urn in node_of and node_of[h.urn].role == "compute":
                served[node_of[h.urn].id] = node_of[h.urn]
    return [served[k] for k in sorted(served)]
