"""Which alarms a part needs, as data: `AlarmSpec`s built by pure functions, turned into resources by the alerts part.

Each part asks for its own alarms (`part.alarms(cfg.alerts)`) through these builders; the composition only
concatenates them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

from ..config.models import Alerts as AlertsConfig

GIB = 1024 ** 3
ABOVE, BELOW = "GreaterThanThreshold", "LessThanThreshold"


@dataclass(frozen=True)
class Metric:
    """One CloudWatch metric, as an alarm or a metric-math query reads it."""

    namespace: str
    name: str
    dimensions: Mapping[str, Any] = field(default_factory=dict)
    statistic: str = "Average"


@dataclass(frozen=True)
class MetricQuery:
    """One query of a metric-math alarm: a metric or an expression over other queries, never both."""

    id: str
    metric: Optional[Metric] = None
    expression: Optional[str] = None
    label: Optional[str] = None
    return_data: bool = False

    def __post_init__(self) -> None:
        if (self.metric is None) == (self.expression is None):
            raise ValueError(f"query {self.id!r} needs exactly one of metric and expression")


@dataclass(frozen=True)
class AlarmSpec:
    """An alarm on one metric, or on metric math (`queries`, exactly one of which returns the alarmed value)."""

    key: str  # suffix of the resource name
    description: str
    comparison: str
    threshold: float
    metric: Optional[Metric] = None
    queries: tuple[MetricQuery, ...] = ()
    period: int = 300
    evaluation_periods: int = 1
    treat_missing_data: str = "missing"

    def __post_init__(self) -> None:
        if (self.metric is None) == (not self.queries):
            raise ValueError(f"alarm {self.key!r} needs exactly one of metric and queries")
        if self.queries and sum(q.return_data for q in self.queries) != 1:
            raise ValueError(f"alarm {self.key!r}: exactly one query must return the alarmed value")


@dataclass(frozen=True)
class WatchedInstance:
    """An EC2 instance to alarm on: `key` prefixes the alarm names, `label` starts their descriptions."""

    key: str
    label: str
    instance_id: Any


def instance_alarms(instances: Sequence[WatchedInstance], cfg: AlertsConfig, *, disk: bool) -> list[AlarmSpec]:
    """CPU, memory (CloudWatch agent), optionally root disk, and EC2 status checks for each instance."""
    specs = []
    for watched in instances:
        dims, key, label = {"InstanceId": watched.instance_id}, watched.key, watched.label
        specs += [
            AlarmSpec(f"{key}-cpu", f"{label} CPU above {cfg.host_cpu_percent}% for 5 minutes", ABOVE,
                      cfg.host_cpu_percent, Metric("AWS/EC2", "CPUUtilization", dims)),
            AlarmSpec(f"{key}-memory", f"{label} memory above {cfg.host_memory_percent}%", ABOVE,
                      cfg.host_memory_percent, Metric("CWAgent", "mem_used_percent", dims)),
        ]
        if disk:
            specs.append(AlarmSpec(f"{key}-disk", f"{label} root disk above {cfg.host_disk_percent}% full", ABOVE,
                                   cfg.host_disk_percent, Metric("CWAgent", "disk_used_percent", dims)))
        specs.append(status_check_alarm(key, f"{label} failed its EC2 status checks", dims))
    return specs


def status_check_alarm(key: str, description: str, dimensions: Mapping[str, Any]) -> AlarmSpec:
    """EC2 status checks (instance or autoscaling group dimensions): failed for two minutes in a row."""
    return AlarmSpec(f"{key}-status", description, ABOVE, 0,
                     Metric("AWS/EC2", "StatusCheckFailed", dimensions, "Maximum"), period=60, evaluation_periods=2)


def nat_gateway_alarms(index: int, nat_gateway_id: Any) -> list[AlarmSpec]:
    """A NAT gateway out of source ports (too many connections to one destination) or dropping packets."""
    dims = {"NatGatewayId": nat_gateway_id}
    return [
        AlarmSpec(f"nat-{index}-port-allocation", f"NAT gateway {index} could not allocate a source port", ABOVE, 0,
                  Metric("AWS/NATGateway", "ErrorPortAllocation", dims, "Sum"), treat_missing_data="notBreaching"),
        AlarmSpec(f"nat-{index}-packets-dropped", f"NAT gateway {index} dropped packets for 15 minutes", ABOVE, 0,
                  Metric("AWS/NATGateway", "PacketsDropCount", dims, "Sum"), evaluation_periods=3,
                  treat_missing_data="notBreaching"),
    ]


def load_balancer_alarms(lb_suffix: Any, target_groups: Mapping[str, Any], cfg: AlertsConfig) -> list[AlarmSpec]:
    """The share of requests failing with 5xx, and unhealthy targets per target group (key suffix -> ARN suffix)."""
    lb = {"LoadBalancer": lb_suffix}
    error_rate = (
        MetricQuery("elb5xx", Metric("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb, "Sum")),
        MetricQuery("target5xx", Metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lb, "Sum")),
        MetricQuery("requests", Metric("AWS/ApplicationELB", "RequestCount", lb, "Sum")),
        MetricQuery("rate", expression="100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests",
                    label="5xx % of requests", return_data=True),
    )
    specs = [AlarmSpec("alb-5xx-rate", f"More than {cfg.alb_5xx_percent:g}% of requests failed with 5xx over 5 minutes",
                       ABOVE, cfg.alb_5xx_percent, queries=error_rate, treat_missing_data="notBreaching")]
    for suffix, tg_suffix in target_groups.items():
        what = f"{suffix[1:]}'s tasks" if suffix else "node"
        specs.append(AlarmSpec(
            f"alb-unhealthy-targets{suffix}", f"At least one {what} fails the load balancer's health check"
            if not suffix else f"At least one of {what} fails the load balancer's health check", ABOVE, 0,
            Metric("AWS/ApplicationELB", "UnHealthyHostCount", {"LoadBalancer": lb_suffix, "TargetGroup": tg_suffix},
                   "Maximum"), period=60, evaluation_periods=3))
    return specs


def cache_alarms(member_ids: Sequence[str], cfg: AlertsConfig) -> list[AlarmSpec]:
    return [
        AlarmSpec(f"cache-{index}-memory", f"Cache node {member} memory above {cfg.cache_memory_percent}%", ABOVE,
                  cfg.cache_memory_percent,
                  Metric("AWS/ElastiCache", "DatabaseMemoryUsagePercentage", {"CacheClusterId": member}))
        for index, member in enumerate(member_ids)
    ]


def serverless_cache_alarms(cache_name: str, data_limit_bytes: int, cfg: AlertsConfig) -> list[AlarmSpec]:
    """A serverless cache near its data limit (it would evict, then refuse writes) or throttling requests."""
    dims = {"clusterId": cache_name}
    return [
        AlarmSpec("cache-data", f"Cache data above {cfg.cache_memory_percent}% of its usage limit", ABOVE,
                  round(data_limit_bytes * cfg.cache_memory_percent / 100),
                  Metric("AWS/ElastiCache", "BytesUsedForCache", dims, "Maximum")),
        AlarmSpec("cache-throttled", "The cache throttled requests (ECPU limit, or scaling slower than the load)",
                  ABOVE, 0, Metric("AWS/ElastiCache", "ThrottledCmds", dims, "Sum"), treat_missing_data="notBreaching"),
    ]


def next_phase_triggers(instance_ids: Sequence[Any], lb_suffix: Any, cfg: AlertsConfig) -> list[AlarmSpec]:
    """The reference plans' migration criteria as alarms: sustained load means plan the next phase now."""
    hours = cfg.trigger_hours

    def average_of(metric: str, namespace: str, label: str) -> tuple[MetricQuery, ...]:
        nodes = tuple(MetricQuery(f"n{i}", Metric(namespace, metric, {"InstanceId": iid}))
                      for i, iid in enumerate(instance_ids))
        return nodes + (MetricQuery("avg", expression=f"AVG([{', '.join(q.id for q in nodes)}])", label=label,
                                    return_data=True),)

    return [
        AlarmSpec("trigger-cpu", f"Next phase: cluster CPU above {cfg.trigger_cpu_percent}% for {hours} h", ABOVE,
                  cfg.trigger_cpu_percent, period=3600, evaluation_periods=hours,
                  queries=average_of("CPUUtilization", "AWS/EC2", "average node CPU %")),
        AlarmSpec("trigger-memory", f"Next phase: cluster memory above {cfg.trigger_memory_percent}% for {hours} h",
                  ABOVE, cfg.trigger_memory_percent, period=3600, evaluation_periods=hours,
                  queries=average_of("mem_used_percent", "CWAgent", "average node memory %")),
        AlarmSpec("trigger-requests", f"Next phase: more than {cfg.trigger_requests_per_day:,} requests a day", ABOVE,
                  cfg.trigger_requests_per_day,
                  Metric("AWS/ApplicationELB", "RequestCount", {"LoadBalancer": lb_suffix}, "Sum"), period=86400,
                  treat_missing_data="notBreaching"),
    ]


def database_alarms(identifier: Any, max_connections: int, cfg: AlertsConfig) -> list[AlarmSpec]:
    dims = {"DBInstanceIdentifier": identifier}
    connections = round(max_connections * cfg.db_connections_percent / 100)
    return [
        AlarmSpec("db-cpu", f"Database CPU above {cfg.db_cpu_percent}% for 5 minutes", ABOVE, cfg.db_cpu_percent,
                  Metric("AWS/RDS", "CPUUtilization", dims)),
        AlarmSpec("db-connections",
                  f"Database connections above {cfg.db_connections_percent}% of max_connections ({connections} of {max_connections})",
                  ABOVE, connections, Metric("AWS/RDS", "DatabaseConnections", dims, "Maximum")),
        AlarmSpec("db-free-storage", f"Database free storage below {cfg.db_free_storage_gb} GiB", BELOW,
                  cfg.db_free_storage_gb * GIB, Metric("AWS/RDS", "FreeStorageSpace", dims, "Minimum")),
    ]
