"""The typed shape of a stack's `phasegate:*` config: one frozen pydantic model per section.

Keys are camelCase in the stack files (Pulumi convention) and snake_case in Python. Sizing defaults that
differ by phase live in `presets.py`; defaults here are the ones that hold in every phase.
"""

from __future__ import annotations

import re
import typing
from typing import Literal, Optional, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel, to_snake
from typing_extensions import Annotated

from phasegate_policies.cost import USAGE_KEYS
from phasegate_policies.cost.catalog import load_catalog

from .presets import PHASE_RUNTIMES
from .types import (
    AscendingPercents,
    CacheEngine,
    Cidr,
    Domain,
    Egress,
    Email,
    LogRetentionDays,
    Percent,
    Phase,
    Region,
    Slug,
)


class Section(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True, use_enum_values=False
    )


def _priced(family: str):
    """A validator that accepts only sizes the cost model can price in the stack's region."""

    def check(value: str, info: ValidationInfo) -> str:
        region = (info.context or {}).get("region")
        known = load_catalog().sizes(family, region)
        if known and value not in known:
            raise ValueError(f"{value!r} is not in the price list for {region}; known: {', '.join(known)}")
        return value

    return AfterValidator(check)


Ec2Type = Annotated[str, _priced("ec2Instance")]
DbClass = Annotated[str, _priced("rdsPostgresInstance")]
CacheNodeType = Annotated[str, _priced("elasticacheNode")]

_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


def _env_names(mapping: dict[str, str]) -> dict[str, str]:
    bad = [key for key in mapping if not _ENV_NAME.match(key)]
    if bad:
        raise ValueError(f"{', '.join(bad)}: environment variable names must match [A-Z_][A-Z0-9_]*")
    return mapping


class Service(Section):
    """One container of the app, described once and rendered for Compose, K3s and EKS alike."""

    name: Slug = Field(description="Service name; also its DNS name inside the app network.")
    image: str = Field(min_length=1, description="Container image with a pinned tag or digest.")
    port: int = Field(ge=1, le=65535, description="Port the container listens on.")
    health_check_path: str = Field("/health", pattern=r"^/", description="HTTP path that answers 200 when healthy.")
    path_prefix: str = Field("/", pattern=r"^/", description="Public URL prefix the reverse proxy routes here.")
    public: bool = Field(True, description="Whether the proxy/load balancer routes internet traffic to it.")
    cpu: float = Field(0.25, gt=0, le=16, description="vCPUs reserved (Compose limit, Kubernetes request).")
    memory_mb: int = Field(512, ge=64, le=65536, description="Memory limit in MiB.")
    replicas: int = Field(1, ge=1, le=50, description="Copies to run (Kubernetes phases; Compose runs one).")
    environment: Annotated[dict[str, str], AfterValidator(_env_names)] = Field(
        default_factory=dict, description="Plain environment variables."
    )
    secrets: Annotated[dict[str, str], AfterValidator(_env_names)] = Field(
        default_factory=dict,
        description="Environment variable -> name of an AWS Secrets Manager secret, fetched at start, never in state.",
    )

    @field_validator("image")
    @classmethod
    def _pinned(cls, value: str) -> str:
        last = value.rsplit("/", 1)[-1]
        if "@sha256:" not in value and (":" not in last or last.endswith(":latest")):
            raise ValueError(f"{value!r} must pin a tag or digest other than latest, e.g. ghcr.io/acme/web:1.4.2")
        return value


class App(Section):
    name: Slug = Field(description="Application name; prefixes resource names and tags.")
    domain: Optional[Domain] = Field(None, description="Public DNS name; enables HTTPS.")
    hosted_zone: Optional[Domain] = Field(
        None, description="Existing public Route 53 zone holding the domain (default: the domain's parent); "
                          "used for certificate validation and the alias record when behind a load balancer.")
    services: list[Service] = Field(min_length=1, description="The containers that make up the app.")

    @model_validator(mode="after")
    def _routing_is_unambiguous(self) -> "App":
        names = [s.name for s in self.services]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"services: names must be unique; repeated: {', '.join(dupes)}")
        public = [s for s in self.services if s.public]
        if not public:
            raise ValueError("services: at least one service must be public (public: true)")
        prefixes = [s.path_prefix for s in public]
        clash = sorted({p for p in prefixes if prefixes.count(p) > 1})
        if clash:
            raise ValueError(f"services: public services must have distinct pathPrefix values; repeated: {clash}")
        if self.hosted_zone and not self.domain:
            raise ValueError("hostedZone is set but domain is not; set domain too, or remove hostedZone")
        if self.hosted_zone and self.domain and not (
                self.domain == self.hosted_zone or self.domain.endswith("." + self.hosted_zone)):
            raise ValueError(f"domain {self.domain} is not inside hostedZone {self.hosted_zone}")
        return self

    @property
    def zone_name(self) -> Optional[str]:
        if not self.domain:
            return None
        return self.hosted_zone or self.domain.split(".", 1)[1]

    @property
    def root_service(self) -> "Service":
        """The public service routed at '/', or the one with the shortest prefix: the load balancer checks it."""
        return min((s for s in self.services if s.public), key=lambda s: len(s.path_prefix))


class Network(Section):
    cidr: Cidr = Field("10.0.0.0/16", description="VPC IPv4 range.")
    az_count: int = Field(2, ge=2, le=3, description="Availability zones used (RDS needs two).")
    egress: Egress = Field(Egress.NONE, description="How private subnets reach the internet.")
    nat_instance_type: Ec2Type = Field("t4g.nano", description="Instance type when egress is 'instance'.")

    @field_validator("nat_instance_type")
    @classmethod
    def _graviton(cls, value: str) -> str:
        if not value.split(".")[0].endswith("g"):
            raise ValueError(f"{value!r} is not a Graviton (arm64) type; the NAT instance image is arm64, e.g. t4g.nano")
        return value


class Database(Section):
    engine_version: str = Field("17", pattern=r"^\d+(\.\d+)?$", description="PostgreSQL major (or major.minor).")
    instance_class: DbClass = Field("db.t4g.micro", description="RDS instance class.")
    allocated_storage_gb: int = Field(20, ge=20, le=65536, description="Initial gp3 storage.")
    max_allocated_storage_gb: int = Field(100, ge=20, le=65536, description="Storage autoscaling ceiling.")
    multi_az: bool = Field(False, description="Standby replica in a second AZ (doubles instance and storage cost).")
    backup_retention_days: int = Field(7, ge=7, le=35, description="Automated backup retention.")
    deletion_protection: bool = Field(True, description="Refuse deletion until explicitly turned off.")
    skip_final_snapshot: bool = Field(False, description="Only for throwaway stacks: delete without a snapshot.")
    db_name: str = Field("app", pattern=r"^[a-z][a-z0-9_]{0,62}$", description="Initial database name.")
    username: str = Field("app_admin", pattern=r"^[a-z][a-z0-9_]{0,15}$", description="Master user name.")
    snapshot_identifier: Optional[str] = Field(
        None, pattern=r"^(arn:aws:rds:[a-z0-9-]+:\d{12}:snapshot:)?[a-zA-Z][a-zA-Z0-9-]{0,254}$",
        description="Create the database from this RDS snapshot (name or ARN), e.g. the previous phase's. "
                    "Read only at creation: changing it later would replace the database, which protect refuses.")

    @field_validator("engine_version")
    @classmethod
    def _supported_major(cls, value: str) -> str:
        if int(value.split(".")[0]) < 13:
            raise ValueError(f"PostgreSQL {value} is past end of standard support on RDS; use 13 or newer")
        return value

    @field_validator("max_allocated_storage_gb")
    @classmethod
    def _ceiling_above_start(cls, value: int, info: ValidationInfo) -> int:
        start = info.data.get("allocated_storage_gb")
        if start is not None and value < start:
            raise ValueError(f"{value} is below allocatedStorageGb ({start}); the autoscaling ceiling must be at least that")
        return value


class ComposeCompute(Section):
    """One EC2 host running the app with Docker Compose behind Caddy (the reference plans' Phase 1)."""

    runtime: Literal["compose"] = Field(description="Docker Compose on one EC2 host.")
    instance_type: Ec2Type = Field("t3.small", description="The Docker Compose host's instance type.")
    root_volume_gb: int = Field(30, ge=8, le=1024, description="Encrypted gp3 root volume.")
    log_retention_days: LogRetentionDays = Field(14, description="CloudWatch Logs retention for container logs.")


class K3sCompute(Section):
    """A K3s server and agents on EC2 in private subnets, behind the load balancer (Phase 2)."""

    runtime: Literal["k3s"] = Field(description="K3s on EC2: one server, N agents.")
    version: str = Field("v1.31.4+k3s1", pattern=r"^v1\.\d+\.\d+\+k3s\d+$", description="Pinned K3s release.")
    server_instance_type: Ec2Type = Field("t3.small", description="K3s server (control plane) node.")
    agent_instance_type: Ec2Type = Field("t3.small", description="K3s agent (worker) nodes.")
    agent_count: int = Field(1, ge=1, le=10, description="Number of agents.")
    root_volume_gb: int = Field(30, ge=20, le=1024, description="Encrypted gp3 root volume per node.")
    log_retention_days: LogRetentionDays = Field(14, description="CloudWatch Logs retention for container logs.")


class EksCompute(Section):
    """Managed EKS with managed node groups across three AZs (Phase 3)."""

    runtime: Literal["eks"] = Field(description="Amazon EKS with managed node groups.")
    version: str = Field("1.33", pattern=r"^1\.\d{2}$", description="Kubernetes minor version.")
    node_instance_type: Ec2Type = Field("t3.medium", description="Managed node group instance type.")
    min_nodes: int = Field(3, ge=1, le=50, description="Fewest nodes the node group scales down to.")
    desired_nodes: int = Field(3, ge=1, le=50, description="Nodes the node group starts with.")
    max_nodes: int = Field(6, ge=1, le=100, description="Most nodes the node group scales up to.")

    @model_validator(mode="after")
    def _ordered(self) -> "EksCompute":
        if not self.min_nodes <= self.desired_nodes <= self.max_nodes:
            raise ValueError(
                f"node counts must satisfy minNodes <= desiredNodes <= maxNodes; got "
                f"{self.min_nodes} <= {self.desired_nodes} <= {self.max_nodes}"
            )
        return self


Compute = Annotated[Union[ComposeCompute, K3sCompute, EksCompute], Field(discriminator="runtime")]
RUNTIME_MODELS: dict[str, type[Section]] = {
    typing.get_args(model.model_fields["runtime"].annotation)[0]: model
    for model in typing.get_args(typing.get_args(Compute)[0])
}


class Cache(Section):
    enabled: bool = Field(False, description="Managed Redis-compatible cache.")
    engine: CacheEngine = Field(CacheEngine.VALKEY, description="redis (Redis OSS) or valkey.")
    node_type: CacheNodeType = Field("cache.t4g.micro", description="ElastiCache node type.")
    replicas: int = Field(0, ge=0, le=5, description="Read replicas (with automatic failover when > 0).")


class Cdn(Section):
    enabled: bool = Field(False, description="CloudFront in front of the assets bucket.")
    price_class: str = Field("PriceClass_100", pattern=r"^PriceClass_(100|200|All)$")


class Assets(Section):
    noncurrent_version_days: int = Field(30, ge=1, le=3650, description="Delete overwritten versions after this.")
    force_destroy: bool = Field(False, description="Allow deleting a non-empty bucket (throwaway stacks only).")


class Alerts(Section):
    emails: list[Email] = Field(min_length=1, description="Who receives operational alarms.")
    host_cpu_percent: Percent = 80
    host_memory_percent: Percent = 85
    host_disk_percent: Percent = 80
    db_cpu_percent: Percent = 80
    db_connections_percent: Percent = 80
    db_free_storage_gb: int = Field(5, ge=1)
    alb_5xx_percent: float = Field(1, gt=0, le=100, description="ALB 5xx responses as % of requests.")
    cache_memory_percent: Percent = 75
    # Next-phase triggers (reference plans' migration criteria): sustained load means it is time to move on.
    trigger_cpu_percent: Percent = 70
    trigger_memory_percent: Percent = 80
    trigger_requests_per_day: int = Field(100000, ge=1)
    trigger_hours: int = Field(6, ge=1, le=24, description="How long load must stay high to trigger.")


class Billing(Section):
    monthly_budget_usd: float = Field(gt=0, le=100000, description="AWS Budgets monthly cost limit.")
    actual_thresholds_percent: AscendingPercents = Field(default_factory=lambda: [50, 80, 100])
    forecasted_thresholds_percent: AscendingPercents = Field(default_factory=lambda: [100])
    estimated_charges_alarm_usd: Optional[float] = Field(
        None, gt=0, description="EstimatedCharges alarm threshold; defaults to the budget."
    )
    emails: list[Email] = Field(default_factory=list, description="Billing recipients; defaults to alerts.emails.")


# The usage keys are the pack's contract (phasegate_policies.cost.usage): the model is built from them, so the
# stack file, this validation and the pack's pricing cannot drift apart. Optional keys mean 0 in both places.
Usage = create_model(
    "Usage", __base__=Section, __doc__="Declared usage assumptions: the pack prices usage from these and never invents any.",
    **{to_snake(key): (float, Field(... if spec.required else 0, ge=0, description=spec.description))
       for key, spec in USAGE_KEYS.items()},
)


class LocatedError(ValueError):
    """A cross-section rule's error that belongs to one key (the loader reports it there, not at the model)."""

    def __init__(self, loc: tuple[str, ...], message: str):
        self.loc = loc
        super().__init__(message)


class StackConfig(Section):
    region: Region
    phase: Phase
    app: App
    network: Network = Field(default_factory=Network)
    database: Database = Field(default_factory=Database)
    compute: Compute
    cache: Cache = Field(default_factory=Cache)
    cdn: Cdn = Field(default_factory=Cdn)
    assets: Assets = Field(default_factory=Assets)
    alerts: Alerts
    billing: Billing
    usage: Usage

    @model_validator(mode="after")
    def _runtime_fits_the_phase(self) -> "StackConfig":
        allowed = PHASE_RUNTIMES[self.phase]
        if self.compute.runtime not in allowed:
            raise LocatedError(("compute", "runtime"),
                               f"{self.compute.runtime!r} does not run in the {self.phase.value} phase; "
                               f"use {' or '.join(allowed)}")
        return self

    @property
    def billing_emails(self) -> list[str]:
        return list(self.billing.emails or self.alerts.emails)

    @property
    def estimated_charges_threshold(self) -> float:
        return self.billing.estimated_charges_alarm_usd or self.billing.monthly_budget_usd
