"""A stand-in for `pulumi.automation.Stack` that records every call and streams engine events as the CLI does.

Events are built with the SDK's own `EngineEvent.from_json` from the JSON the engine writes to its event log, so
the code under test sees exactly the objects the real SDK hands it. Config lives where LocalWorkspace keeps it,
in `Pulumi.<stack>.yaml` of a project directory (a copy, in tests). Like the engine, a preview with a mandatory
policy violation fails its command after streaming the events (`CommandError`); `fail_with` makes any call fail
with a given SDK error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import yaml
from pulumi.automation import CommandResult, ConfigValue, EngineEvent, OutputValue
from pulumi.automation.errors import CommandError

from automation.settings import remove_path, set_path, split_path

STACK_TYPE = "pulumi:pulumi:Stack"


def urn(stack: str, typ: str, name: str) -> str:
    return f"urn:pulumi:{stack}::phasegate::{typ}::{name}"


def policy_event(stack: str, policy: str, level: str, resource: Optional[tuple[str, str]] = None,
                 message: str = "") -> dict:
    return {"policyEvent": {
        "message": message or f"{policy} description\nfix {policy}", "color": "raw", "policyName": policy,
        "policyPackName": "phasegate", "policyPackVersion": "0.1.0", "policyPackVersionTag": "0.1.0",
        "enforcementLevel": level, **({"resourceUrn": urn(stack, *resource)} if resource else {})}}


def diagnostic_event(message: str, severity: str = "warning", resource_urn: Optional[str] = None,
                     ephemeral: bool = False) -> dict:
    return {"diagnosticEvent": {"message": message, "color": "raw", "severity": severity,
                                **({"urn": resource_urn} if resource_urn else {}), "ephemeral": ephemeral}}


@dataclass
class Backend:
    """What the fake engine knows: which stacks exist, what each up produces, and what to do besides."""

    project_dir: Path
    existing: set[str] = field(default_factory=set)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    resources: list[tuple[str, str, str]] = field(default_factory=lambda: [
        ("create", "aws:s3/bucket:Bucket", "acme-assets-bucket"),
        ("create", "aws:rds/instance:Instance", "acme-db-postgres"),
        ("same", "aws:sns/topic:Topic", "acme-alerts-topic")])
    policy_events: list[dict] = field(default_factory=list)  # raw policyEvent JSON, streamed by preview
    diagnostics: list[dict] = field(default_factory=list)
    fail_with: dict[str, Exception] = field(default_factory=dict)  # "<stack>.<method>" -> error to raise
    on_up: dict[str, Callable[["FakeStack"], None]] = field(default_factory=dict)
    calls: list[tuple[str, str, dict]] = field(default_factory=list)

    def opener(self, name: str, *, create: bool) -> "FakeStack":
        self.calls.append((name, "open", {"create": create}))
        self._maybe_fail(name, "open")
        if name not in self.existing:
            if not create:
                from pulumi.automation.errors import StackNotFoundError
                raise StackNotFoundError(CommandResult("", f"error: no stack named '{name}' found", 255))
            self.existing.add(name)
        return FakeStack(name, self)

    def methods(self, stack: str) -> list[str]:
        return [method for name, method, _ in self.calls if name == stack]

    def call(self, stack: str, method: str) -> dict:
        return next(kwargs for name, m, kwargs in self.calls if name == stack and m == method)

    def _maybe_fail(self, stack: str, method: str) -> None:
        error = self.fail_with.get(f"{stack}.{method}")
        if error is not None:
            raise error


class FakeStack:
    def __init__(self, name: str, backend: Backend):
        self.name = name
        self._backend = backend
        self._sequence = 0

    # --- the engine ---

    def preview(self, *, policy_packs=None, policy_pack_configs=None, on_event=None, plan=None, refresh=None):
        self._record("preview", policy_packs=policy_packs, policy_pack_configs=policy_pack_configs, plan=plan,
                     refresh=refresh)
        self._backend._maybe_fail(self.name, "preview")
        changes = self._stream(on_event, planning=True, with_policies=True)
        if plan:
            Path(plan).write_text(json.dumps({"resourcePlans": {}}))
        mandatory = [e for e in self._backend.policy_events if e["policyEvent"]["enforcementLevel"] == "mandatory"]
        if mandatory:
            raise CommandError(CommandResult(
                "Previewing update (%s):\n ... \nPolicies:\n  mandatory violations" % self.name,
                "error: preview failed: one or more policy violations were found", 255))
        return changes

    def up(self, *, policy_packs=None, policy_pack_configs=None, on_event=None, plan=None, refresh=None):
        self._record("up", policy_packs=policy_packs, policy_pack_configs=policy_pack_configs, plan=plan,
                     refresh=refresh)
        self._backend._maybe_fail(self.name, "up")
        self._stream(on_event, planning=False, with_policies=False)
        hook = self._backend.on_up.get(self.name)
        if hook:
            hook(self)
        return None

    def _stream(self, on_event, *, planning: bool, with_policies: bool) -> dict[str, int]:
        events: list[dict] = [{"preludeEvent": {"config": {}}}]
        changes: dict[str, int] = {}
        for op, typ, name in self._backend.resources:
            meta = {"op": op, "urn": urn(self.name, typ, name), "type": typ, "provider": ""}
            events.append({"resourcePreEvent": {"metadata": meta, "planning": planning}})
            events.append({"resOutputsEvent": {"metadata": meta, "planning": planning}})
            changes[op] = changes.get(op, 0) + 1
        events += self._backend.diagnostics
        if with_policies:
            events += self._backend.policy_events
        events.append({"summaryEvent": {"maybeCorrupt": False, "durationSeconds": 3, "resourceChanges": changes,
                                        "PolicyPacks": {"phasegate": "0.1.0"}}})
        for raw in events:
            self._sequence += 1
            if on_event:
                on_event(EngineEvent.from_json({"sequence": self._sequence, "timestamp": 1700000000 + self._sequence,
                                                **raw}))
        return changes

    # --- config, as LocalWorkspace keeps it: in the stack file ---

    @property
    def stack_file(self) -> Path:
        return self._backend.project_dir / f"Pulumi.{self.name}.yaml"

    def _read(self) -> dict:
        if not self.stack_file.exists():
            return {"config": {}}
        return yaml.safe_load(self.stack_file.read_text()) or {"config": {}}

    def _write(self, document: dict) -> None:
        self.stack_file.write_text(yaml.safe_dump(document, sort_keys=False))

    def get_config(self, key: str, *, path: bool = False) -> ConfigValue:
        self._record("get_config", key=key, path=path)
        config = self._read().get("config") or {}
        top, parts = split_path(key) if path else (key, [])
        node: Any = config.get(top)
        for part in parts:
            node = node[part] if isinstance(node, dict) and part in node else (
                node[part] if isinstance(node, list) and isinstance(part, int) and part < len(node) else None)
        if node is None:
            raise CommandError(CommandResult("", f"error: configuration key '{key}' not found for stack "
                                                 f"'{self.name}'", 255))
        return ConfigValue(value=node if isinstance(node, str) else json.dumps(node))

    def set_config(self, key: str, value: ConfigValue, *, path: bool = False) -> None:
        self._record("set_config", key=key, value=value.value, path=path)
        document = self._read()
        config = document.setdefault("config", {}) or {}
        if path:
            top, parts = split_path(key)
            config[top] = set_path(config.get(top), parts, value.value)
        else:
            config[key] = value.value
        document["config"] = config
        self._write(document)

    def remove_config(self, key: str, *, path: bool = False) -> None:
        self._record("remove_config", key=key, path=path)
        document = self._read()
        config = document.get("config") or {}
        if path:
            top, parts = split_path(key)
            config[top] = remove_path(config.get(top), parts) if parts else None
            if config[top] is None:
                config.pop(top)
        else:
            config.pop(key, None)
        self._write(document)

    def outputs(self) -> dict[str, OutputValue]:
        self._record("outputs")
        self._backend._maybe_fail(self.name, "outputs")
        # A value given as an OutputValue keeps its secret flag, as the engine reports `pulumi.Output.secret`s.
        return {k: v if isinstance(v, OutputValue) else OutputValue(v, False)
                for k, v in self._backend.outputs.get(self.name, {}).items()}

    def _record(self, method: str, **kwargs: Any) -> None:
        self._backend.calls.append((self.name, method, kwargs))
