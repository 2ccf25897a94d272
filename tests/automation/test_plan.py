"""The printed plan: undo texts that cannot delete the live record, and moves that are refused before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from automation import errors
from automation.cli import main
from automation.migration.facts import MigrateOptions
from automation.migration.runner import plan_migration
from fixtures import project  # noqa: F401 - a fixture

ROOT = Path(__file__).resolve().parents[2]
# The records the real program gives growth for its domain (the URN snapshot of tests/stacks).
GROWTH_RECORD_URNS = [line for line in (ROOT / "tests/stacks/snapshots/urns-growth.txt").read_text().splitlines()
                      if "route53/record:Record" in line]


def state_deletes(stack: str, urns: list[str]) -> list[str]:
    return [f"pulumi state delete --stack {stack} --yes '{urn}'" for urn in urns]


# --- undo texts that cannot delete the live record --------------------------------------------------------

def test_growth_owns_an_alias_and_a_validation_record():
    assert sorted(u.rsplit("::", 1)[1] for u in GROWTH_RECORD_URNS) == ["acme-lb-alias", "acme-lb-cert-validation"]


def test_discarding_the_target_takes_its_records_out_of_its_state_before_the_destroy():
    plan = plan_migration("mvp", "growth")
    steps = {s.id: s for s in plan.steps}
    undo = steps["deploy"].undo
    assert undo.index('"Releasing app.acme.example"') < undo.index("pulumi destroy -s growth")
    assert undo.index('"Releasing app.acme.example"') < undo.index("deletionProtection: false")
    assert "Restore the saved record" in steps["cutover"].undo
    assert '"Releasing app.acme.example"' in steps["cutover"].undo
    # the commands themselves: printed once, one a line, copy-pasteable; the domain leaves growth's config last,
    # or the next up would declare the records again
    text = plan.render("text")
    section = text.split("Releasing app.acme.example from growth's state", 1)[1].split("\n\n", 1)[0]
    lines = [line.strip() for line in section.splitlines()[1:]]
    assert sorted(lines[:2]) == sorted(state_deletes("growth", GROWTH_RECORD_URNS))
    assert lines[2:] == ["pulumi config rm --path phasegate:app.domain --stack growth"]
    for command in lines:
        assert text.count(command) == 1


def test_the_retirement_steps_say_how_to_discard_the_target_safely():
    retirement = plan_migration("mvp", "growth").render("text")
    retirement = retirement.split("Retiring the source", 1)[1]
    line = next(line for line in retirement.splitlines() if "discard growth" in line)
    assert line.index('"Releasing app.acme.example"') < line.index("pulumi destroy -s growth")


def test_weighted_records_are_the_migrations_so_the_target_owns_none():
    steps = {s.id: s for s in plan_migration("mvp", "growth", MigrateOptions(cutover="weighted")).steps}
    assert "pulumi state delete" not in steps["deploy"].undo


# --- moves that are refused -------------------------------------------------------------------------------

@pytest.mark.parametrize("source, target", [("production", "mvp"), ("growth", "mvp"), ("production", "growth")])
def test_moving_backwards_is_a_usage_error(source, target, capsys):
    with pytest.raises(errors.UsageError, match=f"{target}'s phase .* is not after {source}'s"):
        plan_migration(source, target)
    assert main(["migrate", source, target, "--plan"]) == errors.EXIT_USAGE
    assert "Traceback" not in capsys.readouterr().err


LAMBDA_GROWTH = """\
config:
  aws:region: us-west-2
  phasegate:phase: growth
  phasegate:app:
    name: acme
    domain: app.acme.example
    services:
      - name: api
        image: 123456789012.dkr.ecr.us-west-2.amazonaws.com/acme/api:1.0.0
        port: 8080
        healthCheckPath: /health
        pathPrefix: /
        memoryMb: 512
  phasegate:network:
    egress: instance
  phasegate:compute:
    runtime: lambda
  phasegate:alerts:
    emails: [ops@acme.example]
  phasegate:billing:
    monthlyBudgetUsd: 60
  phasegate:usage:
    gbServedPerMonth: 5
    requestsPerMonth: 500000
    assetsStorageGb: 2
    logsGbPerMonth: 1
    natGbPerMonth: 2
"""


@pytest.mark.parametrize("cutover", ["domain", "weighted"])
def test_a_domain_is_not_moved_onto_a_runtime_without_a_load_balancer(project, cutover):
    (project / "Pulumi.functions.yaml").write_text(LAMBDA_GROWTH)
    with pytest.raises(errors.Refused, match="functions runs on lambda.*no load balancer") as caught:
        plan_migration("mvp", "functions", MigrateOptions(cutover=cutover), project)
    assert caught.value.exit_code == errors.EXIT_REFUSED


def test_without_a_domain_a_runtime_without_a_load_balancer_is_a_fine_target(project):
    (project / "Pulumi.functions.yaml").write_text(LAMBDA_GROWTH.replace("    domain: app.acme.example\n", ""))
    plan = plan_migration("mvp", "functions", MigrateOptions(), project)
    assert plan.facts.domain is None
