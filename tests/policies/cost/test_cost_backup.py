"""Golden tests of AWS Backup plans of RDS databases (`cost/backup.py`), against list prices computed by hand."""

from __future__ import annotations

import pytest

from cost_helpers import NO_USAGE, UNKNOWN, node
from phasegate_policies.cost import PricedResource, estimate


PLAN = "aws:backup/plan:Plan"


def backup_graph(*, first_preview: bool, dr_region: str = "us-east-2", storage=50, resources=None):
    """The lead's database part: a vault here, one in the DR region, a daily plan copying there, a selection of the
    database. At a first preview every ARN and id is unknown and the links are property dependencies."""
    db_arn = "arn:aws:rds:us-west-2:123456789012:db:db-1"
    db = node("aws:rds/instance:Instance", "db", {"engine": "postgres", "instanceClass": "db.t4g.micro",
                                                  "multiAz": False, "storageType": "gp3", "allocatedStorage": storage},
              region="us-west-2", outputs={"arn": db_arn, "id": "db-1"})
    vault = node("aws:backup/vault:Vault", "vault", {}, region="us-west-2",
                 outputs={"name": "vault-1", "arn": "arn:aws:backup:us-west-2:123456789012:backup-vault:vault-1"})
    dr_arn = f"arn:aws:backup:{dr_region}:123456789012:backup-vault:dr-1"
    dr = node("aws:backup/vault:Vault", "dr-vault", {"region": dr_region}, region="us-west-2",
              outputs={"name": "dr-1", "arn": dr_arn})
    rule = {"ruleName": "daily", "schedule": "cron(0 5 ? * * *)", "lifecycle": {"deleteAfter": 14},
            "targetVaultName": UNKNOWN if first_preview else "vault-1",
            "copyActions": [{"destinationVaultArn": UNKNOWN if first_preview else dr_arn,
                             "lifecycle": {"deleteAfter": 14}}]}
    plan = node(PLAN, "plan", {"rules": [rule]}, region="us-west-2",
                deps={"rules": [vault.urn, dr.urn]} if first_preview else {},
                outputs={"id": "plan-1", "arn": "arn:aws:backup:us-west-2:123456789012:backup-plan:plan-1"})
    selection = node("aws:backup/selection:Selection", "selection", {
        "planId": UNKNOWN if first_preview else "plan-1", "iamRoleArn": UNKNOWN,
        "resources": resources if resources is not None else [UNKNOWN if first_preview else db_arn]},
        region="us-west-2", deps={"planId": [plan.urn], "resources": [db.urn]} if first_preview else {})
    return [db, vault, dr, plan, selection]


def plan_only(result):
    """The plan's lines and problems (the database in the graph is priced on its own)."""
    return ([(line.item, round(line.monthly_usd, 4)) for line in result.lines if line.type == PLAN],
            [u for u in result.unpriced if u[1] == PLAN], [u for u in result.unknown if u[1] == PLAN])


@pytest.mark.parametrize("first_preview", [True, False], ids=["preview", "update"])
def test_a_backup_plan_prices_a_full_snapshot_in_each_vault_and_a_monthly_cross_region_copy(first_preview):
    result = estimate(backup_graph(first_preview=first_preview), NO_USAGE, "us-west-2")
    # RDS snapshot storage $0.095/GB-month in us-west-2 and us-east-2; inter-region transfer $0.02/GB from us-west-2.
    snapshot = "one full snapshot of db (50 GB allocated), an upper bound"
    target = "rule daily's vault" if first_preview else "vault vault-1"
    assert plan_only(result) == ([
        (f"50 GB RDS snapshot storage in {target} (us-west-2): {snapshot}", 4.75),
        (f"50 GB RDS snapshot storage in the copy's vault (us-east-2, rule daily): {snapshot}", 4.75),
        ("50 GB copied us-west-2 -> us-east-2 (rule daily; assumed one full snapshot a month per copy action, an "
         "upper bound)", 1.0)], [], [])
    frankfurt = estimate(backup_graph(first_preview=first_preview, dr_region="eu-central-1"), NO_USAGE, "us-west-2")
    assert plan_only(frankfurt)[0][1][1] == 5.15  # 50 GB x $0.103 in eu-central-1


def test_a_backup_plan_whose_database_cannot_be_linked_is_never_zero():
    graph = backup_graph(first_preview=True)
    no_selection = estimate(graph[:4], NO_USAGE, "us-west-2")
    assert plan_only(no_selection) == ([], [("urn:aws:backup/plan:Plan::plan", PLAN, "no backup selection of this "
                                             "stack is linked to it, so what it backs up cannot be sized")], [])
    outside = estimate(backup_graph(first_preview=False, resources=["arn:aws:rds:us-west-2:123456789012:db:other"]),
                       NO_USAGE, "us-west-2")
    assert plan_only(outside)[1][0][2].startswith("backup selection selection names resources that are not RDS "
                                                  "instances of this stack")
    by_tag = backup_graph(first_preview=False)
    by_tag[-1] = node(by_tag[-1].type, "selection", {**by_tag[-1].props, "selectionTags": [
        {"type": "STRINGEQUALS", "key": "backup", "value": "daily"}]}, region="us-west-2")
    assert plan_only(estimate(by_tag, NO_USAGE, "us-west-2"))[1][0][2] == (
        "backup selection selection chooses resources by tag or condition, so what it backs up cannot be sized")
    unsized = estimate(backup_graph(first_preview=True, storage=UNKNOWN), NO_USAGE, "us-west-2")
    assert plan_only(unsized)[2][0][2] == "database db allocatedStorage is unknown at preview"
    *rest, selection = backup_graph(first_preview=True)
    unlinked = PricedResource(selection.urn, selection.type, selection.name, selection.props, selection.region,
                              dependencies={"planId": selection.dependencies["planId"]})
    assert plan_only(estimate(rest + [unlinked], NO_USAGE, "us-west-2"))[2][0][2] == (
        "backup selection selection resources are unknown at preview and not all linked to databases of this stack")
