"""deploy(stack): the offline check, then the engine's preview behind the policy gate, then up with that plan.

Order matters for cost and safety: the offline check needs no cloud and fails in seconds; the preview runs the
same pack inside the engine against real state; `up` runs only when the preview had no mandatory violation and
the caller said yes, and it is constrained to the previewed plan so nothing the gate did not see is applied.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from offline.analyzer import PackConfigError, PackError, parse_pack_config
from offline.check import check_stack
from offline.report import StackReport, render_text
from project import PROJECT_DIR, NoStackFile, ProgramError, ensure_stack_files, stack_config

from .errors import PolicyGateError, StackError, UnbuildableStack, UsageError
from .progress import EngineLog
from .settings import Setting, with_settings
from .stacks import Stacks

PLANS_DIR = ".phasegate/plans"


@dataclass
class DeployResult:
    stack: str
    applied: bool
    report: StackReport
    log: EngineLog
    outputs: dict[str, Any] = field(default_factory=dict)


def load_pack_config(path: Optional[Path]) -> Optional[dict]:
    """The `--policy-pack-config` file, refused before anything runs if the engine (or the pack) would refuse it."""
    if path is None:
        return None
    try:
        raw = json.loads(Path(path).read_text())
        parse_pack_config(raw)
    except (OSError, ValueError, PackError) as exc:
        raise UsageError(f"cannot use policy pack config {path}: {exc}") from None
    return raw


def deploy(stack: str, *, yes: bool = False, pack_config: Optional[Path] = None, settings: Sequence[Setting] = (),
           stacks: Optional[Stacks] = None, project_dir: Optional[Path] = None, use_plan: bool = True,
           refresh: bool = False, write: Callable[[str], None] = print) -> DeployResult:
    """Check, preview and (with `yes`) apply `stack`; raises an `AutomationError` saying why it stopped.

    The project directory is the stacks' work directory unless given: the stack files the engine reads.
    """
    project_dir = project_dir or (stacks.work_dir if stacks else PROJECT_DIR)
    try:
        ensure_stack_files([stack], project_dir)
    except NoStackFile as exc:
        raise UsageError(str(exc)) from None
    pack = load_pack_config(pack_config)
    stacks = stacks or Stacks(work_dir=project_dir)

    report = offline_gate(stack, pack, settings, project_dir, write)

    guarded = stacks.open(stack, create=True)
    for setting in settings:  # what `pulumi up --config k=v [--config-path]` does: saved to the stack's config
        guarded.set_config(setting.key, setting.value, path=setting.path)
    packs, pack_configs = [str(project_dir / "policies")], [str(Path(pack_config).resolve())] if pack_config else []
    plan = _plan_path(project_dir, stack) if use_plan else None

    write(f"== {stack}: preview with the policy pack")
    log = EngineLog(write)
    try:
        guarded.preview(policy_packs=packs, policy_pack_configs=pack_configs, on_event=log, plan=plan,
                        refresh=refresh)
    except StackError:
        if log.mandatory:  # the engine fails a preview with mandatory violations: report it as the gate
            raise _gate_closed(stack, log, write) from None
        raise
    if log.mandatory:
        raise _gate_closed(stack, log, write)
    for line in log.policy_summary():
        write(line)
    if not yes:
        write(f"Not applied: re-run with --yes to apply this preview to {stack}.")
        return DeployResult(stack, applied=False, report=report, log=log)

    write(f"== {stack}: up" + (" (constrained to the previewed plan)" if plan else ""))
    up_log = EngineLog(write)
    guarded.up(policy_packs=packs, policy_pack_configs=pack_configs, on_event=up_log, plan=plan, refresh=refresh)
    for line in up_log.policy_summary():
        write(line)
    return DeployResult(stack, applied=True, report=report, log=up_log, outputs=guarded.outputs())


def offline_gate(stack: str, pack: Optional[dict], settings: Sequence[Setting], project_dir: Path,
                 write: Callable[[str], None]) -> StackReport:
    """The offline check of the config the engine will see; stops before any cloud call if it fails."""
    try:
        config = with_settings(stack_config(stack, project_dir), settings)
    except ProgramError as exc:
        raise UnbuildableStack("\n".join(exc.messages)) from None
    write(f"== {stack}: offline check")
    try:
        report = check_stack(stack, pack_config=pack, config=config)
    except PackConfigError as exc:  # the pack itself refused it (an unknown policy or property)
        raise UsageError(f"the policy pack config: {exc}") from None
    if report.errors:
        raise UnbuildableStack("\n".join(report.errors))
    if not report.passed:
        write(render_text(report, tree=False))
        failures = sorted({v.policy for v in report.evaluation.mandatory_failures})
        raise PolicyGateError(f"{stack}: the offline check failed mandatory policies ({', '.join(failures)}); "
                              f"nothing was sent to the cloud")
    write(f"  pass: ${report.total_usd:.2f}/month of a ${report.ceiling:.2f} ceiling, "
          f"{len(report.evaluation.violations)} advisory finding(s)")
    return report


def _gate_closed(stack: str, log: EngineLog, write: Callable[[str], None]) -> PolicyGateError:
    for line in log.policy_summary():
        write(line)
    policies = sorted({f.policy for f in log.mandatory})
    return PolicyGateError(f"{stack}: the preview found mandatory policy violations ({', '.join(policies)}); "
                           f"up was not run")


def _plan_path(project_dir: Path, stack: str) -> str:
    directory = project_dir / PLANS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    return str(directory / f"{stack}.json")
