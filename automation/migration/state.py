"""A migration's progress on disk, so an interrupted or failed run resumes where it stopped.

`.phasegate/migrations/<source>-to-<target>.json` in the project (git-ignored), recorded by the migration's first
plan (`--plan`, or a run): the options that shape the steps, the snapshot name chosen then (so the name `--plan`
shows is the one the run takes, and a re-run reuses the snapshot instead of taking another), the domain and
zone resolved at the start (the deploy takes `app.domain` out of the target's stack file until the cutover, so a
re-run could not find them there), what each step found (ARNs, the DNS records before the cutover; never a secret
output), and each step's status. Written atomically after every step; a `.lock` file next to it lets one run at a
time work on it. The lock is an flock, not the file's existence: the kernel drops it when the run ends (even on a
crash), so the empty `.lock` left behind never blocks a later run.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Optional

from ..errors import Refused, UsageError

STATE_DIR = ".phasegate/migrations"
DONE, SKIPPED, FAILED, ROLLED_BACK = "done", "skipped", "failed", "rolled-back"
# The steps that put the data in place; which route (snapshot, or restored by hand) may change until one is done.
DATA_STEPS = ("snapshot", "copy-snapshot", "restore-point", "database")


def state_path(project_dir: Path, source: str, target: str) -> Path:
    return project_dir / STATE_DIR / f"{source}-to-{target}.json"


def snapshot_name(app: str, source: str, target: str, when: datetime) -> str:
    """An RDS snapshot identifier: letters, digits and single hyphens, starting with a letter."""
    raw = f"{app}-{source}-to-{target}-{when:%Y%m%d%H%M}"
    cleaned = re.sub(r"-+", "-", re.sub(r"[^A-Za-z0-9-]", "-", raw)).strip("-")
    return cleaned if cleaned[:1].isalpha() else f"m-{cleaned}"


@contextlib.contextmanager
def exclusive(path: Path, source: str, target: str) -> Iterator[None]:
    """Hold the migration's lock (an flock the kernel drops when the process ends, so a crash leaves none)."""
    lock = path.with_suffix(".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Refused(f"another ./dev migrate {source} {target} is running (it holds {lock}); wait for it to "
                          f"finish, then re-run") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class MigrationState:
    path: Path
    source: str
    target: str
    started: str
    snapshot: str
    options: dict[str, Any]
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    rolled_back: bool = False
    dns: Optional[dict[str, Optional[str]]] = None  # {"domain", "zone"} as resolved by the first run

    @classmethod
    def read(cls, path: Path) -> Optional["MigrationState"]:
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text())
            return cls(path=path, source=data["source"], target=data["target"], started=data["started"],
                       snapshot=data["snapshot"], options=data["options"], steps=data.get("steps", {}),
                       facts=data.get("facts", {}), rolled_back=data.get("rolledBack", False), dns=data.get("dns"))
        except (OSError, ValueError, KeyError) as exc:
            raise UsageError(f"{path}: not a readable migration state ({exc}); move it away to start over") from None

    @classmethod
    def start(cls, path: Path, source: str, target: str, app: str, options: dict[str, Any],
              now: Optional[datetime] = None, dns: Optional[dict[str, Optional[str]]] = None) -> "MigrationState":
        when = now or datetime.now(timezone.utc)
        return cls(path=path, source=source, target=target, started=when.isoformat(timespec="seconds"),
                   snapshot=snapshot_name(app, source, target, when), options=options, dns=dns)

    def agrees_with(self, options: dict[str, Any]) -> None:
        """Refuse options that would change steps already run; adopt the data route while no data step is done.

        The pg_dump/pg_restore route (printed when the target already has a database) ends in a re-run with
        --database-restored: that must be accepted, since nothing of the snapshot route was done."""
        if not self.steps:  # recorded by a plan, nothing run yet: the run's options are the migration's
            self.options = dict(options)
            return
        differing = sorted(k for k in options if self.options.get(k) != options[k])
        if "databaseRestored" in differing and not any(self.finished(step) for step in DATA_STEPS):
            self.options["databaseRestored"] = options["databaseRestored"]
            differing.remove("databaseRestored")
        if differing:
            raise UsageError(f"a migration {self.source} -> {self.target} is in progress with other options "
                             f"({', '.join(f'{k}={self.options.get(k)!r}' for k in differing)}); re-run with those, "
                             f"or move {self.path} away to start over")

    def status(self, step: str) -> Optional[str]:
        return self.steps.get(step, {}).get("status")

    def finished(self, step: str) -> bool:
        return self.status(step) in (DONE, SKIPPED)

    def mark(self, step: str, status: str, note: str = "") -> None:
        self.steps[step] = {"status": status, "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                            **({"note": note} if note else {})}
        self.save()

    def save_if_absent(self) -> None:
        """Record a new migration (from its first plan) unless a run recorded one meanwhile."""
        if not self.path.exists():
            self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"source": self.source, "target": self.target, "started": self.started, "snapshot": self.snapshot,
                "options": self.options, "dns": self.dns, "steps": self.steps, "facts": self.facts,
                "rolledBack": self.rolled_back}
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=2, default=str) + "\n")
        os.replace(temporary, self.path)  # atomic: an interrupted write never leaves half a state
