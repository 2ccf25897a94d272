"""Billing alarms: no stack runs without a Budget that notifies someone and an EstimatedCharges alarm.

An organisation that keeps them at account level (a dedicated stack or account) says so in the pack config
(`accountLevel: true`), which satisfies the rule for every stack; each violation names that option.

At a first preview the alarm's action is the ARN of a topic not created yet: an action that is there but
unknown counts as an action. Its region comes from the alarm itself, else from its provider, else the stack's.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import ReportViolation, StackValidationArgs

from ..contract import BILLING_REGION
from ..declare import MANDATORY, stack_policy
from ..engine import UNKNOWN, dig, items
from ..props import with_config_defaults
from ..stack import current_stack, resource_region
from ..stackview import StackView

SCHEMA = {
    "requireForecastedNotification": {
        "type": "boolean", "default": False,
        "description": "Also demand a FORECASTED notification, which warns before the money is spent."},
    "accountLevel": {
        "type": "boolean", "default": False,
        "description": "The organisation keeps its Budget and EstimatedCharges alarm at account level (a dedicated "
                       "stack or account): a stack need not carry its own."},
}
ACCOUNT_LEVEL = (" (If the organisation keeps its Budget and EstimatedCharges alarm at account level, the platform "
                 "owner sets billing-alarms: accountLevel: true in the pack config.)")


def _notifies(notification: Any) -> bool:
    """A notification with at least one subscriber (an unknown subscriber list is one not created yet)."""
    if notification is UNKNOWN:
        return True
    return bool(items(notification, "subscriberEmailAddresses") or items(notification, "subscriberSnsTopicArns"))


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = with_config_defaults(args.get_config(), SCHEMA)
    if config["accountLevel"]:
        return  # the platform owner states the account's alarms cover every stack
    _check_stack(config, args, lambda message, urn=None: report_violation(message + ACCOUNT_LEVEL, urn))


def _check_stack(config: dict, args: StackValidationArgs, report_violation: ReportViolation) -> None:
    view = StackView(args.resources)
    budgets = view.of_type("aws:budgets/budget:Budget")
    notified = [b for b in budgets if any(_notifies(n) for n in items(view.props(b), "notifications"))]
    if not budgets:
        report_violation("No AWS Budget: add an aws.budgets.Budget (COST, MONTHLY) with e-mail notifications.")
    elif not notified:
        report_violation("No Budget notifies anyone: give a notification subscriber_email_addresses or "
                         "subscriber_sns_topic_arns.", budgets[0].urn)
    elif config["requireForecastedNotification"] and not any(
            dig(n, "notificationType") in ("FORECASTED", UNKNOWN)
            for b in notified for n in items(view.props(b), "notifications") if n is not UNKNOWN):
        report_violation("No Budget warns on the forecast: add a FORECASTED notification (e.g. at 100%).",
                         notified[0].urn)

    stack_region = current_stack().region
    alarms = [r for r in view.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
              if dig(view.props(r), "metricName") == "EstimatedCharges"
              and dig(view.props(r), "namespace") == "AWS/Billing"]
    usable = [a for a in alarms
              if resource_region(a, stack_region) == BILLING_REGION and items(view.props(a), "alarmActions")]
    if not alarms:
        report_violation("No EstimatedCharges alarm: add a CloudWatch alarm on AWS/Billing EstimatedCharges in "
                         "us-east-1 with an SNS action.")
    elif not usable:
        where = ", ".join(f"{a.name} ({resource_region(a, stack_region)})" for a in alarms)
        report_violation(f"EstimatedCharges alarms {where} cannot fire or notify: billing metrics exist only in "
                         f"us-east-1 (use a us-east-1 provider) and the alarm needs an alarm action.", alarms[0].urn)


POLICIES = [
    stack_policy("billing-alarms", "A Budget with subscribers and an EstimatedCharges alarm in us-east-1 with an action "
                 "exist.", MANDATORY, _validate, SCHEMA),
]
