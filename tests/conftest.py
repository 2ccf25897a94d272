"""Shared fixtures: the real program run under mocks once per stack and session (runs are deterministic)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from offline.program import ProgramRun, run_program
from project import config_as_engine_text

ROOT = Path(__file__).resolve().parent.parent


def stack_values(stack: str) -> dict:
    """The stack file's config as a plain (mutable) dict, for tests that change one key."""
    return copy.deepcopy(yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"])


def run_with(stack: str, values: dict) -> ProgramRun:
    return run_program(stack, config=config_as_engine_text(values))


@pytest.fixture(scope="session")
def mvp() -> ProgramRun:
    return run_program("mvp")


@pytest.fixture(scope="session")
def mvp_first_preview() -> ProgramRun:
    """The MVP as a first `pulumi preview` of a new stack sees it: every id, ARN and generated name unknown."""
    return run_program("mvp", preview=True)


@dataclass(frozen=True)
class Mode:
    """How the engine judges a stack: at its first preview (unknowns everywhere) or at an update."""

    name: str
    run: ProgramRun

    @property
    def preview(self) -> bool:
        return self.name == "preview"

    def graph(self) -> list:
        """A fresh, mutable copy of the MVP graph: the passing 'happy path' policy tests start from."""
        return copy.deepcopy(self.run.resources)


@pytest.fixture(scope="session", params=["update", "preview"])
def mode(request, mvp, mvp_first_preview) -> Mode:
    return Mode(request.param, mvp_first_preview if request.param == "preview" else mvp)


@pytest.fixture(scope="session")
def mvp_graph(mvp):
    """A factory of fresh, mutable copies of the MVP graph (update mode)."""
    return lambda: copy.deepcopy(mvp.resources)


def find(resources, name: str):
    return next(r for r in resources if r.name == name)


def set_prop(resource, path: str, value) -> None:
    """Change one property in both the inputs (seen by Analyze) and the outputs (seen by AnalyzeStack)."""
    for props in (resource.inputs, resource.outputs):
        *parents, last = path.split(".")
        node = props
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        if value is DELETE:
            node.pop(last, None)
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value


DELETE = object()


def extra_resource(typ: str, name: str, props: dict):
    """A resource added to a graph by a test, registered at the stack root with the same inputs and outputs."""
    from offline.recording import RecordedResource

    return RecordedResource(urn=f"urn:pulumi:mvp::phasegate::{typ}::{name}", type=typ, name=name, custom=True,
                            inputs=copy.deepcopy(props), outputs=copy.deepcopy(props))


@pytest.fixture(scope="session")
def growth() -> ProgramRun:
    return run_program("growth")


@pytest.fixture(scope="session")
def production() -> ProgramRun:
    return run_program("production")


@pytest.fixture(scope="session")
def production_first_preview() -> ProgramRun:
    return run_program("production", preview=True)


SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def revealed(value):
    """A recorded input as the engine carries it is wrapped when secret; tests compare the value inside."""
    if isinstance(value, dict) and value.get("4dabf18193072939515e22adb298388d") == SECRET_SIG:
        return value["value"]
    return value
