"""Operational alarms wired to an SNS topic that e-mails the team: know before the users notice.

Which alarms exist is decided by pure functions (`host_alarms`, `database_alarms`) returning `AlarmSpec`s;
the component only turns specs into resources, so every phase reuses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import pulumi
import pulumi_aws.cloudwatch as cloudwatch
import pulumi_aws.sns as sns

from .config.models import Alerts as AlertsConfig
from .tags import Tagger

GIB = 1024 ** 3


@dataclass(frozen=True)
class MetricQuery:
    """One metric (or expression) of a metric-math alarm; exactly one query returns the alarmed value."""

    id: str
    namespace: str = ""
    metric: str = ""
    dimensions: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
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
    dimensions: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    statistic: str = "Average"
    period: int = 300
    evaluation_periods: int = 1
    treat_missing_data: str = "missing"
    queries: tuple[MetricQuery, ...] = ()  # metric math instead of namespace/metric


def host_alarms(instance_id: pulumi.Input[str], cfg: AlertsConfig) -> list[AlarmSpec]:
    dims = {"InstanceId": instance_id}
    return [
        AlarmSpec("host-cpu", f"Host CPU above {cfg.host_cpu_percent}% for 5 minutes", "AWS/EC2",
                  "CPUUtilization", "GreaterThanThreshold", cfg.host_cpu_percent, dims),
        AlarmSpec("host-memory", f"Host memory above {cfg.host_memory_percent}%", "CWAgent",
                  "mem_used_percent", "GreaterThanThreshold", cfg.host_memory_percent, dims),
        AlarmSpec("host-disk", f"Host root disk above {cfg.host_disk_percent}% full", "CWAgent",
                  "disk_used_percent", "GreaterThanThreshold", cfg.host_disk_percent, dims),
        AlarmSpec("host-status", "Host failed its EC2 status checks", "AWS/EC2", "StatusCheckFailed",
                  "GreaterThanThreshold", 0, dims, statistic="Maximum", period=60, evaluation_periods=2),
    ]


def node_alarms(instance_ids: Sequence[pulumi.Input[str]], cfg: AlertsConfig) -> list[AlarmSpec]:
    """Per-node CPU, memory and health for a multi-node cluster."""
    specs = []
    for index, instance_id in enumerate(instance_ids):
        dims = {"InstanceId": instance_id}
        specs += [
            AlarmSpec(f"node-{index}-cpu", f"Node {index} CPU above {cfg.host_cpu_percent}% for 5 minutes", "AWS/EC2",
                      "CPUUtilization", "GreaterThanThreshold", cfg.host_cpu_percent, dims),
            AlarmSpec(f"node-{index}-memory", f"Node {index} memory above {cfg.host_memory_percent}%", "CWAgent",
                      "mem_used_percent", "GreaterThanThreshold", cfg.host_memory_percent, dims),
            AlarmSpec(f"node-{index}-status", f"Node {index} failed its EC2 status checks", "AWS/EC2",
                      "StatusCheckFailed", "GreaterThanThreshold", 0, dims, statistic="Maximum", period=60,
                      evaluation_periods=2),
        ]
    return specs


def load_balancer_alarms(lb_suffix: pulumi.Input[str], tg_suffix: pulumi.Input[str],
                         cfg: AlertsConfig) -> list[AlarmSpec]:
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


def next_phase_triggers(instance_ids: Sequence[pulumi.Input[str]], lb_suffix: pulumi.Input[str],
                        cfg: AlertsConfig) -> list[AlarmSpec]:
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


def database_alarms(identifier: pulumi.Input[str], max_connections: int, cfg: AlertsConfig) -> list[AlarmSpec]:
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


@dataclass(frozen=True)
class AlertsArgs:
    config: AlertsConfig
    alarms: Sequence[AlarmSpec]
    tags: Tagger


class Alerts(pulumi.ComponentResource):
    topic_arn: pulumi.Output[str]

    def __init__(self, name: str, args: AlertsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("phasegate:alerts:Alerts", name, None, opts)
        self.topic = sns.Topic(f"{name}-topic", tags=args.tags(f"{name}-topic"),
                               opts=pulumi.ResourceOptions(parent=self))
        for index, email in enumerate(args.config.emails):
            sns.TopicSubscription(f"{name}-email-{index}", topic=self.topic.arn, protocol="email", endpoint=email,
                                  opts=pulumi.ResourceOptions(parent=self.topic))
        self.alarms = [
            metric_alarm(f"{name}-{spec.key}", spec, [self.topic.arn], args.tags, pulumi.ResourceOptions(parent=self))
            for spec in args.alarms
        ]
        self.topic_arn = self.topic.arn
        self.register_outputs({"topicArn": self.topic_arn, "alarmCount": len(self.alarms)})


def metric_alarm(name: str, spec: AlarmSpec, actions: Sequence[pulumi.Input[str]], tags: Tagger,
                 opts: pulumi.ResourceOptions) -> cloudwatch.MetricAlarm:
    if spec.queries:
        metric = {"metric_queries": [
            cloudwatch.MetricAlarmMetricQueryArgs(
                id=q.id, expression=q.expression or None, label=q.label or None, return_data=q.return_data,
                metric=None if q.expression else cloudwatch.MetricAlarmMetricQueryMetricArgs(
                    namespace=q.namespace, metric_name=q.metric, dimensions=dict(q.dimensions), stat=q.statistic,
                    period=spec.period))
            for q in spec.queries]}
    else:
        metric = {"namespace": spec.namespace, "metric_name": spec.metric, "dimensions": dict(spec.dimensions),
                  "statistic": spec.statistic, "period": spec.period}
    return cloudwatch.MetricAlarm(
        name, alarm_description=spec.description, evaluation_periods=spec.evaluation_periods,
        comparison_operator=spec.comparison, threshold=spec.threshold, treat_missing_data=spec.treat_missing_data,
        alarm_actions=list(actions), ok_actions=list(actions), tags=tags(name), opts=opts, **metric,
    )
