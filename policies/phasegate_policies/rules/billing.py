"""Billing alarms: no stack runs without a Budget that notifies someone and an EstimatedCharges alarm."""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from ..contract import BILLING_REGION
from ..props import dig, items, with_config_defaults
from ..stack import current_stack, resource_region


SCHEMA = {"requireForecastedNotification": {
    "type": "boolean", "default": False,
    "description": "Also demand a FORECASTED notification, which warns before the money is spent."}}


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = with_config_defaults(args.get_config(), SCHEMA)
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
    elif config["requireForecastedNotification"] and not any(
            dig(n, "notificationType") == "FORECASTED" for b in notified for n in items(b.props, "notifications")):
        report_violation("No Budget warns on the forecast: add a FORECASTED notification (e.g. at 100%).",
                         notified[0].urn)

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
    config_schema=PolicyConfigSchema(properties=SCHEMA),
)

POLICIES = [billing_alarms]
