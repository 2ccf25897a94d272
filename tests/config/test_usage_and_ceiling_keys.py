"""Usage values are finite numbers, and a ceiling in the stack file points to the pack config, each in one line.

YAML reads `.inf` and `.nan` as floats (YAML 1.1, which PyYAML implements: https://yaml.org/type/float.html), so
they reached the pack's Decimal pricing and ended in decimal.InvalidOperation; now the loader refuses them by key.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from components.config.loader import ConfigError, build_stack_config
from conftest import ROOT, stack_values
from phasegate_policies.cost.usage import USAGE_KEYS
from project import config_as_engine_text


def problems(values: dict) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        build_stack_config(config_as_engine_text(values), "Pulumi.growth.yaml")
    return caught.value.problems


@pytest.mark.parametrize("key", sorted(USAGE_KEYS))
@pytest.mark.parametrize("bad", [".inf", "-.inf", ".nan", "lots", "true"])
def test_every_usage_value_must_be_a_finite_number(key, bad):
    values = stack_values("growth")
    values["phasegate:usage"][key] = yaml.safe_load(bad)
    [problem] = problems(values)
    assert problem.startswith(f"Pulumi.growth.yaml: phasegate:usage.{key}: Input should be a ")


def test_inf_from_a_stack_file_is_one_line_through_the_check_not_a_traceback(tmp_path):
    text = (ROOT / "Pulumi.growth.yaml").read_text().replace("gbServedPerMonth: ", "gbServedPerMonth: .inf #", 1)
    assert ".inf" in text
    values = yaml.safe_load(text)["config"]
    [problem] = problems(values)
    assert problem == "Pulumi.growth.yaml: phasegate:usage.gbServedPerMonth: Input should be a finite number (got inf)"
    assert "InvalidOperation" not in problem


@pytest.mark.parametrize("key", ["ceiling", "costCeiling", "ceilingUsd"])
def test_a_ceiling_in_the_stack_file_points_to_the_pack_config(key):
    values = stack_values("growth")
    values[f"phasegate:{key}"] = 100
    [problem] = problems(values)
    assert problem.startswith(f"Pulumi.growth.yaml: phasegate:{key}: unknown key; cost ceilings belong to the policy "
                              f"pack's config")
    assert "cost-ceiling.ceilings.<phase>" in problem and "--policy-pack-config" in problem


def test_config_imports_only_itself_and_the_pack():
    code = ("import sys, components.config.loader, components.config.types; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('offline', 'automation', 'pulumi_aws')))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stderr
