"""The check's JSON output: a versioned contract, described by `docs/schemas/check-report.schema.json`.

- `schemaVersion` is MAJOR.MINOR: a minor version only adds fields; anything else is a new major.
- Every key is camelCase; names that are data (components, policies) are values, never keys.
- Money is decimal text with exactly two places ("21.23"): exact in every language, unlike a binary float.
- A violation says whether it is about one resource (and which: name, type, URN) or the stack as a whole.

`snapshots_from_document` reads a saved report back for `--compare-to report.json`, in this version or in the
unversioned format earlier releases wrote.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Mapping

from project import urn_name

from .diff import CostDiff, CostSnapshot, to_document
from .money import cents, decimal_text, from_decimal_text
from .preflight import to_document as preflight_document
from .report import StackReport, preflight_of, short_message
from .version import VERSION

SCHEMA_VERSION = "1.2"  # 1.1: each stack's `preflight`; 1.2: each stack's `packConfig`
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "docs" / "schemas" / "check-report.schema.json"


def _money(usd: float | None) -> str | None:
    return None if usd is None else decimal_text(cents(usd))


def stack_document(r: StackReport) -> dict[str, Any]:
    violations = []
    for v in r.violations:
        resource = r.resource_at(v.urn)
        violations.append({
            "policy": v.policy, "level": v.level, "message": short_message(v.message),
            "scope": "resource" if v.urn else "stack",
            "resource": {"name": urn_name(v.urn), "type": resource.type if resource else None, "urn": v.urn}
            if v.urn else None,
        })
    mandatory = sum(1 for v in r.violations if v.mandatory)
    return {
        "stack": r.stack, "status": r.status, "mode": r.mode, "phase": r.phase, "region": r.region,
        "errors": list(r.errors),
        "ceilingUsd": _money(r.ceiling) if not r.errors else None,
        "totalUsd": _money(r.total_usd),
        "summary": {"resources": len(r.resources), "mandatoryViolations": mandatory,
                    "advisoryViolations": len(r.violations) - mandatory,
                    "unpriced": len(r.unpriced), "unknown": len(r.unknown)},
        "costs": [{"resource": row.resource, "type": row.type, "component": row.component, "item": row.item,
                   "monthlyUsd": decimal_text(row.monthly_cents), "derived": row.derived} for row in r.rows],
        "byComponent": [{"component": name, "monthlyUsd": decimal_text(amount)}
                        for name, amount in r.by_component_cents().items()],
        "unpriced": [dict(u) for u in r.unpriced],
        "unknown": [dict(u) for u in r.unknown],
        "policies": [{"name": name, "enforcementLevel": level}
                     for name, level in (r.evaluation.policies if r.evaluation else {}).items()],
        "violations": violations,
        "resources": [{"urn": x.urn, "type": x.type, "name": x.name, "parent": x.parent or None,
                       "custom": x.custom, "protect": x.protect} for x in r.resources],
        "preflight": preflight_document(preflight_of(r)) if not r.errors else None,
        "packConfig": r.pack_config.as_json() if r.pack_config else None,
    }


def report_document(reports: Iterable[StackReport], diffs: Iterable[CostDiff] = ()) -> dict[str, Any]:
    reports = list(reports)
    return {
        "schemaVersion": SCHEMA_VERSION,
        "tool": {"name": "phasegate", "version": VERSION},
        "passed": all(r.passed for r in reports),
        "stacks": [stack_document(r) for r in reports],
        "costDiffs": [to_document(d) for d in diffs],
    }


def render_json(reports: Iterable[StackReport], diffs: Iterable[CostDiff] = ()) -> str:
    return json.dumps(report_document(reports, diffs), indent=2) + "\n"


class ReportFormatError(ValueError):
    """A file that is not a phasegate check report this version can read."""


def snapshots_from_document(document: Any) -> dict[str, CostSnapshot]:
    """Stack -> its costs, from a saved report: this contract's major version 1, or the unversioned format."""
    if not isinstance(document, Mapping) or not isinstance(document.get("stacks"), list):
        raise ReportFormatError("not a phasegate check report (no \"stacks\" list)")
    version = document.get("schemaVersion")
    if version is not None and str(version).split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise ReportFormatError(f"schemaVersion {version} is not one this version reads ({SCHEMA_VERSION})")
    try:
        return {s["stack"]: _snapshot(s, legacy=version is None) for s in document["stacks"]}
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise ReportFormatError(f"a stack entry is malformed: {exc!r}") from None


def _snapshot(stack: Mapping[str, Any], legacy: bool) -> CostSnapshot:
    if stack.get("errors") or stack.get("totalUsd") is None:
        return CostSnapshot(stack["stack"], None, errors=tuple(stack.get("errors") or ()))
    resources: dict[str, tuple[str, str, int]] = {}
    components: dict[str, int] = {}
    for row in stack["costs"]:
        amount = from_decimal_text(row["monthly_usd"] if legacy else row["monthlyUsd"])
        _, _, so_far = resources.get(row["resource"], (row["type"], row["component"], 0))
        resources[row["resource"]] = (row["type"], row["component"], so_far + amount)
        components[row["component"]] = components.get(row["component"], 0) + amount
    return CostSnapshot(stack["stack"], from_decimal_text(stack["totalUsd"]), components, resources)


def load_report(path: Path) -> dict[str, CostSnapshot]:
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ReportFormatError(str(exc)) from None
    return snapshots_from_document(document)
