"""Kubernetes objects that make AWS create something billed: load balancers and EBS volumes.

Workloads (Deployments, DaemonSets, Jobs...) run on nodes priced elsewhere and are free. What is not:

- A Service of type LoadBalancer: the in-tree AWS cloud controller creates a Classic Load Balancer, or a Network Load
  Balancer with the annotation `service.beta.kubernetes.io/aws-load-balancer-type: nlb`; with `external` (or the
  load balancer class `service.k8s.aws/nlb`) the AWS Load Balancer Controller creates an NLB, internal unless the
  scheme annotation says internet-facing. An internet-facing one has a public IPv4 address per AZ.
- A PersistentVolumeClaim, and each replica's claim from a StatefulSet's volumeClaimTemplates: an EBS volume of the
  requested size, gp3 unless the storage class says otherwise (a StorageClass of the stack is read for its type).
- A Helm release whose values ask anywhere for a LoadBalancer Service or for persistence: the pack cannot see what
  the chart creates, so it cannot price it. Otherwise a chart is as free as the workloads it runs.

A spec, annotation or value unknown at preview could be any of these, so it makes the object UnknownInput.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Optional

from ..engine import UNKNOWN, dig, items
from .base import SUBNETS, Context, Line, Resource, UnknownInput, need, number, volume_key
from .catalog import Unpriceable

TYPE_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-type"
INTERNAL_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-internal"
SCHEME_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-scheme"
NLB_CLASS = "service.k8s.aws/nlb"
STORAGE_CLASSES = ("kubernetes:storage.k8s.io/v1:StorageClass",)
_QUANTITY = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)\s*(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|m)?\s*$")
_FACTORS = {None: 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
            "Ki": 2 ** 10, "Mi": 2 ** 20, "Gi": 2 ** 30, "Ti": 2 ** 40, "Pi": 2 ** 50, "Ei": 2 ** 60}
GIB = 2 ** 30  # EBS bills GiB-months (AWS writes GB)


def _service(r: Resource, ctx: Context) -> list[Line]:
    spec = need(dig(r.props, "spec"), "spec (a Service of type LoadBalancer creates an AWS load balancer)")
    kind = need(dig(spec, "type", default="ClusterIP") if spec is not None else "ClusterIP",
                "spec.type (a Service of type LoadBalancer creates an AWS load balancer)")
    if kind != "LoadBalancer":
        return []
    metadata = need(dig(r.props, "metadata", default={}), "metadata (its annotations choose the load balancer)")
    annotations = need(dig(metadata, "annotations", default={}), "metadata.annotations (they choose the load balancer)")
    annotations = annotations if isinstance(annotations, dict) else {}

    def annotation(key: str) -> Any:
        return need(annotations.get(key), f"metadata.annotations[{key}]")

    lb_class = need(dig(spec, "loadBalancerClass"), "spec.loadBalancerClass")
    lb_type = annotation(TYPE_ANNOTATION)
    if lb_class is not None and lb_class != NLB_CLASS:
        raise Unpriceable(f"its load balancer class {lb_class!r} is implemented by a controller phasegate does not "
                          f"know, so what it creates cannot be priced")
    if lb_class == NLB_CLASS or lb_type in ("external", "nlb-ip"):
        # The AWS Load Balancer Controller: internal unless the scheme annotation says internet-facing.
        return _network_lb(r, ctx, "AWS Load Balancer Controller",
                           annotation(SCHEME_ANNOTATION) == "internet-facing")
    if lb_type == "nlb":
        return _network_lb(r, ctx, "in-tree cloud controller",
                           str(annotation(INTERNAL_ANNOTATION)).lower() != "true")
    if lb_type not in (None, "", "clb", "elb"):
        raise Unpriceable(f"its {TYPE_ANNOTATION} annotation {lb_type!r} names a load balancer phasegate does not know")
    return _classic_lb(r, ctx, str(annotation(INTERNAL_ANNOTATION)).lower() != "true")


def _public_addresses(r: Resource, ctx: Context, kind: str) -> list[Line]:
    """One public IPv4 address per AZ it spans: the stack's subnets' AZs, an upper bound of where it can go."""
    zones = {UNKNOWN if s.props is UNKNOWN else dig(s.props, "availabilityZone") for s in ctx.graph.of_type(*SUBNETS)}
    if UNKNOWN in zones or None in zones or not zones:
        raise UnknownInput(f"the AZs its internet-facing {kind} spans (one public IPv4 address each) are not known: the "
                           f"stack's subnets do not all name their availability zone")
    return [Line(f"{len(zones)} public IPv4 addresses (one per AZ of the stack's subnets, an upper bound)",
                 ctx.monthly("publicIpv4", r.region, len(zones)))]


def _classic_lb(r: Resource, ctx: Context, internet: bool) -> list[Line]:
    hourly = ctx.monthly("classicLbHour", r.region)  # a region without a price comes first
    gb = ctx.usage_of("gbServedPerMonth")
    lines = [Line("Classic Load Balancer (in-tree cloud controller, the default for type LoadBalancer), 730 h",
                  hourly),
             Line(f"{gb:g} GB processed (all declared internet traffic, an upper bound)",
                  gb * ctx.catalog.price("classicLbGb", r.region))]
    return lines + (_public_addresses(r, ctx, "Classic Load Balancer") if internet else [])


def network_lb_lines(r: Resource, ctx: Context, label: str) -> list[Line]:
    """An NLB's hours and NLCUs. An NLCU for TCP is 1 GB processed an hour, 800 new connections a second or 100,000
    active ones; the larger rules (aws.amazon.com/elasticloadbalancing/pricing/)."""
    hours, hourly = ctx.hours, ctx.monthly("networkLbHour", r.region)  # a region without a price comes first
    nlcus = max(ctx.usage_of("gbServedPerMonth") / hours, ctx.usage_of("requestsPerMonth") / (hours * 3600) / 800)
    return [Line(f"Network Load Balancer ({label}), 730 h", hourly),
            Line(f"{nlcus:.3f} NLCU average (all declared traffic, an upper bound)",
                 nlcus * ctx.monthly("networkLbNlcuHour", r.region))]


def _network_lb(r: Resource, ctx: Context, controller: str, internet: bool) -> list[Line]:
    lines = network_lb_lines(r, ctx, controller)
    return lines + (_public_addresses(r, ctx, "Network Load Balancer") if internet else [])


def quantity_gb(value: Any, what: str) -> float:
    """A Kubernetes storage quantity ("10Gi", "500M", 1e9) in GiB; Unpriceable when it is not one."""
    value = need(value, what)
    if value is None:
        raise Unpriceable(f"{what} is not set, so the volume's size is not known")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) / GIB
    match = _QUANTITY.match(str(value))
    if not match:
        raise Unpriceable(f"{what} {value!r} is not a Kubernetes quantity (e.g. 10Gi)")
    return round(float(match.group(1)) * _FACTORS[match.group(2)] / GIB, 6)


def _storage_class(ctx: Context, name: Any, what: str) -> Optional[tuple[str, str]]:
    """(catalog key, label) of the EBS volume a claim of storage class `name` gets; None when none is provisioned."""
    name = need(name, what)
    if name == "":
        return None  # no dynamic provisioning: it binds a volume that exists already
    classes = ctx.graph.of_type(*STORAGE_CLASSES)
    declared = [c for c in classes if dig(c.props, "metadata", "name") == name]
    if not declared and any(dig(c.props, "metadata", "name") is UNKNOWN for c in classes):
        raise UnknownInput(f"{what} may name a storage class of this stack whose name is unknown at preview")
    if declared:
        cls = declared[0]
        provisioner = need(dig(cls.props, "provisioner"), f"storage class {name} provisioner")
        if provisioner not in ("ebs.csi.aws.com", "kubernetes.io/aws-ebs"):
            raise Unpriceable(f"storage class {name} uses the provisioner {provisioner}, which phasegate does not price")
        kind = need(dig(cls.props, "parameters", "type", default="gp3" if provisioner == "ebs.csi.aws.com" else "gp2"),
                    f"storage class {name} parameters.type")
        return volume_key(kind, f"storage class {name} type"), f"{kind} (storage class {name})"
    text = str(name or "").lower()
    if "gp2" in text:
        return "ebsGp2Storage", f"gp2 (storage class {name})"
    if "gp3" in text:
        return "ebsGp3Storage", f"gp3 (storage class {name})"
    for kind in ("io1", "io2", "st1", "sc1", "efs", "fsx"):
        if kind in text:
            raise Unpriceable(f"storage class {name} provisions {kind} storage, which the catalog does not price")
    return "ebsGp3Storage", f"gp3 ({f'storage class {name}, assumed gp3' if name else 'the default storage class, assumed gp3'})"


def _claim(spec: Any, what: str, ctx: Context) -> Optional[tuple[float, str, str]]:
    spec = need(spec, f"{what}.spec")
    gb = quantity_gb(dig(spec, "resources", "requests", "storage"), f"{what}.spec.resources.requests.storage")
    storage = _storage_class(ctx, dig(spec, "storageClassName"), f"{what}.spec.storageClassName")
    return None if storage is None else (gb, storage[0], storage[1])


def _persistent_volume_claim(r: Resource, ctx: Context) -> list[Line]:
    claim = _claim(dig(r.props, "spec"), "claim", ctx)
    if claim is None:
        return []
    gb, key, label = claim
    return [Line(f"{gb:g} GB {label} EBS volume", gb * ctx.catalog.price(key, r.region))]


def _stateful_set(r: Resource, ctx: Context) -> list[Line]:
    spec = need(dig(r.props, "spec"), "spec (its volumeClaimTemplates create EBS volumes)")
    if spec is None:
        return []
    templates = items(spec, "volumeClaimTemplates")
    if not templates:
        return []
    replicas = number(dig(spec, "replicas"), "spec.replicas", 1)
    lines = []
    for index, template in enumerate(templates):
        where = f"spec.volumeClaimTemplates[{index}]"
        template = need(template, where)
        claim = _claim(dig(template, "spec"), where, ctx)
        if claim is None:
            continue
        gb, key, label = claim
        name = dig(template, "metadata", "name", default=f"[{index}]")
        lines.append(Line(f"{replicas:g} x {gb:g} GB {label} EBS volume (claim template {name}, one per replica)",
                          replicas * gb * ctx.catalog.price(key, r.region)))
    return lines


def chart_findings(values: Any, path: str = "values") -> Iterable[str]:
    """What in a chart's values would make AWS bill something the pack cannot see; UnknownInput on an unknown."""
    if values is UNKNOWN:
        raise UnknownInput(f"{path} is unknown at preview, so what the chart creates cannot be shown to cost nothing")
    if isinstance(values, dict):
        if values.get("type") == "LoadBalancer":
            yield f"{path}.type is LoadBalancer (an AWS load balancer)"
        if values.get("kind") == "PersistentVolumeClaim":
            yield f"{path} is a PersistentVolumeClaim (an EBS volume)"
        for key, value in values.items():
            where = f"{path}.{key}"
            if key == "persistence" and value is not UNKNOWN and _enabled(value):
                yield f"{where} asks for persistent volumes (EBS)"
            elif key in ("volumeClaimTemplates", "persistentVolumeClaim", "persistentVolumeClaims") and value \
                    and value is not UNKNOWN:
                yield f"{where} asks for persistent volumes (EBS)"
            yield from chart_findings(value, where)
    elif isinstance(values, list):
        for index, value in enumerate(values):
            yield from chart_findings(value, f"{path}[{index}]")


def _enabled(persistence: Any) -> bool:
    if isinstance(persistence, dict):
        enabled = persistence.get("enabled", True)
        if enabled is UNKNOWN:
            raise UnknownInput("values.persistence.enabled is unknown at preview")
        return enabled not in (False, "false")
    return persistence in (True, "true")


def _helm(r: Resource, ctx: Context) -> list[Line]:
    files = need(dig(r.props, "valueYamlFiles"), "valueYamlFiles")
    if files:
        raise Unpriceable("cannot price what the chart creates: its values come from files (valueYamlFiles) the pack "
                          "cannot read, so they cannot be shown to ask for no load balancer or persistent volume")
    findings = list(chart_findings(dig(r.props, "values", default={})))
    if findings:
        raise Unpriceable(f"cannot price what the chart creates: {'; '.join(findings)}")
    return []


PRICERS = {
    "kubernetes:core/v1:Service": _service,
    "kubernetes:core/v1:ServicePatch": _service,
    "kubernetes:core/v1:PersistentVolumeClaim": _persistent_volume_claim,
    "kubernetes:apps/v1:StatefulSet": _stateful_set,
    "kubernetes:helm.sh/v3:Release": _helm,
    "kubernetes:helm.sh/v4:Chart": _helm,
}
