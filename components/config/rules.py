"""Rules that span sections of a stack file, checked before any resource exists.

They read what the runtime's model declares (`Capabilities`, `node_types`) and call its own rules
(`stack_problems`), never its name, so each holds for every runtime:
- A service may not ask for more CPU or memory than any node of its runtime can ever give one container.
- A runtime that needs a way out gets one; one that serves only public services gets no private one; one that
  runs only ECR images in its region (or reaches only AWS services, with egress endpoints) gets those.
- A WAF needs a load balancer to attach to.
Rules that need rendering (the boot script's size) run after validation, on the render side.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from phasegate_policies.cost.catalog import load_catalog

from .errors import LocatedError
from .types import Egress, ecr_region

if TYPE_CHECKING:
    from .models import StackConfig


def cross_section_problems(cfg: "StackConfig") -> list[LocatedError]:
    return [*_container_sizes(cfg), *cfg.compute.stack_problems(cfg), *_dr_region(cfg), *_egress(cfg),
            *_services(cfg), *_waf_needs_load_balancer(cfg)]


def _egress(cfg: "StackConfig") -> list[LocatedError]:
    what = cfg.compute.capabilities.egress_for
    if what is None or cfg.network.egress != Egress.NONE:
        return []
    return [LocatedError(("network", "egress"), (
        f"'none' leaves {cfg.compute.runtime} without a way out: its {what}; use instance (cheapest), gateway, "
        f"gatewayPerAz or endpoints"))]


def _services(cfg: "StackConfig") -> list[LocatedError]:
    """What the runtime asks of each service: public only, and images it can pull."""
    capabilities = cfg.compute.capabilities
    problems = []
    for index, svc in enumerate(cfg.app.services):
        where = ("app", "services", index)
        if capabilities.public_only_behind and not svc.public:
            problems.append(LocatedError(where + ("public",), (
                f"{cfg.compute.runtime} runs only public services (each behind the {capabilities.public_only_behind}"
                f"); there is no private service network between them: make it public with its own pathPrefix")))
        in_region = ecr_region(svc.image) == cfg.region
        if capabilities.ecr_in_region_only and not in_region:
            problems.append(LocatedError(where + ("image",), (
                f"{capabilities.ecr_in_region_only}; push it to <account>.dkr.ecr.{cfg.region}.amazonaws.com/"
                f"<repository> and name that")))
        elif capabilities.egress_for and cfg.network.egress == Egress.ENDPOINTS and not in_region:
            problems.append(LocatedError(where + ("image",), (
                f"egress 'endpoints' reaches only AWS services, so images must come from ECR in {cfg.region}; "
                f"push it there, or use egress instance or gateway")))
    return problems


def _waf_needs_load_balancer(cfg: "StackConfig") -> list[LocatedError]:
    """A WAF is refused wherever it would silently protect nothing (the composition only attaches it to an ALB)."""
    capabilities = cfg.compute.capabilities
    if not cfg.waf.enabled or capabilities.behind_load_balancer:
        return []
    return [LocatedError(("waf", "enabled"), capabilities.waf_refusal or (
        f"the {cfg.compute.runtime} runtime has no load balancer to put AWS WAF on: set enabled: false, or use a "
        f"runtime behind the load balancer"))]


def _dr_region(cfg: "StackConfig") -> list[LocatedError]:
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


def _container_sizes(cfg: "StackConfig") -> list[LocatedError]:
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
