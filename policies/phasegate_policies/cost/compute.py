"""Instances started on our behalf: autoscaling groups (from their launch template, mixed instances policy or launch
configuration) and EKS managed node groups (from their instance types, else their launch template's).

Only autoscaling groups the program declares are priced here. The ones EKS creates for a managed node group are
never Pulumi resources (the node group is priced instead), so nothing is counted twice; an
`aws:autoscaling/attachment:Attachment` that names such a group by name is free.

Where AWS may pick among several instance types, the most expensive is charged (an upper bound) and the line says so;
Spot capacity is charged at the on-demand price, also as an upper bound.
"""

from __future__ import annotations

import math
from typing import Any, Optional

from ..contract import ROOT_DEVICE_NAMES
from ..engine import UNKNOWN, as_bool, as_number, dig, items
from .base import Context, Line, Node, Resource, maps_public_ip, need, number, one_link, sized_line, volume_key
from .catalog import SizedPrice, Unpriceable

LAUNCH_TEMPLATES = ("aws:ec2/launchTemplate:LaunchTemplate",)
LAUNCH_CONFIGURATIONS = ("aws:ec2/launchConfiguration:LaunchConfiguration",)
# EKS's default instance type for a managed node group when neither it nor its launch template names one: "If you
# don't specify an instance type in a launch template or for instanceTypes, then t3.medium is used, by default."
# (Amazon EKS API, CreateNodegroupRequest.instanceTypes, as documented at docs.aws.amazon.com/sdk-for-kotlin/api/
# latest/eks/aws.sdk.kotlin.services.eks.model/-create-nodegroup-request/instance-types.html; the pulumi-aws NodeGroup
# docs say the same: Defaults to ["t3.medium"]), read 2026-12.
EKS_DEFAULT_INSTANCE_TYPE = "t3.medium"
# EKS's default node disk (pulumi-aws NodeGroup diskSize: "Defaults to 50 for Windows, 20 all other node groups").
EKS_DEFAULT_DISK_GB, EKS_DEFAULT_WINDOWS_DISK_GB = 20, 50
# AL2023's root volume when a template does not size it (as the EC2 instance pricer assumes).
DEFAULT_ROOT_GB = 8


def _template_for(r: Resource, ctx: Context, prop: str, spec: Any, id_key: str, name_key: str, what: str) -> Node:
    """The launch template a specification ({id, name, version}) names; a wholly unknown one is followed by its
    property dependency like an unknown id."""
    references = [UNKNOWN] if spec is UNKNOWN else [dig(spec, id_key), dig(spec, name_key)]
    return one_link(ctx, r, prop, references, LAUNCH_TEMPLATES, what)


def template_volumes(template: Node, default_root_gb: float) -> list[tuple[float, str, str]]:
    """(GB, volume type, device) of every EBS volume an instance from `template` gets, its root volume included.

    A root volume the template does not size is the image's (`default_root_gb`); a template that does not map the
    root device at all leaves the image's root volume, charged at the same default. A non-root volume without a size
    comes from a snapshot whose size is not known: Unpriceable. The EC2 API's default volume type is gp2.
    """
    volumes, root_mapped = [], False
    for index, mapping in enumerate(items(template.props, "blockDeviceMappings")):
        where = f"launch template {template.name} blockDeviceMappings[{index}]"
        mapping = need(mapping, where)
        ebs = need(dig(mapping, "ebs"), f"{where}.ebs")
        if ebs is None:
            continue  # an instance-store or suppressed device
        device = need(dig(mapping, "deviceName"), f"{where}.deviceName")
        is_root = device in ROOT_DEVICE_NAMES
        root_mapped = root_mapped or is_root
        size = number(dig(ebs, "volumeSize"), f"{where}.ebs.volumeSize", default_root_gb if is_root else None)
        kind = need(dig(ebs, "volumeType", default="gp2"), f"{where}.ebs.volumeType")
        volumes.append((size, kind, device))
    if not root_mapped:
        volumes.insert(0, (default_root_gb, "gp3", "the image's root device"))
    return volumes


def _volume_lines(volumes: list[tuple[float, str, str]], count: float, source: str, ctx: Context, region: str,
                  label: str = "volume") -> list[Line]:
    lines = []
    for gb, kind, device in volumes:
        price = ctx.catalog.price(volume_key(kind, f"{source} volume type"), region)
        lines.append(Line(f"{count:g} x {gb:g} GB {kind} {label} ({device}, {source})", count * gb * price))
    return lines


def _public_ipv4_lines(flag: Any, count: float, source: str, ctx: Context, region: str) -> list[Line]:
    public = as_bool(flag)
    if public is True:
        return [Line(f"{count:g} public IPv4 addresses ({source})", ctx.monthly("publicIpv4", region, count))]
    if public is UNKNOWN:
        return [Line(f"{count:g} public IPv4 addresses ({source}; whether they are assigned is unknown at preview: "
                     f"charged)", ctx.monthly("publicIpv4", region, count))]
    return []


def _template_public_ip(template: Node) -> Any:
    flags = [UNKNOWN if ni is UNKNOWN else dig(ni, "associatePublicIpAddress")
             for ni in items(template.props, "networkInterfaces")]
    if any(as_bool(f) is True for f in flags):
        return True
    return UNKNOWN if any(as_bool(f) is UNKNOWN for f in flags) else None


def _capacity(props: Any) -> tuple[float, str]:
    desired = dig(props, "desiredCapacity")
    if desired is not None:
        return number(desired, "desiredCapacity"), "desired capacity"
    return number(dig(props, "minSize"), "minSize"), "minimum size; no desired capacity"


def _type_price(ctx: Context, region: str, size: Any, what: str) -> SizedPrice:
    return ctx.sized("ec2Instance", region, need(size, what), what)


def _autoscaling_group(r: Resource, ctx: Context) -> list[Line]:
    props = r.props
    capacity, capacity_note = _capacity(props)
    mixed = need(dig(props, "mixedInstancesPolicy"), "mixedInstancesPolicy")
    if mixed is not None:
        return _mixed_instances(r, ctx, mixed, capacity, capacity_note)
    spec = dig(props, "launchTemplate")
    if spec is not None:
        template = _template_for(r, ctx, "launchTemplate", spec, "id", "name", "launchTemplate")
        size = dig(template.props, "instanceType")
        if size is None:
            raise Unpriceable(f"launch template {template.name} sets no instanceType, so the instance type cannot be "
                              f"told")
        price = _type_price(ctx, r.region, size, f"launch template {template.name} instanceType")
        source = f"launch template {template.name}"
        return ([sized_line(f"{capacity:g} x {size} instance ({capacity_note}, {source}), 730 h x ${price.usd:g}",
                            price, ctx, capacity)]
                + _volume_lines(template_volumes(template, DEFAULT_ROOT_GB), capacity, source, ctx, r.region)
                + _public_ipv4_lines(_template_public_ip(template), capacity, source, ctx, r.region))
    name = dig(props, "launchConfiguration")
    if name is not None:
        config = one_link(ctx, r, "launchConfiguration", [name], LAUNCH_CONFIGURATIONS, "launchConfiguration")
        return _launch_configuration_lines(config, capacity, capacity_note, ctx, r.region)
    raise Unpriceable("it names no launch template, mixed instances policy or launch configuration, so there is no "
                      "way to tell the instance type")


def _launch_configuration_lines(config: Node, count: float, note: str, ctx: Context, region: str) -> list[Line]:
    source = f"launch configuration {config.name}"
    size = need(dig(config.props, "instanceType"), f"{source} instanceType")
    price = _type_price(ctx, region, size, f"{source} instanceType")
    root = need(dig(config.props, "rootBlockDevice", default={}), f"{source} rootBlockDevice")
    volumes = [(number(dig(root, "volumeSize"), f"{source} rootBlockDevice.volumeSize", DEFAULT_ROOT_GB),
                need(dig(root, "volumeType", default="gp3"), f"{source} rootBlockDevice.volumeType"), "root")]
    for index, device in enumerate(items(config.props, "ebsBlockDevices")):
        device = need(device, f"{source} ebsBlockDevices[{index}]")
        volumes.append((number(dig(device, "volumeSize"), f"{source} ebsBlockDevices[{index}].volumeSize"),
                        need(dig(device, "volumeType", default="gp2"), f"{source} ebsBlockDevices[{index}].volumeType"),
                        str(dig(device, "deviceName", default=f"ebsBlockDevices[{index}]"))))
    return ([sized_line(f"{count:g} x {size} instance ({note}, {source}), 730 h x ${price.usd:g}", price, ctx, count)]
            + _volume_lines(volumes, count, source, ctx, region)
            + _public_ipv4_lines(dig(config.props, "associatePublicIpAddress"), count, source, ctx, region))


def _mixed_instances(r: Resource, ctx: Context, mixed: Any, capacity: float, capacity_note: str) -> list[Line]:
    """The most expensive way the group can fill its capacity from its overrides (an upper bound)."""
    policy_template = need(dig(mixed, "launchTemplate"), "mixedInstancesPolicy.launchTemplate")
    if policy_template is None:
        raise Unpriceable("mixedInstancesPolicy has no launchTemplate, so there is no way to tell the instance type")
    base = _template_for(r, ctx, "mixedInstancesPolicy", dig(policy_template, "launchTemplateSpecification"),
                         "launchTemplateId", "launchTemplateName", "mixedInstancesPolicy launch template")
    overrides = items(policy_template, "overrides")
    candidates = []  # (monthly USD, instances, type, price, template)
    for index, override in enumerate(overrides or [None]):
        where = f"mixedInstancesPolicy overrides[{index}]"
        override = need(override, where)
        template = base
        if override is not None and dig(override, "launchTemplateSpecification") is not None:
            template = _template_for(r, ctx, "mixedInstancesPolicy", dig(override, "launchTemplateSpecification"),
                                     "launchTemplateId", "launchTemplateName", f"{where} launch template")
        if override is not None and dig(override, "instanceRequirements") is not None:
            raise Unpriceable(f"{where} selects instance types by attributes (instanceRequirements), so the types AWS "
                              f"picks cannot be priced")
        size = dig(override, "instanceType") if override is not None else None
        size = size if size is not None else dig(template.props, "instanceType")
        if size is None:
            raise Unpriceable(f"neither {where} nor launch template {template.name} names an instance type")
        price = _type_price(ctx, r.region, size, f"{where} instanceType")
        weight = number(dig(override, "weightedCapacity") if override is not None else None,
                        f"{where}.weightedCapacity", 1) or 1
        instances = math.ceil(capacity / weight)
        volumes = template_volumes(template, DEFAULT_ROOT_GB)
        monthly = instances * (price.usd * ctx.hours + sum(
            gb * ctx.catalog.price(volume_key(kind, "volume type"), r.region) for gb, kind, _ in volumes))
        candidates.append((monthly, instances, need(size, where), price, template))
    monthly, instances, size, price, template = max(candidates, key=lambda c: c[0])
    sizes = sorted({c[2] for c in candidates})
    choice = (f"the most expensive of {', '.join(sizes)}, an upper bound" if len(sizes) > 1
              else f"launch template {template.name}")
    distribution = need(dig(mixed, "instancesDistribution", default={}), "mixedInstancesPolicy.instancesDistribution")
    on_demand = as_number(need(dig(distribution, "onDemandPercentageAboveBaseCapacity"),
                               "instancesDistribution.onDemandPercentageAboveBaseCapacity"))
    spot = "; Spot capacity charged at the on-demand price, an upper bound" if on_demand is not None and on_demand < 100 \
        else ""
    source = f"launch template {template.name}"
    return ([sized_line(f"{instances:g} x {size} instance ({capacity_note}; {choice}{spot}), 730 h x ${price.usd:g}",
                        price, ctx, instances)]
            + _volume_lines(template_volumes(template, DEFAULT_ROOT_GB), instances, source, ctx, r.region)
            + _public_ipv4_lines(_template_public_ip(template), instances, source, ctx, r.region))


def _node_addresses(r: Resource, ctx: Context, template: Optional[Node], nodes: float) -> list[Line]:
    """Nodes get a public IPv4 address each where the launch template's network interface asks for one or, if it says
    nothing, where their subnets map public IPv4 addresses: a managed node group "launched in a public subnet" needs
    the subnet's `MapPublicIpOnLaunch` set to true (EKS User Guide, managed-node-groups.adoc, Managed node groups
    concepts), and EC2 then assigns each instance a public IPv4 address."""
    flag = _template_public_ip(template) if template is not None else None
    if flag is None and not any(as_bool(dig(ni, "associatePublicIpAddress")) is False
                                for ni in (items(template.props, "networkInterfaces") if template else [])):
        flag = maps_public_ip(ctx, r, "subnetIds")
        source = "their subnets map public IPv4 addresses"
    else:
        source = f"launch template {template.name}" if template is not None else ""
    return _public_ipv4_lines(flag, nodes, source, ctx, r.region)


def _node_group(r: Resource, ctx: Context) -> list[Line]:
    """An EKS managed node group (aws:eks/nodeGroup:NodeGroup, or pulumi-eks's ManagedNodeGroup of the same shape)."""
    props = r.props
    template: Optional[Node] = None
    spec = dig(props, "launchTemplate")
    if spec is not None:
        template = _template_for(r, ctx, "launchTemplate", spec, "id", "name", "launchTemplate")
    types = need(dig(props, "instanceTypes"), "instanceTypes")
    if isinstance(types, list) and types:
        priced = [(_type_price(ctx, r.region, t, f"instanceTypes[{i}]"), t) for i, t in enumerate(types)]
        price, size = max(priced, key=lambda p: p[0].usd)
        note = (f" (the most expensive of {', '.join(str(t) for t in types)}: EKS may start any of them; an upper "
                f"bound)" if len(set(types)) > 1 else "")
    elif template is not None and dig(template.props, "instanceType") is not None:
        size = need(dig(template.props, "instanceType"), f"launch template {template.name} instanceType")
        price = _type_price(ctx, r.region, size, f"launch template {template.name} instanceType")
        note = f" (from launch template {template.name})"
    else:
        size, note = EKS_DEFAULT_INSTANCE_TYPE, " (EKS's default: neither the node group nor a launch template names a type)"
        price = _type_price(ctx, r.region, size, "instanceTypes")
    scaling = need(dig(props, "scalingConfig", default={}), "scalingConfig")
    desired = dig(scaling, "desiredSize")
    nodes = number(desired if desired is not None else dig(scaling, "minSize"), "scalingConfig.desiredSize")
    capacity = need(dig(props, "capacityType", default="ON_DEMAND"), "capacityType")
    if capacity == "SPOT":
        note += " (SPOT capacity charged at the on-demand price, an upper bound)"
    lines = [sized_line(f"{nodes:g} x {size} node{note}", price, ctx, nodes)] + _node_addresses(r, ctx, template, nodes)
    if template is not None:
        volumes = template_volumes(template, EKS_DEFAULT_DISK_GB)
        return lines + _volume_lines(volumes, nodes, f"launch template {template.name}", ctx, r.region,
                                     label="node volume")
    windows = str(need(dig(props, "amiType", default=""), "amiType")).upper().startswith("WINDOWS")
    disk = number(dig(props, "diskSize"), "diskSize", EKS_DEFAULT_WINDOWS_DISK_GB if windows else EKS_DEFAULT_DISK_GB)
    return lines + [Line(f"{nodes:g} x {disk:g} GB node volume", nodes * disk * ctx.catalog.price("ebsGp3Storage",
                                                                                                     r.region))]


PRICERS = {
    "aws:autoscaling/group:Group": _autoscaling_group,
    "aws:eks/nodeGroup:NodeGroup": _node_group,
    "eks:index:ManagedNodeGroup": _node_group,
}
