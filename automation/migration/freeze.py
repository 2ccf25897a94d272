"""The `freeze-writes` step: the source's database stops taking writes before the snapshot, until the cutover.

Why the parameter group and a reboot, of the three ways to freeze writes:
- It is the only one the runner can apply and verify for every runtime through the AWS API alone. The database is
  private: revoking the app's privileges (or `ALTER DATABASE ... SET`) needs SQL on it, which the runner cannot
  send, and a host to send it from exists only on the EC2 runtimes. A 503 at the entry point differs per runtime
  (ALB listener, Caddy, Traefik, Lambda) and leaves workers and scheduled jobs writing.
- It changes no data. A REVOKE or `ALTER DATABASE ... SET default_transaction_read_only` lives in the database, so
  the snapshot would carry it into the target, which would start frozen. A parameter group is not in a snapshot.
- `default_transaction_read_only` alone is only a default for new transactions: a transaction already open keeps
  writing. The reboot ends every session and every open transaction, so every session after it starts read-only.
  Verified with what the runner reaches: the parameter is set, the group's apply status is `in-sync`, and the
  instance is `available` again after the reboot this step asked for.
  What it does not stop: a client that itself runs `SET default_transaction_read_only = off` or `BEGIN READ WRITE`
  (the app does neither; an operator's own session could). The docs' migration page says so.

The parameter group is Pulumi's (`database.py` declares only `rds.force_ssl`), so the freeze is drift: the value the
group had before is recorded first, and the undo puts exactly that back (a reset to the engine's default when the
group did not set it), applied at once without a reboot (the parameter is dynamic).
"""

from __future__ import annotations

from typing import Optional

from ..aws import Database
from ..errors import AwsError
from .context import Context
from .state import DATA_STEPS
from .steps import StepImpl, ensure_target_has_no_database
from .window import freeze_window

# The parameter that makes every new transaction read-only (PostgreSQL, "Client Connection Defaults"); RDS takes
# booleans as 0/1. Dynamic: ApplyMethod=immediate applies it without a reboot; the reboot is for the open sessions.
FREEZE_PARAMETERS = {"default_transaction_read_only": "1"}


def _source_database(ctx: Context) -> Database:
    f = ctx.facts
    address = ctx.fact("source", "databaseAddress")
    found = ctx.aws.find_database(f.source_region, address=address)
    if found is None:
        raise AwsError(f"rds: no database with address {address} in {f.source_region}")
    if not found.parameter_group:
        raise AwsError(f"rds: {found.identifier} reports no parameter group to freeze writes with")
    return found


def run_freeze(ctx: Context) -> str:
    f = ctx.facts
    if not f.options.database_restored and not any(ctx.state.finished(step) for step in DATA_STEPS):
        ensure_target_has_no_database(ctx)  # a snapshot route that will be refused is refused before any freeze
    database = _source_database(ctx)
    ctx.write(f"  {freeze_window(f, database.allocated_gb).text()}")
    recorded = ctx.state.facts.get("freeze")
    if recorded is None:  # the values before the freeze, saved before anything changes: the undo restores them
        recorded = {"instance": database.identifier, "parameterGroup": database.parameter_group,
                    "before": {name: ctx.aws.db_parameter(f.source_region, database.parameter_group, name)
                               for name in FREEZE_PARAMETERS}}
        ctx.state.facts["freeze"] = recorded
        ctx.state.save()
    for name, value in FREEZE_PARAMETERS.items():
        ctx.aws.set_db_parameter(f.source_region, recorded["parameterGroup"], name, value)
    ctx.write(f"  {database.identifier}: {', '.join(f'{k}={v}' for k, v in FREEZE_PARAMETERS.items())}; rebooting "
              f"to end every open session")
    ctx.aws.reboot_database(f.source_region, recorded["instance"])
    recorded["rebooted"] = True
    ctx.state.save()
    ctx.aws.wait_for_database(f.source_region, recorded["instance"])
    return f"{f.source}'s database takes no writes (read-only after a reboot of {recorded['instance']})"


def verify_freeze(ctx: Context) -> Optional[str]:
    f, recorded = ctx.facts, ctx.state.facts.get("freeze") or {}
    if not recorded.get("rebooted"):
        return "the database was not rebooted after the freeze: sessions opened before it could still write"
    database = ctx.aws.database(f.source_region, recorded["instance"])
    if database.status != "available" or database.parameter_apply_status != "in-sync":
        return (f"{database.identifier} is {database.status}, its parameters {database.parameter_apply_status or '?'}"
                f" (wanted available, in-sync)")
    wrong = {name: ctx.aws.db_parameter(f.source_region, recorded["parameterGroup"], name)
             for name, value in FREEZE_PARAMETERS.items()
             if ctx.aws.db_parameter(f.source_region, recorded["parameterGroup"], name) != value}
    return f"{recorded['parameterGroup']} has {wrong}, not {FREEZE_PARAMETERS}" if wrong else None


def unfreeze(ctx: Context) -> str:
    """The freeze's undo: every parameter as it was before (reset when the group did not set it); no reboot needed."""
    f, recorded = ctx.facts, ctx.state.facts.get("freeze")
    if recorded is None:
        return f"{f.source}'s writes were never frozen"
    group = recorded["parameterGroup"]
    for name, before in recorded["before"].items():
        if before is None:
            ctx.aws.reset_db_parameter(f.source_region, group, name)
        else:
            ctx.aws.set_db_parameter(f.source_region, group, name, before)
    ctx.state.facts.pop("freeze")
    ctx.state.rolled_back = True  # the source takes writes again: data copied before now is stale at the cutover
    ctx.state.save()
    return f"{f.source}'s database takes writes again ({group} restored)"


def still_frozen(ctx: Context) -> str:
    """What a stop before the cutover leaves: the source frozen, and the two ways on."""
    f = ctx.facts
    if ctx.state.facts.get("freeze") is None:
        return ""
    return (f"\n{f.source}'s database is still frozen (read-only): re-run `./dev migrate {f.source} {f.target} --yes`"
            f" to resume, or `./dev migrate {f.source} {f.target} --rollback --yes` to let it take writes again.")


STEPS: dict[str, StepImpl] = {"freeze-writes": StepImpl(run_freeze, verify_freeze)}
