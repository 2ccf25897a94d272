"""The "pre-flight" section of a stack's report: per resource type, what the pack's `aws-preflight` policy checked
it against (which model, refreshed when), the types it does not cover, and the policy's violations.

Built from the recorded resources and the policy's findings, so it depends on no report type (report.py,
contract.py and markdown.py each render it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Optional

from phasegate_policies.preflight import Coverage, coverage, kubernetes_minor, pinned_version
from phasegate_policies.preflight.data import MODELS, source

from .recording import RecordedResource

POLICY = "aws-preflight"


@dataclass(frozen=True)
class Preflight:
    kubernetes: Optional[str]  # the Kubernetes minor the stack's objects are checked against
    lines: list[Coverage]
    findings: list[tuple[str, str]]  # (resource name, message) of each aws-preflight violation


def preflight(resources: Iterable[RecordedResource], findings: Iterable[tuple[str, str]]) -> Preflight:
    resources = list(resources)
    minor = kubernetes_minor(pinned_version((r.type, r.inputs) for r in resources))
    return Preflight(minor, coverage((r.type for r in resources if r.custom), minor), list(findings))


def render_text(section: Preflight) -> list[str]:
    out = ["", "Pre-flight (inputs AWS, Kubernetes and IAM would refuse):"]
    width = max([len(line.resource_type) for line in section.lines] + [8])
    for line in section.lines:
        state = "checked" if line.model else "not covered"
        out.append(f"  {state:<11} {line.resource_type:<{width}} x{line.count:<3} {line.detail}")
    out += ["  models:"] + [f"    {source(name)}" for name in MODELS]
    out += [f"  violation: {name}: {message}" for name, message in section.findings] or ["  violations: none"]
    return out


def to_document(section: Preflight) -> dict[str, Any]:
    """The JSON report's `preflight` object (added in schemaVersion 1.1)."""
    return {"kubernetesVersion": section.kubernetes, "models": [source(name) for name in MODELS],
            "coverage": [{"type": line.resource_type, "count": line.count, "covered": line.model is not None,
                          "checkedAgainst": line.detail} for line in section.lines],
            "violations": [{"resource": name, "message": message} for name, message in section.findings]}


def render_markdown(section: Preflight) -> tuple[str, list[str]]:
    """A folded section of the PR comment (summary, lines): any violation, then each type and its model."""
    covered = sum(1 for line in section.lines if line.model)
    found = [f"- **{name}**: {message}" for name, message in section.findings] or ["No violation."]
    rows = [f"| `{line.resource_type}` | {line.count} | {'yes' if line.model else 'no'} | {line.detail} |"
            for line in section.lines]
    summary = (f"pre-flight, {covered} of {len(section.lines)} resource types checked, "
               f"{len(section.findings)} violation(s)")
    return summary, found + ["", "| type | count | checked | against |", "|---|---:|---|---|"] + rows
