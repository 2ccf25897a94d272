"""Rules that span sections of a stack file, checked before any resource exists.

- A service may not ask for more CPU or memory than any node of its runtime can ever give one container.
- A host's boot script must fit EC2's 16 KB user-data limit; when it would not, say which keys make it large.
- K3s's pod and service networks must not overlap the VPC (or each other).
"""

from __future__ import annotations

import datetime
import ipaddress
from typing import TYPE_CHECKING, Callable, Optional

from phasegate_policies.contract import EKS_STANDARD_SUPPORT_ENDS
from phasegate_policies.cost.catalog import load_catalog

if TYPE_CHECKING:
    from .models import LocatedError, StackConfig


def cross_section_problems(cfg: "StackConfig") -> list["LocatedError"]:
    return [*_container_sizes(cfg), *_boot_script_sizes(cfg), *_k3s_networks(cfg), *_eks_nodes_and_support(cfg),
            *_eks_pods_fit(cfg), *_docker_networks(cfg), *_dr_region(cfg), *_serverless(cfg),
            *_waf_needs_load_balancer(cfg)]


def _serverless(cfg: "StackConfig") -> list["LocatedError"]:
    """Fargate and Lambda: what they need from the network and the images, checked before anything exists."""
    from ..config.types import Egress
    from ..render.serverless import ecr_region
    from .models import LocatedError

    runtime = cfg.compute.runtime
    if runtime not in ("fargate", "lambda"):
        return []
    problems = []
    what = "tasks pull their images and read Secrets Manager" if runtime == "fargate" else \
        "functions read Secrets Manager and whatever else the app calls"
    if cfg.network.egress == Egress.NONE:
        problems.append(LocatedError(("network", "egress"), (
            f"'none' leaves {runtime} without a way out: its {what}; use instance (cheapest), gateway, gatewayPerAz or "
            f"endpoints")))
    for index, svc in enumerate(cfg.app.services):
        where = ("app", "services", index)
        if not svc.public:
            problems.append(LocatedError(where + ("public",), (
                f"{runtime} runs only public services (each behind the {'load balancer' if runtime == 'fargate' else 'API'}"
                f"); there is no private service network between them: make it public with its own pathPrefix")))
        in_region = ecr_region(svc.image) == cfg.region
        if runtime == "lambda" and not in_region:
            problems.append(LocatedError(where + ("image",), (
                f"Lambda runs images only from ECR in the function's region; push it to "
                f"<account>.dkr.ecr.{cfg.region}.amazonaws.com/<repository> and name that")))
        elif cfg.network.egress == Egress.ENDPOINTS and not in_region:
            problems.append(LocatedError(where + ("image",), (
                f"egress 'endpoints' reaches only AWS services, so images must come from ECR in {cfg.region}; "
                f"push it there, or use egress instance or gateway")))
        if runtime == "lambda" and cfg.compute.memory_mb is None and svc.memory_mb > 10240:
            problems.append(LocatedError(where + ("memoryMb",), (
                f"{svc.memory_mb} MiB is more than a Lambda function can have (10,240 MiB)")))
    return problems


# Runtimes that serve the internet without a load balancer, so a web ACL has nothing to attach to. AWS WAF
# protects ALBs, API Gateway REST APIs, CloudFront, AppSync, Cognito, App Runner and Verified Access, not HTTP APIs
# or an EC2 instance (https://docs.aws.amazon.com/waf/latest/developerguide/how-aws-waf-works-resources.html).
NO_LOAD_BALANCER = {
    "compose": "the compose host serves the internet itself (Caddy on its Elastic IP); there is no load balancer to "
               "put AWS WAF on: set enabled: false, or use a runtime behind the load balancer (k3s, fargate, eks)",
    "lambda": "AWS WAF cannot protect an API Gateway HTTP API; the lambda runtime has no load balancer to put it on: "
              "set enabled: false, or use the fargate runtime",
}


def _waf_needs_load_balancer(cfg: "StackConfig") -> list["LocatedError"]:
    """A WAF is refused wherever it would silently protect nothing (the composition only attaches it to an ALB)."""
    from .models import LocatedError

    if not cfg.waf.enabled or cfg.compute.runtime not in NO_LOAD_BALANCER:
        return []
    return [LocatedError(("waf", "enabled"), NO_LOAD_BALANCER[cfg.compute.runtime])]


def _dr_region(cfg: "StackConfig") -> list["LocatedError"]:
    from .models import LocatedError

    if not cfg.database.dr_copy:
        return []
    if cfg.database.dr_region == cfg.region:
        return [LocatedError(("database", "drRegion"), (
            f"{cfg.region} is the stack's own region; disaster-recovery copies must go to another region"))]
    if cfg.dr_region is None:
        return [LocatedError(("database", "drRegion"), (
            f"is required with drCopy in {cfg.region}, which has no default partner region; name one, e.g. "
            f"us-west-2"))]
    return []


# Docker's own networks on the compose host: the default bridge and the pools Compose networks are cut from.
# A VPC overlapping them would make the database (or anything in the VPC) unreachable from the containers.
DOCKER_NETWORKS = ("172.17.0.0/16", "172.18.0.0/15", "172.20.0.0/14", "172.24.0.0/13", "192.168.0.0/16")


def _docker_networks(cfg: "StackConfig") -> list["LocatedError"]:
    from .models import LocatedError

    if cfg.compute.runtime != "compose":
        return []
    vpc = ipaddress.IPv4Network(cfg.network.cidr)
    clash = [net for net in DOCKER_NETWORKS if vpc.overlaps(ipaddress.IPv4Network(net))]
    if not clash:
        return []
    return [LocatedError(("network", "cidr"), (
        f"{cfg.network.cidr} overlaps Docker's networks on the compose host ({', '.join(clash)}): containers could "
        f"not reach the database; use a range in 10.0.0.0/8, e.g. 10.0.0.0/16"))]


def _eks_pods_fit(cfg: "StackConfig") -> list["LocatedError"]:
    """The app's pods, at their configured replicas, must fit on the smallest node group EKS may scale to, beside
    the pods the cluster runs for itself (CoreDNS, metrics-server, Traefik: `EKS_CLUSTER_PODS`)."""
    from ..render.limits import EKS_CLUSTER_ADDONS_CPU, EKS_CLUSTER_ADDONS_MIB, EKS_CLUSTER_PODS, eks_node_allocatable
    from .models import LocatedError

    compute = cfg.compute
    if compute.runtime != "eks":
        return []
    spec = load_catalog().spec("ec2Instance", compute.node_type)
    if spec is None:
        return []
    cpu, memory_mib = eks_node_allocatable(compute.node_type, spec.vcpu, spec.memory_gib)
    nodes = compute.min_nodes
    app_cpu = sum(svc.cpu * svc.replicas for svc in cfg.app.services)
    app_mib = sum(svc.memory_mb * svc.replicas for svc in cfg.app.services)
    have_cpu, have_mib = cpu * nodes, memory_mib * nodes
    theirs = ", ".join(pods.name for pods in EKS_CLUSTER_PODS)
    problems = []
    if app_cpu + EKS_CLUSTER_ADDONS_CPU > have_cpu:
        problems.append(LocatedError(("app", "services"), (
            f"the services request {app_cpu:g} vCPUs at their replicas (plus {EKS_CLUSTER_ADDONS_CPU:g} for "
            f"{theirs}), more than {nodes} x {compute.node_type} can "
            f"schedule ({have_cpu:.2f} vCPUs after what EKS and its daemons reserve): pods would stay Pending; lower "
            f"cpu or replicas, or raise compute.minNodes or the node type")))
    if app_mib + EKS_CLUSTER_ADDONS_MIB > have_mib:
        problems.append(LocatedError(("app", "services"), (
            f"the services request {app_mib:,} MiB at their replicas (plus {EKS_CLUSTER_ADDONS_MIB} MiB for "
            f"{theirs}), more than {nodes} x {compute.node_type} can "
            f"schedule ({have_mib:,.0f} MiB after what EKS and its daemons reserve): pods would stay Pending; lower "
            f"memoryMb or replicas, or raise compute.minNodes or the node type")))
    return problems


def eks_support_ended(version: str, today: Optional[datetime.date] = None) -> bool:
    """True when `version` is past EKS standard support (so it is upgraded, or billed extended support)."""
    ends = datetime.date.fromisoformat(EKS_STANDARD_SUPPORT_ENDS[version])
    return (today or datetime.date.today()) >= ends


def _eks_nodes_and_support(cfg: "StackConfig") -> list["LocatedError"]:
    from ..parts.ec2 import is_graviton
    from .models import LocatedError

    compute = cfg.compute
    if compute.runtime != "eks":
        return []
    problems = []
    if compute.node_instance_type and is_graviton(compute.node_instance_type) != (compute.architecture == "arm64"):
        problems.append(LocatedError(("compute", "nodeInstanceType"), (
            f"{compute.node_instance_type!r} does not match architecture {compute.architecture}; use a "
            f"{'Graviton (…g) ' if compute.architecture == 'arm64' else 'non-Graviton '}type or change architecture")))
    if compute.upgrade_policy == "STANDARD" and eks_support_ended(compute.version):
        problems.append(LocatedError(("compute", "version"), (
            f"EKS {compute.version} left standard support on {EKS_STANDARD_SUPPORT_ENDS[compute.version]}: with "
            f"upgradePolicy STANDARD, EKS upgrades it on its own; pin a supported version, or set upgradePolicy "
            f"EXTENDED and pay $0.60/h instead of $0.10/h")))
    return problems


def _container_sizes(cfg: "StackConfig") -> list["LocatedError"]:
    from .models import LocatedError

    catalog = load_catalog()
    specs = [(t, catalog.spec("ec2Instance", t)) for t in cfg.compute.node_types()]
    if not specs or any(spec is None for _, spec in specs):
        return []  # sizes without published specs are not judged here
    cpu_type, cpu_spec = max(specs, key=lambda item: item[1].vcpu)
    mem_type, mem_spec = max(specs, key=lambda item: item[1].memory_gib)
    problems = []
    for index, svc in enumerate(cfg.app.services):
        if svc.cpu > cpu_spec.vcpu:
            problems.append(LocatedError(("app", "services", index, "cpu"), (
                f"{svc.cpu:g} vCPUs is more than any {cfg.compute.runtime} node can give one container (the largest, "
                f"{cpu_type}, has {cpu_spec.vcpu}); lower it or choose larger instance types in phasegate:compute")))
        if svc.memory_mb > mem_spec.memory_gib * 1024:
            problems.append(LocatedError(("app", "services", index, "memoryMb"), (
                f"{svc.memory_mb} MiB is more than any {cfg.compute.runtime} node can give one container (the "
                f"largest, {mem_type}, has {mem_spec.memory_gib:g} GiB); lower it or choose larger instance types "
                f"in phasegate:compute")))
    return problems


def _boot_script_sizes(cfg: "StackConfig") -> list["LocatedError"]:
    """Render each boot script with the longest plausible AWS names; name the biggest contributors if over."""
    from ..render.boot_scripts import USER_DATA_LIMIT
    from ..render.placeholders import boot_scripts
    from .models import LocatedError

    problems = []
    for what, render in boot_scripts(cfg).items():
        size = len(render(cfg.app).encode())
        if size <= USER_DATA_LIMIT:
            continue
        parts = _contributions(cfg, render, size)
        biggest = ", ".join(f"{where} ({grows:,} bytes)" for where, grows in parts[:3])
        problems.append(LocatedError(("app", "services"), (
            f"the {what}'s boot script would be {size:,} bytes, over EC2's {USER_DATA_LIMIT:,}-byte user-data limit; "
            f"the largest parts: {biggest}; move big values into Secrets Manager (secrets) or the image, or split "
            f"services")))
    return problems


def _contributions(cfg: "StackConfig", render: Callable, size: int) -> list[tuple[str, int]]:
    parts = []
    for index, svc in enumerate(cfg.app.services):
        for key in ("environment", "secrets"):
            if getattr(svc, key):
                lighter = cfg.app.model_copy(update={"services": [
                    s.model_copy(update={key: {}}) if i == index else s for i, s in enumerate(cfg.app.services)]})
                parts.append((f"services[{index}].{key}", size - len(render(lighter).encode())))
    return sorted(parts, key=lambda part: -part[1])


def _k3s_networks(cfg: "StackConfig") -> list["LocatedError"]:
    from .models import LocatedError

    if cfg.compute.runtime != "k3s":
        return []
    vpc = ipaddress.IPv4Network(cfg.network.cidr)
    problems = []
    chosen = {}
    for key, value in (("clusterCidr", cfg.compute.cluster_cidr), ("serviceCidr", cfg.compute.service_cidr)):
        if value is None:
            continue
        network = ipaddress.IPv4Network(value)
        chosen[key] = network
        if network.overlaps(vpc):
            problems.append(LocatedError(("compute", key), (
                f"{value} overlaps the VPC {cfg.network.cidr} (phasegate:network.cidr): pods or services would "
                f"shadow real hosts; choose a range outside it")))
    if len(chosen) == 2 and chosen["clusterCidr"].overlaps(chosen["serviceCidr"]):
        problems.append(LocatedError(("compute", "serviceCidr"), (
            f"{chosen['serviceCidr']} overlaps clusterCidr {chosen['clusterCidr']}: K3s needs two separate ranges")))
    return problems
