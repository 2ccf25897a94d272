"""Fixtures for automation tests: a copy of the project's stack files, the fake engine, moto, a fake clock.

Imported by name into each test module: a `conftest.py` here would take the module name `conftest` from the
suite's own (pytest's prepend import mode keeps one per name), which other tests import helpers from."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

import automation.deploy  # noqa: F401 - the module (the package exports a function of the same name)
from automation.stacks import Stacks
from fakes import Backend
from offline.check import check_stack

ROOT = Path(__file__).resolve().parents[2]

# moto must never reach AWS, whatever the machine has configured.
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SECURITY_TOKEN": "testing",
                    "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
os.environ.update(FAKE_CREDENTIALS)


_REPORTS: dict = {}


@pytest.fixture(autouse=True)
def remembered_offline_checks(monkeypatch):
    """The offline check is deterministic: each distinct config (the snapshot's name aside, which carries the
    time) is checked once per session, not once per deploy."""
    def check(stack, pack_config=None, config=None, preview=False):
        values = dict(config or {})
        database = json.loads(values.get("phasegate:database", "{}"))
        database.pop("snapshotIdentifier", None)
        values["phasegate:database"] = json.dumps(database)
        key = (stack, json.dumps(values, sort_keys=True), json.dumps(pack_config, sort_keys=True), preview)
        if key not in _REPORTS:
            _REPORTS[key] = check_stack(stack, pack_config=pack_config, config=config, preview=preview)
        return _REPORTS[key]
    monkeypatch.setattr(sys.modules["automation.deploy"], "check_stack", check)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The stack files in a scratch directory: config set by a test (as `pulumi config set` would) stays there."""
    for stack_file in ROOT.glob("Pulumi.*.yaml"):
        shutil.copy(stack_file, tmp_path / stack_file.name)
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / "policies").mkdir()
    return tmp_path


@pytest.fixture
def backend(project: Path) -> Backend:
    return Backend(project_dir=project)


@pytest.fixture
def stacks(backend: Backend, project: Path) -> Stacks:
    return Stacks(opener=backend.opener, work_dir=project)


class FakeClock:
    def __init__(self) -> None:
        self.time = float(int(time.time()))  # starts at the real time: AWS (moto) timestamps are compared with it
        self.slept: list[float] = []
        self.on_sleep = None  # called with the clock after each sleep: a test can change the world mid-window

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.time += seconds
        if self.on_sleep:
            self.on_sleep(self)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
