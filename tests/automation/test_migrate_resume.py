"""Re-running a migration: it remembers the domain, refuses stale data, and lets the pg_dump route finish."""

from __future__ import annotations

import boto3
import pytest

from automation.errors import EXIT_REFUSED, Refused, UsageError, VerificationFailed
from automation.migration.facts import MigrateOptions
from automation.migration.runner import plan_migration
from fixtures import backend, clock, project, remembered_offline_checks, stacks  # noqa: F401 - fixtures
from world import DOMAIN, MVP_IP, records, saved_state, weights, world  # noqa: F401 - world is a fixture


def aliases_growth(world) -> bool:
    (record,) = records(world.zone)
    return record.get("AliasTarget", {}).get("DNSName", "").rstrip(".") == world.program.balancer["dns"].lower()


# --- the domain is remembered (the deploy holds it back from the target's stack file) ------------------------

def test_health_check_fails_then_a_rerun_moves_dns(world):
    world.prober.unhealthy.add("http://")  # growth's own URL: the health step fails, before any DNS change
    with pytest.raises(VerificationFailed, match="DNS was not changed"):
        world.run()
    world.prober.unhealthy.clear()
    world.run()
    assert aliases_growth(world)
    assert saved_state(world.project)["steps"]["cutover"]["status"] == "done"
    assert saved_state(world.project)["dns"] == {"domain": DOMAIN, "zone": "acme.example"}


def test_health_check_fails_then_a_rerun_moves_dns_with_weights(world):
    world.prober.unhealthy.add("http://")
    with pytest.raises(VerificationFailed):
        world.run(cutover="weighted")
    world.prober.unhealthy.clear()
    world.run(cutover="weighted")
    assert weights(world.zone) == {"mvp": 0, "growth": 100}


def test_the_plan_of_a_run_in_progress_shows_the_recorded_domain(world):
    world.prober.unhealthy.add("http://")
    with pytest.raises(VerificationFailed):
        world.run()
    plan = plan_migration("mvp", "growth", MigrateOptions(), world.project)
    assert plan.facts.domain == DOMAIN and plan.facts.zone == "acme.example"
    assert next(s for s in plan.steps if s.id == "cutover").title == f"Move {DOMAIN} to growth"


# --- stale data: the snapshot's age, and a re-run after a rollback -------------------------------------------

def test_the_snapshot_age_is_printed_before_the_cutover(world):
    world.run()
    assert any(line.startswith("  the data is mvp's as of the snapshot") and "limit 120 minutes" in line
               for line in world.lines)


def test_a_rerun_after_a_rollback_is_refused_unless_stale_data_is_accepted(world):
    world.prober.unhealthy.add(f"https://{DOMAIN}")
    with pytest.raises(VerificationFailed, match="Rolled back"):
        world.run()
    world.prober.unhealthy.clear()
    ups = world.program.ups
    with pytest.raises(Refused) as caught:
        world.run()
    message = str(caught.value)
    assert caught.value.exit_code == EXIT_REFUSED
    assert "rolled back" in message and "pg_dump" in message and "pg_restore" in message
    assert "--accept-stale-data" in message
    assert records(world.zone)[0]["ResourceRecords"] == [{"Value": MVP_IP}]  # nothing moved
    assert world.program.ups == ups  # not even deployed
    world.run(accept_stale_data=True)
    assert aliases_growth(world)


def test_a_snapshot_older_than_the_limit_is_refused(world):
    world.prober.unhealthy.add("http://")
    with pytest.raises(VerificationFailed):
        world.run()
    world.prober.unhealthy.clear()
    world.clock.time += 3 * 3600  # the fix took three hours; mvp took writes all along
    with pytest.raises(Refused, match=r"(?s)older than the limit of 120 minutes.*pg_dump.*--accept-stale-data"):
        world.run()
    assert records(world.zone)[0]["ResourceRecords"] == [{"Value": MVP_IP}]
    world.run(max_snapshot_age_minutes=240)  # a limit of its own
    assert aliases_growth(world)


# --- the pg_dump/pg_restore route ends in --database-restored, which the saved state accepts ---------------

def old_growth_database() -> None:
    boto3.client("rds", region_name="us-west-2").create_db_instance(
        DBInstanceIdentifier="acme-db-postgres-old", Engine="postgres", DBInstanceClass="db.t4g.micro",
        AllocatedStorage=20, MasterUsername="app_admin", Tags=[{"Key": "phasegate:stack", "Value": "growth"}])


def test_the_pg_route_ends_in_a_rerun_with_database_restored(world):
    old_growth_database()
    with pytest.raises(Refused, match="--database-restored"):
        world.run()
    world.run(database_restored=True)
    steps = saved_state(world.project)["steps"]
    assert steps["database"]["status"] == "skipped" and steps["cutover"]["status"] == "done"
    assert saved_state(world.project)["options"]["databaseRestored"] is True
    assert aliases_growth(world)


def test_database_restored_cannot_change_once_the_snapshot_path_has_a_step_done(world):
    world.prober.unhealthy.add("http://")
    with pytest.raises(VerificationFailed):
        world.run()
    with pytest.raises(UsageError, match="databaseRestored=False"):
        world.run(database_restored=True)


def test_a_target_that_names_its_hosted_zone_holds_both_back_and_gets_both_at_the_cutover(world):
    import yaml

    path = world.project / "Pulumi.growth.yaml"
    document = yaml.safe_load(path.read_text())
    document["config"]["phasegate:app"]["hostedZone"] = "acme.example"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    world.prober.unhealthy.add("http://")
    with pytest.raises(VerificationFailed):  # the deploy passed: the file held no hostedZone without a domain
        world.run()
    held = yaml.safe_load(path.read_text())["config"]["phasegate:app"]
    assert "domain" not in held and "hostedZone" not in held
    world.prober.unhealthy.clear()
    world.run()
    app = yaml.safe_load(path.read_text())["config"]["phasegate:app"]
    assert (app["domain"], app["hostedZone"]) == (DOMAIN, "acme.example")
    assert aliases_growth(world)


def test_a_state_from_before_the_domain_was_recorded_falls_back_to_the_held_back_domain(world):
    import json

    world.prober.unhealthy.add("http://")
    with pytest.raises(VerificationFailed):
        world.run()
    path = world.project / ".phasegate/migrations/mvp-to-growth.json"
    legacy = json.loads(path.read_text())
    del legacy["dns"]
    path.write_text(json.dumps(legacy))
    assert plan_migration("mvp", "growth", MigrateOptions(), world.project).facts.domain == DOMAIN
