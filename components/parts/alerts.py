"""Operational alarms wired to an SNS topic that e-mails the team: know before the users notice.

Which alarms exist is data (`render.alarms.AlarmSpec`, asked of each part); this part only turns specs into
resources, so every phase and runtime reuses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import pulumi
import pulumi_aws.cloudwatch as cloudwatch
import pulumi_aws.sns as sns

from ..config.models import Alerts as AlertsConfig
from ..render.alarms import AlarmSpec
from .tags import Tagger


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
                id=q.id, expression=q.expression, label=q.label, return_data=q.return_data,
                metric=cloudwatch.MetricAlarmMetricQueryMetricArgs(
                    namespace=q.metric.namespace, metric_name=q.metric.name, dimensions=dict(q.metric.dimensions),
                    stat=q.metric.statistic, period=spec.period) if q.metric else None)
            for q in spec.queries]}
    else:
        # Percentiles (p95) are extended statistics; Average, Sum, Maximum... are plain ones.
        statistic = spec.metric.statistic
        kind = "extended_statistic" if re.fullmatch(r"p\d{1,2}(\.\d+)?", statistic) else "statistic"
        metric = {"namespace": spec.metric.namespace, "metric_name": spec.metric.name,
                  "dimensions": dict(spec.metric.dimensions), kind: statistic, "period": spec.period}
    return cloudwatch.MetricAlarm(
        name, alarm_description=spec.description, evaluation_periods=spec.evaluation_periods,
        comparison_operator=spec.comparison, threshold=spec.threshold, treat_missing_data=spec.treat_missing_data,
        alarm_actions=list(actions), ok_actions=list(actions), tags=tags(name), opts=opts, **metric,
    )
