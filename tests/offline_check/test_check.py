"""The offline check end to end: the real program, the real pack over gRPC, the report and the exit status."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from components.config.types import Egress
from conftest import ROOT, stack_values
from offline.check import check_stack
from project import config_as_engine_text, known_stacks


def test_mvp_passes_every_mandatory_policy_within_its_ceiling_with_nothing_unpriced():
    report = check_stack("mvp")
    assert report.status == "pass"
    assert report.evaluation.violations == []
    assert report.unpriced == [] and report.unknown == []
    assert (report.total_usd, report.ceiling) == (35.91, 45.0)
    assert report.by_component() == pytest.approx({
        "acme-app": 21.23, "acme-db": 14.38, "acme-billing": 0.71, "acme-alerts": 0.70, "acme-assets": 0.30,
        "(stack usage)": -1.41}, abs=0.006)


def test_growth_passes_every_policy_under_its_ceiling_with_nothing_unpriced():
    report = check_stack("growth")
    assert report.status == "pass"
    assert report.evaluation.violations == []
    assert report.unpriced == [] and report.unknown == []
    assert (report.total_usd, report.ceiling) == (99.75, 105.0)
    assert report.by_component() == pytest.approx({
        "acme-k3s": 37.66, "acme-lb": 24.21, "acme-db": 14.38, "acme-cache": 9.74, "acme-net": 7.36,
        "acme-assets": 5.30, "acme-alerts": 2.00, "acme-billing": 0.71, "acme-cdn": 0.0, "(stack usage)": -1.61},
        abs=0.006)


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
def test_production_passes_every_policy_under_its_ceiling_with_nothing_unpriced(preview):
    report = check_stack("production", preview=preview)
    assert report.status == "pass"
    # Advisories aside: eks-version-support warns once the pinned version is within 90 days of its end of support.
    assert [v for v in report.evaluation.violations if v.policy != "eks-version-support"] == []
    assert report.unpriced == [] and report.unknown == []
    assert (report.total_usd, report.ceiling) == (400.35, 412.0)
    assert report.by_component() == pytest.approx({
        "acme-eks": 177.40, "acme-net": 114.00, "acme-db": 32.56, "acme-lb": 28.58, "acme-cache": 12.71,
        "acme-waf": 15.00, "acme-assets": 14.80, "(stack usage)": 2.89, "acme-alerts": 1.70, "acme-billing": 0.71,
        "acme-cdn": 0.0}, abs=0.006)


def _checked(change) -> dict:
    values = stack_values("mvp")
    change(values)
    report = check_stack("mvp", config=config_as_engine_text(values))
    return {v.policy for v in report.evaluation.mandatory_failures}


def test_a_stack_file_sized_over_budget_fails_the_cost_ceiling():
    assert _checked(lambda v: v.__setitem__("phasegate:compute", {"instanceType": "m6i.large"})) == {"cost-ceiling"}
    assert _checked(lambda v: v["phasegate:billing"].__setitem__("monthlyBudgetUsd", 60)) == {"cost-ceiling"}


def test_a_stack_file_asking_for_a_much_bigger_database_fails_the_ceiling_instead_of_slipping_through():
    assert _checked(lambda v: v.__setitem__("phasegate:database", {"instanceClass": "db.r6g.4xlarge"})) == {
        "cost-ceiling"}


def test_a_stack_file_whose_traffic_outgrows_the_phase_fails_the_cost_ceiling():
    assert _checked(lambda v: v["phasegate:usage"].__setitem__("gbServedPerMonth", 400)) == {"cost-ceiling"}


def test_a_region_whose_billing_alarm_needs_a_us_east_1_provider_still_passes():
    assert _checked(lambda v: v.__setitem__("aws:region", "eu-central-1")) == set()


def _run_check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "offline", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_the_check_command_prints_graph_cost_and_verdict_and_exits_zero_on_pass():
    result = _run_check("mvp")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("== mvp: PASS\nphase mvp, region us-east-1, 60 resources\n")
    assert "aws:rds/instance:Instance  acme-db-postgres  engine=postgres" in out
    assert "publiclyAccessible=False storageEncrypted=True" in out
    assert "  total $35.91 / ceiling $45.00 for mvp: within" in out
    assert out.rstrip().endswith("Policy violations: none")


def test_all_stacks_at_once_pass_and_markdown_names_each(tmp_path):
    result = _run_check("--format", "markdown", "--output", str(tmp_path / "report.md"))
    assert result.returncode == 0, result.stdout
    assert "| mvp | mvp | $35.91 / $45.00 | 0 | 0 | :white_check_mark: pass |" in result.stdout
    assert "| growth | growth | $99.75 / $105.00 | 0 | 0 | :white_check_mark: pass |" in result.stdout
    assert re.search(r"\| production \| production \| \$400\.35 / \$412\.00 \| 0 \| [01] \| :white_check_mark: pass \|",
                     result.stdout)
    for stack in known_stacks():  # every stack file gets its row, whatever stacks the repository ships
        assert f"\n| {stack} | " in result.stdout
    assert (tmp_path / "report.md").read_text() == result.stdout


def test_json_report_and_pack_config_override(tmp_path):
    config = tmp_path / "pack.json"
    config.write_text(json.dumps({"cost-ceiling": {"ceilings": {"mvp": 30}}}))
    result = _run_check("mvp", "--format", "json", "--pack-config", str(config))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    [stack] = report["stacks"]
    assert (stack["status"], stack["ceilingUsd"], stack["totalUsd"], report["passed"]) == ("fail", "30.00", "35.91", False)
    # Both the estimate and the stack's own $45 Budget are now over the platform owner's ceiling: the estimate is about
    # the stack as a whole, the Budget is a resource, and each violation says which.
    assert [(v["policy"], v["scope"]) for v in stack["violations"]] == [("cost-ceiling", "stack"),
                                                                        ("cost-ceiling", "resource")]
    assert stack["violations"][0]["message"].startswith("Estimated $35.91/month exceeds the mvp ceiling of $30.00")
    assert stack["violations"][0]["resource"] is None
    assert stack["violations"][1]["message"].startswith("Budget acme-billing-budget allows $45.00/month")
    assert stack["violations"][1]["resource"] == {
        "name": "acme-billing-budget", "type": "aws:budgets/budget:Budget",
        "urn": "urn:pulumi:mvp::phasegate::phasegate:billing:Billing$aws:budgets/budget:Budget::acme-billing-budget"}


def test_a_stack_file_path_names_its_stack_and_the_header_names_the_pack_config(tmp_path):
    config = tmp_path / "ci.json"
    config.write_text(json.dumps({"all": "advisory", "cost-ceiling": {"ceilings": {"mvp": 30}}}))
    result = _run_check("Pulumi.mvp.yaml", "--no-tree", "--pack-config", str(config))
    assert result.returncode == 0, result.stderr  # the ceiling fails, but only advisory now
    header = result.stdout.splitlines()[:2]
    assert header == ["== mvp: PASS", "pack config: ci.json (all policies advisory; cost-ceiling.ceilings.mvp: 30)"]
    markdown = _run_check(str(ROOT / "Pulumi.mvp.yaml"), "--format", "markdown", "--pack-config", str(config)).stdout
    assert "_pack config: ci.json (all policies advisory; cost-ceiling.ceilings.mvp: 30)_" in markdown
    [stack] = json.loads(_run_check("mvp", "--format", "json", "--pack-config", str(config)).stdout)["stacks"]
    assert stack["packConfig"]["file"] == "ci.json" and stack["packConfig"]["all"] == "advisory"
    assert {"key": "cost-ceiling.ceilings.mvp", "value": 30} in stack["packConfig"]["settings"]
    assert {"policy": "cost-ceiling", "enforcementLevel": "advisory"} in stack["packConfig"]["enforcementLevels"]


def test_without_a_pack_config_the_header_says_nothing_of_one():
    result = _run_check("mvp", "--no-tree")
    assert "pack config" not in result.stdout


def test_a_stack_file_outside_the_project_is_refused_with_one_line(tmp_path):
    (tmp_path / "Pulumi.mine.yaml").write_text("config: {}\n")
    result = _run_check(str(tmp_path / "Pulumi.mine.yaml"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "must be in the project directory" in result.stderr


def test_bad_arguments_exit_two_with_a_reason():
    result = _run_check("staging")
    assert result.returncode == 2
    assert result.stderr.strip() == f"check: no stack file Pulumi.staging.yaml; stacks here: {', '.join(known_stacks())}"


def test_a_bad_stack_file_is_reported_as_an_error_without_a_traceback():
    values = stack_values("mvp")
    values["phasegate:network"] = {"egress": "vpn"}
    report = check_stack("mvp", config=config_as_engine_text(values))
    assert report.status == "error"
    *others, last = [repr(e.value) for e in Egress]  # whatever ways out the network offers
    assert report.errors == [f"Pulumi.mvp.yaml: phasegate:network.egress: Input should be {', '.join(others)} or "
                             f"{last} (got 'vpn')"]
