"""What a running migration step can reach: the facts, the state, the stacks, AWS, the prober and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

from project import PROJECT_DIR

from ..aws import Aws
from ..health import Clock, Prober
from ..stacks import GuardedStack, Stacks, public_outputs
from .facts import MigrationFacts
from .state import MigrationState


@dataclass
class Context:
    facts: MigrationFacts
    state: MigrationState
    stacks: Stacks
    aws: Aws
    prober: Prober
    clock: Clock
    deploy: Callable[..., Any]
    write: Callable[[str], None] = print
    project_dir: Path = PROJECT_DIR
    _opened: dict[str, GuardedStack] = field(default_factory=dict)

    def source_stack(self) -> GuardedStack:
        return self._open(self.facts.source, create=False)

    def target_stack(self) -> GuardedStack:
        return self._open(self.facts.target, create=True)

    def _open(self, name: str, *, create: bool) -> GuardedStack:
        if name not in self._opened:
            self._opened[name] = self.stacks.open(name, create=create)
        return self._opened[name]

    def deploy_target(self, *, refresh: bool = False) -> dict[str, Any]:
        """The target through `deploy` (offline check, gated preview, up), its outputs remembered in the state."""
        result = self.deploy(self.facts.target, yes=True, pack_config=self.facts.options.pack_config,
                             stacks=self.stacks, project_dir=self.project_dir, refresh=refresh, write=self.write)
        self.remember_target_outputs(result.outputs)
        return result.outputs

    def remember_target_outputs(self, outputs: Mapping[str, Any]) -> None:
        """The target's plain outputs, in the state; a secret one (Pulumi's `secret`) is never written down."""
        self.state.facts["target"] = {k: v for k, v in public_outputs(outputs).items()
                                      if isinstance(v, (str, int, float))}
        self.state.save()

    def fact(self, section: str, key: str) -> Optional[Any]:
        return self.state.facts.get(section, {}).get(key)
