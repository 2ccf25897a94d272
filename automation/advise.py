"""advise(stack): stay in this phase, or plan the move? Read from the trigger alarms, their metrics and the bill.

The growth stack carries the next-phase triggers as alarms (node CPU, node memory, requests a day). The advisor
reads their states, the metrics behind them over the last 14 days (an alarm that fired and recovered a week ago
still counts), and the account's month-to-date EstimatedCharges; then it prices the next phase's stack file
with the offline check, so "move" comes with what it will cost. A stack without trigger alarms (the MVP's
compose host) is judged on its host's metrics against the same thresholds from its config.
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Optional

from offline.check import check_stack
from offline.report import StackReport
from phasegate_policies.contract import PHASES
from project import PROJECT_DIR, known_stacks, stack_config

from .aws import Alarm, Aws
from .errors import AutomationError
from .migration.cutover import TRIGGER_MARK
from .migration.facts import load_config
from .stacks import Stacks

# advise's JSON, described by docs/schemas/advise.schema.json: MAJOR.MINOR, a minor version only adds fields.
ADVICE_SCHEMA_VERSION = "1.0"
WINDOW_DAYS = 14
PROJECT_AFTER_DAYS = 3
_TRIGGER_KEY = re.compile(r"(trigger-[a-z]+)")


@dataclass
class TriggerReading:
    key: str
    description: str
    alarm: Optional[str]  # None when the stack has no alarm for it (judged from metrics alone)
    state: str  # the alarm's state now: ALARM, OK, INSUFFICIENT_DATA, or "no alarm"
    threshold: float
    period_seconds: int
    window_periods: int  # how many periods in a row above the threshold make it fire
    datapoints: int = 0
    peak: Optional[float] = None
    breaching_periods: int = 0
    longest_breach: int = 0

    @property
    def fired(self) -> bool:
        return self.state == "ALARM" or (self.window_periods > 0 and self.longest_breach >= self.window_periods)

    def summary(self) -> str:
        span = _duration(self.period_seconds * self.longest_breach)
        peak = "no data" if self.peak is None else f"peak {self.peak:,.1f}"
        return (f"{self.key}: {'FIRED' if self.fired else 'quiet'} (alarm {self.state}; {peak} vs threshold "
                f"{self.threshold:,.0f}; longest run above it {span} of the {_duration(self.period_seconds * self.window_periods)} "
                f"that fires; {self.breaching_periods} period(s) above in {WINDOW_DAYS} days)")


@dataclass
class Advice:
    stack: str
    phase: str
    region: str
    verdict: str  # "stay" | "move"
    reason: str
    triggers: list[TriggerReading] = field(default_factory=list)
    next_stack: Optional[str] = None
    next_phase: Optional[str] = None
    current_estimate_usd: Optional[float] = None
    current_ceiling_usd: Optional[float] = None
    next_estimate_usd: Optional[float] = None
    next_ceiling_usd: Optional[float] = None
    charges_month_to_date_usd: Optional[float] = None
    charges_projected_usd: Optional[float] = None
    notes: list[str] = field(default_factory=list)

    @property
    def delta_usd(self) -> Optional[float]:
        if self.next_estimate_usd is None or self.current_estimate_usd is None:
            return None
        return round(self.next_estimate_usd - self.current_estimate_usd, 2)


def next_stack_for(phase: str, project_dir: Path = PROJECT_DIR) -> tuple[Optional[str], Optional[str]]:
    """The next phase, and the stack file that builds it (the first, by name, declaring that phase)."""
    index = PHASES.index(phase)
    if index + 1 >= len(PHASES):
        return None, None
    wanted = PHASES[index + 1]
    for stack in known_stacks(project_dir):
        if stack_config(stack, project_dir).get("phasegate:phase") == wanted:
            return wanted, stack
    return wanted, None


def advise(stack: str, *, stacks: Optional[Stacks] = None, aws: Optional[Aws] = None,
           next_stack: Optional[str] = None, now: Optional[datetime] = None,
           estimate: Callable[[str], StackReport] = check_stack, project_dir: Path = PROJECT_DIR) -> Advice:
    cfg = load_config(stack, project_dir)
    now = now or datetime.now(timezone.utc)
    aws = aws or Aws()
    next_phase, found_next = next_stack_for(cfg.phase.value, project_dir)
    next_stack = next_stack or found_next if next_phase else None
    outputs = (stacks or Stacks(work_dir=project_dir)).open(stack).outputs()
    region = str(outputs.get("region") or cfg.region)
    advice = Advice(stack=stack, phase=cfg.phase.value, region=region, verdict="stay", reason="",
                    next_stack=next_stack, next_phase=next_phase)

    alarms = [a for a in aws.alarms_notifying(region, str(outputs.get("alertsTopicArn", ""))) if TRIGGER_MARK in a.name]
    if next_phase is None:
        alarms = []  # nothing to move to: the triggers are not read
    elif not alarms:
        alarms = host_triggers(cfg, outputs)
        advice.notes.append(f"{stack} has no next-phase trigger alarms: judged from its host's metrics against "
                            f"phasegate:alerts.trigger*; requests a day are not measured without a load balancer")
    start = now - timedelta(days=WINDOW_DAYS)
    advice.triggers = [read_trigger(aws, region, alarm, start, now) for alarm in alarms]

    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    charges = aws.estimated_charges(month_start, now)
    if charges is not None:
        elapsed = (now - month_start).total_seconds() / 86400
        advice.charges_month_to_date_usd = round(charges, 2)
        if elapsed >= PROJECT_AFTER_DAYS:  # earlier, one-off charges of the first days would be multiplied by 10
            advice.charges_projected_usd = round(charges / elapsed * calendar.monthrange(now.year, now.month)[1], 2)
    else:
        advice.notes.append("no EstimatedCharges yet: turn on Receive Billing Alerts (Billing preferences)")

    current = estimate(stack)
    advice.current_estimate_usd, advice.current_ceiling_usd = current.total_usd, current.ceiling
    if next_stack:
        upcoming = estimate(next_stack)
        if upcoming.errors:
            advice.notes.append(f"{next_stack} cannot be priced: {'; '.join(upcoming.errors)}")
        else:
            advice.next_estimate_usd, advice.next_ceiling_usd = upcoming.total_usd, upcoming.ceiling
    decide(advice)
    return advice


def host_triggers(cfg: Any, outputs: dict[str, Any]) -> list[Alarm]:
    """Trigger definitions for a stack without trigger alarms: its hosts' CPU and memory, hourly."""
    hosts = outputs.get("k3sNodeIds") or ([outputs["instanceId"]] if outputs.get("instanceId") else [])
    if not hosts:
        raise AutomationError(f"{cfg.app.name}: the stack exports no trigger alarms and no instanceId to judge")
    alerts = cfg.alerts

    def queries(namespace: str, metric: str) -> tuple[dict, ...]:
        return tuple({"Id": f"n{i}", "ReturnData": True, "MetricStat": {"Period": 3600, "Stat": "Average", "Metric": {
            "Namespace": namespace, "MetricName": metric, "Dimensions": [{"Name": "InstanceId", "Value": host}]}}}
            for i, host in enumerate(hosts))

    return [Alarm("trigger-cpu", "no alarm", f"CPU above {alerts.trigger_cpu_percent}% for {alerts.trigger_hours} h",
                  alerts.trigger_cpu_percent, alerts.trigger_hours, 3600, queries("AWS/EC2", "CPUUtilization"), "AVG"),
            Alarm("trigger-memory", "no alarm",
                  f"memory above {alerts.trigger_memory_percent}% for {alerts.trigger_hours} h",
                  alerts.trigger_memory_percent, alerts.trigger_hours, 3600, queries("CWAgent", "mem_used_percent"),
                  "AVG")]


def read_trigger(aws: Aws, region: str, alarm: Alarm, start: datetime, end: datetime) -> TriggerReading:
    match = _TRIGGER_KEY.search(alarm.name)
    reading = TriggerReading(key=match.group(1) if match else alarm.name, description=alarm.description,
                             alarm=alarm.name if alarm.state != "no alarm" else None, state=alarm.state,
                             threshold=alarm.threshold, period_seconds=alarm.period,
                             window_periods=alarm.evaluation_periods)
    values = combined(aws.metric_series(region, list(alarm.queries), start, end))
    reading.datapoints = len(values)
    if values:
        reading.peak = round(max(values), 2)
    run = 0
    for value in values:
        run = run + 1 if value > alarm.threshold else 0
        reading.breaching_periods += value > alarm.threshold
        reading.longest_breach = max(reading.longest_breach, run)
    return reading


def combined(series: dict[str, list[tuple[datetime, float]]]) -> list[float]:
    """One value per period, oldest first: the average over the metrics reporting then (the triggers' AVG)."""
    by_time: dict[datetime, list[float]] = {}
    for points in series.values():
        for when, value in points:
            by_time.setdefault(when, []).append(value)
    return [sum(v) / len(v) for _, v in sorted(by_time.items())]


def decide(advice: Advice) -> None:
    fired = [t.key for t in advice.triggers if t.fired]
    if advice.next_phase is None:
        advice.verdict, advice.reason = "stay", f"{advice.phase} is the last phase"
        return
    if fired:
        cost = (f"; {advice.next_stack} is estimated at ${advice.next_estimate_usd:.2f}/month "
                f"({_delta(advice.delta_usd)})" if advice.delta_usd is not None else "")
        advice.verdict = "move"
        advice.reason = f"{', '.join(fired)} fired in the last {WINDOW_DAYS} days: plan the {advice.next_phase} phase{cost}"
    else:
        advice.verdict = "stay"
        advice.reason = f"no next-phase trigger fired in the last {WINDOW_DAYS} days"


def render_json(advice: Advice) -> str:
    data = asdict(advice)
    data["triggers"] = [asdict(t) | {"fired": t.fired} for t in advice.triggers]
    data["delta_usd"] = advice.delta_usd
    return json.dumps({"schemaVersion": ADVICE_SCHEMA_VERSION, **_camel_keys(data)}, indent=2, default=str) + "\n"


def render_text(advice: Advice) -> str:
    out = [f"== {advice.stack} ({advice.phase}, {advice.region}): {advice.verdict.upper()}", advice.reason, "",
           f"Triggers (last {WINDOW_DAYS} days):"]
    out += [f"  {t.summary()}" for t in advice.triggers] or ["  none"]
    if advice.charges_month_to_date_usd is not None:
        projected = (f", about ${advice.charges_projected_usd:.2f} by its end"
                     if advice.charges_projected_usd is not None else "")
        out.append(f"Account charges this month (EstimatedCharges): ${advice.charges_month_to_date_usd:.2f} so far"
                   f"{projected}; {advice.stack}'s ceiling is ${advice.current_ceiling_usd:.2f}")
    if advice.current_estimate_usd is not None:
        out.append(f"Estimate of {advice.stack}: ${advice.current_estimate_usd:.2f}/month")
    if advice.next_estimate_usd is not None:
        out.append(f"Estimate of {advice.next_stack} ({advice.next_phase}): ${advice.next_estimate_usd:.2f}/month, "
                   f"ceiling ${advice.next_ceiling_usd:.2f}: {_delta(advice.delta_usd)}/month")
    out += [f"note: {n}" for n in advice.notes]
    return "\n".join(out) + "\n"


def _delta(usd: float) -> str:
    return f"{'+' if usd >= 0 else '-'}${abs(usd):.2f}"


def _duration(seconds: int) -> str:
    return f"{seconds // 86400} d" if seconds >= 86400 and seconds % 86400 == 0 else f"{seconds // 3600} h"


def _camel_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {_camel(k): _camel_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel_keys(v) for v in value]
    return value


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.capitalize() for part in rest)
