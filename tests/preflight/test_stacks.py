"""The five shipped stacks, judged over gRPC at a first preview and at an update: no pre-flight violation (nothing
caught wrongly), and every resource type they register is either checked or listed as not covered."""

from __future__ import annotations

from pathlib import Path

import pytest

from offline.analyzer import evaluate
from offline.program import run_program
from offline.report import StackReport, render_text
from phasegate_policies.preflight import coverage, kubernetes_minor
from phasegate_policies.preflight.mapping import AWS_TYPES, POLICY_DOCUMENTS

STACKS = ("lean", "mvp", "growth", "production", "serverless")
SNAPSHOTS = Path(__file__).resolve().parents[1] / "stacks" / "snapshots"


@pytest.fixture(scope="module", params=[(s, m) for s in STACKS for m in ("update", "preview")],
                ids=[f"{s}-{m}" for s in STACKS for m in ("update", "preview")])
def judged(request):
    stack, mode = request.param
    run = run_program(stack, preview=mode == "preview")
    return run, evaluate(run.resources, stack=stack, project="phasegate", config=run.config,
                         preview=mode == "preview")


def test_a_shipped_stack_has_no_preflight_violation(judged):
    _, evaluation = judged
    assert [v.message for v in evaluation.violations if v.policy in ("aws-preflight", "iam-least-privilege")] == []


def test_the_report_shows_what_was_checked_against_which_model(judged):
    run, evaluation = judged
    report = StackReport(stack=run.stack, resources=run.resources, evaluation=evaluation, phase="mvp",
                         region="us-east-1", ceiling=1.0, total_usd=0.0)
    text = render_text(report, tree=False)
    section = text[text.index("Pre-flight"):]
    assert "checked     aws:rds/instance:Instance" in section
    assert "cfn-lint 1.58.0" in section and "policy_sentry" in section and "kubernetes-validate" in section
    assert "violations: none" in section


def _registered_types() -> set[str]:
    types = set()
    for snapshot in SNAPSHOTS.glob("urns-*.txt"):
        for urn in snapshot.read_text().split():
            types.add(urn.split("::")[2].split("$")[-1])
    return types


def test_every_registered_type_is_checked_or_listed_as_not_covered():
    types = _registered_types()
    lines = {line.resource_type: line for line in coverage(types, kubernetes_minor(None))}
    aws = {t for t in types if t.startswith("aws:")}
    assert aws <= set(lines)
    assert all(line.detail for line in lines.values())
    covered = {t for t, line in lines.items() if line.model}
    # the examples: each of these is checked against its model
    assert {"aws:lb/targetGroup:TargetGroup", "aws:rds/instance:Instance", "aws:cloudwatch/logGroup:LogGroup",
            "aws:lambda/function:Function", "aws:iam/rolePolicy:RolePolicy", "kubernetes:apps/v1:Deployment",
            "kubernetes:core/v1:Service"} <= covered
    assert not lines["kubernetes:external-secrets.io/v1:ExternalSecret"].model
    checkable = {t for t in aws if AWS_TYPES.get(t, ("", {}))[1] or t in POLICY_DOCUMENTS}
    assert covered & aws == checkable
