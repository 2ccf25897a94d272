"""How long a migration keeps the source's writes frozen: from the freeze to the end of the cutover, estimated.

Printed before asking to proceed (`migrate` without `--yes`, `--plan`) and when the freeze starts, from the
database's allocated storage (the stack file's before a run, the instance's own during it) and the steps ahead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .facts import MigrationFacts

# Planning figures for the window (minutes), not AWS guarantees: a reboot of a small instance, a manual snapshot and
# a copy that grow with the allocated storage (the first snapshot of an instance copies all of it), a deploy that
# creates the target's database from the snapshot, a cutover deploy that issues and validates a certificate.
REBOOT_MINUTES = 5
SNAPSHOT_MINUTES, SNAPSHOT_MINUTES_PER_GB = 5, 0.2
COPY_MINUTES, COPY_MINUTES_PER_GB = 10, 0.5
DEPLOY_MINUTES, RESTORE_MINUTES_PER_GB = 25, 0.2
DOMAIN_CUTOVER_MINUTES = 15
WINDOW_DEPENDS_ON = ("the source database's allocated storage (the snapshot, its copy and the restore grow with it)",
                     "whether the snapshot crosses regions", "how long the target's deploy takes",
                     "the health check's tries and interval", "the cutover (a domain deploy, or the weighted stages)")


@dataclass(frozen=True)
class Window:
    minutes: int
    allocated_gb: int

    def text(self) -> str:
        return (f"writes to the source are frozen for about {self.minutes} minutes (estimated for "
                f"{self.allocated_gb} GB, from the freeze to the end of the cutover; it depends on "
                f"{'; '.join(WINDOW_DEPENDS_ON)})")

    def as_json(self) -> dict:
        return {"estimatedMinutes": self.minutes, "allocatedGb": self.allocated_gb,
                "dependsOn": list(WINDOW_DEPENDS_ON)}


def freeze_window(facts: MigrationFacts, allocated_gb: int) -> Window:
    """From the freeze to the end of the cutover: the steps ahead, the data steps sized by the allocated storage."""
    o = facts.options
    minutes = REBOOT_MINUTES + DEPLOY_MINUTES
    if not o.database_restored:  # restored by hand: the data steps are behind, the deploy creates no database
        minutes += SNAPSHOT_MINUTES + SNAPSHOT_MINUTES_PER_GB * allocated_gb + RESTORE_MINUTES_PER_GB * allocated_gb
        if facts.cross_region:
            minutes += COPY_MINUTES + COPY_MINUTES_PER_GB * allocated_gb
    minutes += o.health_attempts * o.health_interval_seconds / 60
    if facts.domain:
        minutes += len(o.weights) * o.stage_minutes if o.cutover == "weighted" else DOMAIN_CUTOVER_MINUTES
    return Window(math.ceil(minutes), allocated_gb)
