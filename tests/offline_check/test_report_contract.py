"""The JSON report is a versioned contract: every variant the check writes validates against
docs/schemas/check-report.schema.json, keys are camelCase everywhere, money is cents-exact decimal text."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import Decimal

import jsonschema
import pytest

from conftest import ROOT, stack_values
from offline.check import check_stack
from offline.contract import SCHEMA_PATH, SCHEMA_VERSION, render_json, report_document
from offline.diff import Baseline, CostSnapshot, compare
from offline.version import VERSION
from project import config_as_engine_text

SCHEMA = json.loads(SCHEMA_PATH.read_text())
CAMEL = re.compile(r"[a-z][a-zA-Z0-9]*")
MONEY = re.compile(r"-?[0-9]+\.[0-9]{2}")


def _run_json(*args: str) -> dict:
    result = subprocess.run([sys.executable, "-m", "offline", *args, "--format", "json"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode in (0, 1, 3), result.stderr
    return json.loads(result.stdout)


def _unbuildable() -> dict:
    values = stack_values("mvp")
    values["phasegate:network"] = {"egress": "vpn"}
    return report_document([check_stack("mvp", config=config_as_engine_text(values))])


def _over_budget(tmp_path) -> dict:
    config = tmp_path / "pack.json"
    config.write_text(json.dumps({"cost-ceiling": {"ceilings": {"mvp": 30}}, "required-tags": {
        "requiredTags": ["owner"]}}))
    return _run_json("mvp", "--pack-config", str(config))


def _against_a_saved_report(tmp_path) -> dict:
    saved = tmp_path / "growth.json"
    saved.write_text(render_json([check_stack("growth")]))
    return _run_json("growth", "--compare-to", str(saved))


def _base_missing() -> dict:
    mvp = check_stack("mvp")
    return report_document([mvp], [compare(CostSnapshot.of(mvp), None, Baseline("gitRef", "v0"), "mvp")])


VARIANTS = {
    "every stack": lambda tmp_path: _run_json(),
    "first preview": lambda tmp_path: _run_json("production", "--preview"),
    "mandatory and advisory violations": _over_budget,
    "a stack that does not build": lambda tmp_path: _unbuildable(),
    "against another stack": lambda tmp_path: _run_json("production", "--against", "growth"),
    "compared with a saved report": _against_a_saved_report,
    "compared with a git ref": lambda tmp_path: _run_json("mvp", "--compare-to", "HEAD"),
    "a base without the stack": lambda tmp_path: _base_missing(),
}


@pytest.fixture(scope="module", params=list(VARIANTS))
def document(request, tmp_path_factory):
    return request.param, VARIANTS[request.param](tmp_path_factory.mktemp("report"))


def test_the_schema_is_itself_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_every_variant_validates_against_the_schema(document):
    name, doc = document
    errors = sorted(jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, f"{name}: " + "; ".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5])


def _entries(value, path=""):
    """(path, key, value) of every member of every object in the document, depth first."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}/{key}", key, item
            yield from _entries(item, f"{path}/{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _entries(item, f"{path}/{i}")


def test_every_key_is_camel_case(document):
    name, doc = document
    bad = [path for path, key, _ in _entries(doc) if not CAMEL.fullmatch(key)]
    assert bad == [], f"{name}: keys that are not camelCase: {bad[:5]}"


def _money(doc):
    """Every value that is dollars: under a key ending in Usd, and base/head/delta inside a totalUsd object."""
    return [(path, item) for path, key, item in _entries(doc)
            if (key.endswith("Usd") and not isinstance(item, dict)) or path.split("/")[-2:-1] == ["totalUsd"]]


def test_money_is_exact_decimal_text_with_two_places(document):
    name, doc = document
    amounts = list(_money(doc))
    assert amounts, name
    assert [(p, v) for p, v in amounts if v is not None and not (isinstance(v, str) and MONEY.fullmatch(v))] == []


def test_components_add_up_to_their_lines_exactly():
    doc = report_document([check_stack("mvp")])
    [stack] = doc["stacks"]
    lines: dict[str, Decimal] = {}
    for row in stack["costs"]:
        lines[row["component"]] = lines.get(row["component"], Decimal(0)) + Decimal(row["monthlyUsd"])
    assert {c["component"]: Decimal(c["monthlyUsd"]) for c in stack["byComponent"]} == lines
    assert {"component": "acme-app", "monthlyUsd": "21.23"} in stack["byComponent"]  # never 21.229999999999997


def test_the_document_names_its_schema_version_and_the_tool():
    doc = report_document([])
    assert (doc["schemaVersion"], doc["tool"]) == (SCHEMA_VERSION, {"name": "phasegate", "version": VERSION})
    assert re.fullmatch(SCHEMA["properties"]["schemaVersion"]["pattern"], SCHEMA_VERSION)


def test_stack_level_violations_say_so_and_resource_ones_name_the_resource(tmp_path):
    [stack] = _over_budget(tmp_path)["stacks"]
    by_scope = {}
    for v in stack["violations"]:
        by_scope.setdefault(v["scope"], []).append(v)
    assert [v["policy"] for v in by_scope["stack"]] == ["cost-ceiling"]
    assert all(v["resource"] is None for v in by_scope["stack"])
    tagged = [v for v in by_scope["resource"] if v["policy"] == "required-tags"]
    assert tagged and all(v["resource"]["urn"].endswith("::" + v["resource"]["name"]) and v["resource"]["type"]
                          for v in tagged)
