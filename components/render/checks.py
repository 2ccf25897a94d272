"""Config checks that need the render side: run after the config validated, before any resource exists.

The config package may not import rendering (it validates a stack file with nothing but pydantic and the pack),
so what depends on what phasegate renders or installs is checked here: a boot script's size against EC2's
user-data limit, and the app's pods against what an EKS node group can schedule beside the cluster's own pods.
Each returns the config's `LocatedError`s, which the loader reports like every other problem.
"""

from __future__ import annotations

from typing import Callable

from phasegate_policies.cost.catalog import load_catalog

from ..config.errors import LocatedError
from ..config.models import App, StackConfig
from .boot_scripts import USER_DATA_LIMIT
from .limits import EKS_CLUSTER_ADDONS_CPU, EKS_CLUSTER_ADDONS_MIB, EKS_CLUSTER_PODS, eks_node_allocatable
from .placeholders import boot_scripts


def boot_script_sizes(cfg: StackConfig) -> list[LocatedError]:
    """Render each boot script with the longest plausible AWS names; name the biggest contributors if over."""
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


def _contributions(cfg: StackConfig, render: Callable[[App], str], size: int) -> list[tuple[str, int]]:
    parts = []
    for index, svc in enumerate(cfg.app.services):
        for key in ("environment", "secrets"):
            if getattr(svc, key):
                lighter = cfg.app.model_copy(update={"services": [
                    s.model_copy(update={key: {}}) if i == index else s for i, s in enumerate(cfg.app.services)]})
                parts.append((f"services[{index}].{key}", size - len(render(lighter).encode())))
    return sorted(parts, key=lambda part: -part[1])


def eks_pods_fit(cfg: StackConfig) -> list[LocatedError]:
    """The app's pods, at their configured replicas, must fit on the smallest node group EKS may scale to, beside
    the pods the cluster runs for itself (CoreDNS, metrics-server, Traefik: `EKS_CLUSTER_PODS`)."""
    compute = cfg.compute
    spec = load_catalog().spec("ec2Instance", compute.node_type)
    if spec is None:
        return []
    cpu, memory_mib = eks_node_allocatable(compute.node_type, spec.vcpu, spec.memory_gib)
    nodes = compute.min_nodes
    app_cpu = sum(svc.cpu * svc.replicas for svc in cfg.app.services)
    app_mib = sum(svc.memory_mb * svc.replicas for svc in cfg.app.services)
    theirs = ", ".join(pods.name for pods in EKS_CLUSTER_PODS)
    short = [  # (over, what the services ask, what the cluster's pods ask, what the nodes have, the key to lower)
        (app_cpu + EKS_CLUSTER_ADDONS_CPU > cpu * nodes, f"{app_cpu:g} vCPUs", f"{EKS_CLUSTER_ADDONS_CPU:g}",
         f"{cpu * nodes:.2f} vCPUs", "cpu"),
        (app_mib + EKS_CLUSTER_ADDONS_MIB > memory_mib * nodes, f"{app_mib:,} MiB", f"{EKS_CLUSTER_ADDONS_MIB} MiB",
         f"{memory_mib * nodes:,.0f} MiB", "memoryMb"),
    ]
    return [LocatedError(("app", "services"), (
        f"the services request {asked} at their replicas (plus {cluster} for {theirs}), more than {nodes} x "
        f"{compute.node_type} can schedule ({have} after what EKS and its daemons reserve): pods would stay Pending; "
        f"lower {key} or replicas, or raise compute.minNodes or the node type"))
        for over, asked, cluster, have, key in short if over]
