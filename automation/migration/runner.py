"""migrate(source, target): run the plan's steps in order, persist each, resume, and roll DNS back on failure.

A step already recorded as done is skipped (so a re-run resumes); otherwise it runs, is verified, and is recorded.
The source's writes are frozen before the snapshot and stay frozen until the cutover and after it (`freeze`); a
stop before the cutover leaves them frozen and says how to go on. Right before the cutover the data's age is shown,
and stale data refused (`freshness`). Any failure once the cutover has started points DNS back at the source and
unfreezes its writes before the error is reported. The source stack is only ever read (its database's parameter
group is the one thing changed, and restored by the undo); its retirement is printed, never run. One run at a time:
a run holds the migration's lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from project import PROJECT_DIR

from ..aws import Aws
from ..deploy import deploy as deploy_stack
from ..errors import AutomationError, NothingChanged, UsageError, VerificationFailed
from ..health import Clock, Prober, WallClock, http_probe
from ..stacks import Stacks
from . import cutover, freeze, steps
from .context import Context
from .facts import MigrateOptions, MigrationFacts, build_facts
from .freshness import ensure_fresh_data
from .plan import PlannedStep, keeps_domain, plan_steps, render_json, render_text, retirement_steps, \
    target_owns_records
from .state import DONE, FAILED, ROLLED_BACK, SKIPPED, MigrationState, exclusive, state_path

IMPLEMENTATIONS = {**steps.STEPS, **freeze.STEPS, **cutover.STEPS}


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
                   project_dir: Path = PROJECT_DIR, *, record: bool = False) -> MigrationPlan:
    """The plan from the stack files and the progress file; touches nothing in AWS or Pulumi.

    With `record` (the command line's `--plan`, and every run), the first plan of a migration records its state, no
    step run yet: the snapshot's name is fixed there, so the name `--plan` shows is the one the run takes. A
    migration under way brings its own domain and zone: its deploy took app.domain out of the target's stack file."""
    path = state_path(project_dir, source, target)
    state = MigrationState.read(path) if source != target else None
    facts = build_facts(source, target, options, project_dir, recorded_dns=_recorded_dns(state))
    if state is None:
        state = MigrationState.start(path, source, target, facts.app, options.recorded())
        if record:
            state.save_if_absent()
    state.agrees_with(options.recorded())
    return MigrationPlan(facts, plan_steps(facts, state.snapshot), state, state.snapshot, path)


def _recorded_dns(state: Optional[MigrationState]) -> Optional[dict[str, Optional[str]]]:
    """The domain and zone a run in progress resolved; from a state older than that record, what its deploy held."""
    if state is None:
        return None
    if state.dns is not None:
        return state.dns
    held = state.facts.get("heldBackDomain")
    return {"domain": held, "zone": state.facts.get("heldBackZone") or held.split(".", 1)[-1]} if held else None


def migrate(source: str, target: str, *, yes: bool = False, options: MigrateOptions = MigrateOptions(),
            stacks: Optional[Stacks] = None, aws: Optional[Aws] = None, prober: Prober = http_probe,
            clock: Optional[Clock] = None, deploy: Callable[..., Any] = deploy_stack,
            project_dir: Path = PROJECT_DIR, write: Callable[[str], None] = print) -> MigrationPlan:
    """Run (or, without `yes`, only show) the migration; raises an `AutomationError` saying why it stopped."""
    if not yes:
        plan = plan_migration(source, target, options, project_dir, record=True)
        write(plan.render("text", project_dir))
        return plan
    plan_migration(source, target, options, project_dir)  # refuse a bad move before taking any lock
    with exclusive(state_path(project_dir, source, target), source, target):
        plan = plan_migration(source, target, options, project_dir, record=True)  # now nobody else writes it
        ctx = Context(facts=plan.facts, state=_started(plan, options), stacks=stacks or Stacks(work_dir=project_dir),
                      aws=aws or Aws(), prober=prober, clock=clock or WallClock(), deploy=deploy, write=write,
                      project_dir=project_dir)
        return _run(ctx, plan)


def _started(plan: MigrationPlan, options: MigrateOptions) -> MigrationState:
    """The run's state; a first run fixes the domain and zone that every re-run reuses (the plan fixed the snapshot)."""
    f = plan.facts
    if plan.state.dns is None:  # recorded by the plan, or a state from before the domain was recorded
        plan.state.dns = {"domain": f.domain, "zone": f.zone}
    plan.state.save()
    return plan.state


def _run(ctx: Context, plan: MigrationPlan) -> MigrationPlan:
    f, state, write = plan.facts, ctx.state, ctx.write
    total = len(plan.steps)
    for number, step in enumerate(plan.steps, 1):
        if state.finished(step.id):
            write(f"[{number}/{total}] {step.title}: already {state.status(step.id)}")
            continue
        write(f"[{number}/{total}] {step.title}")
        if step.id == "cutover":
            ensure_fresh_data(ctx)  # refuses before anything moves; never a reason to roll back
        _run_step(ctx, step)
    frozen = f"{f.source}'s database stays read-only (its writes would be lost)" if state.facts.get("freeze") else \
        f"{f.source} is untouched"
    write(f"Done: {f.target} serves {f.domain or ctx.fact('target', 'url')}; {frozen}.")
    write(f"Retiring {f.source} (do it yourself, when you are sure; migrate never destroys anything):")
    for n, line in enumerate(retirement_steps(f, state.snapshot), 1):
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
            f = ctx.facts
            ctx.write(f"  {exc}")
            done = f"{cutover.point_back(ctx)}; {freeze.unfreeze(ctx)}"  # writes go to the source again
            ctx.write(f"  rolling back: {done}")
            _mark_rolled_back(ctx.state, step.id, str(exc))
            raise type(exc)(f"{exc}\nRolled back: {done}. Fix {f.target}, then re-run `./dev migrate {f.source} "
                            f"{f.target} --yes`: it resumes at this step, and refuses to cut over until the data is "
                            f"brought up to date or --accept-stale-data says so."
                            + (f"\n{keeps_domain(f)}" if target_owns_records(f) else "")) from None
        ctx.state.mark(step.id, FAILED, str(exc))
        frozen = freeze.still_frozen(ctx)
        if frozen:
            raise type(exc)(f"{exc}{frozen}") from None
        raise
    ctx.state.mark(step.id, SKIPPED if step.id == "database" else DONE, note)
    ctx.write(f"  ok: {note}")


def _mark_rolled_back(state: MigrationState, step: str, why: str) -> None:
    """The failing step, and the cutover and the freeze where they ran: a re-run must do them again."""
    for name in {step, "cutover", "freeze-writes"}:
        if name == step or state.status(name):
            state.mark(name, ROLLED_BACK, why)


def changed_anything(state: MigrationState) -> bool:
    """Whether some step changed something a rollback undoes or must report (step 1 only reads and selects)."""
    return bool(state.facts.get("cutoverStarted") or state.facts.get("freeze")) or any(
        state.status(step) in (DONE, ROLLED_BACK) for step in state.steps if step != "stacks")


def recorded_migration(source: str, target: str, options: MigrateOptions = MigrateOptions(),
                       project_dir: Path = PROJECT_DIR) -> MigrationPlan:
    """The plan of a migration that has a recorded state; a usage error when there is none (nothing to act on)."""
    path = state_path(project_dir, source, target)
    if MigrationState.read(path) is None:
        raise UsageError(f"no migration {source} -> {target} recorded in {path}: nothing to roll back")
    return plan_migration(source, target, options, project_dir)


def rollback(source: str, target: str, *, options: MigrateOptions = MigrateOptions(), stacks: Optional[Stacks] = None,
             aws: Optional[Aws] = None, project_dir: Path = PROJECT_DIR,
             write: Callable[[str], None] = print) -> str:
    """Point DNS back at the source and unfreeze its writes (`--rollback`), from what the migration recorded.

    A migration that changed nothing yet is said so, its steps' statuses are left as they were (`NothingChanged`)."""
    with exclusive(state_path(project_dir, source, target), source, target):
        plan = recorded_migration(source, target, options, project_dir)
        if not changed_anything(plan.state):
            raise NothingChanged(f"nothing to roll back: no step of {source} -> {target} changed anything yet (DNS, "
                                 f"the source's writes and the target's config are as they were); every step's "
                                 f"status is left as it was")
        ctx = Context(facts=plan.facts, state=plan.state, stacks=stacks or Stacks(work_dir=project_dir),
                      aws=aws or Aws(), prober=http_probe, clock=WallClock(), deploy=deploy_stack, write=write,
                      project_dir=project_dir)
        cut_over = bool(plan.state.facts.get("cutoverStarted"))
        message = f"{cutover.point_back(ctx)}; {freeze.unfreeze(ctx)}"
        for step in ("cutover", "freeze-writes"):
            if plan.state.status(step) and (step != "cutover" or cut_over):
                plan.state.mark(step, ROLLED_BACK, "rolled back by hand")
    write(message)
    if target_owns_records(plan.facts) and cut_over:
        write(keeps_domain(plan.facts))
    return message
