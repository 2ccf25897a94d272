"""What a migration is about, read from the two stack files alone: regions, app, domain, zone, health path.

Enough to print the whole plan without touching AWS or Pulumi (`--plan`), and to refuse impossible options
before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from components.config.loader import build_stack_config
from components.config.models import StackConfig
from components.runtimes import RUNTIMES
from offline.program import PROJECT_DIR, ProgramError, known_stacks, stack_config

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

    @property
    def cross_region(self) -> bool:
        return self.source_region != self.target_region

    def as_json(self) -> dict[str, Any]:
        return {"source": self.source, "target": self.target, "app": self.app, "sourceRegion": self.source_region,
                "targetRegion": self.target_region, "crossRegion": self.cross_region,
                "sourceRuntime": self.source_runtime, "targetRuntime": self.target_runtime, "domain": self.domain,
                "hostedZone": self.zone, "healthPath": self.health_path, "cutover": self.options.cutover}


def load_config(stack: str, project_dir: Path = PROJECT_DIR) -> StackConfig:
    if stack not in known_stacks(project_dir):
        raise UsageError(f"no stack file Pulumi.{stack}.yaml; stacks here: {', '.join(known_stacks(project_dir))}")
    try:
        values = stack_config(stack, project_dir)
        return build_stack_config(values, f"Pulumi.{stack}.yaml")
    except ProgramError as exc:
        raise UnbuildableStack("\n".join(exc.messages)) from None
    except ValueError as exc:  # the loader's located errors, one per line
        raise UnbuildableStack(str(exc)) from None


def build_facts(source: str, target: str, options: MigrateOptions, project_dir: Path = PROJECT_DIR) -> MigrationFacts:
    if source == target:
        raise UsageError(f"source and target are both {source}; migrate moves between two stacks")
    if options.cutover not in CUTOVERS:
        raise UsageError(f"--cutover {options.cutover!r}: use one of {', '.join(CUTOVERS)}")
    if not options.weights or options.weights[-1] != 100 or any(
            not 0 < w <= 100 for w in options.weights) or list(options.weights) != sorted(set(options.weights)):
        raise UsageError(f"--weights {','.join(map(str, options.weights))}: rising percentages ending at 100")
    src, tgt = load_config(source, project_dir), load_config(target, project_dir)
    domain = options.domain or tgt.app.domain or src.app.domain
    zone = None
    if domain:
        declared = tgt.app if tgt.app.domain == domain else src.app if src.app.domain == domain else None
        zone = declared.zone_name if declared is not None else domain.split(".", 1)[-1]
    facts = MigrationFacts(
        source=source, target=target, app=tgt.app.name, source_region=src.region, target_region=tgt.region,
        source_runtime=src.compute.runtime, target_runtime=tgt.compute.runtime,
        source_serves_https=src.app.domain is not None,
        source_owns_records=src.app.domain is not None and RUNTIMES[src.compute.runtime].ingress_port is not None,
        domain=domain, zone=zone,
        health_path=tgt.app.root_service.health_check_path, options=options)
    if options.cutover == "weighted" and domain and facts.source_serves_https:
        raise Refused(
            f"--cutover weighted: {source} serves {domain} over HTTPS, and {target}'s load balancer gets a certificate "
            f"only with phasegate:app.domain, which also makes it own a simple record for {domain} that weighted "
            f"records cannot coexist with; use --cutover domain")
    return facts
