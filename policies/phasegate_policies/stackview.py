"""A stack policy's view of the whole stack: resources linked through property dependencies, read safely.

At a first preview ids and ARNs are unknown, but the engine still sends property dependencies (which
resources an input came from). Links follow them first, and fall back to matching ids, ARNs or names only
where both sides are known. A rule that trips on one odd resource must not hide its findings on the others:
`each` runs a check per resource and reports a crash against that resource alone.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable
from typing import Any, Optional

from pulumi_policy import ReportViolation

from .engine import UNKNOWN, declared, dig, outputs

LINK_KEYS = ("id", "arn", "name", "bucket", "clusterIdentifier")


class StackView:
    def __init__(self, resources: Iterable[Any]):
        self.resources = list(resources)
        self._declared = {r.urn: declared(r) for r in self.resources}
        self._outputs = {r.urn: outputs(r) for r in self.resources}
        self._by_value: dict[str, Any] = {}
        self._descendants: dict[str, set[str]] = {}
        for r in self.resources:
            ancestor, seen = r.parent, set()
            while ancestor is not None and ancestor.urn not in seen:
                seen.add(ancestor.urn)
                self._descendants.setdefault(ancestor.urn, set()).add(r.resource_type)
                ancestor = ancestor.parent
        for r in self.resources:
            for key in LINK_KEYS:
                value = dig(self._outputs[r.urn], key)
                if isinstance(value, str) and value:
                    self._by_value.setdefault(value, r)

    def props(self, resource: Any) -> Any:
        """What the program declared (inputs), as plain data."""
        return self._declared[resource.urn]

    def outputs(self, resource: Any) -> Any:
        return self._outputs[resource.urn]

    def of_type(self, *types: str) -> list[Any]:
        return [r for r in self.resources if r.resource_type in types]

    def targets(self, resource: Any, prop: str, values: Optional[list[Any]] = None) -> list[Any]:
        """The resources `prop` of `resource` refers to: by property dependency, else by known id/ARN/name.

        `values` are the references when they sit inside `prop` (a launch template's `id` or `name`); by default
        the value of `prop` itself."""
        linked = list((resource.property_dependencies or {}).get(prop) or [])
        if linked:
            return linked
        if values is None:
            value = dig(self.props(resource), prop)
            values = value if isinstance(value, list) else [value]
        return [self._by_value[v] for v in values if isinstance(v, str) and v in self._by_value]

    def descendant_types(self, resource: Any) -> set[str]:
        """The types of the resources under `resource` (a component's children, theirs, and so on)."""
        return self._descendants.get(resource.urn, set())

    def refers_to_unresolved(self, resource: Any, prop: str) -> bool:
        """`prop` is set, but to something this view cannot resolve (an unknown, or a resource outside the stack)."""
        value = dig(self.props(resource), prop)
        if value is None or value == [] or self.targets(resource, prop):
            return False
        values = value if isinstance(value, list) else [value]
        return any(v is UNKNOWN or (isinstance(v, str) and v not in self._by_value) for v in values)


Finding = tuple[str, Optional[str]]  # message, URN


def each(resources: Iterable[Any], check: Callable[[Any], Iterable[Finding]], report_violation: ReportViolation,
         policy: str) -> None:
    """Run `check` on every resource; a crash on one is reported against it, and the others are still checked."""
    for resource in resources:
        try:
            for message, urn in check(resource):
                report_violation(message, urn)
        except Exception as exc:  # noqa: BLE001 - reported as a violation of this resource, then go on
            report_violation(crash_message(policy, exc), resource.urn)


def crash_message(policy: str, exc: BaseException) -> str:
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    location = f" at {where.filename.rsplit('/', 1)[-1]}:{where.lineno}" if where else ""
    return (f"policy {policy} could not judge this resource ({type(exc).__name__}: {exc}{location}), so it cannot "
            f"pass; fix the resource's properties or report the problem.")
