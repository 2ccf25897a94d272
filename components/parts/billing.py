"""Billing guardrails: a monthly AWS Budget with e-mail thresholds and a CloudWatch EstimatedCharges alarm.

AWS publishes billing metrics only in us-east-1, so the alarm (and the SNS topic it notifies, which must be
in the alarm's region) use an explicit us-east-1 provider whenever the stack lives elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws
import pulumi_aws.budgets as budgets
import pulumi_aws.sns as sns

from phasegate_policies.contract import BILLING_REGION

from ..render.alarms import AlarmSpec, Metric
from .alerts import metric_alarm
from .tags import Tagger


@dataclass(frozen=True)
class BillingArgs:
    region: str
    monthly_budget_usd: float
    actual_thresholds_percent: Sequence[int]
    forecasted_thresholds_percent: Sequence[int]
    estimated_charges_threshold_usd: float
    emails: Sequence[str]
    budget_name: str
    tags: Tagger
    # The stack's alert topic, reused when the stack already lives in us-east-1.
    alerts_topic_arn: Optional[pulumi.Input[str]] = None


class Billing(pulumi.ComponentResource):
    budget_name: pulumi.Output[str]
    alarm_arn: pulumi.Output[str]

    def __init__(self, name: str, args: BillingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("phasegate:billing:Billing", name, None, opts)
        notifications = [
            budgets.BudgetNotificationArgs(
                comparison_operator="GREATER_THAN", threshold=percent, threshold_type="PERCENTAGE",
                notification_type=kind, subscriber_email_addresses=list(args.emails),
            )
            for kind, percents in (("ACTUAL", args.actual_thresholds_percent),
                                   ("FORECASTED", args.forecasted_thresholds_percent))
            for percent in percents
        ]
        budget = budgets.Budget(
            f"{name}-budget", name=args.budget_name, budget_type="COST", time_unit="MONTHLY",
            limit_amount=f"{args.monthly_budget_usd:.2f}", limit_unit="USD", notifications=notifications,
            tags=args.tags(f"{name}-budget"), opts=pulumi.ResourceOptions(parent=self),
        )

        in_billing_region = args.region == BILLING_REGION
        alarm_opts = pulumi.ResourceOptions(parent=self)
        if not in_billing_region:
            provider = aws.Provider(f"{name}-{BILLING_REGION}", region=BILLING_REGION,
                                    opts=pulumi.ResourceOptions(parent=self))
            alarm_opts = pulumi.ResourceOptions(parent=self, provider=provider)
        topic_arn = args.alerts_topic_arn if in_billing_region and args.alerts_topic_arn else None
        if topic_arn is None:
            topic = sns.Topic(f"{name}-topic", tags=args.tags(f"{name}-topic"), opts=alarm_opts)
            for index, email in enumerate(args.emails):
                sns.TopicSubscription(f"{name}-email-{index}", topic=topic.arn, protocol="email", endpoint=email,
                                      opts=pulumi.ResourceOptions.merge(alarm_opts, pulumi.ResourceOptions(parent=topic)))
            topic_arn = topic.arn

        spec = AlarmSpec(
            "estimated-charges",
            f"Month-to-date estimated AWS charges above ${args.estimated_charges_threshold_usd:.2f}",
            "GreaterThanThreshold", args.estimated_charges_threshold_usd,
            Metric("AWS/Billing", "EstimatedCharges", {"Currency": "USD"}, "Maximum"),
            period=21600,  # billing data arrives a few times a day
        )
        alarm = metric_alarm(f"{name}-{spec.key}", spec, [topic_arn], args.tags, alarm_opts)
        self.budget_name = budget.name
        self.alarm_arn = alarm.arn
        self.register_outputs({"budgetName": self.budget_name, "estimatedChargesAlarm": self.alarm_arn})
