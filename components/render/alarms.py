"""Which alarms a part needs, as data: `AlarmSpec`s built by pure functions, turned into resources by the alerts part.

Each part asks for its own alarms (`part.alarms(cfg.alerts)`) through these builders; the composition only
concatenates them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from ..config.models import Alerts as AlertsConfig

GIB = 1024 ** 3


@dataclass(frozen=True)
class MetricQuery:
    """One metric (or expression) of a metric-math alarm; exactly one query returns the alarmed value."""

    id: str
    namespace: str = ""
    metric: str = ""
    dimensions: Mapping[str, Any] = field(default_factory=dict)
    statistic: str = "Average"
    expression: str = ""
    label: str = ""
    return_data: bool = False


@dataclass(frozen=True)
class AlarmSpec:
    key: str  # suffix of the resource name
    description: str
    namespace: str
    metric: str
    comparison: str
    threshold: float
    dimensions: Mapping[str, Any] = field(default_factory=dict)
    statistic: str = "Average"
    period: int = 300
    evaluation_periods: int = 1
    treat_missing_data: str = "missing"
    queries: tuple[MetricQuery, ...] = ()  # metric math instead of namespace/metric


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
            AlarmSpec(f"{key}-cpu", f"{label} CPU above {cfg.host_cpu_percent}% for 5 minutes", "AWS/EC2",
                      "CPUUtilization", "GreaterThanThreshold", cfg.host_cpu_percent, dims),
            AlarmSpec(f"{key}-memory", f"{label} memory above {cfg.host_memory_percent}%", "CWAgent",
                      "mem_used_percent", "GreaterThanThreshold", cfg.host_memory_percent, dims),
        ]
        if disk:
            specs.append(AlarmSpec(f"{key}-disk", f"{label} root disk above {cfg.host_disk_percent}% full", "CWAgent",
                                   "disk_used_percent", "GreaterThanThreshold", cfg.host_disk_percent, dims))
        specs.append(AlarmSpec(f"{key}-status", f"{label} failed its EC2 status checks", "AWS/EC2",
                               "StatusCheckFailed", "GreaterThanThreshold", 0, dims, statistic="Maximum", period=60,
                               evaluation_periods=2))
    return specs


def load_balancer_alarms(lb_suffix: Any, tg_suffix: Any, cfg: AlertsConfig) -> list[AlarmSpec]:
    lb, tg = {"LoadBalancer": lb_suffix}, {"LoadBalancer": lb_suffix, "TargetGroup": tg_suffix}
    error_rate = (
        MetricQuery("elb5xx", "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb, "Sum"),
        MetricQuery("target5xx", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lb, "Sum"),
        MetricQuery("requests", "AWS/ApplicationELB", "RequestCount", lb, "Sum"),
        MetricQuery("rate", expression="100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests",
                    label="5xx % of requests", return_data=True),
    )
    return [
        AlarmSpec("alb-5xx-rate", f"More than {cfg.alb_5xx_percent:g}% of requests failed with 5xx over 5 minutes", "",
                  "", "GreaterThanThreshold", cfg.alb_5xx_percent, queries=error_rate, treat_missing_data="notBreaching"),
        AlarmSpec("alb-unhealthy-targets", "At least one node fails the load balancer's health check",
                  "AWS/ApplicationELB", "UnHealthyHostCount", "GreaterThanThreshold", 0, tg, statistic="Maximum",
                  period=60, evaluation_periods=3),
    ]


def cache_alarms(member_ids: Sequence[str], cfg: AlertsConfig) -> list[AlarmSpec]:
    return [
        AlarmSpec(f"cache-{index}-memory", f"Cache node {member} memory above {cfg.cache_memory_percent}%",
                  "AWS/ElastiCache", "DatabaseMemoryUsagePercentage", "GreaterThanThreshold",
                  cfg.cache_memory_percent, {"CacheClusterId": member})
        for index, member in enumerate(member_ids)
    ]


def next_phase_triggers(instance_ids: Sequence[Any], lb_suffix: Any, cfg: AlertsConfig) -> list[AlarmSpec]:
    """The reference plans' migration criteria as alarms: sustained load means plan the next phase now."""
    hours = cfg.trigger_hours

    def average_of(metric: str, namespace: str, label: str) -> tuple[MetricQuery, ...]:
        nodes = tuple(MetricQuery(f"n{i}", namespace, metric, {"InstanceId": iid}) for i, iid in enumerate(instance_ids))
        return nodes + (MetricQuery("avg", expression=f"AVG([{', '.join(q.id for q in nodes)}])", label=label,
                                    return_data=True),)

    return [
        AlarmSpec("trigger-cpu", f"Next phase: cluster CPU above {cfg.trigger_cpu_percent}% for {hours} h", "", "",
                  "GreaterThanThreshold", cfg.trigger_cpu_percent, period=3600, evaluation_periods=hours,
                  queries=average_of("CPUUtilization", "AWS/EC2", "average node CPU %")),
        AlarmSpec("trigger-memory", f"Next phase: cluster memory above {cfg.trigger_memory_percent}% for {hours} h",
                  "", "", "GreaterThanThreshold", cfg.trigger_memory_percent, period=3600, evaluation_periods=hours,
                  queries=average_of("mem_used_percent", "CWAgent", "average node memory %")),
        AlarmSpec("trigger-requests", f"Next phase: more than {cfg.trigger_requests_per_day:,} requests a day",
                  "AWS/ApplicationELB", "RequestCount", "GreaterThanThreshold", cfg.trigger_requests_per_day,
                  {"LoadBalancer": lb_suffix}, statistic="Sum", period=86400, treat_missing_data="notBreaching"),
    ]


def database_alarms(identifier: Any, max_connections: int, cfg: AlertsConfig) -> list[AlarmSpec]:
    dims = {"DBInstanceIdentifier": identifier}
    connections = round(max_connections * cfg.db_connections_percent / 100)
    return [
        AlarmSpec("db-cpu", f"Database CPU above {cfg.db_cpu_percent}% for 5 minutes", "AWS/RDS",
                  "CPUUtilization", "GreaterThanThreshold", cfg.db_cpu_percent, dims),
        AlarmSpec("db-connections",
                  f"Database connections above {cfg.db_connections_percent}% of max_connections ({connections} of {max_connections})",
                  "AWS/RDS", "DatabaseConnections", "GreaterThanThreshold", connections, dims, statistic="Maximum"),
        AlarmSpec("db-free-storage", f"Database free storage below {cfg.db_free_storage_gb} GiB", "AWS/RDS",
                  "FreeStorageSpace", "LessThanThreshold", cfg.db_free_storage_gb * GIB, dims, statistic="Minimum"),
    ]
