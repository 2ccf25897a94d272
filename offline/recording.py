"""The resource graph as the engine sees it, recorded from the registrations a program makes under mocks.

`RecordingMonitor` keeps what the engine would know of each resource: type, name, parent, provider, inputs and
outputs in their wire form (numbers as floats, unknowns and secrets as the engine encodes them), options
(protect, ignoreChanges, aliases) and dependencies, with the URNs a real deployment gives (`engine_urn`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime.mocks import MockMonitor


@dataclass
class RecordedResource:
    urn: str
    type: str
    name: str
    custom: bool
    parent: str = ""
    provider: str = ""  # "<provider urn>::<provider id>", empty for the default provider
    id: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    protect: bool = False
    ignore_changes: list[str] = field(default_factory=list)
    delete_before_replace: bool = False
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)  # earlier URNs this resource answers to

    @property
    def provider_urn(self) -> str:
        return self.provider.rsplit("::", 1)[0] if self.provider else ""


ROOT_STACK_TYPE = "pulumi:pulumi:Stack"


def engine_urn(stack: str, project: str, parent: str, type_: str, name: str) -> str:
    """The URN the Pulumi engine gives a resource: its type qualified by every ancestor's type but the stack's.

    (pulumi's own MockMonitor qualifies by the direct parent's type only, and by the stack's too, so its URNs
    differ from a real deployment's; phasegate's URN snapshots must be the real ones.)
    """
    if parent:
        qualified = parent.split("::")[2]
        if qualified != ROOT_STACK_TYPE:
            type_ = f"{qualified}${type_}"
    return f"urn:pulumi:{stack}::{project}::{type_}::{name}"


class RecordingMonitor(MockMonitor):
    """A mock monitor that also keeps each registration's parent, provider, options and dependencies."""

    def __init__(self, mocks: pulumi.runtime.Mocks):
        super().__init__(mocks)
        self.recorded: dict[str, RecordedResource] = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        return engine_urn(pulumi.get_stack(), pulumi.get_project(), parent, type_, name)

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        registration = self.resources[response.urn]
        self.recorded[response.urn] = RecordedResource(
            urn=response.urn, type=request.type, name=request.name, custom=bool(request.custom),
            parent=request.parent, provider=request.provider, id=registration.id or "",
            inputs=json_format.MessageToDict(request.object),
            outputs=json_format.MessageToDict(response.object), protect=bool(request.protect),
            ignore_changes=list(request.ignoreChanges), delete_before_replace=bool(request.deleteBeforeReplace),
            dependencies=list(request.dependencies),
            property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
            aliases=self._alias_urns(request),
        )
        return response

    def _alias_urns(self, request) -> list[str]:
        """Alias specs resolved the way the engine does: unset fields default to the resource's own."""
        urns = list(request.aliasURNs)
        for alias in request.aliases:
            if alias.urn:
                urns.append(alias.urn)
                continue
            spec = alias.spec
            parent = "" if spec.noParent else (spec.parentUrn or request.parent)
            urns.append(engine_urn(spec.stack or pulumi.get_stack(), spec.project or pulumi.get_project(), parent,
                                   spec.type or request.type, spec.name or request.name))
        return urns
