"""The typed shape of a stack's `phasegate:*` config: one frozen pydantic model per section.

Keys are camelCase in the stack files (Pulumi convention) and snake_case in Python. Sizing defaults that
differ by phase live in `presets.py`; defaults here are the ones that hold in every phase. Rules that span
sections (the phase x runtime matrix, container sizes against node sizes, what the runtime's capabilities ask
of the rest) live in `rules.py` and on the runtime's own model, and run in `StackConfig`'s validator. Checks
that need rendering (a boot script's size) run after validation, on the render side.
"""

from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import AliasChoices, Field, ValidationInfo, create_model, field_validator, model_validator
from pydantic.alias_generators import to_snake

from phasegate_policies.contract import is_graviton
from phasegate_policies.cost import USAGE_KEYS

from .app import App, Section, Service, zone_mismatch, zone_name
from .compute import (RUNTIME_MODELS, Compute, ComposeCompute, EksCompute, K3sCompute, RuntimeModel, compute_members,
                      runtime_model)
from .errors import CrossSectionErrors, LocatedError
from .presets import DR_PARTNER_REGIONS, PHASE_RUNTIMES
from .rules import cross_section_problems
from .types import (
    AscendingPercents,
    CacheEngine,
    CacheNodeType,
    Cidr,
    DbClass,
    Domain,
    Ec2Type,
    Egress,
    Email,
    Flag,
    Int,
    Number,
    PathPrefix,
    Percent,
    Phase,
    PostgresVersion,
    Region,
)

__all__ = ["RUNTIME_MODELS", "Alerts", "App", "Assets", "Billing", "Cache", "Cdn", "ComposeCompute", "Compute",
           "Database", "EksCompute", "Waf", "K3sCompute", "LocatedError", "Network", "Section", "Service", "StackConfig",
           "Usage"]


class Network(Section):
    cidr: Cidr = Field("10.0.0.0/16", description="VPC IPv4 range.")
    az_count: Int = Field(2, ge=2, le=3, description="Availability zones used (RDS needs two).")
    egress: Egress = Field(Egress.NONE, description="How private subnets reach the internet.")
    nat_instance_type: Ec2Type = Field("t4g.nano", description="Instance type when egress is 'instance'.")

    @field_validator("nat_instance_type")
    @classmethod
    def _graviton(cls, value: str) -> str:
        if not is_graviton(value):
            raise ValueError(f"{value!r} is not a Graviton (arm64) type; the NAT instance image is arm64, e.g. t4g.nano")
        return value


class Database(Section):
    engine_version: PostgresVersion = Field("17", description="PostgreSQL major (or major.minor) RDS supports.")
    instance_class: DbClass = Field("db.t4g.micro", description="RDS instance class.")
    allocated_storage_gb: Int = Field(20, ge=20, le=65536, description="Initial gp3 storage.")
    max_allocated_storage_gb: Int = Field(100, ge=20, le=65536, description="Storage autoscaling ceiling.")
    multi_az: Flag = Field(False, description="Standby replica in a second AZ (doubles instance and storage cost).")
    backup_retention_days: Int = Field(7, ge=7, le=35, description="Automated backup retention.")
    deletion_protection: Flag = Field(True, description="Refuse deletion until explicitly turned off.")
    performance_insights: Flag = Field(False, description="Performance Insights with the free 7-day retention.")
    skip_final_snapshot: Flag = Field(False, description="Only for throwaway stacks: delete without a snapshot.")
    db_name: str = Field("app", pattern=r"^[a-z][a-z0-9_]{0,62}$", description="Initial database name.")
    username: str = Field("app_admin", pattern=r"^[a-z][a-z0-9_]{0,15}$", description="Master user name.")
    dr_copy: Flag = Field(False, description="Disaster recovery: an AWS Backup plan takes a daily snapshot and copies "
                                             "it to drRegion, kept as long as automated backups.")
    dr_region: Optional[Region] = Field(None, description="Where the disaster-recovery copies go; default: the "
                                                          "stack region's partner (us-east-1 <-> us-west-2, "
                                                          "us-east-2 -> us-west-2, eu-west-1 <-> eu-central-1).")
    snapshot_identifier: Optional[str] = Field(
        None, pattern=r"^(arn:aws:rds:[a-z0-9-]+:\d{12}:snapshot:)?[a-zA-Z][a-zA-Z0-9-]{0,254}$",
        description="Create the database from this RDS snapshot (name or ARN), e.g. the previous phase's. "
                    "Read only at creation: changing it later would replace the database, which protect refuses.")

    @field_validator("max_allocated_storage_gb")
    @classmethod
    def _ceiling_above_start(cls, value: int, info: ValidationInfo) -> int:
        start = info.data.get("allocated_storage_gb")
        if start is not None and value < start:
            raise ValueError(f"{value} is below allocatedStorageGb ({start}); the autoscaling ceiling must be at least that")
        return value


class Cache(Section):
    enabled: Flag = Field(False, description="Managed Redis-compatible cache.")
    engine: CacheEngine = Field(CacheEngine.VALKEY, description="redis (Redis OSS) or valkey (20% cheaper nodes).")
    mode: Literal["nodes", "serverless"] = Field(
        "nodes", description="nodes: a replication group of nodeType nodes. serverless: ElastiCache Serverless, "
                             "Multi-AZ by design and billed by data stored and requests (usage.cacheDataGb, "
                             "usage.cacheRequestsPerMonth).")
    node_type: CacheNodeType = Field("cache.t4g.micro", description="ElastiCache node type (mode nodes).")
    replicas: Int = Field(0, ge=0, le=5, description="Read replicas, with automatic failover and Multi-AZ when > 0 "
                                                     "(mode nodes).")
    serverless_max_data_gb: Int = Field(1, ge=1, le=5000, description="Cost guard (mode serverless): the most data "
                                                                      "the cache may hold, GB (1 GB of Valkey is "
                                                                      "about $61 a month).")
    serverless_max_ecpu_per_second: Int = Field(
        5000, ge=1000, le=15000000, description="Cost guard (mode serverless): the most ElastiCache Processing Units a second.")

    @model_validator(mode="after")
    def _mode_settings(self) -> "Cache":
        if self.mode == "serverless" and self.replicas:
            raise LocatedError(("replicas",), "a serverless cache is replicated across AZs by design; replicas "
                                              "applies to mode nodes only, remove it")
        return self


class Cdn(Section):
    enabled: Flag = Field(False, description="CloudFront in front of the assets bucket.")
    price_class: str = Field("PriceClass_100", pattern=r"^PriceClass_(100|200|All)$",
                             description="CloudFront edge locations used: 100 (NA/EU, cheapest), 200, All.")
    domain: Optional[Domain] = Field(None, description=(
        "The CDN's own host name (e.g. assets.example.com): served with an ACM certificate from us-east-1 and a TLS "
        "1.2 minimum. Without it, CloudFront serves *.cloudfront.net, where it applies TLSv1 whatever a distribution "
        "asks for (ViewerCertificate in the CloudFront API reference)."))
    hosted_zone: Optional[Domain] = Field(None, description=(
        "Existing public Route 53 zone holding cdn.domain (default: its parent), for the certificate's validation "
        "record and the alias record."))

    @model_validator(mode="after")
    def _zone_holds_domain(self) -> "Cdn":
        mismatch = zone_mismatch(self.domain, self.hosted_zone)
        if mismatch:
            raise LocatedError((mismatch[0],), mismatch[1])
        return self

    @property
    def zone_name(self) -> Optional[str]:
        return zone_name(self.domain, self.hosted_zone)


class Waf(Section):
    enabled: Flag = Field(False, description="AWS WAF on the load balancer: managed rule groups and a rate limit.")
    rate_limit_per_5_minutes: Int = Field(
        2000, ge=10, le=2000000000, alias="rateLimitPer5Minutes",
        description="Requests one IP may send in 5 minutes before WAF blocks it (AWS's minimum is 10).")
    body_size_limit_paths: list[PathPrefix] = Field(default_factory=list, max_length=10, description=(
        "Path prefixes on which WAF still blocks request bodies over 8 KB (the core rule set's SizeRestrictions_BODY,"
        " which phasegate otherwise only counts: an ALB passes WAF just the first 8 KB of a body, so WAF cannot "
        "enforce a larger limit; each service's maxBodyMb is enforced by its proxy instead)."))


class Assets(Section):
    noncurrent_version_days: Int = Field(30, ge=1, le=3650, description="Delete overwritten versions after this.")
    force_destroy: Flag = Field(False, description="Allow deleting a non-empty bucket (throwaway stacks only).")


class Alerts(Section):
    @model_validator(mode="before")
    @classmethod
    def _one_spelling(cls, data: Any) -> Any:
        if isinstance(data, dict) and {"alb5xxPercent", "alb5XxPercent"} <= set(data):
            raise LocatedError(("alb5xxPercent",), "given twice, as alb5xxPercent and alb5XxPercent; keep one")
        return data

    emails: list[Email] = Field(min_length=1, description="Who receives operational alarms.")
    host_cpu_percent: Percent = Field(80, description="Alarm when a host's or node's CPU stays above this.")
    host_memory_percent: Percent = Field(85, description="Alarm when a host's or node's memory is above this.")
    host_disk_percent: Percent = Field(80, description="Alarm when the compose host's root disk is fuller than this.")
    db_cpu_percent: Percent = Field(80, description="Alarm when the database's CPU stays above this.")
    db_connections_percent: Percent = Field(80, description="Alarm at this share of the database's max_connections.")
    db_free_storage_gb: Int = Field(5, ge=1, description="Alarm when the database has less free storage than this.")
    alb_5xx_percent: Number = Field(
        1, gt=0, le=100, alias="alb5xxPercent", validation_alias=AliasChoices("alb5xxPercent", "alb5XxPercent"),
        description="Alarm when more than this share of load balancer requests fail with 5xx.")
    cache_memory_percent: Percent = Field(75, description="Alarm when a cache node's memory is above this.")
    # Next-phase triggers (reference plans' migration criteria): sustained load means it is time to move on.
    trigger_cpu_percent: Percent = Field(70, description="Next-phase trigger: average node CPU above this.")
    trigger_memory_percent: Percent = Field(80, description="Next-phase trigger: average node memory above this.")
    trigger_requests_per_day: Int = Field(100000, ge=1, description="Next-phase trigger: requests a day above this.")
    trigger_hours: Int = Field(6, ge=1, le=24, description="How long load must stay high to trigger.")


class Billing(Section):
    monthly_budget_usd: Number = Field(gt=0, le=100000, description="AWS Budgets monthly cost limit.")
    actual_thresholds_percent: AscendingPercents = Field(
        default_factory=lambda: [50, 80, 100], description="E-mail when actual spend passes these % of the budget.")
    forecasted_thresholds_percent: AscendingPercents = Field(
        default_factory=lambda: [100], description="E-mail when forecast spend passes these % of the budget.")
    estimated_charges_alarm_usd: Optional[Number] = Field(
        None, gt=0, description="EstimatedCharges alarm threshold; defaults to the budget, and may not exceed it."
    )
    emails: list[Email] = Field(default_factory=list, description="Billing recipients; defaults to alerts.emails.")

    @model_validator(mode="after")
    def _alarm_within_budget(self) -> "Billing":
        alarm = self.estimated_charges_alarm_usd
        if alarm is not None and alarm > self.monthly_budget_usd:
            raise LocatedError(("estimatedChargesAlarmUsd",),
                               f"${alarm:g} is above the ${self.monthly_budget_usd:g} budget: the alarm would fire "
                               f"only after the month's budget is spent; use at most {self.monthly_budget_usd:g}")
        return self


# The usage keys are the pack's contract (phasegate_policies.cost.usage): the model is built from them, so the
# stack file, this validation and the pack's pricing cannot drift apart. Optional keys mean 0 in both places.
Usage = create_model(
    "Usage", __base__=Section,
    __doc__="Declared usage assumptions: the pack prices usage from these and never invents any.",
    **{to_snake(key): (Number, Field(... if spec.required else 0, ge=0, description=spec.description))
       for key, spec in USAGE_KEYS.items()},
)


class StackConfig(Section):
    region: Region = Field(description="The stack's AWS region, from aws:region (not a phasegate key).")
    phase: Phase = Field(description="The stack's phase: it picks the preset of defaults, the runtimes allowed and "
                                     "the cost ceiling the policy pack applies.")
    app: App = Field(description="The app, described once and independently of the phase: its name, domain and "
                                 "services.")
    network: Network = Field(default_factory=Network, description="The VPC: its range, availability zones and how "
                                                                  "private subnets reach the internet.")
    database: Database = Field(default_factory=Database, description="The private, encrypted RDS PostgreSQL "
                                                                     "database, its backups and disaster-recovery "
                                                                     "copies.")
    compute: Compute = Field(description="What runs the app, chosen by runtime, with that runtime's sizing next to "
                                         "it.")
    cache: Cache = Field(default_factory=Cache, description="The managed Redis-compatible cache (ElastiCache), "
                                                            "nodes or serverless.")
    cdn: Cdn = Field(default_factory=Cdn, description="CloudFront in front of the assets bucket.")
    waf: Waf = Field(default_factory=Waf, description="AWS WAF in front of the load balancer.")
    assets: Assets = Field(default_factory=Assets, description="The encrypted, versioned S3 assets bucket.")
    alerts: Alerts = Field(description="Operational alarms: who receives them and their thresholds, including the "
                                       "next-phase triggers.")
    billing: Billing = Field(description="The AWS Budget and the EstimatedCharges alarm that guard the bill.")
    usage: Usage = Field(description="Declared usage (traffic, storage, requests, logs): the policy pack prices "
                                     "usage from these and never invents any.")

    @model_validator(mode="after")
    def _sections_fit_together(self) -> "StackConfig":
        allowed = PHASE_RUNTIMES[self.phase]
        if self.compute.runtime not in allowed:
            raise LocatedError(("compute", "runtime"),
                               f"{self.compute.runtime!r} does not run in the {self.phase.value} phase; "
                               f"use {', '.join(allowed[:-1]) + ' or ' + allowed[-1] if len(allowed) > 1 else allowed[0]}")
        problems = cross_section_problems(self)
        if problems:
            raise CrossSectionErrors(problems)
        return self

    @property
    def billing_emails(self) -> list[str]:
        return list(self.billing.emails or self.alerts.emails)

    @property
    def dr_region(self) -> Optional[str]:
        """Where disaster-recovery copies of the database go, when they are on."""
        if not self.database.dr_copy:
            return None
        return self.database.dr_region or DR_PARTNER_REGIONS.get(self.region)

    @property
    def estimated_charges_threshold(self) -> float:
        return self.billing.estimated_charges_alarm_usd or self.billing.monthly_budget_usd


def join_runtime(model: type[RuntimeModel]) -> type[RuntimeModel]:
    """Adds a runtime's model, defined after this module, to `phasegate:compute` (registration rebuilds the union)."""
    runtime_model(model)
    StackConfig.model_fields["compute"].annotation = compute_members()  # the field keeps its discriminator
    StackConfig.model_rebuild(force=True)
    return model
