"""Is the target's data fresh enough to move users onto? Checked, and said, right before the cutover.

The target's database holds the source's data as of the snapshot: every write to the source after it is lost at the
cutover. So the cutover prints the snapshot's age, and is refused (exit 6, with the pg_dump/pg_restore route) when
- the migration was rolled back: the source has taken writes again since, and a re-run skips the steps that carried
  the data (they are done), so it would not carry them;
- the snapshot is older than `--max-snapshot-age-minutes` (120), or its age is unknown;
unless `--accept-stale-data` says so: the loss is accepted, or the data was brought up to date by hand.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

from ..errors import Refused
from .context import Context
from .steps import pg_steps


def snapshot_taken(ctx: Context) -> Optional[float]:
    """When the snapshot captured the data (epoch seconds): recorded by the snapshot step, else asked of RDS."""
    taken = ctx.state.facts.get("snapshotTaken")
    if taken is None:
        found = ctx.aws.snapshot(ctx.facts.source_region, ctx.state.snapshot)
        taken = found.created.timestamp() if found is not None and found.created else None
    return taken


def ensure_fresh_data(ctx: Context) -> None:
    """Print the data's age; refuse the cutover over stale data unless the run accepts it."""
    f, o = ctx.facts, ctx.facts.options
    reasons: list[str] = []
    if ctx.state.rolled_back:
        reasons.append(f"the migration was rolled back, so {f.source} has taken writes again since its data was "
                       f"copied")
    since = "the snapshot"
    if o.database_restored:
        ctx.write(f"  the data was restored into {f.target} by hand: how recent it is, migrate cannot tell")
        since = "the restore"
    else:
        taken = snapshot_taken(ctx)
        if taken is None:
            ctx.write(f"  the snapshot {ctx.state.snapshot}: its age is not known")
            reasons.append(f"the age of the snapshot {ctx.state.snapshot} is not known")
        else:
            age = max(0.0, ctx.clock.now() - taken)
            when = datetime.fromtimestamp(taken, timezone.utc).isoformat(timespec="minutes")
            since = f"the snapshot ({when})"
            ctx.write(f"  the data is {f.source}'s as of the snapshot {ctx.state.snapshot}, taken {_duration(age)} "
                      f"ago (limit {o.max_snapshot_age_minutes} minutes)")
            if age > o.max_snapshot_age_minutes * 60:
                reasons.append(f"the snapshot is {_duration(age)} old, older than the limit of "
                               f"{o.max_snapshot_age_minutes} minutes")
    if not reasons:
        return
    if o.accept_stale_data:
        ctx.write(f"  accepted (--accept-stale-data): {'; '.join(reasons)}; writes to {f.source} since {since} are "
                  f"not in {f.target}")
        return
    raise Refused("\n".join([
        f"not cutting over to {f.target}: {'; and '.join(reasons)}. Writes to {f.source} since {since} are not in "
        f"{f.target}'s database and would be lost. {_dns_now(ctx)} Either bring {f.target}'s data up to date "
        f"with pg_dump/pg_restore ({f.source}'s writes are frozen now, so a dump holds every one):",
        *pg_steps(ctx, "--accept-stale-data"),
        f"or accept the loss: ./dev migrate {f.source} {f.target} --yes --accept-stale-data"
        + ("" if o.database_restored else " (or allow older data: --max-snapshot-age-minutes N)"),
    ]))


def _dns_now(ctx: Context) -> str:
    f = ctx.facts
    if not f.domain:
        return "Nothing was changed."
    if ctx.state.facts.get("cutoverStarted") and not ctx.state.rolled_back:
        return (f"{f.domain} is as an interrupted cutover left it: `./dev migrate {f.source} {f.target} --rollback "
                f"--yes` points it back at {f.source}.")
    return f"Nothing was changed: {f.domain} still points at {f.source}."


def _duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes} minutes" if minutes < 120 else f"{minutes // 60} h {minutes % 60:02d} min"
