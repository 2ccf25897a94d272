"""Cost diffs: what a change adds (`--compare-to REF`) or what one stack costs next to another (`--against STACK`).

Both sides are `CostSnapshot`s, from a fresh check or read back from a saved JSON report, so a diff never depends
on how its base was obtained. Deltas are in whole cents, per component, per resource and in total.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from .money import cents, decimal_text, signed
from .report import StackReport


@dataclass(frozen=True)
class CostSnapshot:
    """One stack's costs: total, per component and per resource, in cents."""

    stack: str
    total: Optional[int]  # None when the stack could not be built or priced
    components: dict[str, int] = field(default_factory=dict)
    resources: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # name -> (type, component, cents)
    errors: tuple[str, ...] = ()

    @classmethod
    def of(cls, report: StackReport) -> "CostSnapshot":
        if report.errors or report.total_usd is None:
            return cls(report.stack, None, errors=tuple(report.errors))
        # The total is the pack's (what the ceiling is judged on); its lines sum to it within a cent.
        return cls(report.stack, cents(report.total_usd), report.by_component_cents(), report.by_resource_cents())


@dataclass(frozen=True)
class Baseline:
    """What a stack is compared with: another stack, a git ref, or a saved report."""

    kind: str  # "stack" | "gitRef" | "report"
    label: str  # the stack's name, the ref as given, or the report's path

    def describe(self) -> str:
        return {"stack": f"stack {self.label}", "gitRef": f"{self.label}", "report": f"report {self.label}"}[self.kind]


@dataclass(frozen=True)
class Delta:
    name: str
    base: Optional[int]  # cents; None: not there in the base
    head: Optional[int]  # cents; None: gone in the head
    type: str = ""
    component: str = ""

    @property
    def delta(self) -> int:
        return (self.head or 0) - (self.base or 0)

    @property
    def change(self) -> str:
        if self.base is None:
            return "added"
        if self.head is None:
            return "removed"
        return "changed" if self.delta else "unchanged"


@dataclass(frozen=True)
class CostDiff:
    stack: str
    baseline: Baseline
    base_stack: str
    base_total: Optional[int]
    head_total: Optional[int]
    components: list[Delta]
    resources: list[Delta]  # changed ones only, the largest change first
    unchanged_resources: int = 0
    base_problem: Optional[str] = None  # why the base has no costs (no such stack there, or it did not build)

    @property
    def delta(self) -> Optional[int]:
        if self.head_total is None:
            return None
        return self.head_total - (self.base_total or 0)

    def rounding_note(self) -> Optional[str]:
        """Said when the component changes do not add up to the total's: lines are rounded to cents one by one (so
        an unchanged line never shows a change), the total once, by the pack."""
        if self.delta is None or sum(d.delta for d in self.components) == self.delta:
            return None
        return ("lines are rounded to cents one by one and the total once, so the changes above add up to the "
                "total's within a cent or two")


def compare(head: CostSnapshot, base: Optional[CostSnapshot], baseline: Baseline, base_stack: str) -> CostDiff:
    """The cost change from `base` (None: the base has no such stack) to `head`."""
    problem = None
    if base is None:
        problem = f"{base_stack} does not exist in {baseline.describe()}"
        base = CostSnapshot(base_stack, None)
    elif base.total is None:
        why = "; ".join(base.errors or ("no costs",))
        problem = f"{base_stack} could not be checked in {baseline.describe()}: {why}"
    names = sorted(set(head.components) | set(base.components))
    components = [Delta(name, base.components.get(name), head.components.get(name)) for name in names]
    components.sort(key=lambda d: (-abs(d.delta), d.name))
    resources = []
    for name in sorted(set(head.resources) | set(base.resources)):
        typ, component, after = head.resources.get(name, (None, None, None))
        base_typ, base_component, before = base.resources.get(name, (None, None, None))
        resources.append(Delta(name, before, after, typ or base_typ or "", component or base_component or ""))
    changed = sorted((d for d in resources if d.change != "unchanged"), key=lambda d: (-abs(d.delta), d.name))
    return CostDiff(head.stack, baseline, base_stack, base.total, head.total, components, changed,
                    unchanged_resources=len(resources) - len(changed), base_problem=problem)


def to_document(diff: CostDiff) -> dict[str, Any]:
    """The diff as the JSON contract writes it (camelCase keys, money as decimal text)."""

    def amounts(d: Delta) -> dict[str, Any]:
        return {"baseUsd": decimal_text(d.base), "headUsd": decimal_text(d.head), "deltaUsd": decimal_text(d.delta),
                "change": d.change}

    return {
        "stack": diff.stack,
        "base": {"kind": diff.baseline.kind, "label": diff.baseline.label, "stack": diff.base_stack,
                 "problem": diff.base_problem},
        "totalUsd": {"base": decimal_text(diff.base_total), "head": decimal_text(diff.head_total),
                     "delta": decimal_text(diff.delta)},
        "components": [{"component": d.name, **amounts(d)} for d in diff.components],
        "resources": [{"resource": d.name, "type": d.type, "component": d.component, **amounts(d)}
                      for d in diff.resources],
        "unchangedResources": diff.unchanged_resources,
    }


def _amount(value: Optional[int]) -> str:
    return "-" if value is None else decimal_text(value)


def headline(diff: CostDiff) -> str:
    """One line: `growth vs stack mvp: $35.91 -> $99.75 (+$63.84)`."""
    if diff.head_total is None:
        return f"{diff.stack} vs {diff.baseline.describe()}: {diff.stack} could not be priced"
    before = "new" if diff.base_total is None else f"${decimal_text(diff.base_total)}"
    after = f"${decimal_text(diff.head_total)}"
    line = f"{diff.stack} vs {diff.baseline.describe()}: {before} -> {after} ({signed(diff.delta)})"
    return line + (f"; {diff.base_problem}" if diff.base_problem else "")


def render_text(diff: CostDiff) -> str:
    width = max([len(d.name) for d in diff.components + diff.resources] + [12])

    def line(name: str, base: str, head: str, change: str, what: str) -> str:
        return f"    {name:<{width}} {base:>9} {head:>9} {change:>10}  {what}".rstrip()

    out = [f"Cost change (USD/month), {headline(diff)}", "", "  by component:", line("", "base", "head", "change", "")]
    out += [line(d.name, _amount(d.base), _amount(d.head), signed(d.delta), d.change) for d in diff.components]
    out += [f"    ({diff.rounding_note()})"] if diff.rounding_note() else []
    out += ["", f"  by resource ({len(diff.resources)} changed, {diff.unchanged_resources} unchanged):"]
    out += [line(d.name, _amount(d.base), _amount(d.head), signed(d.delta), d.change) for d in diff.resources]
    return "\n".join(out)


def markdown_tables(diff: CostDiff, limit: Optional[int] = None) -> tuple[list[str], list[str]]:
    """(the per-component table, the per-resource table) as Markdown lines; `limit` caps the resource rows."""
    components = ["| component | base | head | change |", "|---|---:|---:|---:|"]
    components += [f"| {d.name} | {_amount(d.base)} | {_amount(d.head)} | {signed(d.delta)} |"
                   for d in diff.components if d.change != "unchanged"]
    if len(components) == 2:
        components.append("| (no component changed) | | | |")
    if diff.rounding_note():
        components += ["", f"_{diff.rounding_note().capitalize()}._"]
    shown = diff.resources if limit is None else diff.resources[:limit]
    resources = ["| resource | component | base | head | change |", "|---|---|---:|---:|---:|"]
    resources += [f"| `{d.name}` | {d.component} | {_amount(d.base)} | {_amount(d.head)} | {signed(d.delta)} |"
                  for d in shown]
    if len(shown) < len(diff.resources):
        resources.append(f"| … {len(diff.resources) - len(shown)} more | | | | |")
    return components, resources
