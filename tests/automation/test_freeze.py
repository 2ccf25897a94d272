"""The freeze-writes step against moto: applied before the snapshot, kept until the cutover, undone exactly.

The freeze is drift on a Pulumi-managed parameter group, so these tests read the group back as
`describe-db-parameters --source user` reports it, before and after. RDS facts relied on: a dynamic parameter set
with ApplyMethod=immediate applies without a reboot, and DBParameterGroupStatus.ParameterApplyStatus reads `in-sync`
once applied (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBParameterGroupStatus.html).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import boto3
import pytest

from automation import errors
from automation.cli import main
from automation.errors import NothingChanged, Refused, StackError, VerificationFailed
from automation.migration.facts import MigrateOptions
from automation.migration.runner import migrate, plan_migration, rollback
from automation.migration.state import MigrationState, state_path
from automation.migration.window import freeze_window
from fixtures import backend, clock, project, remembered_offline_checks, stacks  # noqa: F401 - fixtures
from world import DOMAIN, MVP_IP, MVP_PARAMS, MotoAws, mvp_parameters, records, saved_state, world  # noqa: F401

UNFROZEN = {"rds.force_ssl": "1"}  # what database.py declares: the group as Pulumi left it
FROZEN = {**UNFROZEN, "default_transaction_read_only": "1"}


class RecordingAws(MotoAws):
    """moto, and the order of the freeze's calls: the snapshot must come after the reboot."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def set_db_parameter(self, region, group, name, value):
        self.calls.append(f"set {name}={value}")
        super().set_db_parameter(region, group, name, value)

    def reboot_database(self, region, identifier):
        self.calls.append("reboot")
        super().reboot_database(region, identifier)

    def create_snapshot(self, region, instance, name, tags):
        self.calls.append("snapshot")
        return super().create_snapshot(region, instance, name, tags)


def test_writes_are_frozen_and_the_sessions_ended_before_the_snapshot(world):
    aws = RecordingAws()
    world.run(aws=aws)
    assert aws.calls[:3] == ["set default_transaction_read_only=1", "reboot", "snapshot"]
    facts = saved_state(world.project)["facts"]
    assert facts["freeze"] == {"instance": "acme-db-postgres-1a2b3c4", "parameterGroup": MVP_PARAMS,
                               "before": {"default_transaction_read_only": None}, "rebooted": True}
    assert mvp_parameters() == FROZEN  # after the cutover too: a write to mvp now would be lost


def test_the_window_is_printed_before_asking_to_proceed(world):
    lines: list[str] = []
    migrate("mvp", "growth", yes=False, stacks=world.stacks, project_dir=world.project, write=lines.append)
    (text,) = lines
    header = next(line for line in text.splitlines() if line.startswith("Write freeze: "))
    assert "frozen for about" in header and "estimated for 20 GB" in header and "allocated storage" in header
    assert mvp_parameters() == UNFROZEN  # asking changes nothing


def test_the_window_grows_with_the_allocated_storage_and_the_steps_ahead():
    facts = plan_migration("mvp", "growth").facts
    small, large = freeze_window(facts, 20), freeze_window(facts, 2000)
    assert large.minutes > small.minutes
    same_region = plan_migration("growth", "production").facts
    assert freeze_window(same_region, 20).minutes < small.minutes  # no cross-region copy


def test_the_undo_restores_a_value_the_group_had_set_itself(world):
    boto3.client("rds", region_name="us-east-1").modify_db_parameter_group(DBParameterGroupName=MVP_PARAMS, Parameters=[
        {"ParameterName": "default_transaction_read_only", "ParameterValue": "0", "ApplyMethod": "immediate"}])
    world.prober.unhealthy.add(f"https://{DOMAIN}")  # the cutover fails: rolled back, writes unfrozen
    aws = MotoAws()
    with pytest.raises(VerificationFailed, match="mvp's database takes writes again"):
        world.run(aws=aws)
    assert mvp_parameters() == {**UNFROZEN, "default_transaction_read_only": "0"}
    assert aws.resets == []  # set back to its own value, not reset to the engine's default


def test_a_failed_cutover_points_dns_back_and_unfreezes_the_source(world):
    world.prober.unhealthy.add(f"https://{DOMAIN}")
    with pytest.raises(VerificationFailed):
        world.run()
    assert mvp_parameters() == UNFROZEN  # exactly as Pulumi declares it: no drift left
    steps = saved_state(world.project)["steps"]
    assert steps["freeze-writes"]["status"] == "rolled-back" and steps["cutover"]["status"] == "rolled-back"
    assert records(world.zone)[0]["ResourceRecords"] == [{"Value": MVP_IP}]


def test_a_stop_before_the_cutover_keeps_writes_frozen_and_says_how_to_go_on(world):
    world.prober.unhealthy.add("http://")  # growth's health step fails, before any DNS change
    with pytest.raises(VerificationFailed) as caught:
        world.run()
    assert mvp_parameters() == FROZEN
    assert "mvp's database is still frozen (read-only)" in str(caught.value)
    assert "./dev migrate mvp growth --rollback --yes" in str(caught.value)
    message = rollback("mvp", "growth", stacks=world.stacks, aws=MotoAws(), project_dir=world.project,
                       write=world.lines.append)
    assert mvp_parameters() == UNFROZEN
    assert "DNS was not changed" in message and "mvp's database takes writes again" in message
    steps = saved_state(world.project)["steps"]
    assert steps["freeze-writes"]["status"] == "rolled-back"
    assert "cutover" not in steps  # it never ran: not marked


def test_a_refused_snapshot_route_refuses_before_freezing(world):
    boto3.client("rds", region_name="us-west-2").create_db_instance(
        DBInstanceIdentifier="acme-db-postgres-5e6f7a8", Engine="postgres", DBInstanceClass="db.t4g.micro",
        AllocatedStorage=20, MasterUsername="app_admin", Tags=[{"Key": "phasegate:stack", "Value": "growth"}])
    with pytest.raises(Refused, match="growth already has a database"):
        world.run()
    assert mvp_parameters() == UNFROZEN
    assert saved_state(world.project)["steps"]["freeze-writes"]["status"] == "failed"


def test_rollback_after_a_first_step_failure_changes_nothing_and_says_so(world):
    world.backend.fail_with["growth.open"] = StackError("growth: the backend is unreachable")
    with pytest.raises(StackError):
        world.run()
    before = saved_state(world.project)
    with pytest.raises(NothingChanged, match="nothing to roll back") as caught:
        rollback("mvp", "growth", stacks=world.stacks, aws=MotoAws(), project_dir=world.project,
                 write=world.lines.append)
    assert caught.value.exit_code == errors.EXIT_NOTHING_CHANGED == 9
    assert saved_state(world.project)["steps"] == before["steps"] == {"stacks": before["steps"]["stacks"]}
    assert before["steps"]["stacks"]["status"] == "failed"


def test_the_rollback_command_exits_9_when_nothing_was_changed(world, monkeypatch, capsys):
    path = state_path(world.project, "mvp", "growth")
    MigrationState.start(path, "mvp", "growth", "acme", MigrateOptions().recorded()).save()
    monkeypatch.setattr("automation.cli.rollback", lambda *a, **k: rollback(*a, **k, project_dir=world.project))
    monkeypatch.setattr("automation.cli.recorded_migration", lambda *a: None)
    assert main(["migrate", "mvp", "growth", "--rollback", "--yes"]) == 9
    err = capsys.readouterr().err
    assert err.startswith("migrate: nothing to roll back") and err.count("\n") == 1
    assert json.loads(path.read_text())["steps"] == {}


def test_the_snapshot_name_is_fixed_by_the_first_plan(world, monkeypatch):
    plan = plan_migration("mvp", "growth", MigrateOptions(), world.project, record=True)
    later = datetime.now(timezone.utc) + timedelta(minutes=7)
    monkeypatch.setattr("automation.migration.state.datetime", type("Later", (datetime,), {
        "now": classmethod(lambda cls, tz=None: later)}))
    assert plan_migration("mvp", "growth", MigrateOptions(), world.project).snapshot == plan.snapshot
    done = world.run()
    assert done.state.snapshot == plan.snapshot
    found = boto3.client("rds", region_name="us-east-1").describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]
    assert [s["DBSnapshotIdentifier"] for s in found] == [plan.snapshot]


def test_a_plan_without_record_writes_nothing(project):
    plan_migration("mvp", "growth", MigrateOptions(), project)
    assert not (project / ".phasegate").exists()
