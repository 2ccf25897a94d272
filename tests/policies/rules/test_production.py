"""multi-az-database (rules/production.py) covers Aurora: over gRPC at a first preview and at an update (the `mode`
fixture), from the passing MVP graph in the production phase."""

from __future__ import annotations

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from conftest import extra_resource, find, set_prop

from .helpers import TAGS, check, known_or_unknown, linked, messages


def aurora(mode, instances: int, *, unplaced: int = 0):
    cluster = extra_resource("aws:rds/cluster:Cluster", "aurora", {
        "engine": "aurora-postgresql", "storageEncrypted": True, "backupRetentionPeriod": 7, "tags": TAGS})
    cluster.id = "aurora-1"
    cluster.outputs.update(id=known_or_unknown(mode, "aurora-1"), clusterIdentifier=known_or_unknown(mode, "aurora-1"))
    members = []
    for index in range(instances + unplaced):
        member = extra_resource("aws:rds/clusterInstance:ClusterInstance", f"aurora-{index}", {
            "engine": "aurora-postgresql", "instanceClass": "db.r6g.large", "publiclyAccessible": False, "tags": TAGS})
        if index < instances:
            linked(member, "clusterIdentifier", cluster)
        else:
            set_prop(member, "clusterIdentifier", UNKNOWN_STRING_VALUE)
        members.append(member)
    return [cluster] + members


@pytest.mark.parametrize("instances, unplaced, expected", [
    (2, 0, []),
    (1, 0, ["aurora is a production Aurora cluster with 1 instance(s): add a second aws.rds.ClusterInstance (a "
            "reader in another AZ, promoted if the writer's AZ fails)."]),
    (1, 1, ["aurora is a production Aurora cluster with 1 instance(s) shown to be its own; aurora-1 name a cluster "
            "unknown at preview, so it cannot be shown to survive an AZ outage."]),
])
def test_a_production_aurora_cluster_needs_two_instances(mode, instances, unplaced, expected):
    graph = mode.graph()
    set_prop(find(graph, "acme-db-postgres"), "multiAz", True)
    config = {**mode.run.config, "phasegate:phase": "production"}
    evaluation = check(mode, graph + aurora(mode, instances, unplaced=unplaced), config)
    assert messages(evaluation, "multi-az-database") == expected
    assert messages(check(mode, graph + aurora(mode, instances, unplaced=unplaced)), "multi-az-database") == []  # mvp
