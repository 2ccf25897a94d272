"""Shared fixtures: the real program run under mocks once per stack and session (runs are deterministic)."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from offline.program import ProgramRun, config_as_engine_text, run_program  # noqa: E402


def stack_values(stack: str) -> dict:
    """The stack file's config as a plain (mutable) dict, for tests that change one key."""
    return copy.deepcopy(yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"])


def run_with(stack: str, values: dict) -> ProgramRun:
    return run_program(stack, config=config_as_engine_text(values))


@pytest.fixture(scope="session")
def mvp() -> ProgramRun:
    return run_program("mvp")
