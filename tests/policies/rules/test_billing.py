"""billing-alarms (rules/billing.py), over gRPC at a first preview and at an update (the `mode` fixture): the passing
MVP graph, then one break per test."""

from __future__ import annotations

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from conftest import find, set_prop

from .helpers import check, config_tightens, messages

ACCOUNT_LEVEL = (" (If the organisation keeps its Budget and EstimatedCharges alarm at account level, the platform "
                 "owner sets billing-alarms: accountLevel: true in the pack config.)")


def test_a_stack_without_a_budget_or_charges_alarm_fails(mode):
    graph = [r for r in mode.graph() if r.name not in ("acme-billing-budget", "acme-billing-estimated-charges")]
    assert messages(check(mode, graph), "billing-alarms") == [
        "No AWS Budget: add an aws.budgets.Budget (COST, MONTHLY) with e-mail notifications." + ACCOUNT_LEVEL,
        "No EstimatedCharges alarm: add a CloudWatch alarm on AWS/Billing EstimatedCharges in us-east-1 with an SNS "
        "action." + ACCOUNT_LEVEL]


def test_billing_alarms_kept_at_account_level_satisfy_the_rule_when_the_pack_config_says_so(mode):
    graph = [r for r in mode.graph() if r.name not in ("acme-billing-budget", "acme-billing-estimated-charges")]
    evaluation = check(mode, graph, pack_config={"billing-alarms": {"accountLevel": True}})
    assert messages(evaluation, "billing-alarms") == []


def test_a_budget_that_notifies_nobody_fails(mode):
    graph = mode.graph()
    budget = find(graph, "acme-billing-budget")
    for index in range(len(budget.inputs["notifications"])):
        set_prop(budget, f"notifications.{index}.subscriberEmailAddresses", [])
    assert messages(check(mode, graph), "billing-alarms") == [
        "No Budget notifies anyone: give a notification subscriber_email_addresses or subscriber_sns_topic_arns."
        + ACCOUNT_LEVEL]


def test_a_charges_alarm_without_an_action_fails(mode):
    graph = mode.graph()
    set_prop(find(graph, "acme-billing-estimated-charges"), "alarmActions", [])
    assert messages(check(mode, graph), "billing-alarms") == [
        "EstimatedCharges alarms acme-billing-estimated-charges (us-east-1) cannot fire or notify: billing metrics "
        "exist only in us-east-1 (use a us-east-1 provider) and the alarm needs an alarm action." + ACCOUNT_LEVEL]


def test_a_charges_alarm_outside_us_east_1_fails(mode):
    graph = mode.graph()
    alarm = find(graph, "acme-billing-estimated-charges")
    alarm.outputs["region"] = "eu-west-1"
    assert messages(check(mode, graph, {**mode.run.config, "aws:region": "eu-west-1"}), "billing-alarms") == [
        "EstimatedCharges alarms acme-billing-estimated-charges (eu-west-1) cannot fire or notify: billing metrics "
        "exist only in us-east-1 (use a us-east-1 provider) and the alarm needs an alarm action." + ACCOUNT_LEVEL]


def test_the_charges_alarm_region_comes_from_its_provider_when_its_own_is_unknown(mode):
    """At a first preview a v7 resource does not report its region; the engine still sends its provider."""
    graph = mode.graph()
    find(graph, "acme-billing-estimated-charges").outputs["region"] = UNKNOWN_STRING_VALUE
    config = {**mode.run.config, "aws:region": "eu-west-1"}
    assert len(messages(check(mode, graph, config), "billing-alarms")) == 1  # default provider: eu-west-1


def test_policy_config_can_demand_a_forecasted_notification(mode):
    change = ("acme-billing-budget", "notifications", [{"notificationType": "ACTUAL", "threshold": 80,
                                                        "comparisonOperator": "GREATER_THAN",
                                                        "thresholdType": "PERCENTAGE",
                                                        "subscriberEmailAddresses": ["ops@acme.example"]}])
    evaluation = config_tightens(mode, {"billing-alarms": {"requireForecastedNotification": True}}, change,
                                 "billing-alarms")
    assert messages(evaluation, "billing-alarms") == [
        "No Budget warns on the forecast: add a FORECASTED notification (e.g. at 100%)." + ACCOUNT_LEVEL]
