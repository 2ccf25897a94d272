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
