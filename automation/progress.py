"""Progress from the engine's event stream: a line per resource step, diagnostics, and the policy findings.

The SDK raises no exception for a policy violation (a mandatory one only fails the command, after the fact), so
`EngineLog` keeps every `PolicyEvent`: the gate in `deploy` decides from them, and the summary groups them by
policy the way `./dev check` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from project import urn_name

SYMBOLS = {"create": "+", "update": "~", "delete": "-", "replace": "+-", "create-replacement": "++",
           "delete-replaced": "--", "read": ">", "import": "=", "refresh": "*"}
PAST = {"create": "created", "update": "updated", "delete": "deleted", "replace": "replaced",
        "create-replacement": "created replacement", "delete-replaced": "deleted original", "read": "read",
        "import": "imported", "refresh": "refreshed"}
QUIET_SEVERITIES = {"debug"}


@dataclass(frozen=True)
class PolicyFinding:
    policy: str
    pack: str
    level: str
    message: str
    resource: str

    @property
    def mandatory(self) -> bool:
        return self.level.lower() == "mandatory"


@dataclass
class EngineLog:
    """The `on_event` callback: writes progress lines through `write` and remembers what the gate needs."""

    write: Callable[[str], None]
    findings: list[PolicyFinding] = field(default_factory=list)
    changes: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)

    def __call__(self, event: Any) -> None:
        if event.resource_pre_event:
            self._step(event.resource_pre_event.metadata, done=False, planning=event.resource_pre_event.planning)
        elif event.res_outputs_event:
            self._step(event.res_outputs_event.metadata, done=True, planning=event.res_outputs_event.planning)
        elif event.res_op_failed_event:
            meta = event.res_op_failed_event.metadata
            self.failed.append(meta.urn)
            self.write(f"  ! {_op(meta)} failed: {urn_name(meta.urn)} ({meta.type})")
        elif event.diagnostic_event:
            self._diagnostic(event.diagnostic_event)
        elif event.policy_event:
            self._policy(event.policy_event)
        elif event.summary_event:
            changes = {str(getattr(op, "value", op)): count for op, count in event.summary_event.resource_changes.items()}
            self.changes = changes
            self.write("  " + summary_line(changes, event.summary_event.duration_seconds))

    def _step(self, meta: Any, *, done: bool, planning: Optional[bool]) -> None:
        op = _op(meta)
        if op == "same" or meta.type == "pulumi:pulumi:Stack":
            return
        name, symbol = urn_name(meta.urn), SYMBOLS.get(op, "?")
        if done:
            if not planning:
                self.write(f"  {symbol} {PAST.get(op, op)}: {name}")
        else:
            self.write(f"  {symbol} {op}{'' if planning else '...'} {name} ({meta.type})")

    def _diagnostic(self, diag: Any) -> None:
        if diag.ephemeral or diag.severity in QUIET_SEVERITIES:
            return
        where = f"{urn_name(diag.urn)}: " if diag.urn else ""
        severity = "info" if diag.severity == "info#err" else diag.severity
        for line in (diag.message or "").strip().splitlines() or [""]:
            self.write(f"  {severity}: {where}{line.strip()}")

    def _policy(self, event: Any) -> None:
        finding = PolicyFinding(policy=event.policy_name, pack=event.policy_pack_name,
                                level=event.enforcement_level or "advisory",
                                message=(event.message or "").strip(), resource=event.resource_urn or "")
        self.findings.append(finding)
        target = urn_name(finding.resource) if finding.resource else "(stack)"
        self.write(f"  policy {finding.level} {finding.policy}: {target}: {_last_line(finding.message)}")

    @property
    def mandatory(self) -> list[PolicyFinding]:
        return [f for f in self.findings if f.mandatory]

    def policy_summary(self) -> list[str]:
        """One line per policy with its level and count, mandatory first; a clean run says so."""
        if not self.findings:
            return ["Policies: no violations"]
        grouped: dict[tuple[str, str], list[PolicyFinding]] = {}
        for finding in self.findings:
            grouped.setdefault((finding.policy, finding.level), []).append(finding)
        lines = [f"Policies: {len(self.mandatory)} mandatory, {len(self.findings) - len(self.mandatory)} advisory "
                 f"violation(s)"]
        for (policy, level), found in sorted(grouped.items(), key=lambda kv: (kv[0][1] != "mandatory", kv[0][0])):
            names = ", ".join(sorted({urn_name(f.resource) if f.resource else "(stack)" for f in found}))
            lines.append(f"  {policy} [{level}] x{len(found)}: {names}")
        return lines


def _op(meta: Any) -> str:
    return str(getattr(meta.op, "value", meta.op))


def _last_line(message: str) -> str:
    """Policy messages are 'description\\nwhat to fix'; the last line is what to act on."""
    lines = [line for line in message.splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def summary_line(changes: dict[str, int], seconds: int | float = 0) -> str:
    order = ["create", "update", "replace", "delete", "same"]
    parts = [f"{changes[op]} to {op}" if op != "same" else f"{changes[op]} unchanged"
             for op in order if changes.get(op)]
    parts += [f"{count} {op}" for op, count in changes.items() if op not in order and count]
    return f"Resources: {', '.join(parts) or 'no changes'}" + (f" ({int(seconds)}s)" if seconds else "")
