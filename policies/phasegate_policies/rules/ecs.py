"""ECS: what CreateService refuses, seen in the graph before anything exists (both mandatory).

- A capacity provider strategy may name only providers already associated with the cluster ("Only capacity providers
  that are already associated with a cluster and have an ACTIVE or UPDATING status can be used in a capacity provider
  strategy", https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html), and the
  association is its own resource: a service must depend on it, or a first `pulumi up` may create them in either order.
- "FARGATE_SPOT supports Linux tasks with the ARM64 architecture on platform version 1.4.0 or later" (same page): a
  pinned older platform for an ARM64 task on Spot is refused. LATEST (the default) is fine.

At a first preview cluster ARNs are unknown: a service's cluster and an association's cluster are matched by the
property dependencies of `cluster` and `clusterName`, and by known ARN or name otherwise. What cannot be matched
either way cannot pass.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Optional

from pulumi_policy import ReportViolation, StackValidationArgs

from ..declare import MANDATORY, stack_policy
from ..engine import UNKNOWN, dig, items
from ..props import with_config_defaults
from ..stackview import Finding, StackView, each

SERVICE = "aws:ecs/service:Service"
CLUSTER = "aws:ecs/cluster:Cluster"
PROVIDERS = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


def _clusters(view: StackView, resource: Any, prop: str) -> Optional[set[str]]:
    """The URNs of this stack's clusters that `prop` names: none when it names one elsewhere (or is absent, the
    account's default cluster), None when that cannot be told (unknown and not linked)."""
    linked = {r.urn for r in view.targets(resource, prop) if r.resource_type == CLUSTER}
    if linked:
        return linked
    value = dig(view.props(resource), prop)
    if value is UNKNOWN:
        return None
    if not isinstance(value, str):
        return set()
    return {c.urn for c in view.of_type(CLUSTER)
            if value in {dig(view.outputs(c), key) for key in ("arn", "id", "name")} - {None, UNKNOWN}}


def _depends_on(resource: Any, urn: str) -> bool:
    """`resource` waits for `urn`: an explicit dependency or an input taken from it."""
    direct = {d.urn for d in resource.dependencies or []}
    through_inputs = {d.urn for linked in (resource.property_dependencies or {}).values() for d in linked or []}
    return urn in direct | through_inputs


def _associations(view: StackView, service: Any) -> Iterable[tuple[Any, Optional[bool]]]:
    """Each capacity provider association of the stack, and whether it is the service's cluster's (None: unknown)."""
    own = _clusters(view, service, "cluster")
    for association in view.of_type(PROVIDERS):
        theirs = _clusters(view, association, "clusterName")
        yield association, (None if own is None or theirs is None else bool(own & theirs))


def _strategy(view: StackView, service: Any, follow_default: bool) -> list[Any]:
    """The capacity providers the service's tasks run on: its own strategy's, else (no launch type either) those of its
    cluster's default strategy; UNKNOWN for any that is not known yet."""
    props = view.props(service)
    own = items(props, "capacityProviderStrategies")
    if own:
        return [UNKNOWN if s is UNKNOWN else dig(s, "capacityProvider") for s in own]
    if not follow_default or dig(props, "launchType") is not None:
        return []
    providers: list[Any] = []
    for association, same in _associations(view, service):
        if same is False:
            continue
        for item in items(view.props(association), "defaultCapacityProviderStrategies"):
            providers.append(UNKNOWN if item is UNKNOWN or same is None else dig(item, "capacityProvider"))
    return providers


PROVIDERS_SCHEMA = {"followDefaultStrategy": {
    "type": "boolean", "default": True,
    "description": "Also judge services without a strategy or launch type of their own: they run on the cluster's "
                   "default strategy, which the association sets."}}


def _providers_first(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    follow_default = bool(with_config_defaults(args.get_config(), PROVIDERS_SCHEMA)["followDefaultStrategy"])
    view = StackView(args.resources)

    def check(service: Any) -> Iterable[Finding]:
        if not _strategy(view, service, follow_default):
            return
        for association, same in _associations(view, service):
            if same is False or _depends_on(service, association.urn):
                continue
            if same is None:
                yield (f"ECS service {service.name} cannot be shown to wait for the capacity providers "
                       f"{association.name}: its cluster or theirs is unknown at preview and not linked to a cluster "
                       f"of this stack. Give the service depends_on=[{association.name}] or pass the cluster's own "
                       f"outputs.", service.urn)
            else:
                yield (f"ECS service {service.name} runs on capacity providers of its cluster but does not depend on "
                       f"{association.name}, which associates them: ECS refuses a strategy naming a provider not yet "
                       f"associated with the cluster. Add depends_on=[{association.name}] to the service.", service.urn)

    each(view.of_type(SERVICE), check, report_violation, "ecs-capacity-providers-first")


SPOT_SCHEMA = {"minimumPlatformVersion": {
    "type": "string", "pattern": r"^\d+\.\d+\.\d+$", "default": "1.4.0",
    "description": "Oldest Fargate platform version on which FARGATE_SPOT runs ARM64 tasks (ECS API reference, "
                   "CapacityProviderStrategyItem)."}}


def _version(text: str) -> Optional[tuple[int, ...]]:
    match = VERSION.match(text)
    return tuple(int(part) for part in match.groups()) if match else None


def _spot_arm64_platform(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    minimum_text = str(with_config_defaults(args.get_config(), SPOT_SCHEMA)["minimumPlatformVersion"])
    minimum = _version(minimum_text) or (1, 4, 0)
    view = StackView(args.resources)

    def check(service: Any) -> Iterable[Finding]:
        providers = _strategy(view, service, follow_default=True)
        if "FARGATE_SPOT" not in providers and UNKNOWN not in providers:
            return
        version = dig(view.props(service), "platformVersion")
        if version is None or version == "LATEST":
            return
        if version is not UNKNOWN:
            pinned = _version(str(version))
            if pinned is None or pinned >= minimum:
                return
        tasks = [t for t in view.targets(service, "taskDefinition") if t.resource_type == TASK_DEFINITION]
        architectures = [dig(view.props(t), "runtimePlatform", "cpuArchitecture", default="X86_64") for t in tasks]
        if tasks and all(arch not in ("ARM64", UNKNOWN) for arch in architectures):
            return
        definite = (version is not UNKNOWN and "FARGATE_SPOT" in providers and tasks
                    and all(arch == "ARM64" for arch in architectures))
        if definite:
            yield (f"ECS service {service.name} runs ARM64 tasks on FARGATE_SPOT with platform version {version}: "
                   f"FARGATE_SPOT runs ARM64 tasks only on {minimum_text} or later. Set platform_version to LATEST or "
                   f"at least {minimum_text}.", service.urn)
        else:
            yield (f"ECS service {service.name} may run ARM64 tasks on FARGATE_SPOT with platform version "
                   f"{'unknown at preview' if version is UNKNOWN else version}, and this cannot be ruled out (its "
                   f"strategy, task definition or platform version is unknown or outside this stack): FARGATE_SPOT "
                   f"runs ARM64 tasks only on {minimum_text} or later. Set platform_version to LATEST or at least "
                   f"{minimum_text}.", service.urn)

    each(view.of_type(SERVICE), check, report_violation, "fargate-spot-arm64-platform")


POLICIES = [
    stack_policy("ecs-capacity-providers-first", "ECS services that run on capacity providers depend on their "
                 "cluster's capacity provider association, so it exists before CreateService names them.", MANDATORY,
                 _providers_first, PROVIDERS_SCHEMA),
    stack_policy("fargate-spot-arm64-platform", "ECS services do not run ARM64 tasks on FARGATE_SPOT on a pinned "
                 "platform version older than 1.4.0.", MANDATORY, _spot_arm64_platform, SPOT_SCHEMA),
]
