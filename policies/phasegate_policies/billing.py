"""Billing alarms: no stack runs without a Budget that notifies someone and an EstimatedCharges alarm."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, ReportViolation, StackValidationArgs, StackValidationPolicy

from .props import dig, items
from .stack import current_stack, resource_region

BILLING_REGION = "us-east-1"


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    budgets = [r for r in args.resources if r.resource_type == "aws:budgets/budget:Budget"]
    notified = [
        b for b in budgets
        if any(items(n, "subscriberEmailAddresses") or items(n, "subscriberSnsTopicArns")
               for n in items(b.props, "notifications"))
    ]
    if not budgets:
        report_violation("No AWS Budget: add an aws.budgets.Budget (COST, MONTHLY) with e-mail notifications.")
    elif not notified:
        report_violation("No Budget notifies anyone: give a notification subscriber_email_addresses or "
                         "subscriber_sns_topic_arns.", budgets[0].urn)

    stack_region = current_stack().region
    alarms = [r for r in args.resources if r.resource_type == "aws:cloudwatch/metricAlarm:MetricAlarm"
              and dig(r.props, "metricName") == "EstimatedCharges" and dig(r.props, "namespace") == "AWS/Billing"]
    usable = [a for a in alarms if resource_region(a, stack_region) == BILLING_REGION and items(a.props, "alarmActions")]
    if not alarms:
        report_violation("No EstimatedCharges alarm: add a CloudWatch alarm on AWS/Billing EstimatedCharges in "
                         "us-east-1 with an SNS action.")
    elif not usable:
        where = ", ".join(f"{a.name} ({resource_region(a, stack_region)})" for a in alarms)
        report_violation(f"EstimatedCharges alarms {where} cannot fire or notify: billing metrics exist only in "
                         f"us-east-1 (use a us-east-1 provider) and the alarm needs an alarm action.", alarms[0].urn)


billing_alarms = StackValidationPolicy(
    name="billing-alarms",
    description="A Budget with subscribers and an EstimatedCharges alarm in us-east-1 with an action exist.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate,
)

POLICIES = [billing_alarms]
