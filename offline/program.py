"""Runs the real Pulumi program (`__main__.py`) in-process under mocks, fed by the real stack file.

This is what `pulumi preview` would do, minus AWS: the same config reaches the program (as the engine
passes it, JSON text for structured values), the same resources are registered, and the graph is returned.
"""

from __future__ import annotations

import logging
import runpy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import pulumi
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from phasegate_policies.stack import DEFAULT_REGION
from project import PROJECT, PROJECT_DIR, ProgramError, stack_config

from .mocks import RealisticMocks
from .recording import RecordedResource, RecordingMonitor

__all__ = ["ProgramError", "ProgramRun", "run_program"]


@dataclass
class ProgramRun:
    stack: str
    config: dict[str, str]
    resources: list[RecordedResource]
    outputs: dict[str, Any] = field(default_factory=dict)

    def of_type(self, typ: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == typ]

    def one(self, typ: str) -> RecordedResource:
        found = self.of_type(typ)
        if len(found) != 1:
            raise AssertionError(f"expected one {typ}, found {len(found)}: {[r.name for r in found]}")
        return found[0]

    def by_urn(self) -> dict[str, RecordedResource]:
        return {r.urn: r for r in self.resources}


class _ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run_program(stack: str, config: Mapping[str, str] | None = None, project_dir: Path = PROJECT_DIR,
                preview: bool = False, program: Callable[[], None] | None = None) -> ProgramRun:
    """Run `__main__.py` for `stack` under mocks; `config` replaces the stack file's values when given.

    `program` replaces `__main__.py`: a test can build one part or runtime alone, with the stack's config.
    """
    values = dict(config) if config is not None else stack_config(stack, project_dir)
    region = values.get("aws:region")
    mocks = RealisticMocks(region=region if isinstance(region, str) and region else DEFAULT_REGION, preview=preview)
    monitor = RecordingMonitor(mocks)
    errors = _ErrorLog()
    logger = logging.getLogger(f"phasegate.offline.{stack}")
    logger.handlers[:] = [errors]
    logger.propagate = False

    # A fresh root stack resource per run: set_mocks keeps the previous one (its URN names the previous stack,
    # and its exports would leak into this run's outputs).
    pulumi.runtime.settings.ROOT.set(None)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=preview, logger=logger, monitor=monitor)
    pulumi.runtime.set_all_config(values)

    def main() -> None:
        runpy.run_path(str(project_dir / "__main__.py"), run_name="__main__")

    try:
        _sync_await(run_pulumi_func(program or main))
    except pulumi.RunError as exc:
        raise ProgramError(stack, errors.messages or [str(exc)]) from None
    except Exception as exc:  # noqa: BLE001 - a crash is reported as what it is, not as a traceback
        raise ProgramError(stack, errors.messages + [f"the program failed: {type(exc).__name__}: {exc}"]) from None
    if errors.messages:
        raise ProgramError(stack, errors.messages)

    outputs = _resolve(pulumi.runtime.settings.get_root_resource().outputs)
    return ProgramRun(stack=stack, config=values, resources=list(monitor.recorded.values()), outputs=outputs)


def _resolve(outputs: Mapping[str, Any]) -> dict[str, Any]:
    async def gather() -> dict[str, Any]:
        resolved = {}
        for key, value in outputs.items():
            resolved[key] = await pulumi.Output.from_input(value).future()
        return resolved

    return _sync_await(gather())
