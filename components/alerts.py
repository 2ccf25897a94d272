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
    return cloudwatch.MetricAlarm(
        name, alarm_description=spec.description, namespace=spec.namespace, metric_name=spec.metric,
        dimensions=dict(spec.dimensions), statistic=spec.statistic, period=spec.period,
        evaluation_periods=spec.evaluation_periods, comparison_operator=spec.comparison, threshold=spec.threshold,
        treat_missing_data=spec.treat_missing_data, alarm_actions=list(actions), ok_actions=list(actions),
        tags=tags(name), opts=opts,
    )
