"""What a migration is about, read from the two stack files alone: regions, app, domain, zone, health path.

Enough to print the whole plan without touching AWS or Pulumi (`--plan`), and to refuse impossible moves (backwards,
or a domain onto a runtime the cutover cannot verify) and options before anything runs. Once a run has started, the
domain and zone come from its recorded state instead: the deploy takes `app.domain` out of the target's stack file
until the cutover.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional

from components.config.loader import ConfigError, build_stack_config
from components.config.models import StackConfig
from phasegate_policies.contract import PHASES
from project import PROJECT_DIR, NoStackFile, ProgramError, stack_config, stack_file_name

from ..errors import Refused, UnbuildableStack, UsageError

CUTOVERS = ("domain", "weighted")


@dataclass(frozen=True)
class MigrateOptions:
    cutover: str = "domain"  # domain: set app.domain on the target; weighted: Route 53 weights behind a health check
    domain: Optional[str] = None  # default: the target's app.domain (else the source's)
    kms_key: str = "alias/aws/rds"  # the target region's key for the copied snapshot (RDS's default key there)
    weights: tuple[int, ...] = (10, 50, 100)
    stage_minutes: int = 10
    soak_minutes: int = 30
    health_attempts: int = 20
    health_interval_seconds: int = 15
    poll_seconds: int = 60
    database_restored: bool = False  # the target's data was restored by hand (pg_dump/pg_restore)
    pack_config: Optional[Path] = None
    # Stale data: the cutover is refused when the snapshot is older than this, or after a rollback (writes went to
    # the source again), unless accepted. Per run, not recorded: it is an acknowledgement, not a shape of the steps.
    max_snapshot_age_minutes: int = 120
    accept_stale_data: bool = False
    health_check_wait_minutes: int = 5  # weighted: how long a new Route 53 health check may take to turn healthy

    def recorded(self) -> dict[str, Any]:
        """The options a resumed run must agree with (the ones that shape the steps)."""
        return {"cutover": self.cutover, "domain": self.domain, "kmsKey": self.kms_key,
                "weights": list(self.weights), "databaseRestored": self.database_restored}


@dataclass(frozen=True)
class MigrationFacts:
    source: str
    target: str
    app: str
    source_region: str
    target_region: str
    source_runtime: str
    target_runtime: str
    source_serves_https: bool  # Caddy (compose) or the ALB terminates TLS for the domain on the source
    source_owns_records: bool  # the source's load balancer holds the domain's alias and validation records
    domain: Optional[str]
    zone: Optional[str]
    health_path: str
    options: MigrateOptions = field(default_factory=MigrateOptions)
    source_storage_gb: int = 20  # the source database's allocated storage in its stack file: sizes the freeze window

    @property
    def cross_region(self) -> bool:
        return self.source_region != self.target_region

    def as_json(self) -> dict[str, Any]:
        return {"source": self.source, "target": self.target, "app": self.app, "sourceRegion": self.source_region,
                "targetRegion": self.target_region, "crossRegion": self.cross_region,
                "sourceRuntime": self.source_runtime, "targetRuntime": self.target_runtime, "domain": self.domain,
                "hostedZone": self.zone, "healthPath": self.health_path, "cutover": self.options.cutover,
                "sourceAllocatedGb": self.source_storage_gb}


def load_config(stack: str, project_dir: Path = PROJECT_DIR) -> StackConfig:
    try:
        values = stack_config(stack, project_dir)
        return build_stack_config(values, stack_file_name(stack))
    except NoStackFile as exc:
        raise UsageError(str(exc)) from None
    except ProgramError as exc:
        raise UnbuildableStack("\n".join(exc.messages)) from None
    except (ValueError, ConfigError) as exc:  # the loader's located errors, one per line
        raise UnbuildableStack(str(exc)) from None


def behind_load_balancer(cfg: StackConfig) -> bool:
    """Whether the stack serves through its load balancer, the only way the cutover can move a domain."""
    return cfg.compute.capabilities.behind_load_balancer


def build_facts(source: str, target: str, options: MigrateOptions, project_dir: Path = PROJECT_DIR,
                recorded_dns: Optional[Mapping[str, Optional[str]]] = None) -> MigrationFacts:
    """The facts from the stack files; `recorded_dns` is the domain and zone a run in progress resolved at its start."""
    if source == target:
        raise UsageError(f"source and target are both {source}; migrate moves between two stacks")
    if options.cutover not in CUTOVERS:
        raise UsageError(f"--cutover {options.cutover!r}: use one of {', '.join(CUTOVERS)}")
    if not options.weights or options.weights[-1] != 100 or any(
            not 0 < w <= 100 for w in options.weights) or list(options.weights) != sorted(set(options.weights)):
        raise UsageError(f"--weights {','.join(map(str, options.weights))}: rising percentages ending at 100")
    src, tgt = load_config(source, project_dir), load_config(target, project_dir)
    ensure_forward(source, src, target, tgt)
    if recorded_dns is not None:
        domain, zone = recorded_dns.get("domain"), recorded_dns.get("zone")
    else:
        domain, zone = resolve_dns(src, tgt, options)
    facts = MigrationFacts(
        source=source, target=target, app=tgt.app.name, source_region=src.region, target_region=tgt.region,
        source_runtime=src.compute.runtime, target_runtime=tgt.compute.runtime,
        source_serves_https=src.app.domain is not None,
        source_owns_records=src.app.domain is not None and behind_load_balancer(src),
        domain=domain, zone=zone,
        health_path=tgt.app.root_service.health_check_path, options=options,
        source_storage_gb=src.database.allocated_storage_gb)
    if domain and not behind_load_balancer(tgt):
        raise Refused(
            f"{target} runs on {tgt.compute.runtime}, which has no load balancer: the cutover moves {domain} only onto "
            f"a target's load balancer (it checks that {domain} aliases it, and probes through it), so it could "
            f"neither verify the move nor roll it back safely; move {domain} yourself, or migrate without a domain "
            f"(neither stack file declaring phasegate:app.domain, no --domain)")
    if options.cutover == "weighted" and domain and facts.source_serves_https:
        raise Refused(
            f"--cutover weighted: {source} serves {domain} over HTTPS, and {target}'s load balancer gets a certificate "
            f"only with phasegate:app.domain, which also makes it own a simple record for {domain} that weighted "
            f"records cannot coexist with; use --cutover domain")
    return facts


def ensure_forward(source: str, src: StackConfig, target: str, tgt: StackConfig) -> None:
    """A migration moves an app to a later phase (the pack's order); going back is a new deployment, not a move."""
    have, want = src.phase.value, tgt.phase.value
    if PHASES.index(want) <= PHASES.index(have):
        raise UsageError(f"{target}'s phase ({want}) is not after {source}'s ({have}); migrate moves forward only, "
                         f"in the order {' -> '.join(PHASES)}")


def resolve_dns(src: StackConfig, tgt: StackConfig, options: MigrateOptions) -> tuple[Optional[str], Optional[str]]:
    """The domain to move (--domain, else the target's app.domain, else the source's) and its hosted zone."""
    domain = options.domain or tgt.app.domain or src.app.domain
    if not domain:
        return None, None
    declared = tgt.app if tgt.app.domain == domain else src.app if src.app.domain == domain else None
    return domain, declared.zone_name if declared is not None else domain.split(".", 1)[-1]
