"""The database part's names that must be unique beyond one stack."""

from __future__ import annotations

import pytest

from components.parts.database import snapshot_identifier
from offline.program import run_program


def test_final_snapshots_of_stacks_sharing_a_region_do_not_collide():
    """growth and production both live in us-west-2: one name for both would fail the second destroy with
    DBSnapshotAlreadyExists (CreateDBSnapshot/DeleteDBInstance, RDS API reference)."""
    names = {stack: run_program(stack).one("aws:rds/instance:Instance").inputs["finalSnapshotIdentifier"]
             for stack in ("growth", "production")}
    assert names == {"growth": "acme-db-growth-postgres-final", "production": "acme-db-production-postgres-final"}


@pytest.mark.parametrize("parts, expected", [
    (("acme-db", "prod_eu.v2", "postgres-final"), "acme-db-prod-eu-v2-postgres-final"),
    (("acme-db", "Growth", "postgres-final"), "acme-db-growth-postgres-final"),
    (("acme-db", "--x--", "postgres-final"), "acme-db-x-postgres-final"),  # never two hyphens in a row
    (("a" * 300,), "a" * 255),
])
def test_snapshot_identifiers_keep_rds_rules(parts, expected):
    """1-255 letters, digits and hyphens, a letter first, no '--', no trailing hyphen (CreateDBSnapshot,
    DBSnapshotIdentifier, https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSnapshot.html)."""
    assert snapshot_identifier(*parts) == expected


def test_a_snapshot_identifier_must_start_with_a_letter():
    with pytest.raises(ValueError, match="must start with a letter"):
        snapshot_identifier("1acme", "x")
