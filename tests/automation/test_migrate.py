"""migrate(): the whole mvp -> growth move against moto and the fake engine; rollback, resume and refusals."""

from __future__ import annotations

import json

import boto3
import pytest
import yaml
from pulumi.automation import CommandResult
from pulumi.automation.errors import ConcurrentUpdateError

from automation.aws import Aws
from automation.errors import Refused, StackError, VerificationFailed
from automation.migration.facts import MigrateOptions
from automation.migration.runner import rollback
from world import DOMAIN, MVP_IP, MotoAws, mvp_parameters, records, world  # noqa: F401 - world is a fixture
from fixtures import backend, clock, project, remembered_offline_checks, stacks  # noqa: F401 - fixtures


def growth_file(project) -> dict:
    return yaml.safe_load((project / "Pulumi.growth.yaml").read_text())["config"]


def state(project) -> dict:
    return json.loads((project / ".phasegate/migrations/mvp-to-growth.json").read_text())


def test_mvp_to_growth_end_to_end(world):
    plan = world.run()
    name = plan.state.snapshot
    rds_east, rds_west = boto3.client("rds", region_name="us-east-1"), boto3.client("rds", region_name="us-west-2")
    assert rds_east.describe_db_snapshots(DBSnapshotIdentifier=name)["DBSnapshots"][0]["Status"] == "available"
    copy = rds_west.describe_db_snapshots(DBSnapshotIdentifier=name)["DBSnapshots"][0]
    west_key = boto3.client("kms", region_name="us-west-2").describe_key(KeyId="alias/aws/rds")["KeyMetadata"]["Arn"]
    assert copy["Encrypted"] and copy["KmsKeyId"] == west_key  # re-encrypted with the target region's key
    config = growth_file(world.project)
    assert config["phasegate:database"]["snapshotIdentifier"] == copy["DBSnapshotArn"]
    assert config["phasegate:app"]["domain"] == DOMAIN  # held back for the first deploy, set at the cutover
    assert rds_west.describe_db_instances()["DBInstances"][0]["DBInstanceIdentifier"] == "acme-db-postgres-5e6f7a8"
    assert Aws().objects("acme-assets-bucket-growth", "us-west-2") == Aws().objects("acme-assets-bucket-mvp", "us-east-1")
    (record,) = records(world.zone)
    assert record["AliasTarget"]["DNSName"].rstrip(".") == world.program.balancer["dns"].lower()
    assert world.program.ups == 2
    assert all(step["status"] == "done" for step in state(world.project)["steps"].values())
    assert list(state(world.project)["steps"]) == ["stacks", "freeze-writes", "snapshot", "copy-snapshot", "restore-point", "deploy",
                                                  "copy-assets", "health", "cutover", "soak"]
    # the source is only read, and its retirement is printed, not run
    assert set(world.backend.methods("mvp")) == {"open", "outputs"}
    # mvp's database stays read-only after the cutover (a write there would be lost), its group otherwise as it was
    assert mvp_parameters() == {"rds.force_ssl": "1", "default_transaction_read_only": "1"}
    assert any("mvp's database stays read-only" in line for line in world.lines)
    assert any("pulumi destroy -s mvp" in line for line in world.lines)
    assert [p.url for p in world.prober.probes] == [f"http://{world.program.balancer['dns']}/health"] * 2 + [
        f"https://{DOMAIN}/health"]
    assert world.prober.probes[-1].connect_to == world.program.balancer["dns"].lower()


def test_the_first_deploy_holds_the_domain_back_so_dns_stays_on_mvp(world):
    seen = []
    world.backend.on_up["growth"] = lambda stack: (seen.append(records(world.zone)), world.program(stack))
    world.run()
    first_up_records = seen[0]
    assert first_up_records[0]["ResourceRecords"] == [{"Value": MVP_IP}]


def test_a_failed_health_check_after_the_cutover_points_dns_back_at_mvp(world):
    world.prober.unhealthy.add(f"https://{DOMAIN}")
    with pytest.raises(VerificationFailed) as caught:
        world.run()
    assert caught.value.exit_code == 7
    assert "Rolled back: app.acme.example points at mvp again" in str(caught.value)
    # growth's state owns the record now pointing at mvp: the message says how to let go of it safely
    assert "growth keeps declaring phasegate:app.domain" in str(caught.value)
    assert "\n  pulumi state delete --stack growth --yes 'urn:pulumi:growth::" in str(caught.value)
    assert str(caught.value).count("pulumi config rm --path phasegate:app.domain --stack growth") == 1
    assert records(world.zone) == [{"Name": DOMAIN + ".", "Type": "A", "TTL": 300,
                                    "ResourceRecords": [{"Value": MVP_IP}]}]
    steps = state(world.project)["steps"]
    assert steps["cutover"]["status"] == "rolled-back" and "soak" not in steps
    assert state(world.project)["rolledBack"] is True
    assert set(world.backend.methods("mvp")) == {"open", "outputs"}


def test_a_failed_health_check_before_the_cutover_changes_no_dns(world):
    world.prober.unhealthy.add("http://")
    with pytest.raises(VerificationFailed, match="DNS was not changed, mvp keeps serving"):
        world.run()
    assert records(world.zone)[0]["ResourceRecords"] == [{"Value": MVP_IP}]
    assert state(world.project)["steps"]["health"]["status"] == "failed"
    assert "cutover" not in state(world.project)["steps"]


def test_an_alarm_during_the_soak_rolls_back(world):
    def alarm(clock):
        boto3.client("cloudwatch", region_name="us-west-2").set_alarm_state(
            AlarmName="acme-alerts-alb-unhealthy-targets-0a1b2c3", StateValue="ALARM", StateReason="test")
    world.clock.on_sleep = alarm
    with pytest.raises(VerificationFailed, match="alarms in ALARM: acme-alerts-alb-unhealthy-targets-0a1b2c3"):
        world.run()
    assert records(world.zone)[0]["ResourceRecords"] == [{"Value": MVP_IP}]
    assert state(world.project)["steps"]["soak"]["status"] == "rolled-back"


def test_a_trigger_alarm_does_not_fail_the_soak(world):
    def trigger(clock):
        boto3.client("cloudwatch", region_name="us-west-2").set_alarm_state(
            AlarmName="acme-alerts-trigger-cpu-0a1b2c3", StateValue="ALARM", StateReason="busy")
    world.clock.on_sleep = trigger
    world.run()
    assert sum(world.clock.slept) == 5 * 60


def test_an_interrupted_run_resumes_where_it_stopped(world):
    world.backend.fail_with["growth.up"] = ConcurrentUpdateError(CommandResult("", "[409] Conflict: Another update "
                                                                                   "is currently in progress.", 255))
    with pytest.raises(StackError, match="growth: another update holds the stack's lock"):
        world.run()
    steps = state(world.project)["steps"]
    assert [k for k, v in steps.items() if v["status"] == "done"] == ["stacks", "freeze-writes", "snapshot",
                                                                      "copy-snapshot", "restore-point"]
    assert steps["deploy"]["status"] == "failed"
    assert mvp_parameters()["default_transaction_read_only"] == "1"  # writes stay frozen until the cutover

    del world.backend.fail_with["growth.up"]
    world.lines.clear()
    plan = world.run()
    assert "[3/10] Snapshot mvp's database: already done" in world.lines
    snapshots = boto3.client("rds", region_name="us-east-1").describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]
    assert [s["DBSnapshotIdentifier"] for s in snapshots] == [plan.state.snapshot]  # taken once
    assert all(step["status"] == "done" for step in state(world.project)["steps"].values())


def test_a_rerun_after_a_rollback_moves_the_domain_again_with_a_refresh(world):
    world.prober.unhealthy.add(f"https://{DOMAIN}")
    with pytest.raises(VerificationFailed):
        world.run()
    world.prober.unhealthy.clear()
    world.run(accept_stale_data=True)  # mvp served again after the rollback (test_migrate_resume: refused without)
    assert records(world.zone)[0]["AliasTarget"]["DNSName"].rstrip(".") == world.program.balancer["dns"].lower()
    assert world.backend.calls[-1][1] == "outputs"
    ups = [kwargs for name, method, kwargs in world.backend.calls if name == "growth" and method == "up"]
    assert [u["refresh"] for u in ups] == [None, True, True]  # the cutover's deploys refresh: DNS drifted back


def test_refuses_to_set_the_snapshot_when_the_target_database_exists(world):
    boto3.client("rds", region_name="us-west-2").create_db_instance(
        DBInstanceIdentifier="acme-db-postgres-old", Engine="postgres", DBInstanceClass="db.t4g.micro",
        AllocatedStorage=20, MasterUsername="app_admin", Tags=[{"Key": "phasegate:stack", "Value": "growth"}])
    with pytest.raises(Refused) as caught:
        world.run()
    message = str(caught.value)
    assert caught.value.exit_code == 6
    assert "pg_dump" in message and "pg_restore" in message and "--database-restored" in message
    assert boto3.client("rds", region_name="us-east-1").describe_db_snapshots(SnapshotType="manual")["DBSnapshots"] == []
    assert "snapshotIdentifier" not in growth_file(world.project).get("phasegate:database", {})


def test_weighted_cutover_shifts_10_50_100_behind_a_health_check(world):
    shifts = []
    world.clock.on_sleep = lambda clock: shifts.append(
        {r.get("SetIdentifier"): r.get("Weight") for r in records(world.zone)})
    world.run(cutover="weighted")
    stages = [s for i, s in enumerate(shifts) if i == 0 or s != shifts[i - 1]]
    assert stages[:3] == [{"growth": 10, "mvp": 90}, {"growth": 50, "mvp": 50}, {"growth": 100, "mvp": 0}]
    final = {r["SetIdentifier"]: r for r in records(world.zone)}
    assert final["growth"]["HealthCheckId"] == state(world.project)["facts"]["healthCheckId"]
    assert final["mvp"]["ResourceRecords"] == [{"Value": MVP_IP}]
    assert "domain" not in growth_file(world.project)["phasegate:app"]  # the records belong to the migration


def test_weighted_cutover_rolls_back_to_mvp_on_an_alarm(world):
    def alarm_at_fifty(clock):
        if {r.get("SetIdentifier"): r.get("Weight") for r in records(world.zone)}.get("growth") == 50:
            boto3.client("cloudwatch", region_name="us-west-2").set_alarm_state(
                AlarmName="acme-alerts-alb-unhealthy-targets-0a1b2c3", StateValue="ALARM", StateReason="5xx")
    world.clock.on_sleep = alarm_at_fifty
    with pytest.raises(VerificationFailed, match="Rolled back"):
        world.run(cutover="weighted")
    assert {r["SetIdentifier"]: r["Weight"] for r in records(world.zone)} == {"mvp": 100, "growth": 0}


def test_rollback_by_hand_restores_the_saved_record(world, stacks, project):
    world.run()
    rollback("mvp", "growth", options=MigrateOptions(), stacks=stacks, aws=MotoAws(), project_dir=project,
             write=world.lines.append)
    assert records(world.zone)[0]["ResourceRecords"] == [{"Value": MVP_IP}]
    assert state(project)["steps"]["cutover"]["status"] == "rolled-back"
    assert any(line.startswith("growth keeps declaring") and "\n  pulumi state delete --stack growth --yes" in line
               for line in world.lines)


def test_options_that_change_the_steps_must_match_a_run_in_progress(world):
    world.prober.unhealthy.add("http://")
    with pytest.raises(VerificationFailed):
        world.run()
    with pytest.raises(Exception, match="in progress with other options .*cutover='domain'"):
        world.run(cutover="weighted")
