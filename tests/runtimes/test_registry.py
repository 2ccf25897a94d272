"""The runtime registry: every runtime a phase may run is registered once, and a second registration is refused."""

from __future__ import annotations

import pytest

from components.config import RUNTIME_MODELS
from components.config.presets import PHASE_RUNTIMES
from components.parts.security_groups import AppSecurityGroupShape
from components.runtimes import RUNTIMES, Runtime, RuntimeRegistry



def test_a_runtime_name_can_be_registered_only_once():
    registry = RuntimeRegistry()
    runtime = Runtime(name="compose", component="app", ingress_port=None, build=lambda name, args: None,
                      security_group=AppSecurityGroupShape("web", "d"))
    registry.register(runtime)
    with pytest.raises(ValueError, match="runtime 'compose' is already registered"):
        registry.register(runtime)
    assert list(registry) == ["compose"]


def test_the_shipped_registry_refuses_a_second_compose():
    with pytest.raises(ValueError, match="already registered"):
        RUNTIMES.register(RUNTIMES["compose"])


def test_every_runtime_a_phase_allows_has_a_config_model_and_a_builder():
    allowed = {runtime for runtimes in PHASE_RUNTIMES.values() for runtime in runtimes}
    assert allowed <= set(RUNTIME_MODELS)
    assert set(RUNTIMES) == allowed


def test_runtimes_that_serve_through_the_load_balancer_name_its_port():
    assert RUNTIMES["compose"].ingress_port is None and RUNTIMES["compose"].security_group.open_web_to_internet
    assert RUNTIMES["k3s"].ingress_port == 80 and not RUNTIMES["k3s"].security_group.open_web_to_internet
    assert RUNTIMES["eks"].ingress_port == 30080 and not RUNTIMES["eks"].security_group.open_web_to_internet


def test_the_phase_runtime_matrix_is_the_reference_plans():
    assert {phase.value: list(runtimes) for phase, runtimes in PHASE_RUNTIMES.items()} == {
        "mvp": ["compose", "fargate", "lambda"], "growth": ["k3s", "fargate", "lambda"],
        "production": ["eks", "fargate"]}
    assert RUNTIMES["fargate"].ingress_per_service and RUNTIMES["fargate"].behind_load_balancer
    assert not RUNTIMES["lambda"].behind_load_balancer and RUNTIMES["lambda"].interface_endpoints == ("secretsmanager",)


ECR = "123456789012.dkr.ecr.{region}.amazonaws.com/acme/{name}:1.0.0"


@pytest.mark.parametrize("phase, runtime", [(phase.value, runtime) for phase, runtimes in PHASE_RUNTIMES.items()
                                            for runtime in runtimes])
def test_every_allowed_phase_and_runtime_builds_one_compute_component(phase, runtime):
    from conftest import run_with, stack_values

    stack = phase  # each phase's shipped stack file, with its runtime swapped
    values = stack_values(stack)
    values["phasegate:compute"] = {"runtime": runtime}
    if runtime in ("fargate", "lambda") and phase == "mvp":
        values["phasegate:network"] = {"egress": "instance"}  # the mvp preset has no egress at all
    if runtime == "lambda":
        for service in values["phasegate:app"]["services"]:
            service["image"] = ECR.format(region=values["aws:region"], name=service["name"])
        values["phasegate:usage"].update(lambdaAvgDurationMs=100, ecrStorageGb=1)
    run = run_with(stack, values)
    component = RUNTIMES[runtime].component
    assert [r.name for r in run.resources if not r.custom and r.name == f"acme-{component}"] == [f"acme-{component}"]
