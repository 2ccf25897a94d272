"""deploy(): the offline check first, then the preview behind the policy gate, then up with the previewed plan."""

from __future__ import annotations

import json

import pytest
from pulumi.automation import CommandResult
from pulumi.automation.errors import ConcurrentUpdateError

from automation.deploy import deploy
from automation.errors import PolicyGateError, StackError, UnbuildableStack, UsageError
from automation.settings import parse_setting
from fakes import policy_event
from fixtures import backend, project, remembered_offline_checks, stacks  # noqa: F401 - fixtures


def run(stacks, project, **kwargs):
    lines: list[str] = []
    result = deploy("mvp", stacks=stacks, project_dir=project, write=lines.append, **kwargs)
    return result, lines


def test_a_mandatory_policy_event_stops_before_up(stacks, backend, project):
    backend.policy_events = [policy_event("mvp", "encryption-at-rest", "mandatory",
                                          ("aws:rds/instance:Instance", "acme-db-postgres"), "Encrypt\nstorage off")]
    with pytest.raises(PolicyGateError, match="mandatory policy violations \\(encryption-at-rest\\); up was not run"):
        run(stacks, project, yes=True)
    assert "preview" in backend.methods("mvp") and "up" not in backend.methods("mvp")


def test_an_advisory_policy_event_does_not_stop_up(stacks, backend, project):
    backend.policy_events = [policy_event("mvp", "required-tags", "advisory", ("aws:s3/bucket:Bucket", "acme-assets"))]
    backend.outputs["mvp"] = {"url": "http://203.0.113.10"}
    result, lines = run(stacks, project, yes=True)
    assert result.applied and result.outputs == {"url": "http://203.0.113.10"}
    preview, up = backend.call("mvp", "preview"), backend.call("mvp", "up")
    assert up["plan"] == preview["plan"] and preview["plan"].endswith(".phasegate/plans/mvp.json")
    assert "Policies: 0 mandatory, 1 advisory violation(s)" in lines


def test_progress_streams_the_offline_check_preview_and_up(stacks, backend, project):
    _, lines = run(stacks, project, yes=True)
    text = "\n".join(lines)
    assert text.index("== mvp: offline check") < text.index("== mvp: preview") < text.index("== mvp: up")
    assert "  + create acme-assets-bucket (aws:s3/bucket:Bucket)" in lines  # preview: planning
    assert "  + created: acme-db-postgres" in lines  # up: done
    assert "  Resources: 2 to create, 1 unchanged (3s)" in lines
    assert any(line.startswith("  pass: $") and "ceiling" in line for line in lines)


def test_without_yes_nothing_is_applied(stacks, backend, project):
    result, lines = run(stacks, project)
    assert not result.applied and "up" not in backend.methods("mvp")
    assert lines[-1] == "Not applied: re-run with --yes to apply this preview to mvp."


def test_a_failing_offline_check_never_reaches_the_engine(stacks, backend, project):
    pack = project / "tight.json"
    pack.write_text(json.dumps({"cost-ceiling": {"ceilings": {"mvp": 10}}}))
    with pytest.raises(PolicyGateError, match="offline check failed mandatory policies \\(cost-ceiling\\)"):
        run(stacks, project, yes=True, pack_config=pack)
    assert backend.calls == []


def test_an_invalid_pack_config_is_a_usage_error_before_anything(stacks, backend, project):
    pack = project / "bad.json"
    pack.write_text(json.dumps({"no-such-policy": "mandatory"}))
    with pytest.raises(UsageError, match="no-such-policy"):
        run(stacks, project, yes=True, pack_config=pack)
    assert backend.calls == []


def test_policy_pack_and_its_config_are_passed_as_the_cli_takes_them(stacks, backend, project):
    pack = project / "pack.json"
    pack.write_text(json.dumps({"log-retention": "mandatory"}))
    run(stacks, project, yes=True, pack_config=pack)
    for method in ("preview", "up"):
        call = backend.call("mvp", method)
        assert call["policy_packs"] == [str(project / "policies")]
        assert call["policy_pack_configs"] == [str(pack.resolve())]


def test_config_settings_are_checked_offline_then_saved_before_the_preview(stacks, backend, project):
    setting = parse_setting("app.domain=shop.acme.example", path=True)
    result, _ = run(stacks, project, yes=True, settings=[setting])
    methods = backend.methods("mvp")
    assert methods.index("set_config") < methods.index("preview")
    assert backend.call("mvp", "set_config") == {"key": "phasegate:app.domain", "value": "shop.acme.example",
                                                 "path": True}
    assert "domain: shop.acme.example" in (project / "Pulumi.mvp.yaml").read_text()
    assert any(r.type == "aws:ec2/instance:Instance" for r in result.report.resources)


def test_a_setting_the_config_refuses_stops_before_the_engine(stacks, backend, project):
    setting = parse_setting("database.backupRetentionDays=1", path=True)
    with pytest.raises(UnbuildableStack, match="backupRetentionDays"):
        run(stacks, project, yes=True, settings=[setting])
    assert backend.calls == []


def test_an_engine_failure_without_policy_events_is_a_stack_error(stacks, backend, project):
    backend.fail_with["mvp.up"] = ConcurrentUpdateError(CommandResult("", "the stack is currently locked by 1 lock", 255))
    with pytest.raises(StackError, match="mvp: another update holds the stack's lock"):
        run(stacks, project, yes=True)


def test_an_unknown_stack_is_a_usage_error(stacks, project):
    with pytest.raises(UsageError, match="no stack file Pulumi.staging.yaml"):
        deploy("staging", stacks=stacks, project_dir=project, write=lambda line: None)
