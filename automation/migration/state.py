"""A migration's progress on disk, so an interrupted or failed run resumes where it stopped.

`.phasegate/migrations/<source>-to-<target>.json` in the project (git-ignored): the options that shape the steps,
the snapshot name chosen at the start (so a re-run reuses the snapshot instead of taking another), what each
step found (ARNs, the DNS records before the cutover), and each step's status. Written atomically after
every step.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

from ..errors import UsageError

STATE_DIR = ".phasegate/migrations"
DONE, SKIPPED, FAILED, ROLLED_BACK = "done", "skipped", "failed", "rolled-back"


def state_path(project_dir: Path, source: str, target: str) -> Path:
    return project_dir / STATE_DIR / f"{source}-to-{target}.json"


def snapshot_name(app: str, source: str, target: str, when: datetime) -> str:
    """An RDS snapshot identifier: letters, digits and single hyphens, starting with a letter."""
    raw = f"{app}-{source}-to-{target}-{when:%Y%m%d%H%M}"
    cleaned = re.sub(r"-+", "-", re.sub(r"[^A-Za-z0-9-]", "-", raw)).strip("-")
    return cleaned if cleaned[:1].isalpha() else f"m-{cleaned}"


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

    @classmethod
    def read(cls, path: Path) -> Optional["MigrationState"]:
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text())
            return cls(path=path, source=data["source"], target=data["target"], started=data["started"],
                       snapshot=data["snapshot"], options=data["options"], steps=data.get("steps", {}),
                       facts=data.get("facts", {}), rolled_back=data.get("rolledBack", False))
        except (OSError, ValueError, KeyError) as exc:
            raise UsageError(f"{path}: not a readable migration state ({exc}); move it away to start over") from None

    @classmethod
    def start(cls, path: Path, source: str, target: str, app: str, options: dict[str, Any],
              now: Optional[datetime] = None) -> "MigrationState":
        when = now or datetime.now(timezone.utc)
        return cls(path=path, source=source, target=target, started=when.isoformat(timespec="seconds"),
                   snapshot=snapshot_name(app, source, target, when), options=options)

    def agrees_with(self, options: dict[str, Any]) -> None:
        differing = sorted(k for k in options if self.options.get(k) != options[k])
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

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"source": self.source, "target": self.target, "started": self.started, "snapshot": self.snapshot,
                "options": self.options, "steps": self.steps, "facts": self.facts, "rolledBack": self.rolled_back}
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=2, default=str) + "\n")
        os.replace(temporary, self.path)  # atomic: an interrupted write never leaves half a state
