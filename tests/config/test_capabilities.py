"""Runtimes are known by what they declare, not by their names: the rules that read capabilities hold for each."""

from __future__ import annotations

import ast

import pytest

from components.config import RUNTIME_MODELS, ConfigError, build_stack_config
from components.config.capabilities import Ingress
from components.config.presets import PHASE_RUNTIMES
from components.render.placeholders import RENDERERS
from components.runtimes import RUNTIMES
from conftest import ROOT, stack_values
from phasegate_policies.contract import is_graviton

# The EC2 instance type naming conventions: "g" after the generation is AWS Graviton; a1 is the first Graviton
# (https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html).
GRAVITON = ["a1.medium", "t4g.nano", "m6g.large", "m6gd.large", "c6gn.xlarge", "c7gn.large", "x2gd.large",
            "im4gn.large", "is4gen.large", "g5g.xlarge", "hpc7g.4xlarge", "r8g.large"]
NOT_GRAVITON = ["t3.small", "t3a.medium", "m5.large", "m5zn.large", "c5n.large", "g4dn.xlarge", "gr6.4xlarge",
                "m7i.large", "m7a.large", "inf2.xlarge", "p4d.24xlarge", "mac2-m2.metal", "u-6tb1.metal"]


@pytest.mark.parametrize("instance_type", GRAVITON + NOT_GRAVITON)
def test_one_graviton_test_knows_every_family(instance_type):
    assert is_graviton(instance_type) == (instance_type in GRAVITON)


def _phase_of(runtime: str) -> str:
    return next(phase.value for phase, runtimes in PHASE_RUNTIMES.items() if runtime in runtimes)


def _values_for(runtime: str) -> tuple[str, dict]:
    """A shipped stack of a phase that allows `runtime`, running it, with what every runtime asks of the rest."""
    stack = _phase_of(runtime)
    values = stack_values(stack)
    values["phasegate:compute"] = {"runtime": runtime}
    values["phasegate:network"] = {**values.get("phasegate:network", {}), "egress": "instance"}
    for service in values["phasegate:app"]["services"]:
        service["public"], service["pathPrefix"] = True, f"/{service['name']}"
        service["image"] = f"123456789012.dkr.ecr.{values['aws:region']}.amazonaws.com/acme/{service['name']}:1.0.0"
    values["phasegate:app"]["services"][0]["pathPrefix"] = "/"
    return stack, values


@pytest.mark.parametrize("runtime", list(RUNTIME_MODELS))
def test_a_waf_is_accepted_exactly_where_a_load_balancer_fronts_the_runtime(runtime):
    stack, values = _values_for(runtime)
    values["phasegate:waf"] = {"enabled": True}
    behind = RUNTIME_MODELS[runtime].capabilities.behind_load_balancer
    try:
        build_stack_config(values, f"Pulumi.{stack}.yaml")
        problems = []
    except ConfigError as error:
        problems = error.problems
    assert problems == ([] if behind else [f"Pulumi.{stack}.yaml: phasegate:waf.enabled: "
                                           f"{RUNTIME_MODELS[runtime].capabilities.waf_refusal}"])


def test_the_registry_reads_its_ingress_facts_from_the_models():
    for name, runtime in RUNTIMES.items():
        ingress = RUNTIME_MODELS[name].capabilities.ingress
        assert (runtime.ingress_port is not None) == (ingress is Ingress.NODE_PORT), name
        assert runtime.behind_load_balancer == (ingress is not Ingress.ITSELF), name


def test_every_runtime_that_boots_from_user_data_has_its_boot_scripts_rendered_for_the_size_check():
    booting = {model for model in RUNTIME_MODELS.values() if model.capabilities.boots_from_user_data}
    assert booting == set(RENDERERS)


# Where a runtime's name may be written: its own module, its config model, the registry and the presets' table.
NAMED_IN = {"components/runtimes", "components/config/compute.py", "components/config/presets.py"}


def test_no_other_component_code_compares_a_runtime_name():
    names = set(RUNTIME_MODELS)
    found = []
    for path in sorted((ROOT / "components").rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        if any(where == allowed or where.startswith(allowed + "/") for allowed in NAMED_IN):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Compare) and any(
                    isinstance(side, ast.Constant) and side.value in names for side in [node.left, *node.comparators]):
                found.append(f"{where}:{node.lineno}")
    assert found == []
