"""The cutover's judgments: Route 53's own rule for a health check, and a rollback that never invents a record."""

from __future__ import annotations

import boto3
import pytest

from automation.aws import judged_healthy
from automation.errors import AwsError, VerificationFailed
from fixtures import backend, clock, project, remembered_offline_checks, stacks  # noqa: F401 - fixtures
from world import DOMAIN, MVP_IP, MotoAws, records, saved_state, weights, world  # noqa: F401 - world is a fixture

OK, DOWN = "Success: HTTP Status Code 200, OK", "Failure: Connection timed out."


def reports(healthy: int, total: int = 16) -> list[str]:
    return [OK] * healthy + [DOWN] * (total - healthy)


@pytest.mark.parametrize("statuses, healthy", [
    ([], False),                 # a brand-new check: no checker has reported yet
    (reports(0), False),
    (reports(2), False),         # 12.5%
    (reports(3), True),          # 18.75%: more than 18% is healthy, as Route 53 counts it
    (reports(9, 50), False),     # exactly 18% is not more than 18%
    (reports(16), True),
])
def test_a_health_check_is_judged_by_route53s_18_percent_rule(statuses, healthy):
    assert judged_healthy(statuses) is healthy


class ScriptedChecks(MotoAws):
    """moto always reports Success: here the checkers' reports follow a script, by seconds since the first read."""

    def __init__(self, clock, script):
        super().__init__()
        self.clock, self.script, self.start = clock, script, None

    def health_check_statuses(self, health_check_id: str) -> list[str]:
        self.start = self.clock.now() if self.start is None else self.start
        elapsed = self.clock.now() - self.start
        return next(statuses for until, statuses in self.script if elapsed < until)


def test_weights_change_only_once_route53_judges_the_new_check_healthy(world):
    seen = []
    world.clock.on_sleep = lambda clock: seen.append(weights(world.zone))
    aws = ScriptedChecks(world.clock, [(60, []), (120, reports(1)), (float("inf"), reports(4))])
    world.run(aws=aws, cutover="weighted")
    waiting = seen[:seen.index({"growth": 10, "mvp": 90})]
    assert waiting and all(w == {None: None} for w in waiting)  # the simple record, untouched while waiting
    assert world.clock.time - aws.start >= 120
    assert weights(world.zone) == {"growth": 100, "mvp": 0}  # 4 of 16 (25%) keeps every later stage healthy


def test_a_check_that_never_turns_healthy_stops_before_any_weight_changes(world):
    aws = ScriptedChecks(world.clock, [(float("inf"), reports(2))])
    with pytest.raises(VerificationFailed, match="not healthy after 5 minutes.*more than 18%"):
        world.run(aws=aws, cutover="weighted")
    assert records(world.zone) == [{"Name": DOMAIN + ".", "Type": "A", "TTL": 300,
                                    "ResourceRecords": [{"Value": MVP_IP}]}]
    assert saved_state(world.project)["steps"]["cutover"]["status"] == "failed"
    assert "cutoverStarted" not in saved_state(world.project)["facts"]


def test_a_later_stage_rolls_back_when_the_check_drops_below_18_percent(world):
    aws = ScriptedChecks(world.clock, [(200, reports(16)), (float("inf"), reports(2))])
    with pytest.raises(VerificationFailed, match="health check on growth is failing"):
        world.run(aws=aws, cutover="weighted")
    assert weights(world.zone) == {"mvp": 100, "growth": 0}


# --- rollback never invents a record ----------------------------------------------------------------------

class FailingRecordsRead(MotoAws):
    def records(self, zone_id, name, record_type="A"):
        raise AwsError("route53 list-resource-record-sets: Throttling: Rate exceeded")


def test_a_failure_before_the_old_record_is_saved_changes_no_dns(world):
    with pytest.raises(AwsError, match="Throttling"):
        world.run(aws=FailingRecordsRead())
    assert records(world.zone) == [{"Name": DOMAIN + ".", "Type": "A", "TTL": 300,
                                    "ResourceRecords": [{"Value": MVP_IP}]}]  # not rewritten from mvp's outputs
    facts = saved_state(world.project)["facts"]
    assert "cutoverStarted" not in facts and "dnsBefore" not in facts
    assert saved_state(world.project)["steps"]["cutover"]["status"] == "failed"


def test_with_no_record_before_the_cutover_a_rollback_deletes_the_targets_record(world):
    (before,) = records(world.zone)
    boto3.client("route53").change_resource_record_sets(HostedZoneId=world.zone, ChangeBatch={"Changes": [
        {"Action": "DELETE", "ResourceRecordSet": before}]})
    world.prober.unhealthy.add(f"https://{DOMAIN}")
    with pytest.raises(VerificationFailed) as caught:
        world.run()
    assert records(world.zone) == []  # as it was: nothing invented from mvp's publicIp
    assert "had no record before the cutover" in str(caught.value)
    assert saved_state(world.project)["rolledBack"] is True
