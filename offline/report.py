"""One stack's offline check result, and its rendering as text, JSON or a Markdown PR comment."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Optional

from .analyzer import Evaluation
from .mocks import RecordedResource
from .tree import render_tree


@dataclass
class CostRow:
    resource: str
    type: str
    component: str
    item: str
    monthly_usd: float


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

    @property
    def passed(self) -> bool:
        return not self.errors and self.evaluation is not None and not self.evaluation.mandatory_failures

    @property
    def status(self) -> str:
        if self.errors:
            return "error"
        return "pass" if self.passed else "fail"

    def by_component(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for row in self.rows:
            totals[row.component] = totals.get(row.component, 0.0) + row.monthly_usd
        return dict(sorted(totals.items(), key=lambda kv: -kv[1]))

    def violations_by_policy(self) -> dict[str, list[Any]]:
        grouped: dict[str, list[Any]] = {}
        for v in self.evaluation.violations if self.evaluation else []:
            grouped.setdefault(v.policy, []).append(v)
        return grouped


def _short_message(message: str) -> str:
    """Diagnostics are 'description\\nmessage'; the message is what to act on."""
    return message.split("\n", 1)[-1]


def urn_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1] if urn else "(stack)"


def render_text(report: StackReport, tree: bool = True) -> str:
    out = [f"== {report.stack}{' (preview)' if report.mode == 'preview' else ''}: {report.status.upper()}"]
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
    grouped = report.violations_by_policy()
    out += ["", "Policy violations:" if grouped else "Policy violations: none"]
    for policy, violations in grouped.items():
        out.append(f"  {policy} [{violations[0].level}]")
        out += [f"    - {urn_name(v.urn)}: {_short_message(v.message)}" for v in violations]
    return "\n".join(out)


def render_markdown(reports: list[StackReport]) -> str:
    icon = {"pass": ":white_check_mark:", "fail": ":x:", "error": ":x:"}
    out = ["## phasegate offline check", "", "| stack | phase | estimate / ceiling | mandatory | advisory | result |",
           "|---|---|---|---|---|---|"]
    for r in reports:
        if r.errors:
            out.append(f"| {r.stack} | {r.phase or '?'} | - | - | - | {icon['error']} error |")
            continue
        mandatory = len(r.evaluation.mandatory_failures)
        advisory = len(r.evaluation.violations) - mandatory
        out.append(f"| {r.stack} | {r.phase} | ${r.total_usd:.2f} / ${r.ceiling:.2f} | {mandatory} | {advisory} | "
                   f"{icon[r.status]} {r.status} |")
    for r in reports:
        out += ["", f"### {r.stack}"]
        if r.errors:
            out += ["```"] + r.errors + ["```"]
            continue
        out += ["", "<details><summary>Cost by component</summary>", "", "| component | USD/month |", "|---|---:|"]
        out += [f"| {name} | {usd:.2f} |" for name, usd in r.by_component().items()]
        out += [f"| **total** | **{r.total_usd:.2f}** |", "", "</details>"]
        if r.unpriced:
            out += ["", "**Unpriced:** " + ", ".join(f"`{u['name']}` ({u['type']})" for u in r.unpriced)]
        for policy, violations in r.violations_by_policy().items():
            out += ["", f"**{policy}** ({violations[0].level})", ""]
            out += [f"- `{urn_name(v.urn)}`: {_short_message(v.message)}" for v in violations]
    return "\n".join(out) + "\n"


def render_json(reports: list[StackReport]) -> str:
    def one(r: StackReport) -> dict[str, Any]:
        return {
            "stack": r.stack, "status": r.status, "phase": r.phase, "region": r.region, "errors": r.errors,
            "ceilingUsd": r.ceiling, "totalUsd": r.total_usd,
            "costs": [row.__dict__ for row in r.rows], "byComponent": r.by_component(),
            "unpriced": r.unpriced, "unknown": r.unknown,
            "policies": r.evaluation.policies if r.evaluation else {},
            "violations": [v.__dict__ | {"message": _short_message(v.message)}
                           for v in (r.evaluation.violations if r.evaluation else [])],
            "resources": [{"urn": x.urn, "type": x.type, "name": x.name, "parent": x.parent, "protect": x.protect}
                          for x in r.resources],
        }

    return json.dumps({"stacks": [one(r) for r in reports],
                       "passed": all(r.passed for r in reports)}, indent=2) + "\n"
