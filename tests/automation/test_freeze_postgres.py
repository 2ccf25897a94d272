"""The freeze against a real PostgreSQL server: the migration's own freeze step, applied through a stand-in for RDS.

`run_freeze`, `verify_freeze` and `unfreeze` are the step's code as a migration runs it; only the calls that reach
the database differ: `ServerAsRds` does on a local server what RDS does on its own (a parameter group entry is
`ALTER SYSTEM` + reload, which is how a dynamic parameter applies "immediately"; the reboot is a restart). So a
write made after the freeze is refused here exactly as the parameter makes PostgreSQL refuse it on RDS, and a
session opened before it cannot write either, because the reboot ended it.
PostgreSQL facts: default_transaction_read_only is reloadable (context "user"), and a read-only transaction refuses
INSERT with SQLSTATE 25006 read_only_sql_transaction
(https://www.postgresql.org/docs/current/runtime-config-client.html, /errcodes-appendix.html).
"""

from __future__ import annotations

import psycopg
import pytest
from psycopg import errors as pg_errors

from automation.aws import Database
from automation.health import http_probe
from automation.migration.context import Context
from automation.migration.facts import MigrateOptions
from automation.migration.freeze import FREEZE_PARAMETERS, run_freeze, unfreeze, verify_freeze
from automation.migration.runner import plan_migration
from automation.migration.state import MigrationState, state_path
from fixtures import backend, clock, project, stacks  # noqa: F401 - fixtures
from pg_cluster import Cluster, skip_reason

REASON = skip_reason()
if REASON:
    print(f"\ntests/automation/test_freeze_postgres.py skipped: {REASON}")
pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")
GROUP = "local-params"


class ServerAsRds:
    """The RDS calls of the freeze, done on a local server the way RDS does them on its instance."""

    def __init__(self, cluster: Cluster):
        self.cluster = cluster

    def find_database(self, region, *, address=None, stack=None):
        if address is None:  # the target's database, looked up by its stack: there is none yet
            return None
        return Database("source-db", address, "arn:local", region, True, GROUP, 1, "available", "in-sync")

    def database(self, region, identifier):
        with self.cluster.connect() as session:
            pending = session.execute("SELECT bool_or(pending_restart) FROM pg_settings").fetchone()[0]
        return Database(identifier, "127.0.0.1", "arn:local", region, True, GROUP, 1, "available",
                        "pending-reboot" if pending else "in-sync")

    def db_parameter(self, region, group, name):
        """As `describe-db-parameters --source user`: what the group itself sets (postgresql.auto.conf), else None."""
        with self.cluster.connect() as session:
            row = session.execute("SELECT setting FROM pg_file_settings WHERE name = %s AND applied AND sourcefile "
                                  "LIKE '%%postgresql.auto.conf'", (name,)).fetchone()
        return row[0] if row else None

    def set_db_parameter(self, region, group, name, value):
        with self.cluster.connect() as session:
            session.execute(psycopg.sql.SQL("ALTER SYSTEM SET {} = {}").format(
                psycopg.sql.Identifier(name), psycopg.sql.Literal(value)))
            session.execute("SELECT pg_reload_conf()")

    def reset_db_parameter(self, region, group, name):
        with self.cluster.connect() as session:
            session.execute(psycopg.sql.SQL("ALTER SYSTEM RESET {}").format(psycopg.sql.Identifier(name)))
            session.execute("SELECT pg_reload_conf()")

    def reboot_database(self, region, identifier):
        self.cluster.restart()

    def wait_for_database(self, region, identifier, minutes=30):
        return self.database(region, identifier)


@pytest.fixture
def servers():
    source = Cluster.start("source")
    target = Cluster.start("target")
    yield source, target
    source.stop()
    target.stop()


@pytest.fixture
def freeze_context(servers, project, stacks, clock):
    source, _ = servers
    plan = plan_migration("mvp", "growth", MigrateOptions(), project)
    state = MigrationState.start(state_path(project, "mvp", "growth"), "mvp", "growth", "acme", {})
    state.facts["source"] = {"databaseAddress": "127.0.0.1"}
    return Context(facts=plan.facts, state=state, stacks=stacks, aws=ServerAsRds(source), prober=http_probe,
                   clock=clock, deploy=lambda *a, **k: None, write=lambda line: None, project_dir=project)


def _insert(session: psycopg.Connection, what: str) -> None:
    session.execute("INSERT INTO orders (what) VALUES (%s)", (what,))


def test_no_write_gets_past_the_freeze_and_every_earlier_write_reaches_the_target(servers, freeze_context):
    source, target = servers
    with source.connect() as setup:
        setup.execute("CREATE TABLE orders (id serial PRIMARY KEY, what text NOT NULL)")
        _insert(setup, "committed before the freeze")
    idle = source.connect()  # a session opened before the freeze, idle at the time
    busy = source.connect(autocommit=False)  # one with a transaction open across the freeze
    _insert(busy, "in a transaction open at the freeze")

    run_freeze(freeze_context)
    assert verify_freeze(freeze_context) is None

    with pytest.raises(psycopg.OperationalError):  # its session ended with the reboot: nothing it sends is written
        _insert(idle, "from a session opened before the freeze")
    with pytest.raises(psycopg.OperationalError):
        busy.commit()
    with source.connect() as late, pytest.raises(pg_errors.ReadOnlySqlTransaction):
        _insert(late, "from a session opened after the freeze")

    source.dump_to(target)  # the snapshot, and the target restored from it
    with target.connect() as restored:
        rows = [row[0] for row in restored.execute("SELECT what FROM orders ORDER BY id")]
    assert rows == ["committed before the freeze"]

    unfreeze(freeze_context)
    with source.connect() as after:
        _insert(after, "after the rollback's unfreeze")
        assert after.execute("SELECT count(*) FROM orders").fetchone()[0] == 2
    assert ServerAsRds(source).db_parameter("", GROUP, next(iter(FREEZE_PARAMETERS))) is None  # as it was


def test_the_verification_fails_while_the_parameter_is_not_applied(servers, freeze_context):
    freeze_context.state.facts["freeze"] = {"instance": "source-db", "parameterGroup": GROUP,
                                            "before": {"default_transaction_read_only": None}, "rebooted": True}
    assert "default_transaction_read_only" in verify_freeze(freeze_context)
