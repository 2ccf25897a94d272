"""What the pack knows of the stack under analysis: its phase, region and declared usage.

The engine starts the pack with PULUMI_STACK, PULUMI_PROJECT and PULUMI_CONFIG; pulumi_policy turns them
into Pulumi settings before each Analyze call, so `pulumi.Config` reads the stack's own config here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Optional

import pulumi

from .contract import PHASES
from .cost import PricedResource, Usage, parse_usage, region_of
from .engine import declared

__all__ = ["PHASES", "StackInfo", "current_stack", "priced_view", "resource_region"]
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class StackInfo:
    name: str
    phase: Optional[str]
    region: str
    usage: Usage
    usage_problems: tuple[str, ...]


def current_stack() -> StackInfo:
    config = pulumi.Config("phasegate")
    try:
        usage_raw = config.get_object("usage")
    except Exception:  # noqa: BLE001 - malformed JSON is reported as a usage problem, not a crash
        usage_raw = None
    usage, problems = parse_usage(usage_raw if isinstance(usage_raw, dict) else None)
    try:
        stack = pulumi.get_stack()
    except Exception:  # noqa: BLE001 - outside an engine run there is no stack
        stack = "unknown"
    return StackInfo(name=stack, phase=config.get("phase"), region=pulumi.Config("aws").get("region") or DEFAULT_REGION,
                     usage=usage, usage_problems=tuple(problems))


def resource_region(resource: Any, default: str) -> str:
    """A pulumi_policy resource's region: its own, its provider's, or `default`."""
    return region_of(resource.props, resource.provider.props if resource.provider else None, default)


def priced_view(resources: Iterable[Any], default_region: str) -> list[PricedResource]:
    """pulumi_policy's resources as the estimator's input: what each declared, in its own region, with the property
    dependencies and known ids the estimator follows from one resource to another (a node group's launch template)."""
    return [
        PricedResource.from_engine(urn=r.urn, type=r.resource_type, name=r.name, props=declared(r),
                                   provider_props=r.provider.props if r.provider else None,
                                   parent=r.parent.urn if r.parent else None, default_region=default_region,
                                   property_dependencies={prop: [d.urn for d in deps] for prop, deps in
                                                          (r.property_dependencies or {}).items()},
                                   outputs=r.props, component=r.provider is None)
        for r in resources
    ]
