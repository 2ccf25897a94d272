"""Progress from engine events: a line per changed resource, diagnostics, and the policy summary."""

from __future__ import annotations

from pulumi.automation import EngineEvent

from automation.progress import EngineLog, summary_line
from fakes import diagnostic_event, policy_event, urn


def feed(log: EngineLog, *raw: dict) -> None:
    for n, event in enumerate(raw):
        log(EngineEvent.from_json({"sequence": n, "timestamp": 0, **event}))


def step(kind: str, op: str, typ: str, name: str, planning: bool) -> dict:
    return {kind: {"metadata": {"op": op, "urn": urn("growth", typ, name), "type": typ, "provider": ""},
                   "planning": planning}}


def test_a_line_per_changed_resource_and_none_for_unchanged_ones():
    lines: list[str] = []
    log = EngineLog(lines.append)
    feed(log, step("resourcePreEvent", "create", "aws:s3/bucket:Bucket", "acme-assets-bucket", False),
         step("resOutputsEvent", "create", "aws:s3/bucket:Bucket", "acme-assets-bucket", False),
         step("resourcePreEvent", "same", "aws:sns/topic:Topic", "acme-alerts-topic", False),
         step("resourcePreEvent", "replace", "aws:ec2/instance:Instance", "acme-k3s-server", True))
    assert lines == ["  + create... acme-assets-bucket (aws:s3/bucket:Bucket)", "  + created: acme-assets-bucket",
                     "  +- replace acme-k3s-server (aws:ec2/instance:Instance)"]


def test_diagnostics_are_shown_with_their_resource_and_noise_is_not():
    lines: list[str] = []
    feed(EngineLog(lines.append),
         diagnostic_event("retrying: throttled", "warning", urn("growth", "aws:rds/instance:Instance", "acme-db")),
         diagnostic_event("verbose detail", "debug"),
         diagnostic_event("spinner", "info", ephemeral=True),
         diagnostic_event("update failed", "error"))
    assert lines == ["  warning: acme-db: retrying: throttled", "  error: update failed"]


def test_policy_events_are_kept_printed_and_summarised_mandatory_first():
    lines: list[str] = []
    log = EngineLog(lines.append)
    feed(log, policy_event("growth", "required-tags", "advisory", ("aws:s3/bucket:Bucket", "acme-assets-bucket")),
         policy_event("growth", "cost-ceiling", "mandatory", message="Cost\nover the $105.00 ceiling"),
         policy_event("growth", "required-tags", "advisory", ("aws:sns/topic:Topic", "acme-alerts-topic")),
         policy_event("growth", "imdsv2-required", "warning", ("aws:ec2/instance:Instance", "acme-nat")))
    assert "  policy mandatory cost-ceiling: (stack): over the $105.00 ceiling" in lines
    assert [f.policy for f in log.mandatory] == ["cost-ceiling"]  # "warning" is how old engines say advisory
    assert log.policy_summary() == [
        "Policies: 1 mandatory, 3 advisory violation(s)",
        "  cost-ceiling [mandatory] x1: (stack)",
        "  imdsv2-required [warning] x1: acme-nat",
        "  required-tags [advisory] x2: acme-alerts-topic, acme-assets-bucket"]


def test_the_summary_event_gives_the_change_counts():
    lines: list[str] = []
    log = EngineLog(lines.append)
    feed(log, {"summaryEvent": {"maybeCorrupt": False, "durationSeconds": 42,
                                "resourceChanges": {"create": 3, "same": 10, "update": 1}, "PolicyPacks": {}}})
    assert lines == ["  Resources: 3 to create, 1 to update, 10 unchanged (42s)"]
    assert log.changes == {"create": 3, "same": 10, "update": 1}
    assert summary_line({}) == "Resources: no changes"
    assert EngineLog(lines.append).policy_summary() == ["Policies: no violations"]


def test_a_failed_resource_operation_is_reported_and_remembered():
    lines: list[str] = []
    log = EngineLog(lines.append)
    meta = {"op": "create", "urn": urn("growth", "aws:rds/instance:Instance", "acme-db-postgres"),
            "type": "aws:rds/instance:Instance", "provider": ""}
    feed(log, {"resOpFailedEvent": {"metadata": meta, "status": 1, "steps": 1}})
    assert lines == ["  ! create failed: acme-db-postgres (aws:rds/instance:Instance)"]
    assert log.failed == [meta["urn"]]
