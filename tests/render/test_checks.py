"""The config checks that need rendering run on a validated config, through the loader, with exact messages."""

from __future__ import annotations

import pytest

from components.composition import render_problems
from components.config import ConfigError, build_stack_config
from conftest import stack_values


def test_pods_that_need_more_memory_than_the_nodes_schedule_are_refused_with_the_key():
    values = stack_values("production")
    for service in values["phasegate:app"]["services"]:
        service["memoryMb"] = 3000
    with pytest.raises(ConfigError) as error:
        build_stack_config(values, "Pulumi.production.yaml", checks=[render_problems])
    assert error.value.problems == [
        "Pulumi.production.yaml: phasegate:app.services: the services request 18,000 MiB at their replicas (plus 796 "
        "MiB for CoreDNS, metrics-server, Traefik), more than 3 x t3.medium can schedule (10,293 MiB after what EKS "
        "and its daemons reserve): pods would stay Pending; lower memoryMb or replicas, or raise compute.minNodes or "
        "the node type"]


def test_the_render_checks_run_only_once_the_config_is_valid():
    values = stack_values("growth")
    values["phasegate:app"]["services"][0]["environment"] = {f"SETTING_{i}": "x" * 300 for i in range(60)}
    assert [p.split(": ")[1] for p in _problems(values, "growth")] == ["phasegate:app.services"]  # the server
    values["phasegate:database"] = {"backupRetentionDays": 0}
    assert [p.split(": ")[1] for p in _problems(values, "growth")] == ["phasegate:database.backupRetentionDays"]


def _problems(values: dict, stack: str) -> list[str]:
    with pytest.raises(ConfigError) as error:
        build_stack_config(values, f"Pulumi.{stack}.yaml", checks=[render_problems])
    return error.value.problems
