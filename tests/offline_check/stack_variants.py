"""Checked variants of a shipped stack, for tests that need a report the shipped files do not produce."""

from __future__ import annotations

from conftest import stack_values
from offline.check import check_stack
from offline.report import StackReport
from project import config_as_engine_text


def mvp_with_host(instance_type: str) -> StackReport:
    """The MVP checked with its compose host as `instance_type`, everything else as shipped."""
    values = stack_values("mvp")
    values["phasegate:compute"] = {"runtime": "compose", "instanceType": instance_type}
    return check_stack("mvp", config=config_as_engine_text(values))
