"""docs/ is generated from the code (`./dev docs`): it must be in sync, document every `phasegate:` key, and its
JSON Schema must accept the shipped stack files and refuse what the loader refuses."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from components.config.compute import RUNTIME_MODELS
from components.config.models import StackConfig
from components.config.types import Phase
from conftest import ROOT
from offline.configref import NOT_AVAILABLE, REQUIRED, reference_keys
from offline.stackschema import render_stack_schema
from offline.docs import ARCHITECTURE, REFERENCE, REGENERATE, SCHEMA_COMMENT, STACK_SCHEMA, stale
from phasegate_policies.cost import USAGE_KEYS
from project import known_stacks


def test_the_generated_docs_are_in_sync_with_the_code():
    out_of_date = stale()
    assert out_of_date == [], (f"out of date: {', '.join(out_of_date)}; run `{REGENERATE}` to regenerate them "
                               f"(and commit the result)")


def test_docs_hold_the_config_reference_and_a_diagram_per_stack():
    assert (ROOT / REFERENCE).read_text().startswith("# Stack configuration reference")
    for stack in known_stacks():
        page = (ROOT / ARCHITECTURE / f"{stack}.md").read_text()
        assert "```mermaid\nflowchart LR" in page or "does not build yet" in page


def test_every_key_is_documented():
    undocumented = [k.key for k in reference_keys() if not k.description]
    assert undocumented == [], (f"give these a Field(description=...) in components/config, then run `{REGENERATE}`: "
                                f"{', '.join(undocumented)}")


def test_the_reference_covers_every_section_runtime_and_usage_key():
    keys = reference_keys()
    documented = {k.key for k in keys}
    for name, field in StackConfig.model_fields.items():
        section = field.alias or name
        if section != "region":
            assert any(k == f"phasegate:{section}" or k.startswith(f"phasegate:{section}.") for k in documented), section
    for runtime, model in RUNTIME_MODELS.items():  # whatever runtimes the union holds
        for name, field in model.model_fields.items():
            if (field.alias or name) != "runtime":
                assert any(k.runtime == runtime and k.key == f"phasegate:compute.{field.alias or name}" for k in keys)
    assert {f"phasegate:usage.{key}" for key in USAGE_KEYS} <= documented


def test_defaults_are_per_phase_and_runtimes_only_where_a_phase_allows_them():
    keys = {(k.key, k.runtime): k for k in reference_keys()}
    egress = keys[("phasegate:network.egress", None)]
    assert egress.defaults == {"mvp": "`none`", "growth": "`instance`", "production": "`gatewayPerAz`"}
    assert keys[("phasegate:alerts.emails", None)].defaults == {p.value: REQUIRED for p in Phase}
    compose = keys[("phasegate:compute.instanceType", "compose")]
    assert compose.defaults["mvp"] == "`t3.small`" and compose.defaults["production"] == NOT_AVAILABLE


def test_the_committed_stack_schema_is_a_valid_json_schema():
    schema = json.loads((ROOT / STACK_SCHEMA).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.fixture(scope="module")
def validator():
    return jsonschema.Draft202012Validator(json.loads(render_stack_schema()))


@pytest.mark.parametrize("stack", known_stacks())
def test_every_stack_file_names_the_schema_and_validates_against_it(stack, validator):
    text = (ROOT / f"Pulumi.{stack}.yaml").read_text()
    assert text.splitlines()[0] == SCHEMA_COMMENT, f"Pulumi.{stack}.yaml: run `{REGENERATE}` to add the schema line"
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(yaml.safe_load(text))]
    assert errors == []


@pytest.mark.parametrize("change, where", [
    (lambda c: c.__setitem__("phasegate:netwrk", {}), "config"),
    (lambda c: c.__setitem__("phasegate:network", {"egress": "vpn"}), "config/phasegate:network/egress"),
    (lambda c: c.__setitem__("phasegate:database", {"instanceClas": "db.t4g.micro"}), "config/phasegate:database"),
    (lambda c: c.__setitem__("aws:region", "mars-north-1"), "config/aws:region"),
    (lambda c: c["phasegate:usage"].pop("gbServedPerMonth"), "config/phasegate:usage"),
    (lambda c: c.__setitem__("phasegate:compute", {"runtime": "compose", "agentCount": 2}), "config/phasegate:compute"),
], ids=["unknown-section", "bad-enum", "unknown-key", "unpriced-region", "missing-usage", "key-of-another-runtime"])
def test_the_schema_refuses_what_the_loader_refuses(change, where, validator):
    document = yaml.safe_load((ROOT / "Pulumi.mvp.yaml").read_text())
    change(document["config"])
    assert where in ["/".join(map(str, e.absolute_path)) for e in validator.iter_errors(document)]
