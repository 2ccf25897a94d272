"""The command line: `./dev migrate ... --plan` works on a machine without AWS or pulumi; exit codes are distinct."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from automation import errors
from automation.cli import _options, _parser, main
from automation.migration.facts import MigrateOptions
from automation.migration.runner import plan_migration

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def checkout_left_as_it_was():
    """A plan records its migration in the checkout (.phasegate/migrations): what these tests record goes again."""
    migrations = ROOT / ".phasegate/migrations"
    before = set(migrations.glob("*.json"))
    yield
    for recorded in set(migrations.glob("*.json")) - before:
        recorded.unlink()


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return subprocess.run([sys.executable, "-m", "automation", *args], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=120)


def test_migrate_plan_as_json_lists_every_step_with_action_verification_and_undo():
    state_file = ROOT / ".phasegate/migrations/mvp-to-growth.json"
    result = run_cli("migrate", "mvp", "growth", "--plan", "--format", "json")
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert (plan["source"], plan["target"], plan["crossRegion"]) == ("mvp", "growth", True)
    assert [s["id"] for s in plan["steps"]] == ["stacks", "freeze-writes", "snapshot", "copy-snapshot", "restore-point",
                                                "deploy", "copy-assets", "health", "cutover", "soak"]
    assert [s["n"] for s in plan["steps"]] == list(range(1, 11))
    for step in plan["steps"]:
        assert step["action"] and step["verification"] and step["undo"], step["id"]
    copy = plan["steps"][3]
    assert "us-east-1 to us-west-2" in copy["action"] and "alias/aws/rds in us-west-2" in copy["action"]
    assert any("pulumi destroy -s mvp" in line for line in plan["retirement"])
    # the first --plan records the migration, so the snapshot it names is the one a run takes, whatever the minute
    again = json.loads(run_cli("migrate", "mvp", "growth", "--plan", "--format", "json").stdout)
    assert again["snapshot"] == plan["snapshot"] == json.loads(state_file.read_text())["snapshot"]
    assert json.loads(state_file.read_text())["steps"] == {}  # nothing ran


def test_migrate_plan_as_text():
    result = run_cli("migrate", "mvp", "growth", "--plan")
    assert result.returncode == 0, result.stderr
    assert "9. Move app.acme.example to growth [pending]" in result.stdout
    assert "Write freeze: writes to the source are frozen for about " in result.stdout
    assert ("   undo:   Restore the saved record (none saved: delete growth's): app.acme.example points at mvp "
            "again. growth keeps declaring phasegate:app.domain") in result.stdout


def test_growth_to_production_uses_the_snapshot_in_place_and_migrates_no_k3s_state():
    plan = plan_migration("growth", "production")
    copy = next(s for s in plan.steps if s.id == "copy-snapshot")
    assert copy.action == "Nothing to copy: growth and production are both in us-west-2."
    text = plan.render("text")
    assert "or the K3s cluster's state" in text and "its data lives in RDS, the cache and S3" in text
    # growth's records for the domain now belong to production
    assert "pulumi state delete --stack growth --yes 'urn:pulumi:growth::" in text


def test_weighted_is_refused_where_the_source_serves_the_domain_over_https():
    with pytest.raises(errors.Refused, match="growth serves app.acme.example over HTTPS"):
        plan_migration("growth", "production", MigrateOptions(cutover="weighted"))


@pytest.mark.parametrize("argv, code, message", [
    (["migrate", "mvp", "nope", "--plan"], errors.EXIT_USAGE, "no stack file Pulumi.nope.yaml"),
    (["migrate", "mvp", "mvp", "--plan"], errors.EXIT_USAGE, "source and target are both mvp"),
    (["migrate", "mvp", "growth", "--plan", "--weights", "50,10"], errors.EXIT_USAGE, "rising percentages"),
    (["migrate", "growth", "production", "--plan", "--cutover", "weighted"], errors.EXIT_REFUSED, "over HTTPS"),
    (["deploy", "nope"], errors.EXIT_USAGE, "no stack file Pulumi.nope.yaml"),
])
def test_errors_are_one_line_with_their_exit_code(argv, code, message, capsys):
    assert main(argv) == code
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_migrate_without_yes_shows_the_plan_and_applies_nothing(capsys):
    state_file = ROOT / ".phasegate/migrations/mvp-to-growth.json"
    assert main(["migrate", "mvp", "growth"]) == errors.EXIT_NOT_APPLIED
    assert "Not applied: re-run with --yes" in capsys.readouterr().out
    assert json.loads(state_file.read_text())["steps"] == {}  # the migration is recorded (its snapshot's name)


def test_exit_codes_are_distinct_and_documented():
    codes = [errors.EXIT_OK, errors.EXIT_POLICY, errors.EXIT_USAGE, errors.EXIT_UNBUILDABLE, errors.EXIT_STACK,
             errors.EXIT_AWS, errors.EXIT_REFUSED, errors.EXIT_VERIFICATION, errors.EXIT_NOT_APPLIED, errors.EXIT_MOVE,
             errors.EXIT_NOTHING_CHANGED, errors.EXIT_INTERRUPTED]
    assert len(set(codes)) == len(codes)
    documented = {int(line.split()[0]) for line in errors.__doc__.splitlines() if line.strip()[:2].strip().isdigit()}
    assert documented == set(codes)


def test_dev_lists_the_automation_commands():
    result = subprocess.run(["bash", str(ROOT / "dev"), "help"], capture_output=True, text=True)
    for command in ("./dev deploy", "./dev migrate", "./dev advise"):
        assert command in result.stdout


def test_the_stale_data_flags_reach_the_options():
    args = _parser().parse_args(["migrate", "mvp", "growth", "--yes", "--accept-stale-data",
                                 "--max-snapshot-age-minutes", "240", "--health-check-wait-minutes", "8"])
    options = _options(args)
    assert (options.accept_stale_data, options.max_snapshot_age_minutes, options.health_check_wait_minutes) == (
        True, 240, 8)
    assert "acceptStaleData" not in options.recorded()  # an acknowledgement for this run, not a shape of the steps
    defaults = _options(_parser().parse_args(["migrate", "mvp", "growth"]))
    assert (defaults.accept_stale_data, defaults.max_snapshot_age_minutes) == (False, 120)
