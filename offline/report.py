"""One stack's offline check result, and its rendering as text for people.

The JSON contract is `contract.py`, the Markdown PR comment `markdown.py`, cost diffs `diff.py`. Money is summed
in whole cents (`money.py`), so a component's total prints as 21.23 and never as 21.229999999999997.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from project import urn_name

from .analyzer import Evaluation, Violation
from .money import cents, dollars
from .packconfig import PackConfigSummary
from .preflight import POLICY as PREFLIGHT
from .preflight import Preflight, preflight
from .preflight import render_text as preflight_text
from .recording import RecordedResource
from .tree import render_tree

STACK_USAGE = "(stack usage)"  # the component of usage lines and allowances that belong to no resource


@dataclass
class CostRow:
    resource: str
    type: str
    component: str
    item: str
    monthly_usd: float  # already rounded to cents
    derived: bool = False  # priced from its family's per-unit rate: the catalog does not list the size

    @property
    def monthly_cents(self) -> int:
        return cents(self.monthly_usd)


@dataclass
class StackReport:
    stack: str
    mode: str = "update"  # or "preview": judged as at the stack's first `pulumi preview`
    phase: Optional[str] = None
    region: Optional[str] = None
    ceiling: Optional[float] = None
    total_usd: Optional[float] = None
    rows: list[CostRow] = field(default_factory=list)
    unpriced: list[dict[str, str]] = field(default_factory=list)
    unknown: list[dict[str, str]] = field(default_factory=list)
    evaluation: Optional[Evaluation] = None
    resources: list[RecordedResource] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    pack_config: Optional[PackConfigSummary] = None  # what a --pack-config file changed: the header names it

    @property
    def passed(self) -> bool:
        return not self.errors and self.evaluation is not None and not self.evaluation.mandatory_failures

    @property
    def status(self) -> str:
        if self.errors:
            return "error"
        return "pass" if self.passed else "fail"

    def by_component_cents(self) -> dict[str, int]:
        """Component -> cents a month, largest first."""
        totals: dict[str, int] = {}
        for row in self.rows:
            totals[row.component] = totals.get(row.component, 0) + row.monthly_cents
        return dict(sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])))

    def by_component(self) -> dict[str, float]:
        """Component -> USD a month, largest first (summed in cents, so 21.23 and not 21.229999999999997)."""
        return {name: dollars(amount) for name, amount in self.by_component_cents().items()}

    def by_resource_cents(self) -> dict[str, tuple[str, str, int]]:
        """Resource -> (its type, its component, cents a month)."""
        totals: dict[str, tuple[str, str, int]] = {}
        for row in self.rows:
            _, _, amount = totals.get(row.resource, (row.type, row.component, 0))
            totals[row.resource] = (row.type, row.component, amount + row.monthly_cents)
        return totals

    @property
    def violations(self) -> list[Violation]:
        return list(self.evaluation.violations) if self.evaluation else []

    def violations_by_policy(self) -> dict[str, list[Any]]:
        grouped: dict[str, list[Any]] = {}
        for v in self.violations:
            grouped.setdefault(v.policy, []).append(v)
        return grouped

    def resource_at(self, urn: str) -> Optional[RecordedResource]:
        return next((r for r in self.resources if r.urn == urn), None) if urn else None


def short_message(message: str) -> str:
    """Diagnostics are 'description\\nmessage'; the message is what to act on."""
    return message.split("\n", 1)[-1]


def render_text(report: StackReport, tree: bool = True) -> str:
    out = [f"== {report.stack}{' (preview)' if report.mode == 'preview' else ''}: {report.status.upper()}"]
    if report.pack_config:
        out.append(report.pack_config.line())
    if report.errors:
        out += [f"error: {e}" for e in report.errors]
        return "\n".join(out)
    out.append(f"phase {report.phase}, region {report.region}, {len(report.resources)} resources")
    if tree:
        out += ["", "Resources:"] + ["  " + line for line in render_tree(report.resources)]
    out += ["", "Estimated monthly cost (USD, on-demand list prices, always-free allowances applied):"]
    width = max([len(r.resource) for r in report.rows] + [8])
    for row in report.rows:
        out.append(f"  {row.resource:<{width}}  {row.item:<58} {row.monthly_usd:>9.2f}")
    out += ["", "  by component:"] + [f"    {name:<{width}} {usd:>9.2f}" for name, usd in report.by_component().items()]
    verdict = "within" if report.total_usd <= report.ceiling else "OVER"
    out.append(f"  total ${report.total_usd:.2f} / ceiling ${report.ceiling:.2f} for {report.phase}: {verdict}")
    if report.unpriced:
        out += ["", "Unpriced resources (cost unknown, not $0):"]
        out += [f"  {u['name']} ({u['type']}): {u['reason']}" for u in report.unpriced]
    if report.unknown:
        out += ["", "Not priceable yet (unknown values):"] + [f"  {u['name']}: {u['reason']}" for u in report.unknown]
    out += preflight_text(preflight_of(report))
    grouped = report.violations_by_policy()
    out += ["", "Policy violations:" if grouped else "Policy violations: none"]
    for policy, violations in grouped.items():
        out.append(f"  {policy} [{violations[0].level}]")
        out += [f"    - {urn_name(v.urn)}: {short_message(v.message)}" for v in violations]
    return "\n".join(out)


# --- pre-flight (offline/preflight.py renders it; contract.py and markdown.py use preflight_of too) ---------------

def preflight_of(report: StackReport) -> Preflight:
    findings = [(urn_name(v.urn), short_message(v.message)) for v in report.violations if v.policy == PREFLIGHT]
    return preflight(report.resources, findings)
