"""migrate(source, target): run the plan's steps in order, persist each, resume, and roll DNS back on failure.

A step already recorded as done is skipped (so a re-run resumes); otherwise it runs, is verified, and is recorded.
Any failure at or after the cutover points DNS back at the source before the error is reported. The source stack
is only ever read; its retirement is printed, never run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from offline.program import PROJECT_DIR

from ..aws import Aws
from ..deploy import deploy as deploy_stack
from ..errors import AutomationError, VerificationFailed
from ..health import Clock, Prober, WallClock, http_probe
from ..stacks import Stacks
from . import cutover, steps
from .context import Context
from .facts import MigrateOptions, MigrationFacts, build_facts
from .plan import PlannedStep, plan_steps, render_json, render_text, retirement_steps
from .state import DONE, FAILED, ROLLED_BACK, SKIPPED, MigrationState, state_path

IMPLEMENTATIONS = {**steps.STEPS, **cutover.STEPS}


@dataclass
class MigrationPlan:
    facts: MigrationFacts
    steps: list[PlannedStep]
    state: Optional[MigrationState]
    snapshot: str
    state_file: Path

    def render(self, fmt: str = "text", project_dir: Path = PROJECT_DIR) -> str:
        shown = str(self.state_file.relative_to(project_dir)) if self.state_file.is_relative_to(project_dir) \
            else str(self.state_file)
        renderer = render_json if fmt == "json" else render_text
        return renderer(self.facts, self.steps, self.snapshot, self.state, shown)


def plan_migration(source: str, target: str, options: MigrateOptions = MigrateOptions(),
                   project_dir: Path = PROJECT_DIR) -> MigrationPlan:
    """The plan from the stack files (and the progress file, if a migration is under way); touches nothing."""
    facts = build_facts(source, target, options, project_dir)
    path = state_path(project_dir, source, target)
    state = MigrationState.read(path)
    if state is not None:
        state.agrees_with(options.recorded())
    snapshot = state.snapshot if state else MigrationState.start(path, source, target, facts.app, {}).snapshot
    return MigrationPlan(facts, plan_steps(facts, snapshot), state, snapshot, path)


def migrate(source: str, target: str, *, yes: bool = False, options: MigrateOptions = MigrateOptions(),
            stacks: Optional[Stacks] = None, aws: Optional[Aws] = None, prober: Prober = http_probe,
            clock: Optional[Clock] = None, deploy: Callable[..., Any] = deploy_stack,
            project_dir: Path = PROJECT_DIR, write: Callable[[str], None] = print) -> MigrationPlan:
    """Run (or, without `yes`, only show) the migration; raises an `AutomationError` saying why it stopped."""
    plan = plan_migration(source, target, options, project_dir)
    if not yes:
        write(plan.render("text", project_dir))
        return plan
    if plan.state is None:  # the first run fixes the snapshot's name: every re-run reuses that snapshot
        state = MigrationState.start(plan.state_file, source, target, plan.facts.app, options.recorded())
        plan = MigrationPlan(plan.facts, plan_steps(plan.facts, state.snapshot), state, state.snapshot, plan.state_file)
    state = plan.state
    state.save()
    ctx = Context(facts=plan.facts, state=state, stacks=stacks or Stacks(work_dir=project_dir), aws=aws or Aws(),
                  prober=prober, clock=clock or WallClock(), deploy=deploy, write=write, project_dir=project_dir)
    total = len(plan.steps)
    for number, step in enumerate(plan.steps, 1):
        if state.finished(step.id):
            write(f"[{number}/{total}] {step.title}: already {state.status(step.id)}")
            continue
        write(f"[{number}/{total}] {step.title}")
        _run_step(ctx, step)
    write(f"Done: {target} serves {plan.facts.domain or ctx.fact('target', 'url')}; {source} is untouched.")
    write(f"Retiring {source} (do it yourself, when you are sure; migrate never destroys anything):")
    for n, line in enumerate(retirement_steps(plan.facts, state.snapshot), 1):
        write(f"  {n}. {line}")
    return plan


def _run_step(ctx: Context, step: PlannedStep) -> None:
    impl = IMPLEMENTATIONS[step.id]
    try:
        note = impl.run(ctx)
        problem = impl.verify(ctx)
        if problem:
            raise VerificationFailed(f"{step.id}: {problem}")
    except AutomationError as exc:
        if ctx.state.facts.get("cutoverStarted"):
            ctx.write(f"  {exc}")
            ctx.write(f"  rolling back: {cutover.point_back(ctx)}")
            _mark_rolled_back(ctx.state, step.id, str(exc))
            raise type(exc)(f"{exc}\nRolled back: {ctx.facts.domain} points at {ctx.facts.source} again. Fix "
                            f"{ctx.facts.target}, then re-run `./dev migrate {ctx.facts.source} {ctx.facts.target} "
                            f"--yes`: it resumes at this step.") from None
        ctx.state.mark(step.id, FAILED, str(exc))
        raise
    ctx.state.mark(step.id, SKIPPED if step.id == "database" else DONE, note)
    ctx.write(f"  ok: {note}")


def _mark_rolled_back(state: MigrationState, step: str, why: str) -> None:
    """The failing step and the cutover both: DNS is back at the source, so a re-run must move it again."""
    for name in {step, "cutover"}:
        if name == step or state.status(name):
            state.mark(name, ROLLED_BACK, why)


def rollback(source: str, target: str, *, options: MigrateOptions = MigrateOptions(), stacks: Optional[Stacks] = None,
             aws: Optional[Aws] = None, project_dir: Path = PROJECT_DIR,
             write: Callable[[str], None] = print) -> str:
    """Point DNS back at the source by hand (`--rollback`), from what the migration recorded."""
    plan = plan_migration(source, target, options, project_dir)
    if plan.state is None:
        raise VerificationFailed(f"no migration {source} -> {target} recorded in {plan.state_file}: nothing to roll back")
    ctx = Context(facts=plan.facts, state=plan.state, stacks=stacks or Stacks(work_dir=project_dir),
                  aws=aws or Aws(), prober=http_probe, clock=WallClock(), deploy=deploy_stack, write=write,
                  project_dir=project_dir)
    message = cutover.point_back(ctx)
    _mark_rolled_back(plan.state, "cutover", "rolled back by hand")
    write(message)
    return message
