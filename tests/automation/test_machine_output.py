"""Machine output: the migration plan's and advise's JSON carry schemaVersion and validate against their schemas in
docs/schemas/, errors included (an error object on stdout, never plain text alone)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from automation import errors
from automation.advise import render_json as advice_json
from automation.cli import main
from automation.migration.facts import MigrateOptions
from automation.migration.runner import plan_migration
from fixtures import backend, clock, project, remembered_offline_checks, stacks  # noqa: F401 - fixtures
from test_advise import NODES, by_key, daily_requests, growth, hourly  # noqa: F401 - growth is a fixture

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"


def schema(name: str) -> dict:
    found = json.loads((SCHEMAS / name).read_text())
    jsonschema.Draft202012Validator.check_schema(found)
    return found


PLAN, ADVICE = schema("migration-plan.schema.json"), schema("advise.schema.json")


@pytest.mark.parametrize("source, target, options", [
    ("mvp", "growth", MigrateOptions()),
    ("mvp", "growth", MigrateOptions(cutover="weighted")),
    ("mvp", "growth", MigrateOptions(database_restored=True)),
    ("growth", "production", MigrateOptions()),
])
def test_every_plan_validates(source, target, options, project):
    document = json.loads(plan_migration(source, target, options, project).render("json", project))
    jsonschema.validate(document, PLAN)
    assert document["schemaVersion"] == "1.0"
    assert [step["id"] for step in document["steps"]][:2] == ["stacks", "freeze-writes"]
    assert document["freezeWindow"]["estimatedMinutes"] > 0 and document["freezeWindow"]["dependsOn"]


def test_the_plan_schema_refuses_what_the_plan_never_writes(project):
    document = json.loads(plan_migration("mvp", "growth", MigrateOptions(), project).render("json", project))
    for broken in ({**document, "schemaVersion": 1}, {**document, "surprise": True},
                   {key: value for key, value in document.items() if key != "freezeWindow"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, PLAN)


def test_a_plan_that_cannot_be_made_is_an_error_object_on_stdout(capsys):
    assert main(["migrate", "production", "mvp", "--plan", "--format", "json"]) == errors.EXIT_USAGE
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    jsonschema.validate(document, PLAN)
    assert document["error"]["exitCode"] == errors.EXIT_USAGE and "migrate moves forward only" in document["error"][
        "message"]
    assert captured.err.startswith("migrate: ")  # people still get their one line


def test_advice_validates(growth):
    for node in NODES:
        hourly("AWS/EC2", "CPUUtilization", node, [95.0] * 48, 60)
        hourly("CWAgent", "mem_used_percent", node, [55.0] * 48, 60)
    daily_requests([20000.0] * 10)
    advice = growth()
    document = json.loads(advice_json(advice))
    jsonschema.validate(document, ADVICE)
    assert document["schemaVersion"] == "1.0" and document["verdict"] == advice.verdict
    assert {t["key"] for t in document["triggers"]} == set(by_key(advice))


@pytest.mark.parametrize("argv", [["advise", "nosuchstack", "--format", "json"],
                                  ["advise", "mvp", "--next", "nosuchstack", "--format", "json"]])
def test_advise_errors_are_json_on_stdout(argv, capsys, monkeypatch):
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    code = main(argv)
    captured = capsys.readouterr()
    document = json.loads(captured.out)  # JSON, not plain text
    jsonschema.validate(document, ADVICE)
    assert document["error"]["exitCode"] == code != 0
    assert document["error"]["message"] in captured.err
